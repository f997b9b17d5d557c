#include "test_server.hpp"

#include <regex>

#include <unistd.h>

#include <vector>

#include <atomic>
#include <cctype>
#include <cstdio>
#include <cstdlib>
#include <exception>
#include <filesystem>
#include <fstream>
#include <memory>
#include <sstream>

#include "../../src/pg/process.hpp"
#include "pgshape/error.hpp"
#include "pgshape/pg.hpp"

extern char** environ;

namespace pgshape::testing {
namespace {

// Destroyed at process exit (static destruction), which stops the server and
// removes its directory; a fatal signal is handled by the server's own cleanup.
std::unique_ptr<EmbeddedServer>& embedded_server() {
  static std::unique_ptr<EmbeddedServer> server;
  return server;
}

std::string start_or_abort() {
  if (const char* env = std::getenv("PGSHAPE_TEST_DSN"); env != nullptr && env[0] != '\0') {
    return env;
  }
  try {
    embedded_server() = EmbeddedServer::start(EmbeddedOptions{});
    return embedded_server()->dsn();
  } catch (const DatabaseError& e) {
    std::fprintf(stderr,
                 "FATAL: integration tests need PostgreSQL and none could be started.\n"
                 "  %s\n  HINT: %s\n  Or set PGSHAPE_TEST_DSN (scripts/test.sh does).\n",
                 e.what(), e.hint().c_str());
  } catch (const std::exception& e) {
    std::fprintf(stderr, "FATAL: cannot start the test PostgreSQL: %s\n", e.what());
  }
  std::fflush(stderr);
  std::abort();
}

std::string temp_file(const char* what) {
  std::string pattern =
      (std::filesystem::temp_directory_path() / (std::string("pgshape-test-") + what + "-XXXXXX"))
          .string();
  int fd = ::mkstemp(pattern.data());
  if (fd < 0) throw std::runtime_error("mkstemp failed for " + pattern);
  ::close(fd);
  return pattern;
}

// The suite must not depend on the developer's shell: a PGHOST, PGSERVICE or
// DATABASE_URL exported there would send in-process loads (run_load with no dsn) to
// that server, and a PGSERVICE naming no service makes every libpq connection fail.
// So this process drops them before main; a test that needs one sets it itself.
// (scripts/test.sh exports bogus values to prove it.) PGSHAPE_* are pgshape's own.
bool drop_libpq_environment() {
  std::vector<std::string> names;
  for (char** e = environ; e != nullptr && *e != nullptr; ++e) {
    std::string name(*e);
    name = name.substr(0, name.find('='));
    if ((name.rfind("PG", 0) == 0 && name.rfind("PGSHAPE_", 0) != 0) || name == "DATABASE_URL")
      names.push_back(name);
  }
  for (const auto& name : names) ::unsetenv(name.c_str());
  return true;
}
const bool kLibpqEnvironmentDropped = drop_libpq_environment();

}  // namespace

std::string read_all(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream s;
  s << in.rdbuf();
  return s.str();
}

const std::string& test_dsn() {
  static const std::string dsn = start_or_abort();  // thread-safe, once per process
  return dsn;
}

std::string unique_name(std::string_view prefix) {
  static std::atomic<int> counter{0};
  std::string name(prefix);
  name.append("_").append(std::to_string(::getpid())).append("_").append(std::to_string(++counter));
  for (char& c : name) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return name;
}

CommandResult run_command(const std::vector<std::string>& argv, const std::string& cwd,
                          const std::map<std::string, std::string>& env) {
  // Output goes to files rather than pipes: no deadlock however much is written.
  std::string out_path = temp_file("out");
  std::string err_path = temp_file("err");
  pg::ProcessSpec spec;
  spec.argv = argv;
  spec.stdout_path = out_path;
  spec.stderr_path = err_path;
  spec.cwd = cwd;
  // The child starts without the caller's libpq settings (see drop_libpq_environment);
  // `env` adds back what a test wants it to see.
  spec.without_pg_variables = true;
  spec.env = {{"DATABASE_URL", ""}};
  for (const auto& [key, value] : env) spec.env[key] = value;
  CommandResult result;
  result.exit_code = pg::run_process(spec);
  result.out = read_all(out_path);
  result.err = read_all(err_path);
  std::filesystem::remove(out_path);
  std::filesystem::remove(err_path);
  return result;
}

CommandResult run_pgshape(const std::vector<std::string>& args,
                          const std::map<std::string, std::string>& env) {
  std::vector<std::string> argv{PGSHAPE_BIN};
  argv.insert(argv.end(), args.begin(), args.end());
  return run_command(argv, PGSHAPE_SOURCE_DIR, env);
}

KeptServers::KeptServers(const std::string& err) {
  const std::regex hint(R"(\(stop it with: (.*); then rm -rf (\S+)\))");
  for (std::sregex_iterator it(err.begin(), err.end(), hint), end; it != end; ++it)
    servers_.emplace_back((*it)[1].str(), (*it)[2].str());
}

KeptServers::~KeptServers() {
  for (const auto& [command, dir] : servers_) {
    run_command({"sh", "-c", command + " -m immediate >/dev/null 2>&1"}, "/");
    std::error_code ec;
    std::filesystem::remove_all(dir, ec);
  }
}

}  // namespace pgshape::testing
