// pgshape explain PROFILE: the scale-point sweep (app/explain.cpp), with a line
// per step on stderr, then the sweep's comparisons on stdout as a table or JSON.
#include <fmt/format.h>
#include <nlohmann/json.hpp>
#include <optional>

#include "commands.hpp"
#include "pgshape/app.hpp"
#include "pgshape/error.hpp"
#include "pgshape/util.hpp"
#include "progress.hpp"

namespace pgshape::cli {
namespace {

ExplainCommand explain_command(const Args& args) {
  ExplainCommand c{.profile = args.text(Opt::kProfile),
                   .overlay = args.text(Opt::kOverlay),
                   .scales = args.list(Opt::kScales),
                   .out = args.text(Opt::kOut),
                   .hypothetical = args.flag(Opt::kHypothetical),
                   .fail_on = args.list(Opt::kFailOn),
                   .target = {.dsn = args.given_text(Opt::kDsn), .keep = args.flag(Opt::kKeep)},
                   .schema = args.text(Opt::kSchema),
                   .seed = args.seed()};
  c.pg_bins = args.values(Opt::kPgBin);
  if (auto runs = args.integer(Opt::kRuns)) c.runs = static_cast<int>(*runs);
  if (auto jobs = args.integer(Opt::kJobs)) c.jobs = static_cast<int>(*jobs);
  return c;
}

void print_progress(const ExplainProgress& p, int runs, int verbosity) {
  switch (p.step) {
    case ExplainProgress::Step::kLoading:
      fmt::print(stderr, "loading scale {} into schema {} ...\n", p.scale, p.schema);
      break;
    case ExplainProgress::Step::kLoaded:
      // Table by table, -v's progress lines said it already.
      if (verbosity < 2) break;
      fmt::print(stderr, "  loaded in {:.2f} s\n", p.loaded->total_seconds);
      break;
    case ExplainProgress::Step::kCapturing:
      fmt::print(stderr, "capturing plans at scale {} ({} each) ...\n", p.scale,
                 plural(runs, "run"));
      break;
  }
}

nlohmann::json sweep_json(const ExplainOutcome& outcome) {
  nlohmann::json j = {{"capture_dir", outcome.capture_dir},
                      {"report", outcome.report_html},
                      {"comparisons", nlohmann::json::array()}};
  for (const auto& r : outcome.report.comparisons)
    j["comparisons"].push_back(nlohmann::json::parse(render_json(r)));
  j["findings"] = nlohmann::json::parse(render_findings_json(outcome.report));
  return j;
}

}  // namespace

int run_explain_command(const Args& args) {
  ExplainCommand command = explain_command(args);
  const bool json = args.flag(Opt::kJson);
  const int verbosity = args.verbosity();
  // A printer per scale point's load: each load's phases start afresh.
  std::optional<ProgressPrinter> load_progress;
  if (verbosity > 0 && !json) {
    command.on_progress = [&](const ExplainProgress& p) {
      if (p.step == ExplainProgress::Step::kLoaded && load_progress) load_progress->finish();
      print_progress(p, command.runs, verbosity);
      if (p.step == ExplainProgress::Step::kLoading)
        load_progress.emplace(stderr_progress_style(verbosity), stderr);
    };
    command.on_load_progress = [&](const LoadProgress& p) {
      if (load_progress) load_progress->callback()(p);
    };
  }
  const ExplainOutcome outcome = run_explain(command);
  load_progress.reset();
  // One sweep, or (repeated --pg-bin) one per server followed by the comparisons
  // of the first server's plans with each other server's.
  std::vector<const ExplainOutcome*> sweeps;
  if (outcome.servers.empty()) sweeps.push_back(&outcome);
  for (const auto& s : outcome.servers) sweeps.push_back(&s);
  if (json) {
    nlohmann::json j = sweep_json(outcome);
    if (!outcome.servers.empty()) {
      j["servers"] = nlohmann::json::array();
      for (const auto* s : sweeps) j["servers"].push_back(sweep_json(*s));
      j["across_servers"] = nlohmann::json::array();
      for (const auto& a : outcome.across_servers)
        j["across_servers"].push_back(
            {{"report", a.report_html},
             {"comparison", nlohmann::json::parse(render_json(a.result))},
             {"findings", nlohmann::json::parse(render_findings_json(a.report))}});
    }
    if (!outcome.gate.empty()) j["gate"] = {{"tripped", true}, {"message", outcome.gate}};
    j["target"] = target_json(outcome.target);
    fmt::print("{}\n", j.dump(2));
    return outcome.gate.empty() ? 0 : static_cast<int>(ExitCode::kGate);
  }
  if (verbosity > 0) {
    for (const auto* s : sweeps)
      fmt::print(
          "{}\nreport: {}\nplans:  {}/plans/ (EXPLAIN JSON, one file per capture; these open in "
          "PEV2)\nindex:  {}/summary.json (pgshape's index of the capture, not a plan)\n"
          "scale points loaded {}\n",
          render_terminal(s->report, color_stdout(), terminal_width()), s->report_html,
          s->capture_dir, s->capture_dir, where_phrase(s->target, s->schema));
    for (const auto& a : outcome.across_servers) {
      fmt::print("\n{}", render_terminal(a.report, color_stdout(), terminal_width()));
      if (a.result.pairs.empty()) fmt::print("no captures paired up\n");
      fmt::print("report: {}\n", a.report_html);
    }
  }
  for (const auto* s : sweeps) print_kept_server(s->target);
  if (!outcome.gate.empty()) throw GateTripped(outcome.gate);
  return 0;
}

}  // namespace pgshape::cli
