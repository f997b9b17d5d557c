// read_objects: what the schema holds besides tables that a mirror needs for
// production's indexes, generated columns and queries to work: its functions
// (with the definition a mirror can run, or why not), its views with what they
// read, the source's extensions, and what each generated column reads. Catalog
// reads only, in read_stats' read-only transaction.
#include <pqxx/pqxx>

#include <fmt/format.h>
#include <algorithm>
#include <cctype>
#include <nlohmann/json.hpp>
#include <set>

#include "pgshape/stats.hpp"
#include "stats/internal.hpp"

namespace pgshape::stats {
namespace {

// Extensions whose members the object (CLASS, OBJID) uses: "extension x".
#define PGSHAPE_EXTENSION_NEEDS(CLASS, OBJID)                                              \
  "pg_catalog.array_to_json(ARRAY(SELECT DISTINCT 'extension ' || x.extname::text "        \
  "  FROM pg_catalog.pg_depend d JOIN pg_catalog.pg_depend e ON e.classid = d.refclassid " \
  "  AND e.objid = d.refobjid AND e.deptype = 'e' "                                        \
  "  JOIN pg_catalog.pg_extension x ON x.oid = e.refobjid "                                \
  "  WHERE d.classid = '" CLASS "'::pg_catalog.regclass AND d.objid = " OBJID "))::text"

// Functions of the schema an object (CLASS, OBJID) calls: "function f".
#define PGSHAPE_FUNCTION_NEEDS(CLASS, OBJID)                                              \
  "pg_catalog.array_to_json(ARRAY(SELECT DISTINCT 'function ' || p.proname::text "        \
  "  FROM pg_catalog.pg_depend d JOIN pg_catalog.pg_proc p "                              \
  "  ON d.refclassid = 'pg_catalog.pg_proc'::pg_catalog.regclass AND p.oid = d.refobjid " \
  "  JOIN pg_catalog.pg_namespace pn ON pn.oid = p.pronamespace "                         \
  "  WHERE d.classid = '" CLASS "'::pg_catalog.regclass AND d.objid = " OBJID             \
  "  AND pn.nspname = $1))::text"

constexpr const char* kFunctionsSql =
    "SELECT p.proname::text, "
    "  CASE p.prokind WHEN 'p' THEN 'procedure ' WHEN 'a' THEN 'aggregate ' "
    "    ELSE 'function ' END || p.proname::text || '(' || "
    "    pg_catalog.pg_get_function_identity_arguments(p.oid) || ')', "
    "  p.prokind::text, l.lanname::text, "
    "  CASE WHEN p.prokind IN ('f', 'p') THEN pg_catalog.pg_get_functiondef(p.oid) ELSE '' END, "
    "  coalesce(p.prosrc, ''), coalesce(pg_catalog.array_to_json(p.proconfig)::text, '[]'), "
    "  p.prosqlbody IS NOT NULL, "
    // A type of the schema in its signature that the mirror has no earlier than
    // the tables (row types, composite and range types): created before them, it fails.
    "  coalesce((SELECT t.typname::text FROM pg_catalog.pg_depend d "
    "    JOIN pg_catalog.pg_type t ON t.oid = d.refobjid "
    "    JOIN pg_catalog.pg_namespace tn ON tn.oid = t.typnamespace "
    "    WHERE d.classid = 'pg_catalog.pg_proc'::pg_catalog.regclass AND d.objid = p.oid "
    "    AND d.refclassid = 'pg_catalog.pg_type'::pg_catalog.regclass AND tn.nspname = $1 "
    "    AND t.typtype NOT IN ('e', 'd') LIMIT 1), ''), "
    "  EXISTS (SELECT 1 FROM pg_catalog.pg_depend d "
    "    WHERE d.classid = 'pg_catalog.pg_proc'::pg_catalog.regclass AND d.objid = p.oid "
    "    AND d.refclassid = 'pg_catalog.pg_class'::pg_catalog.regclass), "
    "  pg_catalog.quote_ident(n.nspname) "
    "FROM pg_catalog.pg_proc p JOIN pg_catalog.pg_namespace n ON n.oid = p.pronamespace "
    "JOIN pg_catalog.pg_language l ON l.oid = p.prolang "
    "WHERE n.nspname = $1 AND NOT EXISTS (SELECT 1 FROM pg_catalog.pg_depend m "
    "  WHERE m.classid = 'pg_catalog.pg_proc'::pg_catalog.regclass AND m.objid = p.oid "
    "  AND m.deptype = 'e') "
    "ORDER BY p.oid";

// Views read through their rewrite rule's dependencies: column by column for
// the columns they name, the relation for the rest.
constexpr const char* kViewsSql =
    "SELECT c.relname::text, c.relkind = 'm', pg_catalog.pg_get_viewdef(c.oid), "
    "  pg_catalog.array_to_json(ARRAY(SELECT DISTINCT CASE "
    "      WHEN rn.nspname <> $1 THEN 'relation ' || rn.nspname::text || '.' || rc.relname::text "
    "      WHEN rc.relkind IN ('v', 'm') THEN 'view ' || rc.relname::text "
    "      WHEN d.refobjsubid > 0 THEN 'column ' || rc.relname::text || '.' || a.attname::text "
    "      ELSE 'table ' || rc.relname::text END "
    "    FROM pg_catalog.pg_rewrite r JOIN pg_catalog.pg_depend d "
    "    ON d.classid = 'pg_catalog.pg_rewrite'::pg_catalog.regclass AND d.objid = r.oid "
    "    AND d.refclassid = 'pg_catalog.pg_class'::pg_catalog.regclass AND d.refobjid <> c.oid "
    "    JOIN pg_catalog.pg_class rc ON rc.oid = d.refobjid "
    "    JOIN pg_catalog.pg_namespace rn ON rn.oid = rc.relnamespace "
    "    LEFT JOIN pg_catalog.pg_attribute a ON a.attrelid = rc.oid AND a.attnum = d.refobjsubid "
    "    WHERE r.ev_class = c.oid))::text, "
    "  " PGSHAPE_FUNCTION_NEEDS("pg_catalog.pg_rewrite",
                                "(SELECT r.oid FROM pg_catalog.pg_rewrite r "
                                "WHERE r.ev_class = c.oid LIMIT 1)") ", "
    "  " PGSHAPE_EXTENSION_NEEDS("pg_catalog.pg_rewrite",
                                 "(SELECT r.oid FROM pg_catalog.pg_rewrite r "
                                 "WHERE r.ev_class = c.oid LIMIT 1)") " "
    "FROM pg_catalog.pg_class c JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace "
    "WHERE n.nspname = $1 AND c.relkind IN ('v', 'm') AND NOT EXISTS (SELECT 1 "
    "  FROM pg_catalog.pg_depend m WHERE m.classid = 'pg_catalog.pg_class'::pg_catalog.regclass "
    "  AND m.objid = c.oid AND m.deptype = 'e') "
    "ORDER BY c.oid";

// What each generated column's expression reads: columns of its table, and
// functions and extensions.
constexpr const char* kGeneratedSql =
    "SELECT ad.adrelid::bigint, a.attname::text, "
    "  pg_catalog.array_to_json(ARRAY(SELECT DISTINCT ra.attname::text "
    "    FROM pg_catalog.pg_depend d JOIN pg_catalog.pg_attribute ra "
    "    ON ra.attrelid = d.refobjid AND ra.attnum = d.refobjsubid "
    "    WHERE d.classid = 'pg_catalog.pg_attrdef'::pg_catalog.regclass AND d.objid = ad.oid "
    "    AND d.refclassid = 'pg_catalog.pg_class'::pg_catalog.regclass "
    "    AND d.refobjsubid > 0 AND ra.attnum <> a.attnum))::text, "
    "  " PGSHAPE_FUNCTION_NEEDS("pg_catalog.pg_attrdef", "ad.oid") ", "
    "  " PGSHAPE_EXTENSION_NEEDS("pg_catalog.pg_attrdef", "ad.oid") " "
    "FROM pg_catalog.pg_attrdef ad "
    "JOIN pg_catalog.pg_attribute a ON a.attrelid = ad.adrelid AND a.attnum = ad.adnum "
    "JOIN pg_catalog.pg_class c ON c.oid = ad.adrelid "
    "JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace "
    "WHERE n.nspname = $1 AND a.attgenerated = 's'";

std::vector<std::string> strings(const std::string& json) {
  std::vector<std::string> out;
  for (const auto& v : nlohmann::json::parse(json)) out.push_back(v.get<std::string>());
  return out;
}

std::string lower(std::string text) {
  for (auto& c : text) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return text;
}

// The function as the mirror can create it, or (in `problem`) why not.
FunctionStats function_of(const pqxx::row& row) {
  FunctionStats f{.name = row[0].as<std::string>(), .label = row[1].as<std::string>()};
  const std::string kind = row[2].as<std::string>(), language = row[3].as<std::string>();
  std::string def = row[4].as<std::string>();
  const std::string body = row[5].as<std::string>(), schema = row[10].as<std::string>();
  const std::string row_type = row[8].as<std::string>();
  std::string config;
  for (const auto& setting : strings(row[6].as<std::string>())) config += lower(setting) + " ";
  if (kind == "a" || kind == "w")
    f.problem = "aggregates and window functions are not rebuilt";
  else if (language != "sql" && language != "plpgsql")
    f.problem =
        fmt::format("it is written in {}; only sql and plpgsql functions are rebuilt", language);
  else if (!row_type.empty())
    f.problem = fmt::format(
        "its signature uses type {}, which the mirror does not have before its tables", row_type);
  else if (row[7].as<bool>() && row[9].as<bool>())
    f.problem =
        "its SQL-standard body reads tables, which PostgreSQL checks when the function is "
        "created, before the mirror has them";
  else if (lower(body).find(lower(schema) + ".") != std::string::npos)
    f.problem = fmt::format(
        "its body names schema {}; pgshape does not rewrite the text of a function body", schema);
  else if (config.find("search_path=") != std::string::npos &&
           config.find(lower(schema)) != std::string::npos)
    f.problem =
        fmt::format("its SET search_path names schema {}, which the mirror replaces", schema);
  if (!f.problem.empty()) return f;
  // pg_get_functiondef names it schema-qualified: the mirror creates it in its own.
  for (const char* head : {"CREATE OR REPLACE FUNCTION ", "CREATE OR REPLACE PROCEDURE "}) {
    const std::string qualified = std::string(head) + schema + ".";
    if (def.rfind(qualified, 0) == 0) {
      f.definition = head + def.substr(qualified.size());
      break;
    }
  }
  while (!f.definition.empty() && (f.definition.back() == '\n' || f.definition.back() == ' '))
    f.definition.pop_back();
  if (f.definition.empty()) f.problem = "its definition does not start as pg_get_functiondef's do";
  return f;
}

// Views in an order where each comes after the views it reads (cycles cannot
// exist; a view reading one of another schema has no constraint here).
void order_views(std::vector<ViewStats>& views) {
  std::vector<ViewStats> ordered;
  std::set<std::string> placed;
  while (!views.empty()) {
    auto ready = std::find_if(views.begin(), views.end(), [&](const ViewStats& v) {
      return std::all_of(v.reads.begin(), v.reads.end(), [&](const std::string& r) {
        if (r.rfind("view ", 0) != 0) return true;
        const std::string name = r.substr(5);
        return placed.count(name) > 0 ||
               std::none_of(views.begin(), views.end(),
                            [&](const ViewStats& o) { return o.name == name; });
      });
    });
    if (ready == views.end()) ready = views.begin();
    placed.insert(ready->name);
    ordered.push_back(std::move(*ready));
    views.erase(ready);
  }
  views = std::move(ordered);
}

}  // namespace

void read_objects(pqxx::transaction_base& tx, const std::string& schema,
                  const std::map<int64_t, size_t>& by_oid, StatsSnapshot& snap) {
  for (const auto& row :
       tx.exec("SELECT extname::text FROM pg_catalog.pg_extension WHERE extname <> 'plpgsql' "
               "ORDER BY 1"))
    snap.extensions.push_back(row[0].as<std::string>());
  for (const auto& row : tx.exec_params(kFunctionsSql, schema))
    snap.functions.push_back(function_of(row));
  for (const auto& row : tx.exec_params(kViewsSql, schema)) {
    ViewStats v{.name = row[0].as<std::string>(),
                .query = row[2].as<std::string>(),
                .materialized = row[1].as<bool>(),
                .reads = strings(row[3].as<std::string>())};
    for (auto& f : strings(row[4].as<std::string>())) v.reads.push_back(std::move(f));
    v.needs = strings(row[5].as<std::string>());
    while (!v.query.empty() &&
           (v.query.back() == ';' || std::isspace(static_cast<unsigned char>(v.query.back()))))
      v.query.pop_back();
    const auto first = v.query.find_first_not_of(" \n");
    if (first != std::string::npos) v.query.erase(0, first);
    snap.views.push_back(std::move(v));
  }
  order_views(snap.views);
  for (const auto& row : tx.exec_params(kGeneratedSql, schema)) {
    auto it = by_oid.find(row[0].as<int64_t>());
    if (it == by_oid.end()) continue;
    for (auto& c : snap.tables[it->second].columns) {
      if (c.name != row[1].as<std::string>()) continue;
      c.generated_reads = strings(row[2].as<std::string>());
      c.generated_needs = strings(row[3].as<std::string>());
      for (auto& e : strings(row[4].as<std::string>())) c.generated_needs.push_back(std::move(e));
    }
  }
}

}  // namespace pgshape::stats
