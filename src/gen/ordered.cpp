// A column kept inside the CHECKs that order it against another column.
#include "gen/ordered.hpp"

#include <fmt/format.h>
#include <algorithm>
#include <cmath>
#include <limits>
#include <mutex>

#include "gen/quantile.hpp"
#include "pgshape/error.hpp"

namespace pgshape::gen {
namespace {

// Columns without a quantile function: redraws per row before the value is
// put on the nearest allowed bound. With the allowed side holding a tenth of
// the distribution, 1 row in 800 is put there.
constexpr int kTries = 64;

int64_t pow10(int n) {
  int64_t p = 1;
  while (n-- > 0) p *= 10;
  return p;
}

// How a column's lane value is read for one order. Exact orders compare
// integers in common units (days, microseconds, or 10^-S of a number, S the
// larger numeric scale); numbers without a scale compare as doubles.
struct Side {
  int scale = 0;       // decimals a fractional lane value is rounded to
  int64_t factor = 1;  // common units per lane unit (after that rounding)
  bool exact = true;
};

struct Bound {
  size_t other = 0;
  size_t partner = 0;  // other's index in Ordered::partners_
  bool dependent_is_high = true;
  Side dep, oth;
  bool exact = true;
  int64_t need = 0;     // exact: high - low >= need, in common units
  double offset = 0;    // inexact: high - low > offset, or >= offset
  bool strict = false;  // inexact only
};

Side side_of(const ColumnType& type, int common) {
  Side s;
  if (type.is_integer()) {
    s.factor = pow10(common);
  } else if (type.kind == PgType::kNumeric && type.precision > 0) {
    s.scale = type.scale;
    s.factor = pow10(common - type.scale);
  } else if (type.is_fractional()) {
    s.exact = false;
  }
  return s;
}

class Ordered : public ColumnGenerator {
 public:
  Ordered(const ColumnContext& context, std::unique_ptr<ColumnGenerator> own,
          const std::vector<OrderPlan>& plans, const TableGenerator& table)
      : inner_(std::move(own)), table_(&table) {
    if (!inner_->inputs().empty() ||
        (inner_->kind() != Datum::Kind::kInt && inner_->kind() != Datum::Kind::kFloat))
      throw InternalError(fmt::format("{}.{} cannot be redrawn inside its CHECKs",
                                      context.table->name, context.column->name));
    for (const OrderPlan& plan : plans) {
      Bound b = bound(*context.table, plan);
      const auto known = std::find(partners_.begin(), partners_.end(), b.other);
      b.partner = static_cast<size_t>(known - partners_.begin());
      if (known == partners_.end()) partners_.push_back(b.other);
      bounds_.push_back(b);
    }
    inputs_ = partners_;
    rows_ = static_cast<uint64_t>(std::max<int64_t>(context.rows, 1));
    key_ = stream_key(context.seed, context.table->name, context.column->name, "check order");
    rank_key_ =
        stream_key(context.seed, context.table->name, context.column->name, "check order rank");
    quantile_ = quantile_function(context, *inner_);
  }

  Datum::Kind kind() const override { return inner_->kind(); }
  std::vector<size_t> inputs() const override { return inputs_; }

  void fill(const Selection& rows, const Batch& batch, ColumnVector& out) const override {
    inner_->fill(rows, batch, out);
    if (quantile_) couple(rows, batch, out);
    thread_local std::vector<uint32_t> bad, still;
    thread_local std::vector<uint64_t> at;
    bad.clear();
    for (size_t i = 0; i < rows.size(); ++i)
      if (!out.nulls()[i] && !inside(value(out, i), i, batch))
        bad.push_back(static_cast<uint32_t>(i));
    ColumnVector& tries = out.scratch();
    // A coupled value outside is off by sampling noise or by a bound the
    // partner's distribution does not promise (an upper end of a window): it
    // goes to the nearest allowed value, a redraw would move it further.
    for (int attempt = 0; attempt < kTries && !bad.empty() && !quantile_; ++attempt) {
      at.resize(bad.size());
      for (size_t k = 0; k < bad.size(); ++k) {
        CounterEngine engine(key_ + static_cast<uint64_t>(attempt), rows[bad[k]]);
        at[k] = engine.below(rows_);
      }
      inner_->fill(Selection::list(at.data(), at.size()), Batch(0), tries);
      still.clear();
      for (size_t k = 0; k < bad.size(); ++k) {
        const double v = value(tries, k);
        if (!tries.nulls()[k] && inside(v, bad[k], batch))
          set(out, bad[k], v);
        else
          still.push_back(bad[k]);
      }
      bad.swap(still);
    }
    for (uint32_t i : bad) set(out, i, nearest(value(out, i), i, batch));
  }

