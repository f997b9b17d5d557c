// pgshape refresh PROFILE --source DSN --dsn TARGET: the nightly mirror
// (app/refresh.cpp) — import statistics, merge the overlay, load into staging,
// check, swap keeping <schema>_previous, with --explain compare plans with the
// last refresh — rendered as text or JSON.
#include <fmt/format.h>
#include <nlohmann/json.hpp>
#include <optional>

#include "commands.hpp"
#include "exact_stats_text.hpp"
#include "format.hpp"
#include "pgshape/app.hpp"
#include "pgshape/error.hpp"
#include "pgshape/util.hpp"
#include "progress.hpp"

namespace pgshape::cli {
namespace {

std::string render_text(const RefreshOutcome& r) {
  std::string out =
      fmt::format("refresh wrote {} in {:.1f} s (previous dataset kept as '{}_previous')\n",
                  where_phrase(r.target, r.schema), r.seconds, r.schema);
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
                         plural(r.plans->pairs.size(), "pair"));
      for (const auto& p : r.plans->pairs)
        if (!p.kinds.empty())
          out += fmt::format("  {} [{}]: {}{}{}\n", p.b.query, p.b.pick, verdict_text(p.kinds),
                             p.shape_words.empty() ? "" : ": ", p.shape_words);
    }
  }
  if (r.exact_stats) out += exact_stats_text(*r.exact_stats);
  for (const auto& note : r.notes) out += fmt::format("note: {}\n", note);
  return out;
}

nlohmann::json render_json(const RefreshOutcome& r) {
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
  out["target"] = target_json(r.target);
  if (r.exact_stats) out["exact_stats"] = exact_stats_json(*r.exact_stats);
  return out;
}

}  // namespace

int run_refresh_command(const Args& args) {
  RefreshCommand command{.profile = args.text(Opt::kProfile),
                         .overlay = args.text(Opt::kOverlay),
                         .source = args.text(Opt::kSource),
                         .target = args.given_text(Opt::kDsn),
                         .tables = args.list(Opt::kTable),
                         .schema = args.text(Opt::kSchema),
                         .redact = args.flag(Opt::kRedact),
                         .explain = args.flag(Opt::kExplain),
                         .wait = args.flag(Opt::kWait),
                         .state_dir = args.text(Opt::kOut),
                         .seed = args.seed(),
                         .exact_stats = args.flag(Opt::kExactStats),
                         .min_fidelity = args.number(Opt::kMinFidelity),
                         .queries_file = args.text(Opt::kQueries)};
  if (args.given(Opt::kSourceSchema)) command.source_schema = args.text(Opt::kSourceSchema);
  if (args.given(Opt::kScale)) command.scale = args.text(Opt::kScale);
  if (auto jobs = args.integer(Opt::kJobs)) command.jobs = static_cast<int>(*jobs);
  if (auto runs = args.integer(Opt::kRuns)) command.runs = static_cast<int>(*runs);
  if (auto seconds = args.number(Opt::kLockTimeout))
    command.lock_timeout_ms = static_cast<int>(*seconds * 1000);
  std::optional<ProgressPrinter> progress;
  if (args.verbosity() > 0 && !args.flag(Opt::kJson)) {
    progress.emplace(stderr_progress_style(args.verbosity()), stderr);
    command.on_load_progress = progress->callback();
  }
  const RefreshOutcome outcome = run_refresh(command);
  if (progress) progress->finish();
  if (args.flag(Opt::kJson)) {
    nlohmann::json j = render_json(outcome);
    if (outcome.fidelity) j["fidelity"] = fidelity_json(*outcome.fidelity);
    if (!outcome.fidelity_gate.empty())
      j["gate"] = {{"tripped", true}, {"message", outcome.fidelity_gate}};
    fmt::print("{}\n", j.dump(2));
    return outcome.fidelity_gate.empty() ? 0 : static_cast<int>(ExitCode::kGate);
  }
  if (args.verbosity() > 0) {
    fmt::print("{}", render_text(outcome));
    if (outcome.fidelity)
      fmt::print("\n{}", fidelity_text(*outcome.fidelity, terminal_width(), args.verbosity()));
  }
  // The new dataset is in place either way: the gate says it no longer matches.
  if (!outcome.fidelity_gate.empty())
    throw Error("fidelity.below-threshold", outcome.fidelity_gate,
                "the mirror was refreshed; the lines above name what drifted");
  return 0;
}

}  // namespace pgshape::cli
