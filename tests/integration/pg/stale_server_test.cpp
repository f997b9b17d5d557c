// A pgshape killed with SIGKILL mid-load cannot stop its embedded server; the
// next run that starts one clears what the killed run provably left (its
// postmaster and its private directory) and nothing else: a look-alike
// directory without a marker, and one whose owner still runs, survive.
#include <gtest/gtest.h>
#include <signal.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <optional>
#include <string>
#include <thread>

#include "pg/stale_servers.hpp"
#include "test_server.hpp"

namespace pgshape {
namespace {

namespace fs = std::filesystem;
using namespace std::chrono_literals;

bool process_exists(pid_t pid) {
  return ::kill(pid, 0) == 0;
}

std::string line_of(const fs::path& path, int n) {
  std::ifstream in(path);
  std::string line;
  for (int i = 0; i <= n && std::getline(in, line); ++i) {
  }
  return line;
}

// A short private TMPDIR (the socket path must fit sun_path) that the server's
// OS user can traverse when the tests run as root.
struct TempBase {
  fs::path path;
  TempBase() {
    std::string pattern = "/tmp/pgsst-XXXXXX";
    path = ::mkdtemp(pattern.data());
    ::chmod(path.c_str(), 0711);
  }
  ~TempBase() {
    std::error_code ec;
    fs::remove_all(path, ec);
  }
};

// The embedded server directory under `base` whose marker names `owner`.
std::optional<fs::path> server_dir_of(const fs::path& base, pid_t owner) {
  std::error_code ec;
  for (const auto& entry : fs::directory_iterator(base, ec)) {
    if (line_of(entry.path() / pg::kOwnerMarker, 1) == "pid=" + std::to_string(owner)) {
      return entry.path();
    }
  }
  return std::nullopt;
}

pid_t spawn_pgshape(const std::vector<std::string>& args, const fs::path& tmpdir) {
  pid_t child = ::fork();
  if (child == 0) {
    ::setenv("TMPDIR", tmpdir.c_str(), 1);
    ::unsetenv("DATABASE_URL");
    ::chdir(PGSHAPE_SOURCE_DIR);
    std::vector<char*> argv;
    std::string bin = PGSHAPE_BIN;
    argv.push_back(bin.data());
    std::vector<std::string> copy = args;
    for (auto& a : copy) argv.push_back(a.data());
    argv.push_back(nullptr);
    ::freopen("/dev/null", "w", stdout);
    ::freopen("/dev/null", "w", stderr);
    ::execv(bin.c_str(), argv.data());
    ::_exit(127);
  }
  return child;
}

TEST(StaleEmbeddedServer, NextRunClearsTheServerOfARunKilledMidLoad) {
  TempBase base;

  // A look-alike without a marker and a server directory whose owner (this
  // test process) is alive: neither may be touched.
  const fs::path unrelated = base.path / "pgshape-unrel1";
  fs::create_directory(unrelated);
  std::ofstream(unrelated / "notes.txt") << "not pgshape's\n";
  const fs::path live_owner = base.path / "pgshape-alive1";
  fs::create_directory(live_owner);
  pg::write_owner_marker(live_owner.string(), false);

  pid_t killed = spawn_pgshape({"load", "profiles/shop.yaml", "--scale", "production"}, base.path);
  ASSERT_GT(killed, 0);
  std::optional<fs::path> dir;
  pid_t postmaster = 0;
  for (auto deadline = std::chrono::steady_clock::now() + 120s;
       std::chrono::steady_clock::now() < deadline && postmaster <= 0;
       std::this_thread::sleep_for(50ms)) {
    if (!dir) dir = server_dir_of(base.path, killed);
    // initdb's standalone backend writes a negative pid; the postmaster its own.
    if (dir) postmaster = std::atoi(line_of(*dir / "data" / "postmaster.pid", 0).c_str());
  }
  ASSERT_TRUE(dir.has_value()) << "the load never started an embedded server";
  ASSERT_GT(postmaster, 0) << "the embedded server never came up";
  std::this_thread::sleep_for(1500ms);  // into the load itself
  ::kill(killed, SIGKILL);
  int status = 0;
  ::waitpid(killed, &status, 0);
  ASSERT_TRUE(WIFSIGNALED(status)) << "the load finished before it could be killed";

  // What the issue describes: the orphan is still there.
  ASSERT_TRUE(process_exists(postmaster));
  ASSERT_TRUE(fs::exists(*dir));

  const fs::path profile = base.path / "tiny.yaml";
  std::ofstream(profile) << "name: tiny\nscales: { s: 10 }\ntables:\n  t:\n    rows: 10\n"
                            "    columns:\n      id: { type: bigint, primary_key: true }\n";
  pid_t next = spawn_pgshape({"load", profile.string()}, base.path);
  ASSERT_EQ(::waitpid(next, &status, 0), next);
  ASSERT_TRUE(WIFEXITED(status));
  EXPECT_EQ(WEXITSTATUS(status), 0);

  for (int i = 0; i < 100 && process_exists(postmaster); ++i) std::this_thread::sleep_for(50ms);
  EXPECT_FALSE(process_exists(postmaster)) << "the orphaned postmaster still runs";
  EXPECT_FALSE(fs::exists(*dir)) << *dir << " was left behind";
  EXPECT_TRUE(fs::exists(unrelated / "notes.txt"));
  EXPECT_TRUE(fs::exists(live_owner / pg::kOwnerMarker));
}

TEST(StaleEmbeddedServer, KeptServersAndOtherUsersMarkersAreNeverSwept) {
  TempBase base;
  // Kept on purpose by a run that has since exited.
  const fs::path kept = base.path / "pgshape-kept01";
  fs::create_directory(kept);
  std::ofstream(kept / pg::kOwnerMarker)
      << "pgshape embedded server owner\npid=999999\nstart=1\nboot=x\nkeep=1\n";
  // A dead owner, not kept: the one that goes.
  const fs::path dead = base.path / "pgshape-dead01";
  fs::create_directory(dead);
  std::ofstream(dead / pg::kOwnerMarker)
      << "pgshape embedded server owner\npid=999999\nstart=1\nboot=x\nkeep=0\n";
  // A symlink that looks like a server directory: never followed.
  const fs::path target = base.path / "elsewhere";
  fs::create_directory(target);
  std::ofstream(target / pg::kOwnerMarker)
      << "pgshape embedded server owner\npid=999999\nstart=1\nboot=x\nkeep=0\n";
  fs::create_directory_symlink(target, base.path / "pgshape-link01");

  std::vector<std::string> removed = pg::sweep_stale_servers(base.path.string());
  EXPECT_EQ(removed, std::vector<std::string>{dead.string()});
  EXPECT_TRUE(fs::exists(kept / pg::kOwnerMarker));
  EXPECT_FALSE(fs::exists(dead));
  EXPECT_TRUE(fs::exists(target / pg::kOwnerMarker));
  if (::geteuid() == 0) {
    // A marker owned by someone else proves nothing, even with a dead owner.
    const fs::path foreign = base.path / "pgshape-other1";
    fs::create_directory(foreign);
    std::ofstream(foreign / pg::kOwnerMarker)
        << "pgshape embedded server owner\npid=999999\nstart=1\nboot=x\nkeep=0\n";
    ASSERT_EQ(::chown((foreign / pg::kOwnerMarker).c_str(), 65534, 65534), 0);
    EXPECT_TRUE(pg::sweep_stale_servers(base.path.string()).empty());
    EXPECT_TRUE(fs::exists(foreign / pg::kOwnerMarker));
  }
}

}  // namespace
}  // namespace pgshape
