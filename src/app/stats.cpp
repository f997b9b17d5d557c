// `pgshape stats --source DSN`: a profile from a database's planner statistics,
// read in one read-only session; written to a file whole or returned.
#include <filesystem>

#include "app/internal.hpp"
#include "pgshape/app.hpp"

namespace pgshape {
namespace {

namespace fs = std::filesystem;

StatsOutcome stats(const StatsCommand& c) {
  // A clear "could not connect" before the read, which itself reports failures as
  // statements of the import.
  app::connect(c.source, "--source (the statistics source)", SessionKind::kSource);
  StatsOutcome outcome;
  outcome.snapshot = read_stats(c.source, c.stats);
  std::string name = c.name;
  const fs::path out(c.out);
  if (name.empty() && !c.out.empty()) name = out.stem().string();
  // The snapshot beside the profile, named relative to it, so the two move together.
  const std::string statistics = c.out.empty() ? "" : out.stem().string() + ".stats.json";
  outcome.profile_text = render_profile(
      outcome.snapshot,
      ImportOptions{
          .name = name, .seed = c.seed, .test_fraction = c.test_fraction, .statistics = statistics},
      &outcome.notes);
  if (!c.out.empty()) {
    // First the snapshot, then the profile: a profile on disk never names a missing file.
    outcome.statistics_file = (out.parent_path() / statistics).string();
    app::write_file_atomically(outcome.statistics_file, snapshot_to_json(outcome.snapshot));
    app::write_file_atomically(out, outcome.profile_text);
  }
  return outcome;
}

}  // namespace

StatsOutcome run_stats(const StatsCommand& command) {
  return app::translating_errors([&] { return stats(command); });
}

}  // namespace pgshape
