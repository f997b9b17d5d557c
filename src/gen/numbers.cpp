// The number family: sequences, uniform, normal and lognormal draws, timelines
// and Bernoulli booleans. Each draws from a CounterEngine positioned at (its
// stream key, row), so a value never depends on any other row. Integers,
// dates and timestamps never leave their declared bounds by rounding, and a
// value that is no int64 is refused, never wrapped.
#include <algorithm>
#include <boost/random/lognormal_distribution.hpp>
#include <boost/random/normal_distribution.hpp>
#include <cmath>

#include <fmt/format.h>

#include "gen/columns.hpp"
#include "gen/value_domain.hpp"
#include "pgshape/error.hpp"
#include "pgshape/util.hpp"

namespace pgshape::gen {
namespace {

constexpr double kDefaultFloatMax = 1000;
constexpr int64_t kDefaultIntMax = 1000;
// Default time range when a profile gives none: 2020-01-01 .. 2025-01-01.
constexpr int64_t kDefaultDayMin = days_from_civil(2020, 1, 1) - kPgEpochDays;
constexpr int64_t kDefaultDayMax = days_from_civil(2025, 1, 1) - kPgEpochDays;

struct Range {
  double lo, hi;
};

Range default_range(const Distribution& d, const ColumnType& type) {
  double lo = 0, hi = kDefaultFloatMax;
  if (type.is_integer()) lo = 1, hi = kDefaultIntMax;
  if (type.kind == PgType::kDate) lo = kDefaultDayMin, hi = kDefaultDayMax;
  if (type.kind == PgType::kTimestamp || type.kind == PgType::kTimestamptz)
    lo = static_cast<double>(kDefaultDayMin) * kMicrosPerDay,
    hi = static_cast<double>(kDefaultDayMax) * kMicrosPerDay;
  return {d.min.value_or(lo), d.max.value_or(hi)};
}

class Sequence : public ColumnGenerator {
 public:
  explicit Sequence(const ColumnContext& c)
      : start_(c.column->dist.start), step_(c.column->dist.step) {
    // The last row's value must be an int64: otherwise name the first row that wraps.
    const auto last = static_cast<__int128>(start_) +
                      static_cast<__int128>(step_) * std::max<int64_t>(c.rows - 1, 0);
    constexpr auto kMin = static_cast<__int128>(INT64_MIN), kMax = static_cast<__int128>(INT64_MAX);
    if (last >= kMin && last <= kMax) return;
    const __int128 room = step_ > 0 ? kMax - start_ : start_ - kMin;
    const __int128 stride =
        step_ > 0 ? static_cast<__int128>(step_) : -static_cast<__int128>(step_);
    refuse(*c.table, *c.column, static_cast<uint64_t>(room / stride + 1),
           fmt::format("sequence start {} + step {} x row passes bigint's range", start_, step_));
  }
  Datum::Kind kind() const override { return Datum::Kind::kInt; }
  void fill(const Selection& rows, const Batch&, ColumnVector& out) const override {
    out.reset(Datum::Kind::kInt, rows.size());
    int64_t* v = out.ints();
    // Unsigned arithmetic: the constructor proved every row in range, so this equals the
    // signed value there, and a row beyond the table stays defined behaviour.
    const auto start = static_cast<uint64_t>(start_), step = static_cast<uint64_t>(step_);
    rows.for_each([&](size_t i, uint64_t row) { v[i] = static_cast<int64_t>(start + row * step); });
  }

