// run_refresh: the nightly mirror of production.
//
//   guard    target and source must be different databases (system identifier and
//            database name), checked before anything is written anywhere
//   import   read_stats on the source (read-only session) → profile text
//   merge    the overlay (hand edits) over it, then parse and validate
//   lock     pg_try_advisory_lock on the target for the whole refresh
//   load     load_dataset with keep_previous: staging schema, FK VALIDATE, ANALYZE,
//            then our check (exact row counts, every foreign key validated), then the
//            swap in one transaction keeping <schema>_previous
//   record   the profile (atomically replaced), the stats snapshot, and with --explain
//            the plan capture, each compared with the last refresh's
//
// A kill at any point before the swap's COMMIT leaves the target as it was; the
// staging debris is cleared by the next load. State lives in options.state_dir:
//   stats.json        the last snapshot (for the drift report)
//   capture/          the last plan capture (a capture dir, `pgshape compare` reads it)
//   capture.previous/ the one before
#include <pqxx/pqxx>

#include <fmt/format.h>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "load/sql.hpp"
#include "pgshape/error.hpp"
#include "pgshape/load.hpp"
#include "pgshape/pg.hpp"
#include "pgshape/plan.hpp"
#include "pgshape/profile.hpp"
#include "pgshape/stats.hpp"
#include "stats/internal.hpp"

