// Faults injected into a running `pgshape load` on a real server: the loading
// backend terminated mid-COPY, the server stopped (immediate mode) mid-load and
// restarted, the disk filling up, a temp_file_limit hit while building indexes.
// Each time a user checks the same things: exit 1 within seconds, a message
// saying what happened and what to do, the previous dataset unchanged row for
// row, and a plain rerun that succeeds.
#include <gtest/gtest.h>
#include <pwd.h>
#include <sys/stat.h>
#include <unistd.h>

#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <future>
#include <map>
#include <optional>
#include <pqxx/pqxx>
#include <string>
#include <thread>

#include "pg/process.hpp"
#include "pgshape/pg.hpp"
#include "test_server.hpp"

namespace pgshape {
namespace {

namespace fs = std::filesystem;
using Clock = std::chrono::steady_clock;
using testing::CommandResult;
using testing::run_pgshape;
using testing::test_dsn;
using testing::unique_name;

// "Within a few seconds": generous for a loaded 2-core CI machine, far below
// the time the interrupted load would still have needed.
constexpr auto kFewSeconds = std::chrono::seconds(10);
const std::string kShop = "profiles/shop.yaml";

// Per table: "rows md5-of-all-rows". Equal fingerprints mean equal datasets.
using Fingerprint = std::map<std::string, std::string>;

Fingerprint fingerprint(const std::string& dsn, const std::string& schema) {
  pqxx::connection c(dsn);
  pqxx::nontransaction tx(c);
  Fingerprint out;
  for (const auto& row : tx.exec_params(
           "SELECT tablename FROM pg_catalog.pg_tables WHERE schemaname = $1 ORDER BY 1", schema)) {
    const std::string table = row[0].as<std::string>();
    out[table] = tx.exec1(
                       "SELECT count(*)::text || ' ' || "
                       "coalesce(md5(string_agg(x::text, E'\\n' ORDER BY x::text)), '-') FROM " +
                       c.quote_name(schema) + "." + c.quote_name(table) + " x")[0]
                     .as<std::string>();
  }
  return out;
}

bool schema_exists(const std::string& dsn, const std::string& schema) {
  pqxx::connection c(dsn);
  pqxx::nontransaction tx(c);
  return !tx.exec_params("SELECT 1 FROM pg_catalog.pg_namespace WHERE nspname = $1", schema)
              .empty();
}

std::vector<std::string> load_args(const std::string& dsn, const std::string& schema,
                                   const std::string& scale) {
  return {"load", kShop, "--scale", scale, "--schema", schema, "--dsn", dsn, "-q"};
}

struct Finished {
  CommandResult result;
  Clock::time_point at;
};

std::future<Finished> start_load(std::vector<std::string> args) {
  return std::async(std::launch::async, [args = std::move(args)] {
    CommandResult r = run_pgshape(args);
    return Finished{std::move(r), Clock::now()};
  });
}

// The pid of a backend COPYing into `schema`'s staging tables, waiting for one
// to appear; nullopt when none did within a minute (or the load ended first).
std::optional<int> wait_for_copy(const std::string& dsn, const std::string& schema,
                                 std::future<Finished>& load) {
  pqxx::connection c(dsn);
  const std::string staging = c.quote_name(schema + "_staging");
  const auto deadline = Clock::now() + std::chrono::seconds(60);
  while (Clock::now() < deadline) {
    if (load.wait_for(std::chrono::seconds(0)) == std::future_status::ready) return std::nullopt;
    pqxx::nontransaction tx(c);
    auto rows = tx.exec_params(
        "SELECT pid FROM pg_catalog.pg_stat_activity WHERE application_name = 'pgshape load' "
        "AND state = 'active' AND query LIKE 'COPY %' AND position($1 in query) > 0 "
        "ORDER BY backend_start LIMIT 1",
        staging);
    if (!rows.empty()) return rows[0][0].as<int>();
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  return std::nullopt;
}

std::string describe(const CommandResult& r) {
  return "exit " + std::to_string(r.exit_code) + "\nstderr:\n" + r.err + "\nstdout:\n" + r.out;
}

// What every fault must leave behind: the old data, no staging schema in the
// way, and a rerun that loads the same dataset again.
void expect_recovered(const std::string& dsn, const std::string& schema,
                      const Fingerprint& before) {
  EXPECT_EQ(fingerprint(dsn, schema), before) << "the previous dataset changed";
  const CommandResult rerun = run_pgshape(load_args(dsn, schema, "test"));
  ASSERT_EQ(rerun.exit_code, 0) << describe(rerun);
  // Same profile, scale and seed: byte-identical data to the original load.
  EXPECT_EQ(fingerprint(dsn, schema), before);
  EXPECT_FALSE(schema_exists(dsn, schema + "_staging")) << "staging debris after the rerun";
}

void drop_schemas(const std::string& dsn, const std::string& schema) {
  pqxx::connection c(dsn);
  pqxx::nontransaction tx(c);
  for (const auto& s : {schema, schema + "_staging", schema + "_previous"})
    tx.exec0("DROP SCHEMA IF EXISTS " + c.quote_name(s) + " CASCADE");
}

class LoadFaults : public ::testing::Test {
 protected:
  void SetUp() override {
    schema_ = unique_name("faults");
    const CommandResult first = run_pgshape(load_args(test_dsn(), schema_, "test"));
    ASSERT_EQ(first.exit_code, 0) << describe(first);
    before_ = fingerprint(test_dsn(), schema_);
    ASSERT_EQ(before_.size(), 5u);  // the shop's five tables
  }
  void TearDown() override { drop_schemas(test_dsn(), schema_); }

  std::string schema_;
  Fingerprint before_;
};

TEST_F(LoadFaults, BackendTerminatedMidCopyLeavesPreviousDataset) {
  auto load = start_load(load_args(test_dsn(), schema_, "production"));
  const std::optional<int> pid = wait_for_copy(test_dsn(), schema_, load);
  ASSERT_TRUE(pid.has_value()) << "the production-scale load never reached COPY";
  {
    pqxx::connection c(test_dsn());
    pqxx::nontransaction tx(c);
    ASSERT_TRUE(tx.exec_params1("SELECT pg_catalog.pg_terminate_backend($1)", *pid)[0].as<bool>());
  }
  const auto killed = Clock::now();
  const Finished done = load.get();
  EXPECT_LT(done.at - killed, kFewSeconds) << "pgshape kept going after losing a connection";
  EXPECT_EQ(done.result.exit_code, 1) << describe(done.result);
  // What happened (the server's words), that nothing changed, and what to do.
  EXPECT_NE(done.result.err.find("terminating connection"), std::string::npos) << done.result.err;
  EXPECT_NE(done.result.err.find("still holds the previous dataset"), std::string::npos)
      << done.result.err;
  EXPECT_NE(done.result.err.find("HINT: "), std::string::npos) << done.result.err;
  EXPECT_NE(done.result.err.find("rerun"), std::string::npos) << done.result.err;
  // The failed load cleaned up after itself: its control connection survived.
  EXPECT_FALSE(schema_exists(test_dsn(), schema_ + "_staging"));
  expect_recovered(test_dsn(), schema_, before_);
}

// A temp_file_limit the index builds' sorts exceed: the load fails after all
// the COPYs, in the keys-and-indexes phase, on connections of its own.
TEST_F(LoadFaults, TempFileLimitDuringIndexBuildsLeavesPreviousDataset) {
  const std::string limited = test_dsn() +
                              " options='-c temp_file_limit=64kB -c maintenance_work_mem=1MB "
                              "-c max_parallel_maintenance_workers=0'";
  const auto started = Clock::now();
  const CommandResult r = run_pgshape(load_args(limited, schema_, "test"));
  EXPECT_LT(Clock::now() - started, std::chrono::seconds(60));
  EXPECT_EQ(r.exit_code, 1) << describe(r);
  EXPECT_NE(r.err.find("temp_file_limit"), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("still holds the previous dataset"), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("HINT: "), std::string::npos) << r.err;
  EXPECT_FALSE(schema_exists(test_dsn(), schema_ + "_staging"));
  expect_recovered(test_dsn(), schema_, before_);
}

// Runs a command as `user` (or as ourselves when null); returns its exit status.
int run_as(const std::vector<std::string>& argv, const pg::OsUser* user, const std::string& cwd,
           const std::string& log) {
  return pg::run_process(
      {.argv = argv, .stdout_path = log, .stderr_path = log, .cwd = cwd, .user = user});
}

// The OS account owning `path`, when it is not us (the server runs as it).
std::optional<pg::OsUser> owner_if_not_me(const std::string& path) {
  struct stat st {};
  if (::stat(path.c_str(), &st) != 0 || st.st_uid == ::geteuid()) return std::nullopt;
  const passwd* pw = ::getpwuid(st.st_uid);
  if (pw == nullptr) return std::nullopt;
  return pg::lookup_os_user(pw->pw_name);
}

// A disk filling up: the staging tables are created in a tablespace on a 5 MB
// tmpfs (default_tablespace for pgshape's sessions only), so COPY hits ENOSPC.
// Mounting needs root; CI runs as root.
TEST_F(LoadFaults, DiskFullLeavesPreviousDatasetAndNoDebris) {
  if (::geteuid() != 0) GTEST_SKIP() << "mounting a tmpfs needs root (.ci/run runs as root)";
  std::string dir = (fs::temp_directory_path() / "pgshape-tiny-XXXXXX").string();
  ASSERT_NE(::mkdtemp(dir.data()), nullptr);
  const std::string log = dir + ".log";
  ASSERT_EQ(
      run_as({"mount", "-t", "tmpfs", "-o", "size=5M,mode=0700", "tmpfs", dir}, nullptr, "/", log),
      0)
      << "cannot mount a tmpfs: " << pg::tail_of_file(log);
  const std::string tablespace = unique_name("tiny");
  pqxx::connection c(test_dsn());
  struct Cleanup {
    pqxx::connection& c;
    std::string tablespace, dir, log;
    ~Cleanup() {
      try {
        pqxx::nontransaction tx(c);
        tx.exec0("DROP TABLESPACE IF EXISTS " + c.quote_name(tablespace));
      } catch (...) {
      }
      run_as({"umount", dir}, nullptr, "/", log);
      fs::remove(dir);
      fs::remove(log);
    }
  } cleanup{c, tablespace, dir, log};
  {
    pqxx::nontransaction tx(c);
    const std::string data_dir = tx.exec1("SHOW data_directory")[0].as<std::string>();
    struct stat st {};
    ASSERT_EQ(::stat(data_dir.c_str(), &st), 0);
    ASSERT_EQ(::chown(dir.c_str(), st.st_uid, st.st_gid), 0);
    // CREATE TABLESPACE takes no parameters: the location is a quoted literal.
    tx.exec0("CREATE TABLESPACE " + c.quote_name(tablespace) + " LOCATION " + c.quote(dir));
  }
  const std::string full = test_dsn() + " options='-c default_tablespace=" + tablespace + "'";
  const auto started = Clock::now();
  const CommandResult r = run_pgshape(load_args(full, schema_, "test"));
  EXPECT_LT(Clock::now() - started, std::chrono::seconds(60));
  EXPECT_EQ(r.exit_code, 1) << describe(r);
  // The server's own words: ENOSPC, or a short write when the space left was
  // not a whole page (both SQLSTATE 53100).
  EXPECT_TRUE(r.err.find("No space left on device") != std::string::npos ||
              r.err.find("wrote only") != std::string::npos)
      << r.err;
  EXPECT_NE(r.err.find("still holds the previous dataset"), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("disk"), std::string::npos) << r.err;
  EXPECT_FALSE(schema_exists(test_dsn(), schema_ + "_staging"));
  {
    // Nothing of the failed load is left in the tablespace, or it would not drop.
    pqxx::nontransaction tx(c);
    EXPECT_NO_THROW(tx.exec0("DROP TABLESPACE " + c.quote_name(tablespace)));
  }
  expect_recovered(test_dsn(), schema_, before_);
}

// The server stopped in immediate mode (as in a crash or failover) while the
// load is COPYing, then started again. This needs a server of the test's own:
// the shared test server must stay up for every other test.
TEST(LoadFaultsOwnServer, ServerStoppedImmediateMidLoadThenRestarted) {
  auto server = EmbeddedServer::start({});
  const std::string dsn = server->dsn();
  const std::string root = fs::path(server->data_dir()).parent_path().string();
  const std::string schema = "shop";
  ASSERT_EQ(run_pgshape(load_args(dsn, schema, "test")).exit_code, 0);
  const Fingerprint before = fingerprint(dsn, schema);
  ASSERT_EQ(before.size(), 5u);

  // The server's binaries, from the running postmaster itself.
  int postmaster = 0;
  std::ifstream(server->data_dir() + "/postmaster.pid") >> postmaster;
  ASSERT_GT(postmaster, 0);
  const std::string bindir =
      fs::read_symlink("/proc/" + std::to_string(postmaster) + "/exe").parent_path().string();
  const auto user = owner_if_not_me(server->data_dir());
  const pg::OsUser* as = user ? &*user : nullptr;
  const std::string log = root + "/pg_ctl-test.log";

  auto load = start_load(load_args(dsn, schema, "production"));
  ASSERT_TRUE(wait_for_copy(dsn, schema, load).has_value())
      << "the production-scale load never reached COPY";
  ASSERT_EQ(run_as({bindir + "/pg_ctl", "-D", server->data_dir(), "-m", "immediate", "-w", "stop"},
                   as, root, log),
            0)
      << pg::tail_of_file(log);
  const auto stopped = Clock::now();
  const Finished done = load.get();
  EXPECT_LT(done.at - stopped, kFewSeconds);
  EXPECT_EQ(done.result.exit_code, 1) << describe(done.result);
  EXPECT_NE(done.result.err.find("still holds the previous dataset"), std::string::npos)
      << done.result.err;
  EXPECT_NE(done.result.err.find("server"), std::string::npos) << done.result.err;
  EXPECT_NE(done.result.err.find("HINT: "), std::string::npos) << done.result.err;

  ASSERT_EQ(run_as({bindir + "/pg_ctl", "-D", server->data_dir(), "-l", root + "/server.log", "-w",
                    "-t", "120", "start"},
                   as, root, log),
            0)
      << pg::tail_of_file(log);
  // The crash left the committed staging schema behind (no connection was left
  // to drop it); the rerun recognises it as pgshape's and clears it.
  expect_recovered(dsn, schema, before);
  // ~EmbeddedServer stops the restarted server through the same data directory.
}

}  // namespace
}  // namespace pgshape
