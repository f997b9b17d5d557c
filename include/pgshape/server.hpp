// Where pgshape's data goes: a user's server (--dsn / DATABASE_URL) or an
// embedded, throwaway PostgreSQL that pgshape starts from the locally installed
// server binaries in a private directory, reachable only via a Unix socket.
//
// The embedded server is owned by the EmbeddedServer object: destroying it
// stops the server and removes its directory (unless `keep`). If pgshape runs
// as root, the server runs as an unprivileged OS user (`postgres`, else `nobody`).
#pragma once

#include <memory>
#include <string>
#include <string_view>

namespace pgshape {

struct EmbeddedOptions {
  bool keep = false;  // leave the server running and its directory in place at exit
  std::string
      bindir;  // server binaries; empty = pg_config --bindir, PATH, /usr/lib/postgresql/*/bin
  bool tuned_for_throwaway = true;  // fsync=off, synchronous_commit=off, full_page_writes=off,
                                    // wal_level=minimal: data that can be regenerated
};

class EmbeddedServer {
 public:
  // Creates a cluster in a fresh private directory and starts it. Throws
  // DatabaseError (with a hint) when no server binaries are found or it fails to start.
  static std::unique_ptr<EmbeddedServer> start(const EmbeddedOptions& options);
  ~EmbeddedServer();  // stops the server and removes its directory unless `keep`
  EmbeddedServer(const EmbeddedServer&) = delete;
  EmbeddedServer& operator=(const EmbeddedServer&) = delete;

  const std::string& dsn() const { return dsn_; }  // libpq key=value conninfo
  const std::string& data_dir() const { return data_dir_; }
  // One line a user can paste to connect when the server was kept.
  std::string connect_hint() const;
  // Stops the server now (immediate mode); idempotent. Used by the destructor and signal handlers.
  void stop() noexcept;

 private:
  EmbeddedServer() = default;
  std::string dsn_;
  std::string root_dir_;  // private directory holding data/ and the socket
  std::string data_dir_;
  std::string bindir_;
  std::string run_as_user_;  // empty when not switching users
  bool keep_ = false;
  bool running_ = false;
  int postmaster_pid_ = 0;  // from postmaster.pid once started
  int cleanup_slot_ = -1;   // registration for teardown on SIGINT/SIGTERM/SIGHUP
};

// The database a command works on. Resolution order: the --dsn option, then the
// DATABASE_URL environment variable, then an embedded server started here.
class Target {
 public:
  static Target open(const std::string& dsn_option, const EmbeddedOptions& embedded);
  const std::string& dsn() const { return dsn_; }
  bool is_embedded() const { return server_ != nullptr; }
  EmbeddedServer* server() const { return server_.get(); }

 private:
  std::string dsn_;
  std::shared_ptr<EmbeddedServer> server_;
};

// The DSN with any password replaced by "********" (URI and key=value forms),
// for messages, logs and reports. Never print a DSN without passing it through here.
std::string redact_dsn(std::string_view dsn);

}  // namespace pgshape
