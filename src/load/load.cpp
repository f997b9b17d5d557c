// load_dataset: generate every table into a staging schema; build each table's
// keys and indexes as soon as its data is in, ANALYZE, validate the foreign
// keys; then swap the staging schema in with one transaction. Until that
// commit the target schema is exactly as it was.
#include "pgshape/load.hpp"

#include <pqxx/pqxx>

#include <fmt/format.h>
#include <chrono>

#include "load/sql.hpp"
#include "load/steps.hpp"
#include "pgshape/error.hpp"
#include "pgshape/gen.hpp"
#include "pgshape/pg.hpp"
#include "pgshape/session.hpp"

namespace pgshape {

const Scale& load::resolve_scale(const Profile& profile, const std::string& name) {
  const std::string wanted = name.empty() ? profile.default_scale : name;
  if (const Scale* scale = profile.find_scale(wanted)) return *scale;
  std::vector<std::string_view> names;
  for (const auto& s : profile.scales) names.push_back(s.name);
  throw UsageError("usage.unknown-scale",
                   fmt::format("unknown scale point '{}' in {}", wanted, profile.file),
                   fmt::format("scale points: {}", fmt::join(names, ", ")));
}

namespace {

using Clock = std::chrono::steady_clock;
double seconds_since(Clock::time_point start) {
  return std::chrono::duration<double>(Clock::now() - start).count();
}

// Runs a load's tasks on result.jobs connections and records when each kind
// of work was done.
void run_tasks(const std::string& dsn, int lock_timeout_ms,
               const std::vector<load::LoadTask>& tasks, std::atomic<bool>& failed,
               load::LoadReporter& reporter, LoadResult& result) {
  const auto spans =
      load::run_load_tasks(dsn, result.jobs, lock_timeout_ms, tasks, failed, reporter);
  result.copy_seconds = load::kind_done_at(tasks, spans, load::TaskKind::kCopy);
  result.indexes_done_at = load::kind_done_at(tasks, spans, load::TaskKind::kIndex);
  result.analyze_done_at = load::kind_done_at(tasks, spans, load::TaskKind::kAnalyze);
  result.foreign_keys_done_at = load::kind_done_at(tasks, spans, load::TaskKind::kForeignKey);
}

std::vector<int64_t> table_rows(const DatasetGenerator& generator) {
  std::vector<int64_t> rows;
  for (const auto& table : generator.tables()) rows.push_back(static_cast<int64_t>(table.rows()));
  return rows;
}

// What to do about a failed load, by SQLSTATE (class first): the user's next step.
std::string next_step(const std::string& sqlstate, bool connection_lost) {
  const std::string cls = sqlstate.substr(0, 2);
  if (connection_lost || cls == "08" || sqlstate == "57P01" || sqlstate == "57P02" ||
      sqlstate == "57P03")
    return "the connection to the server was lost (the server log says why): when the server "
           "accepts connections again, rerun the same command";
  if (sqlstate == "53100")
    return "the server's disk (or the tablespace the new tables went to) is full: free space "
           "there, or load a smaller --scale, then rerun";
  if (sqlstate == "53400")
    return "a server limit was exceeded (e.g. temp_file_limit while building indexes): raise it "
           "for pgshape's sessions (ALTER ROLE ... SET), then rerun";
  if (sqlstate == "53200")
    return "the server ran out of memory: lower --jobs or maintenance_work_mem, then rerun";
  if (sqlstate == "53300")
    return "the server has no connection slots left: lower --jobs, then rerun";
  if (sqlstate == "57014")
    return "a statement was cancelled (statement_timeout, or someone cancelled it): rerun, with "
           "a larger statement_timeout if one is set";
  if (cls == "40") return "another session held a conflicting lock: rerun";
  if (sqlstate == "55P03")
    return "another session held a lock pgshape needed for longer than the lock timeout: rerun "
           "when it is done, or with --wait to queue behind it";
  return "fix the cause above, then rerun";
}

// Turns whatever ended a load before its swap into one DatabaseError saying what
// happened, that the target is as it was, and what to do. Called in a catch block.
[[noreturn]] void rethrow_load_failure(const std::string& schema, bool target_existed) {
  const std::string state =
      target_existed
          ? fmt::format("schema '{}' still holds the previous dataset (nothing was swapped in)",
                        schema)
          : fmt::format("schema '{}' was not created", schema);
  auto fail = [&](std::string_view cause, const std::string& sqlstate, bool lost) {
    std::string text(cause);
    while (!text.empty() && (text.back() == '\n' || text.back() == ' ')) text.pop_back();
    const bool lost_connection = lost || sqlstate.rfind("08", 0) == 0;
    throw DatabaseError(
        lost_connection       ? ErrorId("load.lost-connection")
        : sqlstate == "55P03" ? ErrorId("db.lock-timeout")
                              : ErrorId("load.failed"),
        redact_dsn(fmt::format("load into schema '{}' failed: {}\n{}", schema, text, state)),
        next_step(sqlstate, lost), sqlstate);
  };
  try {
    throw;
  } catch (const pqxx::in_doubt_error& e) {
    // The swap's COMMIT was sent and the connection died before the answer.
    throw DatabaseError(
        "load.commit-in-doubt",
        fmt::format("lost the connection while committing the swap into schema '{}': {}", schema,
                    e.what()),
        fmt::format("schema '{}' holds either the previous or the new dataset, complete: its "
                    "COMMENT says which (pgshape: profile=... scale=... seed=...); rerun to be "
                    "sure",
                    schema));
  } catch (const pqxx::broken_connection& e) {
    fail(e.what(), {}, true);
  } catch (const pqxx::sql_error& e) {
    fail(e.what(), e.sqlstate(), false);
  } catch (const DatabaseError& e) {
    // Already says what happened and that the target is as it was.
    if (e.id() == ErrorId("db.lock-timeout") || e.id() == ErrorId("db.transaction-ended")) throw;
    fail(e.what(), e.sqlstate(), false);
  }
  // UsageError, ProfileError, InternalError keep their own type and exit code.
  throw;
}

// The steps of a sharded load that work on the target schema itself (see
// LoadOptions::Mode): no staging and no swap, because N processes share the
// target; the schema must have been created by a kPrepare load.
LoadResult load_in_place(const Profile& profile, const std::string& dsn, const LoadOptions& options,
                         const Scale& scale, LoadResult result, const load::CopySpec& copy_spec,
                         Clock::time_point started) {
  if (!profile.ddl_sql.empty())
    throw UsageError("usage.unsupported",
                     "--shard, --prepare and --finish do not support a profile's own DDL file yet",
                     "load without sharding, or let the profile define the tables");
  const auto session = open_session(dsn, SessionKind::kTarget);
  pqxx::connection& control = *session;
  {
    pqxx::nontransaction tx(control);
    for (const auto& table : profile.tables) {
      if (tx.exec_params("SELECT 1 FROM pg_catalog.pg_class c JOIN pg_catalog.pg_namespace n "
                         "ON n.oid = c.relnamespace WHERE n.nspname = $1 AND c.relname = $2",
                         result.schema, table.name)
              .empty())
        throw UsageError(
            "load.not-prepared",
            fmt::format("table {}.{} does not exist", result.schema, table.name),
            fmt::format("create the empty tables first: pgshape load {} --scale {} --prepare",
                        profile.file, scale.name));
    }
  }
  DatasetGenerator generator(profile, scale, result.seed);
  std::vector<load::LoadTask> tasks;
  std::atomic<bool> failed{false};
  load::LoadReporter reporter(options.on_progress);
  const int lock_timeout_ms = options.wait ? 0 : options.lock_timeout_ms;
  if (options.mode == LoadOptions::Mode::kAppend) {
    if (options.shard_count < 1 || options.shard_index < 0 ||
        options.shard_index >= options.shard_count)
      throw UsageError("usage.bad-option",
                       fmt::format("shard {} of {} does not exist", options.shard_index + 1,
                                   options.shard_count));
    load::CopySpec spec = copy_spec;
    spec.shard_index = options.shard_index;
    spec.shard_count = options.shard_count;
    spec.append = true;
    load::TableCopies copies(profile, generator, result.schema, spec, reporter);
    copies.add_tasks(tasks, failed);
    run_tasks(dsn, lock_timeout_ms, tasks, failed, reporter, result);
    result.tables = copies.stats_in_load_order();
  } else {
    load::add_finish_tasks(tasks, profile, result.schema, table_rows(generator), {});
    run_tasks(dsn, lock_timeout_ms, tasks, failed, reporter, result);
  }
  result.total_seconds = seconds_since(started);
  return result;
}

}  // namespace

LoadResult load_dataset(const Profile& input, const std::string& dsn, const LoadOptions& options) {
  const auto started = Clock::now();
  const Scale& scale = load::resolve_scale(input, options.scale);
  LoadResult result;
  result.scale = scale.name;
  result.schema = options.schema.empty() ? input.schema : options.schema;
  result.seed = options.seed.value_or(input.seed);
  result.jobs = std::max(1, options.jobs);
  load::check_schema_name(result.schema);
  const load::CopySpec copy_spec{.format = options.binary_copy ? RowFormat::kCopyBinary
                                                               : RowFormat::kCopyText};
  if (options.mode == LoadOptions::Mode::kAppend || options.mode == LoadOptions::Mode::kFinish)
    return load_in_place(input, dsn, options, scale, std::move(result), copy_spec, started);

  const auto session = open_session(dsn, SessionKind::kTarget);
  pqxx::connection& control = *session;
  load::Staging staging(control, dsn, result.schema, options);  // lock, ownership, fresh staging
  // Under the lock, so no other load can create or swap it meanwhile.
  const bool target_existed = [&] {
    pqxx::nontransaction tx(control);
    return !tx.exec_params("SELECT 1 FROM pg_catalog.pg_namespace WHERE nspname = $1",
                           result.schema)
                .empty();
  }();
  bool swapped = false;
  load::LoadReporter reporter(options.on_progress);
  reporter.plan(LoadPhase::kSwap, 1);
  try {
    // The user's DDL fixes the column types; the profile is re-checked against them.
    const Profile profile = load::create_tables(control, input, staging.name());
    DatasetGenerator generator(profile, scale, result.seed);

    // kPrepare: only the empty tables, swapped in for the shards to append to.
    if (options.mode == LoadOptions::Mode::kFull) {
      std::vector<load::LoadTask> tasks;
      std::atomic<bool> failed{false};
      load::TableCopies copies(profile, generator, staging.name(), copy_spec, reporter);
      const auto copy_tasks = copies.add_tasks(tasks, failed);
      load::add_finish_tasks(tasks, profile, staging.name(), table_rows(generator), copy_tasks);
      run_tasks(dsn, staging.lock_timeout_ms(), tasks, failed, reporter, result);
      result.tables = copies.stats_in_load_order();
    }
    load::create_views(control, profile, staging.name());

    if (options.check_staging) options.check_staging(staging.name());
    const auto swap_started = Clock::now();
    reporter.started(LoadPhase::kSwap, result.schema, 1);
    staging.swap_in(load::dataset_note(profile.name, scale.name, result.seed));
    swapped = true;
    reporter.finished(LoadPhase::kSwap, result.schema, 1, seconds_since(swap_started));
    result.shape = load::measure_shape(control, profile, generator, result.schema);
  } catch (...) {
    if (swapped) throw;  // the new dataset is in place; only the shape report failed
    staging.discard();
    rethrow_load_failure(result.schema, target_existed);
  }
  result.total_seconds = seconds_since(started);
  return result;
}

}  // namespace pgshape
