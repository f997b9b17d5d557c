// Internal to stats: the composite keys a profile made from statistics gets
// unique by pairing (pgshape/pairs.hpp), chosen the way the generator chooses
// them, and the n_distinct a pair's second column needs so that the first
// column's largest value finds enough distinct partners.
#pragma once

#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "pgshape/stats.hpp"

namespace pgshape::stats {

struct StatsPair {
  std::string family, member;
  std::vector<std::string> columns;  // the key it was chosen for
};

// The pairs of `t`'s composite keys (primary key, then unique indexes in order)
// that `proven` does not already prove unique: each key's first two columns
// `pairable` accepts. A key holding an earlier pair's two columns needs none;
// a key sharing one column with one, or with fewer than two pairable columns,
// gets none and is left out of the result (`built` says which keys are unique).
std::vector<StatsPair> choose_pairs(
    const TableStats& t, const std::function<bool(const std::string&)>& pairable,
    const std::function<bool(const std::vector<std::string>&)>& proven);

// True when `columns` is proven or holds both columns of one of `pairs`.
bool pair_built(const std::vector<StatsPair>& pairs, const std::vector<std::string>& columns);

// The member's n_distinct, raised where needed: at least 1.05 times the rows
// the family's most frequent value holds (pg_stats' convention kept: a
// fraction of rows, negative, when raised).
double member_n_distinct(const ColumnStats& family, const ColumnStats& member, double rows);

}  // namespace pgshape::stats
