// load_script: the statements a load runs, as one SQL script, for --dry-run.
// Every statement comes from the same builders the load executes (sql.hpp), in
// the load's order; what the script cannot hold (the COPY data, the checks that
// read the catalogs first) is said in `--` comments.
#include <fmt/format.h>
#include <algorithm>

#include "load/sql.hpp"
#include "load/steps.hpp"
#include "pgshape/error.hpp"
#include "pgshape/load.hpp"

namespace pgshape {

LoadScript load_script(const Profile& profile, const LoadOptions& options) {
  const Scale& scale = load::resolve_scale(profile, options.scale);
  LoadScript script;
  script.schema = options.schema.empty() ? profile.schema : options.schema;
  script.scale = scale.name;
  script.seed = options.seed.value_or(profile.seed);
  load::check_schema_name(script.schema);
  const std::string staging = load::staging_schema_name(script.schema);
  const std::string previous = load::previous_schema_name(script.schema);
  const bool binary = options.binary_copy;
  std::string& out = script.sql;
  auto statement = [&](const std::string& sql) { out += sql + ";\n"; };
  auto section = [&](std::string_view title) { out += fmt::format("\n-- {}\n", title); };
  // psql reads an unquoted backslash as one of its own commands (\! runs a shell).
  auto no_backslash = [](const std::string& sql, const std::string& what) {
    if (sql.find('\\') != std::string::npos)
      throw UsageError(
          "usage.unsupported",
          fmt::format("{} holds a backslash and cannot be printed as a psql script", what),
          "load without --dry-run (the server parses it alone)");
  };
  for (const auto& f : profile.functions) no_backslash(f.definition, "function '" + f.name + "'");
  for (const auto& v : profile.views) no_backslash(v.query, "view '" + v.name + "'");
  for (const auto& table : profile.tables)
    for (const auto& c : table.columns)
      no_backslash(c.generated, fmt::format("generated column '{}.{}'", table.name, c.name));

  out += fmt::format(
      "-- pgshape load {} --scale {} --seed {} into schema {}: the statements it would run.\n"
      "-- Nothing was connected to. Before these, the load takes an advisory lock on the\n"
      "-- target, refuses schemas pgshape did not create (unless --force) and any whose\n"
      "-- DROP ... CASCADE would reach objects in other schemas, and drops a {} left by a\n"
      "-- killed load. Run by psql, this script has none of those checks: its swap drops\n"
      "-- the schema it replaces with CASCADE, whatever depends on it. Into an existing\n"
      "-- schema pgshape did not create (such as public) the load itself moves the objects\n"
      "-- in with ALTER ... SET SCHEMA and keeps the schema; this script does not.\n",
      profile.file, scale.name, script.seed, quote_ident(script.schema), quote_ident(staging));

  section("the staging schema");
  statement(load::create_schema(staging));
  statement(
      load::comment_on_schema(staging, load::sql_string_literal(load::owner_comment("staging"))));

  if (!profile.extensions.empty()) {
    section("extensions the profile needs, where the session creates objects (never dropped)");
    for (const auto& sql : load::create_extension_statements(profile)) statement(sql);
  }
  section("tables (keys and indexes come after the data)");
  if (profile.ddl_sql.empty()) {
    // Index definitions and checks from production name its types unqualified.
    bool production_sql = !profile.types.empty();
    for (const auto& table : profile.tables) {
      production_sql = production_sql || !table.checks.empty();
      for (const auto& index : table.indexes)
        production_sql = production_sql || !index.definition.empty();
    }
    production_sql = production_sql || !profile.functions.empty();
    if (production_sql) statement(load::ddl_search_path_session(staging));
    for (const auto& type : load::create_types(staging, profile)) statement(type);
    if (!profile.functions.empty()) statement("SET check_function_bodies = off");
    for (const auto& f : profile.functions) {
      out += f.definition;
      statement("");
    }
    if (!profile.functions.empty()) statement("RESET check_function_bodies");
    for (const auto& table : profile.tables) {
      statement(load::create_table(staging, table));
      for (const auto& leaf : load::create_partitions(staging, table)) statement(leaf);
    }
  } else {
    out += fmt::format("-- the profile's DDL file, as written, in one transaction\n");
    statement("BEGIN");
    statement(load::ddl_search_path(staging));
    out += profile.ddl_sql;
    if (!profile.ddl_sql.empty() && profile.ddl_sql.back() != '\n') out += '\n';
    out += ";\n";
    statement("COMMIT");
  }

  section(fmt::format(
      "data: one COPY per table, {} rows in all at scale '{}'",
      [&] {
        int64_t all = 0;
        for (const auto& t : profile.tables) all += profile.rows(t, scale);
        return all;
      }(),
      scale.name));
  for (const auto& table : profile.tables) {
    const int64_t rows = profile.rows(table, scale);
    script.tables.push_back({table.name, rows});
    out +=
        fmt::format("-- {} rows, generated from seed {}, in one transaction:\n", rows, script.seed);
    out += fmt::format("--   {};\n", load::truncate_statement(staging, table));
    const bool opaque = std::any_of(table.columns.begin(), table.columns.end(),
                                    [](const Column& c) { return c.type.opaque; });
    out += fmt::format("--   {};\n", load::copy_statement(staging, table, binary && !opaque,
                                                          table.partition_by.empty()));
  }

  for (const auto& table : profile.tables)
    for (const auto& index : table.indexes)
      if (index.where.find('\\') != std::string::npos ||
          index.definition.find('\\') != std::string::npos)
        // psql reads an unquoted backslash as one of its own commands (\! runs a
        // shell): a script meant for psql -f must not carry one from a profile.
        throw UsageError("usage.unsupported",
                         fmt::format("table '{}': an index predicate with a backslash cannot be "
                                     "printed as a psql script",
                                     table.name),
                         "load without --dry-run (the server parses the predicate alone)");
  std::vector<std::string> adopts;
  section("indexes, then the primary and unique keys adopting them");
  for (const auto& table : profile.tables)
    for (auto& build : load::index_builds(staging, table)) {
      if (!build.create_index.empty()) statement(build.create_index);
      if (!build.adopt.empty()) adopts.push_back(std::move(build.adopt));
    }
  for (const auto& adopt : adopts) statement(adopt);

  std::vector<std::string> validates;
  section("foreign keys, added NOT VALID (instant)");
  for (const auto& table : profile.tables) {
    auto builds = load::foreign_key_builds(staging, table);
    size_t b = 0;  // foreign_key_builds follows the columns' order
    for (const auto& column : table.columns) {
      if (!column.ref) continue;
      statement(builds[b].add);
      for (auto& step : load::validate_steps(table, column, std::move(builds[b++].validate)))
        validates.push_back(std::move(step));
    }
    for (; b < builds.size(); ++b) {  // one-column `foreign_keys:` entries
      statement(builds[b].add);
      if (!builds[b].validate.empty()) validates.push_back(std::move(builds[b].validate));
    }
  }

  section("statistics");
  for (const auto& table : profile.tables) {
    for (const auto& step : load::identity_steps(staging, table)) statement(step);
    for (const auto& sql : load::analyze_statements(staging, table)) statement(sql);
  }

  section("foreign keys validated (after ANALYZE, for a cheap plan)");
  for (const auto& validate : validates) statement(validate);

  if (!profile.views.empty()) {
    section("views, once the data is in");
    for (const auto& sql : load::create_view_statements(staging, profile)) statement(sql);
  }

  section("the swap, in one transaction");
  statement("BEGIN");
  if (options.keep_previous) {
    statement(load::drop_schema_cascade(previous, true));
    out += fmt::format("-- when {} exists:\n", quote_ident(script.schema));
    statement(load::rename_schema(script.schema, previous));
  } else {
    out += fmt::format("-- the previous dataset, when {} exists:\n", quote_ident(script.schema));
    statement(load::drop_schema_cascade(script.schema, true));
  }
  statement(load::rename_schema(staging, script.schema));
  statement(load::comment_on_schema(
      script.schema, load::sql_string_literal(load::owner_comment(
                         load::dataset_note(profile.name, scale.name, script.seed)))));
  statement("COMMIT");
  return script;
}

}  // namespace pgshape
