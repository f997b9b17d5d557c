// Rows to PostgreSQL's binary COPY format (docs: "COPY", section "Binary
// Format"; the receive functions in src/backend/utils/adt/*.c): a field count
// per tuple, then per field an int32 length (-1 for NULL) and the payload, all
// big-endian. The server skips text parsing entirely, which is what lets a load
// outrun the text-ingest ceiling. Values land in the output buffer directly:
// no per-value allocation, no library call per row.
#include <bit>
#include <charconv>
#include <cmath>
#include <cstring>
#include <type_traits>
#include <vector>

#include <fmt/format.h>

#include "gen/encode.hpp"
#include "gen/text_forms.hpp"
#include "pgshape/error.hpp"
#include "pgshape/gen.hpp"

namespace pgshape::gen {
namespace {

static_assert(std::endian::native == std::endian::little ||
              std::endian::native == std::endian::big);

template <class T>
T to_big_endian(T v) {
  static_assert(sizeof(T) <= 8);
  if constexpr (std::endian::native == std::endian::big || sizeof(T) == 1)
    return v;
  else if constexpr (sizeof(T) == 2)
    return static_cast<T>(__builtin_bswap16(static_cast<uint16_t>(v)));
  else if constexpr (sizeof(T) == 4)
    return static_cast<T>(__builtin_bswap32(static_cast<uint32_t>(v)));
  else
    return static_cast<T>(__builtin_bswap64(static_cast<uint64_t>(v)));
}

template <class T>
char* put(char* p, T v) {
  const T be = to_big_endian(v);
  std::memcpy(p, &be, sizeof(T));
  return p + sizeof(T);
}

// A fixed-width field: its length, then its value.
template <class T>
char* put_field(char* p, T v) {
  return put(put(p, static_cast<int32_t>(sizeof(T))), v);
}

// A numeric field from base-10000 digits already stripped of zero groups at
// both ends: its length, then numeric_recv's header and the digits.
char* put_numeric_digits(char* p, bool negative, const int16_t* digits, int ndigits, int weight,
                         int dscale) {
  constexpr uint16_t kPositive = 0x0000, kNegative = 0x4000;
  const bool zero = ndigits == 0;
  p = put(p, static_cast<int32_t>(8 + 2 * ndigits));
  p = put(p, static_cast<int16_t>(ndigits));
  p = put(p, static_cast<int16_t>(zero ? 0 : weight));
  p = put(p, zero || !negative ? kPositive : kNegative);
  p = put(p, static_cast<uint16_t>(dscale));
  for (int i = 0; i < ndigits; ++i) p = put(p, digits[i]);
  return p;
}

// A numeric field from its base-10000 digits (whole groups, then fraction
// groups): the zero groups at both ends are stripped, as make_result does.
char* put_numeric_groups(char* p, bool negative, const int16_t* digits, int count, int whole_groups,
                         int dscale) {
  int first = 0, last = count;
  int weight = whole_groups - 1;
  while (first < last && digits[first] == 0) ++first, --weight;
  while (last > first && digits[last - 1] == 0) --last;
  return put_numeric_digits(p, negative, digits + first, last - first, weight, dscale);
}

// A numeric from its text "[-]digits[.digits]" (as format_numeric writes it):
// int16 ndigits, weight, sign, dscale, then base-10000 digits — numeric_recv's
// layout. dscale is the count of fraction digits, as numeric_in would derive
// from the same text; numeric_recv then applies the column's typmod as
// numeric_in does, so both paths store the same value. Writes at most
// 12 + 2 * (text.size() / 4 + 2) bytes.
char* put_numeric(char* p, std::string_view text) {
  const bool negative = !text.empty() && text[0] == '-';
  if (negative) text.remove_prefix(1);
  const size_t point = std::min(text.find('.'), text.size());
  const std::string_view whole = text.substr(0, point);
  const std::string_view fraction = point < text.size() ? text.substr(point + 1) : "";
  const int whole_groups = static_cast<int>((whole.size() + 3) / 4);
  const int fraction_groups = static_cast<int>((fraction.size() + 3) / 4);
  int16_t digits[(kFixedBufferSize + 7) / 4];
  int count = 0;
  // Whole digits group from the point leftwards: the first group may be short.
  size_t pos = 0;
  for (int g = 0; g < whole_groups; ++g) {
    const size_t width = g == 0 ? whole.size() - 4 * static_cast<size_t>(whole_groups - 1) : 4;
    int value = 0;
    for (size_t i = 0; i < width; ++i) value = value * 10 + (whole[pos++] - '0');
    digits[count++] = static_cast<int16_t>(value);
  }
  // Fraction digits group from the point rightwards: the last group is padded.
  for (int g = 0; g < fraction_groups; ++g) {
    int value = 0;
    for (size_t i = 0; i < 4; ++i) {
      const size_t at = 4 * static_cast<size_t>(g) + i;
      value = value * 10 + (at < fraction.size() ? fraction[at] - '0' : 0);
    }
    digits[count++] = static_cast<int16_t>(value);
  }
  return put_numeric_groups(p, negative, digits, count, whole_groups,
                            static_cast<int>(fraction.size()));
}

// The numeric whose text is "[-]whole.fraction" with `scale` fraction digits
// (fraction < 10^scale, zero-padded), as put_numeric would read that text,
// without writing it: format_fixed's fast path (scaled_fixed) gives n. Scale
// is an int, or a std::integral_constant so that the divisions by 10^scale
// become multiplications.
template <class Scale>
char* put_numeric_scaled_as(char* p, bool negative, uint64_t n, Scale scale_value) {
  const int scale = scale_value;
  static constexpr uint64_t kPow10[] = {1,
                                        10,
                                        100,
                                        1000,
                                        10000,
                                        100000,
                                        1000000,
                                        10000000,
                                        100000000,
                                        1000000000,
                                        10000000000,
                                        100000000000,
                                        1000000000000,
                                        10000000000000,
                                        100000000000000,
                                        1000000000000000};
  uint64_t whole = n / kPow10[scale];
  if (scale <= 4 && whole < 100000000) {
    // The common case (money, rates) in one pass: at most two whole groups
    // and one fraction group, stripped of zero groups as put_numeric_groups does.
    const auto high = static_cast<int16_t>(whole / 10000),
               low = static_cast<int16_t>(whole % 10000);
    const auto fraction = static_cast<int16_t>(n % kPow10[scale] * kPow10[4 - scale]);
    int16_t digits[3];
    int count = 0;
    if (high) digits[count++] = high;
    if (high || low) digits[count++] = low;
    if (fraction) digits[count++] = fraction;
    while (count > 0 && digits[count - 1] == 0) --count;
    return put_numeric_digits(p, negative, digits, count, high ? 1 : low ? 0 : -1, scale);
  }
  const int fraction_groups = (scale + 3) / 4;
  // The fraction padded on the right to whole groups of four digits.
  uint64_t fraction = n % kPow10[scale] * kPow10[4 * fraction_groups - scale];
  // n < 2^52: at most 4 whole groups (16 digits), and at most 4 fraction groups.
  int16_t digits[8];
  int whole_groups = 0;
  int16_t reversed[4];
  do {
    reversed[whole_groups++] = static_cast<int16_t>(whole % 10000);
    whole /= 10000;
  } while (whole > 0);  // "0" is one group, as the text's single zero digit is
  int count = 0;
  for (int g = whole_groups; g-- > 0;) digits[count++] = reversed[g];
  for (int g = fraction_groups; g-- > 0;) {
    digits[count + g] = static_cast<int16_t>(fraction % 10000);
    fraction /= 10000;
  }
  count += fraction_groups;
  return put_numeric_groups(p, negative, digits, count, whole_groups, scale);
}

// put_numeric_scaled with the common scales' divisions by constants.
char* put_numeric_scaled(char* p, bool negative, uint64_t n, int scale) {
  switch (scale) {
    case 0:
      return put_numeric_scaled_as(p, negative, n, std::integral_constant<int, 0>());
    case 2:
      return put_numeric_scaled_as(p, negative, n, std::integral_constant<int, 2>());
    default:
      return put_numeric_scaled_as(p, negative, n, scale);
  }
}

// The numeric of format_fixed(value, scale)'s text, without the text when
// format_fixed's fast path applies.
char* put_numeric_float(char* p, double value, int scale) {
  if (uint64_t scaled; scaled_fixed(value, scale, scaled))
    return put_numeric_scaled(p, std::signbit(value), scaled, scale);
  char text[kFixedBufferSize];
  return put_numeric(p, std::string_view(text, format_fixed(text, value, scale)));
}

int hex_value(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

// A uuid literal from a profile (weighted values): 32 hex digits, hyphens anywhere.
bool parse_uuid(std::string_view text, uint64_t& hi, uint64_t& lo) {
  int nibbles = 0;
  hi = lo = 0;
  for (char c : text) {
    if (c == '-' || c == '{' || c == '}') continue;
    const int v = hex_value(c);
    if (v < 0 || nibbles >= 32) return false;
    uint64_t& word = nibbles < 16 ? hi : lo;
    word = word << 4 | static_cast<uint64_t>(v);
    ++nibbles;
  }
  return nibbles == 32;
}

// How a column's values are written: a plain store of the lane where the
// conversion is one, else through the value's text (numerics from an integer,
// values in text columns) or a parse (uuid literals).
enum BinaryOp : uint8_t {
  kInt16,
  kInt32,
  kInt64,
  kRoundedInt16,  // a float lane in an integer column, rounded as text COPY does
  kRoundedInt32,
  kRoundedInt64,
  kBool,
  kFloat4,
  kFloat8,
  kIntFloat4,  // an integer lane in a real / double column
  kIntFloat8,
  kNumericFloat,
  kNumericInt,
  kUuidLane,
  kUuidText,  // a uuid literal from the profile
  kText,      // the text lane: its bytes are the field
  kTextForm,  // another lane in a text column: its text form is its binary form
};

// Room any numeric field needs: its header and base-10000 digits of up to
// kFixedBufferSize characters, plus the length word.
constexpr size_t kMaxNumericField = kMaxScalarText + 8;

[[noreturn]] void no_binary_form(const Column& column, Datum::Kind kind) {
  throw InternalError(fmt::format("binary COPY: values of kind {} for column {} of type {}",
                                  static_cast<int>(kind), column.name, column.type.sql()));
}

}  // namespace

uint8_t binary_op(const Column& column, Datum::Kind kind, size_t& room) {
  const ColumnType& type = column.type;
  const bool integral = kind == Datum::Kind::kInt || kind == Datum::Kind::kBool;
  const bool real = kind == Datum::Kind::kFloat;
  auto op = [&](BinaryOp o, size_t r) {
    room = r;
    return static_cast<uint8_t>(o);
  };
  switch (type.kind) {
    case PgType::kSmallint:
      if (integral || real) return op(integral ? kInt16 : kRoundedInt16, 6);
      break;
    case PgType::kInteger:
      if (integral || real) return op(integral ? kInt32 : kRoundedInt32, 8);
      break;
    case PgType::kBigint:
      if (integral || real) return op(integral ? kInt64 : kRoundedInt64, 12);
      break;
    case PgType::kNumeric:
      if (integral || real) return op(real ? kNumericFloat : kNumericInt, kMaxNumericField);
      break;
    case PgType::kReal:
      if (integral || real) return op(real ? kFloat4 : kIntFloat4, 8);
      break;
    case PgType::kDouble:
      if (integral || real) return op(real ? kFloat8 : kIntFloat8, 12);
      break;
    case PgType::kBoolean:
      if (integral) return op(kBool, 5);
      break;
    case PgType::kDate:  // days since 2000-01-01
      if (kind == Datum::Kind::kInt) return op(kInt32, 8);
      break;
    case PgType::kTimestamp:  // microseconds since 2000-01-01 (UTC for timestamptz)
    case PgType::kTimestamptz:
      if (kind == Datum::Kind::kInt) return op(kInt64, 12);
      break;
    case PgType::kUuid:
      if (kind == Datum::Kind::kUuid) return op(kUuidLane, 20);
      if (kind == Datum::Kind::kText) return op(kUuidText, 20);
      break;
    case PgType::kText:
    case PgType::kVarchar:
    case PgType::kChar:  // the server pads character(n) as it receives it
      if (kind == Datum::Kind::kText) return op(kText, 4);
      return op(kTextForm, 4 + text_op_room(text_op(type, kind)));
  }
  no_binary_form(column, kind);
}

namespace {

// Writes row r of field f (not NULL) at p; returns the end.
[[gnu::always_inline]] inline char* put_binary(char* p, const RowEncoder::Field& f, size_t r) {
  const Lanes& v = f.lanes;
  switch (static_cast<BinaryOp>(f.binary)) {
    case kInt16:
      return put_field(p, static_cast<int16_t>(v.ints[r]));
    case kInt32:
      return put_field(p, static_cast<int32_t>(v.ints[r]));
    case kInt64:
      return put_field(p, v.ints[r]);
    case kRoundedInt16:
      return put_field(p, static_cast<int16_t>(std::llround(v.floats[r])));
    case kRoundedInt32:
      return put_field(p, static_cast<int32_t>(std::llround(v.floats[r])));
    case kRoundedInt64:
      return put_field(p, static_cast<int64_t>(std::llround(v.floats[r])));
    case kBool:
      return put_field(p, static_cast<uint8_t>(v.ints[r] != 0));
    // Text COPY writes the shortest text that reads back as this very float
    // (or the integer's digits, which the server rounds once, as this cast does).
    case kFloat4:
      return put_field(p, std::bit_cast<uint32_t>(static_cast<float>(v.floats[r])));
    case kFloat8:
      return put_field(p, std::bit_cast<uint64_t>(v.floats[r]));
    case kIntFloat4:
      return put_field(p, std::bit_cast<uint32_t>(static_cast<float>(v.ints[r])));
    case kIntFloat8:
      return put_field(p, std::bit_cast<uint64_t>(static_cast<double>(v.ints[r])));
    case kNumericFloat:
      return put_numeric_float(p, v.floats[r], numeric_scale(*f.type));
    case kNumericInt: {
      char text[kFixedBufferSize];
      return put_numeric(p, std::string_view(text, format_numeric_int(text, v.ints[r], *f.type)));
    }
    case kUuidLane:
      return put(put(put(p, int32_t{16}), v.uuids[r].hi), v.uuids[r].lo);
    case kUuidText: {
      uint64_t hi = 0, lo = 0;
      if (!parse_uuid(v.text_at(r), hi, lo))
        throw InternalError(fmt::format("binary COPY: '{}' is no uuid", v.text_at(r)));
      return put(put(put(p, int32_t{16}), hi), lo);
    }
    case kText: {
      const std::string_view text = v.text_at(r);
      return copy_text(put(p, static_cast<int32_t>(text.size())), text);
    }
    case kTextForm: {
      char* end = put_scalar(p + 4, f.text, v, r, *f.type);
      put(p, static_cast<int32_t>(end - p - 4));
      return end;
    }
  }
  return p;
}

}  // namespace

void write_binary_rows(std::vector<RowEncoder::Field>& fields, size_t rows, ByteBuffer& out) {
  // The room of every row at once: fixed fields by their bound, text by what
  // the batch holds.
  size_t room = 2 * rows + ColumnVector::kTextSlack;  // field counts; copy_text
  for (const auto& f : fields)
    room += f.room * rows + (f.binary == kText || f.binary == kUuidText ? f.v->text_bytes() : 0);
  const auto count = static_cast<int16_t>(fields.size());
  Writer writer(out);
  char* p = writer.need(room);
  for (size_t r = 0; r < rows; ++r) {
    p = put(p, count);
    for (const auto& f : fields) p = f.lanes.nulls[r] ? put(p, int32_t{-1}) : put_binary(p, f, r);
  }
  writer.done(p);
}

}  // namespace pgshape::gen
