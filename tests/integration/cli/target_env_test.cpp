// Where `pgshape load` writes, following libpq's conventions (issue #17): --dsn when
// given at all (`--dsn ""` is libpq's defaults), else DATABASE_URL, else the PG*
// variables (PGHOST/PGPORT/PGUSER/PGDATABASE, PGSERVICE with PGSERVICEFILE), else an
// embedded server. Each case runs the real binary with a controlled environment,
// loads a tiny profile into a database made for the test, and checks with a
// separate connection that the rows landed in *that* database, and that the where
// line names it as host:port/db.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <map>
#include <nlohmann/json.hpp>
#include <pqxx/pqxx>
#include <string>

#include "../stats/production_db.hpp"
#include "test_server.hpp"

namespace pgshape {
namespace {

namespace fs = std::filesystem;
using testing::CommandResult;
using testing::run_pgshape;
using testing::ScratchDatabase;
using Env = std::map<std::string, std::string>;

constexpr int kRows = 25;

// The test server's host, port and user, as libpq resolved them from PGSHAPE_TEST_DSN.
struct Server {
  std::string host, port, user;
};
Server test_server() {
  pqxx::connection c(testing::test_dsn());
  return {c.hostname(), c.port(), c.username()};
}

// "%2F" for every '/': a socket directory as a URI's ?host= value.
std::string uri_encoded(const std::string& text) {
  std::string out;
  for (char ch : text) out += ch == '/' ? std::string("%2F") : std::string(1, ch);
  return out;
}

class TargetEnv : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() / testing::unique_name("target_env");
    fs::create_directories(dir_);
    profile_ = (dir_ / "tiny.yaml").string();
    std::ofstream(profile_) << "name: tiny\nscales: { s: 10 }\ntables:\n  t:\n    rows: " << kRows
                            << "\n    columns:\n      id: { type: bigint, primary_key: "
                               "true }\n";
  }
  void TearDown() override { fs::remove_all(dir_); }

  // PGHOST, PGPORT, PGUSER and PGDATABASE naming the scratch database.
  Env libpq_env() const {
    return {{"PGHOST", server_.host},
            {"PGPORT", server_.port},
            {"PGUSER", server_.user},
            {"PGDATABASE", db_.name()}};
  }
  CommandResult load(std::vector<std::string> extra, const Env& env) const {
    std::vector<std::string> args = {"load", profile_, "--schema", schema_};
    args.insert(args.end(), extra.begin(), extra.end());
    return run_pgshape(args, env);
  }
  // Rows of schema_.t in `database` of the test server; -1 when the table is absent.
  int64_t rows_in(const std::string& database) const {
    pqxx::connection c(testing::dsn_for_database(testing::test_dsn(), database));
    pqxx::read_transaction tx(c);
    if (!tx.exec_params1("SELECT to_regclass($1) IS NOT NULL", schema_ + ".t")[0].as<bool>())
      return -1;
    return tx.exec1("SELECT count(*) FROM " + tx.quote_name(schema_) + ".t")[0].as<int64_t>();
  }
  std::string where_scratch() const {
    return "into " + schema_ + " on " + server_.host + ":" + server_.port + "/" + db_.name();
  }
  // The load went into the scratch database, said so, and nowhere else.
  void expect_loaded_into_scratch(const CommandResult& r) const {
    ASSERT_EQ(r.exit_code, 0) << r.out << r.err;
    EXPECT_EQ(rows_in(db_.name()), kRows);
    EXPECT_EQ(rows_in(other_.name()), -1) << "the other database must stay untouched";
    EXPECT_NE(r.out.find(where_scratch()), std::string::npos) << r.out;
    EXPECT_EQ(r.out.find("embedded"), std::string::npos) << r.out;
  }

  Server server_ = test_server();
  ScratchDatabase db_{"target_env"};
  ScratchDatabase other_{"target_other"};  // where a wrong precedence would write
  std::string schema_ = testing::unique_name("tiny");
  fs::path dir_;
  std::string profile_;
};

TEST_F(TargetEnv, PgHostPortUserDatabaseAreTheTargetWithoutDsn) {
  expect_loaded_into_scratch(load({}, libpq_env()));
}

TEST_F(TargetEnv, APgServiceFromAPgServiceFileIsTheTarget) {
  const fs::path services = dir_ / "pg_service.conf";
  std::ofstream(services) << "[pgshape_test_mirror]\nhost=" << server_.host
                          << "\nport=" << server_.port << "\nuser=" << server_.user
                          << "\ndbname=" << db_.name() << "\n";
  expect_loaded_into_scratch(
      load({}, {{"PGSERVICE", "pgshape_test_mirror"}, {"PGSERVICEFILE", services.string()}}));
}

TEST_F(TargetEnv, DatabaseUrlIsTheTargetAndWinsOverPgVariables) {
  const std::string url = "postgresql://" + server_.user + "@/" + db_.name() +
                          "?host=" + uri_encoded(server_.host) + "&port=" + server_.port;
  Env env = {{"DATABASE_URL", url},
             {"PGDATABASE", other_.name()},
             {"PGHOST", server_.host},
             {"PGPORT", server_.port}};
  expect_loaded_into_scratch(load({}, env));
}

TEST_F(TargetEnv, AnEmptyDsnIsLibpqsDefaultsAndWinsOverDatabaseUrl) {
  Env env = libpq_env();
  env["DATABASE_URL"] = testing::dsn_for_database(testing::test_dsn(), other_.name());
  expect_loaded_into_scratch(load({"--dsn", ""}, env));
}

