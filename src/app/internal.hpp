// Internal to src/app: what the command files share — the one place where
// libpqxx and filesystem exceptions become pgshape errors, connecting with a
// clear "could not connect", the target's description, and small file helpers.
// Owned by the app module.
#pragma once

#include <pqxx/pqxx>

#include <filesystem>
#include <memory>
#include <stdexcept>
#include <string>
#include <string_view>
#include <utility>

#include "pgshape/app.hpp"
#include "pgshape/error.hpp"
#include "pgshape/pg.hpp"
#include "pgshape/profile.hpp"
#include "pgshape/session.hpp"

namespace pgshape::app {

// Rethrows the exception being handled as a pgshape error: pgshape errors and
// InternalError as they are; a lost connection as db.lost-connection, a statement
// the server refused as db.query-failed (keeping its SQLSTATE), a filesystem failure
// as io.write-failed. Anything else is rethrown unchanged (main calls it a bug).
// Call only from inside a catch block.
[[noreturn]] void rethrow_translated();

// Runs a command's body with its exceptions translated: every run_* wraps its body.
template <class Body>
auto translating_errors(Body&& body) -> decltype(body()) {
  try {
    return body();
  } catch (...) {
    rethrow_translated();
  }
}

// Runs `body`, which writes files through a library call that reports failure as a
// plain std::runtime_error naming the file (the plan module's writers): that
// becomes IoError io.write-failed (exit 1). pgshape errors pass unchanged.
template <class Body>
auto writing_files(Body&& body) -> decltype(body()) {
  try {
    return body();
  } catch (const Error&) {
    throw;
  } catch (const std::runtime_error& e) {
    throw IoError("io.write-failed", e.what(), "check the directory is writable and has space");
  }
}

// A connection to `dsn`, or DatabaseError db.connect-failed saying
// "could not connect to <dsn, password redacted>: <libpq's reason>". `role` names
// the database in the hint ("the target", "the statistics source"); `kind` pins the
// session as session.hpp says.
std::unique_ptr<pqxx::connection> connect(const std::string& dsn, std::string_view role,
                                          SessionKind kind = SessionKind::kTarget);

// Where a live connection landed (libpq's PQhost, PQport, PQdb, PQuser).
ConnectionPlace place_of(pqxx::connection& conn);

// A target and where the connection that proved it reachable landed: what the
// command names as the place it wrote.
struct OpenedTarget {
  Target target;
  ConnectionPlace place;
};
// Opens the target (pg.hpp's order: --dsn, $DATABASE_URL, the PG* variables, else an
// embedded server) and proves it accepts a connection before any work starts.
OpenedTarget open_target(const TargetOptions& options);
// What the outcome says about the target after the command.
TargetInfo describe_target(const OpenedTarget& opened, bool keep);

// A libpq key=value conninfo as a postgresql:// URI (percent-encoded, sockets as
// ?host=). The embedded server's conninfo has no password; any other key is kept.
std::string conninfo_to_uri(const std::string& conninfo);

// A hint for a name that is not one of `names`: "did you mean 'x'? its <what>: a, b".
std::string did_you_mean(const std::string& word, const std::vector<std::string_view>& names,
                         std::string_view what);

// The scale point `name` (empty: the profile's default), or usage.unknown-scale
// naming the profile's scale points. `flag` says where the name came from.
const Scale& require_scale(const Profile& profile, const std::string& name,
                           std::string_view flag = "--scale");

// --exact-stats (app/exact_stats.cpp). The scale point production's statistics
// describe, as `pgshape stats` names it.
inline constexpr std::string_view kExactStatsScale = "production";
// usage.exact-stats unless `scale` is production.
void check_exact_stats_scale(const Scale& scale);
// The profile's snapshot, or usage.exact-stats (none, another scale, a sharded step).
StatsSnapshot exact_stats_snapshot(const Profile& profile, const Scale& scale,
                                   const LoadOptions& load);
// Refuses a server before 18 (db.exact-stats-unsupported) now, then makes
// load.check_staging (after its own check, if any) restore `snapshot` into the
// staging schema, the counts into `result`, which with `snapshot` must outlive the load.
void restore_before_swap(LoadOptions& load, const std::string& dsn, const StatsSnapshot& snapshot,
                         std::optional<ExactStatsResult>& result);

// Writes `text` to `path` through a temporary file renamed over it: a failure
// leaves the old file (or none), never half of one. Throws IoError io.write-failed.
void write_file_atomically(const std::filesystem::path& path, const std::string& text);

// Change kinds for --fail-on, each item one kind. Throws UsageError for an unknown one.
std::vector<ChangeKind> change_kinds(const std::vector<std::string>& names);
// The gate's verdict over `comparisons`: "" when no gated kind shows, else why.
std::string gate_verdict(std::string_view command, const std::vector<ChangeKind>& gated,
                         const std::vector<CompareResult>& comparisons);

}  // namespace pgshape::app
