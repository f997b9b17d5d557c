// Composite keys unique by construction: a fanout foreign key (each parent
// used gets k children, k from the profile's sizes) and the child_number
// column numbering each parent's children 1..k. Checked on generated rows:
// no duplicate pair, every parent's numbers exactly 1..k, the parents used
// and the per-parent child counts as the profile says (chi-square), shards and
// single rows equal to the whole, and `cluster: parent` storing children by
// parent. Seeds are fixed; bounds are stated where a test uses them.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <map>
#include <string>
#include <vector>

#include "generated_profile.hpp"
#include "pgshape/fanout.hpp"
#include "pgshape/gen.hpp"
#include "pgshape/profile.hpp"
#include "pgshape/stats.hpp"

namespace pgshape {
namespace {

double chi_square_critical_001(int dof) {  // Wilson–Hilferty, see zipf_test.cpp
  const double k = dof, z = 3.090232;
  const double t = 1 - 2 / (9 * k) + z * std::sqrt(2 / (9 * k));
  return k * t * t * t;
}

// orders (1x) and items (`items` times the anchor) keyed (order_id, line_no).
std::string items_profile(int64_t anchor, double items, const std::string& fanout,
                          const std::string& extra = "") {
  return "name: t\nscales: { s: " + std::to_string(anchor) +
         " }\ntables:\n"
         "  orders:\n    rows: 1x\n    columns:\n"
         "      id: { type: bigint, primary_key: true, dist: sequence, start: 1000 }\n"
         "  items:\n    rows: " +
         std::to_string(items) + "x\n" + extra +
         "    primary_key: [order_id, line_no]\n    columns:\n"
         "      order_id: { type: bigint, ref: orders.id, " +
         fanout +
         " }\n"
         "      line_no: { type: integer, dist: child_number, of: order_id }\n"
         "      qty: { type: smallint, dist: uniform, min: 1, max: 9 }\n";
}

struct Pairs {
  std::vector<std::pair<int64_t, int64_t>> rows;  // (order_id, line_no) in row order
};

Pairs pairs_of(const testing::GeneratedProfile& g) {
  const TableGenerator& items = g.table("items");
  Batch batch(items.column_count());
  Pairs out;
  const auto n = static_cast<uint64_t>(items.rows());
  out.rows.reserve(n);
  for (uint64_t begin = 0; begin < n; begin += 1000) {
    const size_t size = static_cast<size_t>(std::min<uint64_t>(1000, n - begin));
    items.fill(Selection::range(begin, size), batch);
    for (size_t i = 0; i < size; ++i)
      out.rows.emplace_back(batch.column(0).ints()[i], batch.column(1).ints()[i]);
  }
  return out;
}

// The sizes weighted 40 : 30 : 20 : 10 for 1, 2, 3 and 7 children.
constexpr const char* kSizes = "dist: fanout, values: { 1: 40, 2: 30, 3: 20, 7: 10 }";

void expect_unique_numbered(const Pairs& p, std::map<int64_t, int64_t>& children) {
  std::vector<std::pair<int64_t, int64_t>> sorted = p.rows;
  std::sort(sorted.begin(), sorted.end());
  EXPECT_EQ(std::adjacent_find(sorted.begin(), sorted.end()), sorted.end()) << "a duplicate key";
  // Every parent's numbers are exactly 1..k.
  children.clear();
  for (size_t i = 0; i < sorted.size(); ++i) {
    const auto [parent, number] = sorted[i];
    const int64_t expected = i > 0 && sorted[i - 1].first == parent ? sorted[i - 1].second + 1 : 1;
    ASSERT_EQ(number, expected) << "order " << parent;
    children[parent] = number;
  }
}

TEST(FanoutSizes, SumToTheRowsWithEachSizesShareOfParents) {
  Distribution d;
  d.kind = DistKind::kFanout;
  d.values = {"1", "2", "3", "7"};
  d.weights = {40, 30, 20, 10};
  for (int64_t rows : {1, 2, 5, 6, 999, 200000, 10'000'000}) {
    const auto split = fanout_sizes(d, rows);
    int64_t total = 0;
    for (const auto& s : split) total += s.size * s.parents;
    EXPECT_EQ(total, rows) << rows;
    // Mean size 0.4 + 0.6 + 0.6 + 0.7 = 2.3: rows / 2.3 parents, +- one per size.
    EXPECT_NEAR(static_cast<double>(fanout_parents(split)), static_cast<double>(rows) / 2.3, 5)
        << rows;
  }
  d.values.clear(), d.weights.clear();
  d.min = 2, d.max = 4;  // uniform sizes 2, 3, 4: mean 3
  const auto split = fanout_sizes(d, 30000);
  ASSERT_EQ(split.size(), 3u);
  EXPECT_EQ(fanout_parents(split), 10000);
  for (const auto& s : split) EXPECT_NEAR(static_cast<double>(s.parents), 3333, 1) << s.size;
}

TEST(FanoutKey, NoDuplicatePairAt200kRowsAndTheFanoutIsTheProfiles) {
  for (const std::string extra : {"", "    cluster: parent\n"}) {
    const testing::GeneratedProfile g(items_profile(100000, 2.0, kSizes, extra), 7);
    ASSERT_EQ(g.table("items").rows(), 200000);
    const Pairs p = pairs_of(g);
    std::map<int64_t, int64_t> children;
    expect_unique_numbered(p, children);
    // The parents used are the split's, exactly: the key's n_distinct.
    Distribution d = g.profile.find_table("items")->columns[0].dist;
    const auto split = fanout_sizes(d, 200000);
    EXPECT_EQ(static_cast<int64_t>(children.size()), fanout_parents(split)) << extra;
    // Every parent key exists in orders (ids 1000..100999).
    EXPECT_GE(children.begin()->first, 1000);
    EXPECT_LE(children.rbegin()->first, 100999);
    // Children per parent against the profile's weights: chi-square, 3 dof, p = 0.001.
    std::map<int64_t, double> observed;
    for (const auto& [parent, k] : children) observed[k] += 1;
    const std::map<int64_t, double> weight = {{1, 40}, {2, 30}, {3, 20}, {7, 10}};
    double chi = 0;
    for (const auto& [k, w] : weight) {
      const double expected = static_cast<double>(children.size()) * w / 100;
      chi += (observed[k] - expected) * (observed[k] - expected) / expected;
    }
    EXPECT_EQ(observed.size(), weight.size()) << "a size the profile does not have";
    EXPECT_LT(chi, chi_square_critical_001(3)) << extra;
    // Parents used are spread over the parent table: each tenth holds about its
    // share (within 10 %).
    std::vector<int64_t> tenth(10, 0);
    for (const auto& [parent, k] : children) ++tenth[static_cast<size_t>((parent - 1000) / 10000)];
    for (int64_t n : tenth)
      EXPECT_NEAR(static_cast<double>(n), static_cast<double>(children.size()) / 10,
                  static_cast<double>(children.size()) / 100)
          << extra;
  }
}

// Pearson correlation of a column with the row number (pg_stats.correlation
// is the same statistic over sorted values; close enough for order checks).
double heap_correlation(const std::vector<double>& v) {
  const double n = static_cast<double>(v.size());
  double sx = 0, sy = 0, sxx = 0, syy = 0, sxy = 0;
  for (size_t i = 0; i < v.size(); ++i) {
    const double x = static_cast<double>(i), y = v[i];
    sx += x, sy += y, sxx += x * x, syy += y * y, sxy += x * y;
  }
  return (n * sxy - sx * sy) / std::sqrt((n * sxx - sx * sx) * (n * syy - sy * sy));
}

TEST(FanoutKey, ClusterParentStoresChildrenByParentShuffledDoesNot) {
  const testing::GeneratedProfile clustered(
      items_profile(50000, 2.0, kSizes, "    cluster: parent\n"), 3);
  const Pairs c = pairs_of(clustered);
  // Grouped by parent in parent order, numbered in order.
  for (size_t i = 1; i < c.rows.size(); ++i) {
    ASSERT_LE(c.rows[i - 1].first, c.rows[i].first) << "row " << i;
    if (c.rows[i - 1].first == c.rows[i].first) {
      ASSERT_EQ(c.rows[i - 1].second + 1, c.rows[i].second) << "row " << i;
    }
  }
  const testing::GeneratedProfile shuffled(items_profile(50000, 2.0, kSizes), 3);
  const Pairs s = pairs_of(shuffled);
  std::vector<double> keys, numbers;
  for (const auto& [k, n] : s.rows) keys.push_back(static_cast<double>(k));
  for (const auto& [k, n] : s.rows) numbers.push_back(static_cast<double>(n));
  // 100000 rows: an unrelated order has |r| below 5 / sqrt(n) = 0.016.
  EXPECT_LT(std::fabs(heap_correlation(keys)), 0.016);
  EXPECT_LT(std::fabs(heap_correlation(numbers)), 0.016);
}

TEST(FanoutKey, ShardsAndSingleRowsEqualTheWhole) {
  for (const std::string extra : {"", "    cluster: parent\n"}) {
    const testing::GeneratedProfile g(items_profile(20000, 2.0, kSizes, extra), 11);
    const TableGenerator& items = g.table("items");
    ByteBuffer whole, parts;
    items.write_copy_text(0, static_cast<uint64_t>(items.rows()), whole);
    for (int k = 0; k < 3; ++k) {
      const RowRange r = shard_rows(items.rows(), k, 3);
      items.write_copy_text(r.begin, r.end, parts);
    }
    EXPECT_EQ(whole.view(), parts.view()) << extra;
    // One row at a time (a list selection, as a lookup from elsewhere) agrees.
    const Pairs p = pairs_of(g);
    std::string scratch;
    for (uint64_t row : {0ull, 1ull, 4999ull, 31337ull, 39999ull}) {
      EXPECT_EQ(g.column("items", "order_id").value(row, scratch).i, p.rows[row].first) << row;
      EXPECT_EQ(g.column("items", "line_no").value(row, scratch).i, p.rows[row].second) << row;
    }
    // Another seed shuffles differently but keeps the key unique.
    const testing::GeneratedProfile other(items_profile(20000, 2.0, kSizes, extra), 12);
    std::map<int64_t, int64_t> children;
    expect_unique_numbered(pairs_of(other), children);
  }
}

TEST(FanoutKey, OneChildPerParentAndEveryParentUsed) {
  // values {1: 1} with as many children as parents: a 1:1 table, every parent once.
  const testing::GeneratedProfile g(
      items_profile(5000, 1.0, "dist: fanout, values: { 1: 1 }", "    cluster: parent\n"), 1);
  const Pairs p = pairs_of(g);
  for (size_t i = 0; i < p.rows.size(); ++i) {
    ASSERT_EQ(p.rows[i].first, 1000 + static_cast<int64_t>(i));
    ASSERT_EQ(p.rows[i].second, 1);
  }
}

// Validation: what a fanout key needs, each problem with its position.
std::string problems(const std::string& yaml) {
  try {
    parse_profile(yaml, "t.yaml");
  } catch (const ProfileError& e) {
    std::string out;
    for (const auto& d : e.diagnostics()) out += d.to_string() + "\n";
    return out;
  }
  return "";
}

TEST(FanoutKey, ValidationAcceptsThePairAndRefusesWhatCannotWork) {
  EXPECT_EQ(problems(items_profile(1000, 2.0, kSizes, "    cluster: parent\n")), "");
  // A unique index on the pair is unique by construction too.
  EXPECT_EQ(problems(items_profile(1000, 2.0, kSizes) +
                     "    indexes:\n      - { columns: [line_no, order_id], unique: true }\n"),
            "");
  // Too few parents: 3 children per parent on average cannot fill 5x rows.
  EXPECT_NE(
      problems(items_profile(1000, 5.0, "dist: fanout, values: { 1: 1, 2: 1, 3: 1 }")).find("uses"),
      std::string::npos);
  // A size that is no whole number.
  EXPECT_NE(problems(items_profile(1000, 2.0, "dist: fanout, values: { 1.5: 1 }")).find("1.5"),
            std::string::npos);
  // cluster: parent without a fanout key; child_number of a plain foreign key.
  const std::string plain =
      "name: t\nscales: { s: 100 }\ntables:\n"
      "  orders:\n    rows: 1x\n    columns:\n"
      "      id: { type: bigint, primary_key: true }\n"
      "  items:\n    rows: 2x\n    cluster: parent\n    primary_key: [order_id, line_no]\n"
      "    columns:\n"
      "      order_id: { type: bigint, ref: orders.id }\n"
      "      line_no: { type: integer, dist: child_number, of: order_id }\n";
  const std::string text = problems(plain);
  EXPECT_NE(text.find("no fanout foreign key"), std::string::npos) << text;
  EXPECT_NE(text.find("cannot be guaranteed unique"), std::string::npos) << text;
  EXPECT_NE(text.find("t.yaml:"), std::string::npos) << text;
  // fanout on a column that is no foreign key.
  EXPECT_NE(problems("name: t\nscales: { s: 10 }\ntables:\n  t:\n    rows: 1x\n    columns:\n"
                     "      a: { type: bigint, dist: fanout, values: { 2: 1 } }\n")
                .find("needs a ref"),
            std::string::npos);
}

// A junction table's key (order_id, product_id): product_id picks distinct
// products within each order (`of: order_id`), skewed across orders.
TEST(FanoutKey, JunctionKeyPicksDistinctParentsWithinEachFamily) {
  const std::string yaml =
      "name: t\nscales: { s: 20000 }\ntables:\n"
      "  orders:\n    rows: 1x\n    columns:\n"
      "      id: { type: bigint, primary_key: true }\n"
      "  products:\n    rows: 500\n    columns:\n"
      "      id: { type: bigint, primary_key: true }\n"
      "  order_products:\n    rows: 3x\n    primary_key: [order_id, product_id]\n"
      "    columns:\n"
      "      order_id: { type: bigint, ref: orders.id, dist: fanout, values: { 1: 1, 3: 1, 9: 1 "
      "} }\n"
      "      product_id: { type: bigint, ref: products.id, dist: zipf, s: 1.0, of: order_id }\n";
  const testing::GeneratedProfile g(yaml, 5);
  const TableGenerator& t = g.table("order_products");
  Batch batch(t.column_count());
  const auto n = static_cast<size_t>(t.rows());
  t.fill(Selection::range(0, n), batch);
  std::vector<std::pair<int64_t, int64_t>> pairs;
  std::map<int64_t, int64_t> per_product;
  for (size_t i = 0; i < n; ++i) {
    pairs.emplace_back(batch.column(0).ints()[i], batch.column(1).ints()[i]);
    ++per_product[batch.column(1).ints()[i]];
  }
  std::sort(pairs.begin(), pairs.end());
  EXPECT_EQ(std::adjacent_find(pairs.begin(), pairs.end()), pairs.end()) << "a duplicate key";
  // Still skewed: the most popular product is in far more orders than the
  // median one (Zipf s = 1 over 500: the top rank alone has 15 % of first picks).
  std::vector<int64_t> counts;
  for (const auto& [product, count] : per_product) counts.push_back(count);
  std::sort(counts.begin(), counts.end());
  EXPECT_GT(counts.back(), 10 * counts[counts.size() / 2]);
  // Shards equal the whole here too.
  ByteBuffer whole, parts;
  t.write_copy_text(0, n, whole);
  for (int k = 0; k < 4; ++k) {
    const RowRange r = shard_rows(t.rows(), k, 4);
    t.write_copy_text(r.begin, r.end, parts);
  }
  EXPECT_EQ(whole.view(), parts.view());
  // Families larger than the products: refused.
  std::string small = yaml;
  small.replace(small.find("rows: 500"), 9, "rows: 10");
  EXPECT_NE(problems(small).find("more than the 10 parents"), std::string::npos) << problems(small);
}

// stats -> profile: a composite primary key of a foreign key and an integer
// becomes a fanout key (not a note), with production's parents used and
// most common parents, clustered when production stores children by parent;
// a composite UNIQUE constraint on such a pair becomes a unique index.
TEST(FanoutKey, StatsWriteTheCompositeKeyAsAKey) {
  StatsSnapshot s{.database = "shop", .schema = "public", .taken_at = "2026-01-01T00:00:00Z"};
  TableStats orders{.name = "orders", .reltuples = 10000, .primary_key = {"id"}};
  orders.columns.push_back(ColumnStats{.name = "id",
                                       .type = "bigint",
                                       .not_null = true,
                                       .has_stats = true,
                                       .avg_width = 8,
                                       .n_distinct = -1,
                                       .histogram = {"1", "5000", "10000"},
                                       .correlation = 1});
  TableStats items{
      .name = "order_items", .reltuples = 30000, .primary_key = {"order_id", "line_no"}};
  items.columns.push_back(ColumnStats{.name = "order_id",
                                      .type = "bigint",
                                      .not_null = true,
                                      .has_stats = true,
                                      .avg_width = 8,
                                      .n_distinct = 7500,
                                      .mcv = {"17", "42"},
                                      .mcf = {0.001, 0.0005},
                                      .histogram = {"1", "5000", "10000"},
                                      .correlation = 0.98});
  items.columns.push_back(ColumnStats{.name = "line_no",
                                      .type = "integer",
                                      .not_null = true,
                                      .has_stats = true,
                                      .avg_width = 4,
                                      .n_distinct = 30,
                                      .mcv = {"1", "2", "3"},
                                      .mcf = {0.25, 0.2, 0.15},
                                      .histogram = {"4", "6", "30"},
                                      .correlation = 0.1});
  items.columns.push_back(ColumnStats{.name = "slot",
                                      .type = "integer",
                                      .not_null = true,
                                      .has_stats = true,
                                      .avg_width = 4,
                                      .n_distinct = 5,
                                      .mcv = {"0", "1", "2", "3", "4"},
                                      .mcf = {0.2, 0.2, 0.2, 0.2, 0.2}});
  items.foreign_keys.push_back(ForeignKeyStats{.name = "order_items_order_id_fkey",
                                               .columns = {"order_id"},
                                               .parent_table = "orders",
                                               .parent_columns = {"id"}});
  items.unique_keys.push_back({"line_no", "order_id", "slot"});
  items.indexes.push_back(IndexStats{.name = "order_items_pkey",
                                     .columns = {"order_id", "line_no"},
                                     .orders = {"", ""},
                                     .unique = true,
                                     .constraint = true,
                                     .method = "btree"});
  items.indexes.push_back(IndexStats{.name = "order_items_line_no_order_id_slot_key",
                                     .columns = {"line_no", "order_id", "slot"},
                                     .orders = {"", "", ""},
                                     .unique = true,
                                     .constraint = true,
                                     .method = "btree"});
  s.tables = {orders, items};
  std::vector<std::string> notes;
  const std::string yaml = render_profile(s, ImportOptions{.name = "m"}, &notes);
  for (const auto& note : notes) EXPECT_EQ(note.find("order_items"), std::string::npos) << note;
  EXPECT_NE(yaml.find("primary_key: [order_id, line_no]"), std::string::npos) << yaml;
  EXPECT_NE(yaml.find("cluster: order_id"), std::string::npos) << yaml;
  const Profile profile = parse_profile(yaml, "m.yaml");
  const Table* t = profile.find_table("order_items");
  ASSERT_NE(t, nullptr);
  EXPECT_EQ(t->find_column("order_id")->dist.kind, DistKind::kFanout);
  EXPECT_EQ(t->find_column("line_no")->dist.kind, DistKind::kChildNumber);
  ASSERT_EQ(t->indexes.size(), 1u);
  EXPECT_TRUE(t->indexes[0].unique);
  // Production's parents used, exactly (the MCVs' 30 and 15 children included).
  const auto split = fanout_sizes(t->find_column("order_id")->dist, 30000);
  EXPECT_EQ(fanout_parents(split), 7500);
  EXPECT_EQ(split.back().size, 30);
  // And the mirror generates it: unique pairs, 7500 orders used, stored by order.
  const DatasetGenerator data(profile, *profile.find_scale("production"), 1);
  const TableGenerator& g = data.table("order_items");
  Batch batch(g.column_count());
  g.fill(Selection::range(0, 30000), batch);
  std::vector<std::pair<int64_t, int64_t>> pairs;
  for (size_t i = 0; i < 30000; ++i)
    pairs.emplace_back(batch.column(0).ints()[i], batch.column(1).ints()[i]);
  EXPECT_TRUE(std::is_sorted(pairs.begin(), pairs.end()));
  EXPECT_EQ(std::adjacent_find(pairs.begin(), pairs.end()), pairs.end());
  std::vector<int64_t> used;
  for (const auto& p : pairs) used.push_back(p.first);
  EXPECT_EQ(std::unique(used.begin(), used.end()) - used.begin(), 7500);
}

}  // namespace
}  // namespace pgshape
