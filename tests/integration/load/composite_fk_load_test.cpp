// Multi-column foreign keys on a real server: a source whose shipments
// (order_id, line_no) REFERENCES order_items (order_id, line_no), the parent's
// key a fanout key with its child numbers, is read by `stats`; the profile
// carries the key as `foreign_keys:` (no note), and `load` builds the quoted
// multi-column constraint, which the server validates: every child pair exists
// in the parent.
#include <gtest/gtest.h>

#include <fmt/format.h>

#include "load_test_support.hpp"
#include "mirror_steps.hpp"

namespace pgshape {
namespace {

using testing::test_dsn;

class CompositeForeignKeyLoad : public testing::LoadFixture {};

TEST_F(CompositeForeignKeyLoad, StatsAndLoadKeepTheMultiColumnForeignKey) {
  write_profile("unused: true\n");
  const std::string source = schema("cfk_src"), mirror = schema("cfk_mirror");
  pqxx::connection c(test_dsn());
  {
    pqxx::work tx(c);
    const std::string s = c.quote_name(source);
    testing::create_orders(tx, source, 5000);
    tx.exec0(fmt::format(
        "CREATE TABLE {0}.order_items (order_id bigint NOT NULL REFERENCES {0}.orders, line_no "
        "integer NOT NULL, PRIMARY KEY (order_id, line_no))",
        s));
    tx.exec0(
        fmt::format("INSERT INTO {}.order_items SELECT o, n FROM generate_series(1, 5000) o, "
                    "generate_series(1, 1 + o % 4) n ORDER BY o, n",
                    s));
    tx.exec0(fmt::format(
        "CREATE TABLE {0}.shipments (id bigint PRIMARY KEY, order_id bigint NOT NULL, line_no "
        "integer NOT NULL, FOREIGN KEY (order_id, line_no) REFERENCES {0}.order_items)",
        s));
    tx.exec0(
        fmt::format("INSERT INTO {0}.shipments SELECT row_number() OVER (), order_id, line_no FROM "
                    "{0}.order_items, generate_series(1, 2)",
                    s));
    tx.exec0(fmt::format("ANALYZE {0}.orders, {0}.order_items, {0}.shipments", s));
    tx.commit();
  }
  const std::string profile = (dir_ / "mirror.yaml").string();
  std::string yaml;
  ASSERT_NO_FATAL_FAILURE(testing::stats_of_test_schema(source, profile, yaml));
  EXPECT_NE(yaml.find("- {columns: [order_id, line_no], ref: \"order_items(order_id, line_no)\"}"),
            std::string::npos)
      << yaml;
  EXPECT_EQ(yaml.find("foreign key shipments."), std::string::npos) << yaml;

  pgshape({"load", profile, "--schema", mirror, "--scale", "production"});
  pqxx::work tx(c);
  const auto def = tx.exec_params1(
      "SELECT pg_get_constraintdef(oid) FROM pg_constraint WHERE conrelid = ($1 || "
      "'.shipments')::regclass AND contype = 'f' AND convalidated",
      c.quote_name(mirror));
  EXPECT_EQ(def[0].as<std::string>().substr(0, 39), "FOREIGN KEY (order_id, line_no) REFEREN");
  const auto rows =
      tx.exec1(fmt::format("SELECT count(*) FROM {}.shipments", c.quote_name(mirror)));
  EXPECT_GT(rows[0].as<int64_t>(), 0);
  // Not checked by the server alone: no shipment without its item.
  const auto orphans = tx.exec1(fmt::format(
      "SELECT count(*) FROM {0}.shipments s WHERE NOT EXISTS (SELECT 1 FROM {0}.order_items i "
      "WHERE (i.order_id, i.line_no) = (s.order_id, s.line_no))",
      c.quote_name(mirror)));
  EXPECT_EQ(orphans[0].as<int64_t>(), 0);
}

}  // namespace
}  // namespace pgshape
