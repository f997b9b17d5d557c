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
#include <functional>
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
// The contract (after DuckDB's vectorised scalar functions): a column generator
// fills a batch of rows into a typed ColumnVector — one lane of values, a NULL
// mask, and for text an arena — and the encoders read only vectors. The rows of
// a batch are a Selection: a range (a table's own rows) or a list (the parent
// rows a foreign key chose). The single value, value(row), is the batch of one.
//
// A DatasetGenerator owns one TableGenerator per table, each owning its column
// generators; generators of foreign keys and copied columns hold non-owning
// pointers into the same DatasetGenerator, which must outlive its users.

// One generated value, for tests and for callers that want one row (params).
// Text points into caller-provided scratch space.
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

 private:
  static Datum make(Kind kind, int64_t i) {
    Datum d;
    d.kind = kind;
    d.i = i;
    return d;
  }
};

// The rows of one batch: rows [begin, begin + size) of a table (a range), or
// `size` rows listed in any order (a list, e.g. the parent rows a foreign key
// chose). A list's storage is borrowed and must outlive the selection.
class Selection {
 public:
  static Selection range(uint64_t begin, size_t size) { return {begin, nullptr, size}; }
  static Selection list(const uint64_t* rows, size_t size) { return {0, rows, size}; }
  size_t size() const { return size_; }
  bool is_range() const { return rows_ == nullptr; }
  uint64_t operator[](size_t i) const { return rows_ ? rows_[i] : begin_ + i; }
  // Calls body(i, row) for each row in order. The loop is compiled once per
  // selection kind, so a generator writes its body once for both.
  template <class Body>
  void for_each(Body&& body) const {
    if (rows_ == nullptr) {
      for (size_t i = 0; i < size_; ++i) body(i, begin_ + i);
    } else {
      for (size_t i = 0; i < size_; ++i) body(i, rows_[i]);
    }
  }

 private:
  Selection(uint64_t begin, const uint64_t* rows, size_t size)
      : begin_(begin), rows_(rows), size_(size) {}
  uint64_t begin_;
  const uint64_t* rows_;
  size_t size_;
};

struct Uuid {
  uint64_t hi = 0, lo = 0;
};

// One column's values for the rows of a batch: a lane of the generator's kind
// (ints for kInt and kBool, floats, uuids, or text in an arena with offsets and
// lengths), a NULL mask (1 = NULL; a NULL row's value is unspecified), and for
// a foreign key the parent rows it chose. Owns its storage and keeps it from
// batch to batch, so a steady stream of batches allocates nothing.
class ColumnVector {
 public:
  ColumnVector() = default;
  ColumnVector(ColumnVector&&) noexcept = default;
  ColumnVector& operator=(ColumnVector&&) noexcept = default;

  // Makes room for n rows of `kind`, none NULL, text empty and not known plain.
  // Leaves parent_rows() as it is (a foreign key fills its values at them).
  void reset(Datum::Kind kind, size_t n);
  Datum::Kind kind() const { return kind_; }
  size_t size() const { return size_; }

  int64_t* ints() { return ints_.data(); }  // kInt, kBool (0 or 1)
  const int64_t* ints() const { return ints_.data(); }
  double* floats() { return floats_.data(); }
  const double* floats() const { return floats_.data(); }
  Uuid* uuids() { return uuids_.data(); }
  const Uuid* uuids() const { return uuids_.data(); }
  uint8_t* nulls() { return nulls_.data(); }
  const uint8_t* nulls() const { return nulls_.data(); }

  // kText: row i is text_data() + offsets()[i], lengths()[i] bytes long.
  const char* text_data() const { return arena_.data(); }
  const uint32_t* offsets() const { return offsets_.data(); }
  const uint32_t* lengths() const { return lengths_.data(); }
  size_t text_bytes() const { return arena_.size(); }
  std::string_view text(size_t i) const { return {arena_.data() + offsets_[i], lengths_[i]}; }
  // Room for `bytes` more bytes at the arena's end (uninitialized); a writer
  // may scribble up to `bytes` there, then hands its text's end to set_text.
  char* text_room(size_t bytes) {
    if (arena_.capacity() - arena_.size() < bytes + kTextSlack) grow_arena(bytes + kTextSlack);
    return arena_.data() + arena_.size();
  }
  // Bytes past the arena's end that may always be read: encoders copy short
  // texts in fixed 16- or 32-byte moves instead of a library call per value.
  static constexpr size_t kTextSlack = 32;
  // Row i's text is [begin, end), begin the last text_room() pointer.
  void set_text(size_t i, const char* begin, const char* end) {
    offsets_[i] = static_cast<uint32_t>(begin - arena_.data());
    lengths_[i] = static_cast<uint32_t>(end - begin);
    arena_.set_size(static_cast<size_t>(end - arena_.data()));
  }
  void set_text(size_t i, std::string_view text);
  // A batch's worth of text written in one go: append(i, end) records row i as
  // [at(), end) and moves at() there. Holds the lanes in locals, which stores
  // through char* cannot alias; finish() (or the destructor) sets the arena's size.
  class TextAppender {
   public:
    // Room for `bytes` (every value and any writer's scribbling past the last);
    // no other text may be added to `v` while the appender lives.
    TextAppender(ColumnVector& v, size_t bytes)
        : v_(v),
          base_(v.text_room(bytes)),
          p_(base_),
          offsets_(v.offsets_.data()),
          lengths_(v.lengths_.data()),
          first_(static_cast<uint32_t>(v.arena_.size())) {}
    ~TextAppender() { finish(); }
    TextAppender(const TextAppender&) = delete;
    TextAppender& operator=(const TextAppender&) = delete;
    char* at() const { return p_; }
    void append(size_t i, char* end) {
      offsets_[i] = first_ + static_cast<uint32_t>(p_ - base_);
      lengths_[i] = static_cast<uint32_t>(end - p_);
      p_ = end;
    }
    void finish() { v_.arena_.set_size(first_ + static_cast<size_t>(p_ - base_)); }

