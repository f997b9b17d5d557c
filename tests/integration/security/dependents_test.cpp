// A reload replaces its schema with DROP SCHEMA ... CASCADE. Whatever that would
// drop or alter outside the schema — of any kind, not only views and foreign
// keys — blocks the load before anything is written: exit 2 (load.dependents),
// every such object named, both schemas exactly as they were (every table's
// whole-row md5, and every dependency recorded between their objects).
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <pqxx/pqxx>
#include <string>
#include <vector>

#include "../load/load_test_support.hpp"
#include "load/steps.hpp"
#include "pgshape/error.hpp"
#include "pgshape/load.hpp"
#include "pgshape/profile.hpp"
#include "test_server.hpp"

namespace pgshape {
namespace {

using testing::CommandResult;
using testing::run_pgshape;
using testing::test_dsn;
using testing::unique_name;

constexpr const char* kProfile = R"(name: deps
seed: 5
scales: { s: 20 }
tables:
  categories:
    rows: 5
    columns:
      id: { type: integer, primary_key: true, dist: sequence }
      name: { type: text, dist: words, wordlist: product }
  customers:
    rows: 1x
    columns:
      id: { type: bigint, primary_key: true, dist: sequence }
      name: { type: text, dist: words, wordlist: lorem }
  products:
    rows: 1x
    columns:
      id: { type: bigint, primary_key: true, dist: sequence }
      category_id: { type: integer, ref: categories.id, dist: zipf, s: 1.0 }
)";

class Dependents : public testing::LoadFixture {
 protected:
  void SetUp() override {
    write_profile(kProfile);
    s_ = schema("deps");
    k_ = schema("keep");
    load_once();
    sql("CREATE SCHEMA " + k_ + "; CREATE TABLE " + k_ + ".keepme (id int, note text); " +
        "INSERT INTO " + k_ + ".keepme VALUES (1, 'precious')");
  }
  void TearDown() override {
    sql("DROP SCHEMA IF EXISTS " + k_ + " CASCADE");
    for (const auto& p : publications_) sql("DROP PUBLICATION IF EXISTS " + p);
    for (const auto& e : event_triggers_) sql("DROP EVENT TRIGGER IF EXISTS " + e);
    testing::LoadFixture::TearDown();
  }

  void load_once(bool keep_previous = false) {
    load_dataset(load_profile(profile_), test_dsn(),
                 LoadOptions{.schema = s_, .jobs = 1, .keep_previous = keep_previous});
  }
  void sql(const std::string& statements) {
    pqxx::connection c(test_dsn());
    pqxx::nontransaction tx(c);
    tx.exec0(statements);
  }
  // {s} and {k} in `text` become the target and the other schema.
  std::string expand(std::string text) const {
    for (auto [key, value] : {std::pair{"{s}", s_}, std::pair{"{k}", k_}})
      for (size_t at; (at = text.find(key)) != std::string::npos;) text.replace(at, 3, value);
    return text;
  }

  // What must not change: every table's rows in the target and the other schema
  // (and their staging/previous schemas), and every dependency between objects
  // that live in them, or that belong to no schema and depend on one that does.
  std::string snapshot() {
    pqxx::connection c(test_dsn());
    std::string out;
    std::vector<std::pair<std::string, std::string>> tables;
    {
      pqxx::work tx(c);
      for (const auto& row : tx.exec_params(
               "SELECT n.nspname, c.relname FROM pg_catalog.pg_class c JOIN "
               "pg_catalog.pg_namespace "
               "n ON n.oid = c.relnamespace WHERE c.relkind IN ('r', 'p') AND n.nspname LIKE ANY "
               "(ARRAY[$1 || '%', $2]) ORDER BY 1, 2",
               s_, k_))
        tables.emplace_back(row[0].as<std::string>(), row[1].as<std::string>());
    }
    for (const auto& [schema, table] : tables)
      out += schema + "." + table + " " + table_md5(c, schema, table) + "\n";
    // pg_describe_object over the whole of pg_depend also meets the objects that
    // tests in other processes drop meanwhile: read again when it races one.
    pqxx::work tx(c);
    load::catalog_race_retried(tx, [&](pqxx::transaction_base& sub) {
      out += sub.exec_params1(
                    "SELECT coalesce(md5(string_agg(x, E'\\n' ORDER BY x)), '') FROM ("
                    "SELECT pg_catalog.pg_describe_object(classid, objid, objsubid) || ' -> ' || "
                    "pg_catalog.pg_describe_object(refclassid, refobjid, refobjsubid) || ' ' || "
                    "deptype::text AS x FROM pg_catalog.pg_depend d WHERE "
                    "coalesce((pg_catalog.pg_identify_object(classid, objid, objsubid)).schema, "
                    "(pg_catalog.pg_identify_object(refclassid, refobjid, refobjsubid)).schema) "
                    "LIKE ANY (ARRAY[$1 || '%', $2])) q",
                    s_, k_)[0]
                 .as<std::string>();
    });
    return out;
  }

