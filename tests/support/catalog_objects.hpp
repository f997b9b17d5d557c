// Test support for the stats integration tests: every object of a schema as the
// catalog defines it (tables and their partition keys and bounds, columns with
// type, NOT NULL, identity and generation expression, constraints, indexes,
// enums, domains, views), keyed "<kind> <table>.<name>", and the unique keys a
// table must hold (so a mirror's rows can be counted for duplicates).
#pragma once

#include <pqxx/pqxx>

#include <fmt/format.h>
#include <map>
#include <string>
#include <vector>

namespace pgshape::testing {

// The definitions, printed with `schema` alone on the search_path so both sides
// of a round trip print them alike.
inline std::map<std::string, std::string> catalog_objects(const std::string& dsn,
                                                          const std::string& schema) {
  pqxx::connection conn(dsn);
  pqxx::work tx(conn);
  tx.exec0("SET LOCAL search_path TO " + tx.quote_name(schema));
  std::map<std::string, std::string> out;
  auto add = [&](const char* sql) {
    for (const auto& row : tx.exec_params(sql, schema))
      out[row[0].as<std::string>()] = row[1].as<std::string>();
  };
  add("SELECT 'table ' || c.relname, CASE c.relkind WHEN 'p' THEN 'PARTITION BY ' || "
      "  pg_get_partkeydef(c.oid) ELSE 'table' END || coalesce(' PARTITION OF ' || "
      "  (SELECT p.relname FROM pg_inherits h JOIN pg_class p ON p.oid = h.inhparent "
      "   WHERE h.inhrelid = c.oid) || ' ' || pg_get_expr(c.relpartbound, c.oid), '') "
      "FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace "
      "WHERE n.nspname = $1 AND c.relkind IN ('r', 'p')");
  add("SELECT 'column ' || c.relname || '.' || a.attname, "
      "  format_type(a.atttypid, a.atttypmod) || CASE WHEN a.attnotnull THEN ' NOT NULL' "
      "  ELSE '' END || CASE a.attidentity WHEN 'a' THEN ' ALWAYS AS IDENTITY' "
      "  WHEN 'd' THEN ' BY DEFAULT AS IDENTITY' ELSE '' END || CASE a.attgenerated "
      "  WHEN 's' THEN ' GENERATED ALWAYS AS ' || pg_get_expr(d.adbin, d.adrelid) || ' STORED' "
      "  ELSE '' END "
      "FROM pg_attribute a JOIN pg_class c ON c.oid = a.attrelid "
      "JOIN pg_namespace n ON n.oid = c.relnamespace "
      "LEFT JOIN pg_attrdef d ON d.adrelid = a.attrelid AND d.adnum = a.attnum "
      "WHERE n.nspname = $1 AND c.relkind IN ('r', 'p') AND a.attnum > 0 AND NOT a.attisdropped");
  add("SELECT 'index ' || c.relname || '.' || i.relname, pg_get_indexdef(i.oid) "
      "FROM pg_index x JOIN pg_class i ON i.oid = x.indexrelid "
      "JOIN pg_class c ON c.oid = x.indrelid JOIN pg_namespace n ON n.oid = c.relnamespace "
      "WHERE n.nspname = $1");
  // NOT NULL is compared with its column (PostgreSQL 18 also lists it as a 'n'
  // constraint). A foreign key is kept on the partitioned table and, as a clone,
  // on every leaf: the clones are the partitioned table's, compared there.
  add("SELECT 'constraint ' || c.relname || '.' || k.conname, pg_get_constraintdef(k.oid) "
      "FROM pg_constraint k JOIN pg_class c ON c.oid = k.conrelid "
      "JOIN pg_namespace n ON n.oid = c.relnamespace WHERE n.nspname = $1 AND k.contype <> 'n' "
      "AND (k.contype <> 'f' OR k.conparentid = 0)");
  add("SELECT 'type ' || t.typname, coalesce((SELECT string_agg(e.enumlabel, ',' ORDER BY "
      "  e.enumsortorder) FROM pg_enum e WHERE e.enumtypid = t.oid), "
      "  format_type(t.typbasetype, t.typtypmod) || ' ' || coalesce((SELECT "
      "  string_agg(pg_get_constraintdef(k.oid), ' ') FROM pg_constraint k "
      "  WHERE k.contypid = t.oid), '')) "
      "FROM pg_type t JOIN pg_namespace n ON n.oid = t.typnamespace "
      "WHERE n.nspname = $1 AND t.typtype IN ('e', 'd')");
  add("SELECT 'view ' || c.relname, pg_get_viewdef(c.oid) FROM pg_class c "
      "JOIN pg_namespace n ON n.oid = c.relnamespace WHERE n.nspname = $1 AND c.relkind = 'v'");
  return out;
}

struct UniqueKey {
  std::string table;  // the table the index is on (a leaf or a partitioned table)
  std::string index;
  std::vector<std::string> columns;  // plain columns only
  std::string where;                 // a partial index's predicate, else empty
};

// Every unique index of `schema` over plain columns (an expression key is left
// out: its duplicates are not a column count), from the catalog of `dsn`; a
// partial one with its predicate, since rows outside it may repeat the key.
inline std::vector<UniqueKey> unique_keys(const std::string& dsn, const std::string& schema) {
  pqxx::connection conn(dsn);
  pqxx::read_transaction tx(conn);
  std::vector<UniqueKey> out;
  for (const auto& row : tx.exec_params(
           "SELECT c.relname, i.relname, a.attname, "
           "  coalesce(pg_get_expr(x.indpred, x.indrelid), '') "
           "FROM pg_index x JOIN pg_class i ON i.oid = x.indexrelid "
           "JOIN pg_class c ON c.oid = x.indrelid JOIN pg_namespace n ON n.oid = c.relnamespace "
           "CROSS JOIN LATERAL unnest(x.indkey) WITH ORDINALITY k(attnum, ord) "
           "JOIN pg_attribute a ON a.attrelid = c.oid AND a.attnum = k.attnum "
           "WHERE n.nspname = $1 AND x.indisunique AND x.indexprs IS NULL "
           "AND k.ord <= x.indnkeyatts ORDER BY 1, 2, k.ord",
           schema)) {
    if (out.empty() || out.back().index != row[1].as<std::string>() ||
        out.back().table != row[0].as<std::string>())
      out.push_back(UniqueKey{
          row[0].as<std::string>(), row[1].as<std::string>(), {}, row[3].as<std::string>()});
    out.back().columns.push_back(row[2].as<std::string>());
  }
  return out;
}

// How many rows of `key.table` in `schema` repeat a key another row already has
// (rows with a NULL key column never collide).
inline long duplicate_keys(const std::string& dsn, const std::string& schema,
                           const UniqueKey& key) {
  pqxx::connection conn(dsn);
  pqxx::read_transaction tx(conn);
  std::string cols, not_null;
  for (const auto& c : key.columns) {
    cols += (cols.empty() ? "" : ", ") + tx.quote_name(c);
    not_null += (not_null.empty() ? "" : " AND ") + tx.quote_name(c) + " IS NOT NULL";
  }
  // The predicate is printed by pg_get_expr with the table's schema on the
  // search_path: unqualified names must resolve there.
  if (!key.where.empty()) not_null += " AND (" + key.where + ")";
  tx.exec0("SET LOCAL search_path TO " + tx.quote_name(schema));
  return tx
      .exec1(fmt::format("SELECT coalesce(sum(n - 1), 0)::bigint FROM (SELECT count(*) AS n "
                         "FROM {}.{} WHERE {} GROUP BY {} HAVING count(*) > 1) d",
                         tx.quote_name(schema), tx.quote_name(key.table), not_null, cols))[0]
      .as<long>();
}

}  // namespace pgshape::testing
