// Binary COPY and text COPY of the same profile give the same rows on a real
// server, for every type pgshape generates: the server's text output of each
// table (md5 over all rows) is identical.
#include <gtest/gtest.h>

#include "load_test_support.hpp"

namespace pgshape {
namespace {

using testing::test_dsn;

// clang-format off (a YAML document)
constexpr const char* kProfile = R"yaml(name: types
seed: 11
scales: { s: 20000 }
tables:
  parents:
    rows: 0.05x
    columns:
      id: { type: integer, primary_key: true, dist: sequence }
      name: { type: varchar(40), dist: words, wordlist: product, unique: true }
  everything:
    rows: 1x
    columns:
      id: { type: bigint, primary_key: true, dist: sequence }
      parent_id: { type: integer, ref: parents.id, dist: zipf, s: 1.1 }
      i2: { type: smallint, dist: uniform, min: -32000, max: 32000 }
      i4: { type: integer, dist: normal, mean: 0, stddev: 1e8, null_fraction: 0.1 }
      n: { type: "numeric(12,2)", dist: lognormal, mu: 3, sigma: 2, max: 9999999999 }
      n3: { type: "numeric(9,3)", dist: normal, mean: 0, stddev: 5000 }
      n0: { type: "numeric(10,0)", dist: uniform, min: -99999, max: 99999 }
      nu: { type: numeric, dist: normal, mean: 0, stddev: 1e9, null_fraction: 0.05 }
      ni: { type: "numeric(8,2)", dist: weighted, values: { 1: 5, 2.5: 3, 1000: 1 } }
      r: { type: real, dist: normal, mean: 0, stddev: 1e5 }
      d: { type: double precision, dist: lognormal, mu: 0, sigma: 5 }
      tx: { type: text, dist: words, wordlist: lorem, min_words: 0, max_words: 8,
            null_fraction: 0.05 }
      vc: { type: varchar(8), dist: words, wordlist: lorem, min_words: 1, max_words: 4 }
      st: { type: text, dist: weighted, values: { "a\tb": 1, "c\\d": 1, "e\nf": 1, "": 1 } }
      p: { type: varchar(20), dist: pattern, pattern: "X-??-####" }
      ch: { type: char(6), dist: words, wordlist: lorem, min_words: 1, max_words: 3 }
      cc: { type: character(3), dist: weighted, values: { "ab": 2, "xyz": 1, "": 1 } }
      b: { type: boolean, dist: bernoulli, p: 0.3, null_fraction: 0.1 }
      dt: { type: date, dist: uniform, min: "1900-01-01", max: "2099-12-31" }
      ts: { type: timestamp, dist: uniform, min: "1970-01-01", max: "2038-01-01" }
      tz: { type: timestamptz, dist: timeline, min: "2001-01-01", max: "2024-06-01", jitter: 0.1 }
      u: { type: uuid, dist: uuid, null_fraction: 0.1 }
)yaml";
// clang-format on

class BinaryCopyLoad : public testing::LoadFixture {};

TEST_F(BinaryCopyLoad, BinaryAndTextCopyGiveIdenticalRowsForEveryType) {
  write_profile(kProfile);
  const std::string binary = schema("binary"), text = schema("text");
  pgshape({"load", profile_, "--schema", binary, "--copy-format", "binary"});
  pgshape({"load", profile_, "--schema", text, "--copy-format", "text"});
  pqxx::connection c(test_dsn());
  for (const std::string table : {"parents", "everything"}) {
    const std::string a = table_md5(c, binary, table), b = table_md5(c, text, table);
    EXPECT_EQ(a, b) << table;
    EXPECT_TRUE(a.starts_with(table == "parents" ? "1000 " : "20000 ")) << a;
  }
  // character(n) values arrive unpadded in both formats; the server pads them.
  for (const auto& s : {binary, text}) {
    pqxx::nontransaction tx(c);
    EXPECT_EQ(tx.exec1("SELECT count(*) FROM " + c.quote_name(s) +
                       ".everything WHERE octet_length(cc) <> 3 OR octet_length(ch) <> 6")[0]
                  .as<int>(),
              0)
        << s;
  }
}

}  // namespace
}  // namespace pgshape
