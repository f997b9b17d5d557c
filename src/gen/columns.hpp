// Internal to the generator: what the column generator families share (their
// context, the chance test, checked integer conversion, the refusal message),
// the kinds that other families wire together (ranks, foreign keys, copies),
// and the factory that picks a generator for a profile column.
//
// Families, one file each: numbers.cpp (sequence, uniform, normal, lognormal,
// timeline, bernoulli), choices.cpp (weighted, zipf/hotset ranks, uuid, NULLs,
// the factory), text.cpp (words, patterns), keys.cpp (ranks, foreign keys,
// copies), empirical.cpp (pg_stats shapes).
#pragma once

#include <cmath>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "gen/value_domain.hpp"
#include "pgshape/gen.hpp"

namespace pgshape::gen {

// What a column generator needs to know beyond the column itself. The table
// and column live in the profile, which outlives every generator.
struct ColumnContext {
  uint64_t seed;
  const Table* table;
  const Column* column;
  int64_t rows;  // of this table at this scale
};

// Throws InternalError "<table>.<column> row <row>: <what>": a value the
// column cannot hold, which validation should have refused. kEveryRow: the
// generator's parameters themselves cannot work (found when it is built).
inline constexpr uint64_t kEveryRow = UINT64_MAX;
[[noreturn]] void refuse(const Table& table, const Column& column, uint64_t row,
                         std::string_view what);

// The test uniform01() < p as an integer comparison of the same draw: the
// draw's top 53 bits k give k * 2^-53 < p exactly when k < ceil(p * 2^53)
// (p * 2^53 is exact), without the conversion to double on the way.
class Chance {
 public:
  explicit Chance(double p)
      : threshold_(!(p > 0) ? 0
                   : p >= 1 ? uint64_t{1} << 53
                            : static_cast<uint64_t>(std::ceil(std::ldexp(p, 53)))) {}
  bool operator()(CounterEngine& engine) const { return (engine() >> 11) < threshold_; }
  bool operator()(uint64_t key, uint64_t row) const {
    CounterEngine engine(key, row);
    return (*this)(engine);
  }

 private:
  uint64_t threshold_;
};

// The integers a column's declared bounds allow: [ceil(min), floor(max)], so a
// value never leaves its bounds by rounding (min 0.5, max 0.7 holds no
// integer). Infinite when a bound is not declared.
struct IntegerBounds {
  double lo, hi;
  IntegerBounds(double min, double max) : lo(std::ceil(min)), hi(std::floor(max)) {}
  bool empty() const { return !(lo <= hi); }
  // The integer nearest v (halves away from zero, as llround), kept inside the
  // bounds; false when that is no int64 (or v is NaN).
  bool round(double v, int64_t& out) const {
    double r = std::round(v);
    r = r < lo ? lo : r > hi ? hi : r;  // not fmin/fmax: library calls; NaN stays NaN
    if (!(r >= -0x1p63 && r < 0x1p63)) return false;
    out = static_cast<int64_t>(r);
    return true;
  }
};

// Skewed or uniform choice of a rank in [0, domain): foreign keys and zipf/hotset columns.
class RankPicker {
 public:
  RankPicker(const Distribution& dist, int64_t domain);
  uint64_t operator()(CounterEngine& engine) const;
  // P(rank == r) for r < hot (hot items), for reporting the expected shape.
  double hot_share() const { return hot_ > 0 ? share_ : 0; }
  int64_t hot() const { return hot_; }

 private:
  int64_t domain_;
  int64_t hot_ = 0;
  double share_ = 0;
  std::unique_ptr<ZipfDistribution> zipf_;  // over the non-hot ranks; null = uniform
};

// Where the rows of a table with a fanout foreign key belong: for each row its
// parent row and its 0-based number among that parent's children, computed
// from the row alone (any range, any shard, the same answer). Parents are
// ranked by a keyed stride, rank(p) = (p * stride + offset) mod P: a bijection
// whose inverse is a multiplication too, so the parents used are spread evenly
// over the parent table. The rank-j parent has the j-th largest size of the
// split (pgshape/fanout.hpp).
//   shuffled: positions are rounds, round n holding the parents with more than
//     n children (a prefix of the ranks), and a keyed permutation of the rows
//     scatters the positions, so neither the key nor the number follows the heap;
//   clustered: rows are grouped by parent in parent row order (each parent's
//     children together, numbered in order), found from a table of where every
//     kBlock-th parent starts: P / kBlock entries, built in O(P) once.
class FanoutLayout {
 public:
  FanoutLayout(const ColumnContext& fk, int64_t parent_rows, bool clustered);
  // parents[i] (if not null) and numbers[i] (if not null) for each selected row.
  void locate(const Selection& rows, uint64_t* parents, int64_t* numbers) const;
  int64_t parents_used() const { return used_; }
  int64_t size_of_rank(uint64_t rank) const;
  uint64_t rank_of(uint64_t parent) const;
  uint64_t parent_of(uint64_t rank) const;

