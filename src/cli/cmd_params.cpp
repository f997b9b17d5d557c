// pgshape params PROFILE --query NAME: parameter values for a load test, drawn
// with the data's skew (app/params.cpp): CSV for k6/JMeter/pgbench-style tools,
// or JSON; to -o/--out or stdout.
#include <fmt/format.h>

#include "commands.hpp"
#include "pgshape/app.hpp"

namespace pgshape::cli {

int run_params_command(const Args& args) {
  ParamsCommand command{.profile = args.text(Opt::kProfile),
                        .overlay = args.text(Opt::kOverlay),
                        .query = args.text(Opt::kQuery),
                        .scale = args.text(Opt::kScale),
                        .seed = args.seed(),
                        .json = args.flag(Opt::kJson) || args.text(Opt::kFormat) == "json",
                        .out = args.text(Opt::kOut)};
  if (auto count = args.integer(Opt::kCount)) command.count = *count;
  const ParamsOutcome outcome = run_params(command);
  if (command.out.empty()) fmt::print("{}", outcome.text);
  return 0;
}

}  // namespace pgshape::cli
