// Composite keys a stats-made profile pairs (stats/pair_columns.hpp).
#include "stats/pair_columns.hpp"

#include <algorithm>
#include <cmath>

namespace pgshape::stats {

namespace {

bool holds(const std::vector<std::string>& columns, const std::string& name) {
  return std::find(columns.begin(), columns.end(), name) != columns.end();
}

}  // namespace

std::vector<StatsPair> choose_pairs(
    const TableStats& t, const std::function<bool(const std::string&)>& pairable,
    const std::function<bool(const std::vector<std::string>&)>& proven) {
  std::vector<StatsPair> out;
  auto consider = [&](const std::vector<std::string>& key) {
    if (key.size() < 2 || proven(key) || pair_built(out, key)) return;
    if (std::any_of(key.begin(), key.end(), [](const std::string& c) { return c.empty(); }))
      return;  // an expression
    if (!pairable(key[0])) return;
    StatsPair made{key[0], {}, key};
    for (size_t i = 1; i < key.size(); ++i)
      if (pairable(key[i])) made.members.push_back(key[i]);
    if (made.members.empty()) return;
    for (const auto& p : out)
      if (holds(key, p.family) || std::any_of(p.members.begin(), p.members.end(),
                                              [&](const std::string& m) { return holds(key, m); }))
        return;
    out.push_back(std::move(made));
  };
  consider(t.primary_key);
  for (const auto& index : t.indexes)
    if (index.unique && index.plain) consider(index.columns);
  return out;
}

bool pair_built(const std::vector<StatsPair>& pairs, const std::vector<std::string>& columns) {
  return std::any_of(pairs.begin(), pairs.end(), [&](const StatsPair& p) {
    return holds(columns, p.family) &&
           std::all_of(p.members.begin(), p.members.end(),
                       [&](const std::string& m) { return holds(columns, m); });
  });
}

double member_n_distinct(const ColumnStats& family, const ColumnStats& member, double rows) {
  if (!(rows >= 1)) return member.n_distinct;
  double top = 0;
  for (double f : family.mcf) top = std::max(top, f);
  const double family_distinct =
      family.n_distinct < 0 ? -family.n_distinct * rows : std::max(family.n_distinct, 1.0);
  top = std::max(top, (1 - family.null_frac) / family_distinct);
  const double needed = std::min(rows, std::ceil(1.05 * top * rows) + 1);
  const double have = member.n_distinct < 0 ? -member.n_distinct * rows : member.n_distinct;
  if (member.n_distinct != 0 && have >= needed) return member.n_distinct;
  return -std::min(1.0, needed / rows);
}

}  // namespace pgshape::stats
