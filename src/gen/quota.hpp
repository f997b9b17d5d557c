// Quota sampling for categorical columns: each value gets exactly its share of
// the table's rows (largest-remainder rounding of weight x rows), and a keyed
// permutation of the row number decides which rows, as empirical columns place
// their segments. Row -> value is a pure function of the row, so shards and
// single-row fills equal the whole table; memory is one count per value.
//
// Independent per-row draws scatter a small table's counts (a 200-row table drew
// 3 rows of a value production has 5 of), and the planner's estimates follow.
#pragma once

#include <cstdint>
#include <optional>
#include <vector>

#include "pgshape/gen.hpp"

namespace pgshape::gen {

// Exact row counts for `weights` over `rows` rows: floor of each share, the
// rows left over to the largest remainders (ties to the earlier value).
std::vector<uint64_t> largest_remainder(const std::vector<double>& weights, uint64_t rows);

// A weighted column places its NULLs as one more quota (else its NULL wrapper
// draws them per row); not a foreign key's or a given: column's, whose wrappers do.
inline bool places_own_nulls(const Column& column) {
  return !column.ref && !column.given && column.dist.kind == DistKind::kWeighted;
}

class QuotaPicker {
 public:
  // `weights` may hold zeros (never picked); `key` seeds the row order.
  QuotaPicker(const std::vector<double>& weights, int64_t rows, uint64_t key);
  // The index of row's value; rows past the table (a caller drawing at any row)
  // wrap around, so they still follow the shares.
  size_t operator()(uint64_t row) const;
  uint64_t rows() const { return rows_; }

 private:
  uint64_t rows_;
  std::vector<uint64_t> ends_;  // cumulative counts: value i holds positions [ends_[i-1], ends_[i])
  std::optional<Permutation> order_;
};

}  // namespace pgshape::gen
