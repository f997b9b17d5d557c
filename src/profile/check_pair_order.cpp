// `cluster: <column>` naming a column that is no fanout foreign key: the rows
// stored along the composite key built by pairing whose first column it is
// (gen/pair_order.hpp), as production inserts rows in key order.
#include <fmt/format.h>
#include <fmt/ranges.h>
#include <algorithm>

#include "pgshape/pairs.hpp"
#include "profile/checker.hpp"

namespace pgshape::profile {

void check_pair_order(const CheckContext& c) {
  for (const Table& t : c.p.tables) {
    const Column* column = t.cluster.empty() ? nullptr : t.find_column(t.cluster);
    if (!column || (column->ref && column->dist.kind == DistKind::kFanout)) continue;
    const std::vector<PairKey> pairs = pair_keys(t);
    if (std::any_of(pairs.begin(), pairs.end(),
                    [&](const PairKey& p) { return p.columns.front() == t.cluster; }))
      continue;
    std::vector<std::string> firsts;
    for (const Column& other : t.columns)
      if (other.ref && other.dist.kind == DistKind::kFanout) firsts.push_back(other.name);
    for (const PairKey& p : pairs) firsts.push_back(p.columns.front());
    c.r.error("profile.bad-value", t.cluster_pos,
              fmt::format("cluster '{}' of table '{}' is no fanout foreign key of it, nor the "
                          "first column of a composite key built by pairing",
                          t.cluster, t.name),
              firsts.empty() ? std::string("give the foreign key dist: fanout (children per "
                                           "parent), or name a composite key's first column")
                             : fmt::format("columns to cluster by: {}", fmt::join(firsts, ", ")));
  }
}

}  // namespace pgshape::profile
