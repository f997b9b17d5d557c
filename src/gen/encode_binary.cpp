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
#include "pgshape/error.hpp"
#include "pgshape/gen.hpp"

namespace pgshape {
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
  int16_t digits[(gen::kFixedBufferSize + 7) / 4];
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
  if (uint64_t scaled; gen::scaled_fixed(value, scale, scaled))
    return put_numeric_scaled(p, std::signbit(value), scaled, scale);
  char text[gen::kFixedBufferSize];
  return put_numeric(p, std::string_view(text, gen::format_fixed(text, value, scale)));
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

[[noreturn]] void mismatch(const Column& column, const Datum& d) {
  throw InternalError(fmt::format("binary COPY: a value of kind {} for column {} of type {}",
                                  static_cast<int>(d.kind), column.name, column.type.sql()));
}

// Room any non-text field needs: a numeric's header and base-10000 digits of
// up to kFixedBufferSize characters, or a 16-byte uuid, plus the length word.
constexpr size_t kMaxScalarField = gen::kMaxScalarText + 8;

// Writes one non-null field of `column` at p (room for kMaxScalarField bytes,
// or 4 + the text of a text datum); returns the end. The conversions mirror
// the text encoder's (gen::put_plain) case by case.
char* put_value(char* p, const Datum& d, const Column& column) {
  const ColumnType& type = column.type;
  const bool number = d.kind == Datum::Kind::kInt || d.kind == Datum::Kind::kBool;
  switch (type.kind) {
    case PgType::kSmallint:
    case PgType::kInteger:
    case PgType::kBigint: {
      if (!number && d.kind != Datum::Kind::kFloat) mismatch(column, d);
      const int64_t v = d.kind == Datum::Kind::kFloat ? std::llround(d.f) : d.i;
      if (type.kind == PgType::kSmallint) return put_field(p, static_cast<int16_t>(v));
      if (type.kind == PgType::kInteger) return put_field(p, static_cast<int32_t>(v));
      return put_field(p, v);
    }
    case PgType::kNumeric: {
      if (!number && d.kind != Datum::Kind::kFloat) mismatch(column, d);
      // format_numeric's scale for a float
      if (d.kind == Datum::Kind::kFloat)
        return put_numeric_float(p, d.f, type.precision ? type.scale : 6);
      char text[gen::kFixedBufferSize];
      return put_numeric(p, std::string_view(text, gen::format_numeric(text, d, type)));
    }
    case PgType::kReal:
    case PgType::kDouble: {
      if (!number && d.kind != Datum::Kind::kFloat) mismatch(column, d);
      // Text COPY writes the shortest text that reads back as this very float
      // (or the integer's digits, which the server rounds once, as this cast does).
      if (type.kind == PgType::kReal) {
        const float f =
            d.kind == Datum::Kind::kFloat ? static_cast<float>(d.f) : static_cast<float>(d.i);
        return put_field(p, std::bit_cast<uint32_t>(f));
      }
      const double f = d.kind == Datum::Kind::kFloat ? d.f : static_cast<double>(d.i);
      return put_field(p, std::bit_cast<uint64_t>(f));
    }
    case PgType::kBoolean:
      if (!number) mismatch(column, d);
      return put_field(p, static_cast<uint8_t>(d.i != 0));
    case PgType::kDate:
      if (d.kind != Datum::Kind::kInt) mismatch(column, d);
      return put_field(p, static_cast<int32_t>(d.i));  // days since 2000-01-01
    case PgType::kTimestamp:
    case PgType::kTimestamptz:
      if (d.kind != Datum::Kind::kInt) mismatch(column, d);
      return put_field(p, d.i);  // microseconds since 2000-01-01 (UTC for timestamptz)
    case PgType::kUuid: {
      uint64_t hi = d.uuid_hi, lo = d.uuid_lo;
      if (d.kind == Datum::Kind::kText && !parse_uuid(d.text, hi, lo)) mismatch(column, d);
      if (d.kind != Datum::Kind::kUuid && d.kind != Datum::Kind::kText) mismatch(column, d);
      return put(put(put(p, int32_t{16}), hi), lo);
    }
    case PgType::kText:
    case PgType::kVarchar:
    case PgType::kChar: {  // the server pads character(n) as it receives it
      if (d.kind == Datum::Kind::kText) {
        p = put(p, static_cast<int32_t>(d.text.size()));
        std::memcpy(p, d.text.data(), d.text.size());
        return p + d.text.size();
      }
      // A number or date in a text column: its text form is its binary form.
      char* end = gen::put_plain(p + 4, d, type);
      put(p, static_cast<int32_t>(end - p - 4));
      return end;
    }
  }
  mismatch(column, d);
}

}  // namespace

