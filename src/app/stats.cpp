// `pgshape stats --source DSN`: a profile from a database's planner statistics,
// read in one read-only session; written to a file whole or returned.
#include <filesystem>

#include "app/internal.hpp"
#include "pgshape/app.hpp"

namespace pgshape {
namespace {

StatsOutcome stats(const StatsCommand& c) {
  // A clear "could not connect" before the read, which itself reports failures as
  // statements of the import.
  app::connect(c.source, "--source (the statistics source)");
  StatsOutcome outcome;
  outcome.snapshot = read_stats(c.source, c.stats);
  std::string name = c.name;
  if (name.empty() && !c.out.empty()) name = std::filesystem::path(c.out).stem().string();
  outcome.profile_text =
      render_profile(outcome.snapshot,
                     ImportOptions{.name = name, .seed = c.seed, .test_fraction = c.test_fraction},
                     &outcome.notes);
  if (!c.out.empty()) app::write_file_atomically(c.out, outcome.profile_text);
  return outcome;
}

}  // namespace

StatsOutcome run_stats(const StatsCommand& command) {
  return app::translating_errors([&] { return stats(command); });
}

}  // namespace pgshape
