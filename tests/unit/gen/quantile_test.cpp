// Rank tables: a value's rank among a column's sampled values splits its
// ties by the row's uniform and interpolates between samples, the same with
// the step guide that speeds the look-up as with a plain search.
#include "gen/quantile.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <vector>

#include "pgshape/gen.hpp"

namespace pgshape::gen {
namespace {

TEST(RankTable, TiesAreSplitByTheRowsUniformAndGapsInterpolated) {
  const RankTable t({1, 2, 2, 2, 5});  // too few for a guide: a plain search
  EXPECT_DOUBLE_EQ(t.rank(2, 0), 1.0 / 5);
  EXPECT_DOUBLE_EQ(t.rank(2, 0.5), 2.5 / 5);
  EXPECT_DOUBLE_EQ(t.rank(2, 0.999), (1 + 3 * 0.999) / 5);
  // 3.5 lies halfway from sample 3 (rank 3.5 / 5) to sample 4 (4.5 / 5).
  EXPECT_DOUBLE_EQ(t.rank(3.5, 0.7), 4.0 / 5);
  EXPECT_DOUBLE_EQ(t.rank(0, 1), 0.5 / 5);  // below every sample
  EXPECT_DOUBLE_EQ(t.rank(9, 0), 4.5 / 5);  // above every sample
}

TEST(RankTable, TheGuideFindsWhatAPlainSearchFinds) {
  // Skewed values with runs of ties, 20,000 of them: the guide's steps hold
  // from none to thousands.
  std::vector<double> v;
  CounterEngine engine(42, 0);
  for (int i = 0; i < 20000; ++i) {
    const double u = engine.uniform01();
    v.push_back(i % 7 == 0 ? 100 : std::floor(1e6 * u * u * u) / 8);
  }
  std::sort(v.begin(), v.end());
  const RankTable guided(v);
  const double n = static_cast<double>(v.size());
  for (int k = 0; k < 5000; ++k) {
    const double x = k % 2 ? v[engine.below(v.size())] : engine.uniform01() * 1.3e5 - 100;
    const double r = engine.uniform01();
    const auto below = static_cast<double>(std::lower_bound(v.begin(), v.end(), x) - v.begin());
    const auto upto = static_cast<double>(std::upper_bound(v.begin(), v.end(), x) - v.begin());
    if (upto > below) {
      ASSERT_DOUBLE_EQ(guided.rank(x, r), (below + r * (upto - below)) / n) << x;
    } else {
      ASSERT_GE(guided.rank(x, r), (below - 0.5) / n) << x;
      ASSERT_LE(guided.rank(x, r), (below + 0.5) / n) << x;
    }
  }
}

}  // namespace
}  // namespace pgshape::gen
