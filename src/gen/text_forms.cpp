// The text forms of values, as PostgreSQL's input functions read them back
// exactly: numbers (std::to_chars, and format_fixed for numerics), dates and
// timestamps in ISO form with a BC suffix, uuids in lowercase hex. Written
// straight into the caller's buffer, no per-value allocation; binary COPY
// reuses them for numerics and for values in text columns.
#include <bit>
#include <charconv>
#include <cmath>
#include <cstdint>
#include <cstring>

#include "gen/columns.hpp"
#include "gen/encode.hpp"
#include "gen/text_forms.hpp"
#include "pgshape/gen.hpp"
#include "pgshape/util.hpp"

namespace pgshape {
namespace gen {

namespace {

// True when no byte of `text` needs COPY escaping (\\, \t, \n, \r): checked
// eight bytes at a time, since generated text almost never holds one and the
// byte-by-byte loop was a quarter of a products row's cost.
bool plain_copy_text(std::string_view text) {
  constexpr uint64_t kOnes = 0x0101010101010101ULL, kHighs = 0x8080808080808080ULL;
  constexpr uint64_t kBackslashes = kOnes * '\\';
  size_t i = 0;
  for (; i + 8 <= text.size(); i += 8) {
    uint64_t word;
    std::memcpy(&word, text.data() + i, 8);
    const uint64_t backslash = word ^ kBackslashes;
    // A byte is zero after the xor (a backslash) or below 0x0E (a control
    // character covering \t \n \r): the classic "has zero/less-than byte" tests,
    // exact for bytes below 0x80 (UTF-8 lead and continuation bytes are >= 0x80
    // and are masked out by ~word).
    const uint64_t hits = ((backslash - kOnes) & ~backslash) | ((word - kOnes * 0x0E) & ~word);
    if (hits & kHighs) return false;
  }
  for (; i < text.size(); ++i) {
    const char c = text[i];
    if (c == '\\' || c == '\t' || c == '\n' || c == '\r') return false;
  }
  return true;
}

}  // namespace

char* put_copy_escaped(char* p, std::string_view text) {
  if (plain_copy_text(text)) {
    std::memcpy(p, text.data(), text.size());
    return p + text.size();
  }
  for (const char c : text) {
    const char escaped = c == '\\' ? '\\' : c == '\t' ? 't' : c == '\n' ? 'n' : c == '\r' ? 'r' : 0;
    if (escaped) {
      *p++ = '\\';
      *p++ = escaped;
    } else {
      *p++ = c;
    }
  }
  return p;
}

bool plain_text(std::string_view text) {
  return plain_copy_text(text) && text.find('"') == std::string_view::npos;
}

bool scaled_fixed(double value, int scale, uint64_t& n) {
  static constexpr double kPow10[] = {1e0, 1e1, 1e2,  1e3,  1e4,  1e5,  1e6,  1e7,
                                      1e8, 1e9, 1e10, 1e11, 1e12, 1e13, 1e14, 1e15};
  if (scale < 0 || scale >= 16 || !std::isfinite(value)) return false;
  // value * 10^scale rounded to an integer is the answer. The product r is
  // off the exact one by at most half an ulp, so rounding r agrees with
  // rounding the exact product unless r lies within an ulp or two of a
  // half: those few cases (and ties, rounded to even) go to to_chars.
  const double r = std::fabs(value) * kPow10[scale];
  if (!(r < 0x1p52)) return false;
  const double floor = std::floor(r);
  const double fraction = r - floor;  // exact below 2^52
  // The gap to the next double up (r is finite, >= 0 and < 2^52).
  const double ulp = std::bit_cast<double>(std::bit_cast<uint64_t>(r) + 1) - r;
  if (!(std::fabs(fraction - 0.5) > 2 * ulp)) return false;
  n = static_cast<uint64_t>(floor) + (fraction > 0.5 ? 1 : 0);
  return true;
}

size_t format_fixed(char* buffer, double value, int scale) {
  if (uint64_t n; scaled_fixed(value, scale, n)) {
    if (scale == 2) {  // money: divisions by a constant, the cents from the pair table
      char* p = buffer;
      if (std::signbit(value)) *p++ = '-';
      p = std::to_chars(p, p + 24, n / 100).ptr;
      *p++ = '.';
      p = put2(p, static_cast<unsigned>(n % 100));
      return static_cast<size_t>(p - buffer);
    }
    char digits[24];
    const auto count =
        static_cast<int>(std::to_chars(digits, digits + sizeof digits, n).ptr - digits);
    size_t length = 0;
    if (std::signbit(value)) buffer[length++] = '-';  // to_chars writes -0.00 too
    // At least one digit before the point: zeros where n has too few digits.
    const int zeros = count > scale ? 0 : scale + 1 - count;
    std::memset(buffer + length, '0', static_cast<size_t>(zeros));
    std::memcpy(buffer + length + zeros, digits, static_cast<size_t>(count));
    length += static_cast<size_t>(zeros + count);
    if (scale > 0) {
      // Move the fraction digits one place right for the point.
      char* point = buffer + (length - static_cast<size_t>(scale));
      std::memmove(point + 1, point, static_cast<size_t>(scale));
      *point = '.';
      ++length;
    }
    return length;
  }
  auto [end, ec] =
      std::to_chars(buffer, buffer + kFixedBufferSize, value, std::chars_format::fixed, scale);
  if (ec != std::errc()) {  // beyond any numeric(p,s) that validation lets through
    end = std::to_chars(buffer, buffer + kFixedBufferSize, value).ptr;
  }
  return static_cast<size_t>(end - buffer);
}

size_t format_numeric_int(char* buffer, int64_t value, const ColumnType& type) {
  if (type.scale > 0) return format_fixed(buffer, static_cast<double>(value), type.scale);
  return static_cast<size_t>(std::to_chars(buffer, buffer + kFixedBufferSize, value).ptr - buffer);
}

TextOp text_op(const ColumnType& type, Datum::Kind kind) {
  switch (kind) {
    case Datum::Kind::kBool:
      return TextOp::kBool;
    case Datum::Kind::kUuid:
      return TextOp::kUuid;
    case Datum::Kind::kText:
    case Datum::Kind::kNull:
      return TextOp::kText;
    case Datum::Kind::kFloat:
      if (type.is_integer()) return TextOp::kRounded;
      if (type.kind == PgType::kNumeric) return TextOp::kNumericFloat;
      return type.kind == PgType::kReal ? TextOp::kReal : TextOp::kDouble;
    case Datum::Kind::kInt:
      break;
  }
  switch (type.kind) {
    case PgType::kDate:
      return TextOp::kDate;
    case PgType::kTimestamp:
      return TextOp::kTimestamp;
    case PgType::kTimestamptz:
      return TextOp::kTimestampTz;
    case PgType::kNumeric:
      return TextOp::kNumericInt;
    default:
      return TextOp::kInt;
  }
}

size_t text_op_room(TextOp op) {
  switch (op) {
    case TextOp::kText:
      return 0;
    case TextOp::kNumericInt:
    case TextOp::kNumericFloat:
      return kMaxScalarText;
    default:
      return kShortScalarText;
  }
}

}  // namespace gen

std::string value_text(const Datum& d, const ColumnType& type) {
  if (d.kind == Datum::Kind::kNull) return {};
  if (d.kind == Datum::Kind::kText) return std::string(d.text);
  ColumnVector one;
  one.reset(d.kind, 1);
  gen::store_datum(one, 0, d);
  std::string out(gen::kMaxScalarText, '\0');
  const gen::TextOp op = gen::text_op(type, d.kind);
  out.resize(static_cast<size_t>(gen::put_scalar(out.data(), op, gen::Lanes::of(one), 0, type) -
                                 out.data()));
  return out;
}

}  // namespace pgshape
