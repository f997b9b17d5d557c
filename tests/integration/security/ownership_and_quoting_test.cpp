// Names from profiles and the command line reach SQL only quoted, and pgshape
// never replaces or drops what it did not create: a user's schema (also one
// that merely looks like our staging schema) survives unless --force, and not
// even --force drops objects that other schemas depend on.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <pqxx/pqxx>
#include <string>

#include "test_server.hpp"

namespace pgshape {
namespace {

namespace fs = std::filesystem;
using testing::CommandResult;
using testing::run_pgshape;
using testing::test_dsn;
using testing::unique_name;

std::string describe(const CommandResult& r) {
  return "exit " + std::to_string(r.exit_code) + "\nstderr:\n" + r.err + "\nstdout:\n" + r.out;
}

class SchemaGuard : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() / unique_name("pgshape-security");
    fs::create_directories(dir_);
  }
  void TearDown() override {
    pqxx::nontransaction tx(conn_);
    for (const auto& s : drop_)
      tx.exec0("DROP SCHEMA IF EXISTS " + conn_.quote_name(s) + " CASCADE");
    for (const auto& t : drop_tables_) tx.exec0("DROP TABLE IF EXISTS " + t);
    fs::remove_all(dir_);
  }

  std::string write_profile(const std::string& name, const std::string& text) {
    const std::string path = (dir_ / name).string();
    std::ofstream(path) << text;
    return path;
  }
  std::string tiny_profile() {
    return write_profile("tiny.yaml", R"(name: tiny
seed: 3
scales:
  s: 10
tables:
  t:
    rows: 1x
    columns:
      id: { type: bigint, primary_key: true, dist: sequence }
      v: { type: text, dist: weighted, values: { a: 1, b: 2 } }
)");
  }
  CommandResult load(const std::string& profile, const std::string& schema, bool force = false) {
    std::vector<std::string> args = {"load",  profile,    "--schema", schema,
                                     "--dsn", test_dsn(), "-q"};
    if (force) args.push_back("--force");
    return run_pgshape(args);
  }
  void sql(const std::string& statement) {
    pqxx::nontransaction tx(conn_);
    tx.exec0(statement);
  }
  int64_t count(const std::string& schema, const std::string& table) {
    pqxx::nontransaction tx(conn_);
    return tx
        .exec1("SELECT count(*) FROM " + conn_.quote_name(schema) + "." +
               conn_.quote_name(table))[0]
        .as<int64_t>();
  }
  bool table_exists(const std::string& schema, const std::string& table) {
    pqxx::nontransaction tx(conn_);
    return !tx.exec_params(
                  "SELECT 1 FROM pg_catalog.pg_tables WHERE schemaname = $1 AND tablename = $2",
                  schema, table)
                .empty();
  }
  bool schema_exists(const std::string& schema) {
    pqxx::nontransaction tx(conn_);
    return !tx.exec_params("SELECT 1 FROM pg_catalog.pg_namespace WHERE nspname = $1", schema)
                .empty();
  }
  // A schema of the user's with one table holding one row.
  std::string user_schema(const std::string& prefix) {
    const std::string s = unique_name(prefix);
    drop_.push_back(s);
    sql("CREATE SCHEMA " + conn_.quote_name(s));
    sql("CREATE TABLE " + conn_.quote_name(s) + ".keepme (note text)");
    sql("INSERT INTO " + conn_.quote_name(s) + ".keepme VALUES ('precious')");
    return s;
  }

  pqxx::connection conn_{test_dsn()};
  fs::path dir_;
  std::vector<std::string> drop_;
  std::vector<std::string> drop_tables_;
};

TEST_F(SchemaGuard, InjectionInTableAndColumnNamesLoadsAsLiteralNames) {
  // The victim lives where an unqualified DROP TABLE would find it.
  const std::string victim = unique_name("victim");
  drop_tables_.push_back("public." + conn_.quote_name(victim));
  sql("CREATE TABLE public." + conn_.quote_name(victim) + " (x int)");
  sql("INSERT INTO public." + conn_.quote_name(victim) + " VALUES (42)");
  const std::string evil_table = "x\"; DROP TABLE " + victim + "; --";
  const std::string evil_column = "c\"); DROP TABLE " + victim + "; --";
  // Index column specs are split at spaces ("col DESC"), so the indexed one
  // smuggles its statement without any.
  const std::string evil_indexed = "i\");DROP/**/TABLE/**/" + victim + ";--";
  // YAML single quotes: the double quotes are literal characters of the names.
  const std::string profile = write_profile(
      "evil.yaml", "name: evil\nseed: 1\nscales:\n  s: 10\ntables:\n  '" + evil_table +
                       "':\n    rows: 1x\n    columns:\n"
                       "      id: { type: bigint, primary_key: true, dist: sequence }\n"
                       "      '" +
                       evil_column +
                       "': { type: integer, dist: uniform, min: 1, max: 9 }\n"
                       "      '" +
                       evil_indexed +
                       "': { type: integer, dist: uniform, min: 1, max: 9 }\n"
                       "    indexes:\n      - { columns: ['" +
                       evil_indexed + "'] }\n");
  const std::string schema = unique_name("evil");
  drop_.push_back(schema);
  const CommandResult r = load(profile, schema);
  // Either answer is safe; anything else is not.
  ASSERT_TRUE(r.exit_code == 0 || r.exit_code == 2) << describe(r);
  if (r.exit_code == 0) {
    EXPECT_TRUE(table_exists(schema, evil_table));
    EXPECT_EQ(count(schema, evil_table), 10);
    pqxx::nontransaction tx(conn_);
    EXPECT_EQ(tx.exec_params1("SELECT count(*) FROM pg_catalog.pg_attribute a JOIN "
                              "pg_catalog.pg_class c ON c.oid = a.attrelid JOIN "
                              "pg_catalog.pg_namespace n ON n.oid = c.relnamespace "
                              "WHERE n.nspname = $1 AND c.relname = $2 AND a.attname = $3",
                              schema, evil_table, evil_column)[0]
                  .as<int>(),
              1);
  } else {
    EXPECT_FALSE(schema_exists(schema)) << "a rejected profile touched the database";
  }
  EXPECT_TRUE(table_exists("public", victim)) << "the injected DROP TABLE ran";
  EXPECT_EQ(count("public", victim), 1);
}

