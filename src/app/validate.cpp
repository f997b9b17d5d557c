// `pgshape validate PROFILE`: the profile read, merged with its overlay and
// validated; every problem comes back at once as a ProfileError.
#include "app/internal.hpp"
#include "pgshape/app.hpp"

namespace pgshape {

ValidateOutcome run_validate(const ValidateCommand& command) {
  return app::translating_errors(
      [&] { return ValidateOutcome{load_profile_with_overlay(command.profile, command.overlay)}; });
}

}  // namespace pgshape
