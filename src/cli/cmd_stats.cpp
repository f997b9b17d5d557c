// pgshape stats --source DSN: a profile from a database's planner statistics
// (app/stats.cpp), to -o/--out or stdout, with what it imported on stderr.
#include <fmt/format.h>

#include "commands.hpp"
#include "pgshape/app.hpp"
#include "pgshape/util.hpp"

namespace pgshape::cli {

int run_stats_command(const Args& args) {
  StatsCommand command{
      .source = args.text(Opt::kSource),
      .stats = {.tables = args.list(Opt::kTable), .redact = args.flag(Opt::kRedact)},
      .out = args.text(Opt::kOut),
      .name = args.text(Opt::kName)};
  if (args.given(Opt::kSourceSchema)) command.stats.schema = args.text(Opt::kSourceSchema);
  if (auto seed = args.seed()) command.seed = *seed;
  if (auto fraction = args.number(Opt::kTestFraction)) command.test_fraction = *fraction;
  const StatsOutcome outcome = run_stats(command);
  if (command.out.empty()) fmt::print("{}", outcome.profile_text);
  if (args.verbosity() > 0) {
    const StatsSnapshot& snapshot = outcome.snapshot;
    size_t columns = 0;
    for (const auto& t : snapshot.tables) columns += t.columns.size();
    fmt::print(stderr, "imported {}, {} from schema '{}' of '{}'{}{}\n",
               plural(snapshot.tables.size(), "table"), plural(columns, "column"), snapshot.schema,
               snapshot.database, snapshot.redacted ? " (text redacted)" : "",
               command.out.empty() ? "" : " into " + command.out);
    if (!outcome.statistics_file.empty())
      fmt::print(stderr, "  statistics snapshot (for load --exact-stats): {}\n",
                 outcome.statistics_file);
    for (const auto& note : outcome.notes) fmt::print(stderr, "  note: {}\n", note);
  }
  return 0;
}

}  // namespace pgshape::cli
