// dist: range: each row's range from its lower bound and its length, each drawn
// by the generator of its own distribution (range_part_columns: the column's
// ".lower" of the bound type and ".length"), so every distribution of numbers,
// dates and timestamps serves a bound. A keyed draw per row makes it empty or
// unbounded at either end, by the profile's shares. Written in the range's text
// form, exactly as PostgreSQL prints it back for a discrete type ('[)' with
// unquoted bounds: range input takes a timestamp's space as part of the bound).
#include <algorithm>
#include <cmath>
#include <cstring>
#include <limits>

#include <fmt/format.h>

#include "gen/array_gen.hpp"
#include "gen/columns.hpp"
#include "gen/encode.hpp"
#include "gen/text_forms.hpp"

namespace pgshape::gen {
namespace {

class RangeGenerator : public ColumnGenerator {
 public:
  explicit RangeGenerator(const ColumnContext& c)
      : parts_(range_part_columns(*c.column)),
        key_(stream_key(c.seed, c.table->name, c.column->name, "range")),
        empty_(c.column->dist.range_empty),
        lower_infinite_(c.column->dist.lower_infinite),
        upper_infinite_(c.column->dist.upper_infinite),
        open_(c.column->dist.range_bounds.size() == 2 ? c.column->dist.range_bounds[0] : '['),
        close_(c.column->dist.range_bounds.size() == 2 ? c.column->dist.range_bounds[1] : ')') {
    if (parts_.size() != 2) refuse(*c.table, *c.column, kEveryRow, "no lower: and length: parts");
    bound_ = parts_[0].type;
    lower_ = make_value_generator(ColumnContext{c.seed, c.table, &parts_[0], c.rows});
    length_ = make_value_generator(ColumnContext{c.seed, c.table, &parts_[1], c.rows});
    const Datum::Kind kind = lower_->kind();
    if (kind != Datum::Kind::kInt && kind != Datum::Kind::kFloat)
      refuse(*c.table, *c.column, kEveryRow, "its lower bound's distribution makes no numbers");
    floats_ = bound_.is_fractional();
    // A whole length in the bound's steps: microseconds per second for timestamps.
    unit_ = bound_.kind == PgType::kTimestamp || bound_.kind == PgType::kTimestamptz ? 1e6 : 1;
    whole_ = bound_.is_integer() || bound_.kind == PgType::kDate;
    if (bound_.is_integer()) hi_ = bound_.integer_max();
    op_ = text_op(bound_, floats_ ? Datum::Kind::kFloat : Datum::Kind::kInt);
  }
  Datum::Kind kind() const override { return Datum::Kind::kText; }

  void fill(const Selection& rows, const Batch& batch, ColumnVector& out) const override {
    ColumnVector lower, length, bounds;
    lower_->fill(rows, batch, lower);
    length_->fill(rows, batch, length);
    const size_t n = rows.size();
    // Lower bounds at [0, n), upper ones at [n, 2n), in one vector of the bound's lane.
    bounds.reset(floats_ ? Datum::Kind::kFloat : Datum::Kind::kInt, 2 * n);
    for (size_t i = 0; i < n; ++i) {
      double len = length.kind() == Datum::Kind::kInt ? static_cast<double>(length.ints()[i])
                                                      : length.floats()[i];
      if (length.nulls()[i] || !(len >= 0)) len = 0;
      if (whole_) len = std::max(1.0, std::round(len));  // [a,a) is empty
      if (floats_) {
        const double a = lower.kind() == Datum::Kind::kInt ? static_cast<double>(lower.ints()[i])
                                                           : lower.floats()[i];
        bounds.floats()[i] = a;
        bounds.floats()[n + i] = a + len;
      } else {
        const int64_t a = lower.ints()[i];
        const double step = std::min(len * unit_, 9.2e18);
        int64_t b = 0;
        if (__builtin_add_overflow(a, static_cast<int64_t>(std::llround(step)), &b)) b = hi_;
        bounds.ints()[i] = a;
        bounds.ints()[n + i] = std::min(b, hi_);
      }
    }
    out.reset(Datum::Kind::kText, n);
    out.set_plain(true);
    const Lanes lanes = Lanes::of(bounds);
    const Chance empty(empty_), no_lower(lower_infinite_), no_upper(upper_infinite_);
    rows.for_each([&](size_t i, uint64_t row) {
      char* const begin = out.text_room(2 * kMaxScalarText + 4);
      char* p = begin;
      CounterEngine engine(key_, row);
      const bool is_empty = empty(engine);
      const bool open_lower = no_lower(engine), open_upper = no_upper(engine);
      if (is_empty) {
        std::memcpy(p, "empty", 5);
        out.set_text(i, begin, p + 5);
        return;
      }
      *p++ = open_lower ? '(' : open_;
      if (!open_lower) p = put_scalar(p, op_, lanes, i, bound_);
      *p++ = ',';
      if (!open_upper) p = put_scalar(p, op_, lanes, n + i, bound_);
      *p++ = open_upper ? ')' : close_;
      out.set_text(i, begin, p);
    });
  }

 private:
  std::vector<Column> parts_;  // the generators below point at these
  uint64_t key_;
  double empty_, lower_infinite_, upper_infinite_;
  char open_, close_;
  ColumnType bound_;
  std::unique_ptr<ColumnGenerator> lower_, length_;
  bool floats_ = false, whole_ = false;
  double unit_ = 1;
  int64_t hi_ = std::numeric_limits<int64_t>::max();  // an upper bound past it is cut to it
  TextOp op_ = TextOp::kInt;
};

}  // namespace

std::unique_ptr<ColumnGenerator> make_range_generator(const ColumnContext& context) {
  return std::make_unique<RangeGenerator>(context);
}

}  // namespace pgshape::gen
