// pgshape load PROFILE [--scale NAME]: generate, COPY, index, ANALYZE — with
// each phase's progress on stderr (progress.hpp) — and say what it did: rows,
// seconds and rows/s per table, and the shape achieved.
#include <fmt/format.h>
#include <nlohmann/json.hpp>
#include <optional>

#include "commands.hpp"
#include "exact_stats_text.hpp"
#include "format.hpp"
#include "pgshape/app.hpp"
#include "pgshape/error.hpp"
#include "progress.hpp"

namespace pgshape::cli {
namespace {

std::string render_text(const LoadResult& r, const TargetInfo& target) {
  // The where line comes first: a user must see which database was written, not
  // just which schema (issue #17: data that went into a server deleted at exit).
  std::string out = fmt::format("loaded scale '{}' {}\n  seed {}, {} jobs, {:.2f} s\n\n", r.scale,
                                where_phrase(target, r.schema), r.seed, r.jobs, r.total_seconds);
  size_t width = 5;
  for (const auto& t : r.tables) width = std::max(width, t.table.size());
  out += fmt::format("  {:<{}}  {:>12}  {:>8}  {:>12}  {:>9}\n", "table", width, "rows", "seconds",
                     "rows/s", "MB");
  int64_t rows = 0;
  for (const auto& t : r.tables) {
    rows += t.rows;
    out += fmt::format(
        "  {:<{}}  {:>12}  {:>8.2f}  {:>12}  {:>9.1f}\n", t.table, width, thousands(t.rows),
        t.seconds,
        thousands(static_cast<int64_t>(static_cast<double>(t.rows) / std::max(t.seconds, 1e-6))),
        static_cast<double>(t.bytes) / 1e6);
  }
  // The kinds overlap (a table's indexes start when its own COPY ends): each
  // after the COPY is said by when it was done. Two lines fit 80 columns.
  out += fmt::format(
      "\n  COPY {:.2f} s ({} rows/s overall)\n  done at: indexes and keys {:.2f} s, ANALYZE "
      "{:.2f} s, foreign keys {:.2f} s\n",
      r.copy_seconds,
      thousands(static_cast<int64_t>(static_cast<double>(rows) / std::max(r.copy_seconds, 1e-6))),
      r.indexes_done_at, r.analyze_done_at, r.foreign_keys_done_at);
  if (!r.shape.empty()) {
    out += "\n  shape achieved (as the planner sees it after ANALYZE):\n";
    for (const auto& s : r.shape)
      out += fmt::format("    {}.{}: {} {:.1f}% (declared {:.1f}%)\n", s.table, s.column, s.measure,
                         s.achieved * 100, s.expected * 100);
  }
  return out;
}

nlohmann::json render_json(const LoadResult& r) {
  nlohmann::json tables = nlohmann::json::array();
  for (const auto& t : r.tables)
    tables.push_back(
        {{"table", t.table},
         {"rows", t.rows},
         {"bytes", t.bytes},
         {"seconds", t.seconds},
         {"rows_per_second", static_cast<double>(t.rows) / std::max(t.seconds, 1e-6)}});
  nlohmann::json shape = nlohmann::json::array();
  for (const auto& s : r.shape)
    shape.push_back({{"table", s.table},
                     {"column", s.column},
                     {"measure", s.measure},
                     {"expected", s.expected},
                     {"achieved", s.achieved}});
  return {{"schema", r.schema},
          {"scale", r.scale},
          {"seed", r.seed},
          {"jobs", r.jobs},
          {"tables", tables},
          {"copy_seconds", r.copy_seconds},
          {"indexes_done_at", r.indexes_done_at},
          {"analyze_done_at", r.analyze_done_at},
          {"foreign_keys_done_at", r.foreign_keys_done_at},
          {"total_seconds", r.total_seconds},
          {"shape", shape}};
}

LoadCommand load_command(const Args& args) {
  LoadCommand c{.profile = args.text(Opt::kProfile),
                .overlay = args.text(Opt::kOverlay),
                .target = {.dsn = args.given_text(Opt::kDsn),
                           .keep = args.flag(Opt::kKeep),
                           .pg_bin = args.text(Opt::kPgBin)}};
  c.exact_stats = args.flag(Opt::kExactStats);
  LoadOptions& load = c.load;
  load.scale = args.text(Opt::kScale);
  load.schema = args.text(Opt::kSchema);
  load.seed = args.seed();
  if (auto jobs = args.integer(Opt::kJobs)) load.jobs = static_cast<int>(*jobs);
  c.dry_run = args.flag(Opt::kDryRun);
  load.force = args.flag(Opt::kForce);
  load.wait = args.flag(Opt::kWait);
  if (auto seconds = args.number(Opt::kLockTimeout))
    load.lock_timeout_ms = static_cast<int>(*seconds * 1000);
  if (args.given(Opt::kCopyFormat)) load.binary_copy = args.text(Opt::kCopyFormat) == "binary";
  const bool shard = args.given(Opt::kShard);
  if (int{shard} + args.flag(Opt::kPrepare) + args.flag(Opt::kFinish) > 1)
    throw UsageError("usage.bad-option",
                     "--shard, --prepare and --finish are steps of their own: give one");
  if (shard) {
    const ShardSpec spec = parse_shard(args.text(Opt::kShard));
    load.mode = LoadOptions::Mode::kAppend;
    load.shard_index = spec.index;
    load.shard_count = spec.count;
  }
  if (args.flag(Opt::kPrepare)) load.mode = LoadOptions::Mode::kPrepare;
  if (args.flag(Opt::kFinish)) load.mode = LoadOptions::Mode::kFinish;
  return c;
}

}  // namespace

int run_load_command(const Args& args) {
  LoadCommand command = load_command(args);
  const bool json = args.flag(Opt::kJson);
  const int verbosity = args.verbosity();
  std::optional<ProgressPrinter> progress;
  if (verbosity > 0 && !json && !command.dry_run) {
    progress.emplace(stderr_progress_style(verbosity), stderr);
    command.load.on_progress = progress->callback();
  }
  const LoadOutcome outcome = run_load(command);
  if (outcome.script) {
    const LoadScript& script = *outcome.script;
    if (json) {
      nlohmann::json tables = nlohmann::json::array();
      for (const auto& t : script.tables) tables.push_back({{"table", t.table}, {"rows", t.rows}});
      fmt::print("{}\n", nlohmann::json{{"schema", script.schema},
                                        {"scale", script.scale},
                                        {"seed", script.seed},
                                        {"tables", tables},
                                        {"sql", script.sql}}
                             .dump(2));
    } else {
      fmt::print("{}", script.sql);  // even with -q: it is what was asked for
    }
    return 0;
  }
  if (progress) progress->finish();
  const TargetInfo& target = outcome.target;
  if (json) {
    nlohmann::json out = render_json(outcome.result);
    out["target"] = target_json(target);
    if (outcome.exact_stats) out["exact_stats"] = exact_stats_json(*outcome.exact_stats);
    if (target.kept) {  // also at the top level, where scripts found them before
      out["dsn"] = target.dsn;
      out["uri"] = target.uri;
    }
    fmt::print("{}\n", out.dump(2));
  } else if (verbosity > 0) {
    fmt::print("{}", render_text(outcome.result, target));
    if (outcome.exact_stats) fmt::print("{}", exact_stats_text(*outcome.exact_stats));
  }
  if (verbosity > 1 && !json && !target.embedded)
    fmt::print(stderr, "target: {} (from {})\n", target.label, to_string(target.source));
  if (target.kept) {
    print_kept_server(target);
    // The URI alone on stdout, like pg_tmp: with -q it is all there is, for
    // DATABASE_URL="$(pgshape load ... --keep -q)"; psql takes it as well.
    if (!json) fmt::print("{}\n", target.uri);
  }
  return 0;
}

}  // namespace pgshape::cli