std::string_view copy_binary_header() {
  static constexpr char kHeader[] =
      "PGCOPY\n\377\r\n\0"  // signature
      "\0\0\0\0"            // flags: no OIDs
      "\0\0\0\0";           // header extension length
  return {kHeader, sizeof kHeader - 1};
}

std::string_view copy_binary_trailer() {
  return {"\xff\xff", 2};
}

namespace {

// How write_copy_binary writes a column's values: kDirect through the direct
// text path, kValue through value() and put_value, kBatchDatum from the batch
// through a Datum and put_value, the others straight from the batch's arrays
// where the conversion is a plain store.
enum class BinaryOp : uint8_t {
  kDirect,
  kValue,
  kBatchDatum,
  kInt16,
  kInt32,
  kInt64,
  kBool,
  kNumeric
};

BinaryOp batch_op(const ColumnType& type, Datum::Kind kind) {
  const bool integral = kind == Datum::Kind::kInt || kind == Datum::Kind::kBool;
  switch (type.kind) {
    case PgType::kSmallint:
      return integral ? BinaryOp::kInt16 : BinaryOp::kBatchDatum;
    case PgType::kInteger:
      return integral ? BinaryOp::kInt32 : BinaryOp::kBatchDatum;
    case PgType::kBigint:
      return integral ? BinaryOp::kInt64 : BinaryOp::kBatchDatum;
    case PgType::kDate:
      return kind == Datum::Kind::kInt ? BinaryOp::kInt32 : BinaryOp::kBatchDatum;
    case PgType::kTimestamp:
    case PgType::kTimestamptz:
      return kind == Datum::Kind::kInt ? BinaryOp::kInt64 : BinaryOp::kBatchDatum;
    case PgType::kBoolean:
      return integral ? BinaryOp::kBool : BinaryOp::kBatchDatum;
    case PgType::kNumeric:
      return kind == Datum::Kind::kFloat ? BinaryOp::kNumeric : BinaryOp::kBatchDatum;
    default:
      return BinaryOp::kBatchDatum;
  }
}

// One column as write_copy_binary sees it; the batch's arrays stay put.
struct BinaryField {
  BinaryOp op;
  int scale;    // kNumeric: the fraction digits format_numeric writes
  size_t room;  // the most bytes the field takes; 0 = unbounded (kValue)
  const ColumnGenerator* generator;
  const Column* column;
  size_t index;  // in the table and the batch
  const int64_t* ints;
  const double* floats;
  const uint8_t* nulls;
};

}  // namespace

