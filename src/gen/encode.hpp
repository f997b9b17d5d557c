// Internal to the generator: the text forms of values (text_forms.cpp), shared
// so that binary COPY of a numeric or of a value in a text column carries
// exactly the characters text COPY would have sent; the row encoders that turn
// a table's batches into COPY text, CSV or binary (encode.cpp,
// encode_binary.cpp), which read only column vectors; and the buffer writer.
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
// Room for a non-numeric scalar's text form: a 20-digit integer, a 24-character
// double, a 36-character uuid, a 34-character timestamp.
inline constexpr size_t kShortScalarText = 64;

// Writes `value` with exactly `scale` (0..30) digits after the point into `buffer`
// (kFixedBufferSize bytes) and returns the length: the same characters as
// std::to_chars(..., std::chars_format::fixed, scale), correctly rounded from the
// double's exact binary value, but without its cost in the common case.
size_t format_fixed(char* buffer, double value, int scale);

// The integer format_fixed writes the digits of (|value| * 10^scale, rounded),
// when its fast path applies (scale < 16, the product below 2^52 and not too
// near a half): then true. False sends the value to format_fixed's slow path.
bool scaled_fixed(double value, int scale, uint64_t& n);

// The fraction digits a numeric column's floats are written with.
inline int numeric_scale(const ColumnType& type) {
  return type.precision ? type.scale : 6;
}

// The text of an integer in a numeric column, as text COPY writes it.
size_t format_numeric_int(char* buffer, int64_t value, const ColumnType& type);

// True when no byte of `text` is one COPY text escapes or CSV quotes
// (\\ \t \n \r "): such text is copied as it is (see Datum::plain).
bool plain_text(std::string_view text);

// Writes text with COPY's escapes at p (room for 2 * size bytes); returns the end.
char* put_copy_escaped(char* p, std::string_view text);

// How a non-text lane's value is written as text, by column type and lane:
// decided once per column, not per value.
enum class TextOp : uint8_t {
  kInt,
  kBool,
  kDate,
  kTimestamp,
  kTimestampTz,
  kNumericInt,    // an integer in a numeric column
  kNumericFloat,  // a float in a numeric column: numeric_scale digits
  kRounded,       // a float in an integer column
  kReal,
  kDouble,
  kUuid,
  kText,  // the text lane: copied (escaped or quoted by the format)
};
TextOp text_op(const ColumnType& type, Datum::Kind kind);
// The most bytes put_scalar writes for `op` (kText: 0, its size is the text's).
size_t text_op_room(TextOp op);
// A vector's lanes as raw pointers, taken once per batch: the row writers'
// stores through char* could alias a vector's members, which would reload
// them at every value.
struct Lanes {
  const uint8_t* nulls;
  const int64_t* ints;
  const double* floats;
  const Uuid* uuids;
  const char* text;
  const uint32_t* offsets;
  const uint32_t* lengths;
  bool plain;
  static Lanes of(const ColumnVector& v) {
    return {v.nulls(),     v.ints(),    v.floats(),  v.uuids(),
            v.text_data(), v.offsets(), v.lengths(), v.plain()};
  }
  std::string_view text_at(size_t r) const { return {text + offsets[r], lengths[r]}; }
};

// Copies a value's text (of a ColumnVector's arena, which may be read
// kTextSlack bytes past its end) to p, which has as much room past the text's
// end: short texts in one fixed-size move. Returns the end of the text at p.
[[gnu::always_inline]] inline char* copy_text(char* p, std::string_view text) {
  static_assert(ColumnVector::kTextSlack >= 32);
  if (text.size() <= 16)
    std::memcpy(p, text.data(), 16);
  else if (text.size() <= 32)
    std::memcpy(p, text.data(), 32);
  else
    std::memcpy(p, text.data(), text.size());
  return p + text.size();
}

// put_scalar (text_forms.hpp) writes a value by its TextOp.

// Encodes one table's rows in one format: fills each batch of rows, checks its
// values against their columns' types (TableGenerator::check_fits), and writes
// the rows from the vectors. Not thread-safe: one per stream.
class RowEncoder {
 public:
  // Rows per batch: vectors small enough to stay in cache while the rows are
  // written back from them.
  static constexpr size_t kBatchRows = 128;
  // Throws InternalError when a column's lane has no encoding in `format`.
  RowEncoder(const TableGenerator& table, RowFormat format);
  // Appends rows [begin, end) to `out`.
  void encode(uint64_t begin, uint64_t end, ByteBuffer& out);
  // Appends rows[0..n) (any rows of the table, in that order) to `out`.
  void encode(const uint64_t* rows, size_t n, ByteBuffer& out);

  // One column as the row writers see it: how to write it, and for the
  // current batch where its lanes are.
  struct Field {
    TextOp text;     // the text form (text formats; binary's text columns)
    uint8_t binary;  // the binary form (encode_binary.cpp's BinaryOp)
    size_t room;     // most bytes a non-text value takes in this format, separator included
    const ColumnType* type;
    const ColumnVector* v;
    Lanes lanes;  // of *v, for the current batch
  };

 private:
  void write_batch(const Selection& rows, ByteBuffer& out);
  const TableGenerator& table_;
  RowFormat format_;
  Batch batch_;
  std::vector<Field> fields_;
};

// The row writers over one filled batch (every field's `v` set).
void write_text_rows(std::vector<RowEncoder::Field>& fields, size_t rows, bool csv,
                     ByteBuffer& out);
void write_binary_rows(std::vector<RowEncoder::Field>& fields, size_t rows, ByteBuffer& out);
// The binary form of a column (RowEncoder::Field::binary) and its room; throws
// InternalError for a lane the type has no binary form for.
uint8_t binary_op(const Column& column, Datum::Kind kind, size_t& room);

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
