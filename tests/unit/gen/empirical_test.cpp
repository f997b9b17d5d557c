// The empirical generator against the statistics it is built from, measured the
// way ANALYZE measures them on a whole table: MCV frequencies, distinct counts
// (per bucket too: dense buckets full, sparse ones near-unique), small domains
// kept whole, correlation with heap order, NULLs and the tails past the bounds.
// Fixed seeds; tolerances stated per assertion.
#include <gtest/gtest.h>

#include <fmt/format.h>
#include <algorithm>
#include <cmath>
#include <map>
#include <set>
#include <string>
#include <vector>

#include "generated_profile.hpp"

namespace pgshape {
namespace {

using testing::GeneratedProfile;

std::string profile(int64_t rows, const std::string& columns) {
  return fmt::format("name: e\nscales:\n  s: {}\ntables:\n  t:\n    rows: 1x\n    columns:\n{}",
                     rows, columns);
}

// Every row's value as text ("" for NULL), in heap order.
std::vector<std::string> values(const GeneratedProfile& g, const std::string& column) {
  const ColumnGenerator& gen = g.column("t", column);
  const ColumnType& type = g.table("t").table().find_column(column)->type;
  std::vector<std::string> out;
  std::string scratch;
  for (uint64_t row = 0; row < static_cast<uint64_t>(g.table("t").rows()); ++row) {
    const Datum d = gen.value(row, scratch);
    out.push_back(d.kind == Datum::Kind::kNull ? std::string("\x01NULL") : value_text(d, type));
  }
  return out;
}

// ANALYZE's correlation: the rank of each non-NULL value (ties by heap position)
// against heap order. `less` orders two values.
template <typename Less>
double correlation(const std::vector<std::string>& v, Less less) {
  std::vector<size_t> rows;
  for (size_t i = 0; i < v.size(); ++i)
    if (v[i] != "\x01NULL") rows.push_back(i);
  std::vector<size_t> sorted = rows;
  std::stable_sort(sorted.begin(), sorted.end(),
                   [&](size_t a, size_t b) { return less(v[a], v[b]); });
  std::map<size_t, size_t> heap_rank;
  for (size_t i = 0; i < rows.size(); ++i) heap_rank[rows[i]] = i;
  const double m = static_cast<double>(rows.size());
  double xy = 0;
  for (size_t i = 0; i < sorted.size(); ++i)
    xy += static_cast<double>(i) * static_cast<double>(heap_rank[sorted[i]]);
  const double mean = (m - 1) / 2;
  return (xy / m - mean * mean) / ((m * m - 1) / 12);
}

bool numeric_less(const std::string& a, const std::string& b) {
  return std::stod(a) < std::stod(b);
}

TEST(Empirical, McvFrequenciesAndNullsComeOutExactly) {
  GeneratedProfile g(profile(20000, R"(
      status:
        type: text
        nullable: true
        null_fraction: 0.1
        dist: empirical
        values: {"delivered": 0.72, "shipped": 0.108, "refunded": 0.0009}
        histogram: ["aa", "bb", "cc", "dd", "ee"]
        n_distinct: 40
)"),
                     7);
  std::map<std::string, int> count;
  for (const auto& v : values(g, "status")) count[v]++;
  const double n = 20000;
  // Positions are a bijection of the rows, so each segment gets its share to a row.
  EXPECT_NEAR(count["\x01NULL"] / n, 0.1, 0.0002);
  EXPECT_NEAR(count["delivered"] / n, 0.72, 0.0002);
  EXPECT_NEAR(count["shipped"] / n, 0.108, 0.0002);
  EXPECT_NEAR(count["refunded"] / n, 0.0009, 0.0002);
  // 40 distinct: 3 MCVs + 37 between the bounds (the bounds themselves among them).
  EXPECT_EQ(count.size() - 1, 40u);
  EXPECT_TRUE(count.count("aa") && count.count("ee"));
}

TEST(Empirical, DistinctValuesFillDenseBucketsAndSpreadIntoSparseOnes) {
  // A size column: dense small values (buckets 1..2..3..5 hold 1-2 integers
  // each), sparse large ones. 30,000 rows, 9,000 distinct: an even share per
  // bucket (1,000) cannot fit the dense buckets, so the sparse ones take the rest.
  GeneratedProfile g(profile(30000, R"(
      size:
        type: integer
        dist: empirical
        histogram: ["1", "2", "3", "5", "8", "100", "10000", "100000", "1000000", "5000000"]
        n_distinct: 9000
)"),
                     11);
  const auto v = values(g, "size");
  std::set<std::string> all(v.begin(), v.end());
  // Whole table under ANALYZE's 30,000-row sample: n_distinct is the exact count.
  EXPECT_NEAR(static_cast<double>(all.size()), 9000, 9000 * 0.02);
  std::set<int64_t> above;
  int rows_above = 0;
  for (const auto& s : v) {
    const int64_t x = std::stoll(s);
    EXPECT_GE(x, 1);
    EXPECT_LE(x, 5000000);
    if (x >= 100000) above.insert(x), ++rows_above;
  }
  // The top two buckets (6,667 rows) are near-unique: > 50 % distinct, not 1/9th.
  EXPECT_GT(static_cast<double>(above.size()), 0.5 * rows_above);
}

TEST(Empirical, NegativeNDistinctScalesWithTheRows) {
  GeneratedProfile g(profile(10000, R"(
      email:
        type: text
        dist: empirical
        histogram: ["a@x", "d@x", "k@x", "p@x", "z@x"]
        n_distinct: -0.95
        correlation: 0.02
)"),
                     3);
  const auto v = values(g, "email");
  std::map<std::string, int> count;
  for (const auto& s : v) count[s]++;
  EXPECT_NEAR(static_cast<double>(count.size()), 9500, 9500 * 0.02);
  int top = 0;
  for (const auto& [s, c] : count) top = std::max(top, c);
  // Near-unique text does not repeat: the most common value at most twice.
  EXPECT_LE(top, 2);
  EXPECT_TRUE(std::is_sorted(v.begin(), v.end()) == false);
}

TEST(Empirical, SmallUniqueTextDomainIsReproducedWholeWithItsHeapOrder) {
  GeneratedProfile g(profile(3, R"(
      name:
        type: text
        unique: true
        dist: empirical
        histogram: ["Beta", "Gamma", "alpha"]
        n_distinct: -1
        correlation: 0.5
)"),
                     5);
  const auto v = values(g, "name");
  std::multiset<std::string> got(v.begin(), v.end());
  EXPECT_EQ(got, (std::multiset<std::string>{"Beta", "Gamma", "alpha"}));
  // Three rows: rank correlations are -1, -0.5, 0.5 or 1; the nearest is kept.
  // The order is the histogram's (the source's collation), not byte order.
  const std::vector<std::string> order = {"Beta", "Gamma", "alpha"};
  auto rank = [&](const std::string& s) { return std::find(order.begin(), order.end(), s); };
  EXPECT_NEAR(correlation(v, [&](const auto& a, const auto& b) { return rank(a) < rank(b); }), 0.5,
              1e-9);
}

TEST(Empirical, SmallDomainsUseOnlyTheirValues) {
  GeneratedProfile g(profile(5000, R"(
      code:
        type: integer
        dist: empirical
        values: {"7": 0.5}
        histogram: ["1", "3", "3", "3", "9", "12"]
        n_distinct: 5
)"),
                     9);
  std::map<std::string, int> count;
  for (const auto& s : values(g, "code")) count[s]++;
  std::set<std::string> keys;
  for (const auto& [k, c] : count) keys.insert(k);
  EXPECT_EQ(keys, (std::set<std::string>{"1", "3", "7", "9", "12"}));
  EXPECT_NEAR(count["7"] / 5000.0, 0.5, 0.001);
  // "3" fills three of the six bounds: half of the other half.
  EXPECT_NEAR(count["3"] / 5000.0, 0.25, 0.001);
}

TEST(Empirical, CorrelationWithHeapOrderWithinThreeHundredths) {
  for (double r : {0.0, 0.3, 0.5, 0.8, 0.97, -0.6}) {
    GeneratedProfile g(profile(40000, fmt::format(R"(
      x:
        type: bigint
        dist: empirical
        values: {{"500": 0.2}}
        histogram: ["1", "100", "1000", "10000", "100000", "1000000"]
        n_distinct: -0.5
        correlation: {}
)",
                                                  r)),
                       21);
    const double measured = correlation(values(g, "x"), numeric_less);
    EXPECT_NEAR(measured, r, 0.03) << "correlation " << r;
  }
}

TEST(Empirical, LargeTablesGetTailsPastTheBoundsInsideTheType) {
  GeneratedProfile g(profile(300000, R"(
      amount:
        type: smallint
        dist: empirical
        histogram: ["10", "20", "40", "32000"]
        n_distinct: 2000
)"),
                     13);
  int below = 0, above = 0;
  for (const auto& s : values(g, "amount")) {
    const int x = std::stoi(s);
    ASSERT_GE(x, 0);  // the lower tail stops at zero
    ASSERT_LE(x, 32767);
    below += x < 10;
    above += x > 32000;
  }
  // 1 / 30,001 of the rows past each end: 10 of 300,000 (Poisson-free: exact share).
  EXPECT_NEAR(below, 10, 2);
  EXPECT_NEAR(above, 10, 2);
}

TEST(Empirical, ShardsAreThePureFunctionOfTheRow) {
  const std::string yaml = profile(1000, R"(
      v:
        type: text
        dist: empirical
        values: {"x": 0.3}
        histogram: ["a", "m", "z"]
        n_distinct: 300
        correlation: 0.4
)");
  GeneratedProfile a(yaml, 1), b(yaml, 1);
  std::string s1, s2;
  for (uint64_t row : {999u, 0u, 500u, 17u}) {
    const Datum x = a.column("t", "v").value(row, s1);
    const std::string kept(x.text);
    EXPECT_EQ(kept, std::string(b.column("t", "v").value(row, s2).text));
  }
}

}  // namespace
}  // namespace pgshape
