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

#include <fmt/format.h>

#include "gen/encode.hpp"
#include "pgshape/error.hpp"
#include "pgshape/generator.hpp"

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
void put(std::string& out, T v) {
  const T be = to_big_endian(v);
  char bytes[sizeof(T)];
  std::memcpy(bytes, &be, sizeof(T));
  out.append(bytes, sizeof(T));
}

// A fixed-width field: its length, then its value.
template <class T>
void put_field(std::string& out, T v) {
  char bytes[4 + sizeof(T)];
  const auto length = to_big_endian(static_cast<int32_t>(sizeof(T)));
  const T be = to_big_endian(v);
  std::memcpy(bytes, &length, 4);
  std::memcpy(bytes + 4, &be, sizeof(T));
  out.append(bytes, sizeof bytes);
}

void put_bytes(std::string& out, std::string_view bytes) {
  put(out, static_cast<int32_t>(bytes.size()));
  out.append(bytes);
}

// A numeric from its text "[-]digits[.digits]" (as format_numeric writes it):
// int16 ndigits, weight, sign, dscale, then base-10000 digits — numeric_recv's
// layout. dscale is the count of fraction digits, as numeric_in would derive
// from the same text; numeric_recv then applies the column's typmod as
// numeric_in does, so both paths store the same value.
void put_numeric(std::string& out, std::string_view text) {
  constexpr uint16_t kPositive = 0x0000, kNegative = 0x4000;
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
  int first = 0, last = count;  // strip zero groups at both ends, as make_result does
  int weight = whole_groups - 1;
  while (first < last && digits[first] == 0) ++first, --weight;
  while (last > first && digits[last - 1] == 0) --last;
  const int ndigits = last - first;
  const bool zero = ndigits == 0;
  put(out, static_cast<int32_t>(8 + 2 * ndigits));
  put(out, static_cast<int16_t>(ndigits));
  put(out, static_cast<int16_t>(zero ? 0 : weight));
  put(out, zero || !negative ? kPositive : kNegative);
  put(out, static_cast<uint16_t>(fraction.size()));
  for (int i = first; i < last; ++i) put(out, digits[i]);
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

// Appends one non-null field of `column`. The conversions mirror the text
// encoder's (gen::append_plain) case by case.
void put_value(std::string& out, const Datum& d, const Column& column) {
  const ColumnType& type = column.type;
  const bool number = d.kind == Datum::Kind::kInt || d.kind == Datum::Kind::kBool;
  switch (type.kind) {
    case PgType::kSmallint:
    case PgType::kInteger:
    case PgType::kBigint: {
      if (!number && d.kind != Datum::Kind::kFloat) mismatch(column, d);
      const int64_t v = d.kind == Datum::Kind::kFloat ? std::llround(d.f) : d.i;
      if (type.kind == PgType::kSmallint) return put_field(out, static_cast<int16_t>(v));
      if (type.kind == PgType::kInteger) return put_field(out, static_cast<int32_t>(v));
      return put_field(out, v);
    }
    case PgType::kNumeric: {
      if (!number && d.kind != Datum::Kind::kFloat) mismatch(column, d);
      char text[gen::kFixedBufferSize];
      return put_numeric(out, std::string_view(text, gen::format_numeric(text, d, type)));
    }
    case PgType::kReal:
    case PgType::kDouble: {
      if (!number && d.kind != Datum::Kind::kFloat) mismatch(column, d);
      // Text COPY writes the shortest text that reads back as this very float
      // (or the integer's digits, which the server rounds once, as this cast does).
      if (type.kind == PgType::kReal) {
        const float f =
            d.kind == Datum::Kind::kFloat ? static_cast<float>(d.f) : static_cast<float>(d.i);
        return put_field(out, std::bit_cast<uint32_t>(f));
      }
      const double f = d.kind == Datum::Kind::kFloat ? d.f : static_cast<double>(d.i);
      return put_field(out, std::bit_cast<uint64_t>(f));
    }
    case PgType::kBoolean:
      if (!number) mismatch(column, d);
      return put_field(out, static_cast<uint8_t>(d.i != 0));
    case PgType::kDate:
      if (d.kind != Datum::Kind::kInt) mismatch(column, d);
      return put_field(out, static_cast<int32_t>(d.i));  // days since 2000-01-01
    case PgType::kTimestamp:
    case PgType::kTimestamptz:
      if (d.kind != Datum::Kind::kInt) mismatch(column, d);
      return put_field(out, d.i);  // microseconds since 2000-01-01 (UTC for timestamptz)
    case PgType::kUuid: {
      uint64_t hi = d.uuid_hi, lo = d.uuid_lo;
      if (d.kind == Datum::Kind::kText && !parse_uuid(d.text, hi, lo)) mismatch(column, d);
      if (d.kind != Datum::Kind::kUuid && d.kind != Datum::Kind::kText) mismatch(column, d);
      put(out, int32_t{16});
      put(out, hi);
      return put(out, lo);
    }
    case PgType::kText:
    case PgType::kVarchar: {
      if (d.kind == Datum::Kind::kText) return put_bytes(out, d.text);
      // A number or date in a text column: its text form is its binary form.
      const size_t at = out.size();
      put(out, int32_t{0});
      gen::append_plain(out, d, type);
      const auto length = to_big_endian(static_cast<int32_t>(out.size() - at - 4));
      std::memcpy(out.data() + at, &length, 4);
      return;
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

void TableGenerator::write_copy_binary(uint64_t begin, uint64_t end, std::string& out) const {
  std::string scratch;
  const auto& columns = table_->columns;
  const auto field_count = static_cast<int16_t>(columns_.size());
  for (uint64_t row = begin; row < end; ++row) {
    put(out, field_count);
    for (size_t c = 0; c < columns_.size(); ++c) {
      const Datum d = columns_[c]->value(row, scratch);
      if (d.kind == Datum::Kind::kNull)
        put(out, int32_t{-1});
      else
        put_value(out, d, columns[c]);
    }
  }
}

void TableGenerator::write_rows(RowFormat format, uint64_t begin, uint64_t end,
                                std::string& out) const {
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
