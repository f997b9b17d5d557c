// `pgshape stats` run by a role that may not read the tables: pg_stats hides
// their rows, and the user gets one note saying it is a privilege problem,
// naming the tables and a grant that works — checked here by granting it.
#include <gtest/gtest.h>
#include <pqxx/pqxx>

#include <string>

#include "production_db.hpp"

namespace pgshape::testing {
namespace {

size_t count_of(const std::string& text, const std::string& what) {
  size_t n = 0;
  for (size_t at = 0; (at = text.find(what, at)) != std::string::npos; at += what.size()) ++n;
  return n;
}

class StatsPrivileges : public ::testing::Test {
 protected:
  void SetUp() override {
    pqxx::connection c(db_.dsn());
    pqxx::nontransaction tx(c);
    tx.exec0("CREATE TABLE accounts (id bigint PRIMARY KEY, region text NOT NULL)");
    tx.exec0(
        "INSERT INTO accounts SELECT g, (ARRAY['eu','us','ap'])[1 + g % 3] "
        "FROM generate_series(1, 3000) g");
    tx.exec0(
        "CREATE TABLE events (id bigint PRIMARY KEY, account_id bigint REFERENCES accounts, "
        "kind text NOT NULL)");
    tx.exec0(
        "INSERT INTO events SELECT g, 1 + g % 3000, CASE WHEN g % 10 = 0 THEN 'buy' ELSE "
        "'view' END FROM generate_series(1, 9000) g");
    tx.exec0("ANALYZE");
    tx.exec0("CREATE ROLE " + tx.quote_name(role_) + " LOGIN");
    tx.exec0("GRANT USAGE ON SCHEMA public TO " + tx.quote_name(role_));
  }
  void TearDown() override {
    // The role's grants live in the scratch database: gone with DROP OWNED there.
    try {
      as_owner("DROP OWNED BY " + role_);
      pqxx::connection c(test_dsn());
      pqxx::nontransaction tx(c);
      tx.exec0("DROP ROLE IF EXISTS " + tx.quote_name(role_));
    } catch (...) {
    }
  }
  void as_owner(const std::string& sql) {
    pqxx::connection c(db_.dsn());
    pqxx::nontransaction tx(c);
    tx.exec0(sql);
  }
  CommandResult stats() {
    return run_pgshape(
        {"stats", "--source", db_.dsn() + " user=" + role_, "--source-schema", "public", "-o",
         (std::filesystem::temp_directory_path() / (unique_name("privileges") + ".yaml"))
             .string()});
  }

  ScratchDatabase db_{"privileges"};
  std::string role_ = unique_name("reader");
};

TEST_F(StatsPrivileges, ARoleThatCannotSelectGetsOneNoteNamingTablesAndTheGrant) {
  auto r = stats();
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(count_of(r.err, "not analyzed?"), 0u) << r.err;
  EXPECT_EQ(count_of(r.err, "may not read the statistics"), 1u) << r.err;
  EXPECT_NE(r.err.find("in 2 tables (accounts, events)"), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("GRANT SELECT ON ALL TABLES IN SCHEMA \"public\" TO \"" + role_ + "\";"),
            std::string::npos)
      << r.err;

  // The grant the note names: then the one table granted is read in full.
  as_owner("GRANT SELECT ON accounts TO " + role_);
  r = stats();
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(r.err.find("in 1 table (events)"), std::string::npos) << r.err;

  // pg_read_all_data (PostgreSQL 14+) works as the note says.
  as_owner("GRANT pg_read_all_data TO " + role_);
  r = stats();
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(count_of(r.err, "may not read the statistics"), 0u) << r.err;
  EXPECT_EQ(count_of(r.err, "not analyzed?"), 0u) << r.err;
}

TEST_F(StatsPrivileges, PgReadAllStatsDoesNotShowPgStatsAndANeverAnalyzedTableStaysItsOwnNote) {
  // What the note says does not help, checked: pg_read_all_stats alone.
  as_owner("GRANT pg_read_all_stats TO " + role_);
  as_owner("CREATE TABLE fresh (id bigint PRIMARY KEY, v text)");
  as_owner("GRANT SELECT ON fresh, accounts, events TO " + role_);
  as_owner("REVOKE SELECT ON events FROM " + role_);
  auto r = stats();
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(r.err.find("in 1 table (events)"), std::string::npos) << r.err;
  // fresh was never analyzed: readable, so that is what its notes say.
  EXPECT_NE(r.err.find("fresh.v: no statistics on the source (not analyzed?)"), std::string::npos)
      << r.err;
}

}  // namespace
}  // namespace pgshape::testing
