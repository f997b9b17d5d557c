// Internal to the generator: the column generator kinds and the factory that
// picks one for a profile column.
#pragma once

#include <memory>
#include <vector>

#include "pgshape/gen.hpp"

namespace pgshape::gen {

// What a column generator needs to know beyond the column itself.
struct ColumnContext {
  uint64_t seed;
  const Table* table;
  const Column* column;
  int64_t rows;  // of this table at this scale
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

// A foreign key: picks a parent row by popularity rank, emits the parent's key.
class ForeignKeyGenerator : public ColumnGenerator {
 public:
  ForeignKeyGenerator(const ColumnContext& context, int64_t parent_rows);
  // Links the parent's key generator; an empirical foreign key also learns here how
  // parent keys map back to parent rows.
  void link(const ColumnGenerator* parent_key);
  // The parent row chosen for `row`, or -1 when this row's key is NULL.
  int64_t parent_row(uint64_t row) const;
  Datum value(uint64_t row, std::string& scratch) const override;
  // Batches only while no copy column reads this key's parent rows: copies
  // find a row's parent in the per-thread last-row cache, which value() keeps.
  Datum::Kind batch_kind() const override;
  void fill(uint64_t begin, size_t n, int64_t* ints, double* floats, uint8_t* nulls) const override;
  void copied() { copied_ = true; }

 private:
  uint64_t key_;
  uint64_t null_key_;
  double null_fraction_;
  RankPicker picker_;
  Permutation popularity_;  // rank -> parent row, keyed by the parent table
  static constexpr int64_t kRankTableRows = 4096;
  std::vector<uint32_t> row_by_rank_;  // popularity_ tabulated, for small parents
  const ColumnGenerator* parent_key_ = nullptr;
  // Empirical foreign keys (stats import): the child column's own value distribution
  // (MCVs of parent keys with their frequencies, histogram, correlation) picks the key;
  // the key maps to the parent row holding it when parent keys are start + row * step,
  // else to a row chosen by the key's hash (frequencies and distinct counts survive).
  std::unique_ptr<ColumnGenerator> values_;
  int64_t parent_rows_ = 0;
  bool arithmetic_parent_ = false;
  int64_t parent_start_ = 0, parent_step_ = 1;
  bool copied_ = false;
  uint64_t id_;  // tags this generator's entry in the per-thread last-row cache
  int64_t choose_parent_row(uint64_t row) const;
};

// A column of the parent row chosen by a foreign key of the same table.
class CopyGenerator : public ColumnGenerator {
 public:
  explicit CopyGenerator(const ColumnContext& c)
      : null_key_(stream_key(c.seed, c.table->name, c.column->name, "null")),
        null_fraction_(c.column->null_fraction) {}
  void link(const ForeignKeyGenerator* fk, const ColumnGenerator* source) {
    fk_ = fk;
    source_ = source;
  }
  Datum value(uint64_t row, std::string& scratch) const override {
    if (null_fraction_ > 0 && CounterEngine(null_key_, row).uniform01() < null_fraction_)
      return Datum::null();
    int64_t parent = fk_->parent_row(row);
    return parent < 0 ? Datum::null() : source_->value(static_cast<uint64_t>(parent), scratch);
  }

 private:
  uint64_t null_key_;
  double null_fraction_;
  const ForeignKeyGenerator* fk_ = nullptr;
  const ColumnGenerator* source_ = nullptr;
};

// The empirical generator (empirical.cpp): pg_stats' shape of a column.
std::unique_ptr<ColumnGenerator> make_empirical_generator(const ColumnContext& context);

// Builds the generator of a column that is neither a foreign key nor a copy.
std::unique_ptr<ColumnGenerator> make_value_generator(const ColumnContext& context);

// Wraps `inner` so a `fraction` of rows (chosen by their own stream) are NULL.
std::unique_ptr<ColumnGenerator> with_nulls(std::unique_ptr<ColumnGenerator> inner,
                                            const ColumnContext& context, double fraction);

}  // namespace pgshape::gen