void TableGenerator::write_copy_binary(uint64_t begin, uint64_t end, ByteBuffer& out) const {
  const auto& columns = table_->columns;
  const size_t count = columns_.size();
  const auto field_count = static_cast<int16_t>(count);
  std::vector<std::string> scratch(count);  // one per column, as in write_copy_text
  gen::ColumnBatches batches(*this);
  std::vector<BinaryField> fields(count);
  // A row's bound when every field has one: then one need() per row.
  size_t row_room = 2;
  for (size_t c = 0; c < count; ++c) {
    BinaryField& f = fields[c];
    f = {BinaryOp::kValue, 0, 0, columns_[c].get(), &columns[c], c, nullptr, nullptr, nullptr};
    // The direct text path serves text columns only (its bytes are the field).
    const size_t direct = columns[c].type.is_textual() ? columns_[c]->max_text_size() : 0;
    if (direct > 0) {
      f.op = BinaryOp::kDirect;
      f.room = direct + 4;
    } else if (batches.kind(c) != Datum::Kind::kNull) {
      f.op = batch_op(columns[c].type, batches.kind(c));
      f.scale = columns[c].type.precision ? columns[c].type.scale : 6;
      f.room = f.op == BinaryOp::kInt16   ? 6
               : f.op == BinaryOp::kInt32 ? 8
               : f.op == BinaryOp::kInt64 ? 12
               : f.op == BinaryOp::kBool  ? 5
                                          : kMaxScalarField;
      f.ints = batches.ints(c);
      f.floats = batches.floats(c);
      f.nulls = batches.nulls(c);
    }
    row_room = f.room > 0 && row_room > 0 ? row_room + f.room : 0;
  }
  // Writes row r (of the batch) / `row` of field f at p, which has room for f.room bytes.
  auto put_bounded = [&](char* p, const BinaryField& f, size_t r, uint64_t row) -> char* {
    if (f.op == BinaryOp::kDirect) {
      char* e = f.generator->write_text(row, p + 4);
      return e ? (put(p, static_cast<int32_t>(e - p - 4)), e) : put(p, int32_t{-1});
    }
    if (f.nulls[r]) return put(p, int32_t{-1});
    switch (f.op) {
      case BinaryOp::kInt16:
        return put_field(p, static_cast<int16_t>(f.ints[r]));
      case BinaryOp::kInt32:
        return put_field(p, static_cast<int32_t>(f.ints[r]));
      case BinaryOp::kInt64:
        return put_field(p, f.ints[r]);
      case BinaryOp::kBool:
        return put_field(p, static_cast<uint8_t>(f.ints[r] != 0));
      case BinaryOp::kNumeric:
        return put_numeric_float(p, f.floats[r], f.scale);
      default:
        return put_value(p, batches.datum(f.index, r), *f.column);
    }
  };
  gen::Writer writer(out);
  batches.for_each_row(begin, end, [&](uint64_t row, size_t r) {
    if (row_room > 0) {
      char* p = put(writer.need(row_room), field_count);
      for (const BinaryField& f : fields) p = put_bounded(p, f, r, row);
      writer.done(p);
      return;
    }
    writer.done(put(writer.need(2), field_count));
    for (const BinaryField& f : fields) {
      if (f.op != BinaryOp::kValue) {
        writer.done(put_bounded(writer.need(f.room), f, r, row));
        continue;
      }
      const Datum d = f.generator->value(row, scratch[f.index]);
      if (d.kind == Datum::Kind::kNull) {
        writer.done(put(writer.need(4), int32_t{-1}));
        continue;
      }
      const size_t room = (d.kind == Datum::Kind::kText ? d.text.size() + 4 : 0) + kMaxScalarField;
      writer.done(put_value(writer.need(room), d, *f.column));
    }
  });
}

void TableGenerator::write_rows(RowFormat format, uint64_t begin, uint64_t end,
                                ByteBuffer& out) const {
  switch (format) {
    case RowFormat::kCopyText:
      return write_copy_text(begin, end, out);
    case RowFormat::kCopyBinary:
      return write_copy_binary(begin, end, out);
    case RowFormat::kCsv:
      return write_csv(begin, end, out);
  }
}

RowRange shard_rows(int64_t rows, int index, int count) {
  // Multiply before dividing (in 128 bits) so the slices differ by at most one row.
  const auto n = static_cast<unsigned __int128>(rows < 0 ? 0 : rows);
  const auto at = [&](int k) {
    return static_cast<uint64_t>(n * static_cast<unsigned>(k) / static_cast<unsigned>(count));
  };
  return {at(index), at(index + 1)};
}

}  // namespace pgshape