namespace pgshape {
namespace {

namespace fs = std::filesystem;

std::string read_text(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

// Writes `text` to `path` through a temporary file and a rename: a kill leaves the
// old file or the new one, never half of one.
void write_atomically(const fs::path& path, const std::string& text) {
  const fs::path tmp = path.string() + ".tmp";
  {
    std::ofstream out(tmp, std::ios::binary | std::ios::trunc);
    out << text;
    if (!out) throw std::runtime_error(fmt::format("cannot write {}", tmp.string()));
  }
  fs::rename(tmp, path);
}

bool same_database(const DatabaseIdentity& a, const DatabaseIdentity& b) {
  if (a.database != b.database) return false;
  if (!a.system_identifier.empty() && !b.system_identifier.empty())
    return a.system_identifier == b.system_identifier;
  return a.fallback == b.fallback;  // identifier not readable: same address and port
}

// The refresh's own lock: taken on a session that lives as long as the refresh.
class RefreshLock {
 public:
  RefreshLock(const std::string& dsn, const std::string& schema, bool wait)
      : conn_(dsn), key_("pgshape:refresh:" + schema) {
    pqxx::nontransaction tx(conn_);
    tx.exec0("SET application_name = 'pgshape refresh'");
    bool locked =
        tx.exec_params1("SELECT pg_catalog.pg_try_advisory_lock(pg_catalog.hashtext($1))", key_)[0]
            .as<bool>();
    if (!locked && wait) {
      tx.exec_params("SELECT pg_catalog.pg_advisory_lock(pg_catalog.hashtext($1))", key_);
      locked = true;
    }
    if (!locked)
      throw DatabaseError(
          "load.locked",
          fmt::format("another pgshape refresh of schema '{}' is running on the target", schema),
          "let it finish, or pass --wait to queue behind it");
  }

 private:
  pqxx::connection conn_;  // the session lock ends with it
  std::string key_;
};

// The check between load and swap: the staging schema holds exactly the rows the
// profile asks for, and every foreign key of the profile exists and is validated.
void check_staging(const std::string& dsn, const Profile& profile, const Scale& scale,
                   const std::string& staging, std::vector<std::pair<std::string, int64_t>>& rows) {
  pqxx::connection conn(dsn);
  pqxx::read_transaction tx(conn);
  rows.clear();
  for (const auto& table : profile.tables) {
    const int64_t expected = profile.rows(table, scale);
    const int64_t actual =
        tx.exec1("SELECT count(*) FROM " + qualified(staging, table.name))[0].as<int64_t>();
    if (actual != expected)
      throw DatabaseError("refresh.check-failed",
                          fmt::format("refresh check failed: {} has {} rows, the profile asks "
                                      "for {}; the previous dataset stays in place",
                                      table.name, actual, expected));
    rows.emplace_back(table.name, actual);
  }
  size_t wanted = 0;
  for (const auto& table : profile.tables)
    for (const auto& c : table.columns) wanted += c.ref ? 1 : 0;
  auto fks = tx.exec_params1(
      "SELECT count(*), count(*) FILTER (WHERE NOT con.convalidated) "
      "FROM pg_catalog.pg_constraint con "
      "JOIN pg_catalog.pg_class c ON c.oid = con.conrelid "
      "JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace "
      "WHERE con.contype = 'f' AND n.nspname = $1",
      staging);
  if (fks[0].as<size_t>() != wanted || fks[1].as<size_t>() != 0)
    throw DatabaseError("refresh.check-failed",
                        fmt::format("refresh check failed: {} of {} foreign keys in place, {} "
                                    "not validated; the previous dataset stays in place",
                                    fks[0].as<size_t>(), wanted, fks[1].as<size_t>()));
}

}  // namespace

RefreshResult run_refresh(const RefreshOptions& options) {
  const auto started = std::chrono::steady_clock::now();
  if (options.profile_path.empty())
    throw UsageError("usage.bad-option", "refresh needs the PROFILE path to write");
  if (options.source_dsn.empty())
    throw UsageError(
        "usage.bad-option",
        "refresh needs --source DSN (the production database to read statistics from)");
  if (options.target_dsn.empty())
    throw UsageError("usage.no-target", "refresh needs --dsn TARGET (the mirror database to load)");
  const fs::path profile_path(options.profile_path);
  const fs::path state_dir =
      options.state_dir.empty()
          ? profile_path.parent_path() / (profile_path.stem().string() + ".refresh")
          : fs::path(options.state_dir);
  const std::string overlay = options.overlay_path.empty()
                                  ? default_overlay_path(options.profile_path)
                                  : options.overlay_path;
  if (!options.overlay_path.empty() && !fs::exists(overlay))
    throw UsageError("profile.overlay-missing",
                     fmt::format("overlay file '{}' does not exist", overlay));

  // Guard first: nothing is written anywhere if the target is the source.
  DatabaseIdentity source_id;
  {
    pqxx::connection source(options.source_dsn);
    stats::make_session_read_only(source, "pgshape refresh (source)");
    source_id = stats::database_identity(source);
  }
  {
    pqxx::connection target(options.target_dsn);
    if (same_database(source_id, stats::database_identity(target)))
      throw UsageError(
          "refresh.same-database",
          fmt::format("the target is the source (database '{}' on the same server): refusing to "
                      "write to the database statistics are read from",
                      source_id.database),
          "point --dsn at the mirror database, not at production");
  }

  RefreshResult result;
  StatsSnapshot snapshot =
      read_stats(options.source_dsn, StatsOptions{.schema = options.source_schema,
                                                  .tables = options.tables,
                                                  .redact = options.redact});
  const std::string imported = render_profile(
      snapshot,
      ImportOptions{.name = profile_path.stem().string(), .seed = options.seed.value_or(1)},
      &result.notes);
  const std::string merged = fs::exists(overlay) ? merge_overlay(imported, overlay) : imported;
  std::string base = profile_path.parent_path().string();
  const Profile profile =
      parse_profile(merged,
                    fs::exists(overlay) ? options.profile_path + " (with overlay " + overlay + ")"
                                        : options.profile_path + " (as imported)",
                    base.empty() ? "." : base);
  const Scale* scale = profile.find_scale(options.scale);
  if (!scale)
    throw UsageError("usage.unknown-scale",
                     fmt::format("the profile has no scale point '{}'", options.scale),
                     "refresh loads 'production' (the observed row counts) or 'test'");
  result.schema = options.target_schema.empty() ? profile.schema : options.target_schema;

  RefreshLock lock(options.target_dsn, result.schema, options.wait);
  LoadOptions load{.scale = scale->name,
                   .schema = result.schema,
                   .seed = options.seed,
                   .jobs = options.jobs,
                   .wait = options.wait,
                   .keep_previous = true};
  load.check_staging = [&](const std::string& staging) {
    check_staging(options.target_dsn, profile, *scale, staging, result.rows);
  };
  load_dataset(profile, options.target_dsn, load);

  // The target now holds the new dataset: record what it was made from.
  fs::create_directories(state_dir);
  write_atomically(profile_path, imported);
  const fs::path stats_file = state_dir / "stats.json";
  if (fs::exists(stats_file))
    result.drift = stats_drift(snapshot_from_json(read_text(stats_file)), snapshot);
  write_atomically(stats_file, snapshot_to_json(snapshot));

  if (options.explain) {
    result.explained = true;
    pqxx::connection conn(options.target_dsn);
    {
      pqxx::nontransaction tx(conn);
      tx.exec0("SET search_path = " + quote_ident(result.schema));
    }
    ScaleContext context{result.schema, scale->name, table_row_counts(conn, result.schema)};
    CaptureSet set;
    set.captures = capture_scale(conn, context, profile.queries, {},
                                 CaptureOptions{.runs = options.runs, .seed = profile.seed});
    set.meta.profile = profile.name;
    set.meta.schema = result.schema;
    set.meta.seed = profile.seed;
    set.meta.runs = options.runs;
    set.meta.pgshape_version = PGSHAPE_VERSION;
    set.meta.scales.emplace_back(scale->name, context.table_rows);
    for (const auto& q : profile.queries) set.meta.queries.emplace_back(q.name, q.sql);
    const fs::path last = state_dir / "capture";
    const fs::path fresh = state_dir / "capture.new";
    fs::remove_all(fresh);
    write_capture_dir(fresh.string(), set);
    if (fs::exists(last / "summary.json")) {
      result.had_previous_capture = true;
      CaptureSet before = read_capture_dir(last.string());
      CompareResult diff = compare_captures(before.captures, set.captures);
      diff.label_a = "last refresh";
      diff.label_b = "this refresh";
      result.plans = std::move(diff);
      fs::remove_all(state_dir / "capture.previous");
      fs::rename(last, state_dir / "capture.previous");
    }
    fs::remove_all(last);
    fs::rename(fresh, last);
    result.capture_dir = last.string();
  }
  result.seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
  return result;
}

}  // namespace pgshape
