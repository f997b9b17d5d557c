#include <gtest/gtest.h>
#include <signal.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <optional>
#include <pqxx/pqxx>
#include <sstream>
#include <string>

#include "pgshape/error.hpp"
#include "pgshape/pg.hpp"
#include "test_server.hpp"

namespace pgshape {
namespace {

namespace fs = std::filesystem;

std::string show(pqxx::connection& c, const std::string& setting) {
  pqxx::nontransaction tx(c);
  return tx.exec1("SHOW " + setting)[0].as<std::string>();
}

std::string root_of(const EmbeddedServer& server) {
  return fs::path(server.data_dir()).parent_path().string();
}

// Sets an environment variable for one scope, restoring the old value after.
class ScopedEnv {
 public:
  ScopedEnv(const char* name, const char* value) : name_(name) {
    if (const char* old = std::getenv(name)) old_ = old;
    if (value != nullptr) {
      ::setenv(name, value, 1);
    } else {
      ::unsetenv(name);
    }
  }
  ~ScopedEnv() {
    if (old_) {
      ::setenv(name_, old_->c_str(), 1);
    } else {
      ::unsetenv(name_);
    }
  }

 private:
  const char* name_;
  std::optional<std::string> old_;
};

TEST(EmbeddedServer, StartsSocketOnlyAndTunedForThrowawayData) {
  auto server = EmbeddedServer::start({});
  pqxx::connection c(server->dsn());
  pqxx::nontransaction tx(c);
  EXPECT_EQ(tx.exec1("SELECT 1")[0].as<int>(), 1);
  tx.commit();
  EXPECT_EQ(show(c, "fsync"), "off");
  EXPECT_EQ(show(c, "synchronous_commit"), "off");
  EXPECT_EQ(show(c, "wal_level"), "minimal");
  EXPECT_EQ(show(c, "autovacuum"), "off");
  EXPECT_EQ(show(c, "listen_addresses"), "");
  EXPECT_EQ(show(c, "unix_socket_directories"), root_of(*server));
  EXPECT_NE(server->dsn().find("user=pgshape"), std::string::npos);
  EXPECT_NE(server->connect_hint().find("psql \"" + server->dsn() + "\""), std::string::npos);
}

TEST(EmbeddedServer, DirectoryIsPrivateAndRemovedOnDestruction) {
  auto server = EmbeddedServer::start({});
  std::string root = root_of(*server);
  struct stat st {};
  ASSERT_EQ(::stat(root.c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0700u);
  if (::geteuid() == 0) {
    EXPECT_NE(st.st_uid, 0u) << "the server must not run as root";
  }
  server.reset();
  EXPECT_FALSE(fs::exists(root));
}

TEST(EmbeddedServer, StopIsIdempotent) {
  auto server = EmbeddedServer::start({});
  std::string root = root_of(*server);
  server->stop();
  server->stop();
  EXPECT_FALSE(fs::exists(root));
  EXPECT_THROW(pqxx::connection{server->dsn()}, pqxx::broken_connection);
}

TEST(EmbeddedServer, KeepLeavesTheServerRunning) {
  std::string root;
  std::string dsn;
  pid_t postmaster = 0;
  {
    EmbeddedOptions options;
    options.keep = true;
    auto server = EmbeddedServer::start(options);
    root = root_of(*server);
    dsn = server->dsn();
    std::ifstream(server->data_dir() + "/postmaster.pid") >> postmaster;
  }
  ASSERT_GT(postmaster, 0);
  EXPECT_TRUE(fs::exists(root));
  {
    pqxx::connection c(dsn);
    pqxx::nontransaction tx(c);
    EXPECT_EQ(tx.exec1("SELECT 2")[0].as<int>(), 2);
  }
  // Clean up ourselves: immediate shutdown, then the directory.
  ::kill(postmaster, SIGQUIT);
  std::string pid_file = root + "/data/postmaster.pid";
  for (int i = 0; i < 200 && fs::exists(pid_file); ++i) ::usleep(50000);
  fs::remove_all(root);
}

TEST(EmbeddedServer, SigtermTearsTheServerDown) {
  int fds[2];
  ASSERT_EQ(::pipe(fds), 0);
  pid_t child = ::fork();
  ASSERT_GE(child, 0);
  if (child == 0) {  // a stand-in for a pgshape run that gets interrupted
    ::close(fds[0]);
    auto server = EmbeddedServer::start({});
    int postmaster = 0;
    std::ifstream(server->data_dir() + "/postmaster.pid") >> postmaster;
    std::string message = std::to_string(postmaster) + " " + root_of(*server) + "\n";
    if (::write(fds[1], message.data(), message.size()) < 0) ::_exit(2);
    for (;;) ::pause();
  }
  ::close(fds[1]);
  std::string message;
  char buf[512];
  for (ssize_t n; (n = ::read(fds[0], buf, sizeof buf)) > 0;) {
    message.append(buf, static_cast<size_t>(n));
    if (message.back() == '\n') break;
  }
  ::close(fds[0]);
  int postmaster = 0;
  std::string root;
  std::istringstream(message) >> postmaster >> root;
  ASSERT_GT(postmaster, 0) << "the child could not start a server";
  ASSERT_TRUE(fs::exists(root));

  ::kill(child, SIGTERM);
  int status = 0;
  ASSERT_EQ(::waitpid(child, &status, 0), child);
  EXPECT_TRUE(WIFSIGNALED(status) && WTERMSIG(status) == SIGTERM) << "status " << status;
  EXPECT_FALSE(fs::exists(root));
  // It may linger as a zombie until init reaps it; gone is: no pid file, no socket.
  EXPECT_FALSE(fs::exists(root + "/data/postmaster.pid"));
}

TEST(EmbeddedServer, StartsAndIsReachedWhateverPgVariablesSay) {
  // initdb, pg_ctl and postgres must not see these, nor may pgshape's own
  // connections to the server follow them. (PGHOSTADDR and PGSERVICE could redirect
  // a conninfo that names a socket; pgshape never starts an embedded server while
  // either is set: they name a target of their own.)
  ScopedEnv data("PGDATA", "/nonexistent/pgdata");
  ScopedEnv port("PGPORT", "1");
  ScopedEnv host("PGHOST", "/nonexistent");
  ScopedEnv user("PGUSER", "nobody_here");
  ScopedEnv database("PGDATABASE", "nowhere");
  ScopedEnv sysconf("PGSYSCONFDIR", "/nonexistent");
  auto server = EmbeddedServer::start({});
  pqxx::connection c(server->dsn());
  {
    pqxx::nontransaction tx(c);
    const auto row = tx.exec1("SELECT current_user, current_database(), current_setting('port')");
    EXPECT_EQ(row[0].as<std::string>(), "pgshape");
    EXPECT_EQ(row[1].as<std::string>(), "postgres");
    EXPECT_EQ(row[2].as<std::string>(), "5432");
  }
  EXPECT_EQ(show(c, "unix_socket_directories"), root_of(*server));
  EXPECT_EQ(show(c, "data_directory"), server->data_dir());
  std::string root = root_of(*server);
  server.reset();  // pg_ctl stop must not follow PGDATA either
  EXPECT_FALSE(fs::exists(root));
}

TEST(EmbeddedServer, MissingBinariesGiveAnInstallHint) {
  try {
    EmbeddedOptions options;
    options.bindir = "/nonexistent/bin";
    EmbeddedServer::start(options);
    FAIL() << "expected DatabaseError";
  } catch (const DatabaseError& e) {
    EXPECT_NE(e.hint().find("apt-get install postgresql"), std::string::npos);
  }
}

TEST(Target, ExplicitDsnWinsOverDatabaseUrl) {
  ScopedEnv url("DATABASE_URL", "postgresql://from-env/db");
  Target t = Target::open("host=explicit dbname=x", {});
  EXPECT_EQ(t.dsn(), "host=explicit dbname=x");
  EXPECT_FALSE(t.is_embedded());
}

TEST(Target, DatabaseUrlWinsOverEmbedded) {
  ScopedEnv url("DATABASE_URL", "postgresql://from-env/db");
  Target t = Target::open(std::nullopt, {});
  EXPECT_EQ(t.dsn(), "postgresql://from-env/db");
  EXPECT_FALSE(t.is_embedded());
}

TEST(Target, StartsAnEmbeddedServerWhenNothingIsNamed) {
  ScopedEnv url("DATABASE_URL", "");
  Target t = Target::open(std::nullopt, {});
  ASSERT_TRUE(t.is_embedded());
  EXPECT_EQ(t.dsn(), t.server()->dsn());
  pqxx::connection c(t.dsn());
  EXPECT_TRUE(c.is_open());
}

TEST(TestHarness, TestDsnReachesARealServer) {
  pqxx::connection c(testing::test_dsn());
  pqxx::nontransaction tx(c);
  EXPECT_EQ(tx.exec1("SELECT 1")[0].as<int>(), 1);
}

TEST(TestHarness, UniqueNamesAreLowerCaseAndDistinct) {
  std::string a = testing::unique_name("Load");
  std::string b = testing::unique_name("Load");
  EXPECT_NE(a, b);
  EXPECT_EQ(a.rfind("load_" + std::to_string(::getpid()) + "_", 0), 0u) << a;
}

TEST(TestHarness, RunPgshapeSeparatesStdoutStderrAndExitCode) {
  auto version = testing::run_pgshape({"--version"});
  EXPECT_EQ(version.exit_code, 0) << version.err;
  EXPECT_NE(version.out.find("pgshape"), std::string::npos) << version.out;

  auto bad = testing::run_pgshape({"no-such-subcommand"}, {{"DATABASE_URL", ""}});
  EXPECT_EQ(bad.exit_code, 2);
  EXPECT_FALSE(bad.err.empty());
}

}  // namespace
}  // namespace pgshape
