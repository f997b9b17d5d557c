// `pgshape refresh PROFILE --source DSN`: the nightly mirror of production.
//
//   guard    target and source must be different databases (system identifier and
//            database name), checked before anything is written anywhere
//   import   read_stats on the source (read-only session) → profile text
//   merge    the overlay (hand edits) over it, then parse and validate
//   lock     pg_try_advisory_lock on the target for the whole refresh
//   load     load_dataset with keep_previous: staging schema, FK VALIDATE, ANALYZE,
//            then our check (exact row counts, every foreign key validated), then the
//            swap in one transaction keeping <schema>_previous; with --exact-stats
//            the snapshot just read is written onto the staging tables before it
//   record   the profile (atomically replaced), the stats snapshot, and with --explain
//            the plan capture, each compared with the last refresh's
//   score    with --min-fidelity: measure_fidelity of the new mirror against the
//            source (read-only there), the gate set when the score is below it
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

#include "app/internal.hpp"
#include "pgshape/app.hpp"
#include "pgshape/error.hpp"
#include "pgshape/fidelity.hpp"
#include "pgshape/load.hpp"
#include "pgshape/pg.hpp"
#include "pgshape/plan.hpp"
#include "pgshape/profile.hpp"
#include "pgshape/stats.hpp"

namespace pgshape {
namespace {

namespace fs = std::filesystem;

std::string read_text(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

// The refresh's own lock: taken on a session that lives as long as the refresh.
class RefreshLock {
 public:
  RefreshLock(const std::string& dsn, const std::string& schema, bool wait)
      : conn_(app::connect(dsn, "--dsn (the mirror database)")), key_("pgshape:refresh:" + schema) {
    pqxx::nontransaction tx(*conn_);
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
  std::unique_ptr<pqxx::connection> conn_;  // the session lock ends with it
  std::string key_;
};

// The check between load and swap: the staging schema holds exactly the rows the
// profile asks for, and every foreign key of the profile exists and is validated.
void check_staging(const std::string& dsn, const Profile& profile, const Scale& scale,
                   const std::string& staging, std::vector<std::pair<std::string, int64_t>>& rows) {
  auto conn = app::connect(dsn, "--dsn (the mirror database)");
  pqxx::read_transaction tx(*conn);
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

// Refuses a target that is the source before anything is written anywhere.
// Returns where the target's connection landed.
ConnectionPlace guard(const RefreshCommand& c, const std::string& target) {
  app::connect(c.source, "--source (the statistics source)", SessionKind::kSource);
  const ConnectionPlace place = app::place_of(*app::connect(target, "--dsn (the mirror database)"));
  const DatabaseIdentity source = identify_database(c.source);
  if (same_database(source, identify_database(target)))
    throw UsageError(
        "refresh.same-database",
        fmt::format("the target is the source (database '{}' on the same server): refusing to "
                    "write to the database statistics are read from",
                    source.database),
        "point --dsn at the mirror database, not at production");
  return place;
}

struct Imported {
  StatsSnapshot snapshot;
  std::string text;  // the profile as imported, before the overlay
  Profile profile;   // with the overlay merged, validated
};

Imported import_profile(const RefreshCommand& c, const std::string& overlay,
                        std::vector<std::string>& notes) {
  const fs::path profile_path(c.profile);
  Imported in;
  in.snapshot = read_stats(
      c.source, StatsOptions{.schema = c.source_schema, .tables = c.tables, .redact = c.redact});
  in.text = render_profile(
      in.snapshot, ImportOptions{.name = profile_path.stem().string(), .seed = c.seed.value_or(1)},
      &notes);
  const bool merging = fs::exists(overlay);
  const std::string merged = merging ? merge_overlay(in.text, overlay) : in.text;
  const std::string base = profile_path.parent_path().string();
  in.profile = parse_profile(
      merged,
      merging ? c.profile + " (with overlay " + overlay + ")" : c.profile + " (as imported)",
      base.empty() ? "." : base);
  return in;
}

// With --explain: the overlay's queries captured on the new dataset, compared with
// the last refresh's capture, which is kept as capture.previous.
void capture_and_compare(const RefreshCommand& c, const std::string& target, const Profile& profile,
                         const std::string& scale, const fs::path& state_dir,
                         RefreshOutcome& outcome) {
  outcome.explained = true;
  auto conn = app::connect(target, "--dsn (the mirror database)");
  {
    pqxx::nontransaction tx(*conn);
    tx.exec0("SET search_path = " + quote_ident(outcome.schema));
  }
  ScaleContext context{outcome.schema, scale, table_row_counts(*conn, outcome.schema)};
  CaptureSet set;
  set.captures = capture_scale(
      *conn, context, profile.queries, {},
      CaptureOptions{
          .runs = c.runs, .seed = profile.seed, .lock_timeout_ms = c.wait ? 0 : c.lock_timeout_ms});
  set.meta.profile = profile.name;
  set.meta.schema = outcome.schema;
  set.meta.seed = profile.seed;
  set.meta.runs = c.runs;
  set.meta.pgshape_version = PGSHAPE_VERSION;
  set.meta.scales.emplace_back(scale, context.table_rows);
  for (const auto& q : profile.queries) set.meta.queries.emplace_back(q.name, q.sql);
  const fs::path last = state_dir / "capture";
  const fs::path fresh = state_dir / "capture.new";
  fs::remove_all(fresh);
  app::writing_files([&] { write_capture_dir(fresh.string(), set); });
  if (fs::exists(last / "summary.json")) {
    outcome.had_previous_capture = true;
    CaptureSet before = read_capture_dir(last.string());
    CompareResult diff = compare_captures(before.captures, set.captures);
    diff.label_a = "last refresh";
    diff.label_b = "this refresh";
    outcome.plans = std::move(diff);
    fs::remove_all(state_dir / "capture.previous");
    fs::rename(last, state_dir / "capture.previous");
  }
  fs::remove_all(last);
  fs::rename(fresh, last);
  outcome.capture_dir = last.string();
}

RefreshOutcome refresh(const RefreshCommand& c) {
  const auto started = std::chrono::steady_clock::now();
  if (c.profile.empty())
    throw UsageError("usage.missing-argument", "refresh needs the PROFILE path to write");
  if (c.source.empty())
    throw UsageError("usage.missing-argument",
                     "refresh needs --source DSN (the production database to read statistics "
                     "from)");
  // The same order as every other command (pg.hpp's user_target), without the
  // embedded fallback.
  const std::optional<UserTarget> user = user_target(c.target);
  if (!user)
    throw UsageError("usage.no-target",
                     "refresh needs a target: --dsn, DATABASE_URL or the PG* variables "
                     "(PGHOST, PGDATABASE, PGSERVICE, ...)",
                     "an embedded throwaway server would be gone by morning");
  if (!c.min_fidelity && !c.queries_file.empty())
    throw UsageError("usage.bad-option", "refresh reads --queries only with --min-fidelity",
                     "add --min-fidelity N (0 to score without a gate)");
  // Parsed before any connection: a bad query file is exit 2, nothing touched.
  const std::vector<FidelityQuery> fidelity_queries =
      c.min_fidelity ? read_query_file(c.queries_file) : std::vector<FidelityQuery>{};
  const fs::path profile_path(c.profile);
  const fs::path state_dir =
      c.state_dir.empty() ? profile_path.parent_path() / (profile_path.stem().string() + ".refresh")
                          : fs::path(c.state_dir);
  const std::string overlay = c.overlay.empty() ? default_overlay_path(c.profile) : c.overlay;
  if (!c.overlay.empty() && !fs::exists(overlay))
    throw UsageError("profile.overlay-missing",
                     fmt::format("overlay file '{}' does not exist", overlay));

  const std::string& target = user->dsn;
  RefreshOutcome outcome;
  outcome.target.source = user->source;
  outcome.target.label = describe_dsn(target);
  outcome.target.place = guard(c, target);
  const Imported in = import_profile(c, overlay, outcome.notes);
  const Scale& scale = app::require_scale(in.profile, c.scale);
  if (c.exact_stats) app::check_exact_stats_scale(scale);
  outcome.schema = c.schema.empty() ? in.profile.schema : c.schema;

  RefreshLock lock(target, outcome.schema, c.wait);
  LoadOptions load{.scale = scale.name,
                   .schema = outcome.schema,
                   .seed = c.seed,
                   .jobs = c.jobs,
                   .wait = c.wait,
                   .lock_timeout_ms = c.lock_timeout_ms,
                   .keep_previous = true};
  load.on_progress = c.on_load_progress;
  load.check_staging = [&](const std::string& staging) {
    check_staging(target, in.profile, scale, staging, outcome.rows);
  };
  // The snapshot just read, not the last one on disk: the statistics of this night.
  if (c.exact_stats) app::restore_before_swap(load, target, in.snapshot, outcome.exact_stats);
  load_dataset(in.profile, target, load);

  // The target now holds the new dataset: record what it was made from.
  fs::create_directories(state_dir);
  app::write_file_atomically(profile_path, in.text);
  const fs::path stats_file = state_dir / "stats.json";
  if (fs::exists(stats_file))
    outcome.drift = stats_drift(snapshot_from_json(read_text(stats_file)), in.snapshot);
  app::write_file_atomically(stats_file, snapshot_to_json(in.snapshot));
  if (c.explain) capture_and_compare(c, target, in.profile, scale.name, state_dir, outcome);
  if (c.min_fidelity) {
    outcome.fidelity = measure_fidelity(c.source, target,
                                        FidelityOptions{.source_schema = c.source_schema,
                                                        .schema = outcome.schema,
                                                        .tables = c.tables,
                                                        .queries = fidelity_queries,
                                                        // Without --queries: the overlay's own
                                                        // queries, with their picks.
                                                        .profile_queries = in.profile.queries,
                                                        .profile_file = c.profile,
                                                        .seed = in.profile.seed});
    outcome.fidelity_gate = fidelity_gate(*outcome.fidelity, c.min_fidelity, "--min-fidelity");
  }
  outcome.seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
  return outcome;
}

}  // namespace

RefreshOutcome run_refresh(const RefreshCommand& command) {
  return app::translating_errors([&] { return refresh(command); });
}

}  // namespace pgshape
