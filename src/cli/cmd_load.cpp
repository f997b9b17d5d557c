// pgshape load PROFILE [--scale NAME]: generate, COPY, index, ANALYZE — and say
// what it did: rows, seconds and rows/s per table, and the shape achieved.
#include <unistd.h>

#include <fmt/format.h>
#include <chrono>
#include <nlohmann/json.hpp>

#include "commands.hpp"
#include "format.hpp"
#include "pgshape/error.hpp"
#include "pgshape/load.hpp"
#include "pgshape/pg.hpp"
#include "pgshape/profile.hpp"
#include "pgshape/stats.hpp"

namespace pgshape::cli {
namespace {

struct LoadCommand {
  std::string profile;
  std::string scale;
  bool force = false;
  bool wait = false;
  double lock_timeout = 10;  // seconds
  std::string shard;         // K/N: append slice K of N into tables made by --prepare
  bool prepare = false;      // only the empty tables, for shards to append to
  bool finish = false;       // keys, indexes and ANALYZE after every shard is in
  std::string copy_format = "binary";
};

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

}  // namespace

void add_load_command(CLI::App& app, GlobalOptions& global, Action& action) {
  auto* command = app.add_subcommand("load", "create the schema, generate, COPY, index, ANALYZE");
  auto options = std::make_shared<LoadCommand>();
  command->add_option("PROFILE", options->profile, "the profile (YAML)")->required();
  command->add_option("--scale", options->scale, "scale point (default: the profile's first)");
  command->add_flag("--force", options->force,
                    "replace the target schema even if pgshape did not create it");
  command->add_flag("--wait", options->wait,
                    "wait for another load into the same schema, and for other sessions' locks, "
                    "instead of exiting 1");
  command
      ->add_option("--lock-timeout", options->lock_timeout,
                   "seconds a statement waits for another session's lock (the swap behind a "
                   "reader of the old tables) before exiting 1 naming that session (default 10)")
      ->check(CLI::Range(0.001, 86400.0));
  command->add_option("--shard", options->shard,
                      "K/N: COPY only the K-th of N slices of every table, appending into the "
                      "tables that --prepare created (no keys, no ANALYZE: run --finish after "
                      "the last shard)");
  command->add_flag("--prepare", options->prepare,
                    "create the target schema with empty tables for sharded loads");
  command->add_flag("--finish", options->finish,
                    "build keys, indexes and foreign keys and ANALYZE, after sharded loads");
  command
      ->add_option("--copy-format", options->copy_format,
                   "binary (default) or text: how rows travel in COPY")
      ->check(CLI::IsMember({"binary", "text"}));
  add_global_options(*command, global);
  command->callback([&global, &action, options] {
    action = [&global, options] {
      const Profile profile = load_profile_with_overlay(options->profile);
      Target target = Target::open(global.dsn, EmbeddedOptions{.keep = global.keep});
      ProgressBar bar;
      LoadOptions load{.scale = options->scale,
                       .schema = global.schema,
                       .seed = global.seed,
                       .jobs = global.jobs,
                       .force = options->force,
                       .wait = options->wait,
                       .lock_timeout_ms = static_cast<int>(options->lock_timeout * 1000)};
      load.binary_copy = options->copy_format == "binary";
      if (static_cast<int>(!options->shard.empty()) + options->prepare + options->finish > 1)
        throw UsageError("usage.bad-option",
                         "--shard, --prepare and --finish are steps of their own: give one");
      if (!options->shard.empty()) {
        const ShardSpec shard = parse_shard(options->shard);
        load.mode = LoadOptions::Mode::kAppend;
        load.shard_index = shard.index;
        load.shard_count = shard.count;
      }
      if (options->prepare) load.mode = LoadOptions::Mode::kPrepare;
      if (options->finish) load.mode = LoadOptions::Mode::kFinish;
      if (global.verbosity > 0 && !global.json && isatty(STDERR_FILENO))
        load.on_progress = [&bar](const LoadProgress& p) { bar(p); };
      const LoadResult result = load_dataset(profile, target.dsn(), load);
      const bool kept = target.is_embedded() && global.keep;
      if (global.json) {
        nlohmann::json out = render_json(result);
        if (kept) out["dsn"] = target.dsn();
        fmt::print("{}\n", out.dump(2));
      } else if (global.verbosity > 0) {
        fmt::print("{}", render_text(result));
      }
      if (kept) {
        fmt::print(stderr, "embedded server kept running:\n{}\n", target.server()->connect_hint());
        // The connection string alone on stdout, like pg_tmp: with -q it is all
        // there is, for DATABASE_URL="$(pgshape load ... --keep -q)".
        if (!global.json) fmt::print("{}\n", target.dsn());
      }
      return 0;
    };
  });
}

}  // namespace pgshape::cli
