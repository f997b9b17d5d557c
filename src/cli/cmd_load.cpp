// pgshape load PROFILE [--scale NAME]: generate, COPY, index, ANALYZE — and say
// what it did: rows, seconds and rows/s per table, and the shape achieved.
#include <unistd.h>

#include <fmt/format.h>
#include <chrono>
#include <nlohmann/json.hpp>

#include "commands.hpp"
#include "exact_stats_text.hpp"
#include "format.hpp"
#include "pgshape/app.hpp"
#include "pgshape/error.hpp"

namespace pgshape::cli {
namespace {

std::string render_text(const LoadResult& r) {
  std::string out =
      fmt::format("loaded scale '{}' into schema '{}' (seed {}, {} jobs) in {:.2f} s\n\n", r.scale,
                  r.schema, r.seed, r.jobs, r.total_seconds);
  size_t width = 5;
  for (const auto& t : r.tables) width = std::max(width, t.table.size());
  out += fmt::format("  {:<{}}  {:>12}  {:>8}  {:>12}  {:>9}\n", "table", width, "rows", "seconds",
                     "rows/s", "MB");
  int64_t rows = 0;
  uint64_t bytes = 0;
  for (const auto& t : r.tables) {
    rows += t.rows;
    bytes += t.bytes;
    out += fmt::format(
        "  {:<{}}  {:>12}  {:>8.2f}  {:>12}  {:>9.1f}\n", t.table, width, thousands(t.rows),
        t.seconds,
        thousands(static_cast<int64_t>(static_cast<double>(t.rows) / std::max(t.seconds, 1e-6))),
        static_cast<double>(t.bytes) / 1e6);
  }
  // The kinds overlap (a table's indexes start when its own COPY ends): each
  // after the COPY is said by when it was done.
  out += fmt::format(
      "\n  COPY {:.2f} s ({} rows/s overall); indexes and keys done at {:.2f} s, ANALYZE at "
      "{:.2f} s, foreign keys at {:.2f} s\n",
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

// A one-line progress bar on stderr, redrawn at most ten times a second.
class ProgressBar {
 public:
  void operator()(const LoadProgress& p) {
    const auto now = std::chrono::steady_clock::now();
    if (p.all_done < p.all_total && now - last_ < std::chrono::milliseconds(100)) return;
    last_ = now;
    const double fraction =
        p.all_total > 0 ? static_cast<double>(p.all_done) / static_cast<double>(p.all_total) : 1;
    const int filled = static_cast<int>(fraction * 30);
    fmt::print(stderr, "\r  [{:<30}] {:5.1f}%  {} {}/{}\x1b[K", std::string(filled, '#'),
               fraction * 100, p.table, thousands(p.rows_done), thousands(p.rows_total));
    if (p.all_done >= p.all_total) fmt::print(stderr, "\r\x1b[K");
  }

 private:
  std::chrono::steady_clock::time_point last_{};
};

LoadCommand load_command(const Args& args) {
  LoadCommand c{.profile = args.text(Opt::kProfile),
                .overlay = args.text(Opt::kOverlay),
                .target = {.dsn = args.text(Opt::kDsn), .keep = args.flag(Opt::kKeep)}};
  c.exact_stats = args.flag(Opt::kExactStats);
  LoadOptions& load = c.load;
  load.scale = args.text(Opt::kScale);
  load.schema = args.text(Opt::kSchema);
  load.seed = args.seed();
  if (auto jobs = args.integer(Opt::kJobs)) load.jobs = static_cast<int>(*jobs);
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
  ProgressBar bar;
  if (verbosity > 0 && !json && isatty(STDERR_FILENO))
    command.load.on_progress = [&bar](const LoadProgress& p) { bar(p); };
  const LoadOutcome outcome = run_load(command);
  const TargetInfo& target = outcome.target;
  if (json) {
    nlohmann::json out = render_json(outcome.result);
    if (outcome.exact_stats) out["exact_stats"] = exact_stats_json(*outcome.exact_stats);
    if (target.kept) {
      out["dsn"] = target.dsn;
      out["uri"] = target.uri;
    }
    fmt::print("{}\n", out.dump(2));
  } else if (verbosity > 0) {
    fmt::print("{}", render_text(outcome.result));
    if (outcome.exact_stats) fmt::print("{}", exact_stats_text(*outcome.exact_stats));
  }
  if (verbosity > 1 && !json)
    fmt::print(stderr, "target: {}\n",
               target.embedded ? (target.kept ? "an embedded server, kept running"
                                              : "an embedded server, deleted at exit (--keep "
                                                "keeps it)")
                               : target.label);
  if (target.kept) {
    fmt::print(stderr, "embedded server kept running:\n{}\n", target.connect_hint);
    // The URI alone on stdout, like pg_tmp: with -q it is all there is, for
    // DATABASE_URL="$(pgshape load ... --keep -q)"; psql takes it as well.
    if (!json) fmt::print("{}\n", target.uri);
  }
  return 0;
}

}  // namespace pgshape::cli
