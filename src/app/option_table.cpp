// The option table: every command-line flag declared once (pgBackRest's
// config.yaml and pgbench's long_options[] are the models), and which commands
// take which flag. CLI11 registration, `--help`, the README's command reference,
// the man page and shell completion are all generated from these two arrays.
//
// Names follow PostgreSQL's tools where they have one (pg_dump's -t/--table,
// libpq's dsn); `--schema` is always the target, `--source-schema` the source;
// `-o/--out` is every output (a folder or a file, as the command says). Help text
// is lowercase with no trailing period (a test holds every entry to that).
#include <algorithm>

#include "pgshape/app.hpp"
#include "pgshape/error.hpp"

namespace pgshape {
namespace {

constexpr int64_t kMaxCount = 100'000'000;

// clang-format off
constexpr OptionSpec kOptions[] = {
  {Opt::kProfile, "PROFILE", ValueKind::kText, "PROFILE", "the profile (YAML)"},
  {Opt::kDirA, "DIR_A", ValueKind::kText, "DIR_A", "the reference capture directory"},
  {Opt::kDirB, "DIR_B", ValueKind::kText, "DIR_B", "the capture directory compared with it"},
  {Opt::kDsn, "--dsn", ValueKind::kText, "DSN",
   "the target database: a libpq connection string or URI; \"\" is libpq's defaults",
   "$DATABASE_URL, else libpq's defaults when PGHOST, PGHOSTADDR, PGPORT, PGDATABASE, PGUSER or "
   "PGSERVICE is set, else an embedded throwaway server"},
  {Opt::kKeep, "--keep", ValueKind::kFlag, "",
   "leave the embedded server running at exit and print its URI on stdout"},
  {Opt::kPgBin, "--pg-bin", ValueKind::kText, "DIR",
   "the embedded server's PostgreSQL binaries (the directory holding initdb, pg_ctl, postgres)",
   "$PGSHAPE_PG_BIN, else pg_config --bindir, initdb on PATH, the newest /usr/lib/postgresql/*/bin"},
  {Opt::kSchema, "--schema", ValueKind::kText, "NAME", "the target schema", "the profile's"},
  {Opt::kSource, "--source", ValueKind::kText, "DSN",
   "the database whose planner statistics are read (read-only, catalogs only)"},
  {Opt::kSourceSchema, "--source-schema", ValueKind::kText, "NAME",
   "the source schema whose statistics are read", "public"},
  {Opt::kTable, "-t,--table", ValueKind::kList, "NAME",
   "only this table; repeat it or give a comma-separated list", "every table", "", 0, 0, 0, 0,
   "--tables"},
  {Opt::kScale, "--scale", ValueKind::kText, "NAME", "the scale point",
   "the profile's default scale point"},
  {Opt::kScales, "--scales", ValueKind::kList, "NAME",
   "the scale points to sweep; repeat it or give a comma-separated list",
   "every scale point, in profile order"},
  {Opt::kSeed, "--seed", ValueKind::kSeed, "N",
   "the seed: the same profile and seed give the same rows", "the profile's"},
  {Opt::kJobs, "-j,--jobs", ValueKind::kInteger, "N", "connections or threads working at once",
   "2", "", 1, 64},
  {Opt::kOverlay, "--overlay", ValueKind::kText, "FILE", "hand edits merged over the profile",
   "PROFILE's stem + .overlay.yaml, when it exists"},
  {Opt::kOut, "-o,--out", ValueKind::kText, "PATH", "where the output goes", "", "", 0, 0, 0, 0,
   "--output"},
  {Opt::kFormat, "--format", ValueKind::kChoice, "FORMAT", "the output format"},
  {Opt::kJson, "--json", ValueKind::kFlag, "",
   "machine-readable output on stdout, errors included"},
  {Opt::kQuiet, "-q,--quiet", ValueKind::kFlag, "", "print only errors"},
  {Opt::kVerbose, "-v,--verbose", ValueKind::kFlag, "", "more detail"},
  {Opt::kForce, "--force", ValueKind::kFlag, "",
   "replace the target schema even if pgshape did not create it"},
  {Opt::kWait, "--wait", ValueKind::kFlag, "",
   "wait for another load or refresh of the same schema, and for other sessions' locks, "
   "instead of exiting 1"},
  {Opt::kLockTimeout, "--lock-timeout", ValueKind::kNumber, "SECONDS",
   "how long a statement waits for another session's lock (the swap behind a reader of the old "
   "tables) before exiting 1 naming that session", "10", "", 0, 0, 0.001, 86400},
  {Opt::kShard, "--shard", ValueKind::kText, "K/N", "only the K-th of N slices of every table"},
  {Opt::kPrepare, "--prepare", ValueKind::kFlag, "",
   "create the target schema with empty tables for sharded loads"},
  {Opt::kFinish, "--finish", ValueKind::kFlag, "",
   "build keys, indexes and foreign keys and ANALYZE, after sharded loads"},
  {Opt::kCopyFormat, "--copy-format", ValueKind::kChoice, "FORMAT", "how rows travel in COPY",
   "binary", "binary,text"},
  {Opt::kDryRun, "--dry-run", ValueKind::kFlag, "",
   "print the SQL the load would run (the COPYs as comments with their row counts) and "
   "connect to nothing"},
  {Opt::kRuns, "--runs", ValueKind::kInteger, "N",
   "measured EXPLAIN ANALYZE runs per plan after a warm-up; the median run is kept", "5", "", 1,
   1000},
  {Opt::kHypothetical, "--hypothetical", ValueKind::kFlag, "",
   "try CREATE INDEX experiments as hypopg hypothetical indexes (EXPLAIN without ANALYZE)"},
  {Opt::kFailOn, "--fail-on", ValueKind::kList, "KIND",
   "exit 3 when a comparison shows one of these kinds of change; repeat it or give a "
   "comma-separated list", "", "shape-change,index-change,regression,estimate"},
  {Opt::kRedact, "--redact", ValueKind::kFlag, "",
   "replace text values in MCVs, histograms, defaults and index predicates by tokens of the "
   "same width"},
  {Opt::kName, "--name", ValueKind::kText, "NAME", "the profile's name and default target schema",
   "the --out file's stem, else <database>_mirror"},
  {Opt::kTestFraction, "--test-fraction", ValueKind::kNumber, "F",
   "rows of the test scale point as a fraction of production's", "0.01", "", 0, 0, 1e-6, 1.0},
  {Opt::kExplain, "--explain", ValueKind::kFlag, "",
   "capture the plans of the overlay's queries and compare them with the last refresh's"},
  {Opt::kExactStats, "--exact-stats", ValueKind::kFlag, "",
   "after ANALYZE, write production's planner statistics from the profile's statistics: "
   "snapshot onto the tables (PostgreSQL 18+, production scale; a later ANALYZE replaces them)"},
  {Opt::kQuery, "--query", ValueKind::kText, "NAME", "the query whose parameters to draw"},
  {Opt::kCount, "--count", ValueKind::kInteger, "N", "rows to draw", "", "", 1, kMaxCount},
  {Opt::kCommands, "--commands", ValueKind::kFlag, "",
   "the command reference (Markdown) instead of the profile reference"},
  {Opt::kErrors, "--errors", ValueKind::kFlag, "", "the table of error codes (Markdown)"},
  {Opt::kMan, "--man", ValueKind::kFlag, "", "the pgshape(1) man page (roff)"},
  {Opt::kCompletion, "--completion", ValueKind::kChoice, "SHELL",
   "a shell completion script", "", "bash,zsh"},
  {Opt::kHelp, "-h,--help", ValueKind::kFlag, "", "print this help and exit"},
  {Opt::kQueries, "--queries", ValueKind::kText, "FILE",
   "a SQL file of queries (one statement per ;) explained with plain EXPLAIN on both sides"},
  {Opt::kMinScore, "--min-score", ValueKind::kNumber, "N",
   "exit 3 when the fidelity score (0 to 100) is below N", "", "", 0, 0, 0, 100},
  {Opt::kMinFidelity, "--min-fidelity", ValueKind::kNumber, "N",
   "after the swap, score the mirror against the source as pgshape fidelity does and exit 3 "
   "when the score (0 to 100) is below N", "", "", 0, 0, 0, 100},
};

constexpr OptionUse kValidate[] = {
  {Opt::kProfile, true}, {Opt::kOverlay}, {Opt::kJson}, {Opt::kQuiet}, {Opt::kHelp},
};
constexpr OptionUse kLoad[] = {
  {Opt::kProfile, true}, {Opt::kScale}, {Opt::kDsn}, {Opt::kSchema}, {Opt::kSeed},
  {Opt::kJobs}, {Opt::kOverlay}, {Opt::kForce}, {Opt::kWait}, {Opt::kLockTimeout},
  {Opt::kShard, false,
   "copy only the K-th of N slices of every table, appending into the tables --prepare made "
   "(no keys, no ANALYZE: run --finish after the last shard)"},
  {Opt::kPrepare}, {Opt::kFinish}, {Opt::kCopyFormat}, {Opt::kDryRun}, {Opt::kExactStats}, {Opt::kKeep}, {Opt::kPgBin}, {Opt::kJson},
  {Opt::kQuiet},
  {Opt::kVerbose, false, "also a progress line per table copied and per index or constraint "
   "built, with its time, and which database the data went to"},
  {Opt::kHelp},
};
constexpr OptionUse kExplain[] = {
  {Opt::kProfile, true}, {Opt::kScales},
  {Opt::kOut, false, "the folder for the capture (summary.json, plans/) and the reports",
   "pgshape-out/<profile name>", "", "DIR"},
  {Opt::kRuns}, {Opt::kHypothetical}, {Opt::kFailOn}, {Opt::kDsn}, {Opt::kSchema},
  {Opt::kSeed}, {Opt::kJobs}, {Opt::kOverlay}, {Opt::kKeep},
  {Opt::kPgBin, false, "the embedded server's PostgreSQL binaries; repeat it to run the sweep on "
   "each server (into OUT/pg<major>) and compare the first server's plans with each other's"},
  {Opt::kJson}, {Opt::kQuiet},
  {Opt::kVerbose, false, "also print each scale point's load, table by table"}, {Opt::kHelp},
};
constexpr OptionUse kCompare[] = {
  {Opt::kDirA, true}, {Opt::kDirB, true},
  {Opt::kOut, false, "the folder for report.md and report.html", "DIR_B/compare-<name of DIR_A>",
   "", "DIR"},
  {Opt::kFailOn}, {Opt::kJson}, {Opt::kQuiet}, {Opt::kHelp},
};
constexpr OptionUse kGenerate[] = {
  {Opt::kProfile, true}, {Opt::kScale},
  {Opt::kOut, true,
   "the folder for one file per table (<table>.copy, .pgcopy or .csv); - writes every table "
   "to stdout, one after another", "", "", "DIR"},
  {Opt::kFormat, false, "the file format: copy is COPY text, binary is COPY binary", "copy",
   "copy,binary,csv"},
  {Opt::kTable, false, "only this table of the profile; repeat it or give a comma-separated list"},
  {Opt::kShard, false,
   "write only the K-th of N slices of every table, as <table>.K-of-N.<ext>; concatenated in "
   "K order, text and CSV slices are the unsharded file"},
  {Opt::kSeed}, {Opt::kJobs, false, "tables written at once, one thread each"}, {Opt::kOverlay},
  {Opt::kJson}, {Opt::kQuiet}, {Opt::kHelp},
};
constexpr OptionUse kStats[] = {
  {Opt::kSource, true}, {Opt::kSourceSchema},
  {Opt::kTable, false, "only this table of the source; repeat it or give a comma-separated list"},
  {Opt::kRedact},
  {Opt::kOut, false, "the profile file to write (replaced whole, never half-written)", "stdout",
   "", "FILE"},
  {Opt::kName}, {Opt::kTestFraction}, {Opt::kSeed, false, "the profile's seed", "1"},
  {Opt::kQuiet}, {Opt::kHelp},
};
constexpr OptionUse kRefresh[] = {
  {Opt::kProfile, true,
   "the imported profile this refresh (re)writes; hand edits go in its overlay"},
  {Opt::kSource, true}, {Opt::kSourceSchema},
  {Opt::kTable, false, "only this table of the source; repeat it or give a comma-separated list"},
  {Opt::kOverlay}, {Opt::kScale, false, "", "production"},
  {Opt::kOut, false, "the folder that keeps the last statistics and plan capture",
   "<PROFILE stem>.refresh beside PROFILE", "", "DIR"},
  {Opt::kRedact}, {Opt::kExplain},
  {Opt::kExactStats, false,
   "after ANALYZE, write the statistics just read from the source onto the mirror's tables "
   "(PostgreSQL 18+, production scale; a later ANALYZE replaces them)"},
  {Opt::kRuns, false, "", "3"}, {Opt::kWait},
  {Opt::kLockTimeout},
  {Opt::kDsn, false, "the mirror database: a libpq connection string or URI",
   "$DATABASE_URL, else libpq's defaults when a PG* variable names a server; one is required, "
   "an embedded server would be gone by morning"},
  {Opt::kSchema}, {Opt::kSeed, false, "", "1"}, {Opt::kJobs}, {Opt::kJson}, {Opt::kQuiet},
  {Opt::kMinFidelity},
  {Opt::kQueries, false, "with --min-fidelity: also compare the plans of these queries"},
  {Opt::kHelp},
};
constexpr OptionUse kParams[] = {
  {Opt::kProfile, true}, {Opt::kQuery, true}, {Opt::kScale}, {Opt::kCount, false, "", "1000"},
  {Opt::kSeed, false, "the seed the data was (or will be) loaded with"},
  {Opt::kFormat, false, "the output format: csv has a header line, json is an array of objects "
   "(for k6)", "csv", "csv,json"},
  {Opt::kOut, false, "the file to write (replaced whole, never half-written)", "stdout", "",
   "FILE"},
  {Opt::kOverlay}, {Opt::kJson, false, "the same as --format json"}, {Opt::kHelp},
};
constexpr OptionUse kWorkload[] = {
  {Opt::kProfile, true},
  {Opt::kOut, true, "the folder to write: scripts/, params/, stages.tsv and run.sh", "", "",
   "DIR"},
  {Opt::kScale, false, "the scale point the database was loaded at"},
  {Opt::kCount, false, "parameter rows per script", "10000"},
  {Opt::kSeed, false, "the seed the data was loaded with"},
  {Opt::kSchema, false, "the schema the data was loaded into"}, {Opt::kOverlay}, {Opt::kQuiet},
  {Opt::kHelp},
};
constexpr OptionUse kFidelity[] = {
  {Opt::kSource, true, "production: the database whose statistics and plans the mirror should "
   "match (read-only: catalogs and plain EXPLAIN)"},
  {Opt::kSourceSchema},
  {Opt::kDsn, false, "the mirror database: a libpq connection string or URI",
   "$DATABASE_URL, else libpq's defaults when a PG* variable names a server"},
  {Opt::kSchema, false, "the mirror's schema", "the --source-schema name"},
  {Opt::kTable, false, "only this table of the source; repeat it or give a comma-separated list"},
  {Opt::kQueries}, {Opt::kMinScore}, {Opt::kJson}, {Opt::kQuiet},
  {Opt::kVerbose, false, "also list the columns and queries that match"},
  {Opt::kProfile, false, "a profile whose queries (with their picks) are compared when no "
   "--queries is given", "none"},
  {Opt::kOverlay}, {Opt::kHelp},
};
constexpr OptionUse kReference[] = {
  {Opt::kCommands}, {Opt::kErrors}, {Opt::kMan}, {Opt::kCompletion}, {Opt::kHelp},
};

constexpr CommandSpec kCommands[] = {
  {Cmd::kValidate, "validate",
   "check a profile; summary of tables, rows per scale point and foreign-key order", kValidate},
  {Cmd::kLoad, "load", "create the schema, generate, COPY, index, ANALYZE, swap in atomically",
   kLoad},
  {Cmd::kExplain, "explain",
   "load each scale point, capture every query plan with and without each experiment, write "
   "the plans and a report", kExplain},
  {Cmd::kCompare, "compare",
   "diff two plan captures (two scales, before/after an experiment, mirror vs production)",
   kCompare},
  {Cmd::kGenerate, "generate", "write the generated rows to files (no database needed)",
   kGenerate},
  {Cmd::kStats, "stats", "write a profile from a database's planner statistics (never its rows)",
   kStats},
  {Cmd::kRefresh, "refresh",
   "nightly: import statistics, reload into a staging schema, swap atomically, re-capture plans",
   kRefresh},
  {Cmd::kParams, "params", "parameter values for a load test, drawn with the data's skew",
   kParams},
  {Cmd::kWorkload, "workload",
   "pgbench scripts and a campaign-burst driver whose parameters follow the data", kWorkload},
  {Cmd::kReference, "reference",
   "print the profile reference (Markdown), or the command reference, error codes, man page or "
   "a completion script", kReference},
  {Cmd::kFidelity, "fidelity",
   "score how closely a mirror's planner statistics and plans match production's; exit 3 under "
   "--min-score", kFidelity},
};
// clang-format on

}  // namespace

std::vector<std::string> split_list(std::string_view text) {
  std::vector<std::string> items;
  size_t start = 0;
  while (start <= text.size()) {
    size_t comma = text.find(',', start);
    if (comma == std::string_view::npos) comma = text.size();
    if (comma > start) items.emplace_back(text.substr(start, comma - start));
    start = comma + 1;
  }
  return items;
}

std::string_view OptionSpec::long_name() const {
  const size_t comma = names.rfind(',');
  return comma == std::string_view::npos ? names : names.substr(comma + 1);
}

std::span<const OptionSpec> option_specs() {
  return kOptions;
}
std::span<const CommandSpec> command_specs() {
  return kCommands;
}

const OptionSpec& option_spec(Opt id) {
  for (const auto& spec : kOptions)
    if (spec.id == id) return spec;
  throw InternalError("option_spec: an Opt without a row in the option table");
}

const CommandSpec& command_spec(Cmd id) {
  for (const auto& spec : kCommands)
    if (spec.id == id) return spec;
  throw InternalError("command_spec: a Cmd without a row in the command table");
}

const CommandSpec* find_command(std::string_view name) {
  for (const auto& spec : kCommands)
    if (spec.name == name) return &spec;
  return nullptr;
}

const OptionUse* find_use(const CommandSpec& command, Opt option) {
  for (const auto& use : command.options)
    if (use.id == option) return &use;
  return nullptr;
}

ResolvedOption resolve(const CommandSpec&, const OptionUse& use) {
  const OptionSpec& spec = option_spec(use.id);
  auto pick = [](std::string_view own, std::string_view general) {
    return own.empty() ? general : own;
  };
  return {&spec,
          use.required,
          pick(use.help, spec.help),
          pick(use.default_text, spec.default_text),
          pick(use.choices, spec.choices),
          pick(use.value_name, spec.value_name)};
}

}  // namespace pgshape
