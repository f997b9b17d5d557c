// Creating the staging tables: from the profile, or from the user's own DDL
// (whose column types then override the profile's, and are checked again).
#include <fmt/format.h>

#include "load/sql.hpp"
#include "load/steps.hpp"
#include "pgshape/error.hpp"

namespace pgshape::load {

Profile create_tables(pqxx::connection& control, const Profile& input, const std::string& schema) {
  pqxx::work tx(control);
  create_extensions(tx, input, schema);
  if (input.ddl_sql.empty()) {
    // CHECK expressions may name the profile's types unqualified ('a'::mood).
    tx.exec0(ddl_search_path(schema));
    for (const auto& type : create_types(schema, input)) tx.exec0(type);
    create_functions(tx, input);
    for (const auto& table : input.tables) {
      tx.exec0(create_table(schema, table));
      for (const auto& leaf : create_partitions(schema, table)) tx.exec0(leaf);
    }
    tx.commit();
    return input;
  }
  // The user's DDL runs with the staging schema first on the search path, so
  // unqualified CREATE TABLE statements land there; statement by statement, in
  // this transaction and no other (a COMMIT in it is refused before anything runs).
  tx.exec0(ddl_search_path(schema));
  create_functions(tx, input);
  exec_script(tx, input.ddl_sql, fmt::format("{}: the ddl: file", input.file));
  Profile profile = input;
  std::vector<Diagnostic> problems;
  for (auto& table : profile.tables) {
    auto rows = tx.exec_params(
        "SELECT a.attname, pg_catalog.format_type(a.atttypid, a.atttypmod), a.attnotnull "
        "FROM pg_catalog.pg_attribute a JOIN pg_catalog.pg_class c ON c.oid = a.attrelid "
        "JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace "
        "WHERE n.nspname = $1 AND c.relname = $2 AND a.attnum > 0 AND NOT a.attisdropped",
        schema, table.name);
    if (rows.empty()) {
      problems.push_back({"profile.ddl-mismatch", profile.file, table.pos.line, table.pos.column,
                          fmt::format("table '{}' is not created by the DDL file", table.name),
                          "add it to the DDL, or remove it from the profile"});
      continue;
    }
    for (auto& column : table.columns) {
      bool found = false;
      for (const auto& row : rows) {
        if (row[0].as<std::string>() != column.name) continue;
        found = true;
        const std::string type = row[1].as<std::string>();
        if (auto parsed = parse_column_type(type)) {
          column.type = *parsed;
        } else {
          problems.push_back({"profile.ddl-mismatch", profile.file, column.pos.line,
                              column.pos.column,
                              fmt::format("column '{}.{}' has type {} in the DDL, which pgshape "
                                          "cannot generate",
                                          table.name, column.name, type)});
        }
        if (row[2].as<bool>() && column.null_fraction > 0)
          problems.push_back({"profile.ddl-mismatch", profile.file, column.pos.line,
                              column.pos.column,
                              fmt::format("column '{}.{}' is NOT NULL in the DDL but has "
                                          "null_fraction {}",
                                          table.name, column.name, column.null_fraction)});
      }
      if (!found)
        problems.push_back(
            {"profile.ddl-mismatch", profile.file, column.pos.line, column.pos.column,
             fmt::format("column '{}.{}' is not in the DDL's table", table.name, column.name)});
    }
  }
  if (problems.empty()) {
    problems = validate_profile(profile);
  }
  if (!problems.empty()) throw ProfileError(problems);
  tx.commit();
  return profile;
}

}  // namespace pgshape::load
