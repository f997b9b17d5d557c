// The pg module: where pgshape's data goes and how it talks to PostgreSQL — a
// user's server (--dsn, DATABASE_URL, the PG* variables) or an embedded, throwaway
// one started from the locally installed server binaries; raw libpq COPY
// streaming; SQL identifier quoting; passwords kept out of every message.
#pragma once

#include <libpq-fe.h>
#include <array>
#include <atomic>
#include <condition_variable>
#include <cstdint>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

namespace pqxx {
class transaction_base;
}

namespace pgshape {

// ---------------------------------------------------------------------------
// Where pgshape's data goes: a user's server (--dsn, DATABASE_URL, libpq's PG*
// variables) or an embedded, throwaway PostgreSQL that pgshape starts from the
// locally installed server binaries in a private directory, reachable only via a
// Unix socket. The user's PG* variables never steer the embedded server: initdb,
// pg_ctl and postgres run with every PG* variable removed, and its conninfo names
// host, port, dbname and user. (PGHOSTADDR and PGSERVICE could still redirect such a
// conninfo, but they name a target: while either is set, Target::open starts no
// embedded server.)
//
// The embedded server is owned by the EmbeddedServer object: destroying it
// stops the server and removes its directory (unless `keep`). If pgshape runs
// as root, the server runs as an unprivileged OS user (`postgres`, else `nobody`).

struct EmbeddedOptions {
  bool keep = false;  // leave the server running and its directory in place at exit
  std::string
      bindir;  // server binaries; empty = pg_config --bindir, PATH, /usr/lib/postgresql/*/bin
  bool tuned_for_throwaway = true;  // fsync=off, synchronous_commit=off, full_page_writes=off,
                                    // wal_level=minimal: data that can be regenerated
};

// The version of the PostgreSQL server binaries in `bindir` ("18.4", from
// `postgres --version`); "" when they cannot be run.
std::string server_binaries_version(const std::string& bindir);

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

// The database a command works on, in libpq's conventions (what psql, pg_dump and
// pgbench do), first match wins:
//   1. --dsn, when given at all: `--dsn ""` is an empty conninfo, i.e. libpq's own
//      defaults, which read the PG* variables;
//   2. $DATABASE_URL (non-empty);
//   3. an empty conninfo when any variable in kLibpqTargetVariables is set: the user
//      named a server or database through libpq, so data goes there;
//   4. otherwise (only Target::open) an embedded server started here.
// Variables that only say *how* to connect (PGPASSWORD, PGPASSFILE, PGSSLMODE,
// PGOPTIONS, PGCONNECT_TIMEOUT, PGAPPNAME, ...) never choose a target: a password or an
// SSL mode left in a shell must not send a throwaway run's data into whatever server
// libpq would default to. PGSERVICEFILE alone names no service (libpq reads the file
// only for PGSERVICE or service=), so it does not count either.
enum class TargetSource : uint8_t { kDsnOption, kDatabaseUrl, kLibpqEnvironment, kEmbedded };

inline constexpr std::array<std::string_view, 6> kLibpqTargetVariables = {
    "PGHOST", "PGHOSTADDR", "PGPORT", "PGDATABASE", "PGUSER", "PGSERVICE"};

struct UserTarget {
  std::string dsn;  // a conninfo or URI; "" = libpq's defaults (the PG* variables)
  TargetSource source = TargetSource::kDsnOption;
};

// Steps 1-3 above: the user's own target, or nullopt when none is named.
// `dsn_option` is --dsn's value, nullopt when --dsn was not given.
std::optional<UserTarget> user_target(const std::optional<std::string>& dsn_option);

// A target for messages: its DSN with the password redacted, or for an empty conninfo
// "libpq's defaults (PGHOST=db1, PGDATABASE=uxdb)" naming the variables that are set.
std::string describe_dsn(std::string_view dsn);

class Target {
 public:
  static Target open(const std::optional<std::string>& dsn_option, const EmbeddedOptions& embedded);
  const std::string& dsn() const { return dsn_; }
  TargetSource source() const { return source_; }
  bool is_embedded() const { return server_ != nullptr; }
  EmbeddedServer* server() const { return server_.get(); }

