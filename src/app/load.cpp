// `pgshape load PROFILE`: the profile checked first (nothing is touched when it
// is bad; a dry run stops after printing the SQL), then the target opened and proven
// reachable, then load_dataset; with --exact-stats, production's statistics restored between
// ANALYZE and the swap.
#include "app/internal.hpp"
#include "pgshape/app.hpp"
#include "pgshape/error.hpp"

namespace pgshape {

LoadOutcome run_load(const LoadCommand& command) {
  return app::translating_errors([&] {
    const Profile profile = load_profile_with_overlay(command.profile, command.overlay);
    if (!command.load.scale.empty()) app::require_scale(profile, command.load.scale);
    LoadOutcome outcome;
    if (command.dry_run) {
      if (command.load.mode != LoadOptions::Mode::kFull)
        throw UsageError("usage.bad-option",
                         "--dry-run shows a whole load: not with --shard, --prepare or --finish");
      outcome.script = load_script(profile, command.load);
      return outcome;
    }
    std::optional<StatsSnapshot> snapshot;
    if (command.exact_stats)
      snapshot = app::exact_stats_snapshot(profile, app::require_scale(profile, command.load.scale),
                                           command.load);
    const app::OpenedTarget target = app::open_target(command.target);
    LoadOptions load = command.load;
    if (snapshot)
      app::restore_before_swap(load, target.target.dsn(), *snapshot, outcome.exact_stats);
    outcome.result = load_dataset(profile, target.target.dsn(), load);
    outcome.target = app::describe_target(target, command.target.keep);
    return outcome;
  });
}

}  // namespace pgshape
