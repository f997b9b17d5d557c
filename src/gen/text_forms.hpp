// Internal to the encoders: the text forms of values that every row writer
// inlines (integers, dates, timestamps, uuids), and put_scalar, which writes
// a non-text lane's value in its text form. Header-only: these run once per
// value, and a call per value was a measurable share of a row's cost.
#pragma once

#include <charconv>
#include <cmath>
#include <cstdint>
#include <cstring>

#include "gen/encode.hpp"
#include "pgshape/util.hpp"

namespace pgshape::gen {

// "00" "01" ... "99": two digits per table lookup.
inline constexpr char kPairs[] =
    "00010203040506070809101112131415161718192021222324252627282930313233343536373839"
    "40414243444546474849505152535455565758596061626364656667686970717273747576777879"
    "8081828384858687888990919293949596979899";

inline char* put2(char* p, unsigned v) {
  std::memcpy(p, kPairs + 2 * v, 2);
  return p + 2;
}

template <class T>
inline char* put_number(char* p, T value) {
  return std::to_chars(p, p + 64, value).ptr;
}

// At least `width` digits, zero-padded; value >= 0.
inline char* put_digits(char* p, int64_t value, int width) {
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
inline char* put_civil(char* p, const CivilDate& date) {
  p = put_digits(p, date.year <= 0 ? 1 - date.year : date.year, 4);
  *p++ = '-';
  p = put2(p, date.month);
  *p++ = '-';
  return put2(p, date.day);
}

inline char* put_date(char* p, int64_t days) {
  const CivilDate date = civil_from_days(days + kPgEpochDays);
  p = put_civil(p, date);
  if (date.year <= 0) {  // PostgreSQL spells years before 1 AD with a BC suffix
    std::memcpy(p, " BC", 3);
    p += 3;
  }
  return p;
}

inline char* put_timestamp(char* p, int64_t micros, bool with_zone) {
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

inline char* put_uuid(char* p, const Uuid& u) {
  static constexpr char kHex[] = "0123456789abcdef";
  for (int i = 0; i < 32; ++i) {
    if (i == 8 || i == 12 || i == 16 || i == 20) *p++ = '-';
    const uint64_t word = i < 16 ? u.hi : u.lo;
    *p++ = kHex[(word >> (60 - 4 * (i % 16))) & 0xF];
  }
  return p;
}

// Writes row r of `v` (not NULL; op != kText: then its text, unescaped) in its
// text form at p; returns the end.
inline char* put_scalar(char* p, TextOp op, const Lanes& v, size_t r, const ColumnType& type) {
  switch (op) {
    case TextOp::kInt:
      return put_number(p, v.ints[r]);
    case TextOp::kBool:
      *p = v.ints[r] ? 't' : 'f';
      return p + 1;
    case TextOp::kDate:
      return put_date(p, v.ints[r]);
    case TextOp::kTimestamp:
      return put_timestamp(p, v.ints[r], false);
    case TextOp::kTimestampTz:
      return put_timestamp(p, v.ints[r], true);
    case TextOp::kNumericInt:
      return p + format_numeric_int(p, v.ints[r], type);
    case TextOp::kNumericFloat:
      return p + format_fixed(p, v.floats[r], numeric_scale(type));
    case TextOp::kRounded:
      return put_number(p, static_cast<int64_t>(std::llround(v.floats[r])));
    case TextOp::kReal:
      return put_number(p, static_cast<float>(v.floats[r]));
    case TextOp::kDouble:
      return put_number(p, v.floats[r]);
    case TextOp::kUuid:
      return put_uuid(p, v.uuids[r]);
    case TextOp::kText:
      break;
  }
  const std::string_view text = v.text_at(r);
  std::memcpy(p, text.data(), text.size());
  return p + text.size();
}

}  // namespace pgshape::gen
