// Fan-out: how a `dist: fanout` foreign key shares a table's rows among its
// parents. Each parent used gets exactly k children, k drawn from the profile's
// sizes, so the parents used (the column's n_distinct) and the per-parent child
// counts are the profile's by construction, and (parent, child number) is unique
// without remembering any pair: what composite keys like order_items(order_id,
// line_no) need. Validation (how many parents a scale point needs) and the
// generator both read the same split from here, so they cannot disagree.
#pragma once

#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include "pgshape/profile.hpp"

namespace pgshape {

// `parents` parents have `size` children each.
struct FanoutSize {
  int64_t size = 0;
  int64_t parents = 0;
};

// The split of `rows` child rows by a fanout distribution (its `values`: size ->
// weight, else every size in min..max alike): sizes ascending, each with at
// least one parent, the sizes times their parents summing to `rows` exactly.
// Each size gets its weight's share of the parents, rounded down; the rows
// left over go to whole parents of the sizes rounding cut most, and a rest
// smaller than every size joins one parent of the smallest size. Empty for 0 rows.
// At most `max_parents` parents (the parent table's rows): when rounding (or a
// parent table smaller than the sizes need) asks for more, the smallest
// parents are merged two into one until it fits, every row kept.
std::vector<FanoutSize> fanout_sizes(const Distribution& dist, int64_t rows,
                                     int64_t max_parents = INT64_MAX);

// The parents the sizes' mean asks for, before rounding: rows / mean size.
// Validation refuses a scale point where it exceeds the parent table's rows.
double fanout_ideal_parents(const Distribution& dist, int64_t rows);

// The parents a split uses (the foreign key's distinct values).
int64_t fanout_parents(const std::vector<FanoutSize>& sizes);

// The largest fan-out size of a distribution (its child numbers' reach), 0 if none.
int64_t fanout_max_size(const Distribution& dist);

// The fan-out sizes a distribution names (its values' keys, else min..max) and
// their weights; false with `why` when a size is no whole number >= 1 or the
// range is too wide (more than kMaxFanoutSizes sizes).
inline constexpr int64_t kMaxFanoutSizes = 100000;
bool fanout_weights(const Distribution& dist, std::vector<std::pair<int64_t, double>>& out,
                    std::string* why = nullptr);

}  // namespace pgshape