 private:
  // The comonotone coupling. Where production keeps high >= low + offset on
  // every row, high's distribution function lies at or below low's shifted by
  // the offset, F_high(x) <= F_low(x - offset); so high drawn at the very
  // quantile u = F_low(low) that the row's low holds, high = F_high^-1(u),
  // lands at or above low + offset, and, u being uniform, high keeps its own
  // distribution: an empirical column's own quantile function is exact, a
  // tabulated one good to a 65,536-draw sample (KS <= 0.007), as is u from a
  // partner of more rows than its rank table samples. (The same with the
  // roles swapped when low is the dependent.) u comes from the partner's
  // value, not its row, so it holds whatever made the partner (a foreign key,
  // a sequence, a NULL wrapper).
  // Side effect: the two columns' rank correlation is about 1, where
  // production's pairs are usually only positively correlated. The planner's
  // per-column statistics do not see it; a two-column extended statistic
  // (CREATE STATISTICS ... (dependencies, mcv)) would.
  void couple(const Selection& rows, const Batch& batch, ColumnVector& out) const {
    std::call_once(ranked_, [&] {
      std::vector<RankTable> ranks;  // a partner that throws leaves none behind
      for (size_t c : partners_) ranks.emplace_back(*table_, c);
      ranks_ = std::move(ranks);
    });
    thread_local std::vector<double> u;
    thread_local std::vector<uint32_t> at;
    thread_local ColumnVector drawn;
    u.clear();
    at.clear();
    for (size_t i = 0; i < rows.size(); ++i) {
      if (out.nulls()[i]) continue;
      // The first order whose partner is set in this row couples it; the
      // others are kept by the nearest allowed value where they have to be.
      for (const Bound& b : bounds_) {
        const RankTable& ranks = ranks_[b.partner];
        const ColumnVector& other = batch.column(b.other);
        if (other.nulls()[i] || ranks.empty()) continue;
        CounterEngine tie(rank_key_, rows[i]);
        u.push_back(ranks.rank(value(other, i), tie.uniform01()));
        at.push_back(static_cast<uint32_t>(i));
        break;
      }
    }
    quantile_->fill(u.data(), u.size(), drawn);
    for (size_t k = 0; k < at.size(); ++k) set(out, at[k], value(drawn, k));
  }

  static double value(const ColumnVector& v, size_t i) {
    return v.kind() == Datum::Kind::kInt ? static_cast<double>(v.ints()[i]) : v.floats()[i];
  }
  static int64_t common(const Side& s, const ColumnVector& v, size_t i) {
    if (v.kind() == Datum::Kind::kInt) return v.ints()[i] * s.factor;
    return std::llround(v.floats()[i] * static_cast<double>(pow10(s.scale))) * s.factor;
  }
  static int64_t common(const Side& s, double v, bool ints) {
    if (ints) return static_cast<int64_t>(v) * s.factor;
    return std::llround(v * static_cast<double>(pow10(s.scale))) * s.factor;
  }
  void set(ColumnVector& out, size_t i, double v) const {
    if (out.kind() == Datum::Kind::kInt)
      out.ints()[i] = static_cast<int64_t>(v);
    else
      out.floats()[i] = v;
  }

  // Whether `v` as row i's value keeps every order whose other column is set.
  bool inside(double v, size_t i, const Batch& batch) const {
    const bool ints = inner_->kind() == Datum::Kind::kInt;
    for (const Bound& b : bounds_) {
      const ColumnVector& other = batch.column(b.other);
      if (other.nulls()[i]) continue;
      if (b.exact) {
        const int64_t d = common(b.dep, v, ints), o = common(b.oth, other, i);
        if ((b.dependent_is_high ? d - o : o - d) < b.need) return false;
      } else {
        const double o = value(other, i);
        const double diff = b.dependent_is_high ? v - o : o - v;
        const double margin = 1e-9 * std::max({1.0, std::fabs(v), std::fabs(o)});
        if (b.strict ? !(diff > b.offset + margin) : !(diff >= b.offset + margin)) return false;
      }
    }
    return true;
  }

