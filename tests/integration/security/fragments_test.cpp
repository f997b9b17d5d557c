// SQL from a profile runs only as what its place allows. An index predicate
// cannot carry a second statement; an experiment, a query or the ddl: file
// cannot end the transaction pgshape runs it in. `validate` (and so every
// command) refuses such a profile before connecting; and a Profile built in code,
// which skips validate, is refused again at run time — the victim table survives.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <pqxx/pqxx>
#include <string>

#include "../load/load_test_support.hpp"
#include "pgshape/error.hpp"
#include "pgshape/load.hpp"
#include "pgshape/plan.hpp"
#include "pgshape/profile.hpp"
#include "test_server.hpp"

namespace pgshape {
namespace {

using testing::CommandResult;
using testing::run_pgshape;
using testing::test_dsn;
using testing::unique_name;

constexpr const char* kProfile = R"(name: frag
seed: 2
scales: { s: 50 }
tables:
  t:
    rows: 1x
    columns:
      id: { type: bigint, primary_key: true, dist: sequence }
      v: { type: integer, dist: uniform, min: 1, max: 9 }
)";

class Fragments : public testing::LoadFixture {
 protected:
  void SetUp() override {
    victim_ = unique_name("victim");
    sql("CREATE TABLE public." + victim_ + " (x int); INSERT INTO public." + victim_ +
        " VALUES (42)");
    s_ = schema("frag");
  }
  void TearDown() override {
    sql("DROP TABLE IF EXISTS public." + victim_ + "; DROP PROCEDURE IF EXISTS public." + victim_ +
        "_p()");
    testing::LoadFixture::TearDown();
  }
  void sql(const std::string& statements) {
    pqxx::nontransaction tx(conn_);
    tx.exec0(statements);
  }
  bool victim_intact() {
    pqxx::nontransaction tx(conn_);
    auto r = tx.exec(
        "SELECT count(*) FROM pg_catalog.pg_tables WHERE schemaname = 'public' AND "
        "tablename = " +
        tx.quote(victim_));
    return r[0][0].as<int>() == 1 &&
           tx.exec1("SELECT count(*) FROM public." + victim_)[0].as<int>() == 1;
  }
  bool schema_exists(const std::string& name) {
    pqxx::nontransaction tx(conn_);
    return !tx.exec("SELECT 1 FROM pg_catalog.pg_namespace WHERE nspname = " + tx.quote(name))
                .empty();
  }
  // The profile written last, by each of validate / load / explain.
  void expect_refused_by_every_command(const std::string& phrase) {
    for (const std::vector<std::string>& args :
         {std::vector<std::string>{"validate", profile_},
          {"load", profile_, "--schema", s_, "--dsn", test_dsn(), "-q"},
          {"explain", profile_, "--schema", s_, "--dsn", test_dsn(), "--out",
           (dir_ / "out").string(), "-q"}}) {
      const CommandResult r = run_pgshape(args);
      EXPECT_EQ(r.exit_code, 2) << args[0] << ": " << r.err;
      EXPECT_NE(r.err.find(phrase), std::string::npos) << args[0] << ": " << r.err;
    }
    EXPECT_TRUE(victim_intact());
    EXPECT_FALSE(schema_exists(s_));
    EXPECT_FALSE(schema_exists(s_ + "_staging"));
  }
  Profile loaded() {
    write_profile(kProfile);
    Profile p = load_profile(profile_);
    load_dataset(p, test_dsn(), LoadOptions{.schema = s_, .jobs = 1});
    return p;
  }
  std::vector<PlanCapture> capture(const std::vector<Query>& queries,
                                   const std::vector<Experiment>& experiments) {
    ScaleContext scale{s_, "s", table_row_counts(conn_, s_)};
    return capture_scale(conn_, scale, queries, experiments, CaptureOptions{.runs = 1});
  }
  static Query count_query() {
    Query q;
    q.name = "count";
    q.sql = "SELECT count(*) FROM t";
    return q;
  }

