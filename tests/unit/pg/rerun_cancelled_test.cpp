// rerun_while_cancelled: which failures of the pinning statement run it again, and
// how many times. That a real server's cancel is survived is
// tests/integration/stats/hostile_env_test.cpp (a 1 ms statement_timeout).
#include <gtest/gtest.h>

#include <stdexcept>
#include <string>

#include "pg/rerun_cancelled.hpp"
#include "pgshape/error.hpp"

namespace pgshape {
namespace {

DatabaseError failure(const std::string& sqlstate) {
  return DatabaseError(ErrorId("db.query-failed"), "cannot pin the session's settings: " + sqlstate,
                       "", sqlstate);
}

// An exec that fails with `sqlstate` its first `failures` calls, then succeeds.
struct Flaky {
  int failures;
  std::string sqlstate;
  int calls = 0;
  void operator()() {
    if (++calls <= failures) throw failure(sqlstate);
  }
};

TEST(RerunWhileCancelled, SucceedingAtOnceRunsOnce) {
  Flaky exec{0, "57014"};
  pg::rerun_while_cancelled<DatabaseError>([&] { exec(); });
  EXPECT_EQ(exec.calls, 1);
}

TEST(RerunWhileCancelled, ACancelledRunRunsAgainUntilItSucceeds) {
  Flaky exec{pg::kPinningTries - 1, "57014"};
  pg::rerun_while_cancelled<DatabaseError>([&] { exec(); });
  EXPECT_EQ(exec.calls, pg::kPinningTries);
}

TEST(RerunWhileCancelled, TheLastTrysCancelIsThrownAsItWas) {
  Flaky exec{pg::kPinningTries, "57014"};
  try {
    pg::rerun_while_cancelled<DatabaseError>([&] { exec(); });
    FAIL() << "no error after " << exec.calls << " cancelled runs";
  } catch (const DatabaseError& e) {
    EXPECT_EQ(e.sqlstate(), "57014");
    EXPECT_STREQ(e.what(), failure("57014").what());
  }
  EXPECT_EQ(exec.calls, 20);
}

TEST(RerunWhileCancelled, AnyOtherSqlstateIsThrownAtOnce) {
  for (const char* sqlstate : {"", "08006", "42501", "55P03", "57P01", "57014 "}) {
    Flaky exec{1, sqlstate};
    EXPECT_THROW(pg::rerun_while_cancelled<DatabaseError>([&] { exec(); }), DatabaseError)
        << "'" << sqlstate << "'";
    EXPECT_EQ(exec.calls, 1) << "'" << sqlstate << "'";
  }
}

TEST(RerunWhileCancelled, AnErrorOfAnotherTypeIsNotCaught) {
  int calls = 0;
  EXPECT_THROW(pg::rerun_while_cancelled<DatabaseError>([&] {
                 ++calls;
                 throw std::runtime_error("57014");
               }),
               std::runtime_error);
  EXPECT_EQ(calls, 1);
}

}  // namespace
}  // namespace pgshape
