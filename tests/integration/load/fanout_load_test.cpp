// Composite keys on a real server: a source built with plain SQL (order items
// keyed (order_id, line_no), stored by order, a quarter of the orders without
// items; a composite UNIQUE (order_id, n) beside a single-column key; a
// junction table keyed (order_id, product_id)) is read by `stats`, and the
// mirror `load` builds from that profile must hold the same keys (two-column
// primary keys, a unique index on the pair, no duplicate), production's
// parents used (as many as its n_distinct says, the mirror's n_distinct within
// 1.5x) and its heap order (correlation within 0.1). `stats` of the mirror
// gives the keys back (refresh round-trips them).
#include <gtest/gtest.h>

#include <fmt/format.h>
#include <cmath>

#include "load_test_support.hpp"
#include "mirror_steps.hpp"
#include "scalar_query.hpp"

namespace pgshape {
namespace {

using testing::scalar;
using testing::test_dsn;

class FanoutLoad : public testing::LoadFixture {
 protected:
  // pg_stats of one column: n_distinct as a count, and correlation.
  static std::pair<double, double> column_stats(pqxx::connection& c, const std::string& schema,
                                                const std::string& table,
                                                const std::string& column) {
    pqxx::work tx(c);
    const auto row = tx.exec_params1(
        "SELECT CASE WHEN s.n_distinct < 0 THEN -s.n_distinct * c.reltuples ELSE s.n_distinct "
        "END, s.correlation FROM pg_stats s JOIN pg_class c ON c.relname = s.tablename AND "
        "c.relnamespace = s.schemaname::regnamespace WHERE s.schemaname = $1 AND s.tablename "
        "= $2 AND s.attname = $3",
        schema, table, column);
    return {row[0].as<double>(), row[1].as<double>()};
  }
  // The definitions of a table's constraints and unique indexes, schema names cut.
  static std::string keys_of(pqxx::connection& c, const std::string& schema,
                             const std::string& table) {
    pqxx::work tx(c);
    std::string out;
    for (const auto& row :
         tx.exec_params("SELECT pg_get_constraintdef(oid) FROM pg_constraint WHERE conrelid = "
                        "($1 || '.' || $2)::regclass AND contype IN ('p', 'u') ORDER BY 1",
                        c.quote_name(schema), c.quote_name(table)))
      out += row[0].as<std::string>() + "; ";
    for (const auto& row : tx.exec_params(
             "SELECT regexp_replace(pg_get_indexdef(indexrelid), '^.* USING ', '') FROM "
             "pg_index WHERE indrelid = ($1 || '.' || $2)::regclass AND indisunique AND NOT "
             "indisprimary ORDER BY 1",
             c.quote_name(schema), c.quote_name(table)))
      out += "unique " + row[0].as<std::string>() + "; ";
    return out;
  }
};

TEST_F(FanoutLoad, StatsMirrorKeepsCompositeKeysFanoutAndOrder) {
  write_profile("unused: true\n");
  const std::string source = schema("fan_src"), mirror = schema("fan_mirror"),
                    again = schema("fan_again");
  pqxx::connection c(test_dsn());
  {
    pqxx::work tx(c);
    const std::string s = c.quote_name(source);
    testing::create_orders(tx, source, 30000);
    tx.exec0(fmt::format(
        "CREATE TABLE {0}.order_items (order_id bigint NOT NULL REFERENCES {0}.orders, line_no "
        "integer NOT NULL, qty integer NOT NULL, PRIMARY KEY (order_id, line_no))",
        s));
    // Fan-out 1..5 (and 12 for every 97th order), three orders in four used, stored by order.
    tx.exec0(fmt::format(
        "INSERT INTO {}.order_items SELECT o, n, 1 + n % 3 FROM generate_series(1, 30000) o, "
        "generate_series(1, CASE WHEN o % 97 = 0 THEN 12 ELSE 1 + (o * 7919) % 5 END) n WHERE "
        "o % 4 <> 0 ORDER BY o, n",
        s));
    tx.exec0(fmt::format(
        "CREATE TABLE {0}.notes (id bigint PRIMARY KEY, order_id bigint NOT NULL REFERENCES "
        "{0}.orders, n integer NOT NULL, UNIQUE (order_id, n))",
        s));
    // Shuffled: notes arrive in no order of their order.
    tx.exec0(fmt::format(
        "INSERT INTO {}.notes SELECT row_number() OVER (ORDER BY md5(o::text || n::text)), o, n "
        "FROM generate_series(1, 30000, 3) o, generate_series(1, 1 + o % 2) n",
        s));
    // A junction table: (order_id, product_id), distinct products per order.
    tx.exec0(fmt::format("CREATE TABLE {}.products (id bigint PRIMARY KEY)", s));
    tx.exec0(fmt::format("INSERT INTO {}.products SELECT g FROM generate_series(1, 2000) g", s));
    tx.exec0(fmt::format(
        "CREATE TABLE {0}.order_products (order_id bigint NOT NULL REFERENCES {0}.orders, "
        "product_id bigint NOT NULL REFERENCES {0}.products, PRIMARY KEY (order_id, product_id))",
        s));
    tx.exec0(
        fmt::format("INSERT INTO {}.order_products SELECT o, (o * 13 + n * 7) % 2000 + 1 FROM "
                    "generate_series(1, 30000, 2) o, generate_series(1, 1 + o % 4) n ORDER BY o",
                    s));
    tx.exec0(
        fmt::format("ANALYZE {0}.orders, {0}.order_items, {0}.notes, {0}.products, "
                    "{0}.order_products",
                    s));
    tx.commit();
  }
  const std::string profile = (dir_ / "mirror.yaml").string();
  std::string yaml;
  ASSERT_NO_FATAL_FAILURE(testing::stats_of_test_schema(source, profile, yaml));
  EXPECT_NE(yaml.find("primary_key: [order_id, line_no]"), std::string::npos) << yaml;
  EXPECT_NE(yaml.find("dist: fanout"), std::string::npos) << yaml;
  EXPECT_NE(yaml.find("dist: child_number"), std::string::npos) << yaml;
  EXPECT_NE(yaml.find("cluster: order_id"), std::string::npos) << yaml;
  EXPECT_EQ(yaml.find("cannot be guaranteed"), std::string::npos) << yaml;

  pgshape({"load", profile, "--schema", mirror, "--scale", "production"});
  // The same keys, by definition.
  EXPECT_EQ(keys_of(c, mirror, "order_items"), keys_of(c, source, "order_items"));
  EXPECT_EQ(keys_of(c, mirror, "order_items"), "PRIMARY KEY (order_id, line_no); ");
  EXPECT_NE(keys_of(c, mirror, "notes").find("unique btree (order_id, n)"), std::string::npos)
      << keys_of(c, mirror, "notes");
  EXPECT_EQ(keys_of(c, mirror, "order_products"), "PRIMARY KEY (order_id, product_id); ");
  for (const std::string table : {"order_items", "notes", "order_products"}) {
    const auto rows = [&](const std::string& schema) {
      return scalar(c, fmt::format("SELECT count(*) FROM {}.{}", c.quote_name(schema), table));
    };
    EXPECT_NEAR(static_cast<double>(rows(mirror)), static_cast<double>(rows(source)),
                0.01 * static_cast<double>(rows(source)))
        << table;
    const auto used = [&](const std::string& schema) {
      return static_cast<double>(scalar(c, fmt::format("SELECT count(DISTINCT order_id) FROM {}.{}",
                                                       c.quote_name(schema), table)));
    };
    const auto [src_distinct, src_corr] = column_stats(c, source, table, "order_id");
    const auto [mir_distinct, mir_corr] = column_stats(c, mirror, table, "order_id");
    // The mirror uses the parents production's statistics say (2 %: rounding
    // and the most common values); the true count is only as near as ANALYZE's
    // n_distinct estimate of the source (its sample: 30000 rows).
    EXPECT_NEAR(used(mirror) / src_distinct, 1.0, 0.02) << table;
    const double ratio = used(mirror) / used(source);
    EXPECT_NEAR(ratio, 1.0, 0.15) << table << " parents used " << used(mirror) << " vs "
                                  << used(source);
    EXPECT_LE(mir_distinct, 1.5 * src_distinct) << table;
    EXPECT_GE(mir_distinct, src_distinct / 1.5) << table;
    EXPECT_NEAR(mir_corr, src_corr, 0.1) << table << " correlation";
    std::cout << fmt::format(
        "{}: parents used {:.0f}/{:.0f} ({:.3f}x), n_distinct {:.0f}/{:.0f}, correlation "
        "{:.3f}/{:.3f}\n",
        table, used(mirror), used(source), ratio, mir_distinct, src_distinct, mir_corr, src_corr);
  }
  // The mirror's statistics give the same keys back.
  const std::string refreshed = (dir_ / "again.yaml").string();
  std::string again_yaml;
  ASSERT_NO_FATAL_FAILURE(testing::stats_of_test_schema(mirror, refreshed, again_yaml));
  pgshape({"load", refreshed, "--schema", again, "--scale", "production"});
  EXPECT_EQ(keys_of(c, again, "order_items"), "PRIMARY KEY (order_id, line_no); ");
  EXPECT_EQ(keys_of(c, again, "notes"), keys_of(c, mirror, "notes"));
}

}  // namespace
}  // namespace pgshape
