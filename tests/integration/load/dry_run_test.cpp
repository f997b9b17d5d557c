// `pgshape load --dry-run`: the SQL a load would run, printed without a
// connection. What a user checks: that nothing is contacted, that psql runs the
// script as printed, and that what it builds is what a real load builds —
// the same columns and types, indexes (partial, descending, unique), keys and
// foreign keys — with the row counts the real load then writes.
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>
#include <pqxx/pqxx>

#include <fstream>
#include <map>
#include <string>

#include "load_test_support.hpp"

namespace pgshape::testing {
namespace {

constexpr const char* kProfile = R"yaml(name: dry
seed: 7
scales:
  test: 300
tables:
  "Customer List":
    rows: 1x
    columns:
      id: { type: bigint, primary_key: true, dist: sequence }
      email: { type: varchar(40), dist: pattern, pattern: "u??????@example.com", unique: true }
      city: { type: text, dist: words, wordlist: city, max_words: 1, null_fraction: 0.2 }
  orders:
    rows: 2x
    columns:
      id: { type: bigint, primary_key: true, dist: sequence }
      customer_id: { type: bigint, ref: "Customer List.id", dist: uniform }
      status: { type: text, dist: weighted, values: { open: 90, "it's done": 10 } }
      total: { type: "numeric(10,2)", dist: uniform, min: 1, max: 500 }
    indexes:
      - name: orders_open_idx
        columns: [customer_id, total DESC]
        where: "status = 'open' -- hot; part"
      - { columns: [status] }
)yaml";

// Everything a load leaves in `schema` that the dry run should also build, with
// the schema's name taken out so two schemas compare.
std::map<std::string, std::string> definitions(pqxx::connection& c, const std::string& schema) {
  pqxx::nontransaction tx(c);
  std::map<std::string, std::string> out;
  auto strip = [&](std::string text) {
    const std::string quoted = c.quote_name(schema);
    for (const std::string& name : {quoted + ".", schema + "."})
      for (size_t at; (at = text.find(name)) != std::string::npos;) text.erase(at, name.size());
    return text;
  };
  for (const auto& row : tx.exec_params(
           "SELECT c.relname || '.' || a.attname, format_type(a.atttypid, a.atttypmod) || "
           "CASE WHEN a.attnotnull THEN ' NOT NULL' ELSE '' END FROM pg_attribute a "
           "JOIN pg_class c ON c.oid = a.attrelid JOIN pg_namespace n ON n.oid = "
           "c.relnamespace "
           "WHERE n.nspname = $1 AND c.relkind = 'r' AND a.attnum > 0",
           schema))
    out["column " + row[0].as<std::string>()] = row[1].as<std::string>();
  for (const auto& row :
       tx.exec_params("SELECT indexname, indexdef FROM pg_indexes WHERE schemaname = $1", schema))
    out["index " + row[0].as<std::string>()] = strip(row[1].as<std::string>());
  for (const auto& row :
       tx.exec_params("SELECT conname, pg_get_constraintdef(oid), convalidated FROM pg_constraint "
                      "WHERE connamespace = to_regnamespace($1)",
                      c.quote_name(schema)))
    out["constraint " + row[0].as<std::string>()] =
        strip(row[1].as<std::string>()) + (row[2].as<bool>() ? "" : " (not valid)");
  return out;
}

class DryRun : public LoadFixture {};

TEST_F(DryRun, PrintsTheLoadsSqlWithoutConnectingAndPsqlBuildsWhatTheLoadBuilds) {
  write_profile(kProfile);
  const std::string printed = schema("dry_printed");
  const std::string loaded = schema("dry_loaded");

  // Nothing listens on port 1, and libpq's environment points nowhere: a dry run
  // that tried to connect, or to start a server, would fail.
  const std::map<std::string, std::string> nowhere = {
      {"PGHOST", "no-such-host.invalid"}, {"PGPORT", "1"}, {"DATABASE_URL", ""}};
  auto dry = run_pgshape({"load", profile_, "--schema", printed, "--dry-run", "--dsn",
                          "host=127.0.0.1 port=1 dbname=nowhere connect_timeout=2"},
                         nowhere);
  ASSERT_EQ(dry.exit_code, 0) << dry.err;
  EXPECT_EQ(dry.out.rfind("-- pgshape load", 0), 0u) << dry.out;
  EXPECT_NE(dry.out.find("\n--   COPY \"" + printed +
                         "_staging\".\"Customer List\" (\"id\", "
                         "\"email\", \"city\") FROM STDIN WITH (FORMAT binary, FREEZE);\n"),
            std::string::npos)
      << dry.out;
  EXPECT_NE(dry.out.find("-- 300 rows"), std::string::npos) << dry.out;
  EXPECT_NE(dry.out.find("-- 600 rows"), std::string::npos) << dry.out;
  // No embedded server was started for it (that is announced on stderr).
  EXPECT_EQ(dry.err, "");

  // --json carries the same script and the row counts per table.
  auto json = run_pgshape({"load", profile_, "--schema", printed, "--dry-run", "--json"}, nowhere);
  ASSERT_EQ(json.exit_code, 0) << json.err;
  const auto doc = nlohmann::json::parse(json.out);
  EXPECT_EQ(doc.at("sql").get<std::string>(), dry.out);
  ASSERT_EQ(doc.at("tables").size(), 2u);
  EXPECT_EQ(doc["tables"][1]["table"], "orders");
  EXPECT_EQ(doc["tables"][1]["rows"], 600);

  // psql runs it as printed, stopping at the first error.
  const auto file = dir_ / "load.sql";
  std::ofstream(file) << dry.out;
  auto psql = run_command(
      {"psql", "-X", "-q", "-v", "ON_ERROR_STOP=1", "-d", test_dsn(), "-f", file.string()},
      dir_.string());
  ASSERT_EQ(psql.exit_code, 0) << psql.err << psql.out;

  pgshape({"load", profile_, "--schema", loaded});
  pqxx::connection c(test_dsn());
  const auto built = definitions(c, printed);
  EXPECT_EQ(built, definitions(c, loaded));
  EXPECT_GE(built.size(), 14u);  // 7 columns, 5 indexes, 2 keys... all there
  EXPECT_TRUE(built.count("index orders_open_idx")) << "the partial index";

  // The printed schema is marked as pgshape's, like a loaded one: a real load
  // replaces it without --force. And the row counts were the load's.
  {
    pqxx::nontransaction tx(c);
    EXPECT_EQ(tx.exec1("SELECT count(*) FROM " + c.quote_name(loaded) + ".orders")[0].as<int>(),
              600);
    EXPECT_EQ(tx.exec_params1("SELECT obj_description(to_regnamespace($1), 'pg_namespace')",
                              c.quote_name(printed))[0]
                  .as<std::string>(),
              "pgshape: profile=dry scale=test seed=7");
  }
  pgshape({"load", profile_, "--schema", printed});
}

TEST_F(DryRun, RefusesShardModesAndBadInputLikeTheLoad) {
  write_profile(kProfile);
  auto shard = run_pgshape({"load", profile_, "--dry-run", "--shard", "1/2"});
  EXPECT_EQ(shard.exit_code, 2) << shard.err;
  EXPECT_NE(shard.err.find("--dry-run"), std::string::npos) << shard.err;
  auto scale = run_pgshape({"load", profile_, "--dry-run", "--scale", "huge"});
  EXPECT_EQ(scale.exit_code, 2) << scale.err;
  EXPECT_NE(scale.err.find("huge"), std::string::npos) << scale.err;
  EXPECT_EQ(scale.out, "");
  auto system = run_pgshape({"load", profile_, "--dry-run", "--schema", "pg_catalog"});
  EXPECT_EQ(system.exit_code, 2) << system.err;
  EXPECT_EQ(system.out, "");
}

}  // namespace
}  // namespace pgshape::testing
