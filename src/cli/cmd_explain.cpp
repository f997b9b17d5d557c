// pgshape explain PROFILE: the scale-point sweep (app/explain.cpp), with a line
// per step on stderr, then the sweep's comparisons on stdout as a table or JSON.
#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "commands.hpp"
#include "format.hpp"
#include "pgshape/app.hpp"
#include "pgshape/error.hpp"
#include "pgshape/util.hpp"

namespace pgshape::cli {
namespace {

ExplainCommand explain_command(const Args& args) {
  ExplainCommand c{.profile = args.text(Opt::kProfile),
                   .overlay = args.text(Opt::kOverlay),
                   .scales = args.list(Opt::kScales),
                   .out = args.text(Opt::kOut),
                   .hypothetical = args.flag(Opt::kHypothetical),
                   .fail_on = args.list(Opt::kFailOn),
                   .target = {.dsn = args.text(Opt::kDsn), .keep = args.flag(Opt::kKeep)},
                   .schema = args.text(Opt::kSchema),
                   .seed = args.seed()};
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
      if (verbosity < 2) break;
      for (const auto& t : p.loaded->tables)
        fmt::print(stderr, "  {:<24} {:>14} rows  {:>7.2f} s\n", t.table, thousands(t.rows),
                   t.seconds);
      fmt::print(stderr, "  loaded in {:.2f} s\n", p.loaded->total_seconds);
      break;
    case ExplainProgress::Step::kCapturing:
      fmt::print(stderr, "capturing plans at scale {} ({} each) ...\n", p.scale,
                 plural(runs, "run"));
      break;
  }
}

}  // namespace

int run_explain_command(const Args& args) {
  ExplainCommand command = explain_command(args);
  const bool json = args.flag(Opt::kJson);
  const int verbosity = args.verbosity();
  if (verbosity > 0 && !json)
    command.on_progress = [&](const ExplainProgress& p) {
      print_progress(p, command.runs, verbosity);
    };
  const ExplainOutcome outcome = run_explain(command);
  if (json) {
    nlohmann::json j = {{"capture_dir", outcome.capture_dir},
                        {"report", outcome.report_html},
                        {"comparisons", nlohmann::json::array()}};
    for (const auto& r : outcome.report.comparisons)
      j["comparisons"].push_back(nlohmann::json::parse(render_json(r)));
    j["findings"] = nlohmann::json::parse(render_findings_json(outcome.report));
    if (!outcome.gate.empty()) j["gate"] = {{"tripped", true}, {"message", outcome.gate}};
    fmt::print("{}\n", j.dump(2));
    return outcome.gate.empty() ? 0 : static_cast<int>(ExitCode::kGate);
  }
  if (verbosity > 0)
    fmt::print(
        "{}\nreport: {}\nplans:  {}/plans/ (EXPLAIN JSON, one file per capture; these open in "
        "PEV2)\nindex:  {}/summary.json (pgshape's index of the capture, not a plan)\n",
        render_terminal(outcome.report, color_stdout(), terminal_width()), outcome.report_html,
        outcome.capture_dir, outcome.capture_dir);
  if (outcome.target.kept)
    fmt::print(stderr, "embedded server kept running:\n{}\n", outcome.target.connect_hint);
  if (!outcome.gate.empty()) throw GateTripped(outcome.gate);
  return 0;
}

}  // namespace pgshape::cli
