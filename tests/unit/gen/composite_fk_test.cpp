// Multi-column foreign keys (`foreign_keys:`): a child (order_id, line_no)
// referencing the parent's composite key (a fanout key + child_number). The
// child picks a parent row and copies that row's key, so every child pair is a
// pair the parent holds. Checked on generated rows: every pair exists, the
// picks follow the FK's distribution (uniform here: chi-square over the parent
// pairs, bound at p = 0.001), shards union byte-identical, and validation
// refuses keys that cannot hold. Seeds are fixed.
#include <gtest/gtest.h>

#include <cmath>
#include <map>
#include <set>
#include <string>

#include "generated_profile.hpp"
#include "load/sql.hpp"
#include "pgshape/error.hpp"
#include "pgshape/gen.hpp"
#include "pgshape/profile.hpp"
#include "pgshape/stats.hpp"

namespace pgshape {
namespace {

double chi_square_critical_001(int64_t dof) {  // Wilson–Hilferty, see zipf_test.cpp
  const double k = static_cast<double>(dof), z = 3.090232;
  const double t = 1 - 2 / (9 * k) + z * std::sqrt(2 / (9 * k));
  return k * t * t * t;
}

std::string profile(const std::string& line_no = "dist: copy, from: order_id.line_no",
                    const std::string& ref = "items(order_id, line_no)") {
  return "name: t\nscales: { s: 20000 }\ntables:\n"
         "  orders:\n    rows: 1x\n    columns:\n"
         "      id: { type: bigint, primary_key: true, dist: sequence, start: 1000 }\n"
         "  items:\n    rows: 2x\n    primary_key: [order_id, line_no]\n    columns:\n"
         "      order_id: { type: bigint, ref: orders.id, dist: fanout, values: { 1: 40, 2: 30, "
         "3: 20, 7: 10 } }\n"
         "      line_no: { type: integer, dist: child_number, of: order_id }\n"
         "  shipments:\n    rows: 10x\n"
         "    foreign_keys: [{ columns: [order_id, line_no], ref: \"" +
         ref +
         "\" }]\n    columns:\n"
         "      id: { type: bigint, primary_key: true, dist: sequence }\n"
         "      order_id: { type: bigint, ref: items.order_id, dist: uniform }\n"
         "      line_no: { type: integer, " +
         line_no + " }\n";
}

using Pair = std::pair<int64_t, int64_t>;

std::map<Pair, int64_t> pairs(const TableGenerator& t, size_t a, size_t b) {
  Batch batch(t.column_count());
  std::map<Pair, int64_t> out;
  const auto n = static_cast<uint64_t>(t.rows());
  for (uint64_t begin = 0; begin < n; begin += 1000) {
    const size_t size = static_cast<size_t>(std::min<uint64_t>(1000, n - begin));
    t.fill(Selection::range(begin, size), batch);
    for (size_t i = 0; i < size; ++i) ++out[{batch.column(a).ints()[i], batch.column(b).ints()[i]}];
  }
  return out;
}

TEST(CompositeForeignKey, EveryChildPairExistsInTheParentAndPicksAreUniform) {
  const testing::GeneratedProfile g(profile(), 7);
  const std::map<Pair, int64_t> parent = pairs(g.table("items"), 0, 1);
  ASSERT_EQ(parent.size(), 40000u);
  for (const auto& [pair, n] : parent) ASSERT_EQ(n, 1) << "duplicate parent key";
  const std::map<Pair, int64_t> child = pairs(g.table("shipments"), 1, 2);
  int64_t rows = 0;
  for (const auto& [pair, n] : child) {
    ASSERT_TRUE(parent.count(pair)) << pair.first << "," << pair.second << " has no parent";
    rows += n;
  }
  ASSERT_EQ(rows, 200000);
  // Uniform over the 40,000 parent rows: 5 expected per pair; chi-square with
  // 39,999 degrees of freedom under its p = 0.001 critical value.
  const double expected = 200000.0 / 40000.0;
  double chi = 0;
  for (const auto& [pair, n] : parent) {
    const auto it = child.find(pair);
    const double seen = it == child.end() ? 0 : static_cast<double>(it->second);
    chi += (seen - expected) * (seen - expected) / expected;
  }
  EXPECT_LT(chi, chi_square_critical_001(39999));
  RecordProperty("chi_square", std::to_string(chi));
  RecordProperty("bound", std::to_string(chi_square_critical_001(39999)));
}

TEST(CompositeForeignKey, ShardsUnionByteIdentical) {
  const testing::GeneratedProfile g(profile(), 11);
  const TableGenerator& t = g.table("shipments");
  ByteBuffer whole, parts;
  t.write_copy_text(0, static_cast<uint64_t>(t.rows()), whole);
  for (int k = 0; k < 3; ++k) {
    const RowRange r = shard_rows(t.rows(), k, 3);
    t.write_copy_text(r.begin, r.end, parts);
  }
  EXPECT_EQ(whole.view(), parts.view());
}

TEST(CompositeForeignKey, LoadBuildsOneQuotedMultiColumnConstraint) {
  const Profile p = parse_profile(profile(), "t.yaml");
  const auto builds = load::foreign_key_builds("s", *p.find_table("shipments"));
  ASSERT_EQ(builds.size(), 1u);
  EXPECT_EQ(builds[0].name, "shipments_order_id_line_no_fkey");
  EXPECT_NE(builds[0].add.find("FOREIGN KEY (\"order_id\", \"line_no\") REFERENCES "
                               "\"s\".\"items\" (\"order_id\", \"line_no\")"),
            std::string::npos)
      << builds[0].add;
}

TEST(CompositeForeignKey, ValidationRefusesKeysThatCannotHold) {
  auto refused = [](const std::string& yaml, const std::string& needle) {
    try {
      parse_profile(yaml, "t.yaml");
    } catch (const ProfileError& e) {
      for (const auto& d : e.diagnostics())
        if ((d.message + " " + d.hint).find(needle) != std::string::npos) return true;
    }
    return false;
  };
  EXPECT_TRUE(refused(profile("dist: uniform, min: 1, max: 3"), "must be dist: copy"));
  EXPECT_NO_THROW(parse_profile(profile(), "t.yaml"));
  EXPECT_TRUE(refused(profile("dist: copy, from: order_id.line_no", "items(order_id)"),
                      "has 2 columns and its ref 1"));
  EXPECT_TRUE(refused(profile("dist: copy, from: order_id.line_no", "items order_id"),
                      "write ref: parent(x, y)"));
}

TEST(CompositeForeignKey, StatsWriteItAsForeignKeysAndTheProfileLoads) {
  StatsSnapshot s{.database = "shop", .schema = "public", .taken_at = "2026-01-01T00:00:00Z"};
  auto column = [](std::string name, std::string type, double n_distinct) {
    return ColumnStats{.name = std::move(name),
                       .type = std::move(type),
                       .not_null = true,
                       .has_stats = true,
                       .avg_width = 8,
                       .n_distinct = n_distinct,
                       .histogram = {"1", "2", "5000"}};
  };
  TableStats orders{.name = "orders", .reltuples = 5000, .primary_key = {"id"}};
  orders.columns.push_back(column("id", "bigint", -1));
  TableStats items{.name = "items", .reltuples = 12500, .primary_key = {"order_id", "line_no"}};
  items.columns.push_back(column("order_id", "bigint", 5000));
  items.columns.push_back(column("line_no", "integer", 4));
  items.foreign_keys.push_back(ForeignKeyStats{.name = "items_order_id_fkey",
                                               .columns = {"order_id"},
                                               .parent_table = "orders",
                                               .parent_columns = {"id"}});
  TableStats shipments{.name = "shipments", .reltuples = 25000, .primary_key = {"id"}};
  shipments.columns.push_back(column("id", "bigint", -1));
  shipments.columns.push_back(column("order_id", "bigint", 5000));
  shipments.columns.push_back(column("line_no", "integer", 4));
  shipments.foreign_keys.push_back(ForeignKeyStats{.name = "shipments_order_id_line_no_fkey",
                                                   .columns = {"order_id", "line_no"},
                                                   .parent_table = "items",
                                                   .parent_columns = {"order_id", "line_no"}});
  s.tables = {orders, items, shipments};
  std::vector<std::string> notes;
  const std::string yaml = render_profile(s, ImportOptions{.name = "m"}, &notes);
  EXPECT_EQ(yaml.find("multi-column"), std::string::npos) << yaml;
  EXPECT_NE(yaml.find("- {columns: [order_id, line_no], ref: \"items(order_id, line_no)\"}"),
            std::string::npos)
      << yaml;
  const Profile p = parse_profile(yaml, "m.yaml");
  const Table* t = p.find_table("shipments");
  ASSERT_NE(t, nullptr);
  ASSERT_EQ(t->foreign_keys.size(), 1u);
  EXPECT_EQ(t->find_column("line_no")->dist.kind, DistKind::kCopy);
  const auto builds = load::foreign_key_builds("s", *t);
  ASSERT_EQ(builds.size(), 1u);
  EXPECT_EQ(builds[0].name, "shipments_order_id_line_no_fkey");
}

}  // namespace
}  // namespace pgshape
