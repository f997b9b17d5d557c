// Internal to the generator: the columns of a composite key built by pairing
// (pgshape/pairs.hpp). Each column keeps its own generator, which makes its
// values; a value domain is taken from them once (a sample of rows,
// deduplicated by the values COPY writes: one representative row per distinct
// family value, and per distinct tuple of the member columns, with its share),
// and each table row then takes the values of the representative rows its
// pair names. Memory is the two domains, never the rows.
#pragma once

#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "gen/columns.hpp"
#include "gen/pair_order.hpp"
#include "pgshape/pairs.hpp"

namespace pgshape::gen {

class PairSource {
 public:
  PairSource(const ColumnContext& family, std::vector<const Column*> members,
             std::unique_ptr<ColumnGenerator> family_values,
             std::vector<std::unique_ptr<ColumnGenerator>> member_values);
  // Samples the two columns and lays the pairs out; once (later calls wait
  // for the first). Every fill calls it: a foreign key family can be sampled
  // only once its parent is linked, so the dataset calls it after linking.
  void prepare() const;
  // The representative rows of each selected row's family and member value.
  void locate(const Selection& rows, uint64_t* family_rows, uint64_t* member_rows) const;
  const ColumnGenerator& family_values() const { return *family_values_; }
  const ColumnGenerator& member_values(size_t i) const { return *member_values_[i]; }
  const PairLayout& layout() const { return *layout_; }

 private:
  // Distinct values of a column: representative rows and their counts over
  // `rows` table rows, most frequent first.
  struct Domain {
    std::vector<uint64_t> rows;
    std::vector<int64_t> counts;
  };
  Domain sample(const std::vector<const ColumnGenerator*>& values,
                const std::vector<const Column*>& columns) const;
  // The table's `cluster:` names this key (pair_order.cpp).
  bool clustered() const;

  uint64_t seed_;
  const Table* table_;
  const Column* family_;
  std::vector<const Column*> members_;
  int64_t rows_;
  std::unique_ptr<ColumnGenerator> family_values_;
  std::vector<std::unique_ptr<ColumnGenerator>> member_values_;
  mutable std::once_flag once_;
  mutable std::optional<PairLayout> layout_;
  mutable std::optional<Permutation> order_;    // row -> position in the layout
  mutable std::optional<PairOrder> clustered_;  // instead, when the table is stored along the key
  mutable std::vector<uint64_t> family_rows_, member_rows_;
};

// A pair key's first column: the family's value. Leaves the member's
// representative rows in its vector's scratch for the member column.
class PairFamilyGenerator : public ColumnGenerator {
 public:
  explicit PairFamilyGenerator(std::shared_ptr<const PairSource> source)
      : source_(std::move(source)) {}
  Datum::Kind kind() const override { return source_->family_values().kind(); }
  std::vector<size_t> inputs() const override { return source_->family_values().inputs(); }
  void fill(const Selection& rows, const Batch& batch, ColumnVector& out) const override;

 private:
  std::shared_ptr<const PairSource> source_;
};

// A pair key's other column: its part of the member tuple its family column chose.
class PairMemberGenerator : public ColumnGenerator {
 public:
  PairMemberGenerator(std::shared_ptr<const PairSource> source, size_t family_column, size_t member)
      : source_(std::move(source)), family_column_(family_column), member_(member) {}
  Datum::Kind kind() const override { return source_->member_values(member_).kind(); }
  std::vector<size_t> inputs() const override { return {family_column_}; }
  void fill(const Selection& rows, const Batch& batch, ColumnVector& out) const override;

 private:
  std::shared_ptr<const PairSource> source_;
  size_t family_column_;
  size_t member_;  // its place among the members
};

}  // namespace pgshape::gen
