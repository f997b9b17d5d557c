// The error module: every failure a user can cause or meet, with a stable code.
//
// A code ("profile.unknown-key", "load.lost-connection", "io.write-failed") names
// a kind of failure for good: tests, scripts and `--json` users key on it, never
// on the wording. Every code is declared once, in kErrorCodes below, with the exit
// code it ends the process with and one line of meaning; the README's table of
// codes is generated from that list (`pgshape reference --errors`). An ErrorId is
// checked against the list at compile time: a code that is not declared does not
// compile.
//
// `main` is the single place that catches: it prints the message (and its HINT:)
// or renders it as JSON, and exits with the code's exit code.
#pragma once

#include <span>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

namespace pgshape {

enum class ExitCode : int { kOk = 0, kRuntime = 1, kUsage = 2, kGate = 3 };

struct ErrorCodeInfo {
  std::string_view code;
  ExitCode exit;
  std::string_view meaning;  // one line for the README's table
};

// Every error code pgshape uses, by area. Add a code here, with its exit code and
// meaning, before throwing it.
inline constexpr ErrorCodeInfo kErrorCodes[] = {
    // Command-line usage: exit 2, nothing was touched.
    {"usage.bad-option", ExitCode::kUsage,
     "an option's value is invalid or conflicts with another"},
    {"usage.unknown-scale", ExitCode::kUsage, "the profile has no scale point of that name"},
    {"usage.unknown-table", ExitCode::kUsage, "the profile (or source schema) has no such table"},
    {"usage.unknown-query", ExitCode::kUsage, "the profile has no query of that name"},
    {"usage.no-queries", ExitCode::kUsage, "the command needs queries, and the profile has none"},
    {"usage.no-target", ExitCode::kUsage, "the command needs a target database and has none"},
    {"usage.unsupported", ExitCode::kUsage, "a combination of inputs pgshape does not support"},
    {"usage.exact-stats", ExitCode::kUsage,
     "--exact-stats without a statistics snapshot, or at a scale point other than production"},
    {"usage.unknown-command", ExitCode::kUsage, "there is no pgshape command of that name"},
    {"usage.unknown-option", ExitCode::kUsage, "the command has no option of that name"},
    {"usage.missing-argument", ExitCode::kUsage,
     "a required argument or option (or an option's value) is missing"},
    {"usage.unexpected-argument", ExitCode::kUsage, "more arguments than the command takes"},
    // Profiles: exit 2, before any connection. ProfileError carries profile.invalid;
    // each of its diagnostics has one of the codes after it.
    {"profile.invalid", ExitCode::kUsage, "the profile has problems (each diagnostic has its own)"},
    {"profile.unreadable", ExitCode::kUsage,
     "the profile file is missing, a directory, unreadable or larger than 4 MB"},
    {"profile.not-utf8", ExitCode::kUsage, "the profile is not UTF-8 text"},
    {"profile.yaml-syntax", ExitCode::kUsage,
     "YAML syntax: a tab in indentation, a bracket or quote left open, nesting too deep"},
    {"profile.empty", ExitCode::kUsage, "the profile holds nothing (empty, or only comments)"},
    {"profile.unknown-key", ExitCode::kUsage, "a key the profile reference does not list"},
    {"profile.duplicate-key", ExitCode::kUsage, "a key written twice in one map"},
    {"profile.missing-key", ExitCode::kUsage,
     "a required key is absent (tables, scales, rows, type, a distribution's parameter, sql)"},
    {"profile.bad-type", ExitCode::kUsage,
     "a value of the wrong kind: a list for a number, a word for a bool, a map for a string"},
    {"profile.bad-value", ExitCode::kUsage,
     "a value of the right kind in a form that is not allowed (ref without a dot, an ordering)"},
    {"profile.out-of-range", ExitCode::kUsage,
     "a parameter outside what it allows (p above 1, negative stddev, zero rows, min above max)"},
    {"profile.unknown-type", ExitCode::kUsage, "a column type pgshape cannot generate"},
    {"profile.unknown-distribution", ExitCode::kUsage, "a distribution name that does not exist"},
    {"profile.bad-distribution", ExitCode::kUsage,
     "a distribution that cannot fill its column (its type, a key, a parameter it does not take)"},
    {"profile.exceeds-type", ExitCode::kUsage,
     "values a distribution can reach do not fit the column's type (range, precision, length)"},
    {"profile.bad-literal", ExitCode::kUsage,
     "a value written in the profile is not a valid value of its column's type"},
    {"profile.unique-domain", ExitCode::kUsage,
     "a unique column whose distribution cannot give every row its own value"},
    {"profile.conflict", ExitCode::kUsage,
     "two settings contradict each other (null_fraction on a primary key, sql and file)"},
    {"profile.bad-name", ExitCode::kUsage,
     "a name PostgreSQL would not keep as written: empty, control characters, over 63 bytes"},
    {"profile.system-schema", ExitCode::kUsage,
     "the target schema is a system schema (pg_*, information_schema)"},
    {"profile.duplicate-name", ExitCode::kUsage,
     "two objects share one namespace (relations, constraints, queries, experiments)"},
    {"profile.pg-limit", ExitCode::kUsage,
     "past a PostgreSQL limit: 1600 columns, 32 index keys, a row wider than a page"},
    {"profile.unknown-scale", ExitCode::kUsage, "a scale point the profile does not declare"},
    {"profile.unknown-table", ExitCode::kUsage, "a table the profile does not declare"},
    {"profile.unknown-column", ExitCode::kUsage, "a column its table does not declare"},
    {"profile.unknown-query", ExitCode::kUsage, "a transaction step that is not a query"},
    {"profile.unknown-wordlist", ExitCode::kUsage, "a built-in word list that does not exist"},
    {"profile.fk-cycle", ExitCode::kUsage, "foreign keys form a cycle with no nullable edge"},
    {"profile.fk-target", ExitCode::kUsage,
     "a foreign key's parent column is not unique, can be NULL, or has another type"},
    {"profile.bad-copy", ExitCode::kUsage, "a copy column that cannot copy what it names"},
    {"profile.bad-key", ExitCode::kUsage, "a primary key declared twice or not provably unique"},
    {"profile.sql-file", ExitCode::kUsage,
     "an SQL file (ddl, queries, experiments) missing, not a regular file, not SQL text"},
    {"profile.statistics-file", ExitCode::kUsage,
     "the statistics: snapshot file missing, not a regular file, or not a stats snapshot"},
    {"profile.query-params", ExitCode::kUsage,
     "a query's $n placeholders and its params entries do not match one to one"},
    {"profile.bad-pick", ExitCode::kUsage,
     "a parameter pick that is not most_common, rank:k, median, rare, random:k or a literal"},
    {"profile.ddl-mismatch", ExitCode::kUsage, "the profile's own DDL file disagrees with it"},
    {"profile.overlay-conflict", ExitCode::kUsage,
     "the overlay names a table or column the imported profile lacks"},
    {"profile.overlay-missing", ExitCode::kUsage, "the overlay file named does not exist"},
    {"profile.overlay-invalid", ExitCode::kUsage, "the overlay is not a YAML map"},
    {"profile.bad-check", ExitCode::kUsage,
     "a table CHECK over two columns that generated rows could break (only column orders, "
     "a <op> b [+/- constant], are kept)"},
    {"profile.bad-sql", ExitCode::kUsage,
     "SQL in the profile is not what its place allows: one expression or statement, no "
     "transaction control, quotes closed"},
    // Files: exit 1 when pgshape could not write (it may have started), 2 for bad input.
    {"io.write-failed", ExitCode::kRuntime, "a file or directory could not be written"},
    {"io.read-failed", ExitCode::kUsage, "an input file could not be read"},
    {"capture.not-found", ExitCode::kUsage, "the capture directory or a plan file is missing"},
    {"capture.malformed", ExitCode::kUsage, "a capture directory's summary or plan is malformed"},
    // The database: exit 1.
    {"db.connect-failed", ExitCode::kRuntime, "could not connect to the server"},
    {"db.lost-connection", ExitCode::kRuntime, "the connection to the server was lost"},
    {"db.query-failed", ExitCode::kRuntime, "the server refused a statement"},
    {"db.lock-timeout", ExitCode::kRuntime,
     "a statement waited longer than the lock timeout for another session's lock"},
    {"db.transaction-ended", ExitCode::kRuntime,
     "SQL from the profile ended the transaction pgshape ran it in"},
    {"db.exact-stats-unsupported", ExitCode::kUsage,
     "--exact-stats on a server before PostgreSQL 18 (no statistics import); nothing was "
     "written"},
    {"server.no-binaries", ExitCode::kRuntime,
     "no PostgreSQL server binaries for the embedded server"},
    {"server.start-failed", ExitCode::kRuntime, "the embedded server did not start"},
    // Loads and refreshes.
    {"load.failed", ExitCode::kRuntime, "a load failed before its swap; the target is as it was"},
    {"load.lost-connection", ExitCode::kRuntime,
     "the connection was lost during a load; the target is as it was"},
    {"load.commit-in-doubt", ExitCode::kRuntime,
     "the connection was lost while the swap committed; the target holds one whole dataset"},
    {"load.locked", ExitCode::kRuntime, "another load or refresh of the same schema is running"},
    {"load.not-owned", ExitCode::kUsage,
     "the target schema holds objects pgshape did not create (an empty one is adopted)"},
    {"load.dependents", ExitCode::kUsage,
     "objects in other schemas depend on the schema a load would replace"},
    {"load.bad-schema", ExitCode::kUsage,
     "the target schema's name cannot be used (too long, or a system schema)"},
    {"load.not-prepared", ExitCode::kUsage, "a sharded load's tables were not created first"},
    {"load.missing-extension", ExitCode::kUsage,
     "the profile needs an extension the target server does not have"},
    {"refresh.same-database", ExitCode::kUsage, "the refresh target is the statistics source"},
    {"refresh.check-failed", ExitCode::kRuntime, "the reloaded mirror failed its checks"},
    // Statistics import.
    {"stats.no-schema", ExitCode::kUsage, "the source has no such schema"},
    {"stats.bad-snapshot", ExitCode::kUsage, "a saved statistics snapshot is malformed"},
    // Plans.
    {"plan.no-values", ExitCode::kUsage, "a query parameter's column holds no values to pick"},
    {"plan.bad-pick", ExitCode::kUsage, "a parameter pick cannot be resolved"},
    {"plan.query-failed", ExitCode::kRuntime, "a captured query or an experiment failed"},
    {"plan.no-hypopg", ExitCode::kUsage, "--hypothetical needs the hypopg extension"},
    // Load tests.
    {"workload.bad-query", ExitCode::kUsage, "a query pgbench cannot run as written"},
    // The CI gate: exit 3.
    {"gate.tripped", ExitCode::kGate, "a --fail-on gate found a change of a gated kind"},
    // The fidelity check.
    {"fidelity.bad-query", ExitCode::kUsage,
     "a --queries statement cannot be split, is not a query, or fails on the source"},
    {"fidelity.below-threshold", ExitCode::kGate,
     "the fidelity score is below --min-score (or refresh's --min-fidelity)"},
    // Bugs.
    {"internal.bug", ExitCode::kRuntime, "a broken invariant inside pgshape: please report it"},
};

// A declared error code. Built from a string literal, checked at compile time.
class ErrorId {
 public:
  consteval ErrorId(const char* code) : info_(&find(code)) {}  // NOLINT: implicit on purpose
  // For codes read back at run time (tests, JSON); throws std::invalid_argument if undeclared.
  static ErrorId lookup(std::string_view code);
  std::string_view code() const { return info_->code; }
  ExitCode exit() const { return info_->exit; }
  const ErrorCodeInfo& info() const { return *info_; }
  friend bool operator==(ErrorId a, ErrorId b) { return a.info_ == b.info_; }