TEST_F(SchemaGuard, InjectionInSchemaNameLoadsAsLiteralName) {
  const std::string victim = unique_name("victim");
  drop_tables_.push_back("public." + conn_.quote_name(victim));
  sql("CREATE TABLE public." + conn_.quote_name(victim) + " (x int)");
  const std::string evil_schema = "s\"; DROP TABLE " + victim + "; --";
  drop_.push_back(evil_schema);
  drop_.push_back(evil_schema + "_staging");
  const CommandResult r = load(tiny_profile(), evil_schema);
  ASSERT_EQ(r.exit_code, 0) << describe(r);
  EXPECT_EQ(count(evil_schema, "t"), 10);
  EXPECT_TRUE(table_exists("public", victim)) << "the injected DROP TABLE ran";
}

TEST_F(SchemaGuard, RefusesToReplaceUserSchemaUnlessForced) {
  const std::string mine = user_schema("mine");
  const std::string profile = tiny_profile();
  const CommandResult refused = load(profile, mine);
  EXPECT_EQ(refused.exit_code, 2) << describe(refused);
  EXPECT_NE(refused.err.find("schema '" + mine + "' exists and was not created by pgshape"),
            std::string::npos)
      << refused.err;
  EXPECT_NE(refused.err.find("--force"), std::string::npos) << refused.err;
  EXPECT_EQ(count(mine, "keepme"), 1) << "the user's table was touched";
  EXPECT_FALSE(table_exists(mine, "t"));
  EXPECT_FALSE(schema_exists(mine + "_staging")) << "a refused load left a staging schema";

  const CommandResult forced = load(profile, mine, /*force=*/true);
  ASSERT_EQ(forced.exit_code, 0) << describe(forced);
  EXPECT_FALSE(table_exists(mine, "keepme")) << "--force did not replace the schema";
  EXPECT_EQ(count(mine, "t"), 10);
  // From now on pgshape owns it: a plain reload needs no --force.
  const CommandResult again = load(profile, mine);
  EXPECT_EQ(again.exit_code, 0) << describe(again);
}

// A staging schema is dropped when pgshape finds one of its own left behind;
// one of the user's that happens to have that name must not be.
TEST_F(SchemaGuard, RefusesToDropUserSchemaNamedLikeStaging) {
  const std::string target = unique_name("target");
  drop_.push_back(target);
  const std::string staging = target + "_staging";
  drop_.push_back(staging);
  sql("CREATE SCHEMA " + conn_.quote_name(staging));
  sql("CREATE TABLE " + conn_.quote_name(staging) + ".keepme (note text)");
  sql("INSERT INTO " + conn_.quote_name(staging) + ".keepme VALUES ('precious')");
  const CommandResult r = load(tiny_profile(), target);
  EXPECT_EQ(r.exit_code, 2) << describe(r);
  EXPECT_NE(r.err.find(staging), std::string::npos) << r.err;
  EXPECT_EQ(count(staging, "keepme"), 1);
  EXPECT_FALSE(schema_exists(target));
}

// Even with --force, objects in other schemas that depend on the target (a
// view over its table) are not pgshape's to drop: refuse, change nothing.
TEST_F(SchemaGuard, ForceStillRefusesWhenOtherSchemasDependOnTarget) {
  const std::string mine = user_schema("mine");
  const std::string other = user_schema("other");
  sql("CREATE VIEW " + conn_.quote_name(other) + ".v AS SELECT note FROM " +
      conn_.quote_name(mine) + ".keepme");
  const CommandResult r = load(tiny_profile(), mine, /*force=*/true);
  EXPECT_EQ(r.exit_code, 2) << describe(r);
  EXPECT_NE(r.err.find("depend"), std::string::npos) << r.err;
  EXPECT_EQ(count(mine, "keepme"), 1);
  EXPECT_EQ(count(other, "v"), 1);
  EXPECT_FALSE(schema_exists(mine + "_staging"));
}

}  // namespace
}  // namespace pgshape
