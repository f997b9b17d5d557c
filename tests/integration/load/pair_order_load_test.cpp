// Heap order of composite keys built by pairing, on a real server: a source
// whose rows were inserted along their key (a catalog keyed (vendor, model),
// vendors skewed, inserted in key order: correlation 1; the acceptance test
// covers a key stored partly along it), read by `stats` and loaded: the
// profile says `cluster:`, each key column's pg_stats.correlation
// on the mirror is production's within 0.1, the keys hold no duplicate, and a
// lookup by the whole key and a prefix search ordered by the second column
// plan to the same shape as on the source.
#include <gtest/gtest.h>

#include <fmt/format.h>
#include <fstream>
#include <sstream>

#include "load_test_support.hpp"
#include "pgshape/plan.hpp"

namespace pgshape {
namespace {

using testing::test_dsn;

class PairOrderLoad : public testing::LoadFixture {
 protected:
  static double real(pqxx::connection& c, const std::string& sql) {
    pqxx::work tx(c);
    return tx.exec1(sql)[0].as<double>();
  }
  static std::string shape(pqxx::connection& c, const std::string& schema, const std::string& sql) {
    pqxx::work tx(c);
    tx.exec0("SET LOCAL search_path = " + c.quote_name(schema));
    const auto r = tx.exec1("EXPLAIN (FORMAT JSON) " + sql);
    return shape_signature(parse_explain_json(r[0].as<std::string>()));
  }
};

TEST_F(PairOrderLoad, StatsMirrorKeepsTheKeysHeapOrderAndItsPlans) {
  write_profile("unused: true\n");
  const std::string source = schema("order_src"), mirror = schema("order_mirror");
  pqxx::connection c(test_dsn());
  {
    pqxx::work tx(c);
    const std::string s = c.quote_name(source);
    tx.exec0("CREATE SCHEMA " + s);
    // Vendor k (1..60) holds about 1000 / k models, numbered 1..; inserted in key order.
    tx.exec0(fmt::format(
        "CREATE TABLE {}.catalog (vendor integer NOT NULL, model integer NOT NULL, name text NOT "
        "NULL, PRIMARY KEY (vendor, model))",
        s));
    tx.exec0(
        fmt::format("INSERT INTO {}.catalog SELECT k, m, 'item ' || k || '-' || m FROM "
                    "generate_series(1, 60) k, generate_series(1, 1000 / k) m ORDER BY k, m",
                    s));
    tx.commit();
  }
  {
    pqxx::nontransaction tx(c);
    tx.exec0(fmt::format("VACUUM ANALYZE {0}.catalog", c.quote_name(source)));
  }
  const std::string profile = (dir_ / "mirror.yaml").string();
  const auto imported = testing::run_pgshape(
      {"stats", "--source", test_dsn(), "--source-schema", source, "-o", profile, "-q"});
  ASSERT_EQ(imported.exit_code, 0) << imported.err;
  std::stringstream text;
  text << std::ifstream(profile).rdbuf();
  const std::string yaml = text.str();
  EXPECT_NE(yaml.find("cluster: vendor\n"), std::string::npos) << yaml;

  pgshape({"load", profile, "--schema", mirror, "--scale", "production"});
  {
    pqxx::nontransaction tx(c);
    tx.exec0(fmt::format("VACUUM ANALYZE {0}.catalog", c.quote_name(mirror)));
  }
  for (const auto& key : std::vector<std::pair<std::string, std::string>>{{"catalog", "vendor"},
                                                                          {"catalog", "model"}}) {
    const auto correlation = [&](const std::string& schema) {
      return real(c, fmt::format("SELECT correlation FROM pg_stats WHERE schemaname = '{}' AND "
                                 "tablename = '{}' AND attname = '{}'",
                                 schema, key.first, key.second));
    };
    EXPECT_NEAR(correlation(mirror), correlation(source), 0.1) << key.first << "." << key.second;
  }
  const auto q = [&](const std::string& sql) {
    return fmt::format(fmt::runtime(sql), c.quote_name(mirror));
  };
  EXPECT_EQ(real(c, q("SELECT count(*) - count(DISTINCT (vendor, model)) FROM {}.catalog")), 0);
  for (const std::string sql :
       {"SELECT * FROM catalog WHERE vendor = 1 AND model = 5",
        "SELECT * FROM catalog WHERE vendor = 1 ORDER BY model",
        "SELECT * FROM catalog WHERE vendor = 40 ORDER BY model",
        "SELECT * FROM catalog WHERE vendor BETWEEN 3 AND 9 ORDER BY vendor, model"})
    EXPECT_EQ(shape(c, mirror, sql), shape(c, source, sql)) << sql;
}

}  // namespace
}  // namespace pgshape