 private:
  explicit constexpr ErrorId(const ErrorCodeInfo* info) : info_(info) {}
  static consteval const ErrorCodeInfo& find(std::string_view code) {
    for (const auto& info : kErrorCodes)
      if (info.code == code) return info;
    throw "undeclared error code: add it to kErrorCodes in pgshape/error.hpp";
  }
  const ErrorCodeInfo* info_;
};

// One problem found in a profile, positioned in its source file (1-based).
struct Diagnostic {
  std::string code = "profile.invalid";  // a profile.* code of kErrorCodes
  std::string file;
  int line = 0;    // 0 when the position is unknown (e.g. the file is missing)
  int column = 0;  // 0 when only the line is known
  std::string message;
  std::string hint;  // "did you mean 'zipf'?" or how to fix it; may be empty

  // "file:line:column: message" — the form editors and CI logs link to.
  std::string to_string() const;
};

// The base of every error pgshape throws on purpose: a code, a message that
// starts with where (a file, a schema, a query), and an optional hint.
class Error : public std::runtime_error {
 public:
  Error(ErrorId id, const std::string& message, std::string hint = {})
      : std::runtime_error(message), id_(id), hint_(std::move(hint)) {}
  ErrorId id() const { return id_; }
  std::string_view code() const { return id_.code(); }
  ExitCode exit_code() const { return id_.exit(); }
  const std::string& hint() const { return hint_; }

