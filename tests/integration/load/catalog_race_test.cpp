// The bounded retry around catalog reads that a concurrent DROP can race
// (load/steps.hpp catalog_race_retried; the dependents check runs in it). The
// race itself needs two sessions timed against each other, so the server is made
// to fail the way the race does (SQLSTATE XX000, "cache lookup failed ...") a set
// number of times: a sequence counts the attempts, as rollbacks do not undo it.
#include <gtest/gtest.h>

#include <pqxx/pqxx>
#include <string>

#include "load/steps.hpp"
#include "test_server.hpp"

namespace pgshape {
namespace {

class CatalogRace : public ::testing::Test {
 protected:
  void SetUp() override {
    pqxx::nontransaction setup(conn_);
    setup.exec0(
        "CREATE TEMP SEQUENCE attempts; "
        "CREATE FUNCTION pg_temp.raced(failures int, code text) RETURNS int LANGUAGE plpgsql AS "
        "$$ DECLARE n int := nextval('attempts'); BEGIN "
        "IF n <= failures THEN RAISE EXCEPTION USING ERRCODE = code, "
        "MESSAGE = 'cache lookup failed for attribute 1 of relation 16384'; END IF; "
        "RETURN n; END $$");
  }
  int attempts() {
    pqxx::nontransaction tx(conn_);
    return tx.exec1("SELECT last_value::int FROM attempts")[0].as<int>();
  }

  pqxx::connection conn_{testing::test_dsn()};
};

TEST_F(CatalogRace, ARacedLookupIsReadAgainAndTheTransactionGoesOn) {
  pqxx::work tx(conn_);
  tx.exec0("CREATE TEMP TABLE written (x int); INSERT INTO written VALUES (1)");
  int got = 0;
  load::catalog_race_retried(tx, [&](pqxx::transaction_base& sub) {
    sub.exec0("INSERT INTO written VALUES (2)");
    got = sub.exec1("SELECT pg_temp.raced(2, 'XX000')")[0].as<int>();
  });
  EXPECT_EQ(got, 3);
  // Each failed attempt was rolled back to its savepoint, and only that.
  EXPECT_EQ(
      tx.exec1("SELECT string_agg(x::text, ',' ORDER BY x) FROM written")[0].as<std::string>(),
      "1,2");
  tx.commit();
  EXPECT_EQ(attempts(), 3);
}

TEST_F(CatalogRace, ItGivesUpAfterTheBound) {
  pqxx::work tx(conn_);
  try {
    load::catalog_race_retried(
        tx, [&](pqxx::transaction_base& sub) { sub.exec0("SELECT pg_temp.raced(100, 'XX000')"); },
        4);
    ADD_FAILURE() << "a lookup that always fails was accepted";
  } catch (const pqxx::sql_error& e) {
    EXPECT_EQ(e.sqlstate(), "XX000");
    EXPECT_NE(std::string(e.what()).find("cache lookup failed"), std::string::npos) << e.what();
  }
  tx.abort();
  EXPECT_EQ(attempts(), 4);
}

TEST_F(CatalogRace, OtherErrorsAreNotRetried) {
  pqxx::work tx(conn_);
  try {
    load::catalog_race_retried(
        tx, [&](pqxx::transaction_base& sub) { sub.exec0("SELECT pg_temp.raced(100, '42P01')"); });
    ADD_FAILURE() << "the error was swallowed";
  } catch (const pqxx::sql_error& e) {
    EXPECT_EQ(e.sqlstate(), "42P01");
  }
  tx.abort();
  EXPECT_EQ(attempts(), 1);
}

}  // namespace
}  // namespace pgshape