   private:
    ColumnVector& v_;
    char* base_;
    char* p_;
    uint32_t* offsets_;
    uint32_t* lengths_;
    uint32_t first_;
  };
  // True when every text is known to be plain (see Datum::plain).
  bool plain() const { return plain_; }
  void set_plain(bool plain) { plain_ = plain; }

  // A foreign key's parent row per row (valid where not NULL); n rows of room.
  uint64_t* parent_rows(size_t n);
  const uint64_t* parent_rows() const { return parent_rows_.data(); }

  // A vector this one owns for a generator's intermediate values (an empirical
  // foreign key's keys); kept between batches like the lanes.
  ColumnVector& scratch();
  // The scratch vector if one was made, for a generator reading another's
  // intermediate values from the batch (a fanout key's child numbers); else null.
  const ColumnVector* scratch_if_made() const { return scratch_.get(); }

  // Row i as a Datum; text points into this vector.
  Datum datum(size_t i) const;

 private:
  void grow_arena(size_t bytes);
  Datum::Kind kind_ = Datum::Kind::kNull;
  size_t size_ = 0;
  std::vector<int64_t> ints_;
  std::vector<double> floats_;
  std::vector<Uuid> uuids_;
  std::vector<uint8_t> nulls_;
  ByteBuffer arena_;
  std::vector<uint32_t> offsets_, lengths_;
  bool plain_ = false;
  std::vector<uint64_t> parent_rows_;
  std::unique_ptr<ColumnVector> scratch_;
};

// The vectors of a table's columns for one selection, filled in dependency
// order: when a column is filled, the columns it reads are already there.
class Batch {
 public:
  explicit Batch(size_t columns) : columns_(columns), rows_(Selection::range(0, 0)) {}
  const Selection& rows() const { return rows_; }
  void set_rows(const Selection& rows) { rows_ = rows; }
  ColumnVector& column(size_t i) { return columns_[i]; }
  const ColumnVector& column(size_t i) const { return columns_[i]; }
  size_t column_count() const { return columns_.size(); }

 private:
  std::vector<ColumnVector> columns_;
  Selection rows_;
};

class TableGenerator;

class ColumnGenerator {
 public:
  virtual ~ColumnGenerator() = default;
  // The lane this generator fills: kInt, kBool, kFloat, kUuid or kText. Fixed.
  virtual Datum::Kind kind() const = 0;
  // Columns of the same table (indices) whose vectors fill() reads from its
  // batch; the table fills them first. None unless a generator says so.
  virtual std::vector<size_t> inputs() const { return {}; }
  // Fills `out` with the values of the selected rows: out.reset(kind(),
  // rows.size()), then each value into the lane, and 1 in nulls() for a NULL.
  // `batch` holds inputs() already filled for the same selection. Thread-safe
  // (const); throws InternalError for a value the generator cannot make.
  virtual void fill(const Selection& rows, const Batch& batch, ColumnVector& out) const = 0;

  // The value at `row` (0-based): the batch of one (its inputs filled through
  // its table). Text points into `scratch` until its next use. For tests and
  // callers that want single rows; the encoders never use it.
  Datum value(uint64_t row, std::string& scratch) const;

 private:
  friend class DatasetGenerator;
  const TableGenerator* table_ = nullptr;  // set when wired into a table
  size_t index_ = 0;                       // in that table
};

