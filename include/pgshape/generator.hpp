// Generators: the rows of a profile's tables at one scale point, as pure
// functions of (seed, table, column, row). Nothing is stored per row, so memory
// does not grow with row count, and any row range can be produced independently
// (threads, --shard K/N) with byte-identical results.
//
// A DatasetGenerator owns one TableGenerator per table, each owning its column
// generators; generators of foreign keys and copied columns hold non-owning
// pointers into the same DatasetGenerator, which must outlive its users.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "pgshape/byte_buffer.hpp"
#include "pgshape/profile.hpp"

namespace pgshape {

// One generated value. Text points into caller-provided scratch space.
struct Datum {
  enum class Kind : uint8_t { kNull, kInt, kFloat, kBool, kText, kUuid };
  Kind kind = Kind::kNull;
  // kText only: true when the text is known to hold no byte that COPY text or
  // CSV escapes or quotes (\\ \t \n \r "), so encoders copy it without a scan.
  // False means unknown, never "needs escaping".
  bool plain = false;
  int64_t i = 0;          // kInt (days for dates, microseconds for timestamps), kBool (0/1)
  double f = 0;           // kFloat
  std::string_view text;  // kText
  uint64_t uuid_hi = 0, uuid_lo = 0;  // kUuid

  static Datum null() { return {}; }
  static Datum integer(int64_t v) { return make(Kind::kInt, v); }
  static Datum boolean(bool v) { return make(Kind::kBool, v); }
  static Datum real(double v) {
    Datum d = make(Kind::kFloat, 0);
    d.f = v;
    return d;
  }
  static Datum string(std::string_view v) {
    Datum d = make(Kind::kText, 0);
    d.text = v;
    return d;
  }
  // Text the generator knows to be plain (see `plain`).
  static Datum plain_string(std::string_view v) {
    Datum d = string(v);
    d.plain = true;
    return d;
  }

 private:
  static Datum make(Kind kind, int64_t i) {
    Datum d;
    d.kind = kind;
    d.i = i;
    return d;
  }
};

class ColumnGenerator {
 public:
  virtual ~ColumnGenerator() = default;
  // The value at `row` (0-based). Text values may point into `scratch`, and stay
  // valid until the next call that uses the same scratch. Thread-safe: const.
  virtual Datum value(uint64_t row, std::string& scratch) const = 0;

  // The direct text path, for columns whose values are plain text (see
  // Datum::plain) of bounded size: the encoders then write the value straight
  // into their buffer instead of through value() and a copy. 0 = no such path.
  virtual size_t max_text_size() const { return 0; }
  // Writes the text value() would return for `row` at p, which has room for
  // max_text_size() bytes; returns its end, or nullptr for NULL.
  virtual char* write_text(uint64_t row, char* p) const {
    (void)row;
    return p;
  }

  // The column-at-a-time path, for columns whose non-null values all have one
  // kind: kInt or kBool (held in `ints`) or kFloat (in `floats`); kNull = no
  // such path. The encoders then make one virtual call per column per batch of
  // rows instead of one per value, and no Datum travels through memory.
  virtual Datum::Kind batch_kind() const { return Datum::Kind::kNull; }
  // Rows [begin, begin + n): the values value() returns, in ints[i] or
  // floats[i] as batch_kind() says. nulls[i] is 0 on entry; a NULL sets it to 1
  // (its ints[i] / floats[i] are then unspecified).
  virtual void fill(uint64_t begin, size_t n, int64_t* ints, double* floats, uint8_t* nulls) const {
    (void)begin, (void)n, (void)ints, (void)floats, (void)nulls;
  }
  // The same for rows[0, n), in any order: what a foreign key batch reads from
  // its parent's key. One fill() per row unless a generator knows better.
  virtual void fill_rows(const uint64_t* rows, size_t n, int64_t* ints, double* floats,
                         uint8_t* nulls) const {
    for (size_t i = 0; i < n; ++i) fill(rows[i], 1, ints + i, floats + i, nulls + i);
  }
};

// The encodings rows can be written in.
enum class RowFormat : uint8_t {
  kCopyText,    // COPY ... FROM STDIN (text format)
  kCopyBinary,  // COPY ... FROM STDIN WITH (FORMAT binary): tuples only
  kCsv,         // COPY ... WITH (FORMAT csv), and other databases' loaders
};

// The 19 bytes a binary COPY stream starts with: signature, flags, extension length.
std::string_view copy_binary_header();
// The 2 bytes a binary COPY stream ends with (a field count of -1).
std::string_view copy_binary_trailer();

// Rows [begin, end) of `rows` that shard `index` (0-based) of `count` owns:
// contiguous, disjoint, in order, and together exactly [0, rows).
struct RowRange {
  uint64_t begin = 0, end = 0;
};
RowRange shard_rows(int64_t rows, int index, int count);

class TableGenerator {
 public:
  TableGenerator(const Table& table, int64_t rows) : table_(&table), rows_(rows) {}
  const Table& table() const { return *table_; }
  int64_t rows() const { return rows_; }
  const ColumnGenerator& column(size_t i) const { return *columns_[i]; }
  size_t column_count() const { return columns_.size(); }

  // Appends rows [begin, end) as PostgreSQL COPY text (tab-separated, \N for NULL).
  void write_copy_text(uint64_t begin, uint64_t end, ByteBuffer& out) const;
  // Appends rows [begin, end) as CSV (RFC 4180; empty unquoted field for NULL).
  void write_csv(uint64_t begin, uint64_t end, ByteBuffer& out) const;
  // Appends rows [begin, end) as tuples of PostgreSQL's binary COPY format,
  // without the stream's header and trailer (copy_binary_header/trailer()).
  // Every PgType has a binary form; once the server has read them the values
  // equal those of write_copy_text exactly (a numeric carries the very digits
  // text COPY would send). Throws InternalError for a datum the column's type
  // cannot hold (a generator bug).
  void write_copy_binary(uint64_t begin, uint64_t end, ByteBuffer& out) const;
  // Appends rows [begin, end) in `format`: one of the three above.
  void write_rows(RowFormat format, uint64_t begin, uint64_t end, ByteBuffer& out) const;

 private:
  friend class DatasetGenerator;
  const Table* table_;
  int64_t rows_;
  std::vector<std::unique_ptr<ColumnGenerator>> columns_;
};

class DatasetGenerator {
 public:
  // Builds the generators of every table of `profile` at `scale`. The profile
  // must outlive the generator. Throws InternalError on an unvalidated profile.
  DatasetGenerator(const Profile& profile, const Scale& scale, uint64_t seed);
  DatasetGenerator(const DatasetGenerator&) = delete;
  DatasetGenerator& operator=(const DatasetGenerator&) = delete;

  const std::vector<TableGenerator>& tables() const { return tables_; }  // profile order
  const TableGenerator& table(std::string_view name) const;
  uint64_t seed() const { return seed_; }

 private:
  std::vector<TableGenerator> tables_;
  uint64_t seed_;
};

}  // namespace pgshape
