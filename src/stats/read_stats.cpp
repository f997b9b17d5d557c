// read_stats: the source's planner statistics and schema, read from the catalogs
// in one read-only session. This file and the readers it calls (columns.cpp,
// constraints.cpp, partitions.cpp, ext_stats.cpp, objects.cpp) are the only
// place that talks to the source, and every query there is a catalog read — never a row of a user
// table.
#include <pqxx/pqxx>

#include <fmt/format.h>
#include <algorithm>
#include <map>
#include <set>

#include "pgshape/error.hpp"
#include "pgshape/session.hpp"
#include "pgshape/stats.hpp"
#include "stats/internal.hpp"

namespace pgshape {
namespace {

constexpr const char* kTablesSql =
    "SELECT c.oid::bigint, c.relname::text, c.reltuples::float8, c.relpages::bigint, "
    "  CASE WHEN c.relkind = 'p' THEN pg_catalog.pg_get_partkeydef(c.oid) ELSE '' END "
    "FROM pg_catalog.pg_class c "
    "JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace "
    "WHERE n.nspname = $1 AND c.relkind IN ('r', 'p') AND NOT c.relispartition "
    "ORDER BY c.relname";

// What the schema holds besides tables, their columns, keys, indexes and the
// types above: named so the profile's left_out can list it.
constexpr const char* kOtherObjectsSql =
    "SELECT CASE c.relkind WHEN 'v' THEN 'view' WHEN 'm' THEN 'materialized view' "
    "  WHEN 'f' THEN 'foreign table' WHEN 'S' THEN 'sequence' "
    "  ELSE 'partition' END || ' ' || c.relname::text || "
    "  CASE WHEN c.relispartition THEN ' (of ' || coalesce((SELECT p.relname::text "
    "    FROM pg_catalog.pg_inherits h JOIN pg_catalog.pg_class p ON p.oid = h.inhparent "
    "    WHERE h.inhrelid = c.oid LIMIT 1), '?') || ')' ELSE '' END "
    "FROM pg_catalog.pg_class c JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace "
    "WHERE n.nspname = $1 AND NOT EXISTS (SELECT 1 FROM pg_catalog.pg_depend m "
    "  WHERE m.classid = 'pg_catalog.pg_class'::pg_catalog.regclass AND m.objid = c.oid "
    "  AND m.deptype = 'e') AND (c.relkind IN ('v', 'm', 'f') "
    "  OR (c.relkind IN ('r', 'p') AND c.relispartition) "
    "  OR (c.relkind = 'S' AND NOT EXISTS (SELECT 1 FROM pg_catalog.pg_depend d "
    "    WHERE d.classid = 'pg_catalog.pg_class'::pg_catalog.regclass AND d.objid = c.oid "
    "    AND d.deptype IN ('a', 'i')))) "
    "UNION ALL "
    "SELECT 'trigger ' || g.tgname::text || ' on ' || c.relname::text "
    "FROM pg_catalog.pg_trigger g JOIN pg_catalog.pg_class c ON c.oid = g.tgrelid "
    "JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace "
    "WHERE n.nspname = $1 AND NOT g.tgisinternal "
    "UNION ALL "
    "SELECT CASE t.typtype WHEN 'c' THEN 'composite type ' WHEN 'r' THEN 'range type ' "
    "  ELSE 'type ' END || t.typname::text "
    "FROM pg_catalog.pg_type t JOIN pg_catalog.pg_namespace n ON n.oid = t.typnamespace "
    "WHERE n.nspname = $1 AND t.typtype IN ('c', 'r', 'b', 'p') "
    "  AND (t.typtype <> 'c' OR (SELECT k.relkind FROM pg_catalog.pg_class k "
    "       WHERE k.oid = t.typrelid) = 'c') "
    "  AND t.typelem = 0 AND NOT EXISTS (SELECT 1 FROM pg_catalog.pg_depend m "
    "  WHERE m.classid = 'pg_catalog.pg_type'::pg_catalog.regclass AND m.objid = t.oid "
    "  AND m.deptype = 'e') "
    "UNION ALL "
    "SELECT 'extension ' || x.extname::text FROM pg_catalog.pg_extension x "
    "JOIN pg_catalog.pg_namespace n ON n.oid = x.extnamespace WHERE n.nspname = $1 "
    "UNION ALL "
    "SELECT CASE p.prokind WHEN 'p' THEN 'procedure ' WHEN 'a' THEN 'aggregate ' "
    "  ELSE 'function ' END || p.proname::text || '(' || "
    "  pg_catalog.pg_get_function_identity_arguments(p.oid) || ')' "
    "FROM pg_catalog.pg_proc p JOIN pg_catalog.pg_namespace n ON n.oid = p.pronamespace "
    "WHERE n.nspname = $1 AND NOT EXISTS (SELECT 1 FROM pg_catalog.pg_depend m "
    "  WHERE m.classid = 'pg_catalog.pg_proc'::pg_catalog.regclass AND m.objid = p.oid "
    "  AND m.deptype = 'e') "
    // A leaf's own index (not one of its parent's): the mirror's leaves get only
    // the parent's.
    "UNION ALL "
    "SELECT 'index ' || i.relname::text || ' on partition ' || c.relname::text "
    "FROM pg_catalog.pg_index x JOIN pg_catalog.pg_class i ON i.oid = x.indexrelid "
    "JOIN pg_catalog.pg_class c ON c.oid = x.indrelid "
    "JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace "
    "WHERE n.nspname = $1 AND c.relispartition AND NOT EXISTS (SELECT 1 "
    "  FROM pg_catalog.pg_inherits h WHERE h.inhrelid = i.oid) "
    "ORDER BY 1";

}  // namespace

StatsSnapshot read_stats(const std::string& dsn, const StatsOptions& options) {
  const auto session = open_session(dsn, SessionKind::kSource);
  pqxx::connection& conn = *session;
  stats::make_session_read_only(conn, "pgshape stats");
  pqxx::read_transaction tx(conn);  // BEGIN READ ONLY, on top of the session default

  StatsSnapshot snap;
  snap.schema = options.schema;
  // The source schema alone on the path (pg_catalog comes first anyway): index
  // definitions, checks and types then name the schema's own objects bare, and
  // the mirror resolves them in its own schema.
  tx.exec0("SET LOCAL search_path TO " + tx.quote_name(options.schema));
  auto head = tx.exec1(
      "SELECT pg_catalog.current_database()::text, pg_catalog.current_setting('server_version'), "
      "current_user::text, "
      "pg_catalog.to_char(pg_catalog.now() AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS\"Z\"')");
  snap.database = head[0].as<std::string>();
  snap.server_version = head[1].as<std::string>();
  snap.role = head[2].as<std::string>();
  snap.taken_at = head[3].as<std::string>();
  if (tx.exec_params("SELECT 1 FROM pg_catalog.pg_namespace WHERE nspname = $1", options.schema)
          .empty())
    throw UsageError(
        "stats.no-schema",
        fmt::format("schema '{}' does not exist in database '{}'", options.schema, snap.database),
        "name the schema to import with --schema");

  std::map<int64_t, size_t> by_oid;
  for (const auto& row : tx.exec_params(kTablesSql, options.schema)) {
    const std::string name = row[1].as<std::string>();
    if (!options.tables.empty() &&
        std::find(options.tables.begin(), options.tables.end(), name) == options.tables.end())
      continue;
    by_oid[row[0].as<int64_t>()] = snap.tables.size();
    snap.tables.push_back(TableStats{.name = name,
                                     .reltuples = row[2].as<double>(),
                                     .relpages = row[3].as<int64_t>(),
                                     .partition_by = row[4].as<std::string>()});
  }
  stats::read_partitions(tx, options.schema, by_oid, snap);
  for (const auto& wanted : options.tables)
    if (!snap.find_table(wanted))
      throw UsageError("usage.unknown-table",
                       fmt::format("table '{}.{}' does not exist", options.schema, wanted),
                       "--tables takes table names of the schema, comma-separated");

  stats::read_columns(tx, options.schema, by_oid, snap);
  stats::read_constraints(tx, options.schema, by_oid, snap);
  for (const auto& row : tx.exec_params(kOtherObjectsSql, options.schema))
    snap.other_objects.push_back(row[0].as<std::string>());
  stats::read_range_stats(tx, options.schema, by_oid, snap);
  stats::read_extended_stats(tx, options.schema, by_oid, snap);
  stats::read_objects(tx, options.schema, by_oid, snap);
  tx.commit();
  if (options.redact) redact_snapshot(snap);
  return snap;
}

}  // namespace pgshape