  // The allowed value nearest `v`, for a row whose redraws all fell outside.
  double nearest(double v, size_t i, const Batch& batch) const {
    const bool ints = inner_->kind() == Datum::Kind::kInt;
    double lo = -std::numeric_limits<double>::infinity(), hi = -lo;
    for (const Bound& b : bounds_) {
      const ColumnVector& other = batch.column(b.other);
      if (other.nulls()[i]) continue;
      double edge;
      if (b.exact) {
        // The dependent's value in common units, as a multiple of its own unit.
        const int64_t o = common(b.oth, other, i);
        const int64_t unit = b.dep.factor;
        const int64_t target = b.dependent_is_high ? o + b.need : o - b.need;
        const int64_t units = b.dependent_is_high
                                  ? (target >= 0 ? (target + unit - 1) / unit : -(-target / unit))
                                  : (target >= 0 ? target / unit : -((-target + unit - 1) / unit));
        edge = ints ? static_cast<double>(units)
                    : static_cast<double>(units) / static_cast<double>(pow10(b.dep.scale));
      } else {
        const double o = value(other, i);
        const double step = 2e-9 * std::max(1.0, std::fabs(o) + std::fabs(b.offset)) +
                            (b.strict ? 1e-9 * std::max(1.0, std::fabs(o)) : 0);
        edge = b.dependent_is_high ? o + b.offset + step : o - b.offset - step;
      }
      if (b.dependent_is_high)
        lo = std::max(lo, edge);
      else
        hi = std::min(hi, edge);
    }
    // Bounds that cross (low > high) leave no value; the lower one wins.
    return std::max(lo, std::min(v, hi));
  }

  static Bound bound(const Table& table, const OrderPlan& plan) {
    const ColumnType& dep = table.columns[plan.dependent].type;
    const ColumnType& oth = table.columns[plan.other].type;
    const ColumnOrder& order = plan.order;
    Bound b;
    b.other = plan.other;
    b.dependent_is_high = plan.dependent_is_high;
    b.strict = order.strict;
    if (dep.is_temporal()) {
      const double unit = dep.kind == PgType::kDate ? 86400e6 : 1;
      if (order.interval) {
        // timestamptz + a days interval moves by 23 to 25 hours across DST.
        const double pad = dep.kind == PgType::kTimestamptz && order.interval_days ? 3600e6 : 0;
        const double off = (static_cast<double>(order.micros) + pad) / unit;
        b.need = static_cast<int64_t>(order.strict ? std::floor(off) + 1 : std::ceil(off));
      } else {
        b.need = static_cast<int64_t>(order.number) + (order.strict ? 1 : 0);
      }
      return b;
    }
    const int common = std::max(dep.kind == PgType::kNumeric ? dep.scale : 0,
                                oth.kind == PgType::kNumeric ? oth.scale : 0);
    b.dep = side_of(dep, common);
    b.oth = side_of(oth, common);
    b.exact = b.dep.exact && b.oth.exact && common <= 6;
    if (b.exact) {
      const double off = order.number * static_cast<double>(pow10(common));
      b.need =
          static_cast<int64_t>(order.strict ? std::floor(off + 1e-9) + 1 : std::ceil(off - 1e-9));
    } else {
      b.offset = order.number;
    }
    return b;
  }

  std::unique_ptr<ColumnGenerator> inner_;
  const TableGenerator* table_;  // owns this generator
  std::vector<Bound> bounds_;
  std::vector<size_t> partners_;  // the other columns, each once
  std::vector<size_t> inputs_;
  uint64_t rows_ = 1;
  uint64_t key_ = 0;
  uint64_t rank_key_ = 0;                       // splits a partner value's ties
  std::unique_ptr<QuantileFunction> quantile_;  // null: redrawn instead
  // Per partner, its distribution function; sampled at the first fill, when
  // every column of every table can be filled.
  mutable std::once_flag ranked_;
  mutable std::vector<RankTable> ranks_;
};

}  // namespace

std::unique_ptr<ColumnGenerator> make_ordered_generator(const ColumnContext& context,
                                                        std::unique_ptr<ColumnGenerator> own,
                                                        const std::vector<OrderPlan>& plans,
                                                        const TableGenerator& table) {
  if (plans.empty()) return own;
  return std::make_unique<Ordered>(context, std::move(own), plans, table);
}

}  // namespace pgshape::gen
