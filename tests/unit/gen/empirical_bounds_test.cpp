// The empirical generator's reading of histogram bounds on integers, value by
// value: a bound is a value of both buckets it separates, a width-1 bucket splits
// its rows between its two bounds, a repeated bound holds the rows of every
// bucket it spans. Then a dense hot range like tests/fixtures/tryout/billing.sql's
// (most hot values MCVs, the others 1-2 a bucket): the generated rows per value
// against the population the histogram was built from. Fixed seeds; the
// chi-square bounds are stated per assertion.
#include <gtest/gtest.h>

#include <fmt/format.h>
#include <algorithm>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <map>
#include <string>
#include <vector>

#include "generated_profile.hpp"
#include "pgshape/gen.hpp"

namespace pgshape {
namespace {

using testing::GeneratedProfile;

std::string profile(int64_t rows, const std::string& column) {
  return fmt::format(
      "name: e\nscales:\n  s: {}\ntables:\n  t:\n    rows: 1x\n    columns:\n      v:\n{}", rows,
      column);
}

std::map<int64_t, double> counts(const GeneratedProfile& g) {
  const ColumnGenerator& gen = g.column("t", "v");
  std::map<int64_t, double> out;
  std::string scratch;
  for (uint64_t row = 0; row < static_cast<uint64_t>(g.table("t").rows()); ++row)
    out[gen.value(row, scratch).i] += 1;
  return out;
}

// Pearson's statistic of `got` against `expected`, over the expected values.
double chi_square(const std::map<int64_t, double>& got, const std::map<int64_t, double>& expected) {
  double x = 0;
  for (const auto& [v, e] : expected) {
    const auto it = got.find(v);
    const double o = it == got.end() ? 0 : it->second;
    x += (o - e) * (o - e) / e;
  }
  return x;
}

TEST(EmpiricalBounds, NarrowAndRepeatedBucketsShareTheirRowsBetweenTheirBounds) {
  // 7 buckets of 1,000 rows (M): [10,11] [11,12] [12,12] [12,12] [12,13] [13,15]
  // [15,16]. Each bucket gives a value inside it a full share u, each inner bound
  // u/2 and the first and last bounds (the sample's extremes) u, with u such that
  // the bucket's rows add up to M:
  //   10: 2/3 M (first bound, [10,11]: u = M / 1.5)     11: 1/3 M + 1/2 M
  //   12: 1/2 M + 2 M (the two repeated buckets) + 1/2 M 13: 1/2 M + 1/4 M
  //   14: 1/2 M (inside [13,15]: u = M / 2)               15: 1/4 M + 1/3 M
  //   16: 2/3 M (last bound, [15,16]: u = M / 1.5)
  // The old reading (a half-open bucket's rows on the integers in [lo, hi), each
  // repeated 12 counted once a bucket, so too few values planned) put 1,000 on
  // each of 10, 11, 13 and 15 and none on 14 and 16: chi-square 1,748.
  GeneratedProfile g(profile(7000, R"(
        type: integer
        dist: empirical
        histogram: ["10", "11", "12", "12", "12", "13", "15", "16"]
        n_distinct: 7
)"),
                     17);
  const double m = 1000;
  const std::map<int64_t, double> expected = {{10, m * 2 / 3}, {11, m * 5 / 6}, {12, m * 3},
                                              {13, m * 3 / 4}, {14, m / 2},     {15, m * 7 / 12},
                                              {16, m * 2 / 3}};
  const auto got = counts(g);
  EXPECT_EQ(got.size(), expected.size()) << "a value outside 10..16, or one missing";
  // 6 degrees of freedom: 22.46 is the 0.999 quantile. Positions are a bijection
  // of the rows, so the shares come out to a row or two (statistic well under 1).
  EXPECT_LT(chi_square(got, expected), 22.46);
  for (const auto& [v, e] : expected) EXPECT_NEAR(got.count(v) ? got.at(v) : 0, e, 2) << v;
}

TEST(EmpiricalBounds, DenseHotValuesBetweenMcvsKeepTheirPopulationsRows) {
  // A population like billing.sql's account ids: 70 % of 20,000 rows on ids
  // 1..100 (140 each, binomial), the rest on 101..5,000, skewed. The 50 most
  // common ids are MCVs; the histogram of the others is built as ANALYZE builds
  // it on a table it reads whole (50 buckets of about 230 rows, bound i at
  // position i * (n - 1) / 50 of their sorted values): in 1..100 a bucket holds
  // 1-2 ids, so most of its bounds are ids 1-3 apart.
  constexpr int kRows = 20000, kMcvs = 50, kBuckets = 50;
  std::vector<int64_t> population;
  std::map<int64_t, double> truth;
  for (int i = 0; i < kRows; ++i) {
    CounterEngine e(stream_key(5, "billing", "account_id"), static_cast<uint64_t>(i));
    const double u = e.uniform01(), w = e.uniform01();
    const int64_t id = u < 0.7 ? 1 + static_cast<int64_t>(w * 100)
                               : 101 + static_cast<int64_t>(4900 * std::pow(w, 1.5));
    population.push_back(id);
    truth[id] += 1;
  }
  std::vector<std::pair<double, int64_t>> by_count;
  for (const auto& [id, c] : truth) by_count.push_back({-c, id});
  std::sort(by_count.begin(), by_count.end());
  std::map<int64_t, double> mcv;
  for (int i = 0; i < kMcvs; ++i) mcv[by_count[i].second] = -by_count[i].first;
  std::vector<int64_t> rest;
  for (int64_t id : population)
    if (!mcv.count(id)) rest.push_back(id);
  std::sort(rest.begin(), rest.end());
  std::string values, bounds;
  for (const auto& [id, c] : mcv)
    values += fmt::format("{}\"{}\": {}", values.empty() ? "" : ", ", id, c / kRows);
  for (int i = 0; i <= kBuckets; ++i)
    bounds += fmt::format("{}\"{}\"", i ? ", " : "",
                          rest[static_cast<size_t>(i) * (rest.size() - 1) / kBuckets]);
  GeneratedProfile g(profile(kRows, fmt::format(R"(
        type: integer
        dist: empirical
        values: {{{}}}
        histogram: [{}]
        n_distinct: {}
)",
                                                values, bounds, truth.size())),
                     23);
  const auto got = counts(g);
  // The hot ids that are no MCV, the rows the histogram spreads over them.
  std::map<int64_t, double> hot;
  for (const auto& [id, c] : truth)
    if (id <= 100 && !mcv.count(id)) hot[id] = c;
  ASSERT_GE(hot.size(), 40u);
  for (const auto& [id, c] : mcv) EXPECT_NEAR(got.count(id) ? got.at(id) : 0, c, 1) << id;
  // The histogram places its bounds only to a value (a bucket is 1-2 hot ids
  // wide), so a hot id's rows cannot come out as production's to the binomial
  // spread: their chi-square against production's counts stays under 4.5 an id
  // (3.4 now; 8.4 when each bucket's rows fell on [lo, hi), a bound followed by
  // an MCV taking a whole bucket), and no hot id gets 1.6 times its rows (1.42x
  // now; 1.87x then).
  const double x = chi_square(got, hot);
  double worst = 0;
  for (const auto& [id, c] : hot) worst = std::max(worst, (got.count(id) ? got.at(id) : 0) / c);
  std::printf("%zu hot ids: chi-square %.1f (%.2f an id), most rows against production's %.2fx\n",
              hot.size(), x, x / static_cast<double>(hot.size()), worst);
  EXPECT_LT(x / static_cast<double>(hot.size()), 4.5) << "chi-square " << x;
  EXPECT_LT(worst, 1.6);
}

}  // namespace
}  // namespace pgshape