 private:
  std::string dsn_;
  TargetSource source_ = TargetSource::kEmbedded;
  std::shared_ptr<EmbeddedServer> server_;
};

// Where a live connection landed, as libpq reports it (PQhost, PQport, PQdb, PQuser):
// what a command names as the place it wrote, so a user sees the database written
// rather than the string they passed.
struct ConnectionPlace {
  std::string host;  // a host name, an address, or a Unix socket directory (starts with '/')
  std::string port;
  std::string dbname;
  std::string user;
  // "host:port/dbname"; an IPv6 address in brackets, a socket directory as its path
  // ("/var/run/postgresql:5432/uxdb"), like psql's \conninfo names a socket.
  std::string to_string() const;
};

// The DSN with any password replaced by "********" (URI and key=value forms),
// for messages, logs and reports. Never print a DSN without passing it through here.
std::string redact_dsn(std::string_view dsn);

// ---------------------------------------------------------------------------
// A thin owner of a libpq connection for the one thing libpqxx 6.4 makes slow:
// streaming COPY data in large buffers (PQputCopyData). Everything else —
// queries, transactions — goes through libpqxx.

class RawConnection {
 public:
  // Connects or throws DatabaseError (message without the password).
  explicit RawConnection(const std::string& dsn);
  ~RawConnection();
  RawConnection(const RawConnection&) = delete;
  RawConnection& operator=(const RawConnection&) = delete;

  // Runs one or more statements with no result rows; throws DatabaseError.
  // Only for pgshape's own SQL: text that holds a profile's fragment goes to exec_one.
  void exec(const std::string& sql);
  // Runs exactly one statement over the extended protocol, which refuses a second
  // one ("cannot insert multiple commands into a prepared statement"); throws DatabaseError.
  void exec_one(const std::string& sql);
  // Runs one statement with text parameters $1.. and returns its rows, each
  // field as text (nullopt: NULL); throws DatabaseError. For small catalog reads.
  std::vector<std::vector<std::optional<std::string>>> query(
      const std::string& sql, const std::vector<std::string>& params = {});
  // Starts `COPY ... FROM STDIN`; then send() buffers and finish() (or abort()).
  void copy_in(const std::string& copy_statement);
  void send(std::string_view data);
  void finish();
  void abort(const char* reason) noexcept;
  int backend_pid() const { return PQbackendPID(conn_); }

 private:
  [[noreturn]] void fail(std::string_view what, PGresult* result = nullptr);
  PGconn* conn_ = nullptr;
  bool copying_ = false;
};

// ---------------------------------------------------------------------------
// SQL text: every identifier from a profile goes through quote_ident — there
// is no other path from a profile name into SQL — and no value is ever spliced
// into SQL text (values travel as COPY data or parameters).

// Runs `script` — SQL from a profile (its DDL file, an experiment) that may hold
// several statements — inside the open transaction `tx`, one statement at a time,
// each over the extended protocol. Before running anything it refuses a script
// with an unterminated quote or comment, or with a statement that would end or
// open the transaction block (COMMIT, ROLLBACK, BEGIN, SAVEPOINT, ...; see
// transaction_control in util.hpp): UsageError "profile.bad-sql". After each
// statement it checks that tx is still the transaction it started in (same
// transaction id); when not, throws DatabaseError "db.transaction-ended". `what`
// starts the messages ("experiment 'idx' at scale test"). A statement the server
// refuses throws pqxx::sql_error as tx.exec would.
void exec_script(pqxx::transaction_base& tx, std::string_view script, const std::string& what);

// While alive, watches from a thread, on its own connection to `dsn`, which
// sessions block backend `pid` (pg_blocking_pids), so that a statement that ends
// with a lock timeout can say who held the lock. Polls every 100 ms, and opens
// its connection only once `pid` has waited that long; never throws.
class BlockerWatch {
 public:
  BlockerWatch(std::string dsn, int pid);
  ~BlockerWatch();
  BlockerWatch(const BlockerWatch&) = delete;
  BlockerWatch& operator=(const BlockerWatch&) = delete;
  // The blocking sessions last seen, one per line: "pid 4711 (application_name
  // 'psql', state 'idle in transaction', query started 2026-01-01 10:00:00+00):
  // LOCK TABLE ..."; "" when none was seen.
  std::string blockers() const;

 private:
  void run();
  std::string dsn_;
  int pid_;
  mutable std::mutex mutex_;
  std::condition_variable stop_signal_;
  bool stop_ = false;
  std::string blockers_;
  std::thread thread_;
};

// "name" with embedded quotes doubled: safe for any string without a NUL byte.
std::string quote_ident(std::string_view name);
// schema.table, both quoted.
std::string qualified(std::string_view schema, std::string_view table);

// A one-dimensional PostgreSQL array literal, '{"a","b\"c"}', of elements given in
// their types' text form: every element double-quoted with '"' and '\' escaped, so
// commas, braces, spaces, quotes, backslashes and the word NULL stay data. It is a
// value (bound as a parameter, then cast), never SQL text. No element may be NULL.
std::string array_literal(const std::vector<std::string>& elements);

}  // namespace pgshape
