// Another session holding a lock on the dataset must not make pgshape hang: the
// swap (and a capture) wait at most the lock timeout, then fail naming the
// session that holds the lock, with the dataset as it was. --wait queues on
// purpose, also behind such a lock.
#include <gtest/gtest.h>

#include <chrono>
#include <future>
#include <pqxx/pqxx>
#include <string>
#include <thread>

#include "../load/load_test_support.hpp"
#include "pgshape/error.hpp"
#include "pgshape/load.hpp"
#include "pgshape/plan.hpp"
#include "pgshape/profile.hpp"
#include "test_server.hpp"

namespace pgshape {
namespace {

using Clock = std::chrono::steady_clock;
using testing::CommandResult;
using testing::run_pgshape;
using testing::test_dsn;
using testing::unique_name;

constexpr const char* kProfile = R"(name: locks
seed: 4
scales: { s: 200 }
tables:
  t:
    rows: 1x
    columns:
      id: { type: bigint, primary_key: true, dist: sequence }
      v: { type: integer, dist: uniform, min: 1, max: 1000 }
)";

class LockTimeout : public testing::LoadFixture {
 protected:
  void SetUp() override {
    write_profile(kProfile);
    s_ = schema("locks");
    pgshape({"load", profile_, "--schema", s_, "--seed", "1"});
    app_ = unique_name("blocker");
  }
  // A second session that reads the dataset and stays in its transaction.
  std::unique_ptr<pqxx::work> hold_lock(pqxx::connection& c, const std::string& mode) {
    pqxx::nontransaction(c).exec0("SET application_name = '" + app_ + "'");
    auto tx = std::make_unique<pqxx::work>(c);
    tx->exec0("LOCK TABLE " + c.quote_name(s_) + ".t IN " + mode + " MODE");
    return tx;
  }
  std::string s_, app_;
};

TEST_F(LockTimeout, SwapBehindAnotherSessionsLockFailsNamingIt) {
  pqxx::connection other(test_dsn());
  pqxx::connection reader(test_dsn());
  const std::string before = table_md5(reader, s_, "t");
  auto held = hold_lock(other, "ACCESS SHARE");
  const auto started = Clock::now();
  const CommandResult r = run_pgshape({"load", profile_, "--schema", s_, "--seed", "2", "--dsn",
                                       test_dsn(), "--lock-timeout", "1", "-q"});
  const double seconds = std::chrono::duration<double>(Clock::now() - started).count();
  EXPECT_EQ(r.exit_code, 1) << r.err;
  EXPECT_LT(seconds, 30) << "the load waited far beyond its lock timeout";
  for (const std::string& phrase :
       {std::string("the swap waited 1.0 s for a lock held by another session"),
        "pid " + std::to_string(other.backendpid()), "application_name '" + app_ + "'",
        std::string("state 'idle in transaction'"), std::string("query started 20"),
        std::string("LOCK TABLE"), "schema '" + s_ + "' is as it was", std::string("--wait")})
    EXPECT_NE(r.err.find(phrase), std::string::npos) << phrase << "\nin: " << r.err;
  held->abort();
  EXPECT_EQ(table_md5(reader, s_, "t"), before);
  pqxx::nontransaction tx(reader);
  EXPECT_TRUE(
      tx.exec("SELECT 1 FROM pg_catalog.pg_namespace WHERE nspname = " + tx.quote(s_ + "_staging"))
          .empty());
}

TEST_F(LockTimeout, TheCodeIsLockTimeoutInProcessToo) {
  pqxx::connection other(test_dsn());
  auto held = hold_lock(other, "ACCESS SHARE");
  try {
    load_dataset(load_profile(profile_), test_dsn(),
                 LoadOptions{.schema = s_, .seed = 3, .jobs = 1, .lock_timeout_ms = 300});
    ADD_FAILURE() << "the load did not time out";
  } catch (const DatabaseError& e) {
    EXPECT_EQ(e.code(), "db.lock-timeout") << e.what();
    EXPECT_EQ(e.sqlstate(), "55P03");
  }
}

TEST_F(LockTimeout, WaitQueuesBehindTheLockAndThenSwaps) {
  pqxx::connection other(test_dsn());
  pqxx::connection watcher(test_dsn());
  auto held = hold_lock(other, "ACCESS SHARE");
  auto load = std::async(std::launch::async, [&] {
    return run_pgshape({"load", profile_, "--schema", s_, "--seed", "2", "--dsn", test_dsn(),
                        "--lock-timeout", "0.2", "--wait", "-q"});
  });
  // The load's session is seen waiting on our lock for well past its lock timeout.
  const auto deadline = Clock::now() + std::chrono::seconds(60);
  Clock::time_point first_seen{};
  while (Clock::now() < deadline) {
    pqxx::nontransaction tx(watcher);
    const bool waiting = !tx.exec_params(
                                "SELECT 1 FROM pg_catalog.pg_stat_activity WHERE $1 = "
                                "ANY (pg_catalog.pg_blocking_pids(pid))",
                                other.backendpid())
                              .empty();
    if (waiting && first_seen == Clock::time_point{}) first_seen = Clock::now();
    if (first_seen != Clock::time_point{} && Clock::now() - first_seen > std::chrono::seconds(2))
      break;
    ASSERT_NE(load.wait_for(std::chrono::milliseconds(100)), std::future_status::ready)
        << "the load ended while the lock was held: " << load.get().err;
  }
  ASSERT_NE(first_seen, Clock::time_point{}) << "the load never waited for the lock";
  held->commit();
  const CommandResult r = load.get();
  EXPECT_EQ(r.exit_code, 0) << r.err;
  pqxx::work tx(watcher);
  EXPECT_EQ(tx.exec1("SELECT pg_catalog.obj_description(" + tx.quote(s_) +
                     "::regnamespace, 'pg_namespace')")[0]
                .as<std::string>(),
            "pgshape: profile=locks scale=s seed=2");
}

TEST_F(LockTimeout, CaptureBehindAnExclusiveLockFailsInsteadOfHanging) {
  pqxx::connection other(test_dsn());
  pqxx::connection conn(test_dsn());
  const ScaleContext scale{s_, "s", table_row_counts(conn, s_)};
  auto held = hold_lock(other, "ACCESS EXCLUSIVE");
  Query q;
  q.name = "count";
  q.sql = "SELECT count(*) FROM t";
  try {
    capture_scale(conn, scale, {q}, {}, CaptureOptions{.runs = 1, .lock_timeout_ms = 300});
    ADD_FAILURE() << "the capture did not time out";
  } catch (const DatabaseError& e) {
    EXPECT_EQ(e.code(), "db.lock-timeout") << e.what();
    EXPECT_NE(std::string(e.what()).find("query 'count'"), std::string::npos) << e.what();
  }
}

}  // namespace
}  // namespace pgshape
