// Range columns' statistics (rangetypes_typanalyze.c): a bounds histogram
// (STATISTIC_KIND_BOUNDS_HISTOGRAM, 7: ranges whose lower bounds, and whose
// upper bounds, are each an equal-count histogram), a length histogram
// (STATISTIC_KIND_RANGE_LENGTH_HISTOGRAM, 6: float8 subtype_diff lengths of the
// non-empty ranges, infinity for an unbounded one) with the empty share as its
// one number. pg_stats shows them from PostgreSQL 17 on; before, only
// pg_statistic holds them, which PUBLIC may not read (a superuser may, or a
// role granted SELECT on it). Catalog reads only, in the caller's read-only
// transaction.
#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include <cstdlib>

#include "pgshape/profile.hpp"
#include "stats/internal.hpp"

namespace pgshape::stats {
namespace {

constexpr const char* kRangeColumnsSql =
    "SELECT a.attrelid::bigint, a.attname::text FROM pg_catalog.pg_attribute a "
    "JOIN pg_catalog.pg_class c ON c.oid = a.attrelid "
    "JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace "
    "JOIN pg_catalog.pg_type t ON t.oid = a.atttypid "
    "WHERE n.nspname = $1 AND c.relkind IN ('r', 'p') AND a.attnum > 0 AND NOT a.attisdropped "
    "AND t.typtype = 'r'";

// Non-inherited rows first, as kStatsSql: a partitioned parent only has inherited ones.
constexpr const char* kRangeStats17Sql =
    "SELECT c.oid::bigint, s.attname::text, s.range_empty_frac::float8, "
    "  coalesce(pg_catalog.array_to_json(s.range_length_histogram::text::text[])::text, '[]'), "
    "  coalesce(pg_catalog.array_to_json(s.range_bounds_histogram::text::text[])::text, '[]') "
    "FROM pg_catalog.pg_stats s JOIN pg_catalog.pg_namespace n ON n.nspname = s.schemaname "
    "JOIN pg_catalog.pg_class c ON c.relnamespace = n.oid AND c.relname = s.tablename "
    "WHERE s.schemaname = $1 AND s.range_empty_frac IS NOT NULL "
    "ORDER BY s.tablename, s.attname, s.inherited";

#define PGSHAPE_SLOT(KIND, WHAT)                                                                   \
  "CASE WHEN s.stakind1 = " KIND " THEN s." WHAT "1::text WHEN s.stakind2 = " KIND " THEN s." WHAT \
  "2::text WHEN s.stakind3 = " KIND " THEN s." WHAT "3::text WHEN s.stakind4 = " KIND              \
  " THEN s." WHAT "4::text WHEN s.stakind5 = " KIND " THEN s." WHAT "5::text END"

constexpr const char* kRangeStats15Sql =
    "SELECT s.starelid::bigint, a.attname::text, "
    "  ((" PGSHAPE_SLOT("6", "stanumbers") ")::float8[])[1], "
    "  coalesce(pg_catalog.array_to_json((" PGSHAPE_SLOT("6", "stavalues") ")::text[])::text, "
    "'[]'), "
    "  coalesce(pg_catalog.array_to_json((" PGSHAPE_SLOT("7", "stavalues") ")::text[])::text, "
    "'[]') "
    "FROM pg_catalog.pg_statistic s "
    "JOIN pg_catalog.pg_attribute a ON a.attrelid = s.starelid AND a.attnum = s.staattnum "
    "JOIN pg_catalog.pg_class c ON c.oid = s.starelid "
    "JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace "
    "WHERE n.nspname = $1 AND 6 IN (s.stakind1, s.stakind2, s.stakind3, s.stakind4, s.stakind5) "
    "ORDER BY c.relname, a.attname, s.stainherit";

#undef PGSHAPE_SLOT

std::vector<std::string> strings_of(const std::string& json) {
  std::vector<std::string> out;
  for (const auto& v : nlohmann::json::parse(json)) out.push_back(v.get<std::string>());
  return out;
}

}  // namespace

void read_range_stats(pqxx::transaction_base& tx, const std::string& schema,
                      const std::map<int64_t, size_t>& by_oid, StatsSnapshot& snap) {
  std::vector<ColumnStats*> ranges;
  for (const auto& row : tx.exec_params(kRangeColumnsSql, schema)) {
    auto it = by_oid.find(row[0].as<int64_t>());
    if (it == by_oid.end()) continue;
    for (auto& c : snap.tables[it->second].columns)
      if (c.name == row[1].as<std::string>()) ranges.push_back(&c);
  }
  if (ranges.empty()) return;
  const int version =
      tx.exec1("SELECT pg_catalog.current_setting('server_version_num')::int")[0].as<int>();
  if (version < 170000 &&
      !tx.exec1("SELECT pg_catalog.has_table_privilege('pg_catalog.pg_statistic', 'SELECT')")[0]
           .as<bool>()) {
    for (ColumnStats* c : ranges)
      c->range_unread = fmt::format(
          "PostgreSQL {} keeps range statistics only in pg_catalog.pg_statistic, which role {} "
          "may not read (run stats as a superuser, or GRANT SELECT ON pg_catalog.pg_statistic)",
          version / 10000, snap.role);
    return;
  }
  for (const auto& row :
       tx.exec_params(version < 170000 ? kRangeStats15Sql : kRangeStats17Sql, schema)) {
    auto it = by_oid.find(row[0].as<int64_t>());
    if (it == by_oid.end()) continue;
    for (ColumnStats* c : ranges) {
      if (c != snap.tables[it->second].find_column(row[1].as<std::string>()) || c->range_empty)
        continue;
      c->range_empty = row[2].is_null() ? 0.0 : row[2].as<double>();
      // "Infinity" is no JSON number: the lengths come as text.
      for (const auto& v : strings_of(row[3].as<std::string>()))
        c->range_lengths.push_back(std::strtod(v.c_str(), nullptr));
      c->range_bounds = strings_of(row[4].as<std::string>());
    }
  }
  for (ColumnStats* c : ranges)
    if (!c->range_empty)
      c->range_unread = c->has_stats ? "pg_statistic holds no range statistics for it"
                                     : "the table was never analyzed";
}

}  // namespace pgshape::stats
