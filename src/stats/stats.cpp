// read_stats: the source's planner statistics and schema, read from the catalogs
// in one read-only session. This file is the only place that talks to the source,
// and every query here is a catalog read — never a row of a user table.
#include <pqxx/pqxx>

#include <fmt/format.h>
#include <algorithm>
#include <map>
#include <nlohmann/json.hpp>
#include <set>

#include "pgshape/error.hpp"
#include "pgshape/stats.hpp"
#include "stats/internal.hpp"

namespace pgshape {
namespace {

std::vector<std::string> json_strings(const std::string& text) {
  std::vector<std::string> out;
  for (const auto& v : nlohmann::json::parse(text))
    out.push_back(v.is_string() ? v.get<std::string>() : v.dump());
  return out;
}

std::vector<double> json_numbers(const std::string& text) {
  std::vector<double> out;
  for (const auto& v : nlohmann::json::parse(text)) out.push_back(v.get<double>());
  return out;
}

// The array of a catalog column as JSON text: pqxx 6 has no array reader we trust
// for every element type, PostgreSQL's own array_to_json does.
// Every catalog column read here means the same on PostgreSQL 15 to 18 (17 added
// pg_stats' range_* columns, which range_stats.cpp reads): one query per catalog serves every
// supported source (the CrossVersion tests read 15, 17 and 18). A query that
// must differ by version goes here, chosen by server_version_num.
// What the object (classid, objid) depends on that a mirror does not get: members of
// extensions, and functions of the source schema. Text[] of "extension x" / "function f".
#define PGSHAPE_NEEDS(CLASS, OBJID)                                                            \
  "  pg_catalog.array_to_json(ARRAY(SELECT DISTINCT 'extension ' || x.extname::text "          \
  "    FROM pg_catalog.pg_depend d JOIN pg_catalog.pg_depend e ON e.classid = d.refclassid "   \
  "    AND e.objid = d.refobjid AND e.deptype = 'e' "                                          \
  "    JOIN pg_catalog.pg_extension x ON x.oid = e.refobjid "                                  \
  "    WHERE d.classid = '" CLASS "'::pg_catalog.regclass AND d.objid = " OBJID                \
  " "                                                                                          \
  "    UNION SELECT DISTINCT 'function ' || p.proname::text FROM pg_catalog.pg_depend d "      \
  "    JOIN pg_catalog.pg_proc p ON d.refclassid = 'pg_catalog.pg_proc'::pg_catalog.regclass " \
  "    AND p.oid = d.refobjid JOIN pg_catalog.pg_namespace pn ON pn.oid = p.pronamespace "     \
  "    WHERE d.classid = '" CLASS "'::pg_catalog.regclass AND d.objid = " OBJID                \
  " "                                                                                          \
  "    AND pn.nspname = $1 AND NOT EXISTS (SELECT 1 FROM pg_catalog.pg_depend m "              \
  "      WHERE m.classid = 'pg_catalog.pg_proc'::pg_catalog.regclass AND m.objid = p.oid "     \
  "      AND m.deptype = 'e')))::text "

constexpr const char* kTablesSql =
    "SELECT c.oid::bigint, c.relname::text, c.reltuples::float8, c.relpages::bigint, "
    "  CASE WHEN c.relkind = 'p' THEN pg_catalog.pg_get_partkeydef(c.oid) ELSE '' END "
    "FROM pg_catalog.pg_class c "
    "JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace "
    "WHERE n.nspname = $1 AND c.relkind IN ('r', 'p') AND NOT c.relispartition "
    "ORDER BY c.relname";

}  // namespace

// A partitioned parent's column from its leaves' statistics, each weighted by
// its rows: null_frac, width and correlation averaged, MCV frequencies summed,
// histograms merged into equi-depth bounds in the column type's order (sorted
// by the server, in a subtransaction: a type without a cast from text just
// keeps no histogram).
static void merge_leaf_stats(
    pqxx::dbtransaction& tx, const TableStats& table, ColumnStats& column,
    const std::map<std::pair<std::string, std::string>, ColumnStats>& leaves) {
  double rows = 0, null_frac = 0, width = 0, correlation = 0, distinct = 0;
  bool fraction = false, any_histogram = false, with_correlation = false;
  std::map<std::string, double> mcv;
  std::vector<std::string> values;
  std::vector<double> weights;
  size_t bounds = 0;
  for (const auto& leaf : table.partitions) {
    auto it = leaves.find({leaf.name, column.name});
    if (it == leaves.end()) continue;
    const ColumnStats& c = it->second;
    const double w = std::max(1.0, leaf.reltuples);
    rows += w;
    null_frac += w * c.null_frac;
    width += w * c.avg_width;
    if (c.correlation) correlation += w * *c.correlation, with_correlation = true;
    double common = 0;
    for (size_t i = 0; i < c.mcv.size() && i < c.mcf.size(); ++i)
      mcv[c.mcv[i]] += w * c.mcf[i], common += c.mcf[i];
    distinct += c.n_distinct >= 0 ? c.n_distinct : -c.n_distinct * w;
    fraction = fraction || c.n_distinct < 0;
    if (!c.histogram.empty()) {
      any_histogram = true;
      bounds = std::max(bounds, c.histogram.size());
      const double each =
          w * std::max(0.0, 1 - c.null_frac - common) / static_cast<double>(c.histogram.size());
      for (const auto& v : c.histogram) values.push_back(v), weights.push_back(each);
    }
  }
  if (rows <= 0) return;
  column.has_stats = true;
  column.null_frac = null_frac / rows;
  column.avg_width = width / rows;
  if (with_correlation) column.correlation = correlation / rows;
  std::vector<std::pair<std::string, double>> common(mcv.begin(), mcv.end());
  std::sort(common.begin(), common.end(),
            [](const auto& a, const auto& b) { return a.second > b.second; });
  // Values past the 100 kept are rows of the histogram's part.
  for (size_t i = 100; i < common.size(); ++i) {
    values.push_back(common[i].first), weights.push_back(common[i].second);
    bounds = std::max<size_t>(bounds, 101);
  }
  if (common.size() > 100) common.resize(100);
  for (const auto& [v, f] : common) column.mcv.push_back(v), column.mcf.push_back(f / rows);
  if (!any_histogram && !fraction)
    column.n_distinct = static_cast<double>(mcv.size());
  else
    column.n_distinct = fraction ? -std::min(1.0, distinct / rows) : std::min(distinct, rows);
  if (values.empty() || bounds < 2) return;
  try {
    pqxx::subtransaction sub(tx, "pgshape_leaf_histogram");
    std::vector<std::pair<std::string, double>> sorted;
    for (const auto& row : sub.exec_params(
             fmt::format("SELECT a.v, b.w::float8 FROM "
                         "pg_catalog.json_array_elements_text($1::json) WITH ORDINALITY a(v, i) "
                         "JOIN pg_catalog.json_array_elements_text($2::json) WITH ORDINALITY "
                         "b(w, j) ON a.i = b.j ORDER BY a.v::{}",
                         column.type),
             nlohmann::json(values).dump(), nlohmann::json(weights).dump()))
      sorted.emplace_back(row[0].as<std::string>(), row[1].as<double>());
    sub.commit();
    double total = 0;
    for (const auto& p : sorted) total += p.second;
    double seen = 0;
    size_t next = 0;
    for (size_t k = 0; k < bounds; ++k) {
      const double target = total * static_cast<double>(k) / static_cast<double>(bounds - 1);
      while (next + 1 < sorted.size() && seen + sorted[next].second < target)
        seen += sorted[next++].second;
      const std::string& v = k + 1 == bounds ? sorted.back().first : sorted[next].first;
      if (column.histogram.empty() || column.histogram.back() != v) column.histogram.push_back(v);
    }
  } catch (const pqxx::sql_error&) {
    column.histogram.clear();
  }
}

namespace {

constexpr const char* kColumnsSql =
    "SELECT a.attrelid::bigint, a.attname::text, "
    "       pg_catalog.format_type(a.atttypid, a.atttypmod), a.attnotnull, "
    "       coalesce(pg_catalog.pg_get_expr(d.adbin, d.adrelid), ''), "
    "       a.attgenerated::text, a.attidentity::text, "
    // pg_stats' own filter (system_views.sql), so a hidden row is told from a missing one.
    "       NOT (pg_catalog.has_column_privilege(c.oid, a.attnum, 'select') "
    "            AND (c.relrowsecurity = false OR NOT pg_catalog.row_security_active(c.oid))), "
    "       coalesce((SELECT x.extname::text FROM pg_catalog.pg_type t "
    "         JOIN pg_catalog.pg_depend e ON e.classid = 'pg_catalog.pg_type'::pg_catalog.regclass "
    "         AND e.objid = CASE WHEN t.typelem <> 0 AND t.typlen = -1 THEN t.typelem "
    "                            ELSE t.oid END AND e.deptype = 'e' "
    "         JOIN pg_catalog.pg_extension x ON x.oid = e.refobjid "
    "         WHERE t.oid = a.atttypid LIMIT 1), '') "
    "FROM pg_catalog.pg_attribute a "
    "JOIN pg_catalog.pg_class c ON c.oid = a.attrelid "
    "JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace "
    "LEFT JOIN pg_catalog.pg_attrdef d ON d.adrelid = a.attrelid AND d.adnum = a.attnum "
    "WHERE n.nspname = $1 AND c.relkind IN ('r', 'p') AND a.attnum > 0 AND NOT a.attisdropped "
    "ORDER BY a.attrelid, a.attnum";

// Non-inherited rows first: a partitioned parent only has inherited ones.
constexpr const char* kStatsSql =
    "SELECT s.tablename::text, s.attname::text, s.null_frac::float8, s.avg_width::float8, "
    "       s.n_distinct::float8, "
    "       coalesce(pg_catalog.array_to_json(s.most_common_vals::text::text[])::text, '[]'), "
    "       coalesce(pg_catalog.array_to_json(s.most_common_freqs)::text, '[]'), "
    "       coalesce(pg_catalog.array_to_json(s.histogram_bounds::text::text[])::text, '[]'), "
    "       s.correlation::float8, "
    "       coalesce(pg_catalog.array_to_json(s.most_common_elems::text::text[])::text, '[]'), "
    "       coalesce(pg_catalog.array_to_json(s.most_common_elem_freqs)::text, '[]'), "
    "       coalesce(pg_catalog.array_to_json(s.elem_count_histogram)::text, '[]') "
    "FROM pg_catalog.pg_stats s WHERE s.schemaname = $1 "
    "ORDER BY s.tablename, s.attname, s.inherited";

constexpr const char* kConstraintsSql =
    "SELECT con.conrelid::bigint, con.conname::text, con.contype::text, "
    "  pg_catalog.array_to_json(ARRAY(SELECT a.attname::text FROM pg_catalog.unnest(con.conkey) "
    "    WITH ORDINALITY k(n, o) JOIN pg_catalog.pg_attribute a "
    "    ON a.attrelid = con.conrelid AND a.attnum = k.n ORDER BY k.o))::text, "
    "  coalesce(fc.relname::text, ''), coalesce(fn.nspname::text, ''), "
    "  pg_catalog.array_to_json(ARRAY(SELECT a.attname::text FROM pg_catalog.unnest(con.confkey) "
    "    WITH ORDINALITY k(n, o) JOIN pg_catalog.pg_attribute a "
    "    ON a.attrelid = con.confrelid AND a.attnum = k.n ORDER BY k.o))::text, "
    "  con.confupdtype::text, con.confdeltype::text, con.condeferrable, con.condeferred "
    "FROM pg_catalog.pg_constraint con "
    "JOIN pg_catalog.pg_class c ON c.oid = con.conrelid "
    "JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace "
    "LEFT JOIN pg_catalog.pg_class fc ON fc.oid = con.confrelid "
    "LEFT JOIN pg_catalog.pg_namespace fn ON fn.oid = fc.relnamespace "
    "WHERE n.nspname = $1 AND con.contype IN ('p', 'u', 'f') "
    // A foreign key to a partitioned table has a clone per leaf of it (conparentid
    // set): one key, created once on the mirror, which clones it the same way.
    "AND (con.contype <> 'f' OR con.conparentid = 0) "
    "ORDER BY con.conrelid, con.conname";

// In creation (OID) order: the planner breaks cost ties by index order, so the
// mirror builds them in the same order. pg_index rather than the pg_indexes view:
// the same indexes, but with the key
// columns, their sort options and the predicate as separate fields.
constexpr const char* kIndexesSql =
    "SELECT i.indrelid::bigint, ic.relname::text, i.indisunique, "
    "  EXISTS (SELECT 1 FROM pg_catalog.pg_constraint k WHERE k.conindid = i.indexrelid "
    "          AND k.conrelid = i.indrelid AND k.contype IN ('p', 'u', 'x')), "
    "  am.amname::text, "
    "  coalesce(pg_catalog.pg_get_expr(i.indpred, i.indrelid), ''), "
    "  pg_catalog.array_to_json(ARRAY(SELECT coalesce(a.attname::text, '') "
    "    FROM pg_catalog.unnest(i.indkey::int2[]) WITH ORDINALITY k(n, o) "
    "    LEFT JOIN pg_catalog.pg_attribute a ON a.attrelid = i.indrelid AND a.attnum = k.n "
    "    WHERE k.o <= i.indnkeyatts ORDER BY k.o))::text, "
    "  pg_catalog.array_to_json(ARRAY(SELECT k.n::int "
    "    FROM pg_catalog.unnest(i.indoption::int2[]) WITH ORDINALITY k(n, o) "
    "    WHERE k.o <= i.indnkeyatts ORDER BY k.o))::text, "
    // The whole definition, and the table as it names it, to cut the tail off.
    "  pg_catalog.pg_get_indexdef(i.indexrelid), "
    "  pg_catalog.quote_ident(n.nspname) || '.' || pg_catalog.quote_ident(c.relname), "
    // Plain: what columns, orders and where say whole.
    "  i.indexprs IS NULL AND i.indnatts = i.indnkeyatts AND am.amname = 'btree' "
    "  AND NOT EXISTS (SELECT 1 FROM pg_catalog.unnest(i.indclass::oid[]) k(oc) "
    "    JOIN pg_catalog.pg_opclass o ON o.oid = k.oc WHERE NOT o.opcdefault) "
    "  AND NOT EXISTS (SELECT 1 FROM ROWS FROM (pg_catalog.unnest(i.indcollation::oid[]), "
    "    pg_catalog.unnest(i.indkey::int2[])) k(coll, attnum) JOIN pg_catalog.pg_attribute a "
    "    ON a.attrelid = i.indrelid AND a.attnum = k.attnum "
    "    WHERE k.coll <> 0 AND k.coll <> a.attcollation), "
    // Every column it reads: keys and INCLUDE (indkey), expressions and the
    // predicate (pg_depend records those column by column).
    "  pg_catalog.array_to_json(ARRAY(SELECT a.attname::text FROM pg_catalog.pg_attribute a "
    "    WHERE a.attrelid = i.indrelid AND a.attnum > 0 AND (a.attnum = ANY (i.indkey::int2[]) "
    "    OR a.attnum IN (SELECT d.refobjsubid FROM pg_catalog.pg_depend d "
    "      WHERE d.classid = 'pg_catalog.pg_class'::pg_catalog.regclass "
    "      AND d.objid = i.indexrelid AND d.refobjid = i.indrelid "
    "      AND d.refclassid = 'pg_catalog.pg_class'::pg_catalog.regclass)) "
    "    ORDER BY a.attnum))::text, " PGSHAPE_NEEDS("pg_catalog.pg_class", "i.indexrelid")
    "FROM pg_catalog.pg_index i "
    "JOIN pg_catalog.pg_class ic ON ic.oid = i.indexrelid "
    "JOIN pg_catalog.pg_class c ON c.oid = i.indrelid "
    "JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace "
    "JOIN pg_catalog.pg_am am ON am.oid = ic.relam "
    "WHERE n.nspname = $1 AND c.relkind IN ('r', 'p') "
    "ORDER BY i.indrelid, i.indexrelid";

constexpr const char* kChecksSql =
    "SELECT con.conrelid::bigint, con.conname::text, con.contype::text, "
    "  pg_catalog.pg_get_constraintdef(con.oid), con.convalidated, "
    "  pg_catalog.array_to_json(ARRAY(SELECT a.attname::text FROM pg_catalog.unnest(con.conkey) "
    "    k(n) JOIN pg_catalog.pg_attribute a ON a.attrelid = con.conrelid AND a.attnum = k.n "
    "    ORDER BY a.attnum))::text "
    "FROM pg_catalog.pg_constraint con "
    "JOIN pg_catalog.pg_class c ON c.oid = con.conrelid "
    "JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace "
    "WHERE n.nspname = $1 AND con.contype IN ('c', 'x', 't') "
    "ORDER BY con.conrelid, con.conname";

// Enums and domains of the schema, named as format_type names them in a column.
constexpr const char* kTypesSql =
    "SELECT pg_catalog.format_type(t.oid, NULL), t.typtype::text, "
    "  pg_catalog.array_to_json(ARRAY(SELECT e.enumlabel::text FROM pg_catalog.pg_enum e "
    "    WHERE e.enumtypid = t.oid ORDER BY e.enumsortorder))::text, "
    "  CASE WHEN t.typtype = 'd' THEN pg_catalog.format_type(t.typbasetype, t.typtypmod) "
    "       ELSE '' END, "
    "  pg_catalog.array_to_json(ARRAY(SELECT pg_catalog.pg_get_constraintdef(k.oid) "
    "    FROM pg_catalog.pg_constraint k WHERE k.contypid = t.oid AND k.contype = 'c' "
    "    ORDER BY k.conname))::text, "
    "  t.typnotnull, "
    "  pg_catalog.array_to_json(ARRAY(SELECT DISTINCT v.need FROM pg_catalog.pg_constraint k, "
    "    pg_catalog.json_array_elements_text((" PGSHAPE_NEEDS("pg_catalog.pg_constraint", "k.oid")
    ")::json) v(need) WHERE k.contypid = t.oid))::text "
    "FROM pg_catalog.pg_type t JOIN pg_catalog.pg_namespace n ON n.oid = t.typnamespace "
    "WHERE n.nspname = $1 AND t.typtype IN ('e', 'd') ORDER BY t.oid";

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

// A foreign key's referential actions and deferrability beyond the defaults
// (NO ACTION, NOT DEFERRABLE), as SQL prints them; "" when there are none.
std::string fk_actions(const pqxx::row& row) {
  auto action = [](const std::string& code) -> std::string {
    if (code == "c") return "CASCADE";
    if (code == "r") return "RESTRICT";
    if (code == "n") return "SET NULL";
    if (code == "d") return "SET DEFAULT";
    return "";
  };
  std::string out;
  auto add = [&out](std::string_view words, std::string_view value) {
    if (!out.empty()) out += ' ';
    out.append(words).append(value);
  };
  if (auto a = action(row[7].as<std::string>()); !a.empty()) add("ON UPDATE ", a);
  if (auto a = action(row[8].as<std::string>()); !a.empty()) add("ON DELETE ", a);
  if (row[9].as<bool>())
    add(row[10].as<bool>() ? "DEFERRABLE INITIALLY DEFERRED" : "DEFERRABLE", "");
  return out;
}

std::string index_order(int option) {
  const bool desc = option & 1, nulls_first = option & 2;
  if (desc) return nulls_first ? "DESC" : "DESC NULLS LAST";
  return nulls_first ? "NULLS FIRST" : "";
}

// One pg_stats row of kStatsSql (tablename, attname, null_frac, avg_width,
// n_distinct, MCVs, their frequencies, histogram bounds, correlation, element
// statistics).
void take_stats_row(ColumnStats& c, const pqxx::row& row) {
  c.has_stats = true;
  c.null_frac = row[2].as<double>();
  c.avg_width = row[3].as<double>();
  c.n_distinct = row[4].as<double>();
  c.mcv = json_strings(row[5].as<std::string>());
  c.mcf = json_numbers(row[6].as<std::string>());
  c.histogram = json_strings(row[7].as<std::string>());
  if (!row[8].is_null()) c.correlation = row[8].as<double>();
  c.mce = json_strings(row[9].as<std::string>());
  c.mcef = json_numbers(row[10].as<std::string>());
  c.elem_counts = json_numbers(row[11].as<std::string>());
}

}  // namespace

const ColumnStats* TableStats::find_column(std::string_view column) const {
  for (const auto& c : columns)
    if (c.name == column) return &c;
  return nullptr;
}

const TableStats* StatsSnapshot::find_table(std::string_view table) const {
  for (const auto& t : tables)
    if (t.name == table) return &t;
  return nullptr;
}

namespace stats {

void make_session_read_only(pqxx::connection& conn, const char* application) {
  pqxx::nontransaction tx(conn);
  // Every later transaction of this session is READ ONLY; the server enforces it.
  tx.exec0("SET default_transaction_read_only = on");
  tx.exec0("SET TimeZone = 'UTC'");
  tx.exec0("SET DateStyle = 'ISO, YMD'");
  tx.exec0("SET extra_float_digits = 3");
  tx.exec_params("SELECT pg_catalog.set_config('application_name', $1, false)",
                 std::string(application));
}

DatabaseIdentity database_identity(pqxx::connection& conn) {
  DatabaseIdentity id;
  {
    pqxx::nontransaction tx(conn);
    id.database = tx.exec1("SELECT pg_catalog.current_database()::text")[0].as<std::string>();
    id.fallback = tx.exec1(
                        "SELECT coalesce(pg_catalog.host(pg_catalog.inet_server_addr()), 'socket') "
                        "|| ':' || pg_catalog.current_setting('port')")[0]
                      .as<std::string>();
  }
  try {
    pqxx::nontransaction tx(conn);
    id.system_identifier =
        tx.exec1("SELECT system_identifier::text FROM pg_catalog.pg_control_system()")[0]
            .as<std::string>();
  } catch (const pqxx::sql_error&) {
    // Not granted to this role: the guard falls back to address, port and database.
  }
  return id;
}

}  // namespace stats

StatsSnapshot read_stats(const std::string& dsn, const StatsOptions& options) {
  pqxx::connection conn(dsn);
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

  for (const auto& row : tx.exec_params(kColumnsSql, options.schema)) {
    auto it = by_oid.find(row[0].as<int64_t>());
    if (it == by_oid.end()) continue;
    snap.tables[it->second].columns.push_back(
        ColumnStats{.name = row[1].as<std::string>(),
                    .type = row[2].as<std::string>(),
                    .not_null = row[3].as<bool>(),
                    .default_expr = row[4].as<std::string>(),
                    .generated = row[5].as<std::string>() == "s",
                    .identity = row[6].as<std::string>(),
                    .stats_hidden = row[7].as<bool>(),
                    .extension_type = row[8].as<std::string>()});
  }
  // Leaves' own rows, for a partitioned parent nobody analyzed (autovacuum never does).
  std::map<std::pair<std::string, std::string>, ColumnStats> leaf_stats;
  std::set<std::string> leaf_names;
  for (const auto& table : snap.tables)
    for (const auto& leaf : table.partitions) leaf_names.insert(leaf.name);
  for (const auto& row : tx.exec_params(kStatsSql, options.schema)) {
    if (leaf_names.count(row[0].as<std::string>())) {
      auto [it, fresh] =
          leaf_stats.try_emplace({row[0].as<std::string>(), row[1].as<std::string>()});
      if (fresh) take_stats_row(it->second, row);
    }
    for (auto& table : snap.tables) {
      if (table.name != row[0].as<std::string>()) continue;
      for (auto& c : table.columns) {
        if (c.name == row[1].as<std::string>() && !c.has_stats) take_stats_row(c, row);
      }
    }
  }
  for (auto& table : snap.tables)
    for (auto& column : table.columns)
      if (!column.has_stats && !table.partitions.empty())
        merge_leaf_stats(tx, table, column, leaf_stats);
      else if (!table.partitions.empty())
        stats::leaf_correlation(table, column, leaf_stats);
  for (const auto& row : tx.exec_params(kConstraintsSql, options.schema)) {
    auto it = by_oid.find(row[0].as<int64_t>());
    if (it == by_oid.end()) continue;
    TableStats& table = snap.tables[it->second];
    const std::string type = row[2].as<std::string>();
    auto columns = json_strings(row[3].as<std::string>());
    if (type == "p")
      table.primary_key = columns;
    else if (type == "u")
      table.unique_keys.push_back(columns);
    else if (row[5].as<std::string>() == options.schema)
      table.foreign_keys.push_back(
          ForeignKeyStats{.name = row[1].as<std::string>(),
                          .columns = columns,
                          .parent_table = row[4].as<std::string>(),
                          .parent_columns = json_strings(row[6].as<std::string>()),
                          .actions = fk_actions(row)});
  }
  for (const auto& row : tx.exec_params(kIndexesSql, options.schema)) {
    auto it = by_oid.find(row[0].as<int64_t>());
    if (it == by_oid.end()) continue;
    IndexStats index{.name = row[1].as<std::string>(),
                     .columns = json_strings(row[6].as<std::string>()),
                     .where = row[5].as<std::string>(),
                     .unique = row[2].as<bool>(),
                     .constraint = row[3].as<bool>(),
                     .method = row[4].as<std::string>()};
    for (double option : json_numbers(row[7].as<std::string>()))
      index.orders.push_back(index_order(static_cast<int>(option)));
    const std::string def = row[8].as<std::string>();
    for (const char* on : {" ON ", " ON ONLY "}) {
      const std::string needle = on + row[9].as<std::string>() + " ";
      if (auto at = def.find(needle); at != std::string::npos && index.definition.empty())
        index.definition = def.substr(at + needle.size());
    }
    index.plain = row[10].as<bool>();
    index.uses = json_strings(row[11].as<std::string>());
    index.needs = json_strings(row[12].as<std::string>());
    snap.tables[it->second].indexes.push_back(std::move(index));
  }
  for (const auto& row : tx.exec_params(kChecksSql, options.schema)) {
    auto it = by_oid.find(row[0].as<int64_t>());
    if (it == by_oid.end()) continue;
    TableStats& table = snap.tables[it->second];
    if (row[2].as<std::string>() != "c") {
      table.other_constraints.push_back(row[1].as<std::string>() + ": " + row[3].as<std::string>());
      continue;
    }
    table.checks.push_back(CheckStats{.name = row[1].as<std::string>(),
                                      .definition = row[3].as<std::string>(),
                                      .columns = json_strings(row[5].as<std::string>()),
                                      .validated = row[4].as<bool>()});
  }
  for (const auto& row : tx.exec_params(kTypesSql, options.schema))
    snap.types.push_back(TypeStats{.name = row[0].as<std::string>(),
                                   .kind = row[1].as<std::string>()[0],
                                   .labels = json_strings(row[2].as<std::string>()),
                                   .base = row[3].as<std::string>(),
                                   .checks = json_strings(row[4].as<std::string>()),
                                   .not_null = row[5].as<bool>(),
                                   .needs = json_strings(row[6].as<std::string>())});
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
