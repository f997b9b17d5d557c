// Internal to the generator: the heap order of a composite key built by
// pairing when the profile stores the table along it (`cluster: <the key's
// first column>`), as production does when it inserts rows in key order.
// Each family's rows lie together, families in the first column's value
// order and, within one, its members in the order the layout deals them (by
// count, equal counts by value: for numbered keys 1..k that is value order).
// How closely the rows follow that order is the first column's correlation
// (dist: empirical; production's pg_stats.correlation), fully without one:
// the sorted order is shuffled within windows, as empirical columns are
// (empirical_order.cpp), the window count solved for the correlation ANALYZE
// would measure. A row's place is computed from its number alone (shards
// agree); memory is O(families).
#pragma once

#include <cstdint>
#include <functional>
#include <vector>

#include "gen/columns.hpp"
#include "pgshape/pairs.hpp"

namespace pgshape::gen {

class PairOrder {
 public:
  // `by_value`: the layout's family indices in the order their values sort;
  // `correlation`: the first column's to reach, -1..1 (1: fully along the key).
  PairOrder(const PairLayout& layout, std::vector<uint32_t> by_value, double correlation,
            uint64_t key);
  // The layout position of `row` (< layout.rows()); a permutation of the rows.
  uint64_t operator()(uint64_t row) const;
  // The first column's correlation as ANALYZE measures it (ties by heap position).
  double measured_correlation() const;
  double windows() const { return windows_; }

 private:
  uint64_t sorted(uint64_t row) const;      // the row's index in key order
  uint64_t cells_before(uint64_t r) const;  // H(r): the layout's positions before column r

  uint64_t rows_ = 0;
  std::vector<uint64_t> start_;      // first sorted index of each family, in value order
  std::vector<uint32_t> family_;     // value order -> layout family
  std::vector<uint64_t> ascending_;  // distinct family sizes ascending
  std::vector<uint64_t> below_;      // rows of the families smaller than ascending_[i]
  std::vector<uint64_t> fewer_;      // how many families those are
  uint64_t families_ = 0;
  bool reverse_ = false;
  double windows_ = 0;  // rows_: sorted; 1: shuffled whole
  uint64_t key_;
};

// Fills column `c` of a domain's values from their keys (a DomainSource's
// keys, or representative rows of a sample).
using DomainFill = std::function<void(size_t c, const Selection& keys, ColumnVector& out)>;

// The order of distinct values (one key each, filled by `fill`, lexicographic
// over several columns) as the server sorts them (text bytewise, as the C
// collation): indices into `keys`, ties by index.
std::vector<uint32_t> value_order(const DomainFill& fill, const std::vector<const Column*>& columns,
                                  const std::vector<uint64_t>& keys);

// The correlation to reach: the column's own (dist: empirical), else 1.
double cluster_correlation(const Column& family);

// Member values of equal count reordered by value (the layout sees only
// counts): `keys` permuted within each run of equal `counts`.
void order_equal_counts(const DomainFill& fill, const std::vector<const Column*>& columns,
                        const std::vector<int64_t>& counts, std::vector<uint64_t>& keys);

}  // namespace pgshape::gen
