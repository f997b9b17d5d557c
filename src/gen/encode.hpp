// Internal to the encoders (encode.cpp, encode_binary.cpp): the text forms of
// values, shared so that binary COPY of a numeric or of a value in a text
// column carries exactly the characters text COPY would have sent.
#pragma once

#include <cstddef>
#include <string>

#include "pgshape/generator.hpp"

namespace pgshape::gen {

// Room for any value format_fixed writes (a double's 309 integer digits, the
// point, up to 30 fraction digits and a sign).
inline constexpr size_t kFixedBufferSize = 400;

// Writes `value` with exactly `scale` (0..30) digits after the point into `buffer`
// (kFixedBufferSize bytes) and returns the length: the same characters as
// std::to_chars(..., std::chars_format::fixed, scale), correctly rounded from the
// double's exact binary value, but without its cost in the common case.
size_t format_fixed(char* buffer, double value, int scale);

// The text of a numeric column's value (kInt or kFloat), as text COPY writes it.
size_t format_numeric(char* buffer, const Datum& d, const ColumnType& type);

// Appends the text form of a non-null datum for a column of `type` (no quoting
// or escaping).
void append_plain(std::string& out, const Datum& d, const ColumnType& type);

}  // namespace pgshape::gen
