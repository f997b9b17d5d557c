// Whole-profile checks: composite keys built unique by pairing
// (pgshape/pairs.hpp). A key is accepted when a fanout pair or a unique column
// proves it, or when pgshape pairs its first two columns and their domains
// hold every row at every scale point; refused otherwise, saying which.
#include <fmt/format.h>
#include <algorithm>

#include "pgshape/pairs.hpp"
#include "profile/checker.hpp"

namespace pgshape::profile {

namespace {

bool holds(const std::vector<std::string>& columns, const std::string& name) {
  return std::find(columns.begin(), columns.end(), name) != columns.end();
}

void check_domain(const CheckContext& c, const Table& t, const PairKey& key,
                  std::string_view what) {
  const Column& a = t.columns[key.family];
  const Column& b = t.columns[key.member];
  for (const auto& scale : c.p.scales) {
    const int64_t rows = c.p.rows(t, scale);
    const int64_t da = distinct_values_bound(a, rows), db = distinct_values_bound(b, rows);
    const int64_t pairs = da > INT64_MAX / db ? INT64_MAX : da * db;
    if (pairs >= rows) continue;
    c.r.error("profile.unique-domain", key.pos,
              fmt::format("{} ({}) cannot be unique at scale '{}': {} takes at most {} values "
                          "and {} at most {}, {} pairs for {} rows",
                          what, fmt::join(key.columns, ", "), scale.name, a.name, da, b.name, db,
                          pairs, rows),
              "give a key column more values (more weighted values, a larger n, a wider "
              "min..max), or add a unique column to the key");
    return;
  }
}

}  // namespace

void check_composite_key(const CheckContext& c, const Table& t,
                         const std::vector<std::string>& columns, SourcePos pos,
                         std::string_view what) {
  if (columns.size() < 2 || key_proven_unique(t, columns)) return;
  for (const auto& name : columns)
    if (!t.find_column(name)) return;  // reported as an unknown column
  const std::vector<PairKey> pairs = pair_keys(t);
  for (const PairKey& key : pairs) {
    const bool mine =
        t.columns[key.family].name == columns[0] && t.columns[key.member].name == columns[1];
    if (mine) {
      check_domain(c, t, key, what);
      return;
    }
    if (holds(columns, t.columns[key.family].name) && holds(columns, t.columns[key.member].name))
      return;  // unique through that pairing
  }
  const Column* a = t.find_column(columns[0]);
  const Column* b = t.find_column(columns[1]);
  if (!pairable_column(*a) || !pairable_column(*b)) {
    c.r.error("profile.bad-key", pos,
              fmt::format("{} ({}) cannot be guaranteed unique: its first two columns must draw "
                          "their own values ({} is {})",
                          what, fmt::join(columns, ", "), pairable_column(*a) ? b->name : a->name,
                          to_string(pairable_column(*a) ? b->dist.kind : a->dist.kind)),
              "pgshape builds a key unique from its first two columns: put two columns with "
              "distributions of their own first, mark one column unique: true, or make it a "
              "fanout foreign key and its child_number");
    return;
  }
  for (const PairKey& key : pairs)
    if (holds(columns, t.columns[key.family].name) || holds(columns, t.columns[key.member].name)) {
      c.r.error("profile.bad-key", pos,
                fmt::format("{} ({}) shares a column with the composite key ({}), which pgshape "
                            "builds from its columns already",
                            what, fmt::join(columns, ", "), fmt::join(key.columns, ", ")),
                "a column can be paired in one composite key only: include both of that key's "
                "first two columns, or mark a column of this key unique: true");
      return;
    }
}

}  // namespace pgshape::profile
