// pgshape compare DIR_A DIR_B: what changed between two plan captures
// (app/compare.cpp), as a terminal table or JSON; exit 3 when --fail-on trips.
#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "commands.hpp"
#include "pgshape/app.hpp"
#include "pgshape/error.hpp"

namespace pgshape::cli {

int run_compare_command(const Args& args) {
  const CompareOutcome outcome = run_compare(CompareCommand{.dir_a = args.text(Opt::kDirA),
                                                            .dir_b = args.text(Opt::kDirB),
                                                            .out = args.text(Opt::kOut),
                                                            .fail_on = args.list(Opt::kFailOn)});
  const CompareResult& result = outcome.result;
  if (args.flag(Opt::kJson)) {
    nlohmann::json j = nlohmann::json::parse(render_json(result));
    j["findings"] = nlohmann::json::parse(render_findings_json(outcome.report));
    if (!outcome.gate.empty()) j["gate"] = {{"tripped", true}, {"message", outcome.gate}};
    fmt::print("{}\n", j.dump(2));
    return outcome.gate.empty() ? 0 : static_cast<int>(ExitCode::kGate);
  }
  if (args.verbosity() > 0) {
    fmt::print("{}", render_terminal(outcome.report, color_stdout(), terminal_width()));
    if (result.pairs.empty()) fmt::print("no captures paired up\n");
    for (const auto& u : result.unmatched_a) fmt::print("only in {}: {}\n", result.label_a, u);
    for (const auto& u : result.unmatched_b) fmt::print("only in {}: {}\n", result.label_b, u);
    fmt::print("\nreport: {}\n", outcome.report_html);
  }
  if (!outcome.gate.empty()) throw GateTripped(outcome.gate);
  return 0;
}

}  // namespace pgshape::cli
