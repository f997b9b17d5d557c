// `pgshape load PROFILE`: the profile checked first (nothing is touched when it
// is bad), then the target opened and proven reachable, then load_dataset.
#include "app/internal.hpp"
#include "pgshape/app.hpp"

namespace pgshape {

LoadOutcome run_load(const LoadCommand& command) {
  return app::translating_errors([&] {
    const Profile profile = load_profile_with_overlay(command.profile, command.overlay);
    if (!command.load.scale.empty()) app::require_scale(profile, command.load.scale);
    const app::OpenedTarget target = app::open_target(command.target);
    LoadOutcome outcome;
    outcome.result = load_dataset(profile, target.target.dsn(), command.load);
    outcome.target = app::describe_target(target, command.target.keep);
    return outcome;
  });
}

}  // namespace pgshape
