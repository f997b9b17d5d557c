// See mirror_steps.hpp.
#include "mirror_steps.hpp"

#include <gtest/gtest.h>

#include <fmt/format.h>
#include <filesystem>

#include <nlohmann/json.hpp>

namespace pgshape::testing {

std::string fresh_profile_path(const std::string& prefix) {
  const auto dir = std::filesystem::temp_directory_path() / unique_name(prefix);
  std::filesystem::create_directories(dir);
  return (dir / "mirror.yaml").string();
}

void stats_validate_load(const std::string& source_dsn, const std::string& schema,
                         const std::string& mirror_dsn, const std::string& prefix,
                         StatsMirror& out) {
  out.profile = fresh_profile_path(prefix);
  out.imported =
      run_pgshape({"stats", "--source", source_dsn, "--source-schema", schema, "-o", out.profile});
  ASSERT_EQ(out.imported.exit_code, 0) << out.imported.err;
  out.validated = run_pgshape({"validate", out.profile});
  ASSERT_EQ(out.validated.exit_code, 0) << out.validated.err << out.validated.out;
  // No --schema: the mirror takes the source schema's name.
  auto loaded = run_pgshape({"load", out.profile, "--jobs", "1", "--dsn", mirror_dsn});
  ASSERT_EQ(loaded.exit_code, 0) << loaded.err << "\n" << loaded.out;
}

void stats_of_test_schema(const std::string& source_schema, const std::string& profile,
                          std::string& yaml) {
  const auto imported = run_pgshape(
      {"stats", "--source", test_dsn(), "--source-schema", source_schema, "-o", profile, "-q"});
  ASSERT_EQ(imported.exit_code, 0) << imported.err;
  yaml = read_all(profile);
}

void create_orders(pqxx::transaction_base& tx, const std::string& schema, int count) {
  const std::string s = tx.quote_name(schema);
  tx.exec0("CREATE SCHEMA " + s);
  tx.exec0(fmt::format("CREATE TABLE {}.orders (id bigint PRIMARY KEY)", s));
  tx.exec0(fmt::format("INSERT INTO {}.orders SELECT g FROM generate_series(1, {}) g", s, count));
}

double planned_rows(const std::string& dsn, const std::string& schema, const std::string& sql) {
  pqxx::connection conn(dsn);
  pqxx::nontransaction tx(conn);
  tx.exec0("SET search_path = " + tx.quote_name(schema));
  const auto plan =
      nlohmann::json::parse(tx.exec1("EXPLAIN (FORMAT JSON) " + sql)[0].as<std::string>());
  return plan[0]["Plan"]["Plan Rows"].get<double>();
}

}  // namespace pgshape::testing
