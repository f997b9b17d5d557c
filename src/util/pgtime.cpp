#include "pgshape/util.hpp"

#include <cctype>
#include <charconv>

namespace pgshape {
namespace {

bool read_int(std::string_view& s, size_t digits, int64_t& out) {
  if (s.size() < digits) return false;
  int64_t value = 0;
  for (size_t i = 0; i < digits; ++i) {
    if (!std::isdigit(static_cast<unsigned char>(s[i]))) return false;
    value = value * 10 + (s[i] - '0');
  }
  out = value;
  s.remove_prefix(digits);
  return true;
}

bool expect(std::string_view& s, char c) {
  if (s.empty() || s.front() != c) return false;
  s.remove_prefix(1);
  return true;
}

constexpr unsigned kDaysInMonth[] = {31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};

bool read_date(std::string_view& s, int64_t& days) {
  int64_t y = 0, m = 0, d = 0;
  if (!read_int(s, 4, y) || !expect(s, '-') || !read_int(s, 2, m) || !expect(s, '-') ||
      !read_int(s, 2, d))
    return false;
  if (m < 1 || m > 12 || d < 1 || d > kDaysInMonth[m - 1]) return false;
  const bool leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
  if (m == 2 && d == 29 && !leap) return false;
  days = days_from_civil(y, static_cast<unsigned>(m), static_cast<unsigned>(d)) - kPgEpochDays;
  return true;
}

}  // namespace

std::optional<int64_t> parse_pg_date(std::string_view text) {
  int64_t days = 0;
  if (!read_date(text, days) || !text.empty()) return std::nullopt;
  return days;
}

std::optional<int64_t> parse_pg_timestamp(std::string_view s) {
  int64_t days = 0;
  if (!read_date(s, days)) return std::nullopt;
  int64_t micros = days * kMicrosPerDay;
  if (s.empty()) return micros;
  if (s.front() != ' ' && s.front() != 'T') return std::nullopt;
  s.remove_prefix(1);
  int64_t hh = 0, mm = 0, ss = 0;
  if (!read_int(s, 2, hh) || !expect(s, ':') || !read_int(s, 2, mm)) return std::nullopt;
  if (!s.empty() && s.front() == ':') {
    s.remove_prefix(1);
    if (!read_int(s, 2, ss)) return std::nullopt;
  }
  if (hh > 23 || mm > 59 || ss > 60) return std::nullopt;
  int64_t fraction = 0;
  if (!s.empty() && s.front() == '.') {
    s.remove_prefix(1);
    int64_t scale = 100000;
    size_t digits = 0;
    while (!s.empty() && std::isdigit(static_cast<unsigned char>(s.front()))) {
      if (digits++ < 6) fraction += (s.front() - '0') * scale, scale /= 10;
      s.remove_prefix(1);
    }
    if (digits == 0) return std::nullopt;
  }
  micros += ((hh * 60 + mm) * 60 + ss) * 1'000'000 + fraction;
  if (s.empty() || s == "Z" || s == "z") return micros;
  const char sign = s.front();
  if (sign != '+' && sign != '-') return std::nullopt;
  s.remove_prefix(1);
  int64_t oh = 0, om = 0;
  if (!read_int(s, 2, oh)) return std::nullopt;
  if (!s.empty()) {
    expect(s, ':');
    if (!read_int(s, 2, om) || !s.empty()) return std::nullopt;
  }
  const int64_t offset = (oh * 60 + om) * 60'000'000;
  return sign == '+' ? micros - offset : micros + offset;
}

std::optional<int64_t> parse_duration(std::string_view text) {
  if (text.size() < 2) return std::nullopt;
  double value = 0;
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size() - 1, value);
  if (ec != std::errc() || end != text.data() + text.size() - 1 || value < 0) return std::nullopt;
  double unit = 0;
  switch (text.back()) {
    case 's':
      unit = 1e6;
      break;
    case 'm':
      unit = 60e6;
      break;
    case 'h':
      unit = 3600e6;
      break;
    case 'd':
      unit = 86400e6;
      break;
    case 'w':
      unit = 7 * 86400e6;
      break;
    default:
      return std::nullopt;
  }
  return static_cast<int64_t>(value * unit);
}

}  // namespace pgshape
