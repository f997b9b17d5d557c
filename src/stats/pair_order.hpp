// Internal to stats: the `cluster:` of a table production stores along a
// composite key built by pairing (gen/pair_order.hpp generates that order).
#pragma once

#include <yaml-cpp/yaml.h>
#include <functional>
#include <string>
#include <vector>

#include "pgshape/stats.hpp"
#include "stats/pair_columns.hpp"

namespace pgshape::stats {

// Writes `cluster: <first column>` for the first of `pairs` whose first
// column's pg_stats.correlation r says production keeps its rows along the
// key (|r| >= 0.5, as a fanout key's cluster), when `known` holds every column
// of the key; the column's own `correlation` (empirical) gives r to the
// generator. Nothing otherwise: the rows stay shuffled.
void write_pair_cluster(YAML::Emitter& out, const TableStats& t,
                        const std::vector<StatsPair>& pairs,
                        const std::function<bool(const std::string&)>& known);

}  // namespace pgshape::stats