 private:
  int64_t start_, step_;
};

class Uniform : public ColumnGenerator, public DomainSource {
 public:
  Uniform(const ColumnContext& c, bool unique)
      : key_(stream_key(c.seed, c.table->name, c.column->name)),
        textual_(c.column->type.is_textual()) {
    const Range r = default_range(c.column->dist, c.column->type);
    lo_ = r.lo, hi_ = r.hi;
    discrete_ = !c.column->type.is_fractional();
    if (!discrete_) return;
    // Integers (days, microseconds) in [ceil(min), floor(max)].
    const IntegerBounds bounds(lo_, hi_);
    const bool fits = !bounds.empty() && bounds.lo >= -0x1p63 && bounds.hi < 0x1p63;
    const __int128 span = fits ? static_cast<__int128>(static_cast<int64_t>(bounds.hi)) -
                                     static_cast<int64_t>(bounds.lo) + 1
                               : 0;
    if (!fits || span > static_cast<__int128>(UINT64_MAX))
      refuse(*c.table, *c.column, kEveryRow,
             fmt::format("uniform over [{}, {}] holds no range of 64-bit integers", lo_, hi_));
    first_ = static_cast<int64_t>(bounds.lo);
    span_ = static_cast<uint64_t>(span);
    if (unique) permutation_ = std::make_unique<Permutation>(span_, key_);
  }
  Datum::Kind kind() const override { return discrete_ ? Datum::Kind::kInt : Datum::Kind::kFloat; }
  void fill(const Selection& rows, const Batch&, ColumnVector& out) const override {
    out.reset(kind(), rows.size());
    const auto first = static_cast<uint64_t>(first_);
    if (permutation_) {
      int64_t* v = out.ints();
      rows.for_each([&](size_t i, uint64_t row) {
        v[i] = static_cast<int64_t>(first + (*permutation_)(row));
      });
    } else if (discrete_) {
      int64_t* v = out.ints();
      rows.for_each([&](size_t i, uint64_t row) {
        v[i] = static_cast<int64_t>(first + CounterEngine(key_, row).below(span_));
      });
    } else {
      double* v = out.floats();
      rows.for_each([&](size_t i, uint64_t row) {
        v[i] = lo_ + CounterEngine(key_, row).uniform01() * (hi_ - lo_);
      });
    }
  }
  // Integers equally likely: as even as the rows allow, spread over the whole span.
  std::optional<ValueDomain> domain(int64_t rows) const override {
    if (!discrete_ || permutation_ || rows <= 0) return std::nullopt;
    return uniform_counts(span_, rows);
  }
  void fill_keys(const Selection& keys, ColumnVector& out) const override {
    out.reset(Datum::Kind::kInt, keys.size());
    int64_t* v = out.ints();
    const auto first = static_cast<uint64_t>(first_);
    keys.for_each([&](size_t i, uint64_t k) { v[i] = static_cast<int64_t>(first + k); });
  }
  // first + key: integers, days, microseconds; as text "10" sorts before "9".
  bool keys_in_value_order() const override { return !textual_; }

 private:
  uint64_t key_;
  bool textual_;
  double lo_ = 0, hi_ = 0;
  bool discrete_ = false;
  int64_t first_ = 0;
  uint64_t span_ = 0;
  std::unique_ptr<Permutation> permutation_;
};

template <class BoostDistribution>
class Continuous : public ColumnGenerator {
 public:
  Continuous(const ColumnContext& c, BoostDistribution dist)
      : key_(stream_key(c.seed, c.table->name, c.column->name)),
        table_(c.table),
        column_(c.column),
        fractional_(c.column->type.is_fractional()),
        dist_(dist),
        lo_(c.column->dist.min.value_or(-HUGE_VAL)),
        hi_(c.column->dist.max.value_or(HUGE_VAL)),
        integers_(lo_, hi_) {
    if (!fractional_ && integers_.empty())
      refuse(*table_, *column_, kEveryRow, fmt::format("no integer lies in [{}, {}]", lo_, hi_));
  }
  Datum::Kind kind() const override {
    return fractional_ ? Datum::Kind::kFloat : Datum::Kind::kInt;
  }
  void fill(const Selection& rows, const Batch&, ColumnVector& out) const override {
    out.reset(kind(), rows.size());
    double* floats = out.floats();
    int64_t* ints = out.ints();
    rows.for_each([&](size_t i, uint64_t row) {
      CounterEngine engine(key_, row);
      BoostDistribution dist = dist_;  // Boost's normal/lognormal keep no state between draws
      const double v = std::clamp(dist(engine), lo_, hi_);
      if (fractional_)
        floats[i] = v;
      else if (!integers_.round(v, ints[i]))
        refuse(*table_, *column_, row, fmt::format("{} is no 64-bit integer", v));
    });
  }

