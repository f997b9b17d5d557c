// Whole-profile checks: composite keys built unique by pairing
// (pgshape/pairs.hpp). A key is accepted when a fanout pair or a unique column
// proves it, or when pgshape pairs its columns and their domains hold every
// row at every scale point; refused otherwise, saying which.
#include <fmt/format.h>
#include <algorithm>
#include <cmath>

#include "pgshape/pairs.hpp"
#include "profile/checker.hpp"

namespace pgshape::profile {

namespace {

bool holds(const std::vector<std::string>& columns, const std::string& name) {
  return std::find(columns.begin(), columns.end(), name) != columns.end();
}

// The key's members as one side of its pairs: "b", or "(b, c)" when several
// columns make a member together.
std::string members_text(const Table& t, const PairKey& key) {
  std::vector<std::string> out;
  for (size_t m : key.members) out.push_back(t.columns[m].name);
  return out.size() == 1 ? out[0] : fmt::format("({})", fmt::join(out, ", "));
}

std::vector<std::string> names(const Table& t, const PairKey& key) {
  std::vector<std::string> out{t.columns[key.family].name};
  for (size_t m : key.members) out.push_back(t.columns[m].name);
  return out;
}

// The bounds allow the key; the counts the generator will lay out, where
// its columns tell them, must too (a zipf over n values gives fewer than n
// of them a row when n is near the rows).
bool fits_exactly(const CheckContext& c, const Table& t, const PairKey& key, std::string_view what,
                  const std::string& scale, int64_t rows) {
  const std::optional<PairFit> fit = pair_fit(t, key, rows);
  if (!fit || fit->fits) return true;
  c.r.error("profile.unique-domain", key.pos,
            fmt::format("{} cannot be unique at scale '{}': over {} rows its distributions "
                        "give {} distinct values of {} and {} of {}, too few distinct pairs",
                        what, scale, rows, fit->families, t.columns[key.family].name, fit->members,
                        members_text(t, key)),
            "give a key column more values (a larger n, a flatter s, a wider min..max), or add "
            "a unique column to the key");
  return false;
}

void check_domain(const CheckContext& c, const Table& t, const PairKey& key,
                  std::string_view what) {
  for (const auto& scale : c.p.scales) {
    const int64_t rows = c.p.rows(t, scale);
    int64_t pairs = 1;
    std::vector<std::string> reach;
    for (const auto& name : names(t, key)) {
      const int64_t d = distinct_values_bound(*t.find_column(name), rows);
      pairs = pairs > INT64_MAX / d ? INT64_MAX : pairs * d;
      reach.push_back(fmt::format("{} at most {}", name, d));
    }
    if (pairs >= rows) {
      // The most frequent family holds that many rows, each with a distinct member.
      const auto top = static_cast<int64_t>(
          std::ceil(largest_share(t.columns[key.family], rows) * static_cast<double>(rows)));
      int64_t members = 1;
      for (size_t m : key.members) {
        const int64_t d = distinct_values_bound(t.columns[m], rows);
        members = members > INT64_MAX / d ? INT64_MAX : members * d;
      }
      if (members >= top && fits_exactly(c, t, key, what, scale.name, rows)) continue;
      if (members >= top) return;
      c.r.error("profile.unique-domain", key.pos,
                fmt::format("{} cannot be unique at scale '{}': the most common value of "
                            "{} takes about {} rows, each needing its own value of {}, which "
                            "give at most {}",
                            what, scale.name, t.columns[key.family].name, top, members_text(t, key),
                            members),
                "give the other key columns more values, or make the first column less skewed");
      return;
    }
    c.r.error("profile.unique-domain", key.pos,
              fmt::format("{} cannot be unique at scale '{}': {} combinations of values "
                          "({}) for {} rows",
                          what, scale.name, pairs, fmt::join(reach, ", "), rows),
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
    if (key.columns == columns && key.pos.line == pos.line && key.pos.column == pos.column) {
      check_domain(c, t, key, what);
      return;
    }
    const std::vector<std::string> theirs = names(t, key);
    if (std::all_of(theirs.begin(), theirs.end(), [&](const auto& n) { return holds(columns, n); }))
      return;  // unique through that pairing
  }
  const Column* first = t.find_column(columns[0]);
  const bool any_member =
      std::any_of(columns.begin() + 1, columns.end(),
                  [&](const std::string& n) { return pairable_column(*t.find_column(n)); });
  if (!pairable_column(*first) || !any_member) {
    const Column* bad = !pairable_column(*first) ? first : t.find_column(columns[1]);
    c.r.error("profile.bad-key", pos,
              fmt::format("{} cannot be guaranteed unique: its first column and another "
                          "must draw values of their own ({} is {})",
                          what, bad->name, to_string(bad->dist.kind)),
              "pgshape builds a key unique from its columns' own distributions: put such a "
              "column first, mark one column unique: true, or make it a fanout foreign key and "
              "its child_number");
    return;
  }
  for (const PairKey& key : pairs)
    for (const auto& name : names(t, key))
      if (holds(columns, name)) {
        c.r.error("profile.bad-key", pos,
                  fmt::format("{} shares column {} with the composite key ({}), which "
                              "pgshape builds from its columns already",
                              what, name, fmt::join(key.columns, ", ")),
                  "a column can be paired in one composite key only: include all of that key's "
                  "columns, or mark a column of this key unique: true");
        return;
      }
}

}  // namespace pgshape::profile
