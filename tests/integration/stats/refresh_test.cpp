// `pgshape refresh` against real databases: the swap keeps <schema>_previous, a
// refresh killed mid-load leaves the previous dataset complete, two refreshes never
// interleave, and a target that is the source is refused before anything is written.
#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <thread>

#include <nlohmann/json.hpp>

#include "production_db.hpp"

namespace pgshape {
namespace {

using testing::build_production;
using testing::CommandResult;
using testing::run_pgshape;
using testing::ScratchDatabase;

class Refresh : public ::testing::Test {
 protected:
  void SetUp() override {
    build_production(production_.dsn(), 1.0);
    dir_ = std::filesystem::temp_directory_path() / testing::unique_name("stats_refresh");
    std::filesystem::create_directories(dir_);
    profile_ = (dir_ / "nightly.yaml").string();
  }
  void TearDown() override { std::filesystem::remove_all(dir_); }

  CommandResult refresh(const std::string& target, std::vector<std::string> extra = {}) {
    // The profile's schema is the source's (public): the mirror's is named here.
    std::vector<std::string> args = {"refresh", profile_, "--source", production_.dsn(),
                                     "--dsn",   target,   "--schema", "nightly"};
    args.insert(args.end(), extra.begin(), extra.end());
    return run_pgshape(args);
  }

  // Rows per table of `schema` on the mirror, counted (not estimated).
  std::map<std::string, int64_t> counts(const std::string& schema) {
    pqxx::connection conn(mirror_.dsn());
    pqxx::read_transaction tx(conn);
    std::map<std::string, int64_t> out;
    for (const char* table : {"customers", "products", "orders", "order_items"}) {
      auto exists =
          tx.exec_params1("SELECT to_regclass($1) IS NOT NULL", schema + "." + table)[0].as<bool>();
      out[table] = exists ? tx.exec1("SELECT count(*) FROM " + tx.quote_name(schema) + "." +
                                     tx.quote_name(table))[0]
                                .as<int64_t>()
                          : -1;
    }
    return out;
  }

  std::map<std::string, int64_t> production_counts() {
    pqxx::connection conn(production_.dsn());
    pqxx::read_transaction tx(conn);
    std::map<std::string, int64_t> out;
    for (const char* table : {"customers", "products", "orders", "order_items"})
      out[table] = tx.exec1(std::string("SELECT reltuples::bigint FROM pg_class WHERE oid = '") +
                            table + "'::regclass")[0]
                       .as<int64_t>();
    return out;
  }

