// pgshape refresh PROFILE --source DSN --dsn TARGET: the nightly mirror. Import
// statistics, merge the overlay, load into staging, check, swap (keeping
// <schema>_previous), and with --explain compare plans with the last refresh.
#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "commands.hpp"
#include "format.hpp"
#include "pgshape/error.hpp"
#include "pgshape/pg.hpp"
#include "pgshape/plan.hpp"
#include "pgshape/stats.hpp"

namespace pgshape::cli {
namespace {

struct RefreshCommand {
  RefreshOptions options;
  std::string tables;
  double lock_timeout = 10;  // seconds
};

std::string render_text(const RefreshResult& r) {
  std::string out = fmt::format(
      "refreshed schema '{}' in {:.1f} s (previous dataset kept as "
      "'{}_previous')\n",
      r.schema, r.seconds, r.schema);
  for (const auto& [table, rows] : r.rows)
    out += fmt::format("  {:<24} {:>14} rows (checked)\n", table, thousands(rows));
  if (!r.drift.empty()) {
    out += "\nstatistics drift since the last refresh:\n";
    for (const auto& d : r.drift)
      out += fmt::format("  {}{}{}: {} {:.4g} -> {:.4g}\n", d.table, d.column.empty() ? "" : ".",
                         d.column, d.measure, d.before, d.after);
  }
  if (r.explained) {
    if (!r.plans) {
      out += fmt::format("\nplans captured into {} (the first capture: nothing to compare)\n",
                         r.capture_dir);
    } else {
      size_t changed = 0;
      for (const auto& p : r.plans->pairs)
        if (!p.kinds.empty()) ++changed;
      out += fmt::format("\nplans vs the last refresh: {} of {} changed\n", changed,
                         r.plans->pairs.size());
      for (const auto& p : r.plans->pairs)
        if (!p.kinds.empty())
          out += fmt::format("  {} [{}]: {}{}{}\n", p.b.query, p.b.pick, verdict_text(p.kinds),
                             p.shape_words.empty() ? "" : ": ", p.shape_words);
    }
  }
  for (const auto& note : r.notes) out += fmt::format("note: {}\n", note);
  return out;
}

nlohmann::json render_json(const RefreshResult& r) {
  nlohmann::json rows = nlohmann::json::object();
  for (const auto& [table, n] : r.rows) rows[table] = n;
  nlohmann::json drift = nlohmann::json::array();
  for (const auto& d : r.drift)
    drift.push_back({{"table", d.table},
                     {"column", d.column},
                     {"measure", d.measure},
                     {"before", d.before},
                     {"after", d.after}});
  nlohmann::json out = {{"schema", r.schema}, {"seconds", r.seconds}, {"rows", rows},
                        {"drift", drift},     {"notes", r.notes},     {"explained", r.explained}};
  if (r.plans) out["plans"] = nlohmann::json::parse(render_json(*r.plans));
  if (!r.capture_dir.empty()) out["capture_dir"] = r.capture_dir;
  return out;
}

std::vector<std::string> split_list(const std::string& text) {
  std::vector<std::string> out;
  size_t start = 0;
  while (start <= text.size()) {
    size_t comma = text.find(',', start);
    if (comma == std::string::npos) comma = text.size();
    if (comma > start) out.push_back(text.substr(start, comma - start));
    start = comma + 1;
  }
  return out;
}

}  // namespace

void add_refresh_command(CLI::App& app, GlobalOptions& global, Action& action) {
  auto* command = app.add_subcommand(
      "refresh",
      "nightly: import statistics, reload into a staging schema, swap atomically, "
      "re-capture plans");
  auto cmd = std::make_shared<RefreshCommand>();
  RefreshOptions& o = cmd->options;
  command
      ->add_option("PROFILE", o.profile_path,
                   "the imported profile this refresh (re)writes; hand edits go in its overlay")
      ->required();
  command->add_option("--source", o.source_dsn, "production: where statistics are read")
      ->required();
  command->add_option("--source-schema", o.source_schema, "the schema to import (default: public)");
  command->add_option("--tables", cmd->tables, "only these tables, comma-separated");
  command->add_option(
      "--overlay", o.overlay_path,
      "hand edits merged over the import (default: PROFILE's stem + .overlay.yaml)");
  command->add_option("--scale", o.scale, "scale point to load (default: production)");
  command->add_option("--out", o.state_dir,
                      "where the last statistics and plan capture are kept (default: "
                      "<PROFILE stem>.refresh beside the profile)");
  command->add_flag("--redact", o.redact, "redact text values in the imported statistics");
  command->add_flag("--explain", o.explain,
                    "capture plans of the overlay's queries and compare with the last refresh");
  command->add_option("--runs", o.runs, "measured EXPLAIN ANALYZE runs per plan")
      ->check(CLI::Range(1, 100));
  command->add_flag("--wait", o.wait,
                    "wait for a running refresh, and for other sessions' locks, instead of "
                    "exiting 1");
  command
      ->add_option("--lock-timeout", cmd->lock_timeout,
                   "seconds a statement waits for another session's lock before exiting 1 "
                   "naming that session (default 10)")
      ->check(CLI::Range(0.001, 86400.0));
  add_global_options(*command, global);
  command->callback([&global, &action, cmd] {
    action = [&global, cmd] {
      RefreshOptions options = cmd->options;
      options.tables = split_list(cmd->tables);
      options.target_schema = global.schema;
      options.seed = global.seed;
      options.jobs = global.jobs;
      options.lock_timeout_ms = static_cast<int>(cmd->lock_timeout * 1000);
      options.target_dsn = global.dsn;
      if (options.target_dsn.empty())
        if (const char* url = std::getenv("DATABASE_URL")) options.target_dsn = url;
      if (options.target_dsn.empty())
        throw UsageError("usage.no-target", "refresh needs a target: --dsn or DATABASE_URL",
                         "an embedded throwaway server would be gone by morning");
      const RefreshResult result = run_refresh(options);
      if (global.json)
        fmt::print("{}\n", render_json(result).dump(2));
      else if (global.verbosity > 0)
        fmt::print("{}", render_text(result));
      return 0;
    };
  });
}

}  // namespace pgshape::cli
