// Unit tests of the stats module without a server: redaction, overlay merging,
// the profile a snapshot renders to, and the empirical generator's statistics.
#include <gtest/gtest.h>

#include <algorithm>
#include <cctype>
#include <cmath>
#include <filesystem>
#include <fstream>
#include <map>
#include <set>

#include "pgshape/error.hpp"
#include "pgshape/gen.hpp"
#include "pgshape/profile.hpp"
#include "pgshape/stats.hpp"

namespace pgshape {
namespace {

StatsSnapshot shop_snapshot() {
  StatsSnapshot s{.database = "shop", .schema = "public", .taken_at = "2026-01-01T00:00:00Z"};
  TableStats customers{.name = "customers", .reltuples = 1000, .primary_key = {"id"}};
  customers.columns.push_back(ColumnStats{.name = "id",
                                          .type = "bigint",
                                          .not_null = true,
                                          .has_stats = true,
                                          .avg_width = 8,
                                          .n_distinct = -1,
                                          .histogram = {"1", "500", "1000"},
                                          .correlation = 1});
  TableStats orders{.name = "orders", .reltuples = 10000, .primary_key = {"id"}};
  orders.columns.push_back(ColumnStats{.name = "id",
                                       .type = "bigint",
                                       .not_null = true,
                                       .has_stats = true,
                                       .avg_width = 8,
                                       .n_distinct = -1,
                                       .histogram = {"1", "5000", "10000"},
                                       .correlation = 1});
  orders.columns.push_back(ColumnStats{.name = "customer_id",
                                       .type = "bigint",
                                       .not_null = true,
                                       .has_stats = true,
                                       .avg_width = 8,
                                       .n_distinct = 900,
                                       .mcv = {"17", "42"},
                                       .mcf = {0.3, 0.1},
                                       .histogram = {"1", "300", "700", "1000"},
                                       .correlation = 0.01});
  orders.columns.push_back(ColumnStats{.name = "status",
                                       .type = "text",
                                       .not_null = true,
                                       .has_stats = true,
                                       .avg_width = 9,
                                       .n_distinct = 3,
                                       .mcv = {"delivered", "pending", "refunded"},
                                       .mcf = {0.9, 0.0995, 0.0005},
                                       .correlation = 0.1});
  orders.columns.push_back(ColumnStats{.name = "note",
                                       .type = "character varying(40)",
                                       .has_stats = true,
                                       .null_frac = 0.5,
                                       .avg_width = 21,
                                       .n_distinct = -0.4,
                                       .histogram = {"alpha note", "beta", "gamma ray", "zeta z"},
                                       .correlation = 0});
  orders.foreign_keys.push_back(ForeignKeyStats{.name = "orders_customer_id_fkey",
                                                .columns = {"customer_id"},
                                                .parent_table = "customers",
                                                .parent_columns = {"id"}});
  orders.indexes.push_back(IndexStats{.name = "orders_open_idx",
                                      .columns = {"status"},
                                      .orders = {""},
                                      .where = "(status <> 'delivered'::text)",
                                      .method = "btree"});
  s.tables = {customers, orders};
  return s;
}

TEST(Redact, KeepsWidthsOrderFrequenciesAndNumbers) {
  StatsSnapshot s = shop_snapshot();
  redact_snapshot(s);
  const ColumnStats& status = s.tables[1].columns[2];
  ASSERT_EQ(status.mcv.size(), 3u);
  EXPECT_EQ(status.mcv[0].size(), std::string("delivered").size());
  EXPECT_EQ(status.mcv[2].size(), std::string("refunded").size());
  EXPECT_NE(status.mcv[0], "delivered");
  EXPECT_EQ(status.mcf, (std::vector<double>{0.9, 0.0995, 0.0005}));
  const ColumnStats& note = s.tables[1].columns[3];
  EXPECT_TRUE(std::is_sorted(note.histogram.begin(), note.histogram.end()));
  std::multiset<size_t> widths;
  for (const auto& b : note.histogram) widths.insert(b.size());
  EXPECT_EQ(widths, (std::multiset<size_t>{10, 4, 9, 6}));
  EXPECT_EQ(s.tables[1].columns[1].mcv, (std::vector<std::string>{"17", "42"}));
  EXPECT_EQ(s.tables[1].indexes[0].where.find("delivered"), std::string::npos);
  EXPECT_NE(s.tables[1].indexes[0].where.find("'" + status.mcv[0] + "'"), std::string::npos);
}

TEST(Redact, PseudonymsKeepPrefixesClassesAndSeparatorsAndAreInjective) {
  const uint64_t key = redact_key("k");
  const std::string a = redact_text("ABC-00417", key), b = redact_text("ABC-9", key);
  EXPECT_EQ(a.substr(0, 4), b.substr(0, 4));  // same prefix in, same prefix out
  EXPECT_EQ(a.substr(0, 4), redact_text("ABC-", key));
  EXPECT_NE(a.substr(0, 3), "ABC");
  EXPECT_EQ(a[3], '-');
  for (size_t i = 0; i < 3; ++i) EXPECT_TRUE(std::isupper(static_cast<unsigned char>(a[i])));
  for (size_t i = 4; i < a.size(); ++i) EXPECT_TRUE(std::isdigit(static_cast<unsigned char>(a[i])));
  EXPECT_NE(redact_text("ABD-", key).substr(0, 3), a.substr(0, 3));
  EXPECT_EQ(redact_text("ABD-", key).substr(0, 2), a.substr(0, 2));
  // Non-ASCII keeps its UTF-8 length; another key, other pseudonyms.
  EXPECT_EQ(redact_text("M\u00fcnchen \u6771\u4eac", key).size(),
            std::string("M\u00fcnchen \u6771\u4eac").size());
  EXPECT_NE(redact_text("ABC-00417", redact_key("other")), a);
  // Injective over a dense set of short values.
  std::set<std::string> in, out;
  for (int i = 0; i < 20000; ++i) {
    const std::string v = "x" + std::to_string(i % 137) + "-" + std::to_string(i);
    in.insert(v);
    out.insert(redact_text(v, key));
  }
  EXPECT_EQ(in.size(), out.size());
}

TEST(RenderProfile, SnapshotBecomesAValidProfileWithBothScalePoints) {
  const std::string text = render_profile(shop_snapshot(), ImportOptions{.name = "mirror"});
  const Profile p = parse_profile(text, "mirror.yaml");
  ASSERT_NE(p.find_scale("production"), nullptr);
  ASSERT_NE(p.find_scale("test"), nullptr);
  const Table* orders = p.find_table("orders");
  ASSERT_NE(orders, nullptr);
  EXPECT_EQ(p.rows(*orders, *p.find_scale("production")), 10000);
  const Column* fk = orders->find_column("customer_id");
  ASSERT_TRUE(fk && fk->ref);
  EXPECT_EQ(fk->dist.kind, DistKind::kEmpirical);
  EXPECT_EQ(orders->find_column("note")->null_fraction, 0.5);
  ASSERT_EQ(orders->indexes.size(), 1u);
  EXPECT_EQ(orders->indexes[0].where, "(status <> 'delivered'::text)");
}

TEST(EmpiricalGenerator, ReproducesFrequenciesDistinctCountsAndForeignKeyHotKeys) {
  const Profile p =
      parse_profile(render_profile(shop_snapshot(), ImportOptions{.name = "m"}), "m.yaml");
  DatasetGenerator gen(p, *p.find_scale("production"), 7);
  const TableGenerator& orders = gen.table("orders");
  std::map<std::string, int> status, customer;
  std::set<std::string> notes;
  int nulls = 0;
  std::string scratch;
  for (uint64_t row = 0; row < 10000; ++row) {
    status[std::string(orders.column(2).value(row, scratch).text)]++;
    customer[std::to_string(orders.column(1).value(row, scratch).i)]++;
    Datum note = orders.column(3).value(row, scratch);
    if (note.kind == Datum::Kind::kNull)
      ++nulls;
    else
      notes.insert(std::string(note.text));
  }
  EXPECT_NEAR(status["delivered"] / 10000.0, 0.9, 0.02);
  EXPECT_GT(status["refunded"], 0);
  EXPECT_NEAR(customer["17"] / 10000.0, 0.3, 0.02);
  EXPECT_NEAR(customer["42"] / 10000.0, 0.1, 0.02);
  EXPECT_NEAR(nulls / 10000.0, 0.5, 0.02);
  EXPECT_GT(notes.size(), 4000u * 0.5);
  EXPECT_LT(notes.size(), 4000u * 2);
}

TEST(Overlay, MergesOverTheImportAndPositionsConflicts) {
  const auto dir = std::filesystem::temp_directory_path() / "pgshape_overlay_unit";
  std::filesystem::create_directories(dir);
  const std::string text = render_profile(shop_snapshot(), ImportOptions{.name = "mirror"});
  std::ofstream(dir / "good.yaml") << "tables:\n  orders:\n    columns:\n"
                                      "      status: {dist: weighted, values: {a: 1, b: 2}}\n";
  const Profile p = parse_profile(merge_overlay(text, (dir / "good.yaml").string()), "mirror.yaml");
  EXPECT_EQ(p.find_table("orders")->find_column("status")->dist.kind, DistKind::kWeighted);
  std::ofstream(dir / "bad.yaml") << "tables:\n  orders:\n    columns:\n"
                                     "      stauts: {dist: uniform}\n  ordres: {rows: 3}\n";
  try {
    merge_overlay(text, (dir / "bad.yaml").string());
    FAIL() << "conflicts not reported";
  } catch (const ProfileError& e) {
    ASSERT_EQ(e.diagnostics().size(), 2u);
    EXPECT_EQ(e.diagnostics()[0].line, 4);
    EXPECT_EQ(e.diagnostics()[0].column, 7);
    EXPECT_EQ(e.diagnostics()[0].hint, "did you mean 'status'?");
    EXPECT_EQ(e.diagnostics()[1].line, 5);
  }
  std::filesystem::remove_all(dir);
}

}  // namespace
}  // namespace pgshape
