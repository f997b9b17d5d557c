// load_dataset: generate every table into a staging schema, build keys and
// indexes after the data, ANALYZE, then swap the staging schema in with one
// transaction. Until that commit the target schema is exactly as it was.
#include "pgshape/loader.hpp"

#include <pqxx/pqxx>

#include <fmt/format.h>
#include <chrono>

#include "load/parallel.hpp"
#include "load/steps.hpp"
#include "pg/raw_connection.hpp"
#include "pgshape/error.hpp"
#include "pgshape/generator.hpp"
#include "pgshape/server.hpp"
#include "pgshape/sql.hpp"

namespace pgshape {
namespace {

using Clock = std::chrono::steady_clock;
double seconds_since(Clock::time_point start) {
  return std::chrono::duration<double>(Clock::now() - start).count();
}

const Scale& resolve_scale(const Profile& profile, const std::string& name) {
  const std::string wanted = name.empty() ? profile.default_scale : name;
  if (const Scale* scale = profile.find_scale(wanted)) return *scale;
  std::vector<std::string_view> names;
  for (const auto& s : profile.scales) names.push_back(s.name);
  throw UsageError(fmt::format("unknown scale point '{}' in {}", wanted, profile.file),
                   fmt::format("scale points: {}", fmt::join(names, ", ")));
}

}  // namespace

LoadResult load_dataset(const Profile& input, const std::string& dsn, const LoadOptions& options) {
  const auto started = Clock::now();
  const Scale& scale = resolve_scale(input, options.scale);
  LoadResult result;
  result.scale = scale.name;
  result.schema = options.schema.empty() ? input.schema : options.schema;
  result.seed = options.seed.value_or(input.seed);
  result.jobs = std::max(1, options.jobs);
  load::check_schema_name(result.schema);

  pqxx::connection control(dsn);
  load::Staging staging(control, result.schema, options);  // lock, ownership, fresh staging
  try {
    // The user's DDL fixes the column types; the profile is re-checked against them.
    const Profile profile = load::create_tables(control, input, staging.name());
    DatasetGenerator generator(profile, scale, result.seed);

    auto phase = Clock::now();
    result.tables = load::copy_tables(dsn, profile, generator, staging.name(), result.jobs,
                                      options.on_progress);
    result.copy_seconds = seconds_since(phase);

    phase = Clock::now();
    load::build_keys_and_indexes(dsn, control, profile, staging.name(), result.jobs);
    result.index_seconds = seconds_since(phase);

    phase = Clock::now();
    load::analyze_tables(dsn, profile, staging.name(), result.jobs);
    result.analyze_seconds = seconds_since(phase);

    if (options.check_staging) options.check_staging(staging.name());
    staging.swap_in(
        fmt::format("profile={} scale={} seed={}", profile.name, scale.name, result.seed),
        options.keep_previous);
    result.shape = load::measure_shape(control, profile, generator, result.schema);
  } catch (...) {
    staging.discard();
    throw;
  }
  result.total_seconds = seconds_since(started);
  return result;
}

}  // namespace pgshape
