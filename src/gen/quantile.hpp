// Internal to the generator: a column's distribution function and its inverse,
// for drawing the later column of a two-column order (gen/ordered.hpp) at the
// rank its partner's value holds among the partner's values, so both columns
// keep their own distributions while the order holds.
#pragma once

#include <cstdint>
#include <memory>
#include <vector>

#include "gen/columns.hpp"

namespace pgshape::gen {

// A generator that can say the value at any quantile of its non-NULL values:
// its draws are that function at a per-row position (empirical: pg_stats'
// MCVs and histogram in value order).
class QuantileSource {
 public:
  virtual ~QuantileSource() = default;
  // out.reset(kind(), n), then the value at quantile u[k] (in [0, 1)) as row k;
  // nondecreasing in u, never NULL.
  virtual void fill_quantiles(const double* u, size_t n, ColumnVector& out) const = 0;
};

// F^-1 of a column's own distribution.
class QuantileFunction {
 public:
  virtual ~QuantileFunction() = default;
  // As QuantileSource::fill_quantiles.
  virtual void fill(const double* u, size_t n, ColumnVector& out) const = 0;
};

// The quantile function of `own` (a generator that reads no other column):
// its own when it is a QuantileSource; a weighted column's from its values
// and weights; a zipf or hot-set column's from its ranks' weights (a sample
// would cut its long domain short); for a uniform, normal or lognormal column
// (whose values fill an interval, so values between two sampled ones are
// values it could draw), a sorted sample of its first kSample rows' draws,
// interpolated; null for any other kind.
std::unique_ptr<QuantileFunction> quantile_function(const ColumnContext& context,
                                                    const ColumnGenerator& own);

// The empirical distribution function of a column's non-NULL values in a
// table: every row of a table of up to kSample rows, else kSample rows spread
// evenly over it. rank(x, v) is F(x-) + v * (F(x) - F(x-)) for v in [0, 1): a
// value's share of ties is split by v, so the ranks of the column's own
// values (v a per-row uniform) are uniform on [0, 1) even where it repeats
// values (MCVs, dates). Between sampled values it interpolates.
class RankTable {
 public:
  static constexpr size_t kSample = size_t{1} << 16;
  // Samples column `column` of `table` (linked: every column can be filled).
  RankTable(const TableGenerator& table, size_t column);
  // Sorted values, for tests.
  explicit RankTable(std::vector<double> sorted) : sorted_(std::move(sorted)) { index(); }
  bool empty() const { return sorted_.empty(); }
  double rank(double x, double v) const;

 private:
  // A guide over [front, back] in kGuide equal steps: where each step's
  // values start, so a look-up searches a step, not the whole sample (it is
  // made for every row of the column).
  static constexpr size_t kGuide = 4096;
  void index();

  std::vector<double> sorted_;
  std::vector<uint32_t> guide_;  // kGuide + 1 entries; empty: search it all
  double scale_ = 0;             // steps per unit
};

}  // namespace pgshape::gen
