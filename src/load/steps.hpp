// The steps of a load, each a function over connections and the profile.
// Internal to src/load; load_dataset (loader.cpp) runs them in order.
#pragma once

#include <pqxx/pqxx>

#include <atomic>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "load/progress.hpp"
#include "load/task_graph.hpp"
#include "pgshape/gen.hpp"
#include "pgshape/load.hpp"
#include "pgshape/pg.hpp"
#include "pgshape/profile.hpp"

namespace pgshape::load {

// The scale point `name` of `profile` (empty: its default); throws UsageError
// "usage.unknown-scale" listing the scale points otherwise.
const Scale& resolve_scale(const Profile& profile, const std::string& name);

// Throws UsageError (load.bad-schema) unless `schema` is a usable name with room
// for our suffixes and not a PostgreSQL system schema (pg_*, information_schema).
void check_schema_name(const std::string& schema);

// Every object outside `schema` that DROP SCHEMA `schema` CASCADE would drop or
// alter, as "what (depends on what)" from pg_describe_object; empty when none.
// The walk is pg_depend's closure, not a list of object kinds (dependents.cpp).
// A concurrent DROP that races it is retried (see catalog_race_retried).
std::vector<std::string> outside_dependents(pqxx::dbtransaction& tx, const std::string& schema);

// Runs `body` on a subtransaction of `tx` (the one it is given), again (at most `attempts` times in
// all) while it fails with SQLSTATE XX000: pg_describe_object and pg_identify_object look an object
// up once more in the catalog caches, and a DROP committed by another session in between makes that
// lookup fail ("cache lookup failed for attribute 1 of relation ..."). Each attempt is a new
// statement, whose snapshot no longer holds the dropped object's pg_depend rows. Other errors, and
// the last attempt's, propagate; `tx` stays usable after a retried failure.
void catalog_race_retried(pqxx::dbtransaction& tx,
                          const std::function<void(pqxx::transaction_base&)>& body,
                          int attempts = 5);

// The staging schema of one load into `target`, and the guard around it: holds
// the per-target advisory lock, adopts a target pgshape did not create while it
// holds nothing but pgshape's objects, refuses other targets it does not own
// (unless force) and, before anything is written, any schema whose drop would reach
// objects in other schemas (also with force); clears debris of an earlier killed
// load, and swaps atomically. Every statement on `control` waits at most
// options.lock_timeout_ms for other sessions' locks (forever with options.wait);
// a wait that times out throws DatabaseError db.lock-timeout naming the blockers.
class Staging {
 public:
  // `dsn` is control's server, for the connection that watches lock waits.
  Staging(pqxx::connection& control, std::string dsn, std::string target,
          const LoadOptions& options);
  ~Staging();
  const std::string& name() const { return staging_; }
  int lock_timeout_ms() const { return lock_timeout_ms_; }
  // One transaction: the old target goes (or becomes <target>_previous with
  // options.keep_previous), staging becomes the target; for an adopted target,
  // the same with the objects in it, the schema itself kept. `note` is recorded in its
  // comment. Throws UsageError load.dependents (nothing changed) when a schema it
  // would drop has dependents elsewhere by now.
  void swap_in(const std::string& note);
  // Drops the staging schema after a failure (best effort: never throws).
  void discard() noexcept;

 private:
  // Runs `body`; a lock timeout inside it becomes db.lock-timeout naming who held
  // the lock (watched from a second connection while `body` runs).
  void waiting_for_locks(const char* doing, const std::function<void()>& body);
  // swap_in's transaction for an adopted target: pgshape's old objects go (or
  // move to <target>_previous), staging's move in marked as pgshape's.
  void swap_into_adopted(pqxx::dbtransaction& tx, const std::string& note);

