// `cluster: [a, b]`: the rows stored along a composite key built by pairing
// (gen/pair_order.hpp). The list must be one such key's columns, as the key
// lists them: the order is the pairing's (families by the first column).
#include <fmt/format.h>
#include <fmt/ranges.h>
#include <algorithm>

#include "pgshape/pairs.hpp"
#include "profile/checker.hpp"

namespace pgshape::profile {

void check_pair_order(const CheckContext& c) {
  for (const Table& t : c.p.tables) {
    const std::vector<std::string>& key = t.cluster_key;
    if (key.empty()) continue;
    const auto unknown = std::find_if(key.begin(), key.end(),
                                      [&](const std::string& n) { return !t.find_column(n); });
    if (unknown != key.end()) {
      c.r.error("profile.unknown-column", t.cluster_pos,
                fmt::format("cluster of '{}' names unknown column '{}'", t.name, *unknown));
      continue;
    }
    const std::vector<PairKey> pairs = pair_keys(t);
    if (std::any_of(pairs.begin(), pairs.end(), [&](const PairKey& p) { return p.columns == key; }))
      continue;
    std::vector<std::string> keys;
    for (const PairKey& p : pairs) keys.push_back(fmt::format("[{}]", fmt::join(p.columns, ", ")));
    c.r.error("profile.bad-value", t.cluster_pos,
              fmt::format("cluster [{}] of table '{}' is no composite key built by pairing",
                          fmt::join(key, ", "), t.name),
              keys.empty() ? std::string("a list names a composite primary key or unique index "
                                         "pgshape builds by pairing; a fanout foreign key is "
                                         "named alone: cluster: <column>")
                           : fmt::format("keys built by pairing: {}", fmt::join(keys, ", ")));
  }
}

}  // namespace pgshape::profile
