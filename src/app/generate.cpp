// `pgshape generate PROFILE --out DIR`: the rows a load would COPY, written to
// files instead (fixtures, other databases, the benchmark's ceiling). No
// database is involved; the writing itself is generate_files (src/load/files.cpp).
#include "app/internal.hpp"
#include "pgshape/app.hpp"

namespace pgshape {

GenerateResult run_generate(const GenerateCommand& command) {
  return app::translating_errors([&] {
    const Profile profile = load_profile_with_overlay(command.profile, command.overlay);
    return generate_files(profile, command.files);
  });
}

}  // namespace pgshape
