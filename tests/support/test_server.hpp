// What every integration test needs: a real PostgreSQL to talk to, names that
// do not collide when tests run in parallel, and a way to run the pgshape
// binary as a user would.
#pragma once

#include <filesystem>
#include <map>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace pgshape::testing {

// The conninfo of the server integration tests use: $PGSHAPE_TEST_DSN when set
// and non-empty (scripts/test.sh sets it), else an embedded server started on
// first use (once per process, thread-safe) and stopped at process exit.
// If no server can be started this prints why and aborts: integration tests
// never skip silently.
const std::string& test_dsn();

// prefix + pid + a per-process counter, lower case, e.g. "load_4711_3": a schema
// name no other test (also in another process under ctest -j) uses.
std::string unique_name(std::string_view prefix);

// A file's whole contents, byte for byte ("" when it cannot be read).
std::string read_all(const std::filesystem::path& path);

struct CommandResult {
  int exit_code = -1;  // 128 + signal when killed, 127 when it could not run
  std::string out;     // everything written to stdout
  std::string err;     // everything written to stderr
};

// Runs the built pgshape binary (PGSHAPE_BIN) with `args`, in PGSHAPE_SOURCE_DIR,
// with no shell, stdin from /dev/null, and waits for it. No --dsn is added: pass
// `"--dsn", test_dsn()` yourself. The child gets no PG* variable (PGSHAPE_TEST_DSN
// included) and no DATABASE_URL, whatever the developer's shell exports — with no
// --dsn it starts an embedded server — unless `env` sets them: `env` adds or
// overrides variables; a value of "" removes the variable. (The test process itself
// drops its PG* variables, PGSHAPE_* aside, and DATABASE_URL before main, so
// in-process code is immune too.)
CommandResult run_pgshape(const std::vector<std::string>& args,
                          const std::map<std::string, std::string>& env = {});

// Runs any program (argv[0] found on PATH) in `cwd`, the same way (the same clean
// environment, plus `env`).
CommandResult run_command(const std::vector<std::string>& argv, const std::string& cwd,
                          const std::map<std::string, std::string>& env = {});

// The embedded servers a `--keep` run left running, found by the stop hints
// ("(stop it with: CMD; then rm -rf DIR)") in its stderr: each is stopped and its
// directory removed when this goes out of scope, whatever the test asserted.
class KeptServers {
 public:
  explicit KeptServers(const std::string& err);
  ~KeptServers();
  KeptServers(const KeptServers&) = delete;
  KeptServers& operator=(const KeptServers&) = delete;
  size_t size() const { return servers_.size(); }

 private:
  std::vector<std::pair<std::string, std::string>> servers_;  // stop command, directory
};

}  // namespace pgshape::testing
