// --shard K/N: three shards appended into one prepared schema, then --finish,
// hold exactly the rows of one unsharded load (md5 per table); and generated
// shard files concatenate to the unsharded file byte for byte.
#include <gtest/gtest.h>

#include <fstream>
#include <sstream>

#include "load_test_support.hpp"

namespace pgshape {
namespace {

using testing::test_dsn;

// clang-format off (a YAML document)
constexpr const char* kProfile = R"yaml(name: shards
seed: 5
scales: { s: 10001 }
tables:
  customers:
    rows: 0.1x
    columns:
      id: { type: bigint, primary_key: true, dist: sequence }
      email: { type: varchar(40), dist: pattern, pattern: "u??????@example.com", unique: true }
  orders:
    rows: 1x
    columns:
      id: { type: bigint, primary_key: true, dist: sequence }
      customer_id: { type: bigint, ref: customers.id, dist: zipf, s: 0.9 }
      total: { type: "numeric(10,2)", dist: lognormal, mu: 3, sigma: 1 }
      note: { type: text, dist: words, wordlist: lorem, min_words: 1, max_words: 6 }
    indexes:
      - { columns: [customer_id] }
)yaml";
// clang-format on

class Shards : public testing::LoadFixture {};

TEST_F(Shards, UnionOfThreeShardsEqualsTheUnshardedLoad) {
  write_profile(kProfile);
  const std::string whole = schema("whole"), sharded = schema("sharded");
  pgshape({"load", profile_, "--schema", whole});
  pgshape({"load", profile_, "--schema", sharded, "--prepare"});
  for (const std::string k : {"2/3", "1/3", "3/3"})  // any order, or all at once
    pgshape({"load", profile_, "--schema", sharded, "--shard", k});
  pgshape({"load", profile_, "--schema", sharded, "--finish"});
  pqxx::connection c(test_dsn());
  for (const std::string table : {"customers", "orders"})
    EXPECT_EQ(table_md5(c, whole, table), table_md5(c, sharded, table)) << table;
  // --finish built the same keys: the primary key and the foreign key exist and are valid.
  pqxx::work tx(c);
  const auto keys = tx.exec_params1(
      "SELECT count(*) FILTER (WHERE contype = 'p'), count(*) FILTER (WHERE contype = 'f' "
      "AND "
      "convalidated) FROM pg_catalog.pg_constraint WHERE connamespace = $1::regnamespace",
      sharded);
  EXPECT_EQ(keys[0].as<int>(), 2);
  EXPECT_EQ(keys[1].as<int>(), 1);
}

TEST_F(Shards, ShardFilesConcatenateToTheUnshardedFile) {
  write_profile(kProfile);
  for (const std::string format : {"copy", "csv"}) {
    const auto out = dir_ / format;
    pgshape({"generate", profile_, "--format", format, "--out", out.string()});
    for (const std::string k : {"1/3", "2/3", "3/3"})
      pgshape({"generate", profile_, "--format", format, "--out", out.string(), "--shard", k});
    for (const std::string table : {"customers", "orders"}) {
      const std::string ext = format == "csv" ? ".csv" : ".copy";
      const std::string whole = testing::read_all(out / (table + ext));
      EXPECT_FALSE(whole.empty());
      EXPECT_EQ(whole, testing::read_all(out / (table + ".1-of-3" + ext)) +
                           testing::read_all(out / (table + ".2-of-3" + ext)) +
                           testing::read_all(out / (table + ".3-of-3" + ext)))
          << table << " " << format;
    }
  }
}

}  // namespace
}  // namespace pgshape