  pqxx::connection& control_;
  std::string dsn_;
  std::string target_;
  std::string staging_;
  std::string previous_;
  int lock_timeout_ms_;
  bool keep_previous_;
  // The target exists, pgshape did not create it and it holds nothing but
  // pgshape's objects: the swap moves objects in and out, the schema stays (adopt.cpp).
  bool adopt_ = false;
  bool swapped_ = false;
};

// Creates the staging tables (the profile's DDL, or the user's DDL file) and
// returns the profile with column types as they exist in the database.
Profile create_tables(pqxx::connection& control, const Profile& profile, const std::string& schema);

// objects.cpp. The profile's extensions (CREATE EXTENSION IF NOT EXISTS, on the
// session's search path); UsageError load.missing-extension, before any is
// created, when the server has one neither installed nor available, or when a
// missing one would land in the schema the load replaces (staging's target).
void create_extensions(pqxx::transaction_base& tx, const Profile& profile,
                       const std::string& staging);
// The profile's functions, into the schema first on tx's search path.
void create_functions(pqxx::transaction_base& tx, const Profile& profile);
// The profile's views in `schema`, in order, in a transaction of their own.
void create_views(pqxx::connection& control, const Profile& profile, const std::string& schema);
// The statements of those two, for --dry-run too.
std::vector<std::string> create_extension_statements(const Profile& profile);
std::vector<std::string> create_view_statements(std::string_view schema, const Profile& profile);

// How copy_tables writes: which rows, in which encoding, into which kind of table.
struct CopySpec {
  RowFormat format = RowFormat::kCopyBinary;
  int shard_index = 0;  // copy only slice shard_index of shard_count of every table
  int shard_count = 1;
  // Append into tables that already hold rows (a shard): no TRUNCATE, so no FREEZE.
  bool append = false;
};

using LoadTask = GraphTask<RawConnection>;

// The COPY tasks of one load and what they share: each table's figures, and
// the reporter its progress goes to. Must outlive the graph that runs its tasks.
class TableCopies {
 public:
  TableCopies(const Profile& profile, const DatasetGenerator& generator, std::string schema,
              const CopySpec& spec, LoadReporter& reporter);
  // Appends one task per table; returns each table's task index (generator order).
  // A task stops early, throwing, once `failed` is set.
  std::vector<size_t> add_tasks(std::vector<LoadTask>& tasks, const std::atomic<bool>& failed);
  std::vector<TableLoadStats> stats_in_load_order() const;

 private:
  int64_t rows_of(const TableGenerator& table) const;
  void copy(RawConnection& connection, size_t index, bool freeze, const std::atomic<bool>& failed);
  // A partitioned table whose rows load routes itself: one COPY FREEZE task per
  // leaf, side by side, and a task after them all that stands for the table's
  // COPY (leaf_copy.cpp). False (no task added) when the server must route.
  bool add_leaf_tasks(std::vector<LoadTask>& tasks, size_t index, const std::atomic<bool>& failed);
  void copy_leaf(RawConnection& connection, size_t index, size_t leaf, const std::string& name,
                 const std::atomic<bool>& failed);

  const Profile& profile_;
  const DatasetGenerator& generator_;
  std::string schema_;
  CopySpec spec_;
  LoadReporter& reporter_;
  std::vector<TableLoadStats> stats_;
  // Per table, what its leaves' tasks share: the router (built by the first
  // task that needs it) and the table's figures so far.
  struct Leaves;
  std::vector<std::shared_ptr<Leaves>> leaves_;
};

// Appends what follows the data, per table as soon as its own data is in:
// indexes (side by side), then the primary and unique keys adopting them, the
// foreign keys added NOT VALID, ANALYZE, and last the validation of the foreign
// keys (which needs the statistics and the indexes to pick a cheap plan).
// `copy_task` holds each table's COPY task (profile order), empty when the data
// is already there; `rows` each table's row count, for the scheduler's costs.
void add_finish_tasks(std::vector<LoadTask>& tasks, const Profile& profile,
                      const std::string& schema, const std::vector<int64_t>& rows,
                      const std::vector<size_t>& copy_task);

// Runs the tasks on `jobs` connections to `dsn`, each waiting at most
// `lock_timeout_ms` for another session's lock (0: forever); returns each task's span.
// Plans every task's phase units on `reporter` first, and reports each task with
// a phase as it starts and ends (a COPY reports itself, with its rows).
std::vector<TaskSpan> run_load_tasks(const std::string& dsn, int jobs, int lock_timeout_ms,
                                     const std::vector<LoadTask>& tasks, std::atomic<bool>& failed,
                                     LoadReporter& reporter);

// Expected vs achieved shares of skewed columns, from pg_stats after ANALYZE.
std::vector<ShapeStat> measure_shape(pqxx::connection& control, const Profile& profile,
                                     const DatasetGenerator& generator, const std::string& schema);

}  // namespace pgshape::load