 private:
  ErrorId id_;
  std::string hint_;
};

// A profile that cannot be used. Carries every diagnostic found, not only the first.
class ProfileError : public Error {
 public:
  explicit ProfileError(std::vector<Diagnostic> diagnostics);
  const std::vector<Diagnostic>& diagnostics() const { return diagnostics_; }

 private:
  std::vector<Diagnostic> diagnostics_;
};

// Bad command-line usage or input that is not a profile (exit 2, nothing touched).
class UsageError : public Error {
 public:
  using Error::Error;
};

// A failure talking to PostgreSQL or of the server itself. Keeps the SQLSTATE
// when the server sent one.
class DatabaseError : public Error {
 public:
  DatabaseError(ErrorId id, const std::string& message, std::string hint = {},
                std::string sqlstate = {})
      : Error(id, message, std::move(hint)), sqlstate_(std::move(sqlstate)) {}
  const std::string& sqlstate() const { return sqlstate_; }

 private:
  std::string sqlstate_;
};

// A file pgshape could not write (exit 1) or read.
class IoError : public Error {
 public:
  using Error::Error;
};

// `compare --fail-on` (or explain's) found a change of a kind the user gated on.
class GateTripped : public Error {
 public:
  explicit GateTripped(const std::string& message) : Error("gate.tripped", message) {}
};

// A broken invariant inside pgshape itself: always a bug worth reporting.
class InternalError : public std::logic_error {
 public:
  using std::logic_error::logic_error;
};

}  // namespace pgshape
