// Composite keys built unique by pairing (pgshape/pairs.hpp): a key (a, b)
// with both columns skewed and neither unique nor a foreign key. Checked on
// generated rows: no duplicate pair at 10 M rows, each column's frequencies
// against its distribution (chi-square, bound at p = 0.001, fixed seeds),
// shards and single rows equal to the whole, exact counts where the
// distributions tell them, the layout's own invariants, and validation
// refusing keys whose values give fewer pairs than rows.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <map>
#include <set>
#include <string>
#include <vector>

#include "generated_profile.hpp"
#include "pgshape/gen.hpp"
#include "pgshape/pairs.hpp"
#include "pgshape/profile.hpp"
#include "pgshape/value_counts.hpp"

namespace pgshape {
namespace {

double chi_square_critical_001(int dof) {  // Wilson–Hilferty, see zipf_test.cpp
  const double k = dof, z = 3.090232;
  const double t = 1 - 2 / (9 * k) + z * std::sqrt(2 / (9 * k));
  return k * t * t * t;
}

std::string keyed(int64_t rows, const std::string& a, const std::string& b,
                  const std::string& extra = "", const std::string& key = "[a, b]") {
  return "name: t\nscales: { s: " + std::to_string(rows) +
         " }\ntables:\n  t:\n    rows: 1x\n    primary_key: " + key +
         "\n    columns:\n      a: { " + a + " }\n      b: { " + b + " }\n" + extra;
}

// Column values of every row, in row order, as COPY text.
std::vector<std::vector<std::string>> texts(const TableGenerator& t, std::vector<size_t> columns) {
  std::vector<std::vector<std::string>> out(columns.size());
  Batch batch(t.column_count());
  const auto n = static_cast<uint64_t>(t.rows());
  for (uint64_t begin = 0; begin < n; begin += 4096) {
    const size_t size = static_cast<size_t>(std::min<uint64_t>(4096, n - begin));
    t.fill(Selection::range(begin, size), batch);
    for (size_t c = 0; c < columns.size(); ++c)
      for (size_t i = 0; i < size; ++i)
        out[c].push_back(
            value_text(batch.column(columns[c]).datum(i), t.table().columns[columns[c]].type));
  }
  return out;
}

// Chi-square of observed zipf ranks 1..n (s) against P(k) ~ 1/k^s: ranks 1..bins
// one bin each, the rest pooled.
double zipf_chi_square(const std::map<int64_t, int64_t>& seen, int64_t n, double s, int bins,
                       int64_t rows) {
  double h = 0;
  for (int64_t k = 1; k <= n; ++k) h += std::pow(static_cast<double>(k), -s);
  double chi = 0, rest_expected = rows, rest_seen = rows;
  for (int k = 1; k <= bins; ++k) {
    const double expected = rows * std::pow(k, -s) / h;
    const auto it = seen.find(k);
    const double observed = it == seen.end() ? 0 : static_cast<double>(it->second);
    chi += (observed - expected) * (observed - expected) / expected;
    rest_expected -= expected;
    rest_seen -= observed;
  }
  return chi + (rest_seen - rest_expected) * (rest_seen - rest_expected) / rest_expected;
}

TEST(PairKey, NoDuplicateAtTenMillionRows) {
  // tenant: 2,000 tenants, the largest with 12 % of the rows (1.2 M, so it
  // needs as many distinct external ids); external_id skewed over 20 M.
  const testing::GeneratedProfile g(keyed(10'000'000, "type: integer, dist: zipf, n: 2000, s: 1.0",
                                          "type: bigint, dist: zipf, n: 20000000, s: 0.5"),
                                    7);
  const TableGenerator& t = g.table("t");
  std::vector<uint64_t> pairs;
  pairs.reserve(10'000'000);
  Batch batch(t.column_count());
  std::map<int64_t, int64_t> tenants;
  for (uint64_t begin = 0; begin < 10'000'000; begin += 65536) {
    const size_t size = static_cast<size_t>(std::min<uint64_t>(65536, 10'000'000 - begin));
    t.fill(Selection::range(begin, size), batch);
    for (size_t i = 0; i < size; ++i) {
      const int64_t a = batch.column(0).ints()[i], b = batch.column(1).ints()[i];
      ASSERT_TRUE(a >= 1 && a <= 2000 && b >= 1 && b <= 20'000'000) << a << ", " << b;
      pairs.push_back(static_cast<uint64_t>(a) << 40 | static_cast<uint64_t>(b));
      ++tenants[a];
    }
  }
  std::sort(pairs.begin(), pairs.end());
  const auto dup = std::adjacent_find(pairs.begin(), pairs.end());
  EXPECT_EQ(dup, pairs.end()) << "duplicate (" << (*dup >> 40) << ", "
                              << (*dup & ((1ull << 40) - 1)) << ")";
  // The tenant shape held at this size too: zipf s = 1 over 2,000. Its counts
  // are a 2 M-row sample's scaled by 5, so their variance is 5 times a draw's:
  // the statistic divided by 5 stays within the p = 0.001 bound.
  EXPECT_LT(zipf_chi_square(tenants, 2000, 1.0, 100, 10'000'000) / 5, chi_square_critical_001(100));
}

TEST(PairKey, EachColumnKeepsItsFrequencies) {
  // A 3-column key: a the families, (b, c) the member tuples; a and b skewed (zipf).
  const int64_t rows = 30000;
  const testing::GeneratedProfile g(
      keyed(rows, "type: integer, dist: zipf, n: 400, s: 1.0",
            "type: integer, dist: zipf, n: 100000, s: 0.7",
            "      c: { type: text, dist: weighted, values: { x: 3, y: 1 } }\n", "[a, b, c]"),
      11);
  const TableGenerator& t = g.table("t");
  const auto v = texts(t, {0, 1, 2});
  std::map<int64_t, int64_t> a, b;
  int64_t x = 0;
  std::vector<std::string> pairs;  // the whole key: (a, b) alone may repeat, with c apart
  for (size_t i = 0; i < v[0].size(); ++i) {
    ++a[std::stoll(v[0][i])];
    ++b[std::stoll(v[1][i])];
    pairs.push_back(v[0][i] + "|" + v[1][i] + "|" + v[2][i]);
    x += v[2][i] == "x";
  }
  std::sort(pairs.begin(), pairs.end());
  EXPECT_EQ(std::adjacent_find(pairs.begin(), pairs.end()), pairs.end());
  // c: 3 : 1, one degree of freedom.
  const double ex = 0.75 * rows, ey = 0.25 * rows, ox = static_cast<double>(x);
  EXPECT_LT((ox - ex) * (ox - ex) / ex + (ox - ex) * (ox - ex) / ey, chi_square_critical_001(1));
  EXPECT_LT(zipf_chi_square(a, 400, 1.0, 100, rows), chi_square_critical_001(100));
  EXPECT_LT(zipf_chi_square(b, 100000, 0.7, 50, rows), chi_square_critical_001(50));
}

TEST(PairKey, TextAndDateKeyIsUniqueAndKeepsTheTextShare) {
  // (region, day): four regions 40 : 30 : 20 : 10, days uniform over 4 years
  // (1,461 days; 2,500 rows draw about 1,200 of them, 'us' needs 1,000).
  const int64_t rows = 2500;
  const testing::GeneratedProfile g(
      keyed(rows, "type: text, dist: weighted, values: { us: 40, eu: 30, apac: 20, latam: 10 }",
            "type: date, dist: uniform, min: 2021-01-01, max: 2024-12-31"),
      3);
  const auto v = texts(g.table("t"), {0, 1});
  std::map<std::string, int64_t> regions;
  std::vector<std::string> keys;
  for (size_t i = 0; i < v[0].size(); ++i) {
    ++regions[v[0][i]];
    keys.push_back(v[0][i] + "|" + v[1][i]);
  }
  std::sort(keys.begin(), keys.end());
  EXPECT_EQ(std::adjacent_find(keys.begin(), keys.end()), keys.end());
  const std::map<std::string, double> share{{"us", .4}, {"eu", .3}, {"apac", .2}, {"latam", .1}};
  double chi = 0;
  for (const auto& [region, p] : share) {
    const double expected = p * rows, observed = static_cast<double>(regions[region]);
    chi += (observed - expected) * (observed - expected) / expected;
  }
  EXPECT_LT(chi, chi_square_critical_001(3)) << regions["us"] << " " << regions["latam"];
}

TEST(PairKey, ShardsAndSingleRowsEqualTheWhole) {
  const testing::GeneratedProfile g(
      keyed(20000, "type: integer, dist: zipf, n: 300, s: 1.1",
            "type: text, dist: pattern, pattern: \"SKU-#####\"",
            "      n: { type: integer, dist: uniform, min: 1, max: 9 }\n"),
      5);
  const TableGenerator& t = g.table("t");
  ByteBuffer whole, shards;
  t.write_copy_text(0, 20000, whole);
  for (int s = 0; s < 3; ++s) {
    const RowRange r = shard_rows(20000, s, 3);
    t.write_copy_text(r.begin, r.end, shards);
  }
  ASSERT_EQ(std::string_view(whole.data(), whole.size()),
            std::string_view(shards.data(), shards.size()));
  // Single rows, filled alone, are the whole's rows.
  const auto v = texts(t, {0, 1});
  std::string scratch;
  for (uint64_t row : {uint64_t{0}, uint64_t{1}, uint64_t{9999}, uint64_t{19999}}) {
    EXPECT_EQ(value_text(t.column(0).value(row, scratch), t.table().columns[0].type), v[0][row]);
    EXPECT_EQ(value_text(t.column(1).value(row, scratch), t.table().columns[1].type), v[1][row]);
  }
}

TEST(PairKey, ColumnsTakeTheCountsTheirDistributionsGive) {
  // The domains are read from the distributions, not sampled: every rank of
  // a zipf family holds its share of the rows to within one row, and the
  // member's distribution function (a zipf over more values than rows, whose
  // tail a sample would thin out) is kept to within one row at every value.
  const int64_t rows = 20000, n = 500, m = 80000;
  const testing::GeneratedProfile g(keyed(rows, "type: integer, dist: zipf, n: 500, s: 1.0",
                                          "type: bigint, dist: zipf, n: 80000, s: 0.6"),
                                    13);
  const auto v = texts(g.table("t"), {0, 1});
  std::map<int64_t, int64_t> a, b;
  for (size_t i = 0; i < v[0].size(); ++i) ++a[std::stoll(v[0][i])], ++b[std::stoll(v[1][i])];
  double h = 0;
  for (int64_t k = 1; k <= n; ++k) h += std::pow(static_cast<double>(k), -1.0);
  for (int64_t k = 1; k <= n; ++k)
    EXPECT_LT(std::abs(static_cast<double>(a[k]) - rows / (k * h)), 1.0) << "rank " << k;
  double hb = 0;
  for (int64_t k = 1; k <= m; ++k) hb += std::pow(static_cast<double>(k), -0.6);
  double expected = 0;
  int64_t seen = 0, worst_at = 0;
  double worst = 0;
  for (int64_t k = 1; k <= m; ++k) {
    expected += rows * std::pow(static_cast<double>(k), -0.6) / hb;
    const auto it = b.find(k);
    seen += it == b.end() ? 0 : it->second;
    if (std::abs(static_cast<double>(seen) - expected) > worst)
      worst = std::abs(static_cast<double>(seen) - expected), worst_at = k;
  }
  EXPECT_LE(worst, 1.0) << "rows up to value " << worst_at;
  EXPECT_GT(b.rbegin()->first, m * 9 / 10);  // the tail reaches the end of the domain
}

TEST(PairKey, ForeignKeyFamilyTakesItsPicksCountsAndKeepsItsParentRows) {
  // (product_id, store): product_id a zipf pick over 5,000 products (the top
  // one 530 rows, fewer than the 3,000 stores: nothing moves), so its
  // counts are read from the pick, not sampled; the price copied from the
  // product the pair chose. Every pair distinct, every price its product's,
  // and the products' counts, sorted, exactly the pick's over the rows.
  const int64_t rows = 40000;
  const testing::GeneratedProfile g(
      "name: t\nscales: { s: 1 }\ntables:\n  products:\n    rows: 5000\n    columns:\n"
      "      id: { type: bigint, primary_key: true, dist: sequence }\n"
      "      price: { type: integer, dist: uniform, min: 1, max: 1000000 }\n"
      "  t:\n    rows: 40000\n    primary_key: [product_id, store]\n    columns:\n"
      "      product_id: { type: bigint, ref: products.id, dist: zipf, s: 0.6 }\n"
      "      store: { type: integer, dist: zipf, n: 3000, s: 0.3 }\n"
      "      price: { type: integer, dist: copy, from: product_id.price }\n",
      19);
  const auto products = texts(g.table("products"), {0, 1});
  std::map<std::string, std::string> price;
  for (size_t i = 0; i < products[0].size(); ++i) price[products[0][i]] = products[1][i];
  const auto v = texts(g.table("t"), {0, 1, 2});
  std::map<std::string, int64_t> per_product;
  std::vector<std::string> pairs;
  for (size_t i = 0; i < v[0].size(); ++i) {
    ASSERT_EQ(v[2][i], price.at(v[0][i])) << "row " << i;
    ++per_product[v[0][i]];
    pairs.push_back(v[0][i] + "|" + v[1][i]);
  }
  std::sort(pairs.begin(), pairs.end());
  EXPECT_EQ(std::adjacent_find(pairs.begin(), pairs.end()), pairs.end());
  Distribution pick;
  pick.kind = DistKind::kZipf;
  pick.n = 5000;
  pick.s = 0.6;
  const auto expected = skewed_rank_counts(pick, rows);
  ASSERT_TRUE(expected);
  std::vector<int64_t> want = expected->counts;  // every product's share above a row: all there
  for (const ValueRun& run : expected->runs()) want.insert(want.end(), run.values, run.count);
  EXPECT_EQ(want.size(), 5000u);
  std::vector<int64_t> seen;
  for (const auto& [id, n] : per_product) seen.push_back(n);
  std::sort(seen.begin(), seen.end(), std::greater<>());
  EXPECT_EQ(seen, want);
}

TEST(PairLayout, RunsNeverMeetAFamilyTwice) {
  // Families 5, 3, 3, 1 (column heights 4, 3, 3, 1, 1); member counts within them.
  const PairLayout layout(count_runs({5, 3, 3, 1}), count_runs({4, 3, 3, 1, 1}), "test");
  std::set<std::pair<uint64_t, uint64_t>> cells;
  std::map<uint64_t, int64_t> family_rows;
  for (uint64_t p = 0; p < 12; ++p) {
    uint64_t f = 0, m = 0;
    layout.locate(p, f, m);
    EXPECT_TRUE(cells.insert({f, m}).second) << "family " << f << " member " << m;
    ++family_rows[f];
  }
  EXPECT_EQ(family_rows[0], 5);
  EXPECT_EQ(family_rows[3], 1);
  EXPECT_EQ(layout.moved(), 0);
  // One value in more rows than there are families: cut, the rest moved on.
  const PairLayout cut(count_runs({2, 2}), count_runs({3, 1}), "test");
  EXPECT_EQ(cut.moved(), 1);
  EXPECT_EQ(cut.member_counts(), (std::vector<int64_t>{2, 2}));
  // Counts beyond what Gale-Ryser allows (4 + 4 > 4 + 3): moved, still distinct.
  const PairLayout over(count_runs({5, 3, 3, 1}), count_runs({4, 4, 2, 1, 1}), "test");
  EXPECT_EQ(over.moved(), 1);
  std::set<std::pair<uint64_t, uint64_t>> seen;
  for (uint64_t p = 0; p < 12; ++p) {
    uint64_t f = 0, m = 0;
    over.locate(p, f, m);
    EXPECT_TRUE(seen.insert({f, m}).second) << "family " << f << " member " << m;
  }
  // A family larger than the member values: its excess moves to another family.
  const PairLayout wide(count_runs({3, 1}), count_runs({2, 2}), "test");
  EXPECT_EQ(wide.family_sizes(), (std::vector<int64_t>{2, 2}));
  EXPECT_EQ(wide.moved(), 1);
  EXPECT_THROW(PairLayout(count_runs({3, 2}), count_runs({3, 1}), "too few"), InternalError);
}

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

TEST(PairKey, ValidationAcceptsBuildableKeysAndRefusesTooFewPairs) {
  EXPECT_EQ(problems(keyed(1000, "type: integer, dist: zipf, n: 50, s: 1",
                           "type: integer, dist: uniform, min: 1, max: 300")),
            "");
  // A composite unique index and a UNIQUE constraint over the same pair build.
  EXPECT_EQ(problems(keyed(1000, "type: integer, dist: zipf, n: 50, s: 1",
                           "type: integer, dist: uniform, min: 1, max: 300",
                           "    indexes:\n      - { name: t_b_a_key, columns: [b, a], unique: "
                           "true, constraint: true }\n")),
            "");
  // The most common value (half of 100 rows) needs 50 values of b; 1..40 gives 40.
  const std::string skewed =
      problems(keyed(100, "type: text, dist: weighted, values: { x: 5, y: 3, z: 2 }",
                     "type: integer, dist: uniform, min: 1, max: 40"));
  EXPECT_NE(skewed.find("takes about 50 rows"), std::string::npos) << skewed;
  // 3 x 4 pairs cannot fill 100 rows: refused where the key is written.
  const std::string few =
      problems(keyed(100, "type: text, dist: weighted, values: { x: 1, y: 1, z: 1 }",
                     "type: integer, dist: uniform, min: 1, max: 4"));
  EXPECT_NE(few.find("12 combinations of values"), std::string::npos) << few;
  EXPECT_NE(few.find("t.yaml:4:"), std::string::npos) << few;
  // Within the bounds (2 x 600 values, the top family 500 rows), but a zipf
  // of s = 1.5 gives fewer than 200 of its 600 values a row at 1,000 rows:
  // refused from the counts the generator would lay out, not an internal error.
  const std::string thin =
      problems(keyed(1000, "type: text, dist: weighted, values: { x: 1, y: 1 }",
                     "type: integer, dist: zipf, n: 600, s: 1.5"));
  EXPECT_NE(thin.find("too few distinct pairs"), std::string::npos) << thin;
  EXPECT_NE(thin.find("t.yaml:4:"), std::string::npos) << thin;
  // A copy column cannot be paired.
  EXPECT_NE(problems(keyed(100, "type: integer, dist: zipf, n: 50, s: 1",
                           "type: integer, dist: child_number, of: a"))
                .find("cannot be guaranteed unique"),
            std::string::npos);
  // constraint: true without unique: true.
  EXPECT_NE(problems(keyed(100, "type: integer, dist: zipf, n: 50, s: 1",
                           "type: integer, dist: uniform, min: 1, max: 100",
                           "    indexes:\n      - { columns: [a], constraint: true }\n"))
                .find("needs unique: true"),
            std::string::npos);
}

}  // namespace
}  // namespace pgshape
