// Keys, indexes and foreign keys after the data — far cheaper than maintaining
// them row by row — as tasks that start table by table, as soon as what they
// need is there (see task_graph.hpp):
//   1. a table's CREATE [UNIQUE] INDEX statements, side by side (SHARE locks
//      do not conflict), once its COPY has committed;
//   2. its primary and unique keys adopt those indexes (instant);
//   3. foreign keys added NOT VALID (instant) once both tables have their keys;
//   4. ANALYZE, which also records how much of the table is all-visible;
//   5. the foreign keys validated, the referencing table's all in one task
//      (VALIDATE's SHARE UPDATE EXCLUSIVE lock conflicts with itself).
#include <fmt/format.h>
#include <algorithm>
#include <cstdint>
#include <optional>

#include "load/sql.hpp"
#include "load/steps.hpp"

namespace pgshape::load {
namespace {

// Scheduler costs in microseconds of one core, measured on the shop profile
// (PostgreSQL 15): a CREATE INDEX sorts about a million rows a second, ANALYZE
// reads a fixed sample, a merge-join validation reads both indexes once.
constexpr double kIndexPerRow = 1.0;
constexpr double kValidatePerRow = 0.3;
constexpr double kAnalyze = 300'000;
constexpr double kInstant = 1'000;
// Tier of every task here: after the COPYs among the tasks ready at once.
constexpr int kAfterData = 1;

// True when `table` has a btree index (not partial) whose first column is
// `column`: the validation can then merge-join two index-only scans.
bool index_leads_with(const Table& table, const std::string& column) {
  if (!table.primary_key.empty() && table.primary_key.front() == column) return true;
  if (const Column* c = table.find_column(column); c && c->unique) return true;
  return std::any_of(table.indexes.begin(), table.indexes.end(), [&](const IndexSpec& index) {
    return index.where.empty() && !index.columns.empty() && index.columns.front() == column;
  });
}

// Each statement alone over the extended protocol: an index's predicate is SQL
// from the profile, and the protocol refuses anything past its one statement.
void exec_all(RawConnection& connection, const char* application_name,
              const std::vector<std::string>& statements) {
  connection.exec(fmt::format("SET application_name = '{}'", application_name));
  for (const auto& statement : statements) connection.exec_one(statement);
}

}  // namespace

std::vector<std::string> validate_steps(const Table& table, const Column& column,
                                        std::string validate) {
  if (validate.empty()) return {};  // added valid (a partitioned table's foreign key)
  // PostgreSQL's planner takes the cheap merge join of two index-only scans
  // for a hash join whose table of a million keys misses the cache on every
  // probe (4x slower, measured): steer it when the child side is indexed.
  if (!index_leads_with(table, column.name)) return {std::move(validate)};
  return {"BEGIN", "SET LOCAL enable_hashjoin = off", std::move(validate), "COMMIT"};
}

void add_finish_tasks(std::vector<LoadTask>& tasks, const Profile& profile,
                      const std::string& schema, const std::vector<int64_t>& rows,
                      const std::vector<size_t>& copy_task) {
  const size_t n = profile.tables.size();
  auto table_index = [&](const std::string& name) {
    for (size_t i = 0; i < n; ++i)
      if (profile.tables[i].name == name) return i;
    throw InternalError(fmt::format("no table '{}' in the profile", name));
  };
  auto add = [&](LoadTask task) {
    tasks.push_back(std::move(task));
    return tasks.size() - 1;
  };

  // 1 and 2: indexes, then the keys that adopt them.
  std::vector<size_t> keys_task(n);
  for (size_t t = 0; t < n; ++t) {
    const Table& table = profile.tables[t];
    const auto size = static_cast<double>(rows[t]);
    std::vector<size_t> before_keys;
    std::vector<std::string> adopts;
    std::vector<std::string> keys;  // their names, for progress
    for (auto& build : index_builds(schema, table)) {
      if (build.create_index.empty()) {  // a partitioned table's key: built by its adopt
        adopts.push_back(std::move(build.adopt));
        keys.push_back(build.name);
        continue;
      }
      LoadTask index{.kind = TaskKind::kIndex,
                     .after = {},
                     .locks = {{table.name, TableLock::kShared}},
                     .cost = size * kIndexPerRow,
                     .tier = kAfterData,
                     // A definition from production names the schema's own types
                     // and functions unqualified (stats reads with it on the path).
                     .run = [statements = std::vector<std::string>{ddl_search_path_session(schema),
                                                                   std::move(build.create_index)}](
                                RawConnection& c) { exec_all(c, "pgshape index", statements); },
                     .phase = LoadPhase::kIndexes,
                     .object = build.name};
      if (!copy_task.empty()) index.after.push_back(copy_task[t]);
      before_keys.push_back(add(std::move(index)));
      if (!build.adopt.empty()) {
        adopts.push_back(std::move(build.adopt));
        keys.push_back(build.name);
      }
    }
    if (before_keys.empty() && !copy_task.empty()) before_keys.push_back(copy_task[t]);
    keys_task[t] = add({.kind = TaskKind::kIndex,
                        .after = std::move(before_keys),
                        .locks = {{table.name, TableLock::kExclusive}},
                        .cost = kInstant,
                        .tier = kAfterData,
                        .run =
                            [adopts = std::move(adopts)](RawConnection& c) {
                              if (!adopts.empty()) exec_all(c, "pgshape index", adopts);
                            },
                        .phase = keys.empty() ? std::nullopt : std::optional(LoadPhase::kKeys),
                        .object = fmt::format("{}", fmt::join(keys, ", ")),
                        .units = static_cast<int64_t>(keys.size())});
  }

  // 3: a table's foreign keys, added NOT VALID in one task once the table and
  // every table it references have their keys.
  std::vector<std::vector<size_t>> fk_adds_touching(n);
  std::vector<size_t> fk_add_task(n, SIZE_MAX);
  std::vector<std::vector<size_t>> parents(n);
  std::vector<std::vector<std::string>> validates(n);
  std::vector<double> validate_cost(n, 0);
  std::vector<std::vector<std::string>> fk_names(n);
  for (size_t t = 0; t < n; ++t) {
    const Table& table = profile.tables[t];
    auto builds = foreign_key_builds(schema, table);
    if (builds.empty()) continue;
    LoadTask add_keys{.kind = TaskKind::kForeignKey,
                      .after = {keys_task[t]},
                      .locks = {{table.name, TableLock::kExclusive}},
                      .cost = kInstant,
                      .tier = kAfterData,
                      .run = {}};
    std::vector<std::string> adds;
    std::vector<std::string> names;  // for progress
    // foreign_key_builds follows the columns' order, then the one-column entries'.
    std::vector<const Column*> refs;
    std::vector<std::string> parent_of;
    for (const auto& column : table.columns)
      if (column.ref) refs.push_back(&column), parent_of.push_back(column.ref->table);
    for (const auto& fk : table.foreign_keys)
      if (fk.columns.size() == 1) parent_of.push_back(fk.ref_table);
    for (size_t b = 0; b < builds.size(); ++b) {
      adds.push_back(std::move(builds[b].add));
      names.push_back(builds[b].name);
      const size_t parent = table_index(parent_of[b]);
      if (std::find(parents[t].begin(), parents[t].end(), parent) == parents[t].end()) {
        parents[t].push_back(parent);
        if (parent != t) {
          add_keys.after.push_back(keys_task[parent]);
          add_keys.locks.emplace_back(profile.tables[parent].name, TableLock::kExclusive);
        }
      }
      if (b >= refs.size()) {  // a one-column `foreign_keys:` entry
        if (!builds[b].validate.empty()) validates[t].push_back(std::move(builds[b].validate));
      } else {
        for (auto& step : validate_steps(table, *refs[b], std::move(builds[b].validate)))
          validates[t].push_back(std::move(step));
      }
      validate_cost[t] += static_cast<double>(rows[t]) * kValidatePerRow;
    }
    add_keys.run = [adds = std::move(adds)](RawConnection& c) {
      exec_all(c, "pgshape foreign key", adds);
    };
    add_keys.phase = LoadPhase::kKeys;
    add_keys.object = fmt::format("{}", fmt::join(names, ", "));
    add_keys.units = static_cast<int64_t>(names.size());
    fk_names[t] = std::move(names);
    fk_add_task[t] = add(std::move(add_keys));
    for (size_t parent : parents[t]) fk_adds_touching[parent].push_back(fk_add_task[t]);
    if (std::find(parents[t].begin(), parents[t].end(), t) == parents[t].end())
      fk_adds_touching[t].push_back(fk_add_task[t]);
  }

  // 4: ANALYZE once nothing will lock the table exclusively any more.
  std::vector<size_t> analyze_task(n);
  for (size_t t = 0; t < n; ++t) {
    const Table& table = profile.tables[t];
    LoadTask analyze{
        .kind = TaskKind::kAnalyze,
        .after = fk_adds_touching[t],
        .locks = {{table.name, TableLock::kExclusive}},
        .cost = kAnalyze,
        .tier = kAfterData,
        .run = [statements =
                    [&] {
                      auto steps = identity_steps(schema, table);
                      for (auto& sql : analyze_statements(schema, table))
                        steps.push_back(std::move(sql));
                      return steps;
                    }()](RawConnection& c) { exec_all(c, "pgshape analyze", statements); },
        .phase = LoadPhase::kAnalyze,
        .object = table.name};
    analyze.after.push_back(keys_task[t]);
    analyze_task[t] = add(std::move(analyze));
  }

  // 5: validations, with statistics on both sides for the planner.
  for (size_t t = 0; t < n; ++t) {
    if (validates[t].empty()) continue;
    LoadTask validate{
        .kind = TaskKind::kForeignKey,
        .after = {analyze_task[t], fk_add_task[t]},
        .locks = {{profile.tables[t].name, TableLock::kExclusive}},
        .cost = validate_cost[t],
        .tier = kAfterData,
        .run = [statements = std::move(validates[t])](
                   RawConnection& c) { exec_all(c, "pgshape foreign key", statements); },
        .phase = LoadPhase::kValidate,
        .object = fmt::format("{}", fmt::join(fk_names[t], ", ")),
        .units = static_cast<int64_t>(fk_names[t].size())};
    for (size_t parent : parents[t]) {
      if (parent == t) continue;
      validate.after.push_back(analyze_task[parent]);
      validate.locks.emplace_back(profile.tables[parent].name, TableLock::kShared);
    }
    add(std::move(validate));
  }
}

std::vector<TaskSpan> run_load_tasks(const std::string& dsn, int jobs, int lock_timeout_ms,
                                     const std::vector<LoadTask>& tasks, std::atomic<bool>& failed,
                                     LoadReporter& reporter) {
  for (const auto& task : tasks)
    if (task.phase) reporter.plan(*task.phase, task.units);
  // A COPY reports itself, with its rows and bytes (copy.cpp).
  auto on_task = [&](size_t i, bool finished, double seconds) {
    const LoadTask& task = tasks[i];
    if (!task.phase || *task.phase == LoadPhase::kCopy) return;
    if (finished)
      reporter.finished(*task.phase, task.object, task.units, seconds);
    else
      reporter.started(*task.phase, task.object, task.units);
  };
  return run_task_graph<RawConnection>(
      jobs, tasks,
      [&] {
        auto connection = std::make_unique<RawConnection>(dsn);
        connection->exec(fmt::format("SET synchronous_commit = off; SET lock_timeout = {}",
                                     std::max(0, lock_timeout_ms)));
        return connection;
      },
      failed, reporter.enabled() ? on_task : std::function<void(size_t, bool, double)>{});
}

}  // namespace pgshape::load
