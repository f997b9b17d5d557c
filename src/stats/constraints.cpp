// The keys, foreign keys, indexes and CHECKs of the source's tables, and the
// enums and domains of its schema, as the catalog holds them.
#include <pqxx/pqxx>

#include <fmt/format.h>

#include "pgshape/stats.hpp"
#include "stats/internal.hpp"

namespace pgshape::stats {
namespace {

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

}  // namespace

void read_constraints(pqxx::transaction_base& tx, const std::string& schema,
                      const std::map<int64_t, size_t>& by_oid, StatsSnapshot& snap) {
  for (const auto& row : tx.exec_params(kConstraintsSql, schema)) {
    auto it = by_oid.find(row[0].as<int64_t>());
    if (it == by_oid.end()) continue;
    TableStats& table = snap.tables[it->second];
    const std::string type = row[2].as<std::string>();
    auto columns = json_strings(row[3].as<std::string>());
    if (type == "p")
      table.primary_key = columns;
    else if (type == "u")
      table.unique_keys.push_back(columns);
    else if (row[5].as<std::string>() == schema)
      table.foreign_keys.push_back(
          ForeignKeyStats{.name = row[1].as<std::string>(),
                          .columns = columns,
                          .parent_table = row[4].as<std::string>(),
                          .parent_columns = json_strings(row[6].as<std::string>()),
                          .actions = fk_actions(row)});
  }
  for (const auto& row : tx.exec_params(kIndexesSql, schema)) {
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
  for (const auto& row : tx.exec_params(kChecksSql, schema)) {
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
  for (const auto& row : tx.exec_params(kTypesSql, schema))
    snap.types.push_back(TypeStats{.name = row[0].as<std::string>(),
                                   .kind = row[1].as<std::string>()[0],
                                   .labels = json_strings(row[2].as<std::string>()),
                                   .base = row[3].as<std::string>(),
                                   .checks = json_strings(row[4].as<std::string>()),
                                   .not_null = row[5].as<bool>(),
                                   .needs = json_strings(row[6].as<std::string>())});
}

}  // namespace pgshape::stats