 private:
  uint64_t key_;
  const Table* table_;
  const Column* column_;
  bool fractional_;
  BoostDistribution dist_;
  double lo_, hi_;
  IntegerBounds integers_;
};

// Values that grow with the row number (orders get newer as ids grow), +- jitter.
class Timeline : public ColumnGenerator {
 public:
  explicit Timeline(const ColumnContext& c)
      : key_(stream_key(c.seed, c.table->name, c.column->name)),
        table_(c.table),
        column_(c.column),
        rows_(c.rows),
        jitter_(c.column->dist.jitter),
        integers_(0, 0) {
    const Range r = default_range(c.column->dist, c.column->type);
    lo_ = r.lo, hi_ = r.hi;
    integers_ = IntegerBounds(lo_, hi_);
    if (integers_.empty())
      refuse(*table_, *column_, kEveryRow, fmt::format("no integer lies in [{}, {}]", lo_, hi_));
  }
  Datum::Kind kind() const override { return Datum::Kind::kInt; }
  void fill(const Selection& rows, const Batch&, ColumnVector& out) const override {
    out.reset(Datum::Kind::kInt, rows.size());
    int64_t* ints = out.ints();
    rows.for_each([&](size_t i, uint64_t row) {
      const double position =
          rows_ > 1 ? static_cast<double>(row) / static_cast<double>(rows_ - 1) : 0;
      double v = lo_ + position * (hi_ - lo_);
      if (jitter_ > 0) {
        CounterEngine engine(key_, row);
        v += (engine.uniform01() * 2 - 1) * jitter_ * (hi_ - lo_);
      }
      if (!integers_.round(std::clamp(v, lo_, hi_), ints[i]))
        refuse(*table_, *column_, row, fmt::format("{} is no 64-bit integer", v));
    });
  }

 private:
  uint64_t key_;
  const Table* table_;
  const Column* column_;
  int64_t rows_;
  double jitter_;
  double lo_ = 0, hi_ = 0;
  IntegerBounds integers_;
};

class Bernoulli : public ColumnGenerator {
 public:
  explicit Bernoulli(const ColumnContext& c)
      : key_(stream_key(c.seed, c.table->name, c.column->name)), chance_(c.column->dist.p) {}
  Datum::Kind kind() const override { return Datum::Kind::kBool; }
  void fill(const Selection& rows, const Batch&, ColumnVector& out) const override {
    out.reset(Datum::Kind::kBool, rows.size());
    int64_t* v = out.ints();
    rows.for_each([&](size_t i, uint64_t row) { v[i] = chance_(key_, row); });
  }

 private:
  uint64_t key_;
  Chance chance_;
};

}  // namespace

std::unique_ptr<ColumnGenerator> make_number_generator(const ColumnContext& c, bool unique) {
  const Distribution& d = c.column->dist;
  switch (d.kind) {
    case DistKind::kSequence:
      return std::make_unique<Sequence>(c);
    case DistKind::kUniform:
      return std::make_unique<Uniform>(c, unique);
    case DistKind::kNormal:
      return std::make_unique<Continuous<boost::random::normal_distribution<double>>>(
          c, boost::random::normal_distribution<double>(d.mean, d.stddev));
    case DistKind::kLognormal:
      return std::make_unique<Continuous<boost::random::lognormal_distribution<double>>>(
          c, boost::random::lognormal_distribution<double>(d.mu, d.sigma));
    case DistKind::kTimeline:
      return std::make_unique<Timeline>(c);
    case DistKind::kBernoulli:
      return std::make_unique<Bernoulli>(c);
    default:
      return nullptr;
  }
}

}  // namespace pgshape::gen
