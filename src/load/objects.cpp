// The objects a profile carries besides tables (objects.cpp of the profile
// module checks them): extensions before everything, outside the schema being
// built (so a reload's swap never drops one, and pgshape never drops one it did
// not create); functions in the staging schema before the tables (generated
// columns, checks and index expressions call them); views after the data.
#include <fmt/format.h>

#include "load/sql.hpp"
#include "load/steps.hpp"
#include "pgshape/error.hpp"

namespace pgshape::load {

std::vector<std::string> create_extension_statements(const Profile& profile) {
  std::vector<std::string> out;
  for (const auto& e : profile.extensions)
    out.push_back("CREATE EXTENSION IF NOT EXISTS " + quote_ident(e.name));
  return out;
}

std::vector<std::string> create_view_statements(std::string_view schema, const Profile& profile) {
  std::vector<std::string> out;
  // The query is checked at validate time to be one SELECT; the newline ends a
  // trailing "--" comment.
  for (const auto& v : profile.views)
    out.push_back(fmt::format("CREATE {}VIEW {} AS {}\n", v.materialized ? "MATERIALIZED " : "",
                              qualified(schema, v.name), v.query));
  return out;
}

void create_extensions(pqxx::transaction_base& tx, const Profile& profile,
                       const std::string& staging) {
  std::vector<std::string> missing, to_create;
  for (const auto& e : profile.extensions) {
    if (!tx.exec_params("SELECT 1 FROM pg_catalog.pg_extension WHERE extname = $1", e.name).empty())
      continue;
    to_create.push_back(e.name);
    if (tx.exec_params("SELECT 1 FROM pg_catalog.pg_available_extensions WHERE name = $1", e.name)
            .empty())
      missing.push_back(e.name);
  }
  if (!missing.empty())
    throw UsageError(
        "load.missing-extension",
        fmt::format("the profile {} needs extension{} {}, which the target server does not have",
                    profile.file, missing.size() == 1 ? "" : "s", fmt::join(missing, ", ")),
        "install it on the server (Debian: the postgresql-<version>-<name> package, or "
        "postgresql-contrib), or remove it from extensions: with the objects that need it");
  if (to_create.empty()) return;
  // The session's own search path: an extension lands where the user's objects
  // do (usually public). Not in the schema this load replaces: its swap would
  // drop the extension and, with it, the new indexes using it.
  const auto here = tx.exec1("SELECT coalesce(pg_catalog.current_schema()::text, '')")[0];
  const std::string target = staging.substr(0, staging.size() - staging_schema_name("").size());
  if (here.as<std::string>() == target || here.as<std::string>().empty())
    throw UsageError(
        "load.missing-extension",
        fmt::format("extension{} {} would be created in schema '{}', which this load replaces",
                    to_create.size() == 1 ? "" : "s", fmt::join(to_create, ", "), target),
        fmt::format("create {} in a schema of its own first (CREATE EXTENSION {} SCHEMA "
                    "extensions; and add that schema to the search path), or load into another "
                    "--schema",
                    to_create.size() == 1 ? "it" : "them", quote_ident(to_create[0])));
  for (const auto& sql : create_extension_statements(profile)) tx.exec0(sql);
}

void create_functions(pqxx::transaction_base& tx, const Profile& profile) {
  if (profile.functions.empty()) return;
  // As pg_dump does: a body may read tables created after it.
  tx.exec0("SET LOCAL check_function_bodies = off");
  // Each definition is one CREATE FUNCTION of an unqualified name (checked at
  // validate time): it lands in the schema first on the search path, the staging one.
  for (const auto& f : profile.functions)
    exec_script(tx, f.definition, fmt::format("{}: function '{}'", profile.file, f.name));
  tx.exec0("RESET check_function_bodies");
}

void create_views(pqxx::connection& control, const Profile& profile, const std::string& schema) {
  if (profile.views.empty()) return;
  pqxx::work tx(control);
  tx.exec0(ddl_search_path(schema));
  for (const auto& sql : create_view_statements(schema, profile)) tx.exec0(sql);
  tx.commit();
}

}  // namespace pgshape::load