// The text form text COPY writes for a value of a column of `type`, before
// any escaping (empty for NULL): what a parameter file or a report shows.
std::string value_text(const Datum& d, const ColumnType& type);

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

  // Fills every column's vector of `batch` (column_count() of them) for `rows`,
  // in dependency order. `rows` (a list's storage too) must outlive the batch's use.
  void fill(const Selection& rows, Batch& batch) const;
  // Fills one column for `rows` into `out`; the columns it reads are filled in
  // a batch of their own. What a foreign key or copy does with its parent table.
  void fill_column(size_t column, const Selection& rows, ColumnVector& out) const;
  // Throws InternalError naming table, column and row for the first value of
  // `batch` that does not fit its column's type (out of the type's range, a
  // numeric(p,s) overflow, a non-finite float, text longer than varchar(n)):
  // the encoders refuse such a value instead of wrapping it.
  void check_fits(const Batch& batch) const;

  // Appends rows [begin, end) as PostgreSQL COPY text (tab-separated, \N for NULL).
  void write_copy_text(uint64_t begin, uint64_t end, ByteBuffer& out) const;
  // Appends rows [begin, end) as CSV (RFC 4180; empty unquoted field for NULL).
  void write_csv(uint64_t begin, uint64_t end, ByteBuffer& out) const;
  // Appends rows [begin, end) as tuples of PostgreSQL's binary COPY format,
  // without the stream's header and trailer (copy_binary_header/trailer()).
  // Every PgType has a binary form; once the server has read them the values
  // equal those of write_copy_text exactly (a numeric carries the very digits
  // text COPY would send).
  void write_copy_binary(uint64_t begin, uint64_t end, ByteBuffer& out) const;
  // Appends rows [begin, end) in `format`: one of the three above. Each throws
  // InternalError (check_fits) rather than write a value its column cannot hold.
  void write_rows(RowFormat format, uint64_t begin, uint64_t end, ByteBuffer& out) const;

 private:
  friend class DatasetGenerator;
  const Table* table_;
  int64_t rows_;
  std::vector<std::unique_ptr<ColumnGenerator>> columns_;
  std::vector<size_t> order_;               // columns in fill order: inputs before their readers
  std::vector<std::vector<size_t>> needs_;  // per column: what it reads, transitively, in order
};

class DatasetGenerator {
 public:
  // Builds the generators of every table of `profile` at `scale`. The profile
  // must outlive the generator. Throws InternalError on an unvalidated profile
  // (and for a column whose values would not fit its type at every row, such
  // as a sequence that would wrap).
  DatasetGenerator(const Profile& profile, const Scale& scale, uint64_t seed);
  DatasetGenerator(const DatasetGenerator&) = delete;
  DatasetGenerator& operator=(const DatasetGenerator&) = delete;

  const std::vector<TableGenerator>& tables() const { return tables_; }  // profile order
  const TableGenerator& table(std::string_view name) const;
  uint64_t seed() const { return seed_; }

 private:
  struct Unlinked;
  Unlinked make_columns(const Profile& profile, const Scale& scale, TableGenerator& table);
  void link(const TableGenerator& table, const Unlinked& unlinked) const;

  std::vector<TableGenerator> tables_;
  uint64_t seed_;
};

// ---------------------------------------------------------------------------
// One row stream: a table's rows, encoded batch by batch, handed to a sink —
// a COPY connection (load) or a file (generate) — with the format's header,
// the flushes and the trailer written in one place.

// Where a stream's bytes go. write() is handed each flush; it throws to stop
// the stream (a failed write, a cancelled load).
class RowSink {
 public:
  virtual ~RowSink() = default;
  virtual void write(std::string_view bytes) = 0;
};

struct StreamResult {
  int64_t rows = 0;
  uint64_t bytes = 0;  // handed to the sink
  double seconds = 0;  // generating, encoding and writing
};

class RowStream {
 public:
  // Bytes gathered before each write to the sink: large writes amortise its cost.
  static constexpr size_t kFlushBytes = 1 << 20;
  // Rows encoded between progress reports.
  static constexpr uint64_t kStepRows = 1024;

  // Which rows of [first, first + n) a stream writes: appended to `rows`, in order.
  using RowFilter = std::function<void(uint64_t first, size_t n, std::vector<uint64_t>& rows)>;

  // Rows `range` of `table` in `format`; the table must outlive the stream.
  // With `keep`, only the rows it selects (one partition leaf's, for load).
  RowStream(const TableGenerator& table, RowFormat format, RowRange range, RowFilter keep = {});
  // Writes the whole stream to `sink`: the header (binary), the rows, the
  // trailer (binary; an empty range is still a valid stream). After each write
  // calls progress(rows written so far), which may throw to stop. Throws what
  // the sink or progress throw, and InternalError for a value that does not
  // fit its column (nothing of that batch reaches the sink).
  StreamResult write_to(RowSink& sink, const std::function<void(int64_t rows_done)>& progress = {});

 private:
  const TableGenerator& table_;
  RowFormat format_;
  RowRange range_;
  RowFilter keep_;
};

}  // namespace pgshape