 private:
  void locate_shuffled(uint64_t row, uint64_t& parent, int64_t& number) const;
  // Clustered: the first parent whose children reach past `position`, and
  // the position where its children start.
  void seek(uint64_t position, uint64_t& parent, uint64_t& start) const;

  // x / d and x % d by a multiplication (a division costs ~40 cycles, twice a
  // row). With m = floor(2^64 / d) + 1 the high half of x * m is exact while
  // x * d < 2^64 (its error x * (m - 2^64 / d) / 2^64 stays below 1 / d);
  // larger x take q from floor((2^64 - 1) / d), at most 2 short, corrected
  // without branches (the rows are random, so branches would miss).
  struct Divider {
    uint64_t d = 1, magic = UINT64_MAX, exact = 0;
    uint64_t exact_below = 0;  // x below this: the exact magic
    Divider() = default;
    explicit Divider(uint64_t divisor)
        : d(divisor),
          magic(UINT64_MAX / divisor),
          exact(divisor > 1 ? UINT64_MAX / divisor + 1 : 0),
          exact_below(divisor > 1 ? UINT64_MAX / divisor : 0) {}
    uint64_t divmod(uint64_t x, uint64_t& rest) const {
      if (x < exact_below) {
        const auto q = static_cast<uint64_t>((static_cast<unsigned __int128>(x) * exact) >> 64);
        rest = x - q * d;
        return q;
      }
      if (d == 1) return rest = 0, x;
      uint64_t q = static_cast<uint64_t>((static_cast<unsigned __int128>(x) * magic) >> 64);
      uint64_t r = x - q * d;
      uint64_t more = r >= d;
      q += more, r -= more * d;
      more = r >= d;
      q += more, r -= more * d;
      rest = r;
      return q;
    }
  };
  uint64_t mulmod(uint64_t a, uint64_t b) const;  // a * b mod P, for a, b < P

  static constexpr uint64_t kBlock = 256;
  uint64_t rows_;
  uint64_t parents_;  // P: the parent table's rows
  uint64_t stride_ = 0, inverse_ = 0, offset_ = 0;
  int64_t used_ = 0;
  std::vector<int64_t> size_;         // the split's sizes, ascending
  std::vector<uint64_t> at_least_;    // ranks with at least size_[i] children (descending)
  std::vector<Divider> by_at_least_;  // the same, as dividers
  Divider by_parents_;
  std::vector<uint64_t> segment_;       // shuffled: first position of rounds size_[i-1]..size_[i]
  std::unique_ptr<Permutation> order_;  // shuffled: row -> position
  bool clustered_;
  std::vector<uint64_t> block_start_;  // clustered: first position of parent b * kBlock
};

// The child numbers of a fanout foreign key (dist: child_number, of: fk):
// start + each row's 0-based number among its parent's children, which the
// key's generator leaves in its vector's scratch (so they are computed once).
class ChildNumberGenerator : public ColumnGenerator {
 public:
  ChildNumberGenerator(size_t fk_column, int64_t start) : fk_column_(fk_column), start_(start) {}
  Datum::Kind kind() const override { return Datum::Kind::kInt; }
  std::vector<size_t> inputs() const override { return {fk_column_}; }
  void fill(const Selection& rows, const Batch& batch, ColumnVector& out) const override;

 private:
  size_t fk_column_;
  int64_t start_;
};

// A foreign key: picks a parent row by popularity rank, emits the parent's key.
// Its vector also carries the parent rows it chose (ColumnVector::parent_rows),
// which the table's copy columns read instead of choosing again.
class ForeignKeyGenerator : public ColumnGenerator, public DomainSource {
 public:
  ForeignKeyGenerator(const ColumnContext& context, int64_t parent_rows);
  // Links the parent table and its key column.
  void link(const TableGenerator* parent, size_t key_column);
  // An empirical foreign key learns how parent keys map back to parent rows;
  // once every table is linked (it reads parent keys).
  void learn_parent_keys();
  Datum::Kind kind() const override;
  std::vector<size_t> inputs() const override {
    return distinct_in_ ? std::vector<size_t>{*distinct_in_} : std::vector<size_t>{};
  }
  void fill(const Selection& rows, const Batch& batch, ColumnVector& out) const override;
  // A plain pick (uniform, zipf or hot set over the parents' ranks) tells
  // its counts per rank, as a rank column's; keys are ranks. Not for
  // empirical, fanout, `of` or unique keys (their parents follow other
  // rules), nor for a parent key that is not unique on its own.
  std::optional<ValueDomain> domain(int64_t rows) const override;
  void fill_keys(const Selection& keys, ColumnVector& out) const override;

