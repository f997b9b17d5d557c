// Composite keys whose columns are neither foreign keys nor unique, both
// skewed, on a real server: a source built with plain SQL (items keyed
// (tenant, sku), text and integer; a UNIQUE (region, external_id) constraint;
// events keyed (kind, day, seq), text, date and integer; a child with a
// two-column foreign key to items) is read by `stats`, and the mirror `load`
// builds must hold every key by definition (the UNIQUE constraint a constraint,
// not a bare index), no duplicate, the child's pairs all among the parent's,
// and each key column's most common value within 20 % of production's share.
#include <gtest/gtest.h>

#include <fmt/format.h>
#include <fstream>
#include <sstream>

#include "load_test_support.hpp"
#include "scalar_query.hpp"

namespace pgshape {
namespace {

using testing::real;
using testing::scalar;
using testing::test_dsn;

class PairKeysLoad : public testing::LoadFixture {
 protected:
  // The definitions of a table's primary, unique and foreign key constraints, in order.
  static std::string keys_of(pqxx::connection& c, const std::string& schema,
                             const std::string& table) {
    pqxx::work tx(c);
    std::string out;
    for (const auto& row : tx.exec_params(
             "SELECT regexp_replace(pg_get_constraintdef(oid), 'REFERENCES [^(]*\\.', "
             "'REFERENCES ') FROM pg_constraint WHERE conrelid = ($1 || '.' || $2)::regclass "
             "AND contype IN ('p', 'u', 'f') ORDER BY 1",
             c.quote_name(schema), c.quote_name(table)))
      out += row[0].as<std::string>() + "; ";
    return out;
  }
};

TEST_F(PairKeysLoad, StatsMirrorBuildsEveryCompositeKeyUnique) {
  write_profile("unused: true\n");
  const std::string source = schema("pair_src"), mirror = schema("pair_mirror");
  pqxx::connection c(test_dsn());
  {
    pqxx::work tx(c);
    const std::string s = c.quote_name(source);
    tx.exec0("CREATE SCHEMA " + s);
    // 300 tenants, tenant k holding 6000 / k + 3 skus; low skus in every tenant.
    tx.exec0(fmt::format(
        "CREATE TABLE {}.items (tenant text NOT NULL, sku integer NOT NULL, price integer NOT "
        "NULL, PRIMARY KEY (tenant, sku))",
        s));
    tx.exec0(
        fmt::format("INSERT INTO {}.items SELECT 'tenant-' || k, n * (1 + k % 3), n % 97 FROM "
                    "generate_series(1, 300) k, generate_series(1, 6000 / k + 3) n",
                    s));
    tx.exec0(fmt::format(
        "CREATE TABLE {}.accounts (id bigint PRIMARY KEY, region text NOT NULL, external_id "
        "bigint NOT NULL, CONSTRAINT accounts_region_ext_key UNIQUE (region, external_id))",
        s));
    tx.exec0(fmt::format(
        "INSERT INTO {}.accounts SELECT row_number() OVER (), r, (e * 7919) % 1000003 FROM "
        "(VALUES ('us', 9000), ('eu', 6000), ('apac', 3000), ('latam', 1000)) v(r, k), "
        "generate_series(1, k) e",
        s));
    tx.exec0(fmt::format(
        "CREATE TABLE {}.events (kind text NOT NULL, day date NOT NULL, seq integer NOT NULL, "
        "PRIMARY KEY (kind, day, seq))",
        s));
    tx.exec0(fmt::format(
        "INSERT INTO {}.events SELECT 'k' || k, date '2024-01-01' + d, q FROM generate_series(1, "
        "8) k, generate_series(0, 365) d, generate_series(1, 1 + (d * k) % 5) q",
        s));
    tx.exec0(fmt::format(
        "CREATE TABLE {0}.item_refs (id bigint PRIMARY KEY, tenant text NOT NULL, sku integer "
        "NOT NULL, FOREIGN KEY (tenant, sku) REFERENCES {0}.items)",
        s));
    tx.exec0(fmt::format(
        "INSERT INTO {0}.item_refs SELECT row_number() OVER (), tenant, sku FROM {0}.items, "
        "generate_series(1, 2) WHERE sku % 5 = 0",
        s));
    tx.exec0(fmt::format("ANALYZE {0}.items, {0}.accounts, {0}.events, {0}.item_refs", s));
    tx.commit();
  }
  const std::string profile = (dir_ / "mirror.yaml").string();
  const auto imported = testing::run_pgshape(
      {"stats", "--source", test_dsn(), "--source-schema", source, "-o", profile, "-q"});
  ASSERT_EQ(imported.exit_code, 0) << imported.err;
  std::stringstream text;
  text << std::ifstream(profile).rdbuf();
  const std::string yaml = text.str();
  EXPECT_EQ(yaml.find("cannot be guaranteed"), std::string::npos) << yaml;
  EXPECT_EQ(yaml.find("may repeat"), std::string::npos) << yaml + imported.err;
  EXPECT_EQ(imported.err.find("plain index"), std::string::npos) << imported.err;

  pgshape({"load", profile, "--schema", mirror, "--scale", "production"});
  for (const std::string table : {"items", "accounts", "events", "item_refs"})
    EXPECT_EQ(keys_of(c, mirror, table), keys_of(c, source, table)) << table;
  EXPECT_EQ(keys_of(c, mirror, "accounts"), "PRIMARY KEY (id); UNIQUE (region, external_id); ");
  const auto q = [&](const std::string& sql) {
    return fmt::format(fmt::runtime(sql), c.quote_name(mirror));
  };
  EXPECT_EQ(scalar(c, q("SELECT count(*) - count(DISTINCT (tenant, sku)) FROM {}.items")), 0);
  EXPECT_EQ(scalar(c, q("SELECT count(*) - count(DISTINCT (region, external_id)) FROM "
                        "{}.accounts")),
            0);
  EXPECT_EQ(scalar(c, q("SELECT count(*) - count(DISTINCT (kind, day, seq)) FROM {}.events")), 0);
  EXPECT_EQ(scalar(c, q("SELECT count(*) FROM {0}.item_refs r LEFT JOIN {0}.items i USING "
                        "(tenant, sku) WHERE i.tenant IS NULL")),
            0);
  // Each key column's most common value keeps its share (production's within 20 %).
  // (A plain pair, not a structured binding: clang 14 lets no lambda capture one.)
  for (const auto& key : std::vector<std::pair<std::string, std::string>>{
           {"items", "tenant"}, {"items", "sku"}, {"accounts", "region"}, {"events", "kind"}}) {
    const std::string& table = key.first;
    const std::string& column = key.second;
    const auto top = [&](const std::string& schema) {
      return real(c, fmt::format("SELECT max(n)::float8 / sum(n) FROM (SELECT count(*) n FROM "
                                 "{}.{} GROUP BY {}) t",
                                 c.quote_name(schema), table, column));
    };
    EXPECT_NEAR(top(mirror), top(source), 0.2 * top(source)) << table << "." << column;
  }
}

}  // namespace
}  // namespace pgshape
