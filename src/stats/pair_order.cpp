// The heap order of a paired key, from production's correlation (stats/pair_order.hpp).
#include "stats/pair_order.hpp"

#include <algorithm>
#include <cmath>

namespace pgshape::stats {

namespace {
// The fanout key's threshold too (profile_writer.cpp): below it the rows are
// left shuffled, as production's nearly are.
constexpr double kAlongKey = 0.5;
}  // namespace

void write_pair_cluster(YAML::Emitter& out, const TableStats& t,
                        const std::vector<StatsPair>& pairs,
                        const std::function<bool(const std::string&)>& known) {
  for (const StatsPair& p : pairs) {
    const ColumnStats* family = t.find_column(p.family);
    if (!family || !family->correlation || std::fabs(*family->correlation) < kAlongKey ||
        !std::all_of(p.columns.begin(), p.columns.end(), known))
      continue;
    out << YAML::Key << "cluster" << YAML::Value << p.family;
    return;
  }
}

}  // namespace pgshape::stats
