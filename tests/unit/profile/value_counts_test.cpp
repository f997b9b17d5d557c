// Value domains read from distributions (pgshape/value_counts.hpp) and the
// pair layout over their runs (pgshape/pairs.hpp): a zipf's tail kept as a
// rule gives distinct ascending ranks inside the domain, the counts sum to
// the rows, the distribution function holds at every rank, the listed part
// stays a small share of the rows however large the domain; the layout over
// runs keeps every pair distinct and every family its size on random shapes.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <random>
#include <set>
#include <vector>

#include "pgshape/error.hpp"
#include "pgshape/pairs.hpp"
#include "pgshape/value_counts.hpp"

namespace pgshape {
namespace {

Distribution zipf(int64_t n, double s, int64_t hot = 0, double share = 0) {
  Distribution d;
  d.kind = hot > 0 ? DistKind::kHotset : DistKind::kZipf;
  d.n = n;
  d.s = s;
  d.hot = hot;
  d.share = share;
  return d;
}

int64_t rows_of(const ValueCounts& d) {
  int64_t rows = 0;
  for (int64_t c : d.counts) rows += c;
  for (const ValueRun& r : d.runs) rows += r.count * static_cast<int64_t>(r.values);
  return rows;
}

TEST(ValueCounts, ZipfTailRanksAreDistinctAscendingAndInTheDomain) {
  struct Case {
    int64_t n;
    double s;
    int64_t rows, hot;
    double share;
  };
  for (const Case& c :
       {Case{4'000'000, 0.5, 1'000'000, 0, 0}, Case{80'000, 0.6, 20'000, 0, 0},
        Case{3'000'000, 1.0, 200'000, 0, 0}, Case{3'000'000, 0.999999, 200'000, 0, 0},
        Case{3'000'000, 1.000001, 200'000, 0, 0}, Case{50'000'000, 2.0, 300'000, 0, 0},
        Case{10'000'000, 0.2, 1'000'000, 0, 0}, Case{5'000'000, 1.1, 400'000, 20, 0.3}}) {
    SCOPED_TRACE(testing::Message() << "n " << c.n << " s " << c.s << " rows " << c.rows);
    const auto d = skewed_rank_counts(zipf(c.n, c.s, c.hot, c.share), c.rows);
    ASSERT_TRUE(d);
    EXPECT_EQ(rows_of(*d), c.rows);
    std::set<uint64_t> listed(d->keys.begin(), d->keys.end());
    EXPECT_EQ(listed.size(), d->keys.size());
    ASSERT_EQ(d->runs.size(), 1u);  // far more ranks than rows: a tail of single rows
    const ValueRun& tail = d->runs[0];
    EXPECT_EQ(tail.count, 1);
    uint64_t previous = listed.empty() ? 0 : *listed.rbegin();
    for (uint64_t i = 0; i < tail.values; ++i) {
      const uint64_t k = tail.keys->key(i);
      ASSERT_TRUE(i == 0 && listed.empty() ? true : k > previous) << "value " << i << " rank " << k;
      ASSERT_LT(k, static_cast<uint64_t>(c.n));
      previous = k;
    }
  }
}

TEST(ValueCounts, ListedValuesStayAFewPercentOfTheRows) {
  // The bench's sku: zipf s = 0.5 over four times the rows. Walking every
  // rank kept 24 bytes per distinct value; the single rows are a rule now.
  for (int64_t rows : {int64_t{1'000'000}, int64_t{4'000'000}}) {
    const auto d = skewed_rank_counts(zipf(4 * rows, 0.5), rows);
    ASSERT_TRUE(d);
    EXPECT_LT(static_cast<double>(d->keys.size()), 0.1 * static_cast<double>(rows));
    EXPECT_GT(d->size(), static_cast<uint64_t>(rows) * 8 / 10);
  }
  // Uniform integers are rules whatever the span.
  EXPECT_TRUE(uniform_counts(1000, 10'000'000).keys.empty());
  EXPECT_TRUE(uniform_counts(100'000'000, 10'000'000).keys.empty());
  EXPECT_EQ(uniform_counts(3, 10).key(2), 2u);
  EXPECT_EQ(uniform_counts(1000, 10).key(0), 50u);
}

TEST(ValueCounts, ZipfDistributionFunctionHoldsAtEveryRank) {
  // Zipf s = 0.8 over 400,000 ranks, 100,000 rows: the rows up to every rank
  // within one row of rows * F(k), head (quantile rounding) and tail (the
  // inverse of the continuous distribution function) alike.
  const int64_t n = 400'000, rows = 100'000;
  const double s = 0.8;
  auto d = skewed_rank_counts(zipf(n, s), rows);
  ASSERT_TRUE(d);
  ASSERT_FALSE(d->runs.empty());
  std::vector<int64_t> at(n, 0);
  for (size_t i = 0; i < d->keys.size(); ++i) at[d->keys[i]] += d->counts[i];
  for (uint64_t i = 0; i < d->runs[0].values; ++i) ++at[d->runs[0].keys->key(i)];
  double h = 0;
  for (int64_t k = 1; k <= n; ++k) h += std::pow(static_cast<double>(k), -s);
  double expected = 0, worst = 0;
  int64_t seen = 0;
  for (int64_t k = 0; k < n; ++k) {
    expected += static_cast<double>(rows) * std::pow(static_cast<double>(k + 1), -s) / h;
    seen += at[static_cast<size_t>(k)];
    worst = std::max(worst, std::abs(static_cast<double>(seen) - expected));
  }
  EXPECT_LE(worst, 1.0);
}

TEST(PairLayout, RandomShapesOverRunsStayDistinct) {
  // Families and members as runs of equal counts, laid out whole where no cut
  // can reach: every cell distinct, every family its size, the counts laid
  // out summing to the rows, on 300 random shapes (seed 17).
  std::mt19937_64 random(17);
  int laid_out = 0;
  for (int trial = 0; trial < 300; ++trial) {
    SCOPED_TRACE(trial);
    std::vector<CountRun> families, members;
    int64_t size = 1 + static_cast<int64_t>(random() % 60);
    for (int r = 0; r < 1 + static_cast<int>(random() % 5) && size > 0; ++r) {
      families.push_back({size, 1 + random() % 6});
      size -= 1 + static_cast<int64_t>(random() % 20);
    }
    int64_t count = 1 + static_cast<int64_t>(random() % 12);
    for (int r = 0; r < 1 + static_cast<int>(random() % 5) && count > 0; ++r) {
      members.push_back({count, 1 + random() % 80});
      count -= 1 + static_cast<int64_t>(random() % 4);
    }
    int64_t rows = 0;
    for (const CountRun& f : families) rows += f.count * static_cast<int64_t>(f.values);
    int64_t asked = 0;
    for (const CountRun& m : members) asked += m.count * static_cast<int64_t>(m.values);
    if (asked < rows) members.push_back({1, static_cast<uint64_t>(rows - asked)});
    std::optional<PairLayout> layout;
    try {
      layout.emplace(families, members, "random");
    } catch (const InternalError&) {
      continue;  // too few pairs for these shapes: refused, not laid out wrong
    }
    ++laid_out;
    std::set<std::pair<uint64_t, uint64_t>> cells;
    std::vector<int64_t> per_family;
    for (uint64_t p = 0; p < static_cast<uint64_t>(layout->rows()); ++p) {
      uint64_t f = 0, m = 0;
      layout->locate(p, f, m);
      ASSERT_TRUE(cells.insert({f, m}).second) << "position " << p;
      if (per_family.size() <= f) per_family.resize(f + 1, 0);
      ++per_family[f];
    }
    EXPECT_EQ(per_family, layout->family_sizes());
    int64_t laid = 0;
    for (int64_t c : layout->member_counts()) laid += c;
    EXPECT_EQ(laid, rows);
  }
  EXPECT_GT(laid_out, 200);
}

}  // namespace
}  // namespace pgshape
