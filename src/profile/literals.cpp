// Values written in a profile (weighted and empirical values, histogram bounds)
// against the column types that must hold them, and the sizes of patterns.
// The rules follow what the generator parses and what PostgreSQL's input
// functions accept, so a literal that passes here loads as written.
#include <fmt/format.h>
#include <cfloat>
#include <charconv>
#include <cmath>

#include "pgshape/util.hpp"
#include "profile/reader.hpp"

namespace pgshape::profile {
namespace {

bool parse_whole(std::string_view text, int64_t& value) {
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  return ec == std::errc() && end == text.data() + text.size();
}

bool parse_number(std::string_view text, double& value) {
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  return ec == std::errc() && end == text.data() + text.size() && std::isfinite(value);
}

bool is_uuid(std::string_view text) {
  if (text.size() != 36) return false;
  for (size_t i = 0; i < text.size(); ++i) {
    const bool dash = i == 8 || i == 13 || i == 18 || i == 23;
    if (dash ? text[i] != '-' : !std::isxdigit(static_cast<unsigned char>(text[i]))) return false;
  }
  return true;
}

std::string_view without_trailing_spaces(std::string_view text) {
  while (!text.empty() && text.back() == ' ') text.remove_suffix(1);
  return text;
}

}  // namespace

size_t invalid_utf8_at(std::string_view text) {
  for (size_t i = 0; i < text.size();) {
    const auto c = static_cast<unsigned char>(text[i]);
    const size_t len = c < 0x80         ? 1
                       : (c >> 5) == 6  ? 2
                       : (c >> 4) == 14 ? 3
                       : (c >> 3) == 30 ? 4
                                        : 0;
    bool ok = len > 0 && i + len <= text.size();
    for (size_t k = 1; ok && k < len; ++k) ok = (static_cast<unsigned char>(text[i + k]) >> 6) == 2;
    if (!ok) return i;
    i += len;
  }
  return std::string_view::npos;
}

size_t char_count(std::string_view text) {
  size_t chars = 0;
  for (char c : text)
    if ((static_cast<unsigned char>(c) & 0xC0) != 0x80) ++chars;
  return chars;
}

bool numeric_fits(const ColumnType& type, long double value) {
  if (!std::isfinite(value)) return false;
  if (type.kind == PgType::kReal) return std::fabs(value) <= FLT_MAX;
  if (type.kind != PgType::kNumeric || type.precision == 0) return std::fabs(value) <= DBL_MAX;
  // numeric(p,s) rounds to s decimals and then needs fewer than p - s digits
  // before the point: v must stay below 10^(p-s) - 0.5 * 10^-s.
  const long double limit =
      std::pow(10.0L, type.precision - type.scale) - 0.5L * std::pow(10.0L, -type.scale);
  return std::fabs(value) < limit;
}

bool literal_fits(const ColumnType& type, std::string_view literal, std::string& why) {
  if (type.is_integer()) {
    int64_t value = 0;
    if (!parse_whole(literal, value)) {
      why = "not a whole number";
      return false;
    }
    if (value > type.integer_max() || value < type.integer_min()) {
      why = fmt::format("out of range ({} holds {} to {})", type.sql(), type.integer_min(),
                        type.integer_max());
      return false;
    }
    return true;
  }
  if (type.is_fractional()) {
    double value = 0;
    if (!parse_number(literal, value)) {
      why = "not a finite number";
      return false;
    }
    if (!numeric_fits(type, value)) {
      why = fmt::format("out of range for {}", type.sql());
      return false;
    }
    return true;
  }
  switch (type.kind) {
    case PgType::kBoolean:
      if (literal == "true" || literal == "false" || literal == "t" || literal == "f") return true;
      why = "write true or false";
      return false;
    case PgType::kDate:
      if (parse_pg_date(literal)) return true;
      why = "write YYYY-MM-DD";
      return false;
    case PgType::kTimestamp:
    case PgType::kTimestamptz:
      if (parse_pg_timestamp(literal)) return true;
      why = "write YYYY-MM-DD HH:MM:SS";
      return false;
    case PgType::kUuid:
      if (is_uuid(literal)) return true;
      why = "write a UUID (8-4-4-4-12 hex digits)";
      return false;
    default:
      break;
  }
  if (literal.find('\0') != std::string_view::npos) {
    why = "it holds a NUL byte, which PostgreSQL text cannot";
    return false;
  }
  // PostgreSQL cuts spaces past the length silently and refuses anything else.
  const size_t chars = char_count(without_trailing_spaces(literal));
  if (type.max_chars() > 0 && chars > static_cast<size_t>(type.max_chars())) {
    why = fmt::format("{} characters, more than {} allows", chars, type.sql());
    return false;
  }
  return true;
}

std::string canonical_literal(const ColumnType& type, std::string_view literal) {
  int64_t whole = 0;
  double number = 0;
  if (type.is_integer() && parse_whole(literal, whole)) return std::to_string(whole);
  if (type.is_fractional() && parse_number(literal, number)) {
    if (type.kind == PgType::kReal) return fmt::format("{}", static_cast<float>(number));
    if (type.kind == PgType::kNumeric && type.precision > 0)
      return fmt::format("{:.{}f}", number, type.scale);
    return fmt::format("{}", number);
  }
  if (type.kind == PgType::kBoolean) return literal == "t" || literal == "true" ? "t" : "f";
  if (type.kind == PgType::kDate)
    if (auto days = parse_pg_date(literal)) return std::to_string(*days);
  if (type.is_temporal())
    if (auto micros = parse_pg_timestamp(literal)) return std::to_string(*micros);
  if (type.kind == PgType::kUuid) {
    std::string lower(literal);
    for (char& c : lower) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    return lower;
  }
  // character(n) ignores trailing spaces when it compares.
  if (type.kind == PgType::kChar) return std::string(without_trailing_spaces(literal));
  return std::string(literal);
}

// The number of distinct strings a pattern can produce, saturating at 4.6e18.
double pattern_domain(std::string_view pattern) {
  double domain = 1;
  for (size_t i = 0; i < pattern.size(); ++i) {
    if (pattern[i] == '\\')
      ++i;
    else if (pattern[i] == '#')
      domain *= 10;
    else if (pattern[i] == '?')
      domain *= 26;
    else if (pattern[i] == '*')
      domain *= 36;
    if (domain > 4.6e18) return 4.6e18;
  }
  return domain;
}

size_t pattern_length(std::string_view pattern) {
  size_t length = 0;
  for (size_t i = 0; i < pattern.size(); ++i) {
    if (pattern[i] == '\\') ++i;
    // Count characters, not bytes: varchar(n) limits characters.
    if (i < pattern.size() && (static_cast<unsigned char>(pattern[i]) & 0xC0) != 0x80) ++length;
  }
  return length;
}

}  // namespace pgshape::profile
