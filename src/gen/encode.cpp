// Rows to COPY text and CSV: values are formatted straight into the output
// buffer (std::to_chars, no per-value allocation), in the text forms
// PostgreSQL's input functions read back exactly.
#include <charconv>
#include <cmath>

#include "pgshape/generator.hpp"
#include "util/pgtime.hpp"

namespace pgshape {
namespace {

template <class T>
void append_number(std::string& out, T value) {
  char buffer[64];
  auto [end, ec] = std::to_chars(buffer, buffer + sizeof buffer, value);
  out.append(buffer, static_cast<size_t>(end - buffer));
}

void append_fixed(std::string& out, double value, int scale) {
  char buffer[400];
  auto [end, ec] =
      std::to_chars(buffer, buffer + sizeof buffer, value, std::chars_format::fixed, scale);
  if (ec != std::errc()) {  // beyond any numeric(p,s) that validation lets through
    append_number(out, value);
    return;
  }
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

// Formats a non-null datum for a column of `type` (no quoting or escaping).
void append_plain(std::string& out, const Datum& d, const ColumnType& type) {
  switch (d.kind) {
    case Datum::Kind::kInt:
      if (type.kind == PgType::kDate) return append_date(out, d.i);
      if (type.kind == PgType::kTimestamp) return append_timestamp(out, d.i, false);
      if (type.kind == PgType::kTimestamptz) return append_timestamp(out, d.i, true);
      if (type.kind == PgType::kNumeric && type.scale > 0)
        return append_fixed(out, static_cast<double>(d.i), type.scale);
      return append_number(out, d.i);
    case Datum::Kind::kFloat:
      if (type.is_integer()) return append_number(out, static_cast<int64_t>(std::llround(d.f)));
      if (type.kind == PgType::kNumeric)
        return append_fixed(out, d.f, type.precision ? type.scale : 6);
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

void append_copy_escaped(std::string& out, std::string_view text) {
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

}  // namespace

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
        append_copy_escaped(out, d.text);
      else
        append_plain(out, d, columns[c].type);
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
        append_plain(out, d, columns[c].type);
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
