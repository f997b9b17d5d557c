// Value domains read from distributions (pgshape/value_counts.hpp) and the
// pair layout over their runs (pgshape/pairs.hpp): a zipf's tail kept as a
// rule gives distinct ascending ranks inside the domain, the counts sum to
// the rows, the distribution function holds at every rank, the listed part
// stays a small share of the rows however large the domain; the layout over
// runs keeps every pair distinct and every family its size on random shapes.
#include <gtest/gtest.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <functional>
#include <random>
#include <set>
#include <utility>
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
  for (const ValueRun& r : d.runs()) rows += r.count * static_cast<int64_t>(r.values);
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
    // The head: listed values and runs of one count each; then the tail.
    std::set<uint64_t> listed(d->keys.begin(), d->keys.end());
    EXPECT_EQ(listed.size(), d->keys.size());
    ASSERT_FALSE(d->runs().empty());
    uint64_t head = d->keys.size();
    for (size_t r = 0; r + 1 < d->runs().size(); ++r)
      for (uint64_t i = 0; i < d->runs()[r].values; ++i, ++head)
        listed.insert(d->runs()[r].keys->key(i));
    EXPECT_EQ(listed.size(), head);
    const ValueRun& tail = d->runs().back();  // far more ranks than rows: a tail of single rows
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
  ASSERT_FALSE(d->runs().empty());
  std::vector<int64_t> at(n, 0);
  for (size_t i = 0; i < d->keys.size(); ++i) at[d->keys[i]] += d->counts[i];
  for (const ValueRun& run : d->runs())
    for (uint64_t i = 0; i < run.values; ++i) at[run.keys->key(i)] += run.count;
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

