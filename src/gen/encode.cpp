// Rows to COPY text and CSV: values are formatted straight into the output
// buffer (std::to_chars, no per-value allocation), in the text forms
// PostgreSQL's input functions read back exactly.
#include <bit>
#include <charconv>
#include <cmath>
#include <cstdint>
#include <cstring>
#include <vector>

#include "gen/encode.hpp"
#include "pgshape/gen.hpp"
#include "pgshape/util.hpp"

namespace pgshape {
namespace gen {
namespace {

// "00" "01" ... "99": two digits per table lookup.
constexpr char kPairs[] =
    "00010203040506070809101112131415161718192021222324252627282930313233343536373839"
    "40414243444546474849505152535455565758596061626364656667686970717273747576777879"
    "8081828384858687888990919293949596979899";

inline char* put2(char* p, unsigned v) {
  std::memcpy(p, kPairs + 2 * v, 2);
  return p + 2;
}

template <class T>
char* put_number(char* p, T value) {
  return std::to_chars(p, p + 64, value).ptr;
}

// At least `width` digits, zero-padded; value >= 0.
char* put_digits(char* p, int64_t value, int width) {
  if (width == 4 && value >= 0 && value < 10000) {
    p = put2(p, static_cast<unsigned>(value / 100));
    return put2(p, static_cast<unsigned>(value % 100));
  }
  char buffer[24];
  int n = 0;
  do {
    buffer[n++] = static_cast<char>('0' + value % 10);
    value /= 10;
  } while (value > 0 || n < width);
  while (n > 0) *p++ = buffer[--n];
  return p;
}

// "YYYY-MM-DD" (with " BC" added by the caller for years before 1 AD).
char* put_civil(char* p, const CivilDate& date) {
  p = put_digits(p, date.year <= 0 ? 1 - date.year : date.year, 4);
  *p++ = '-';
  p = put2(p, date.month);
  *p++ = '-';
  return put2(p, date.day);
}

char* put_date(char* p, int64_t days) {
  const CivilDate date = civil_from_days(days + kPgEpochDays);
  p = put_civil(p, date);
  if (date.year <= 0) {  // PostgreSQL spells years before 1 AD with a BC suffix
    std::memcpy(p, " BC", 3);
    p += 3;
  }
  return p;
}

char* put_timestamp(char* p, int64_t micros, bool with_zone) {
  int64_t days = micros / kMicrosPerDay;
  int64_t rest = micros % kMicrosPerDay;
  if (rest < 0) rest += kMicrosPerDay, --days;
  const CivilDate date = civil_from_days(days + kPgEpochDays);
  p = put_civil(p, date);
  *p++ = ' ';
  const auto seconds = static_cast<unsigned>(rest / 1'000'000);
  p = put2(p, seconds / 3600);
  *p++ = ':';
  p = put2(p, seconds / 60 % 60);
  *p++ = ':';
  p = put2(p, seconds % 60);
  if (const auto fraction = static_cast<unsigned>(rest % 1'000'000); fraction != 0) {
    *p++ = '.';
    p = put2(p, fraction / 10000);
    p = put2(p, fraction / 100 % 100);
    p = put2(p, fraction % 100);
  }
  if (with_zone) {
    std::memcpy(p, "+00", 3);
    p += 3;
  }
  if (date.year <= 0) {
    std::memcpy(p, " BC", 3);
    p += 3;
  }
  return p;
}

char* put_uuid(char* p, const Datum& d) {
  static constexpr char kHex[] = "0123456789abcdef";
  for (int i = 0; i < 32; ++i) {
    if (i == 8 || i == 12 || i == 16 || i == 20) *p++ = '-';
    const uint64_t word = i < 16 ? d.uuid_hi : d.uuid_lo;
    *p++ = kHex[(word >> (60 - 4 * (i % 16))) & 0xF];
  }
  return p;
}

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

// Writes text with COPY's escapes at p (room for 2 * size bytes); returns the end.
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

char* put_numeric(char* p, const Datum& d, const ColumnType& type) {
  return p + format_numeric(p, d, type);
}

// How the text encoders write a batched column's values: straight from the
// batch's arrays in put_plain's forms, without a Datum. kNone: not batched.
enum class TextOp : uint8_t {
  kNone,
  kDatum,
  kInt,
  kBool,
  kDate,
  kTimestamp,
  kTimestampTz,
  kNumeric
};

TextOp text_op(const ColumnType& type, Datum::Kind kind) {
  switch (kind) {
    case Datum::Kind::kBool:
      return TextOp::kBool;
    case Datum::Kind::kFloat:
      return type.kind == PgType::kNumeric ? TextOp::kNumeric : TextOp::kDatum;
    case Datum::Kind::kInt:
      switch (type.kind) {
        case PgType::kDate:
          return TextOp::kDate;
        case PgType::kTimestamp:
          return TextOp::kTimestamp;
        case PgType::kTimestamptz:
          return TextOp::kTimestampTz;
        case PgType::kNumeric:
          return TextOp::kDatum;
        default:
          return TextOp::kInt;
      }
    default:
      return TextOp::kNone;
  }
}

// The ops of a table's columns for the text encoders.
std::vector<TextOp> text_ops(const ColumnBatches& batches, const Table& table) {
  std::vector<TextOp> ops(table.columns.size());
  for (size_t c = 0; c < ops.size(); ++c) ops[c] = text_op(table.columns[c].type, batches.kind(c));
  return ops;
}

// Writes row r of batched column c (not NULL) at p, as put_plain writes its Datum.
char* put_batched(char* p, TextOp op, const ColumnBatches& batches, size_t c, size_t r,
                  const ColumnType& type) {
  switch (op) {
    case TextOp::kInt:
      return put_number(p, batches.ints(c)[r]);
    case TextOp::kBool:
      *p = batches.ints(c)[r] ? 't' : 'f';
      return p + 1;
    case TextOp::kDate:
      return put_date(p, batches.ints(c)[r]);
    case TextOp::kTimestamp:
      return put_timestamp(p, batches.ints(c)[r], false);
    case TextOp::kTimestampTz:
      return put_timestamp(p, batches.ints(c)[r], true);
    case TextOp::kNumeric:  // format_numeric's scale for a float
      return p + format_fixed(p, batches.floats(c)[r], type.precision ? type.scale : 6);
    case TextOp::kDatum:
    case TextOp::kNone:
      break;
  }
  return put_plain(p, batches.datum(c, r), type);
}

}  // namespace

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

size_t format_numeric(char* buffer, const Datum& d, const ColumnType& type) {
  if (d.kind == Datum::Kind::kFloat)
    return format_fixed(buffer, d.f, type.precision ? type.scale : 6);
  if (type.scale > 0) return format_fixed(buffer, static_cast<double>(d.i), type.scale);
  return static_cast<size_t>(std::to_chars(buffer, buffer + kFixedBufferSize, d.i).ptr - buffer);
}

char* put_plain(char* p, const Datum& d, const ColumnType& type) {
  switch (d.kind) {
    case Datum::Kind::kInt:
      if (type.kind == PgType::kDate) return put_date(p, d.i);
      if (type.kind == PgType::kTimestamp) return put_timestamp(p, d.i, false);
      if (type.kind == PgType::kTimestamptz) return put_timestamp(p, d.i, true);
      if (type.kind == PgType::kNumeric) return put_numeric(p, d, type);
      return put_number(p, d.i);
    case Datum::Kind::kFloat:
      if (type.is_integer()) return put_number(p, static_cast<int64_t>(std::llround(d.f)));
      if (type.kind == PgType::kNumeric) return put_numeric(p, d, type);
      if (type.kind == PgType::kReal) return put_number(p, static_cast<float>(d.f));
      return put_number(p, d.f);
    case Datum::Kind::kBool:
      *p = d.i ? 't' : 'f';
      return p + 1;
    case Datum::Kind::kText:
      std::memcpy(p, d.text.data(), d.text.size());
      return p + d.text.size();
    case Datum::Kind::kUuid:
      return put_uuid(p, d);
    case Datum::Kind::kNull:
      return p;
  }
  return p;
}

void append_plain(std::string& out, const Datum& d, const ColumnType& type) {
  const size_t used = out.size();
  out.resize(used + (d.kind == Datum::Kind::kText ? d.text.size() : kMaxScalarText));
  out.resize(static_cast<size_t>(put_plain(out.data() + used, d, type) - out.data()));
}

ColumnBatches::ColumnBatches(const TableGenerator& table)
    : table_(table), kinds_(table.column_count()), slots_(table.column_count()) {
  for (size_t c = 0; c < kinds_.size(); ++c) {
    // The direct text path is cheaper still; encoders take it first.
    kinds_[c] =
        table.column(c).max_text_size() > 0 ? Datum::Kind::kNull : table.column(c).batch_kind();
    if (kinds_[c] == Datum::Kind::kNull) continue;
    slots_[c] = batched_.size();
    batched_.push_back(c);
  }
  ints_.resize(batched_.size() * kRows);
  floats_.resize(batched_.size() * kRows);
  nulls_.resize(batched_.size() * kRows);
}

void ColumnBatches::fill(uint64_t begin, size_t n) {
  for (size_t k = 0; k < batched_.size(); ++k) {
    const size_t at = k * kRows;
    std::memset(&nulls_[at], 0, n);
    table_.column(batched_[k]).fill(begin, n, &ints_[at], &floats_[at], &nulls_[at]);
  }
}

bool plain_text(std::string_view text) {
  return plain_copy_text(text) && text.find('"') == std::string_view::npos;
}

}  // namespace gen

void TableGenerator::write_copy_text(uint64_t begin, uint64_t end, ByteBuffer& out) const {
  const auto& columns = table_->columns;
  const size_t count = columns_.size();
  // One scratch string per column: a column's text buffer keeps its size from
  // row to row instead of being resized by the others.
  std::vector<std::string> scratch(count);
  std::vector<size_t> direct(count);  // columns with a direct text path: its bound
  for (size_t c = 0; c < count; ++c) direct[c] = columns_[c]->max_text_size();
  gen::ColumnBatches batches(*this);
  const std::vector<gen::TextOp> ops = gen::text_ops(batches, *table_);
  // A row's bound when every column has one (direct text or batched): then
  // one need() per row.
  size_t row_room = count > 0 ? 0 : 1;
  for (size_t c = 0; c < count && row_room != SIZE_MAX; ++c) {
    if (direct[c] > 0)
      row_room += direct[c] + 3;
    else if (ops[c] != gen::TextOp::kNone)
      row_room += gen::kMaxScalarText + 2;
    else
      row_room = SIZE_MAX;
  }
  gen::Writer writer(out);
  batches.for_each_row(begin, end, [&](uint64_t row, size_t r) {
    if (row_room != SIZE_MAX && count > 0) {
      char* p = writer.need(row_room);
      for (size_t c = 0; c < count; ++c) {
        char* e = direct[c] > 0 ? columns_[c]->write_text(row, p)
                  : batches.nulls(c)[r]
                      ? nullptr
                      : gen::put_batched(p, ops[c], batches, c, r, columns[c].type);
        if (!e) {
          std::memcpy(p, "\\N", 2);
          e = p + 2;
        }
        *e++ = '\t';
        p = e;
      }
      p[-1] = '\n';
      writer.done(p);
      return;
    }
    for (size_t c = 0; c < count; ++c) {
      const char separator = c + 1 < count ? '\t' : '\n';
      if (direct[c] > 0) {
        char* p = writer.need(direct[c] + 3);
        char* e = columns_[c]->write_text(row, p);
        if (!e) {
          std::memcpy(p, "\\N", 2);
          e = p + 2;
        }
        *e++ = separator;
        writer.done(e);
        continue;
      }
      if (ops[c] != gen::TextOp::kNone) {
        char* p = writer.need(gen::kMaxScalarText + 2);
        if (batches.nulls(c)[r]) {
          std::memcpy(p, "\\N", 2);
          p += 2;
        } else {
          p = gen::put_batched(p, ops[c], batches, c, r, columns[c].type);
        }
        *p++ = separator;
        writer.done(p);
        continue;
      }
      const Datum d = columns_[c]->value(row, scratch[c]);
      char* p;
      if (d.kind == Datum::Kind::kText) {
        p = writer.need(2 * d.text.size() + 2);
        if (d.plain) {
          std::memcpy(p, d.text.data(), d.text.size());
          p += d.text.size();
        } else {
          p = gen::put_copy_escaped(p, d.text);
        }
      } else {
        p = writer.need(gen::kMaxScalarText + 2);
        if (d.kind == Datum::Kind::kNull) {
          std::memcpy(p, "\\N", 2);
          p += 2;
        } else {
          p = gen::put_plain(p, d, columns[c].type);
        }
      }
      *p++ = separator;
      writer.done(p);
    }
    if (count == 0) writer.put('\n');
  });
}

void TableGenerator::write_csv(uint64_t begin, uint64_t end, ByteBuffer& out) const {
  const auto& columns = table_->columns;
  const size_t count = columns_.size();
  std::vector<std::string> scratch(count);
  std::vector<size_t> direct(count);
  for (size_t c = 0; c < count; ++c) direct[c] = columns_[c]->max_text_size();
  gen::ColumnBatches batches(*this);
  const std::vector<gen::TextOp> ops = gen::text_ops(batches, *table_);
  gen::Writer writer(out);
  batches.for_each_row(begin, end, [&](uint64_t row, size_t r) {
    for (size_t c = 0; c < count; ++c) {
      const char separator = c + 1 < count ? ',' : '\n';
      if (direct[c] > 0) {
        char* p = writer.need(direct[c] + 3);
        *p = '"';
        char* e = columns_[c]->write_text(row, p + 1);
        if (e)
          *e++ = '"';
        else
          e = p;  // NULL: an empty unquoted field
        *e++ = separator;
        writer.done(e);
        continue;
      }
      if (ops[c] != gen::TextOp::kNone) {
        char* p = writer.need(gen::kMaxScalarText + 1);
        if (!batches.nulls(c)[r]) p = gen::put_batched(p, ops[c], batches, c, r, columns[c].type);
        *p++ = separator;
        writer.done(p);
        continue;
      }
      const Datum d = columns_[c]->value(row, scratch[c]);
      char* p;
      if (d.kind == Datum::Kind::kText) {
        // Quoted always: an empty string must differ from NULL.
        p = writer.need(2 * d.text.size() + 3);
        *p++ = '"';
        if (d.plain) {
          std::memcpy(p, d.text.data(), d.text.size());
          p += d.text.size();
        } else {
          for (char ch : d.text) {
            if (ch == '"') *p++ = '"';
            *p++ = ch;
          }
        }
        *p++ = '"';
      } else {
        p = writer.need(gen::kMaxScalarText + 1);
        if (d.kind != Datum::Kind::kNull) p = gen::put_plain(p, d, columns[c].type);
      }
      *p++ = separator;
      writer.done(p);
    }
    if (count == 0) writer.put('\n');
  });
}

}  // namespace pgshape
