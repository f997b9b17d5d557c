// The embedded, throwaway PostgreSQL: initdb into a private 0700 directory,
// socket-only, started with pg_ctl; stopped and removed when its owner goes
// away or pgshape is interrupted (see signal_cleanup.hpp). As root, the server
// runs as `postgres` (else `nobody`): PostgreSQL refuses to run as root.
#include <signal.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <optional>
#include <string>
#include <vector>

#include "pg/process.hpp"
#include "pg/signal_cleanup.hpp"
#include "pg/stale_servers.hpp"
#include "pgshape/error.hpp"
#include "pgshape/pg.hpp"

namespace pgshape {
namespace fs = std::filesystem;
namespace {

constexpr int kPort = 5432;  // any number works: the socket lives in our private directory
constexpr const char* kDbUser = "pgshape";
constexpr const char* kInstallHint =
    "install the PostgreSQL server (Debian: apt-get install postgresql-15), point --pg-bin (or "
    "PGSHAPE_PG_BIN) at a server's bin directory, or pass --dsn";
constexpr size_t kMaxSocketDirLength = 80;  // sun_path is 108 bytes incl. "/.s.PGSQL.5432"

bool is_executable_file(const fs::path& p) {
  std::error_code ec;
  return fs::is_regular_file(p, ec) && ::access(p.c_str(), X_OK) == 0;
}

bool has_server_binaries(const fs::path& dir) {
  return is_executable_file(dir / "initdb") && is_executable_file(dir / "pg_ctl");
}

// "15" -> 15.0, "9.6" -> 9.6; non-numbers sort first.
double version_of(const std::string& name) {
  char* end = nullptr;
  double v = std::strtod(name.c_str(), &end);
  return end == name.c_str() ? -1.0 : v;
}

// EmbeddedOptions::bindir, else pg_config --bindir (Debian's often names the
// client-only directory, so only if initdb is there), else initdb on PATH,
// else the newest /usr/lib/postgresql/*/bin.
std::string find_bindir(const std::string& configured) {
  if (!configured.empty()) {
    if (has_server_binaries(configured)) return configured;
    throw DatabaseError("server.no-binaries",
                        "no PostgreSQL server binaries (initdb, pg_ctl) in " + configured,
                        "--pg-bin (or PGSHAPE_PG_BIN) names the directory holding initdb, pg_ctl "
                        "and postgres, e.g. /usr/lib/postgresql/15/bin once you apt-get install "
                        "postgresql");
  }
  if (auto out = pg::capture_stdout({"pg_config", "--bindir"})) {
    std::string dir = *out;
    while (!dir.empty() && (dir.back() == '\n' || dir.back() == ' ')) dir.pop_back();
    if (!dir.empty() && has_server_binaries(dir)) return dir;
  }
  if (std::string initdb = pg::find_in_path("initdb"); !initdb.empty()) {
    std::error_code ec;
    fs::path real = fs::canonical(initdb, ec);  // /usr/local/bin/initdb may be a symlink
    if (!ec && has_server_binaries(real.parent_path())) return real.parent_path().string();
  }
  std::string best;
  double best_version = -2.0;
  std::error_code ec;
  for (const auto& entry : fs::directory_iterator("/usr/lib/postgresql", ec)) {
    fs::path bin = entry.path() / "bin";
    double v = version_of(entry.path().filename().string());
    if (has_server_binaries(bin) && v > best_version) {
      best = bin.string();
      best_version = v;
    }
  }
  if (!best.empty()) return best;
  throw DatabaseError("server.no-binaries",
                      "cannot start an embedded PostgreSQL: no server binaries (initdb) found",
                      kInstallHint);
}

// True when every ancestor of `dir` can be traversed by `user` (through the
// "other" bits or ownership): the server user must reach its socket and data.
bool traversable_by(const fs::path& dir, const pg::OsUser& user) {
  for (fs::path p = dir; !p.empty(); p = p.parent_path()) {
    struct stat st {};
    if (::stat(p.c_str(), &st) != 0) return false;
    bool ok = (st.st_mode & S_IXOTH) != 0 || (st.st_uid == user.uid && (st.st_mode & S_IXUSR));
    if (!ok) return false;
    if (p == p.parent_path()) break;
  }
  return true;
}

// $TMPDIR when the socket path fits and the server user can reach it, else /tmp.
std::string private_dir_base(const pg::OsUser* user) {
  std::string base = "/tmp";
  if (const char* tmp = std::getenv("TMPDIR"); tmp != nullptr && tmp[0] != '\0') {
    std::string candidate = tmp;
    while (candidate.size() > 1 && candidate.back() == '/') candidate.pop_back();
    bool short_enough = candidate.size() + 16 < kMaxSocketDirLength;
    if (short_enough && (user == nullptr || traversable_by(candidate, *user))) base = candidate;
  }
  return base;
}

std::string make_private_dir(const std::string& base, const pg::OsUser* user) {
  std::string pattern = base + "/pgshape-XXXXXX";
  if (::mkdtemp(pattern.data()) == nullptr) {
    throw DatabaseError("server.start-failed", "cannot create a private directory under " + base +
                                                   ": " + std::strerror(errno));
  }
  ::chmod(pattern.c_str(), 0700);
  if (user != nullptr && ::chown(pattern.c_str(), user->uid, user->gid) != 0) {
    std::string why = std::strerror(errno);
    fs::remove_all(pattern);
    throw DatabaseError("server.start-failed",
                        "cannot hand " + pattern + " to OS user " + user->name + ": " + why);
  }
  return pattern;
}

// libpq conninfo value: quoted when it holds spaces, quotes or backslashes.
std::string conninfo_value(const std::string& v) {
  if (!v.empty() && v.find_first_of(" '\\\t") == std::string::npos) return v;
  std::string out = "'";
  for (char c : v) {
    if (c == '\'' || c == '\\') out.push_back('\\');
    out.push_back(c);
  }
  return out + "'";
}

std::string settings(const std::string& socket_dir, bool tuned_for_throwaway) {
  std::string s = "\n# --- written by pgshape: an embedded, throwaway server ---\n";
  s += "listen_addresses = ''\n";  // no TCP at all: only our private Unix socket
  s += "unix_socket_directories = '" + socket_dir + "'\n";
  s += "unix_socket_permissions = 0700\n";  // only the server user (and root) may connect
  s += "port = " + std::to_string(kPort) + "\n";
  if (!tuned_for_throwaway) return s;
  // Every dataset here can be regenerated from its profile and seed, so
  // durability is traded for load speed: a crash costs a re-run, not data.
  s += "fsync = off\n";                           // no fsync of WAL or data files
  s += "synchronous_commit = off\n";              // commits do not wait for the WAL flush
  s += "full_page_writes = off\n";                // torn pages only matter for crash recovery
  s += "wal_level = minimal\n";                   // COPY into a table created in the same
                                                  // transaction skips WAL entirely
  s += "max_wal_senders = 0\n";                   // required by wal_level = minimal
  s += "max_wal_size = 4GB\n";                    // no checkpoints forced by WAL volume mid-load
  s += "checkpoint_timeout = 30min\n";            // nor by the clock
  s += "shared_buffers = 256MB\n";                // room for the hot part of a mid-size dataset
  s += "maintenance_work_mem = 512MB\n";          // faster CREATE INDEX after the data
  s += "work_mem = 64MB\n";                       // sorts and hashes in memory for EXPLAIN runs
  s += "max_parallel_maintenance_workers = 2\n";  // parallel index builds
  s += "autovacuum = off\n";  // pgshape runs ANALYZE itself; no background noise in timings
  s += "jit = off\n";         // JIT compile time distorts the timings of small queries
  return s;
}

void append_file(const fs::path& path, const std::string& text, bool truncate) {
  std::ofstream out(path, truncate ? std::ios::trunc : std::ios::app);  // keeps the file's owner
  out << text;
  if (!out) throw IoError("io.write-failed", "cannot write " + path.string());
}

std::string failure_message(const std::string& what, const std::string& log_path) {
  std::string tail = pg::tail_of_file(log_path);
  return what + (tail.empty() ? "" : "; the end of " + log_path + ":\n" + tail);
}

}  // namespace

std::string server_binaries_version(const std::string& bindir) {
  auto out = pg::capture_stdout({bindir + "/postgres", "--version"});
  if (!out) return "";
  // "postgres (PostgreSQL) 18.4" or "postgres (PostgreSQL) 15.18 (Debian 15.18-0+deb12u1)"
  const std::string marker = "(PostgreSQL) ";
  size_t at = out->find(marker);
  if (at == std::string::npos) return "";
  at += marker.size();
  size_t end = out->find_first_not_of("0123456789.", at);
  return out->substr(at, end == std::string::npos ? std::string::npos : end - at);
}

std::unique_ptr<EmbeddedServer> EmbeddedServer::start(const EmbeddedOptions& options) {
  std::string bindir = find_bindir(options.bindir);
  std::optional<pg::OsUser> user;
  if (::geteuid() == 0) {
    user = pg::lookup_os_user("postgres");
    if (!user) user = pg::lookup_os_user("nobody");
    if (!user) {
      throw DatabaseError("server.start-failed",
                          "running as root, and neither a 'postgres' nor a 'nobody' OS user exists",
                          "create a 'postgres' user, run pgshape as another user, or pass --dsn");
    }
  }
  const pg::OsUser* as = user ? &*user : nullptr;
  if (as != nullptr && !traversable_by(bindir, *as)) {
    throw DatabaseError("server.no-binaries",
                        "the server's OS user " + as->name + " cannot reach " + bindir,
                        "put the binaries where " + as->name +
                            " can read and run them (every parent directory searchable)");
  }

  // From here on the object owns the directory: an exception destroys it,
  // which stops whatever was started and removes the directory.
  std::unique_ptr<EmbeddedServer> server(new EmbeddedServer());
  server->bindir_ = bindir;
  server->run_as_user_ = user ? user->name : "";
  // A run killed by SIGKILL could not stop its server: clear what such runs
  // provably left behind before adding another.
  const std::string base = private_dir_base(as);
  pg::sweep_stale_servers(base);
  server->root_dir_ = make_private_dir(base, as);
  pg::write_owner_marker(server->root_dir_, options.keep);
  server->data_dir_ = server->root_dir_ + "/data";
  const std::string setup_log = server->root_dir_ + "/setup.log";
  const std::string server_log = server->root_dir_ + "/server.log";

  auto run = [&](std::vector<std::string> argv) {
    return pg::run_process({.argv = std::move(argv),
                            .stdout_path = setup_log,
                            .stderr_path = setup_log,
                            .cwd = server->root_dir_,
                            .user = as,
                            .without_pg_variables = true,
                            .env = {}});
  };
  std::vector<std::string> initdb = {bindir + "/initdb",
                                     "-D",
                                     server->data_dir_,
                                     "-U",
                                     kDbUser,
                                     "--auth=trust",
                                     "-E",
                                     "UTF8",
                                     "-N"};
  auto with = [](std::vector<std::string> v, const char* extra) {
    v.push_back(extra);
    return v;
  };
  if (run(with(initdb, "--locale=C.UTF-8")) != 0) {
    std::error_code ec;
    fs::remove_all(server->data_dir_, ec);  // a half-made cluster would block the retry
    if (run(with(initdb, "--no-locale")) != 0) {
      throw DatabaseError("server.start-failed", failure_message("initdb failed", setup_log),
                          kInstallHint);
    }
  }
  append_file(server->data_dir_ + "/postgresql.conf",
              settings(server->root_dir_, options.tuned_for_throwaway), false);
  append_file(server->data_dir_ + "/pg_hba.conf",
              "# pgshape: Unix socket only, no passwords (the socket directory is 0700)\n"
              "local all all trust\n",
              true);

  if (run({bindir + "/pg_ctl", "-w", "-t", "120", "-D", server->data_dir_, "-l", server_log,
           "start"}) != 0) {
    std::string message = failure_message("the embedded PostgreSQL did not start", setup_log);
    std::string tail = pg::tail_of_file(server_log);
    if (!tail.empty()) message += "\nthe end of " + server_log + ":\n" + tail;
    server->running_ = true;  // pg_ctl may have left a postmaster behind: make stop() try
    throw DatabaseError("server.start-failed", message);
  }
  server->running_ = true;
  std::ifstream(server->data_dir_ + "/postmaster.pid") >> server->postmaster_pid_;
  if (server->postmaster_pid_ > 0) {
    server->cleanup_slot_ =
        pg::register_server(server->postmaster_pid_, server->data_dir_ + "/postmaster.pid",
                            options.keep ? "" : server->root_dir_);
  }
  server->dsn_ = "host=" + conninfo_value(server->root_dir_) + " port=" + std::to_string(kPort) +
                 " dbname=postgres user=" + kDbUser;
  server->keep_ = options.keep;
  return server;
}

EmbeddedServer::~EmbeddedServer() {
  if (keep_ && running_) {
    pg::unregister_server(cleanup_slot_);  // pgshape is done with it; the user is not
    return;
  }
  stop();
}

void EmbeddedServer::stop() noexcept {
  try {
    if (running_) {
      running_ = false;
      pg::unregister_server(cleanup_slot_);
      cleanup_slot_ = -1;
      std::optional<pg::OsUser> user;
      if (!run_as_user_.empty()) user = pg::lookup_os_user(run_as_user_);
      int rc = pg::run_process(
          {.argv = {bindir_ + "/pg_ctl", "-D", data_dir_, "-m", "immediate", "-w", "stop"},
           .stdout_path = root_dir_ + "/setup.log",
           .stderr_path = root_dir_ + "/setup.log",
           .cwd = root_dir_,
           .user = user ? &*user : nullptr,
           .without_pg_variables = true,
           .env = {}});
      if (rc != 0 && postmaster_pid_ > 0 && ::kill(postmaster_pid_, SIGQUIT) == 0) {
        std::string pid_file = data_dir_ + "/postmaster.pid";
        for (int i = 0;
             i < 100 && ::kill(postmaster_pid_, 0) == 0 && ::access(pid_file.c_str(), F_OK) == 0;
             ++i) {
          ::usleep(50000);
        }
      }
    }
    if (!keep_ && !root_dir_.empty()) {
      std::error_code ec;
      fs::remove_all(root_dir_, ec);
      root_dir_.clear();
    }
  } catch (...) {
    // noexcept: a failed stop must not turn into std::terminate during unwinding
  }
}

std::string EmbeddedServer::connect_hint() const {
  std::string hint = "psql \"" + dsn_ + "\"";
  std::string stop = bindir_ + "/pg_ctl -D " + data_dir_ + " stop";
  if (!run_as_user_.empty()) stop = "runuser -u " + run_as_user_ + " -- " + stop;
  return hint + "   (stop it with: " + stop + "; then rm -rf " + root_dir_ + ")";
}

}  // namespace pgshape