 private:
  // The parent's key at the n parent rows already in out.parent_rows().
  void fill_parent_keys(size_t n, ColumnVector& out) const;
  void choose_parent_rows(const Selection& rows, const Batch& batch, uint64_t* parents,
                          ColumnVector& scratch) const;

  uint64_t key_;
  const Distribution* dist_;  // in the profile, which outlives the generator
  RankPicker picker_;
  Permutation popularity_;  // rank -> parent row, keyed by the parent table
  static constexpr int64_t kRankTableRows = 4096;
  std::vector<uint32_t> row_by_rank_;  // popularity_ tabulated, for small parents
  const TableGenerator* parent_ = nullptr;
  size_t key_column_ = 0;
  // The parent's key is itself a foreign key: it fills its own parent rows into
  // the same vector, so this key's rows are set aside while it does.
  bool key_is_foreign_key_ = false;
  bool parent_key_unique_ = false;  // no two parent rows hold the same key
  // Empirical foreign keys (stats import): the child column's own value distribution
  // (MCVs of parent keys with their frequencies, histogram, correlation) picks the key;
  // the key maps to the parent row holding it when parent keys are start + row * step,
  // else to a row chosen by the key's hash (frequencies and distinct counts survive).
  std::unique_ptr<ColumnGenerator> values_;
  int64_t parent_rows_ = 0;
  bool unique_ = false;  // a unique key (1:1): each parent row once
  bool arithmetic_parent_ = false;
  int64_t parent_start_ = 0, parent_step_ = 1;
  // dist: fanout: the rows' parents follow the fan-out layout instead of ranks.
  std::unique_ptr<FanoutLayout> fanout_;
  // `of: <fanout key>`: distinct parents within each family of that key (a
  // junction table's (order_id, product_id)): the family draws one rank, its
  // n-th child takes the rank n further on. The fanout key's column index.
  std::optional<size_t> distinct_in_;
  uint64_t domain_ = 0;  // ranks to choose from
};

// A column of the parent row chosen by a foreign key of the same table: reads
// the key's parent rows from the batch and fills the parent's column there.
class CopyGenerator : public ColumnGenerator {
 public:
  CopyGenerator() = default;
  void link(size_t fk_column, const TableGenerator* parent, size_t source_column);
  Datum::Kind kind() const override;
  std::vector<size_t> inputs() const override { return {fk_column_}; }
  void fill(const Selection& rows, const Batch& batch, ColumnVector& out) const override;

 private:
  size_t fk_column_ = 0;
  const TableGenerator* parent_ = nullptr;
  size_t source_column_ = 0;
};

// The empirical generator (empirical.cpp): pg_stats' shape of a column.
std::unique_ptr<ColumnGenerator> make_empirical_generator(const ColumnContext& context);

// The families' constructors, for the factory (choices.cpp).
std::unique_ptr<ColumnGenerator> make_number_generator(const ColumnContext& context, bool unique);
std::unique_ptr<ColumnGenerator> make_text_generator(const ColumnContext& context, bool unique);

// Builds the generator of a column that is neither a foreign key nor a copy.
std::unique_ptr<ColumnGenerator> make_value_generator(const ColumnContext& context);

// Wraps `inner` so a `fraction` of rows (chosen by the column's "null" stream) are NULL.
std::unique_ptr<ColumnGenerator> with_nulls(std::unique_ptr<ColumnGenerator> inner,
                                            const ColumnContext& context, double fraction);

// A profile literal (weighted values, empirical MCVs and bounds) as a Datum of
// the column's type; text points into `text`, which must outlive it.
Datum weighted_literal(const ColumnType& type, const std::string& text);

// The lane a column of `type` gets from literals (weighted, empirical).
Datum::Kind literal_kind(const ColumnType& type);

// Stores `d` (of the vector's kind, or NULL) as row i of `out`.
void store_datum(ColumnVector& out, size_t i, const Datum& d);

}  // namespace pgshape::gen
