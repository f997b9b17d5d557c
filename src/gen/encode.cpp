// Rows to COPY text and CSV: values are formatted straight into the output
// buffer (std::to_chars, no per-value allocation), in the text forms
// PostgreSQL's input functions read back exactly.
#include <charconv>
#include <cmath>
#include <cstring>

#include "gen/encode.hpp"
#include "pgshape/generator.hpp"
#include "util/pgtime.hpp"

namespace pgshape {
namespace gen {
namespace {

template <class T>
void append_number(std::string& out, T value) {
  char buffer[64];
  auto [end, ec] = std::to_chars(buffer, buffer + sizeof buffer, value);
  out.append(buffer, static_cast<size_t>(end - buffer));
}

void append_digits(std::string& out, int64_t value, int width) {
  char buffer[24];
  int n = 0;
  do {
    buffer[n++] = static_cast<char>('0' + value % 10);
    value /= 10;
  } while (value > 0 || n < width);
  while (n > 0) out += buffer[--n];
}

void append_date(std::string& out, int64_t days) {
  const CivilDate date = civil_from_days(days + kPgEpochDays);
  if (date.year <= 0) {  // PostgreSQL spells years before 1 AD with a BC suffix
    append_digits(out, 1 - date.year, 4);
  } else {
    append_digits(out, date.year, 4);
  }
  out += '-';
  append_digits(out, date.month, 2);
  out += '-';
  append_digits(out, date.day, 2);
  if (date.year <= 0) out += " BC";
}

void append_timestamp(std::string& out, int64_t micros, bool with_zone) {
  int64_t days = micros / kMicrosPerDay;
  int64_t rest = micros % kMicrosPerDay;
  if (rest < 0) rest += kMicrosPerDay, --days;
  const bool bc = civil_from_days(days + kPgEpochDays).year <= 0;
  const CivilDate date = civil_from_days(days + kPgEpochDays);
  append_digits(out, bc ? 1 - date.year : date.year, 4);
  out += '-';
  append_digits(out, date.month, 2);
  out += '-';
  append_digits(out, date.day, 2);
  out += ' ';
  const int64_t seconds = rest / 1'000'000;
  append_digits(out, seconds / 3600, 2);
  out += ':';
  append_digits(out, seconds / 60 % 60, 2);
  out += ':';
  append_digits(out, seconds % 60, 2);
  if (const int64_t fraction = rest % 1'000'000; fraction != 0) {
    out += '.';
    append_digits(out, fraction, 6);
  }
  if (with_zone) out += "+00";
  if (bc) out += " BC";
}

void append_uuid(std::string& out, const Datum& d) {
  static constexpr char kHex[] = "0123456789abcdef";
  for (int i = 0; i < 32; ++i) {
    if (i == 8 || i == 12 || i == 16 || i == 20) out += '-';
    const uint64_t word = i < 16 ? d.uuid_hi : d.uuid_lo;
    out += kHex[(word >> (60 - 4 * (i % 16))) & 0xF];
  }
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

void append_copy_escaped(std::string& out, std::string_view text) {
  if (plain_copy_text(text)) {
    out.append(text);
    return;
  }
  size_t start = 0;
  for (size_t i = 0; i < text.size(); ++i) {
    const char c = text[i];
    const char* escape = c == '\\'   ? "\\\\"
                         : c == '\t' ? "\\t"
                         : c == '\n' ? "\\n"
                         : c == '\r' ? "\\r"
                                     : nullptr;
    if (!escape) continue;
    out.append(text.substr(start, i - start));
    out.append(escape);
    start = i + 1;
  }
  out.append(text.substr(start));
}

void append_numeric(std::string& out, const Datum& d, const ColumnType& type) {
  char buffer[kFixedBufferSize];
  out.append(buffer, format_numeric(buffer, d, type));
}

}  // namespace

size_t format_fixed(char* buffer, double value, int scale) {
  static constexpr double kPow10[] = {1e0, 1e1, 1e2,  1e3,  1e4,  1e5,  1e6,  1e7,
                                      1e8, 1e9, 1e10, 1e11, 1e12, 1e13, 1e14, 1e15};
  if (scale >= 0 && scale < 16 && std::isfinite(value)) {
    // value * 10^scale rounded to an integer is the answer. The product r is
    // off the exact one by at most half an ulp, so rounding r agrees with
    // rounding the exact product unless r lies within an ulp or two of a
    // half: those few cases (and ties, rounded to even) go to to_chars below.
    const double r = std::fabs(value) * kPow10[scale];
    if (r < 0x1p52) {
      const double floor = std::floor(r);
      const double fraction = r - floor;  // exact below 2^52
      const double ulp = std::nextafter(r, HUGE_VAL) - r;
      if (std::fabs(fraction - 0.5) > 2 * ulp) {
        auto n = static_cast<uint64_t>(floor) + (fraction > 0.5 ? 1 : 0);
        char digits[24];
        int count = 0;
        do {
          digits[count++] = static_cast<char>('0' + n % 10);
          n /= 10;
        } while (n > 0);
        while (count <= scale) digits[count++] = '0';  // at least one digit before the point
        size_t length = 0;
        if (std::signbit(value)) buffer[length++] = '-';  // to_chars writes -0.00 too
        for (int i = count - 1; i >= 0; --i) {
          buffer[length++] = digits[i];
          if (i == scale && scale > 0) buffer[length++] = '.';
        }
        return length;
      }
    }
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

void append_plain(std::string& out, const Datum& d, const ColumnType& type) {
  switch (d.kind) {
    case Datum::Kind::kInt:
      if (type.kind == PgType::kDate) return append_date(out, d.i);
      if (type.kind == PgType::kTimestamp) return append_timestamp(out, d.i, false);
      if (type.kind == PgType::kTimestamptz) return append_timestamp(out, d.i, true);
      if (type.kind == PgType::kNumeric) return append_numeric(out, d, type);
      return append_number(out, d.i);
    case Datum::Kind::kFloat:
      if (type.is_integer()) return append_number(out, static_cast<int64_t>(std::llround(d.f)));
      if (type.kind == PgType::kNumeric) return append_numeric(out, d, type);
      if (type.kind == PgType::kReal) return append_number(out, static_cast<float>(d.f));
      return append_number(out, d.f);
    case Datum::Kind::kBool:
      out += d.i ? 't' : 'f';
      return;
    case Datum::Kind::kText:
      out.append(d.text);
      return;
    case Datum::Kind::kUuid:
      return append_uuid(out, d);
    case Datum::Kind::kNull:
      return;
  }
}

}  // namespace gen

void TableGenerator::write_copy_text(uint64_t begin, uint64_t end, std::string& out) const {
  std::string scratch;
  const auto& columns = table_->columns;
  for (uint64_t row = begin; row < end; ++row) {
    for (size_t c = 0; c < columns_.size(); ++c) {
      if (c > 0) out += '\t';
      const Datum d = columns_[c]->value(row, scratch);
      if (d.kind == Datum::Kind::kNull)
        out += "\\N";
      else if (d.kind == Datum::Kind::kText)
        gen::append_copy_escaped(out, d.text);
      else
        gen::append_plain(out, d, columns[c].type);
    }
    out += '\n';
  }
}

void TableGenerator::write_csv(uint64_t begin, uint64_t end, std::string& out) const {
  std::string scratch;
  const auto& columns = table_->columns;
  for (uint64_t row = begin; row < end; ++row) {
    for (size_t c = 0; c < columns_.size(); ++c) {
      if (c > 0) out += ',';
      const Datum d = columns_[c]->value(row, scratch);
      if (d.kind == Datum::Kind::kNull) continue;
      if (d.kind != Datum::Kind::kText) {
        gen::append_plain(out, d, columns[c].type);
        continue;
      }
      // Quoted always: an empty string must differ from NULL.
      out += '"';
      for (char ch : d.text) {
        if (ch == '"') out += '"';
        out += ch;
      }
      out += '"';
    }
    out += '\n';
  }
}

}  // namespace pgshape