  // Sets up `setup`, then expects a reload (and a forced one) to be refused
  // before writing anything, naming each of `named`.
  void expect_refused(const std::string& setup, const std::vector<std::string>& named,
                      bool keep_previous = false) {
    sql(expand(setup));
    const std::string before = snapshot();
    for (bool force : {false, true}) {
      try {
        load_dataset(
            load_profile(profile_), test_dsn(),
            LoadOptions{.schema = s_, .jobs = 1, .force = force, .keep_previous = keep_previous});
        ADD_FAILURE() << "the load was not refused (force " << force << ")";
      } catch (const UsageError& e) {
        EXPECT_EQ(e.code(), "load.dependents") << e.what();
        for (const auto& name : named)
          EXPECT_NE(std::string(e.what()).find(expand(name)), std::string::npos)
              << "not named: " << expand(name) << "\nin: " << e.what();
      }
      EXPECT_EQ(snapshot(), before) << "a refused load changed something (force " << force << ")";
    }
  }

  std::string s_, k_;
  std::vector<std::string> publications_, event_triggers_;
};

TEST_F(Dependents, TableInheritingFromTheTarget) {
  expect_refused(
      "CREATE TABLE {k}.child (extra int) INHERITS ({s}.customers); "
      "INSERT INTO {k}.child VALUES (100, 'child row', 1)",
      {"table {k}.child (depends on table {s}.customers)"});
}

TEST_F(Dependents, ColumnOfTheTargetsRowTypeOrArrayOfIt) {
  expect_refused(
      "CREATE TABLE {k}.rowt (id int, c {s}.categories, a {s}.categories[]); "
      "INSERT INTO {k}.rowt SELECT 1, c, ARRAY[c] FROM {s}.categories c LIMIT 1",
      {"column c of table {k}.rowt (depends on type {s}.categories)",
       "column a of table {k}.rowt"});
}

TEST_F(Dependents, FunctionsOverTheTargetsTypes) {
  expect_refused(
      "CREATE FUNCTION {k}.listing() RETURNS SETOF {s}.products LANGUAGE sql "
      "AS 'SELECT * FROM {s}.products'; "
      "CREATE FUNCTION {k}.who({s}.customers) RETURNS text LANGUAGE sql AS 'SELECT $1.name'",
      {"function {k}.listing() (depends on type {s}.products)", "function {k}.who({s}.customers)"});
}

TEST_F(Dependents, DomainOverTheTargetsType) {
  expect_refused(
      "CREATE DOMAIN {k}.cat AS {s}.categories; "
      "CREATE TABLE {k}.d (c {k}.cat)",
      {"type {k}.cat (depends on type {s}.categories)"});
}

TEST_F(Dependents, TriggerAndPolicyCallingTheTargetsFunctions) {
  expect_refused(
      "CREATE FUNCTION {s}.stamp() RETURNS trigger LANGUAGE plpgsql AS "
      "'BEGIN RETURN NEW; END'; "
      "CREATE TRIGGER stamp BEFORE INSERT ON {k}.keepme FOR EACH ROW EXECUTE FUNCTION {s}.stamp(); "
      "CREATE FUNCTION {s}.allowed() RETURNS boolean LANGUAGE sql AS 'SELECT true'; "
      "ALTER TABLE {k}.keepme ENABLE ROW LEVEL SECURITY; "
      "CREATE POLICY mine ON {k}.keepme USING ({s}.allowed())",
      {"trigger stamp on table {k}.keepme (depends on function {s}.stamp())",
       "policy mine on table {k}.keepme (depends on function {s}.allowed())"});
}

TEST_F(Dependents, DefaultsAndGeneratedColumnsUsingTheTarget) {
  expect_refused(
      "CREATE SEQUENCE {s}.ids; "
      "CREATE FUNCTION {s}.twice(int) RETURNS int IMMUTABLE LANGUAGE sql AS 'SELECT 2 * $1'; "
      "CREATE TABLE {k}.gen (id bigint DEFAULT nextval('{s}.ids'), a int, "
      "b int GENERATED ALWAYS AS ({s}.twice(a)) STORED); "
      "INSERT INTO {k}.gen (a) VALUES (21)",
      {"default value for column id of table {k}.gen (depends on sequence {s}.ids)",
       "column b of table {k}.gen (depends on function {s}.twice(integer))"});
}

TEST_F(Dependents, RuleViewAndForeignKeyOverTheTarget) {
  expect_refused(
      "CREATE RULE audit AS ON INSERT TO {k}.keepme DO ALSO SELECT count(*) FROM {s}.customers; "
      "CREATE VIEW {k}.v AS SELECT id FROM {s}.products; "
      "CREATE TABLE {k}.fk (c int REFERENCES {s}.categories (id))",
      {"rule audit on table {k}.keepme", "view {k}.v (depends on table {s}.products)",
       "constraint fk_c_fkey on table {k}.fk"});
}

TEST_F(Dependents, CastsOperatorsAndPublicationsOfTheTarget) {
  const std::string pub = unique_name("pub");
  publications_.push_back(pub);
  expect_refused(
      "CREATE TYPE {s}.mood AS ENUM ('low', 'high'); "
      "CREATE CAST ({s}.mood AS integer) WITH INOUT; "
      "CREATE FUNCTION {k}.same({s}.mood, {s}.mood) RETURNS boolean LANGUAGE sql "
      "AS 'SELECT $1 = $2'; "
      "CREATE OPERATOR {k}.=== (LEFTARG = {s}.mood, RIGHTARG = {s}.mood, FUNCTION = {k}.same); "
      "CREATE PUBLICATION " +
          pub + " FOR TABLE {s}.products",
      {"cast from {s}.mood to integer", "operator {k}.===({s}.mood,{s}.mood)",
       "publication of table {s}.products in publication " + pub});
}

TEST_F(Dependents, ExtensionWithAMemberInTheTarget) {
  // CASCADE drops the whole extension, with every member elsewhere.
  expect_refused(
      "CREATE EXTENSION pg_trgm SCHEMA {k}; "
      "CREATE FUNCTION {s}.helper() RETURNS int LANGUAGE sql AS 'SELECT 1'; "
      "ALTER EXTENSION pg_trgm ADD FUNCTION {s}.helper()",
      {"extension pg_trgm (depends on function {s}.helper())"});
}

// No kind is special-cased: kinds nobody listed are found the same way.
TEST_F(Dependents, KindsNobodyListed) {
  const std::string event = unique_name("evt");
  event_triggers_.push_back(event);
  expect_refused(
      "CREATE STATISTICS {k}.together ON id, name FROM {s}.customers; "
      "CREATE FUNCTION {s}.len(text) RETURNS int IMMUTABLE LANGUAGE sql AS 'SELECT length($1)'; "
      "CREATE INDEX keepme_len ON {k}.keepme ({s}.len(note)); "
      "CREATE FUNCTION {s}.on_ddl() RETURNS event_trigger LANGUAGE plpgsql AS 'BEGIN END'; "
      "CREATE EVENT TRIGGER " +
          event + " ON ddl_command_end EXECUTE FUNCTION {s}.on_ddl(); ALTER EVENT TRIGGER " +
          event + " DISABLE",
      {"statistics object {k}.together", "index {k}.keepme_len", "event trigger " + event});
}

TEST_F(Dependents, DroppingThePreviousDatasetIsCheckedToo) {
  load_once(/*keep_previous=*/true);  // the first dataset is now {s}_previous
  expect_refused("CREATE VIEW {k}.old AS SELECT id FROM {s}_previous.customers",
                 {"view {k}.old (depends on table {s}_previous.customers)"},
                 /*keep_previous=*/true);
}

TEST_F(Dependents, ClearingStagingDebrisIsCheckedToo) {
  // What a load killed before its swap leaves behind, and a view the user built on it.
  expect_refused(
      "CREATE SCHEMA {s}_staging; COMMENT ON SCHEMA {s}_staging IS 'pgshape: staging'; "
      "CREATE TABLE {s}_staging.customers (id bigint); "
      "CREATE VIEW {k}.debris AS SELECT id FROM {s}_staging.customers",
      {"view {k}.debris (depends on table {s}_staging.customers)"});
}

TEST_F(Dependents, ObjectsInsideTheTargetOnlyDoNotBlock) {
  // Triggers and views of the target's own tables, and its foreign keys into
  // other schemas (whose triggers sit on the referenced table), go with it.
  sql(
      expand("ALTER TABLE {k}.keepme ADD PRIMARY KEY (id); "
             "CREATE FUNCTION {s}.stamp() RETURNS trigger LANGUAGE plpgsql AS "
             "'BEGIN RETURN NEW; END'; "
             "CREATE TRIGGER stamp BEFORE INSERT ON {s}.customers FOR EACH ROW EXECUTE FUNCTION "
             "{s}.stamp(); CREATE VIEW {s}.v AS SELECT * FROM {s}.products; "
             "CREATE TABLE {s}.extra (c {s}.categories, r int REFERENCES {k}.keepme (id))"));
  EXPECT_NO_THROW(load_once());
  pqxx::connection c(test_dsn());
  EXPECT_EQ(
      table_md5(c, k_, "keepme"), "1 " + [&] {
        pqxx::work tx(c);
        return tx.exec1("SELECT md5('(1,precious)')")[0].as<std::string>();
      }());
}

TEST_F(Dependents, TheCommandLineExitsTwoAndNamesThem) {
  sql(expand("CREATE TABLE {k}.child (extra int) INHERITS ({s}.customers)"));
  const CommandResult r =
      run_pgshape({"load", profile_, "--schema", s_, "--dsn", test_dsn(), "--force", "-q"});
  EXPECT_EQ(r.exit_code, 2) << r.err;
  EXPECT_NE(r.err.find(expand("table {k}.child (depends on table {s}.customers)")),
            std::string::npos)
      << r.err;
  EXPECT_NE(r.err.find("nothing was changed"), std::string::npos) << r.err;
}

TEST_F(Dependents, SystemSchemasAreNeverATarget) {
  for (const char* system : {"information_schema", "pg_catalog", "pg_toast", "pg_temp", "pg"}) {
    const CommandResult r =
        run_pgshape({"load", profile_, "--schema", system, "--dsn", test_dsn(), "--force", "-q"});
    EXPECT_EQ(r.exit_code, 2) << system << ": " << r.err;
    EXPECT_NE(r.err.find("system schema"), std::string::npos) << r.err;
  }
  pqxx::connection c(test_dsn());
  pqxx::work tx(c);
  EXPECT_GT(tx.exec1("SELECT count(*) FROM information_schema.tables")[0].as<int>(), 0);
  EXPECT_TRUE(tx.exec("SELECT 1 FROM pg_catalog.pg_namespace WHERE nspname LIKE 'pg\\_%\\_staging' "
                      "OR nspname = 'information_schema_staging'")
                  .empty());
}

}  // namespace
}  // namespace pgshape
