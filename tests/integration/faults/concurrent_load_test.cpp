// Two loads into the same schema at once: the second exits 1 at once with a
// message naming the other load, or with --wait queues behind it; either way
// the schema ends up holding exactly one load's rows, never a mix.
#include <gtest/gtest.h>
#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <future>
#include <map>
#include <pqxx/pqxx>
#include <string>
#include <thread>

#include "test_server.hpp"

namespace pgshape {
namespace {

namespace fs = std::filesystem;
using Clock = std::chrono::steady_clock;
using testing::CommandResult;
using testing::run_pgshape;
using testing::test_dsn;
using testing::unique_name;

// One wide-enough table: 'big' takes seconds to load (long enough to be caught
// mid-flight), 'small' a fraction of one. Values depend on the seed, so two
// loads with different seeds are told apart row by row.
constexpr const char* kProfile = R"(name: concurrent
seed: 7
scales:
  small: 5000
  big: 3000000
tables:
  events:
    rows: 1x
    columns:
      id: { type: bigint, primary_key: true, dist: sequence }
      kind: { type: text, dist: weighted, values: { view: 80, click: 15, buy: 5 } }
      score: { type: integer, dist: uniform, min: 0, max: 1000000 }
      note: { type: text, dist: words, wordlist: lorem, min_words: 2, max_words: 12 }
)";

class ConcurrentLoads : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() / unique_name("pgshape-concurrent");
    fs::create_directories(dir_);
    profile_ = (dir_ / "concurrent.yaml").string();
    std::ofstream(profile_) << kProfile;
    schema_ = unique_name("concurrent");
  }
  void TearDown() override {
    pqxx::connection c(test_dsn());
    pqxx::nontransaction tx(c);
    for (const auto& s : {schema_, schema_ + "_staging", schema_ + "_previous", reference_})
      if (!s.empty()) tx.exec0("DROP SCHEMA IF EXISTS " + c.quote_name(s) + " CASCADE");
    fs::remove_all(dir_);
  }

  std::vector<std::string> load(const std::string& schema, const std::string& scale,
                                const std::string& seed) const {
    return {"load",     profile_, "--scale", scale,      "--seed", seed,
            "--schema", schema,   "--dsn",   test_dsn(), "-q"};
  }

  // Rows and an md5 over all of them, in id order.
  std::string content(const std::string& schema) const {
    pqxx::connection c(test_dsn());
    pqxx::nontransaction tx(c);
    return tx
        .exec1(
            "SELECT count(*)::text || ' ' || md5(string_agg(e::text, E'\\n' ORDER BY id)) "
            "FROM " +
            c.quote_name(schema) + ".events e")[0]
        .as<std::string>();
  }

  // Waits until a load into schema_ holds the per-target lock and is COPYing;
  // `first` is that load, which must not have ended meanwhile.
  template <class T>
  void wait_until_copying(std::future<T>& first) const {
    pqxx::connection c(test_dsn());
    const std::string staging = c.quote_name(schema_ + "_staging");
    const auto deadline = Clock::now() + std::chrono::seconds(60);
    while (Clock::now() < deadline) {
      ASSERT_NE(first.wait_for(std::chrono::seconds(0)), std::future_status::ready)
          << "the first load ended before it was seen COPYing";
      pqxx::nontransaction tx(c);
      if (!tx.exec_params("SELECT 1 FROM pg_catalog.pg_stat_activity "
                          "WHERE application_name = 'pgshape load' AND query LIKE 'COPY %' "
                          "AND position($1 in query) > 0",
                          staging)
               .empty())
        return;
      std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
    FAIL() << "the first load never reached COPY";
  }

  fs::path dir_;
  std::string profile_, schema_, reference_;
};

TEST_F(ConcurrentLoads, SecondLoadExitsAtOnceWithClearMessage) {
  auto first =
      std::async(std::launch::async, [&] { return run_pgshape(load(schema_, "big", "1")); });
  wait_until_copying(first);
  if (HasFatalFailure()) return;
  const auto started = Clock::now();
  const CommandResult second = run_pgshape(load(schema_, "small", "2"));
  EXPECT_LT(Clock::now() - started, std::chrono::seconds(5))
      << "the second load did not exit at once";
  EXPECT_EQ(second.exit_code, 1) << second.err;
  EXPECT_NE(
      second.err.find("another pgshape load or refresh into schema '" + schema_ + "' is running"),
      std::string::npos)
      << second.err;
  EXPECT_NE(second.err.find("--wait"), std::string::npos) << second.err;

  const CommandResult done = first.get();
  ASSERT_EQ(done.exit_code, 0) << done.err;
  // The first load's rows only, all of them: the refused one wrote nothing.
  // (Its 5,000 rows with ids 1..5000 would have collided with the primary key
  // or changed the count.) The schema's comment names the load that made it.
  EXPECT_EQ(content(schema_).substr(0, 8), "3000000 ");
  pqxx::connection c(test_dsn());
  pqxx::nontransaction tx(c);
  EXPECT_EQ(tx.exec_params1("SELECT pg_catalog.obj_description(oid, 'pg_namespace') "
                            "FROM pg_catalog.pg_namespace WHERE nspname = $1",
                            schema_)[0]
                .as<std::string>(),
            "pgshape: profile=concurrent scale=big seed=1");
}

TEST_F(ConcurrentLoads, WaitQueuesBehindTheRunningLoadAndWinsLast) {
  auto first = std::async(std::launch::async, [&] {
    CommandResult r = run_pgshape(load(schema_, "big", "1"));
    return std::make_pair(r, Clock::now());
  });
  wait_until_copying(first);
  if (HasFatalFailure()) return;
  std::vector<std::string> waiting = load(schema_, "small", "2");
  waiting.push_back("--wait");
  const CommandResult second = run_pgshape(waiting);
  const auto second_done = Clock::now();
  const auto [first_result, first_done] = first.get();
  ASSERT_EQ(first_result.exit_code, 0) << first_result.err;
  ASSERT_EQ(second.exit_code, 0) << second.err;
  EXPECT_GE(second_done, first_done) << "--wait did not wait for the running load";

  // The schema holds the waiting load's dataset, exactly as a load of it alone.
  reference_ = unique_name("concurrent_ref");
  ASSERT_EQ(run_pgshape(load(reference_, "small", "2")).exit_code, 0);
  EXPECT_EQ(content(schema_), content(reference_));
  EXPECT_EQ(content(schema_).substr(0, 5), "5000 ");
}

}  // namespace
}  // namespace pgshape
