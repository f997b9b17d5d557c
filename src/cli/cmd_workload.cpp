// pgshape workload PROFILE --out DIR: a pgbench load test whose parameters carry
// the data's skew, with a staged campaign-burst driver (app/workload.cpp); says
// what it wrote and how to run it.
#include <fmt/format.h>

#include "commands.hpp"
#include "pgshape/app.hpp"
#include "pgshape/util.hpp"

namespace pgshape::cli {

int run_workload_command(const Args& args) {
  WorkloadCommand command{.profile = args.text(Opt::kProfile),
                          .overlay = args.text(Opt::kOverlay),
                          .out = args.text(Opt::kOut),
                          .scale = args.text(Opt::kScale),
                          .schema = args.text(Opt::kSchema),
                          .seed = args.seed()};
  if (auto count = args.integer(Opt::kCount)) command.count = *count;
  const WorkloadOutcome outcome = run_workload(command);
  if (args.verbosity() == 0) return 0;
  std::string list;
  for (const auto& s : outcome.scripts)
    list += fmt::format("  scripts/{}.sql  {} {}{}\n", s.file_stem,
                        s.transaction ? "transaction" : "query", s.name,
                        s.transaction ? fmt::format(" (weight {})", s.weight) : "");
  fmt::print(
      "{} for profile {}, scale {}, seed {} in {}:\n{}\n"
      "Run the campaign burst (10 -> 800 tx/s, 10 min at 400, 5 min at 100), scaled down:\n"
      "  {}/run.sh --dsn URI --factor 0.05\n",
      plural(outcome.scripts.size(), "script"), outcome.profile_name, outcome.scale, outcome.seed,
      outcome.out, list, outcome.out);
  return 0;
}

}  // namespace pgshape::cli