TEST_F(TargetEnv, ARealDsnIgnoresPgVariablesThatPointNowhere) {
  const CommandResult r =
      load({"--dsn", db_.dsn()}, {{"PGHOST", "/nonexistent"},
                                  {"PGPORT", "1"},
                                  {"PGUSER", "nobody_here"},
                                  {"PGDATABASE", other_.name()},
                                  {"DATABASE_URL", "postgresql://nobody@127.0.0.1:1/nowhere"}});
  expect_loaded_into_scratch(r);
}

TEST_F(TargetEnv, NoTargetMeansAnEmbeddedServerEvenWithAPasswordAndSslModeSet) {
  // How-to-connect variables alone must not redirect data into libpq's defaults.
  const CommandResult r = load({}, {{"PGPASSWORD", "s3cret-pw"},
                                    {"PGSSLMODE", "prefer"},
                                    {"PGCONNECT_TIMEOUT", "5"},
                                    {"PGAPPNAME", "pgshape-test"},
                                    {"PGDATA", "/nonexistent/pgdata"}});
  ASSERT_EQ(r.exit_code, 0) << r.out << r.err;
  EXPECT_NE(r.out.find("into " + schema_ +
                       " on an embedded server, deleted at exit — use --keep to keep it"),
            std::string::npos)
      << r.out;
  EXPECT_EQ(rows_in(db_.name()), -1);
  EXPECT_EQ(rows_in(other_.name()), -1);
  EXPECT_EQ(rows_in("postgres"), -1);
  EXPECT_EQ((r.out + r.err).find("s3cret-pw"), std::string::npos);
}

TEST_F(TargetEnv, JsonNamesTheDatabaseWrittenAndWhatNamedIt) {
  const CommandResult r = load({"--json"}, libpq_env());
  ASSERT_EQ(r.exit_code, 0) << r.out << r.err;
  const nlohmann::json target = nlohmann::json::parse(r.out)["target"];
  EXPECT_EQ(target["embedded"], false);
  EXPECT_EQ(target["source"], "PG* variables");
  EXPECT_EQ(target["host"], server_.host);
  EXPECT_EQ(target["port"], server_.port);
  EXPECT_EQ(target["dbname"], db_.name());
  EXPECT_EQ(target["where"], server_.host + ":" + server_.port + "/" + db_.name());
  EXPECT_EQ(rows_in(db_.name()), kRows);
}

TEST_F(TargetEnv, AnUnreachableLibpqDefaultSaysWhichVariablesItCameFrom) {
  const CommandResult r =
      load({"--dsn", "", "--json"},
           {{"PGHOST", "/nonexistent"}, {"PGPORT", "1"}, {"PGPASSWORD", "s3cret-pw"}});
  EXPECT_EQ(r.exit_code, 1) << r.out << r.err;
  const nlohmann::json error = nlohmann::json::parse(r.out)["error"];
  EXPECT_EQ(error["code"], "db.connect-failed");
  const std::string message = error["message"];
  EXPECT_EQ(
      message.rfind("could not connect to libpq's defaults (PGHOST=/nonexistent, PGPORT=1)", 0), 0u)
      << message;
  EXPECT_EQ(r.out.find("s3cret-pw"), std::string::npos) << r.out;
}

TEST_F(TargetEnv, ExplainLoadsIntoThePgVariablesDatabaseAndSaysSo) {
  std::ofstream(profile_, std::ios::app)
      << "queries:\n  - { name: q, sql: \"SELECT count(*) FROM t\" }\n";
  const CommandResult r = run_pgshape(
      {"explain", profile_, "--schema", schema_, "--runs", "1", "--out", (dir_ / "out").string()},
      libpq_env());
  ASSERT_EQ(r.exit_code, 0) << r.out << r.err;
  EXPECT_NE(r.out.find("scale points loaded " + where_scratch() + "\n"), std::string::npos)
      << r.out;
  EXPECT_EQ(rows_in(db_.name()), kRows);
  EXPECT_EQ(rows_in(other_.name()), -1);
}

TEST(RefreshTarget, PgVariablesAreAMirrorAndNoneIsAUsageError) {
  ScratchDatabase production("target_rprod");
  ScratchDatabase mirror("target_rmirror");
  testing::build_production(production.dsn());
  const Server server = test_server();
  const fs::path dir = fs::temp_directory_path() / testing::unique_name("target_refresh");
  fs::create_directories(dir);
  const std::string profile = (dir / "nightly.yaml").string();
  const std::vector<std::string> args = {"refresh", profile, "--source", production.dsn()};

  const CommandResult none = run_pgshape(args);
  EXPECT_EQ(none.exit_code, 2) << none.err;
  EXPECT_NE(none.err.find("--dsn, DATABASE_URL or the PG* variables"), std::string::npos)
      << none.err;
  EXPECT_FALSE(fs::exists(profile)) << "refused before anything is written";

  // The profile's schema is the source's (public): the mirror's is named here.
  std::vector<std::string> into_nightly = args;
  into_nightly.insert(into_nightly.end(), {"--schema", "nightly"});
  const CommandResult r = run_pgshape(into_nightly, {{"PGHOST", server.host},
                                                     {"PGPORT", server.port},
                                                     {"PGUSER", server.user},
                                                     {"PGDATABASE", mirror.name()}});
  ASSERT_EQ(r.exit_code, 0) << r.out << r.err;
  EXPECT_NE(r.out.find("refresh wrote into nightly on " + server.host + ":" + server.port + "/" +
                       mirror.name()),
            std::string::npos)
      << r.out;
  pqxx::connection c(mirror.dsn());
  pqxx::read_transaction tx(c);
  EXPECT_GT(tx.exec1("SELECT count(*) FROM nightly.customers")[0].as<int64_t>(), 0);
  fs::remove_all(dir);
}

}  // namespace
}  // namespace pgshape
