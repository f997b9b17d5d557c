// Whole-profile checks, part one: keys, run over every table (key_checker.hpp;
// check_refs.cpp and check_unique.cpp hold the checks). Also the driver that
// runs every concern's checks (checker.hpp lists them).
#include <fmt/format.h>
#include <fmt/ranges.h>
#include <algorithm>
#include <functional>
#include <limits>
#include <set>

#include "pgshape/fanout.hpp"
#include "pgshape/profile.hpp"
#include "pgshape/util.hpp"
#include "profile/checker.hpp"
#include "profile/key_checker.hpp"

namespace pgshape::profile {

int64_t CheckContext::max_rows(const Table& table) const {
  int64_t most = 1;
  for (const auto& scale : p.scales) most = std::max(most, p.rows(table, scale));
  return most;
}

int64_t CheckContext::min_rows(const Table& table) const {
  int64_t least = std::numeric_limits<int64_t>::max();
  for (const auto& scale : p.scales) least = std::min(least, p.rows(table, scale));
  return p.scales.empty() ? 1 : least;
}

std::string CheckContext::primary_key(const Table& table) {
  return fmt::format("primary key ({}) of '{}'", fmt::join(table.primary_key, ", "), table.name);
}

std::string CheckContext::unique_index(const Table& table, const IndexSpec& index) {
  return fmt::format("unique index {}{}({}) on '{}'", index.name, index.name.empty() ? "" : " ",
                     fmt::join(index.columns, ", "), table.name);
}

std::string CheckContext::foreign_key(const Table& table, const ForeignKeySpec& fk) {
  return fmt::format("foreign key ({}) of '{}' -> {}", fmt::join(fk.columns, ", "), table.name,
                     fk.ref_table);
}

std::string CheckContext::foreign_key(const Table& table, const Column& column) {
  if (const ForeignKeySpec* fk = table.composite_foreign_key(column.name))
    return foreign_key(table, *fk);
  return "foreign key " + name(table, column);
}

void KeyChecker::run() {
  for (const auto& table : c_.p.tables) {
    if (c_.r.poisoned(table.name)) continue;
    check_primary_key(table);
    for (const auto& column : table.columns) {
      if (c_.skip(table, column)) continue;
      if (column.ref) check_foreign_key(table, column);
      if (column.dist.kind == DistKind::kFanout) check_fanout(table, column);
      if (column.dist.kind == DistKind::kChildNumber) check_child_number(table, column);
      if (column.ref && column.dist.kind != DistKind::kFanout && !column.dist.of.empty())
        check_distinct_in(table, column);
      if (!column.ref && column.dist.kind != DistKind::kChildNumber && !column.dist.of.empty())
        r_.error("profile.bad-distribution", CheckContext::at(column),
                 fmt::format("'of' of {} applies to child_number and foreign keys only",
                             CheckContext::name(table, column)));
      if (column.dist.kind == DistKind::kCopy) check_copy(table, column);
      if (CheckContext::unique(table, column)) check_unique(table, column);
      // A profile whose columns came from a DDL file is parsed before they are known.
      if (column.given && !table.find_column(column.given->column))
        r_.error("profile.unknown-column", column.given->pos,
                 fmt::format("{} is given '{}', which is no column of '{}'",
                             CheckContext::name(table, column), column.given->column, table.name));
    }
    for (const auto& index : table.indexes)
      if (index.unique) check_unique_index(table, index);
    for (const auto& fk : table.foreign_keys) check_composite_foreign_key(table, fk);
    for (const auto& stats : table.statistics)
      for (const auto& name : stats.columns)
        if (!c_.p.ddl_sql.empty() && !table.find_column(name))  // else the parser said so
          r_.error("profile.unknown-column", stats.pos,
                   fmt::format("statistics of '{}' name unknown column '{}'", table.name, name));
  }
  check_cycles();
}

void check_keys(const CheckContext& ctx) {
  KeyChecker(ctx).run();
}

void check_profile(const Profile& profile, Reader& reader) {
  const CheckContext ctx(profile, reader);
  check_keys(ctx);
  check_pair_order(ctx);
  check_values(ctx);
  check_names(ctx);
  check_queries(ctx);
  check_objects(ctx);
  check_column_orders(ctx);
  check_fragments(profile, reader);
}

}  // namespace pgshape::profile

namespace pgshape {

std::vector<Diagnostic> validate_profile(const Profile& profile) {
  profile::Reader reader(profile.file);
  profile::check_profile(profile, reader);
  return reader.diagnostics();
}

}  // namespace pgshape
