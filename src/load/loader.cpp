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

// The steps of a sharded load that work on the target schema itself (see
// LoadOptions::Mode): no staging and no swap, because N processes share the
// target; the schema must have been created by a kPrepare load.
LoadResult load_in_place(const Profile& profile, const std::string& dsn,
                         const LoadOptions& options, const Scale& scale, LoadResult result,
                         const load::CopySpec& copy_spec, Clock::time_point started) {
  if (!profile.ddl_sql.empty())
    throw UsageError("--shard, --prepare and --finish do not support a profile's own DDL file yet",
                     "load without sharding, or let the profile define the tables");
  pqxx::connection control(dsn);
  {
    pqxx::nontransaction tx(control);
    for (const auto& table : profile.tables) {
      if (tx.exec_params("SELECT 1 FROM pg_catalog.pg_class c JOIN pg_catalog.pg_namespace n "
                         "ON n.oid = c.relnamespace WHERE n.nspname = $1 AND c.relname = $2",
                         result.schema, table.name)
              .empty())
        throw UsageError(
            fmt::format("table {}.{} does not exist", result.schema, table.name),
            fmt::format("create the empty tables first: pgshape load {} --scale {} --prepare",
                        profile.file, scale.name));
    }
  }
  if (options.mode == LoadOptions::Mode::kAppend) {
    if (options.shard_count < 1 || options.shard_index < 0 ||
        options.shard_index >= options.shard_count)
      throw UsageError(fmt::format("shard {} of {} does not exist", options.shard_index + 1,
                                   options.shard_count));
    DatasetGenerator generator(profile, scale, result.seed);
    load::CopySpec spec = copy_spec;
    spec.shard_index = options.shard_index;
    spec.shard_count = options.shard_count;
    spec.append = true;
    const auto phase = Clock::now();
    result.tables = load::copy_tables(dsn, profile, generator, result.schema, result.jobs,
                                      options.on_progress, spec);
    result.copy_seconds = seconds_since(phase);
  } else {
    auto phase = Clock::now();
    load::build_keys_and_indexes(dsn, control, profile, result.schema, result.jobs);
    result.index_seconds = seconds_since(phase);
    phase = Clock::now();
    load::analyze_tables(dsn, profile, result.schema, result.jobs);
    result.analyze_seconds = seconds_since(phase);
  }
  result.total_seconds = seconds_since(started);
  return result;
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
  const load::CopySpec copy_spec{
      .format = options.binary_copy ? RowFormat::kCopyBinary : RowFormat::kCopyText};
  if (options.mode == LoadOptions::Mode::kAppend || options.mode == LoadOptions::Mode::kFinish)
    return load_in_place(input, dsn, options, scale, std::move(result), copy_spec, started);

  pqxx::connection control(dsn);
  load::Staging staging(control, result.schema, options);  // lock, ownership, fresh staging
  try {
    // The user's DDL fixes the column types; the profile is re-checked against them.
    const Profile profile = load::create_tables(control, input, staging.name());
    DatasetGenerator generator(profile, scale, result.seed);

    // kPrepare: only the empty tables, swapped in for the shards to append to.
    if (options.mode == LoadOptions::Mode::kFull) {
      auto phase = Clock::now();
      result.tables = load::copy_tables(dsn, profile, generator, staging.name(), result.jobs,
                                        options.on_progress, copy_spec);
      result.copy_seconds = seconds_since(phase);

      phase = Clock::now();
      load::build_keys_and_indexes(dsn, control, profile, staging.name(), result.jobs);
      result.index_seconds = seconds_since(phase);

      phase = Clock::now();
      load::analyze_tables(dsn, profile, staging.name(), result.jobs);
      result.analyze_seconds = seconds_since(phase);
    }

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
