// Values against their column's type, once per batch before any encoder sees
// them: text COPY, CSV and binary COPY then refuse the same values, and none
// of them wraps (binary COPY once stored 1e9 into a smallint as -13824) or
// writes what the server would read as another value (inf into a numeric).
#include <cfloat>
#include <cmath>

#include <fmt/format.h>

#include "gen/columns.hpp"
#include "gen/encode.hpp"

namespace pgshape {
namespace {

// PostgreSQL's ranges in pgshape's units (src/include/datatype/timestamp.h):
// dates from 4714-11-24 BC (Julian day 0) to before Julian day 2147483494,
// timestamps from 4714-11-24 BC 00:00 to before 294277-01-01 00:00.
constexpr int64_t kPgEpochJulian = 2451545;
constexpr int64_t kMinDate = -kPgEpochJulian;
constexpr int64_t kEndDate = 2147483494 - kPgEpochJulian;
constexpr int64_t kMinTimestamp = -211813488000000000LL;
constexpr int64_t kEndTimestamp = 9223371331200000000LL;

struct IntRange {
  int64_t lo, hi;  // inclusive
};

// The range a kInt lane must keep for `type`; false when any int64 fits.
bool int_range(const ColumnType& type, IntRange& range) {
  switch (type.kind) {
    case PgType::kSmallint:
      range = {INT16_MIN, INT16_MAX};
      return true;
    case PgType::kInteger:
      range = {INT32_MIN, INT32_MAX};
      return true;
    case PgType::kDate:
      range = {kMinDate, kEndDate - 1};
      return true;
    case PgType::kTimestamp:
    case PgType::kTimestamptz:
      range = {kMinTimestamp, kEndTimestamp - 1};
      return true;
    default:
      return false;
  }
}

// What numeric(p,s) holds, decided once per column: values below `safe` fit
// whatever their rounding, values from `limit` up never do, and the few
// between are decided by the text COPY would send (99999999.995 rounds up).
struct NumericLimit {
  bool any = true;  // unconstrained: any finite value
  int scale = 0;
  size_t whole_digits = 0;
  double safe = 0, limit = 0;
  explicit NumericLimit(const ColumnType& type) {
    // PostgreSQL 15's scales outside [0, p] are left to the server, which
    // refuses what does not fit in either format alike.
    if (type.precision <= 0 || type.scale < 0 || type.scale > type.precision) return;
    any = false;
    scale = type.scale;
    whole_digits = static_cast<size_t>(type.precision - type.scale);
    limit = std::pow(10.0, static_cast<double>(whole_digits));
    safe = (limit - std::pow(10.0, -scale)) * (1 - 1e-12);
  }
  bool holds(double v) const {
    if (!std::isfinite(v)) return false;
    const double a = std::fabs(v);
    if (any || a < safe) return true;
    if (a >= limit) return false;
    char text[gen::kFixedBufferSize];
    const std::string_view s(text, gen::format_fixed(text, a, scale));
    const size_t point = std::min(s.find('.'), s.size());
    return (point == 1 && s[0] == '0' ? 0 : point) <= whole_digits;
  }
};

// True when a float lane's value fits a column of `type` (not numeric).
bool float_fits(double x, const ColumnType& type) {
  if (!std::isfinite(x)) return false;
  if (type.kind == PgType::kReal) return std::fabs(x) <= FLT_MAX;
  if (!type.is_integer()) return true;
  // The encoders round to the nearest integer, which must be one of the type's.
  const double r = std::round(x);
  const double lo = type.kind == PgType::kSmallint  ? INT16_MIN
                    : type.kind == PgType::kInteger ? INT32_MIN
                                                    : -0x1p63;
  const double hi = type.kind == PgType::kSmallint  ? INT16_MAX
                    : type.kind == PgType::kInteger ? INT32_MAX
                                                    : 0x1p63 - 1024;  // below 2^63: no rounding up
  return r >= lo && r <= hi;
}

size_t utf8_chars(std::string_view text) {
  size_t chars = 0;
  for (unsigned char c : text) chars += (c & 0xC0) != 0x80;
  return chars;
}

}  // namespace

void TableGenerator::check_fits(const Batch& batch) const {
  const Selection& rows = batch.rows();
  for (size_t c = 0; c < columns_.size(); ++c) {
    const Column& column = table_->columns[c];
    const ColumnType& type = column.type;
    const ColumnVector& v = batch.column(c);
    const uint8_t* nulls = v.nulls();
    auto refuse = [&](size_t i, const std::string& what) {
      gen::refuse(*table_, column, rows[i], what);
    };
    IntRange range;
    switch (v.kind()) {
      case Datum::Kind::kInt:
      case Datum::Kind::kBool:
        if (type.kind == PgType::kNumeric && type.precision > 0) {
          const NumericLimit numeric(type);
          for (size_t i = 0; i < v.size(); ++i)
            if (!nulls[i] && !numeric.holds(static_cast<double>(v.ints()[i])))
              refuse(i, fmt::format("{} has too many digits", v.ints()[i]));
        } else if (int_range(type, range)) {
          // Branch-free over the batch first: values almost always fit.
          int64_t lo = INT64_MAX, hi = INT64_MIN;
          for (size_t i = 0; i < v.size(); ++i) {
            const int64_t x = nulls[i] ? range.lo : v.ints()[i];
            lo = std::min(lo, x), hi = std::max(hi, x);
          }
          if (lo >= range.lo && hi <= range.hi) break;
          for (size_t i = 0; i < v.size(); ++i)
            if (!nulls[i] && (v.ints()[i] < range.lo || v.ints()[i] > range.hi))
              refuse(i, fmt::format("{} is outside [{}, {}]", v.ints()[i], range.lo, range.hi));
        }
        break;
      case Datum::Kind::kFloat:
        if (type.kind == PgType::kNumeric) {
          const NumericLimit numeric(type);
          for (size_t i = 0; i < v.size(); ++i)
            if (!nulls[i] && !numeric.holds(v.floats()[i]))
              refuse(i, fmt::format("{} does not fit", v.floats()[i]));
        } else {
          for (size_t i = 0; i < v.size(); ++i)
            if (!nulls[i] && !float_fits(v.floats()[i], type))
              refuse(i, fmt::format("{} does not fit", v.floats()[i]));
        }
        break;
      case Datum::Kind::kText:
        if (type.max_chars() > 0) {
          const auto limit = static_cast<size_t>(type.max_chars());
          for (size_t i = 0; i < v.size(); ++i)
            if (!nulls[i] && v.lengths()[i] > limit && utf8_chars(v.text(i)) > limit)
              refuse(i, fmt::format("text of {} characters is longer than {}",
                                    utf8_chars(v.text(i)), limit));
        }
        break;
      case Datum::Kind::kUuid:
      case Datum::Kind::kNull:
        break;
    }
  }
}

}  // namespace pgshape