  pqxx::connection conn_{test_dsn()};
  std::string victim_, s_;
};

TEST_F(Fragments, IndexPredicateWithASecondStatementIsRefused) {
  write_profile(std::string(kProfile) +
                "    indexes:\n      - { columns: [v], where: \"id > 0; DROP TABLE public." +
                victim_ + "; --\" }\n");
  expect_refused_by_every_command("must be one expression");
}

TEST_F(Fragments, ExperimentThatCommitsIsRefused) {
  write_profile(std::string(kProfile) +
                "queries:\n  - { name: q, sql: \"SELECT count(*) FROM t\" }\n"
                "experiments:\n  - { name: escape, sql: \"COMMIT; DROP TABLE public." +
                victim_ + "\" }\n");
  expect_refused_by_every_command(
      "COMMIT at line 1:1 of its SQL would end or open the transaction");
}

TEST_F(Fragments, QueryWithASecondStatementIsRefused) {
  write_profile(std::string(kProfile) +
                "queries:\n  - { name: q, sql: \"SELECT 1; DROP TABLE public." + victim_ +
                "\" }\n");
  expect_refused_by_every_command("query 'q' must be one statement");
}

TEST_F(Fragments, DdlFileThatCommitsIsRefused) {
  write_profile(std::string(kProfile) + "ddl: schema.sql\n");
  std::ofstream(dir_ / "schema.sql") << "CREATE TABLE t (id bigint NOT NULL, v integer);\n"
                                        "COMMIT;\nDROP TABLE public."
                                     << victim_ << ";\n";
  expect_refused_by_every_command("the ddl: file: COMMIT at line 2:1");
}

// What validate would have refused, handed to the loader in code: the predicate
// reaches the server inside "(...)" over the extended protocol, which refuses
// it; the load fails with the target as it was.
TEST_F(Fragments, PredicateSmuggledPastValidateIsRefusedByTheServer) {
  Profile p = loaded();
  const std::string before = table_md5(conn_, s_, "t");
  p.tables[0].indexes.push_back(
      IndexSpec{.columns = {"v"}, .orders = {""}, .where = "id > 0; DROP TABLE public." + victim_});
  try {
    load_dataset(p, test_dsn(), LoadOptions{.schema = s_, .jobs = 1});
    ADD_FAILURE() << "the load succeeded";
  } catch (const DatabaseError& e) {
    EXPECT_EQ(e.code(), "load.failed") << e.what();
  }
  EXPECT_TRUE(victim_intact());
  EXPECT_EQ(table_md5(conn_, s_, "t"), before);
  EXPECT_FALSE(schema_exists(s_ + "_staging"));
}

TEST_F(Fragments, DdlSmuggledPastValidateIsRefusedBeforeItRuns) {
  write_profile(kProfile);
  Profile p = load_profile(profile_);
  p.ddl_sql =
      "CREATE TABLE t (id bigint NOT NULL, v integer);\nCOMMIT;\nDROP TABLE public." + victim_;
  try {
    load_dataset(p, test_dsn(), LoadOptions{.schema = s_, .jobs = 1});
    ADD_FAILURE() << "the load succeeded";
  } catch (const UsageError& e) {
    EXPECT_EQ(e.code(), "profile.bad-sql") << e.what();
  }
  EXPECT_TRUE(victim_intact());
  EXPECT_FALSE(schema_exists(s_));
  EXPECT_FALSE(schema_exists(s_ + "_staging"));
}

// Nothing of such an experiment runs, not even the statements before its COMMIT.
TEST_F(Fragments, ExperimentSmuggledPastValidateRunsNothing) {
  loaded();
  for (const std::string& sql :
       {"COMMIT; DROP TABLE public." + victim_,
        "CREATE INDEX kept_idx ON t (v);\n  ROLLBACK;\nDROP TABLE public." + victim_,
        "SAVEPOINT a; DROP TABLE public." + victim_ + "; ROLLBACK TO a"}) {
    try {
      capture({count_query()}, {Experiment{.name = "escape", .sql = sql}});
      ADD_FAILURE() << "the capture succeeded: " << sql;
    } catch (const UsageError& e) {
      EXPECT_EQ(e.code(), "profile.bad-sql") << e.what();
    }
    EXPECT_TRUE(victim_intact()) << sql;
    pqxx::nontransaction tx(conn_);
    EXPECT_TRUE(tx.exec("SELECT 1 FROM pg_catalog.pg_class WHERE relname = 'kept_idx'").empty());
  }
}

// CALL and DO are allowed: inside the capture's transaction block PostgreSQL
// refuses a procedure's COMMIT, so what it did is rolled back with the rest.
TEST_F(Fragments, ProcedureThatCommitsCannotEscapeTheExperiment) {
  loaded();
  sql("CREATE PROCEDURE public." + victim_ +
      "_p() LANGUAGE plpgsql AS $$ BEGIN DROP TABLE public." + victim_ + "; COMMIT; END $$");
  for (const std::string& call :
       {"CALL public." + victim_ + "_p()",
        "DO $$ BEGIN DROP TABLE public." + victim_ + "; COMMIT; END $$"}) {
    try {
      capture({count_query()}, {Experiment{.name = "call", .sql = call}});
      ADD_FAILURE() << "the capture succeeded: " << call;
    } catch (const DatabaseError& e) {
      EXPECT_EQ(e.code(), "plan.query-failed") << e.what();
      EXPECT_NE(std::string(e.what()).find("invalid transaction termination"), std::string::npos)
          << e.what();
    }
    EXPECT_TRUE(victim_intact()) << call;
  }
}

// A query goes to the server as one statement over the extended protocol.
TEST_F(Fragments, QuerySmuggledPastValidateRunsNoSecondStatement) {
  loaded();
  Query q = count_query();
  q.sql = "SELECT 1; DROP TABLE public." + victim_;
  EXPECT_THROW(capture({q}, {}), DatabaseError);
  EXPECT_TRUE(victim_intact());
}

TEST_F(Fragments, GoodPredicatesAndExperimentsStillWork) {
  write_profile(std::string(kProfile) +
                "    indexes:\n      - { name: t_v_part, columns: [v], where: \"v > 2 -- big; "
                "ones\" }\n");
  pgshape({"load", profile_, "--schema", s_});
  {
    pqxx::nontransaction tx(conn_);
    const auto def = tx.exec1("SELECT pg_catalog.pg_get_indexdef(" +
                              tx.quote(conn_.quote_name(s_) + ".t_v_part") + "::regclass)")[0]
                         .as<std::string>();
    EXPECT_NE(def.find("WHERE (v > 2)"), std::string::npos) << def;
  }
  auto captures = capture({count_query()}, {Experiment{.name = "idx",
                                                       .sql = "CREATE INDEX e_idx ON t (v); "
                                                              "SET LOCAL enable_seqscan = off; "
                                                              "ANALYZE t"}});
  EXPECT_EQ(captures.size(), 2u);
}

}  // namespace
}  // namespace pgshape
