// The app module: every pgshape command's orchestration, as a library call that
// returns a value — and the one table that declares every command-line flag.
//
// Each command is `<Command>Outcome run_<command>(const <Command>Command&)`: a plain
// options struct in (a commented default per field; tests build them with designated
// initializers), a result value out. Nothing here prints: src/cli parses flags into
// the struct, calls the function and renders the outcome as text or JSON.
//
// Failures are pgshape errors (include/pgshape/error.hpp) and nothing else: libpqxx
// and filesystem exceptions are translated at one place in src/app/app.cpp
// (db.connect-failed, db.lost-connection, db.query-failed, io.write-failed), so a
// caller catches `pgshape::Error` (plus InternalError for bugs).
//
// Owned by the app module (src/app). Layers: app uses everything below it (load,
// plan, stats, workload, ...); only src/cli uses app.
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "pgshape/fidelity.hpp"
#include "pgshape/load.hpp"
#include "pgshape/pg.hpp"
#include "pgshape/plan.hpp"
#include "pgshape/profile.hpp"
#include "pgshape/stats.hpp"
#include "pgshape/workload.hpp"

namespace pgshape {

// ---------------------------------------------------------------------------
// Where a command's data goes, in libpq's conventions (pg.hpp's user_target and
// Target): `dsn` when --dsn was given (also ""), then $DATABASE_URL, then libpq's
// defaults when a PG* variable names a server or database, then an embedded
// throwaway server.

struct TargetOptions {
  std::optional<std::string> dsn;  // --dsn; nullopt: not given ("" is libpq's defaults)
  bool keep = false;               // --keep: leave the embedded server running at exit
  std::string
      pg_bin;  // --pg-bin: the embedded server's binaries; empty: $PGSHAPE_PG_BIN, else found
};

// What a command says about its target once it is done: where it wrote.
struct TargetInfo {
  bool embedded = false;                          // pgshape started its own server
  bool kept = false;                              // embedded and kept running (--keep)
  TargetSource source = TargetSource::kEmbedded;  // what named the target
  ConnectionPlace place;     // where the command's connection landed (host, port, dbname, user)
  std::string label;         // the DSN as a message may show it (password redacted)
  std::string dsn;           // kept: the key=value conninfo of the kept server
  std::string uri;           // kept: the same as a postgresql:// URI (for DATABASE_URL)
  std::string connect_hint;  // kept: how to connect and how to stop it
};

// "--dsn", "DATABASE_URL", "PG* variables" or "embedded": what named a target.
std::string_view to_string(TargetSource source);

// `--seed`, `--jobs` and friends that several commands share are plain fields of each
// command's struct below: a command has exactly the fields it uses.

// ---------------------------------------------------------------------------
// validate PROFILE

struct ValidateCommand {
  std::string profile;  // the profile's path
  std::string overlay;  // empty: PROFILE's stem + .overlay.yaml, when that exists
};
struct ValidateOutcome {
  Profile profile;  // valid (problems are thrown as ProfileError, every one of them)
};
ValidateOutcome run_validate(const ValidateCommand& command);

// ---------------------------------------------------------------------------
// load PROFILE

struct LoadCommand {
  std::string profile;
  std::string overlay;   // as ValidateCommand::overlay
  TargetOptions target;  // where to load
  // scale, schema, seed, jobs (2), force, wait, binary_copy (true), the shard mode,
  // on_progress: passed to load_dataset as they are.
  LoadOptions load;
  // Production's planner statistics (the profile's statistics: snapshot) written
  // onto the staging tables after ANALYZE, before the swap. Refused (exit 2, before
  // anything is written) without a snapshot, at a scale point other than
  // production, with --shard/--prepare/--finish, and on servers before 18.
  bool exact_stats = false;
  // Only the SQL the load would run (load_script): the profile checked, nothing
  // connected to, no server started. Not with the shard modes.
  bool dry_run = false;
};
struct LoadOutcome {
  LoadResult result;
  TargetInfo target;
  std::optional<ExactStatsResult> exact_stats;  // with exact_stats
  std::optional<LoadScript> script;             // set by a dry run, which has no result or target
};
// Reads the profile (exit 2 before any connection when it is bad), opens the target,
// checks it can connect (db.connect-failed: "could not connect to <dsn>: <reason>"),
// then load_dataset. On failure the target schema is as it was.
LoadOutcome run_load(const LoadCommand& command);

// ---------------------------------------------------------------------------
// explain PROFILE: the scale-point sweep

// Where a sweep is, for progress lines.
struct ExplainProgress {
  enum class Step : uint8_t { kLoading, kLoaded, kCapturing };
  Step step = Step::kLoading;
  std::string scale;
  std::string schema;
  const LoadResult* loaded = nullptr;  // kLoaded only: what that scale point's load did
};

struct ExplainCommand {
  std::string profile;
  std::string overlay;
  std::vector<std::string> scales;   // empty: every scale point, in profile order
  std::string out;                   // empty: pgshape-out/<profile name>
  int runs = 5;                      // measured EXPLAIN ANALYZE runs per plan, after a warm-up
  bool hypothetical = false;         // CREATE INDEX experiments as hypopg indexes
  std::vector<std::string> fail_on;  // change kinds that trip the gate (compare's names)
  TargetOptions target;
  std::string schema;                                       // empty: the profile's
  std::optional<uint64_t> seed;                             // empty: the profile's
  int jobs = 2;                                             // connections loading at once
  std::function<void(const ExplainProgress&)> on_progress;  // empty: none
  // Each scale point's load, as LoadOptions::on_progress (between kLoading and kLoaded).
  std::function<void(const LoadProgress&)> on_load_progress;
  // --pg-bin, repeatable: one embedded server per directory. With two or more the
  // sweep runs on each (into OUT/pg<major>) and the first server's captures are
  // compared with each other's: the plans an upgrade changes.
  std::vector<std::string> pg_bins;
};
struct CompareOutcome;
struct ExplainOutcome {
  std::string capture_dir;  // summary.json and plans/ in it
  std::string report_html;  // report.md beside it
  ReportInput report;       // what the reports show: sets and the sweep's comparisons
  std::string gate;         // non-empty: the --fail-on gate tripped, and why
  std::string schema;       // where each scale point was loaded
  TargetInfo target;
  // Two or more --pg-bin: each server's sweep (`servers`, in --pg-bin order; the
  // fields above are then the first server's), and the first server's captures
  // compared with each of the others' (`across_servers[i]` is servers[0] vs [i+1]).
  std::vector<ExplainOutcome> servers;
  std::vector<CompareOutcome> across_servers;
};
ExplainOutcome run_explain(const ExplainCommand& command);

// ---------------------------------------------------------------------------
// compare DIR_A DIR_B

struct CompareCommand {
  std::string dir_a;
  std::string dir_b;
  std::string out;                   // empty: DIR_B/compare-<name of DIR_A>
  std::vector<std::string> fail_on;  // change kinds that trip the gate
};
struct CompareOutcome {
  CompareResult result;
  ReportInput report;
  std::string report_html;
  std::string gate;  // non-empty: the gate tripped, and why
};
CompareOutcome run_compare(const CompareCommand& command);

// ---------------------------------------------------------------------------
// stats --source DSN

struct StatsCommand {
  std::string source;           // the database whose planner statistics are read
  StatsOptions stats;           // source schema ("public"), tables, redact
  std::string out;              // the profile file to write; empty: only returned
  std::string name;             // empty: the out file's stem, else <database>_mirror
  uint64_t seed = 1;            // the profile's seed
  double test_fraction = 0.01;  // the `test` scale point's rows / production's
};
struct StatsOutcome {
  StatsSnapshot snapshot;
  std::string profile_text;        // the profile (YAML), also written to `out` when given
  std::vector<std::string> notes;  // what the import could not reproduce
  // With `out` X.yaml: the snapshot as written beside it (X.stats.json, before the
  // profile, which names it in statistics: for load --exact-stats).
  std::string statistics_file;
};
StatsOutcome run_stats(const StatsCommand& command);

// ---------------------------------------------------------------------------
// refresh PROFILE --source DSN: the nightly mirror

struct RefreshCommand {
  std::string profile;  // the imported profile refresh (re)writes
  std::string overlay;  // empty: PROFILE's stem + .overlay.yaml
  std::string source;   // production: where statistics are read
  // The mirror: --dsn when given (nullopt: not given), else $DATABASE_URL, else libpq's
  // defaults when a PG* variable names a server; never an embedded server.
  std::optional<std::string> target;
  std::string source_schema = "public";
  std::vector<std::string> tables;  // empty: every table of the source schema
  std::string schema;               // the target schema; empty: the profile's
  std::string scale = "production";
  bool redact = false;
  bool explain = false;          // capture the overlay's queries and compare with the last refresh
  bool wait = false;             // queue behind another refresh (and other sessions' locks)
  int lock_timeout_ms = 10'000;  // else: how long a statement waits for another session's lock
  std::string state_dir;         // empty: <profile dir>/<stem>.refresh — last capture and stats
  int jobs = 2;
  int runs = 3;
  std::optional<uint64_t> seed;                               // empty: 1
  std::function<void(const LoadProgress&)> on_load_progress;  // as LoadOptions::on_progress
  // The snapshot just read written onto the staging tables after ANALYZE (see
  // LoadCommand::exact_stats): only at the production scale, on servers 18+.
  bool exact_stats = false;
  // After the swap (and --explain): the mirror scored against the source as
  // run_fidelity does; under this score (0..100) the outcome's fidelity_gate says why.
  std::optional<double> min_fidelity;
  std::string queries_file;  // with min_fidelity: --queries, explained on both sides
};
struct RefreshOutcome {
  std::string schema;
  TargetInfo target;                                  // where the mirror was written
  std::vector<std::pair<std::string, int64_t>> rows;  // per table, as loaded and checked
  double seconds = 0;
  bool explained = false;
  bool had_previous_capture = false;
  std::optional<CompareResult> plans;  // with explain and a previous capture
  std::vector<ColumnDrift> drift;      // since the previous refresh (empty the first time)
  std::vector<std::string> notes;      // what the import could not reproduce
  std::string capture_dir;
  std::optional<ExactStatsResult> exact_stats;  // with exact_stats
  std::optional<FidelityReport> fidelity;       // with min_fidelity
  std::string fidelity_gate;  // non-empty: the score is below min_fidelity, and by how much
};
// Takes a per-target advisory lock for its whole run (a second refresh: load.locked,
// exit 1, or it waits). Refuses before writing anything when the target is the source
// (refresh.same-database, exit 2). On any failure the target's dataset stays in place.
RefreshOutcome run_refresh(const RefreshCommand& command);

// ---------------------------------------------------------------------------
// fidelity --source DSN --dsn MIRROR: the mirror scored against production

struct FidelityCommand {
  std::string source;  // production: read-only, catalogs and plain EXPLAIN only
  // The mirror: --dsn when given (nullopt: not given), else $DATABASE_URL, else libpq's
  // defaults when a PG* variable names a server; never an embedded server.
  std::optional<std::string> target;
  std::string source_schema = "public";
  std::string schema;               // the mirror's schema; empty: source_schema
  std::vector<std::string> tables;  // empty: every table of the source schema
  std::string queries_file;         // empty: the profile's queries, else statistics only
  std::optional<double> min_score;  // 0..100; under it the outcome's gate says why
  // Optional: a profile whose `queries:` (with their picks) are compared when no
  // --queries is given, and its overlay (empty: PROFILE's stem + .overlay.yaml).
  std::string profile;
  std::string overlay;
};
struct FidelityOutcome {
  FidelityReport report;
  TargetInfo target;  // the mirror
  std::string gate;   // non-empty: the score is below min_score, and why (exit 3)
};
// The query file is parsed before any connection (fidelity.bad-query, exit 2).
FidelityOutcome run_fidelity(const FidelityCommand& command);
// "fidelity 84.2 is below --min-score 90; worst: orders.customer_id n_distinct 0.44, ..."
// or "" when `score` is at least `min`.
std::string fidelity_gate(const FidelityReport& report, std::optional<double> min,
                          std::string_view flag);

// ---------------------------------------------------------------------------
// generate PROFILE --out DIR (no database)

struct GenerateCommand {
  std::string profile;
  std::string overlay;
  GenerateOptions files;  // scale, seed, format, out, tables, shard, jobs (pgshape/load.hpp)
};
// The files written, with their rows and bytes; every file is whole or none is
// (generate_files). Unknown tables are usage.unknown-table, before anything is written.
GenerateResult run_generate(const GenerateCommand& command);

// ---------------------------------------------------------------------------
// params PROFILE --query NAME

struct ParamsCommand {
  std::string profile;
  std::string overlay;
  std::string query;             // the query whose $n to draw
  std::string scale;             // empty: the profile's default scale point
  std::optional<uint64_t> seed;  // empty: the profile's
  int64_t count = 1000;          // rows to draw
  bool json = false;             // a JSON array of objects (else CSV with a header)
  std::string out;               // the file to write; empty: only returned
};
struct ParamsOutcome {
  ParamFile params;
  std::string text;  // CSV or JSON, as written to `out`
};
ParamsOutcome run_params(const ParamsCommand& command);

// ---------------------------------------------------------------------------
// workload PROFILE --out DIR

struct WorkloadCommand {
  std::string profile;
  std::string overlay;
  std::string out;               // the folder to write (required)
  std::string scale;             // empty: the profile's default scale point
  std::string schema;            // the loaded data's schema; empty: the profile's
  std::optional<uint64_t> seed;  // the seed the data was loaded with; empty: the profile's
  int64_t count = 10000;         // parameter rows per script
};
struct WorkloadOutcome {
  std::string profile_name;
  std::string scale;
  uint64_t seed = 0;
  std::string out;
  std::vector<WorkloadScript> scripts;
};
WorkloadOutcome run_workload(const WorkloadCommand& command);

// ---------------------------------------------------------------------------
// The option table: every flag of every command, declared once.
//
// OptionSpec says what a flag is (names, value, help, default); CommandSpec lists
// which flags a command takes (with the few per-command details: required, another
// default, what --out is for that command). It drives CLI11 registration, `--help`,
// the README's command reference, the man page and shell completion.

enum class Cmd : uint8_t {
  kValidate,
  kLoad,
  kExplain,
  kCompare,
  kGenerate,
  kStats,
  kRefresh,
  kParams,
  kWorkload,
  kReference,
  kFidelity,
};

enum class Opt : uint8_t {
  kProfile,
  kDirA,
  kDirB,
  kDsn,
  kKeep,
  kPgBin,
  kSchema,
  kSource,
  kSourceSchema,
  kTable,
  kScale,
  kScales,
  kSeed,
  kJobs,
  kOverlay,
  kOut,
  kFormat,
  kJson,
  kQuiet,
  kVerbose,
  kForce,
  kWait,
  kLockTimeout,
  kShard,
  kPrepare,
  kFinish,
  kCopyFormat,
  kDryRun,
  kRuns,
  kHypothetical,
  kFailOn,
  kRedact,
  kName,
  kTestFraction,
  kExplain,
  kExactStats,
  kQuery,
  kCount,
  kCommands,
  kErrors,
  kMan,
  kCompletion,
  kHelp,
  kQueries,
  kMinScore,
  kMinFidelity,
};

enum class ValueKind : uint8_t {
  kFlag,     // no value
  kText,     // one value (the last one given wins)
  kList,     // repeatable, each a value or a comma list
  kInteger,  // a whole number within [min, max]
  kNumber,   // a real number within [min_number, max_number]
  kSeed,     // a whole number from 0 to 2^64-1, nothing else
  kChoice,   // one of `choices`
};

struct OptionSpec {
  Opt id;
  std::string_view names;  // "-t,--table"; a positional argument is its NAME
  ValueKind kind;
  std::string_view value_name;         // "NAME" in `--scale NAME`; empty for flags
  std::string_view help;               // lowercase, no trailing period
  std::string_view default_text = {};  // what it is when not given; empty: nothing
  std::string_view choices = {};       // kChoice, kList: the allowed values, comma-separated
  int64_t min = 0;                     // kInteger bounds
  int64_t max = 0;
  double min_number = 0;  // kNumber bounds
  double max_number = 0;
  std::string_view aliases = {};  // old spellings that still work, hidden: "--tables"