  ScratchDatabase production_{"stats_rprod"};
  ScratchDatabase mirror_{"stats_rmirror"};
  std::filesystem::path dir_;
  std::string profile_;
};

TEST_F(Refresh, SwapsInTheNewDatasetAndKeepsThePreviousOne) {
  auto first = refresh(mirror_.dsn());
  ASSERT_EQ(first.exit_code, 0) << first.err;
  // The load's phases as a load shows them (in a pipe: plain lines).
  for (const char* line : {"copy: done, ", "analyze: done, ", "swap: done, into schema nightly"})
    EXPECT_NE(first.err.find(line), std::string::npos) << line << " missing:\n" << first.err;
  EXPECT_TRUE(std::filesystem::exists(profile_));
  EXPECT_EQ(counts("nightly"), production_counts());

  auto second = refresh(mirror_.dsn());
  ASSERT_EQ(second.exit_code, 0) << second.err;
  EXPECT_EQ(counts("nightly"), production_counts());
  EXPECT_EQ(counts("nightly_previous"), production_counts());
  EXPECT_EQ(counts("nightly_staging")["orders"], -1);
}

TEST_F(Refresh, KilledMidLoadLeavesThePreviousDatasetCompleteAndARerunSucceeds) {
  ASSERT_EQ(refresh(mirror_.dsn()).exit_code, 0);
  const auto before = counts("nightly");

  std::atomic<bool> done{false};
  CommandResult killed;
  std::thread runner([&] {
    killed = refresh(mirror_.dsn());
    done = true;
  });
  // Terminate the loader's COPY sessions from a second session as soon as they appear.
  int terminated = 0;
  {
    pqxx::connection admin(mirror_.dsn());
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(60);
    while (!done && terminated == 0 && std::chrono::steady_clock::now() < deadline) {
      pqxx::nontransaction tx(admin);
      terminated = tx.exec_params1(
                         "SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity "
                         "WHERE application_name = 'pgshape load' AND datname = $1",
                         mirror_.name())[0]
                       .as<int>();
      std::this_thread::sleep_for(std::chrono::milliseconds(2));
    }
  }
  runner.join();
  ASSERT_GT(terminated, 0) << "the load finished before it could be killed";
  EXPECT_EQ(killed.exit_code, 1) << killed.err;
  EXPECT_EQ(counts("nightly"), before);

  auto rerun = refresh(mirror_.dsn());
  ASSERT_EQ(rerun.exit_code, 0) << rerun.err;
  EXPECT_EQ(counts("nightly"), production_counts());
}

TEST_F(Refresh, TwoConcurrentRefreshesNeverInterleave) {
  CommandResult a, b;
  std::thread ta([&] { a = refresh(mirror_.dsn()); });
  std::thread tb([&] { b = refresh(mirror_.dsn()); });
  ta.join();
  tb.join();
  EXPECT_TRUE(a.exit_code == 0 || b.exit_code == 0) << a.err << b.err;
  for (const auto* r : {&a, &b})
    if (r->exit_code != 0) {
      EXPECT_EQ(r->exit_code, 1) << r->err;
      EXPECT_NE(r->err.find("another pgshape"), std::string::npos) << r->err;
    }
  EXPECT_EQ(counts("nightly"), production_counts());
}

TEST_F(Refresh, TargetThatIsTheSourceIsRefusedAndNothingIsWritten) {
  auto result = refresh(production_.dsn());
  EXPECT_EQ(result.exit_code, 2) << result.err;
  EXPECT_NE(result.err.find("the target is the source"), std::string::npos) << result.err;
  EXPECT_FALSE(std::filesystem::exists(profile_));
  pqxx::connection conn(production_.dsn());
  pqxx::read_transaction tx(conn);
  EXPECT_EQ(
      tx.exec1("SELECT count(*) FROM pg_namespace WHERE nspname LIKE 'nightly%'")[0].as<int>(), 0);
}

TEST_F(Refresh, ExplainComparesPlansWithTheLastRefreshAndOverlayConflictsArePositioned) {
  std::ofstream(dir_ / "nightly.overlay.yaml")
      << "queries:\n"
         "  - name: by_customer\n"
         "    sql: SELECT * FROM orders WHERE customer_id = $1\n"
         "    params: [{column: orders.customer_id, pick: [most_common, rare]}]\n";
  auto first = refresh(mirror_.dsn(), {"--explain", "--runs", "1"});
  ASSERT_EQ(first.exit_code, 0) << first.err;
  EXPECT_TRUE(std::filesystem::exists(dir_ / "nightly.refresh" / "capture" / "summary.json"));
  auto second = refresh(mirror_.dsn(), {"--explain", "--runs", "1", "--json"});
  ASSERT_EQ(second.exit_code, 0) << second.err;
  auto json = nlohmann::json::parse(second.out);
  EXPECT_EQ(json["plans"]["pairs"].size(), 2u) << second.out;
  EXPECT_TRUE(json["drift"].is_array());

  std::ofstream(dir_ / "nightly.overlay.yaml", std::ios::app)
      << "tables:\n  orders:\n    columns:\n      stauts: {dist: uniform}\n";
  auto bad = run_pgshape({"validate", profile_});
  EXPECT_EQ(bad.exit_code, 2);
  EXPECT_NE(bad.err.find("nightly.overlay.yaml:8:7: overlay names column 'orders.stauts'"),
            std::string::npos)
      << bad.err;
  EXPECT_NE(bad.err.find("did you mean 'status'?"), std::string::npos) << bad.err;
}

}  // namespace
}  // namespace pgshape
