// The gen module: the rows of a profile's tables, as pure functions of
// (seed, table, column, row), encoded for COPY or files. Nothing is stored per
// row, so memory does not grow with row count, and any row range can be made
// on its own (threads, --shard K/N) with byte-identical results.
//
// Sections: ByteBuffer (bytes on their way out), counter-based randomness,
// Zipf and the keyed permutation, the column and table generators.
#pragma once

#include <cstddef>
#include <cstdint>
#include <limits>
#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "pgshape/profile.hpp"

namespace pgshape {

// ---------------------------------------------------------------------------
// Bytes on their way to a COPY stream or a file. Unlike std::string, the room
// it grows into is left uninitialized: the encoders write every byte they
// claim, and zero-filling that room first cost 7 % of generating a products
// row. Owns its storage; movable, not copyable.

class ByteBuffer {
 public:
  ByteBuffer() = default;
  ByteBuffer(ByteBuffer&&) noexcept = default;
  ByteBuffer& operator=(ByteBuffer&&) noexcept = default;

  char* data() { return data_.get(); }
  const char* data() const { return data_.get(); }
  size_t size() const { return size_; }
  size_t capacity() const { return capacity_; }
  bool empty() const { return size_ == 0; }
  std::string_view view() const { return {data_.get(), size_}; }

  void clear() { size_ = 0; }
  // Makes capacity() at least n (growing at least geometrically); keeps the bytes.
  void reserve(size_t n);
  void append(std::string_view bytes);
  // Sets the size to n <= capacity(): the caller wrote bytes [size(), n) through data().
  void set_size(size_t n) { size_ = n; }

 private:
  std::unique_ptr<char[]> data_;
  size_t size_ = 0;
  size_t capacity_ = 0;
};

// ---------------------------------------------------------------------------
// Counter-based randomness: every generated value is a pure function of
// (seed, table, column, row), so any row range can be generated on its own —
// by any thread, process or machine — and the bytes come out the same.
//
// CounterEngine satisfies the UniformRandomBitGenerator requirements, so
// Boost.Random's distributions (whose output is fixed by Boost's source, unlike
// std::'s) draw from it directly.

// SplitMix64's finaliser: a bijective, well-mixing 64-bit hash.
constexpr uint64_t mix64(uint64_t x) {
  x += 0x9E3779B97F4A7C15ULL;
  x = (x ^ (x >> 30)) * 0xBF58476D1CE4E5B9ULL;
  x = (x ^ (x >> 27)) * 0x94D049BB133111EBULL;
  return x ^ (x >> 31);
}

// A fixed 64-bit hash of a name (FNV-1a, then mixed). Never std::hash, whose
// values differ between standard libraries and runs.
constexpr uint64_t hash_name(std::string_view name) {
  uint64_t h = 0xCBF29CE484222325ULL;
  for (char c : name) {
    h ^= static_cast<unsigned char>(c);
    h *= 0x100000001B3ULL;
  }
  return mix64(h);
}

// The key of one random stream: seed x table x column x purpose.
constexpr uint64_t stream_key(uint64_t seed, std::string_view table, std::string_view column,
                              std::string_view purpose = {}) {
  return mix64(mix64(mix64(seed) ^ hash_name(table)) ^ hash_name(column)) ^ hash_name(purpose);
}

// A tiny engine positioned at (key, counter): the stream for one value of one row.
class CounterEngine {
 public:
  using result_type = uint64_t;
  // One mix of key + counter * an odd constant (Weyl-sequence spacing, as
  // SplitMix64 walks its own state): distinct counters of one key start at
  // unrelated states, and the key's random offset keeps columns apart.
  constexpr CounterEngine(uint64_t key, uint64_t counter)
      : state_(mix64(key + counter * 0xD1B54A32D192ED03ULL)) {}
  static constexpr result_type min() { return 0; }
  static constexpr result_type max() { return std::numeric_limits<uint64_t>::max(); }
  constexpr result_type operator()() {
    state_ += 0x9E3779B97F4A7C15ULL;
    uint64_t z = state_;
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
    return z ^ (z >> 31);
  }
  // A double in [0, 1) with 53 random bits.
  constexpr double uniform01() { return static_cast<double>((*this)() >> 11) * 0x1.0p-53; }
  // An integer in [0, bound) (Lemire's multiply-shift; bias < bound / 2^64).
  constexpr uint64_t below(uint64_t bound) {
    return static_cast<uint64_t>((static_cast<unsigned __int128>((*this)()) * bound) >> 64);
  }

