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
  std::string family;                // the key's first column
  std::vector<std::string> members;  // its other columns `pairable` accepts
  std::vector<std::string> columns;  // the key it was chosen for
};

// The pairs of `t`'s composite keys (primary key, then unique indexes in order)
// that `proven` does not already prove unique, as pgshape/pairs.hpp pairs
// them: the first column (if `pairable`) and the other pairable ones. A key
// holding all of an earlier pair's columns needs none; one sharing some of
// them, or with too few pairable columns, gets none (pair_built says which
// keys are unique).
std::vector<StatsPair> choose_pairs(
    const TableStats& t, const std::function<bool(const std::string&)>& pairable,
    const std::function<bool(const std::vector<std::string>&)>& proven);

// True when `columns` holds every column of one of `pairs`.
bool pair_built(const std::vector<StatsPair>& pairs, const std::vector<std::string>& columns);

// The member's n_distinct, raised where needed: at least 1.05 times the rows
// the family's most frequent value holds (pg_stats' convention kept: a
// fraction of rows, negative, when raised).
double member_n_distinct(const ColumnStats& family, const ColumnStats& member, double rows);

}  // namespace pgshape::stats