// What every domain must be, however it was reached: counts summing to the
// rows, the listed ones descending and none 0, no run's count above the last
// listed one's, every key inside [0, n) and named once, each run's keys
// strictly ascending. A run of more than 3 * 10^5 values is checked on its
// first and last 10^5 keys and on 10^5 consecutive pairs spread through it;
// keys are checked for repeats across runs while the runs hold at most
// 3 * 10^6 values in all, else only the sampled ones against the listed.
void expect_domain(const ValueCounts& d, int64_t n, int64_t rows) {
  EXPECT_EQ(rows_of(d), rows);
  EXPECT_TRUE(std::is_sorted(d.counts.begin(), d.counts.end(), std::greater<>()));
  if (!d.counts.empty()) {
    EXPECT_GE(d.counts.back(), 1);
  }
  std::vector<uint64_t> listed = d.keys;
  std::sort(listed.begin(), listed.end());
  EXPECT_EQ(std::adjacent_find(listed.begin(), listed.end()), listed.end());
  if (!listed.empty()) {
    EXPECT_LT(listed.back(), static_cast<uint64_t>(n));
  }
  int64_t above = d.counts.empty() ? INT64_MAX : d.counts.back();
  const bool every_key = d.size() - d.keys.size() <= 3'000'000;
  std::vector<uint64_t> named = d.keys;
  for (const ValueRun& run : d.runs()) {
    ASSERT_GE(run.count, 1);
    ASSERT_LE(run.count, above);
    above = run.count;
    const auto check = [&](uint64_t from, uint64_t to) {
      for (uint64_t i = from; i < to; ++i) {
        const uint64_t k = run.keys->key(i);
        ASSERT_LT(k, static_cast<uint64_t>(n)) << "value " << i;
        ASSERT_FALSE(std::binary_search(listed.begin(), listed.end(), k)) << "value " << i;
        if (i > from) {
          ASSERT_GT(k, run.keys->key(i - 1)) << "value " << i;
        }
      }
    };
    const uint64_t m = run.values;
    if (m <= 300'000) {
      check(0, m);
    } else {
      check(0, 100'000);
      check(m - 100'000, m);
      for (uint64_t i = 0; i + 1 < m; i += m / 100'000) check(i, i + 2);
    }
    if (every_key)
      for (uint64_t i = 0; i < m; ++i) named.push_back(run.keys->key(i));
  }
  if (every_key) {
    std::sort(named.begin(), named.end());
    EXPECT_EQ(std::adjacent_find(named.begin(), named.end()), named.end());
  }
}

TEST(ValueCounts, ZipfTotalStaysExactNearOne) {
  // Past 2^16 terms the sum's tail is an integral, (b^(1-s) - a^(1-s)) /
  // (1 - s): as a difference it cancelled to a relative error of 3e-6 at
  // s = 1 + 2e-16, thousands of rows out at 10^9 rows.
  for (double s : {1 - 1e-15, 1 + 2.3e-16, 1 + 1e-12, 1 - 1e-9, 0.5, 2.0})
    for (int64_t n : {int64_t{70'000}, int64_t{300'000}}) {
      SCOPED_TRACE(testing::Message() << "s " << s << " n " << n);
      long double direct = 0;  // smallest terms first
      for (int64_t k = n; k >= 1; --k) direct += std::pow(static_cast<double>(k), -s);
      EXPECT_LT(std::fabs(zipf_total(n, s) / direct - 1), 1e-15L);
    }
  // The first rank's share validation reads: as at s = 1 to the 12th digit.
  Column at_one, near_one;
  at_one.dist = zipf(int64_t{1} << 34, 1.0);
  near_one.dist = zipf(int64_t{1} << 34, 1 + 1e-15);
  const double one = largest_share(at_one, 1000), near = largest_share(near_one, 1000);
  EXPECT_LT(std::fabs(near / one - 1), 1e-12);
}

TEST(ValueCounts, DistributionFunctionHoldsNearOneAtABillionRows) {
  // Zipf over 200,000 ranks (the integral part of the total in play), s a
  // bit either side of 1, a hot set or not: the rows up to every rank within
  // one row of rows * F(k) at 10^5 and at 10^9 rows.
  const int64_t n = 200'000;
  for (double s : {1 - 1e-15, 1 + 2.3e-16, 1 + 1e-13})
    for (int64_t hot : {int64_t{0}, int64_t{7}}) {
      std::vector<long double> share(static_cast<size_t>(n));
      long double h = 0;
      for (int64_t k = n - hot; k >= 1; --k) h += std::pow(static_cast<double>(k), -s);
      for (int64_t k = 0; k < n; ++k)
        share[static_cast<size_t>(k)] =
            k < hot ? 0.4L / static_cast<long double>(hot)
                    : (hot > 0 ? 0.6L : 1.0L) * std::pow(static_cast<double>(k - hot + 1), -s) / h;
      for (int64_t rows : {int64_t{100'000}, int64_t{1'000'000'000}}) {
        SCOPED_TRACE(testing::Message() << "s " << s << " hot " << hot << " rows " << rows);
        const auto d = skewed_rank_counts(zipf(n, s, hot, 0.4), rows);
        ASSERT_TRUE(d);
        std::vector<int64_t> at(static_cast<size_t>(n), 0);
        for (size_t i = 0; i < d->keys.size(); ++i) at[d->keys[i]] += d->counts[i];
        for (const ValueRun& run : d->runs())
          for (uint64_t i = 0; i < run.values; ++i) at[run.keys->key(i)] += run.count;
        long double expected = 0, worst = 0;
        int64_t seen = 0;
        for (size_t k = 0; k < at.size(); ++k) {
          expected += static_cast<long double>(rows) * share[k];
          seen += at[k];
          worst = std::max(worst, std::fabs(static_cast<long double>(seen) - expected));
        }
        EXPECT_LE(worst, 1.0L);
      }
    }
}

TEST(ValueCounts, AHeadWhereEveryRankGetsARowIsRunsNotAList) {
  // A small s over a few more ranks than rows gives nearly every rank one or
  // two rows, so no tail rule applies: listed, that was 16 bytes a rank (195 MB
  // at 10^7 rows). Each count's ranks are a run now; only the top ranks,
  // a count each, stay listed.
  for (const auto& [n, s] : {std::pair<int64_t, double>{1'200'000, 0.1},
                             {1'000'000, 0.3},
                             {4'000'000, 0.5},
                             {2'000'000, 1.2}}) {
    const int64_t rows = 1'000'000;
    SCOPED_TRACE(testing::Message() << "n " << n << " s " << s);
    const auto d = skewed_rank_counts(zipf(n, s), rows);
    ASSERT_TRUE(d);
    expect_domain(*d, n, rows);
    EXPECT_LT(d->keys.size(), 5'000u);
  }
}

TEST(ValueCounts, ValuesComeByCountThenRank) {
  // Listed or in runs, the values come in the order a plain list sorted by
  // count (stable over ranks) gave: what the pairing lays out, so a seed's
  // data does not change with how the domain is kept.
  struct Case {
    int64_t n;
    double s;
    int64_t rows, hot;
    double share;
  };
  for (const Case& c : {Case{1'200'000, 0.1, 1'000'000, 0, 0}, Case{400'000, 0.5, 100'000, 0, 0},
                        Case{50'000, 1.0, 2'000'000, 0, 0}, Case{300'000, 0.8, 200'000, 3000, 0.3},
                        Case{2'000, 0.7, 1'000'077, 2'000, 1.0}}) {
    SCOPED_TRACE(testing::Message() << "n " << c.n << " s " << c.s << " hot " << c.hot);
    auto d = skewed_rank_counts(zipf(c.n, c.s, c.hot, c.share), c.rows);
    ASSERT_TRUE(d);
    EXPECT_FALSE(d->runs().empty());
    d->materialize();
    ASSERT_EQ(d->counts.size(), d->keys.size());
    for (size_t i = 1; i < d->counts.size(); ++i) {
      ASSERT_GE(d->counts[i - 1], d->counts[i]) << "value " << i;
      if (d->counts[i - 1] == d->counts[i]) {
        ASSERT_LT(d->keys[i - 1], d->keys[i]) << "value " << i;
      }
    }
  }
}

TEST(ValueCounts, SkewedRanksHoldUnderEveryExponentDomainAndRows) {
  // s from barely above 0 to far past any profile's, around 1 to the last
  // bit either side; domains from 1 rank to 2^34; hot sets smaller than,
  // equal to and larger than the domain, their share a third (not exact in
  // binary), just under 1 and 1.
  const double ss[] = {1e-300,      1e-9,     0.01,   0.3, 0.5, 0.9, 1 - 1e-15, 1 - 1e-9, 1.0,
                       1 + 2.3e-16, 1 + 1e-9, 1.0001, 1.5, 2.0, 3.0, 10.0,      200.0,    1e5};
  const int64_t ns[] = {1, 3, 1000, 1'000'000, int64_t{1} << 34};
  const int64_t rows_at[] = {1, 7, 1000, 100'000};
  struct Hot {
    int64_t hot;
    double share;
  };
  const Hot hots[] = {{0, 0}, {1, 0.5}, {3, 1.0 / 3}, {5, 1.0}, {7, 0.999999}, {20, 0.3}};
  for (int64_t n : ns)
    for (double s : ss)
      for (int64_t rows : rows_at)
        for (const Hot& h : hots) {
          SCOPED_TRACE(testing::Message() << "n " << n << " s " << s << " rows " << rows << " hot "
                                          << h.hot << " share " << h.share);
          const auto d = skewed_rank_counts(zipf(n, s, h.hot, h.share), rows);
          ASSERT_TRUE(d);
          expect_domain(*d, n, rows);
          if (HasFatalFailure()) return;
        }
}

TEST(ValueCounts, BillionRowsOverTwoToThe34Ranks) {
  // A billion rows: the tail's quantiles at u up to 1.7e10, where a double's
  // step is 2e-6 of a rank (s = 1e-9 and 0.1: a tail from the first rank);
  // steep exponents whose tail starts after a short head. s near 1 lists
  // tens of millions of ranks at this size, so it is checked at 10^7 rows.
  const int64_t n = int64_t{1} << 34;
  struct Case {
    double s;
    int64_t rows;
  };
  for (const Case& c :
       {Case{1e-9, 1'000'000'000}, Case{0.1, 1'000'000'000}, Case{2.0, 1'000'000'000},
        Case{3.0, 1'000'000'000}, Case{200.0, 1'000'000'000}, Case{1.0, 10'000'000},
        Case{1 + 1e-9, 10'000'000}}) {
    SCOPED_TRACE(testing::Message() << "s " << c.s << " rows " << c.rows);
    const auto d = skewed_rank_counts(zipf(n, c.s), c.rows);
    ASSERT_TRUE(d);
    expect_domain(*d, n, c.rows);
    EXPECT_LT(static_cast<double>(d->keys.size()), 0.05 * static_cast<double>(c.rows));
  }
}

TEST(ValueCounts, HotSetsAtTheirEdges) {
  // hot >= n: every rank hot, the rows as even as they go, whatever s.
  for (int64_t hot : {int64_t{1000}, int64_t{5000}}) {
    const auto d = skewed_rank_counts(zipf(1000, 0.7, hot, 0.2), 12'345);
    ASSERT_TRUE(d);
    expect_domain(*d, 1000, 12'345);
    EXPECT_EQ(d->size(), 1000u);
    std::vector<int64_t> counts = d->counts;
    for (const ValueRun& run : d->runs()) counts.push_back(run.count);
    EXPECT_EQ(*std::max_element(counts.begin(), counts.end()) -
                  *std::min_element(counts.begin(), counts.end()),
              1);
  }
  // share 1: the zipf ranks get nothing.
  {
    const auto d = skewed_rank_counts(zipf(1'000'000, 1.0, 10, 1.0), 1000);
    ASSERT_TRUE(d);
    expect_domain(*d, 1'000'000, 1000);
    EXPECT_EQ(d->size(), 10u);
    ValueCounts every = *d;
    every.materialize();
    for (uint64_t k : every.keys) EXPECT_LT(k, 10u);
  }
  // share 0 (refused by the profile's checks, but a domain must not break
  // on it): the hot ranks get nothing.
  {
    const auto d = skewed_rank_counts(zipf(1'000'000, 1.0, 10, 0.0), 1000);
    ASSERT_TRUE(d);
    expect_domain(*d, 1'000'000, 1000);
    ValueCounts every = *d;
    every.materialize();
    for (uint64_t k : every.keys) EXPECT_GE(k, 10u);
  }
  // More hot ranks than counts_rank_limit: no tail rule reaches them, so
  // they would be walked one by one up to the limit and given up there
  // (1.6e9 ranks at 10^8 rows, about 15 s); refused at once.
  const auto started = std::chrono::steady_clock::now();
  EXPECT_FALSE(skewed_rank_counts(zipf(int64_t{1} << 34, 1.0, int64_t{1} << 33, 0.5), 100'000'000));
  EXPECT_FALSE(skewed_rank_counts(zipf(int64_t{1} << 34, 1.0, int64_t{1} << 34, 1.0), 100'000'000));
  EXPECT_LT(std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count(), 2.0);
}

TEST(ValueCounts, RandomSkewedShapesHold) {
  // 1,000 random shapes (seed 29): n log-uniform up to 2^34 or close to the
  // rows (where the tail's density nears its margin), s log-uniform over
  // [1e-6, 1e3] or within 1e-6 of 1, hot sets of any size and share.
  std::mt19937_64 random(29);
  std::uniform_real_distribution<double> u(0, 1);
  for (int trial = 0; trial < 1000; ++trial) {
    auto n = std::max<int64_t>(1, static_cast<int64_t>(std::exp(u(random) * std::log(0x1p34))));
    const auto rows =
        std::max<int64_t>(1, static_cast<int64_t>(std::exp(u(random) * std::log(2e5))));
    if (u(random) < 0.3)
      n = std::max<int64_t>(
          1, static_cast<int64_t>(static_cast<double>(rows) / (0.85 + 0.2 * u(random))));
    double s = std::exp(std::log(1e-6) + u(random) * std::log(1e9));
    if (u(random) < 0.2) s = 1 + (u(random) - 0.5) * 1e-6;
    int64_t hot = 0;
    double share = 0;
    if (u(random) < 0.4) {
      hot = 1 + static_cast<int64_t>(u(random) * std::min(static_cast<double>(n) * 1.2, 1e5));
      share = u(random) < 0.2 ? 1.0 : u(random);
    }
    SCOPED_TRACE(testing::Message() << "trial " << trial << " n " << n << " s " << s << " rows "
                                    << rows << " hot " << hot << " share " << share);
    const auto d = skewed_rank_counts(zipf(n, s, hot, share), rows);
    ASSERT_TRUE(d);
    expect_domain(*d, n, rows);
    if (HasFatalFailure()) return;
  }
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
