// `pgshape workload PROFILE --out DIR`: the pgbench load test whose parameters
// carry the data's skew, written as a folder (scripts, parameters, driver).
#include "app/internal.hpp"
#include "pgshape/app.hpp"

namespace pgshape {
namespace {

WorkloadOutcome workload(const WorkloadCommand& c) {
  if (c.out.empty()) throw UsageError("usage.missing-argument", "workload needs --out DIR");
  const Profile profile = load_profile_with_overlay(c.profile, c.overlay);
  const Scale& scale = app::require_scale(profile, c.scale);
  WorkloadOutcome outcome{.profile_name = profile.name,
                          .scale = scale.name,
                          .seed = c.seed.value_or(profile.seed),
                          .out = c.out};
  outcome.scripts = write_workload(profile, WorkloadOptions{.scale = scale.name,
                                                            .schema = c.schema,
                                                            .seed = outcome.seed,
                                                            .count = c.count,
                                                            .out = c.out});
  return outcome;
}

}  // namespace

WorkloadOutcome run_workload(const WorkloadCommand& command) {
  return app::translating_errors([&] { return workload(command); });
}

}  // namespace pgshape
