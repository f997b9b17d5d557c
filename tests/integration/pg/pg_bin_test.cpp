// `--pg-bin DIR` and $PGSHAPE_PG_BIN choose the embedded server's binaries:
// the kept server reports the version of the binaries in DIR, the flag wins
// over the variable, and a directory without server binaries is refused with
// the install hint before anything is created.
#include <gtest/gtest.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <pqxx/pqxx>
#include <regex>
#include <string>

#include "test_server.hpp"

namespace pgshape {
namespace {

namespace fs = std::filesystem;

// The binaries under test: the matrix's ($PGSHAPE_PG_BIN), else Debian's newest.
std::string server_bindir() {
  if (const char* dir = std::getenv("PGSHAPE_PG_BIN"); dir != nullptr && dir[0] != '\0') return dir;
  std::string best;
  std::error_code ec;
  for (const auto& entry : fs::directory_iterator("/usr/lib/postgresql", ec)) {
    if (fs::exists(entry.path() / "bin" / "initdb")) best = (entry.path() / "bin").string();
  }
  return best;
}

// "PostgreSQL 18.4" -> 18, from `postgres --version`.
int major_of_binaries(const std::string& bindir) {
  testing::CommandResult r = testing::run_command({bindir + "/postgres", "--version"}, "/");
  std::smatch m;
  if (!std::regex_search(r.out, m, std::regex(R"(\(PostgreSQL\) (\d+))"))) return -1;
  return std::stoi(m[1]);
}

struct TinyProfile {
  fs::path path = fs::temp_directory_path() / (testing::unique_name("pgbin") + ".yaml");
  TinyProfile() {
    std::ofstream(path) << "name: pgbin\nscales: { s: 10 }\ntables:\n  t:\n    rows: 5\n"
                           "    columns:\n      id: { type: bigint, primary_key: true }\n";
  }
  ~TinyProfile() { fs::remove(path); }
};

// Loads the tiny profile into a kept embedded server and returns the major
// version it runs, stopping the server again.
int major_of_kept_server(const std::vector<std::string>& extra,
                         const std::map<std::string, std::string>& env) {
  TinyProfile profile;
  std::vector<std::string> args = {"load", profile.path.string(), "--keep", "-q"};
  args.insert(args.end(), extra.begin(), extra.end());
  std::map<std::string, std::string> full_env = env;
  full_env.emplace("DATABASE_URL", "");
  testing::CommandResult r = testing::run_pgshape(args, full_env);
  EXPECT_EQ(r.exit_code, 0) << r.err;
  const testing::KeptServers kept(r.err);
  if (kept.size() != 1) {
    ADD_FAILURE() << "no stop hint in:\n" << r.err;
    return -1;
  }
  pqxx::connection conn(r.out.substr(0, r.out.find('\n')));
  pqxx::read_transaction tx(conn);
  EXPECT_EQ(tx.exec1("SELECT count(*) FROM pgbin.t")[0].as<int>(), 5);
  return tx.exec1("SELECT current_setting('server_version_num')::int / 10000")[0].as<int>();
}

TEST(PgBin, TheFlagChoosesTheEmbeddedServersBinaries) {
  const std::string bindir = server_bindir();
  ASSERT_FALSE(bindir.empty()) << "no PostgreSQL server binaries on this machine";
  const int expected = major_of_binaries(bindir);
  ASSERT_GT(expected, 0);
  EXPECT_EQ(major_of_kept_server({"--pg-bin", bindir}, {{"PGSHAPE_PG_BIN", ""}}), expected);
}

TEST(PgBin, TheVariableChoosesThemAndTheFlagWinsOverIt) {
  const std::string bindir = server_bindir();
  ASSERT_FALSE(bindir.empty());
  const int expected = major_of_binaries(bindir);
  EXPECT_EQ(major_of_kept_server({}, {{"PGSHAPE_PG_BIN", bindir}}), expected);
  EXPECT_EQ(major_of_kept_server({"--pg-bin", bindir}, {{"PGSHAPE_PG_BIN", "/nonexistent"}}),
            expected);
}

TEST(PgBin, ADirectoryWithoutServerBinariesIsRefusedWithTheHint) {
  TinyProfile profile;
  const fs::path empty = fs::temp_directory_path() / testing::unique_name("nobin");
  fs::create_directory(empty);
  testing::CommandResult r = testing::run_pgshape(
      {"load", profile.path.string(), "--pg-bin", empty.string()}, {{"DATABASE_URL", ""}});
  fs::remove_all(empty);
  EXPECT_EQ(r.exit_code, 1) << r.err;
  EXPECT_NE(r.err.find("no PostgreSQL server binaries (initdb, pg_ctl) in " + empty.string()),
            std::string::npos)
      << r.err;
  EXPECT_NE(r.err.find("--pg-bin"), std::string::npos) << "the hint names the flag:\n" << r.err;
}

}  // namespace
}  // namespace pgshape