 private:
  uint64_t state_;
};

// ---------------------------------------------------------------------------
// Bounded Zipf ranks in O(1) time and memory: P(k) ~ 1 / k^s for k in [1, n].
//
// Rejection-inversion sampling (W. Hörmann, G. Derflinger, "Rejection-inversion
// to generate variates from monotone discrete distributions", ACM TOMACS 6(3),
// 1996): no table, any exponent s > 0 (including s = 1 and s < 1), and on
// average fewer than ~1.1 uniform draws per rank. Up to kTableLimit ranks an
// alias table (Walker/Vose) replaces it: one draw and no exp/log per rank,
// the same law.

class ZipfDistribution {
 public:
  // Preconditions: n >= 1, s > 0 (checked by profile validation; violated = InternalError).
  ZipfDistribution(int64_t n, double s);

  // Domains up to this many ranks sample from an alias table (12 bytes a rank).
  static constexpr int64_t kTableLimit = 1 << 16;

  // A rank in [1, n]; rank 1 is the most frequent.
  int64_t operator()(CounterEngine& engine) const;

  int64_t n() const { return n_; }
  double s() const { return s_; }
  // P(rank == k), exactly; O(n) per call, for tests and expected shares.
  double probability(int64_t k) const;

 private:
  void build_alias_table();
  double h(double x) const;
  double h_integral(double x) const;
  double h_integral_inverse(double x) const;

  int64_t n_;
  double s_;
  double h_integral_x1_;
  double h_integral_n_;
  double threshold_;
  // Alias table (n <= kTableLimit): rank i + 1 is kept when the draw's low 64
  // bits fall below keep_[i], else alias_[i] + 1 is taken.
  std::vector<uint64_t> keep_;
  std::vector<uint32_t> alias_;
};

// A keyed permutation of [0, n). Maps popularity ranks to row numbers so hot
// parents are spread over the table, and row numbers to unique values without
// storing them.
//
// A bijection of k-bit values (2^k >= n, k >= 2), cycle-walked back into range
// (fewer than 2 steps on average): three rounds of xor with a key, multiply by
// an odd constant, xorshift by half the width, as in SplitMix's finalizer. The
// value is held in the top k bits of a word, so each step maps k-bit values to
// k-bit values with no masking after the multiply and one shift count for the
// whole permutation: half the instructions of the Feistel network it replaced.
class Permutation {
 public:
  Permutation(uint64_t n, uint64_t key);
  uint64_t operator()(uint64_t x) const {  // precondition: x < n
    uint64_t y = x << down_;
    do {
      for (int i = 0; i < kRounds; ++i) {
        y = (y ^ round_keys_[i]) * kMultipliers[i];
        y ^= (y >> shift_) & mask_;
      }
    } while (y > last_);
    return y >> down_;
  }
  uint64_t size() const { return n_; }

 private:
  static constexpr int kRounds = 3;
  static constexpr uint64_t kMultipliers[kRounds] = {0x9E3779B97F4A7C15ULL, 0xBF58476D1CE4E5B9ULL,
                                                     0x94D049BB133111EBULL};
  uint64_t n_;
  int down_;       // 64 - k: a value x is held as x << down_
  int shift_;      // the xorshift: ceil(k / 2), so the top half reaches the bottom
  uint64_t mask_;  // the top k bits
  uint64_t last_;  // n - 1, held the same way
  uint64_t round_keys_[kRounds];
};

// ---------------------------------------------------------------------------
// Generators: the rows of a profile's tables at one scale point, as pure
// functions of (seed, table, column, row). Nothing is stored per row, so memory
// does not grow with row count, and any row range can be produced independently
// (threads, --shard K/N) with byte-identical results.
//
// A DatasetGenerator owns one TableGenerator per table, each owning its column
// generators; generators of foreign keys and copied columns hold non-owning
// pointers into the same DatasetGenerator, which must outlive its users.

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
