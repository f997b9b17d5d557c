// Internal to the encoders (encode.cpp, encode_binary.cpp): the text forms of
// values, shared so that binary COPY of a numeric or of a value in a text
// column carries exactly the characters text COPY would have sent, and the
// buffer writer both encoders fill.
#pragma once

#include <algorithm>
#include <cstddef>
#include <cstring>
#include <string>
#include <string_view>
#include <vector>

#include "pgshape/gen.hpp"

namespace pgshape::gen {

// Room for any value format_fixed writes (a double's 309 integer digits, the
// point, up to 30 fraction digits and a sign).
inline constexpr size_t kFixedBufferSize = 400;
// Room for any non-text value's text form (numbers, dates, timestamps, uuids).
inline constexpr size_t kMaxScalarText = kFixedBufferSize + 16;

// Writes `value` with exactly `scale` (0..30) digits after the point into `buffer`
// (kFixedBufferSize bytes) and returns the length: the same characters as
// std::to_chars(..., std::chars_format::fixed, scale), correctly rounded from the
// double's exact binary value, but without its cost in the common case.
size_t format_fixed(char* buffer, double value, int scale);

// The integer format_fixed writes the digits of (|value| * 10^scale, rounded),
// when its fast path applies (scale < 16, the product below 2^52 and not too
// near a half): then true. False sends the value to format_fixed's slow path.
bool scaled_fixed(double value, int scale, uint64_t& n);

// The text of a numeric column's value (kInt or kFloat), as text COPY writes it.
size_t format_numeric(char* buffer, const Datum& d, const ColumnType& type);

// Writes the text form of a non-null datum for a column of `type` (no quoting or
// escaping) at `p`, which has room for kMaxScalarText bytes or the datum's text;
// returns the end.
char* put_plain(char* p, const Datum& d, const ColumnType& type);

// Appends the text form of a non-null datum for a column of `type` (no quoting
// or escaping).
void append_plain(std::string& out, const Datum& d, const ColumnType& type);

// True when no byte of `text` is one COPY text escapes or CSV quotes
// (\\ \t \n \r "): such text is copied as it is (see Datum::plain).
bool plain_text(std::string_view text);

// The values of a table's batchable columns (ColumnGenerator::batch_kind), up
// to kRows rows at a time: one virtual call per column per batch, in arrays
// small enough to stay in L1 while the encoder reads them back row by row.
class ColumnBatches {
 public:
  static constexpr size_t kRows = 128;
  explicit ColumnBatches(const TableGenerator& table);
  // Fills rows [begin, begin + n) of every batchable column; n <= kRows.
  void fill(uint64_t begin, size_t n);
  // The encoders' loop: fills the batches for rows [begin, end), kRows at a
  // time, and calls encode_row(row, r) for each row, r its index in the batch.
  template <class EncodeRow>
  void for_each_row(uint64_t begin, uint64_t end, EncodeRow&& encode_row) {
    for (uint64_t first = begin; first < end; first += kRows) {
      const size_t n = static_cast<size_t>(std::min<uint64_t>(kRows, end - first));
      fill(first, n);
      for (size_t r = 0; r < n; ++r) encode_row(first + r, r);
    }
  }
  // kNull for a column without the batch path.
  Datum::Kind kind(size_t column) const { return kinds_[column]; }
  // The last batch of a batchable column: NULL flags, and the values by kind.
  const uint8_t* nulls(size_t column) const { return &nulls_[slots_[column] * kRows]; }
  const int64_t* ints(size_t column) const { return &ints_[slots_[column] * kRows]; }
  const double* floats(size_t column) const { return &floats_[slots_[column] * kRows]; }
  // Row `r` of the last batch of a batchable column, as value() returns it.
  Datum datum(size_t column, size_t r) const {
    const size_t at = slots_[column] * kRows + r;
    Datum d;
    if (nulls_[at]) return d;
    d.kind = kinds_[column];
    if (d.kind == Datum::Kind::kFloat)
      d.f = floats_[at];
    else
      d.i = ints_[at];
    return d;
  }

 private:
  const TableGenerator& table_;
  std::vector<Datum::Kind> kinds_;
  std::vector<size_t> slots_;    // column -> its arrays' index among the batchable ones
  std::vector<size_t> batched_;  // the batchable columns
  std::vector<int64_t> ints_;
  std::vector<double> floats_;
  std::vector<uint8_t> nulls_;
};

// Appends to a ByteBuffer through a raw pointer. need(n) makes room for n more
// bytes (uninitialized); the buffer's size becomes what was written when the
// writer goes out of scope.
class Writer {
 public:
  explicit Writer(ByteBuffer& out)
      : out_(out), p_(out.data() + out.size()), end_(out.data() + out.capacity()) {}
  ~Writer() { out_.set_size(static_cast<size_t>(p_ - out_.data())); }
  Writer(const Writer&) = delete;
  Writer& operator=(const Writer&) = delete;

  // A pointer with room for n bytes; hand the end of what was written to done().
  char* need(size_t n) {
    if (static_cast<size_t>(end_ - p_) < n) grow(n);
    return p_;
  }
  void done(char* p) { p_ = p; }
  void put(char c) { *need(1) = c, ++p_; }
  void append(const char* data, size_t size) {
    std::memcpy(need(size), data, size);
    p_ += size;
  }

 private:
  void grow(size_t n) {
    const size_t used = static_cast<size_t>(p_ - out_.data());
    out_.set_size(used);  // reserve() keeps bytes up to the size
    out_.reserve(used + n);
    p_ = out_.data() + used;
    end_ = out_.data() + out_.capacity();
  }
  ByteBuffer& out_;
  char* p_;
  char* end_;
};

}  // namespace pgshape::gen
