// Internal to the generator: the columns of a composite key built by pairing
// (pgshape/pairs.hpp). Each column keeps its own generator, which makes its
// values; a value domain is taken from them once: read from the distribution
// where the generator can tell it (gen/value_domain.hpp: zipf and hot-set
// ranks, weighted values, uniform integers), else from a sample of rows,
// deduplicated by the values COPY writes (one representative row per distinct
// family value, and per distinct tuple of the member columns, with its
// share). Each table row then takes the values its pair names. Memory is the
// two domains, never the rows; a domain read from a distribution keeps its
// long runs as rules (pgshape/value_counts.hpp), so that is flat too.
#pragma once

#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "gen/columns.hpp"
#include "gen/pair_order.hpp"
#include "gen/value_domain.hpp"
#include "pgshape/pairs.hpp"

namespace pgshape::gen {

class PairSource {
 public:
  PairSource(const ColumnContext& family, std::vector<const Column*> members,
             std::unique_ptr<ColumnGenerator> family_values,
             std::vector<std::unique_ptr<ColumnGenerator>> member_values);
  // Finds the two domains and lays the pairs out; once (later calls wait
  // for the first). Every fill calls it: a foreign key family can be sampled
  // only once its parent is linked, so the dataset calls it after linking.
  void prepare() const;
  // The keys (gen/value_domain.hpp) of each selected row's family and member value.
  void locate(const Selection& rows, uint64_t* family_keys, uint64_t* member_keys) const;
  // The family values, or a member's, of keys locate() gave.
  void fill_family(const Selection& keys, const Batch& batch, ColumnVector& out) const;
  void fill_member(size_t i, const Selection& keys, const Batch& batch, ColumnVector& out) const;
  Datum::Kind family_kind() const { return family_values_->kind(); }
  Datum::Kind member_kind(size_t i) const { return member_values_[i]->kind(); }
  std::vector<size_t> family_inputs() const { return family_values_->inputs(); }
  const PairLayout& layout() const { return *layout_; }

 private:
  // Distinct values of a column (or of the member tuple): keys and their
  // counts over the table's rows, most frequent first. `from` made the keys;
  // without it they are representative rows of a sample.
  struct Domain : ValueDomain {
    const DomainSource* from = nullptr;
  };
  Domain domain(const std::vector<const ColumnGenerator*>& values,
                const std::vector<const Column*>& columns) const;
  Domain sample(const std::vector<const ColumnGenerator*>& values,
                const std::vector<const Column*>& columns) const;
  // Fills a domain's values from its keys (pair_order.hpp).
  static DomainFill filler(const Domain& d, const std::vector<const ColumnGenerator*>& makers);
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
  // The two domains' keys by value index (their counts dropped once laid out).
  mutable Domain family_keys_, member_keys_;
};

// A pair key's first column: the family's value. Leaves the member's
// keys in its vector's scratch for the member column.
class PairFamilyGenerator : public ColumnGenerator {
 public:
  explicit PairFamilyGenerator(std::shared_ptr<const PairSource> source)
      : source_(std::move(source)) {}
  Datum::Kind kind() const override { return source_->family_kind(); }
  std::vector<size_t> inputs() const override { return source_->family_inputs(); }
  void fill(const Selection& rows, const Batch& batch, ColumnVector& out) const override;

 private:
  std::shared_ptr<const PairSource> source_;
};

// A pair key's other column: its part of the member tuple its family column chose.
class PairMemberGenerator : public ColumnGenerator {
 public:
  PairMemberGenerator(std::shared_ptr<const PairSource> source, size_t family_column, size_t member)
      : source_(std::move(source)), family_column_(family_column), member_(member) {}
  Datum::Kind kind() const override { return source_->member_kind(member_); }
  std::vector<size_t> inputs() const override { return {family_column_}; }
  void fill(const Selection& rows, const Batch& batch, ColumnVector& out) const override;

 private:
  std::shared_ptr<const PairSource> source_;
  size_t family_column_;
  size_t member_;  // its place among the members
};

}  // namespace pgshape::gen