  bool positional() const { return !names.empty() && names.front() != '-'; }
  // The longest name: "--table" for "-t,--table".
  std::string_view long_name() const;
};

// A flag as one command takes it. Empty fields take the OptionSpec's.
struct OptionUse {
  Opt id;
  bool required = false;
  std::string_view help = {};
  std::string_view default_text = {};
  std::string_view choices = {};
  std::string_view value_name = {};
};

struct CommandSpec {
  Cmd id;
  std::string_view name;
  std::string_view summary;  // lowercase, no trailing period
  std::span<const OptionUse> options;
};

// The one comma-list splitter: "a,b,,c" -> {a, b, c} (empty items dropped, no trimming).
// For list flags (`-t a,b -t c`) and the table's own `choices`.
std::vector<std::string> split_list(std::string_view text);

std::span<const OptionSpec> option_specs();
std::span<const CommandSpec> command_specs();
const OptionSpec& option_spec(Opt id);
const CommandSpec& command_spec(Cmd id);
const CommandSpec* find_command(std::string_view name);
// The use of `option` by `command`, or nullptr when the command does not take it.
const OptionUse* find_use(const CommandSpec& command, Opt option);

// A flag's details as `command` takes it (the use's override, else the spec's).
struct ResolvedOption {
  const OptionSpec* spec;
  bool required;
  std::string_view help;
  std::string_view default_text;
  std::string_view choices;
  std::string_view value_name;
};
ResolvedOption resolve(const CommandSpec& command, const OptionUse& use);

// ---------------------------------------------------------------------------
// `pgshape reference`: documentation generated from the tables above, from
// kErrorCodes (error.hpp) and from the profile key table (profile.hpp).

enum class ReferenceTopic : uint8_t { kProfile, kCommands, kErrors, kMan, kBash, kZsh };

// `pgshape --help` / `pgshape help`: the commands, one line each.
std::string usage_text();
// `pgshape CMD --help`: its synopsis and exactly the flags it takes.
std::string command_help(const CommandSpec& command);
// The README's command reference (Markdown), every command and flag.
std::string command_reference_markdown();
// The README's table of error codes (Markdown), from kErrorCodes.
std::string error_codes_markdown();
// pgshape(1) in roff (man -l reads it).
std::string man_page();
// A completion script for bash or zsh (topic kBash or kZsh).
std::string completion_script(ReferenceTopic shell);
// The text `pgshape reference` prints for a topic.
std::string reference_text(ReferenceTopic topic);

}  // namespace pgshape
