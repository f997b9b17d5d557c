// Loading a profile's dataset into PostgreSQL: DDL, generated rows by COPY,
// keys and indexes after the data, ANALYZE — built in a staging schema and
// swapped in atomically, so a failure leaves the previous dataset as it was.
#pragma once

#include <cstddef>
#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "pgshape/gen.hpp"
#include "pgshape/profile.hpp"

namespace pgshape {

// The phases of a load, in the order they begin. They overlap: a table's
// indexes start as soon as its own COPY is done, while others still copy.
enum class LoadPhase : uint8_t {
  kCopy,      // units: tables
  kIndexes,   // units: CREATE INDEX statements (primary and unique keys' too)
  kKeys,      // units: constraints: primary and unique keys adopting their index, foreign keys
              // added NOT VALID
  kAnalyze,   // units: tables
  kValidate,  // units: foreign keys validated
  kSwap,      // units: 1, the staging schema swapped in
};
inline constexpr size_t kLoadPhaseCount = 6;

// What a load tells its caller as it goes (LoadOptions::on_progress): a task of
// a phase started or finished, or rows streamed by a COPY. Calls come from the
// loader threads one at a time (never two at once); a kRows report is skipped
// while another call is running, and the counters are cumulative, so nothing
// is lost. The callback must be cheap: COPY threads wait for it.
struct LoadProgress {
  enum class Event : uint8_t { kRows, kStarted, kFinished };
  Event event = Event::kRows;
  LoadPhase phase = LoadPhase::kCopy;
  std::string object;  // the table, index or constraint(s) this task works on
  int64_t units = 1;   // how many of the phase's units this task is
  int64_t done = 0;    // units of `phase` finished so far (this one included when kFinished)
  int64_t total = 0;   // units of `phase` in this load
  double seconds = 0;  // kFinished: how long this task took
  int64_t rows = 0;    // kFinished of a COPY: the rows it wrote
  uint64_t bytes = 0;  // kFinished of a COPY: the bytes it sent
  // COPY over every table, in every event.
  std::string table;      // kRows: the table that reported
  int64_t rows_done = 0;  // kRows: of that table
  int64_t rows_total = 0;
  int64_t all_done = 0;  // rows over every table
  int64_t all_total = 0;
  uint64_t all_bytes = 0;  // COPY payload sent over every table
};

struct LoadOptions {
  std::string scale;             // empty: the profile's default scale point
  std::string schema;            // empty: the profile's schema
  std::optional<uint64_t> seed;  // empty: the profile's seed
  int jobs = 2;                  // connections loading at once
  bool force = false;            // replace a schema that pgshape did not create
  bool wait = false;  // wait for another load of the same schema, and for locks, instead of failing
  // How long a statement waits for another session's lock (the swap's DROP SCHEMA
  // behind a reader of the old tables, say) before the load fails naming that
  // session (db.lock-timeout); ignored with `wait`, which waits as long as it takes.
  int lock_timeout_ms = 10'000;
  bool keep_previous = false;  // keep the replaced dataset as <schema>_previous (refresh)
  // Called with the staging schema's name after ANALYZE and before the swap (refresh's
  // check); throwing aborts the load with the target untouched. Empty: no check.
  std::function<void(const std::string& staging_schema)> check_staging;
  std::function<void(const LoadProgress&)> on_progress;  // empty: none (see LoadProgress)
  // Binary COPY (the server skips text parsing); false: text COPY, the fallback.
  bool binary_copy = true;
  // Sharded loading (--shard K/N), N processes or machines filling one dataset:
  //   1. mode kPrepare once: the target schema with its empty tables, swapped in;
  //   2. mode kAppend with shard_index = K-1 of shard_count = N, N times, at once:
  //      COPYs only slice K of every table into the existing tables, appending
  //      (no staging, no FREEZE, no keys); the N slices are disjoint, and their
  //      union is byte-identical to an unsharded load's rows;
  //   3. mode kFinish once: keys, indexes, foreign keys and ANALYZE in place.
  enum class Mode : uint8_t { kFull, kPrepare, kAppend, kFinish };
  Mode mode = Mode::kFull;
  int shard_index = 0;  // 0-based; only with kAppend
  int shard_count = 1;
};

struct TableLoadStats {
  std::string table;
  int64_t rows = 0;
  uint64_t bytes = 0;  // COPY payload sent
  double seconds = 0;  // generating + COPY of this table
};

// A shape figure the load achieved, as the planner sees it after ANALYZE.
struct ShapeStat {
  std::string table;
  std::string column;
  std::string measure;  // e.g. "top 3 share", "top category share", "true share"
  double expected = 0;
  double achieved = 0;
};

struct LoadResult {
  std::string schema;
  std::string scale;
  uint64_t seed = 0;
  int jobs = 0;
  std::vector<TableLoadStats> tables;  // in load order
  // The kinds of work overlap (a table's indexes start as soon as its own COPY
  // is done), so each is said by when it was finished, in seconds since the
  // first COPY started; the COPYs start together, so copy_seconds is their span.
  double copy_seconds = 0;
  double indexes_done_at = 0;  // indexes, primary and unique keys
  double analyze_done_at = 0;
  double foreign_keys_done_at = 0;  // added NOT VALID, then validated
  double total_seconds = 0;
  std::vector<ShapeStat> shape;
};

// Loads `profile` at `options.scale` into `options.schema` on the server at `dsn`.
// Throws UsageError (unknown scale, schema not owned by pgshape without force,
// a system schema, load.dependents: objects in other schemas depend on one it
// would drop), ProfileError (the user's DDL disagrees with the profile),
// DatabaseError (db.lock-timeout naming the blocking session, load.failed, ...).
// On any failure the target schema is left exactly as it was.
LoadResult load_dataset(const Profile& profile, const std::string& dsn, const LoadOptions& options);

// What `load --dry-run` prints: the SQL a kFull load of `profile` with
// `options` would run, built by the same statement builders, as a script psql
// can run (it creates the tables, keys and indexes, empty: the COPYs are
// comments with their row counts). Connects to nothing. Throws UsageError
// (unknown scale, load.bad-schema) as load_dataset would.
struct LoadScript {
  struct TableRows {
    std::string table;
    int64_t rows = 0;
  };
  std::string schema;
  std::string scale;
  uint64_t seed = 0;
  std::vector<TableRows> tables;  // profile order
  std::string sql;
};
LoadScript load_script(const Profile& profile, const LoadOptions& options);

// ---------------------------------------------------------------------------
// The same rows written to files instead (`generate`): fixtures, other
// databases, the benchmark's ceiling. Each table's file is one RowStream, as
// each table's COPY is; the tables run on the load's task runner.

struct GenerateOptions {
  std::string scale;             // empty: the profile's default scale point
  std::optional<uint64_t> seed;  // empty: the profile's seed
  RowFormat format = RowFormat::kCopyText;
  std::string out;                  // a directory (created if missing), or "-" for stdout
  std::vector<std::string> tables;  // empty: every table, in profile order
  int shard_index = 0;              // write only slice shard_index of shard_count
  int shard_count = 1;
  bool shard_names = false;  // files are named <table>.K-of-N.<ext>
  int jobs = 2;              // tables written at once (stdout: one after another)
};

struct GeneratedFile {
  std::string table;
  std::string path;  // "-" for stdout
  int64_t rows = 0;
  uint64_t bytes = 0;
  double seconds = 0;  // generating, encoding and writing this table
};

struct GenerateResult {
  std::vector<GeneratedFile> files;  // in the order of the tables chosen
  double seconds = 0;
};

// The extension of a format's files: "copy", "pgcopy" or "csv".
std::string_view file_extension(RowFormat format);

// Writes the chosen tables of `profile` to files in `options.out`, each under a
// temporary name in the same directory, renamed over <table>.<ext> once every
// table is written: on success every file is new; on any failure no partial
// file is left and files already there are as they were. Throws UsageError
// (unknown scale or table), IoError "io.write-failed" naming the file that
// failed (a full disk, a directory that cannot be written), InternalError for a
// value that does not fit its column.
GenerateResult generate_files(const Profile& profile, const GenerateOptions& options);

}  // namespace pgshape
