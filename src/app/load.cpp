// `pgshape load PROFILE`: the profile checked first (nothing is touched when it
// is bad; a dry run stops after printing the SQL), then the target opened and proven reachable,
// then load_dataset.
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
    Target target = app::open_target(command.target);
    outcome.result = load_dataset(profile, target.dsn(), command.load);
    outcome.target = app::describe_target(target, command.target.keep);
    return outcome;
  });
}

}  // namespace pgshape
