// --exact-stats for load and refresh: what is refused before anything is written
// (no snapshot, another scale point, sharded steps, a server before 18), and the
// hook that writes production's statistics onto the staging tables between
// ANALYZE and the swap, so the swap stays the one atomic step.
#include <fmt/format.h>

#include "app/internal.hpp"
#include "pgshape/app.hpp"
#include "pgshape/error.hpp"
#include "pgshape/stats.hpp"

namespace pgshape::app {

void check_exact_stats_scale(const Scale& scale) {
  // The snapshot's reltuples and relpages are production's: at another size the
  // planner would scale them by the mirror's real pages into nonsense estimates,
  // and MCV frequencies would claim rows that do not exist.
  if (scale.name != kExactStatsScale)
    throw UsageError("usage.exact-stats",
                     fmt::format("--exact-stats writes production's statistics, so it needs the "
                                 "'{}' scale point; this load is at '{}'",
                                 kExactStatsScale, scale.name),
                     fmt::format("load with --scale {} (the row counts the statistics describe), "
                                 "or without --exact-stats",
                                 kExactStatsScale));
}

StatsSnapshot exact_stats_snapshot(const Profile& profile, const Scale& scale,
                                   const LoadOptions& load) {
  if (profile.statistics_json.empty())
    throw UsageError(
        "usage.exact-stats",
        fmt::format("--exact-stats needs production's statistics, and profile {} names none",
                    profile.file),
        "make the profile with `pgshape stats --source DSN -o PROFILE.yaml`, which writes "
        "PROFILE.stats.json beside it and names it in `statistics:`");
  if (load.mode != LoadOptions::Mode::kFull)
    throw UsageError("usage.exact-stats",
                     "--exact-stats works on a whole load: not with --shard, --prepare or --finish",
                     "load without sharding to restore production's statistics");
  check_exact_stats_scale(scale);
  return snapshot_from_json(profile.statistics_json);
}

void restore_before_swap(LoadOptions& load, const std::string& dsn, const StatsSnapshot& snapshot,
                         std::optional<ExactStatsResult>& result) {
  require_stats_import(dsn);  // before the load writes anything
  auto check = std::move(load.check_staging);
  load.check_staging = [check = std::move(check), dsn, &snapshot,
                        &result](const std::string& staging) {
    if (check) check(staging);
    result = restore_exact_stats(dsn, staging, snapshot);
  };
}

}  // namespace pgshape::app
