// The tasks after the data, as a graph, for the shop profile: what waits for
// what and which locks each task declares. No server: the tasks are only built.
#include <gtest/gtest.h>

#include <algorithm>
#include <map>

#include "load/steps.hpp"
#include "pgshape/profile.hpp"

namespace pgshape::load {
namespace {

class ShopFinishTasks : public ::testing::Test {
 protected:
  void SetUp() override {
    profile_ = load_profile(std::string(PGSHAPE_SOURCE_DIR) + "/profiles/shop.yaml");
    // Stand-ins for the COPY tasks, one per table, as copy_tasks would be.
    for (const auto& table : profile_.tables) {
      copy_task_.push_back(tasks_.size());
      tasks_.push_back({TaskKind::kCopy, {}, {{table.name, TableLock::kExclusive}}, 1, 0, {}});
    }
    std::vector<int64_t> rows(profile_.tables.size(), 1'000'000);
    add_finish_tasks(tasks_, profile_, "s", rows, copy_task_);
  }

  // Every task that `task` waits for, directly or not.
  std::vector<bool> waits_for(size_t task) const {
    std::vector<bool> seen(tasks_.size(), false);
    std::vector<size_t> stack{task};
    while (!stack.empty()) {
      const size_t t = stack.back();
      stack.pop_back();
      for (size_t before : tasks_[t].after)
        if (!seen[before]) seen[before] = true, stack.push_back(before);
    }
    return seen;
  }
  bool locks(const LoadTask& task, const std::string& table, TableLock mode) const {
    return std::find(task.locks.begin(), task.locks.end(), std::pair{table, mode}) !=
           task.locks.end();
  }
  size_t table_index(const std::string& name) const {
    for (size_t i = 0; i < profile_.tables.size(); ++i)
      if (profile_.tables[i].name == name) return i;
    ADD_FAILURE() << name;
    return 0;
  }
  std::vector<size_t> of_kind(TaskKind kind, const std::string& table) const {
    std::vector<size_t> out;
    for (size_t i = 0; i < tasks_.size(); ++i)
      if (tasks_[i].kind == kind && !tasks_[i].locks.empty() && tasks_[i].locks[0].first == table)
        out.push_back(i);
    return out;
  }

  Profile profile_;
  std::vector<LoadTask> tasks_;
  std::vector<size_t> copy_task_;
};

TEST_F(ShopFinishTasks, ATablesIndexesWaitForItsOwnCopyOnly) {
  for (const auto& table : profile_.tables) {
    for (size_t index : of_kind(TaskKind::kIndex, table.name)) {
      const auto before = waits_for(index);
      for (size_t t = 0; t < profile_.tables.size(); ++t)
        EXPECT_EQ(before[copy_task_[t]], profile_.tables[t].name == table.name)
            << table.name << " index task " << index << " and the COPY of "
            << profile_.tables[t].name;
    }
  }
}

TEST_F(ShopFinishTasks, IndexBuildsShareTheirTableAndEverythingElseHoldsItAlone) {
  size_t builds = 0;
  for (const auto& task : tasks_) {
    if (task.kind != TaskKind::kIndex || task.locks.size() != 1) continue;
    if (task.locks[0].second == TableLock::kShared) ++builds;
  }
  EXPECT_EQ(builds, 13u);  // the shop's 13 indexes, keys included
  for (const auto& task : tasks_)
    if (task.kind == TaskKind::kAnalyze) {
      EXPECT_EQ(task.locks[0].second, TableLock::kExclusive);
    }
}

TEST_F(ShopFinishTasks, ValidationsComeAfterAnalyzeOfBothTablesAndLockTheParentShared) {
  const size_t items = table_index("order_items");
  size_t validations = 0;
  for (size_t i = 0; i < tasks_.size(); ++i) {
    const LoadTask& task = tasks_[i];
    if (task.kind != TaskKind::kForeignKey || task.cost <= 1'000) continue;  // adds are instant
    ++validations;
    const std::string& child = task.locks[0].first;
    EXPECT_TRUE(locks(task, child, TableLock::kExclusive)) << child;
    const auto before = waits_for(i);
    for (const auto& column : profile_.find_table(child)->columns) {
      if (!column.ref) continue;
      EXPECT_TRUE(locks(task, column.ref->table, TableLock::kShared)) << child;
      for (const std::string& t : {child, column.ref->table})
        for (size_t analyze : of_kind(TaskKind::kAnalyze, t)) {
          EXPECT_TRUE(before[analyze]) << child << " waits for ANALYZE of " << t;
        }
    }
  }
  EXPECT_EQ(validations, 3u);  // order_items (2 keys, one task), orders, products
  // order_items' two validations are one task: VALIDATE conflicts with itself.
  EXPECT_EQ(of_kind(TaskKind::kForeignKey, profile_.tables[items].name).size(),
            2u);  // add + validate
}

// What a load's progress counts per phase (LoadProgress::total): the shop's 13
// indexes, 12 constraints (5 primary keys, 3 unique keys, 4 foreign keys),
// 5 tables analyzed, 4 foreign keys validated; each named for the user.
TEST_F(ShopFinishTasks, EveryTaskCountsItsObjectsInItsPhase) {
  std::map<LoadPhase, int64_t> units;
  std::vector<std::string> keys;
  for (const auto& task : tasks_) {
    if (!task.phase) continue;  // the stand-in COPYs
    units[*task.phase] += task.units;
    if (*task.phase != LoadPhase::kCopy) {
      EXPECT_FALSE(task.object.empty());
    }
    if (*task.phase == LoadPhase::kKeys) keys.push_back(task.object);
  }
  EXPECT_EQ(units[LoadPhase::kIndexes], 13);
  EXPECT_EQ(units[LoadPhase::kKeys], 12);
  EXPECT_EQ(units[LoadPhase::kAnalyze], 5);
  EXPECT_EQ(units[LoadPhase::kValidate], 4);
  EXPECT_NE(
      std::find(keys.begin(), keys.end(), "order_items_order_id_fkey, order_items_product_id_fkey"),
      keys.end());
  EXPECT_NE(std::find(keys.begin(), keys.end(), "products_pkey, products_sku_key"), keys.end());
}

TEST_F(ShopFinishTasks, TheGraphRunsOnOneWorkerInAnOrderThatRespectsIt) {
  // Run with a stand-in connection: only the order is checked, no task runs SQL.
  std::vector<GraphTask<int>> shape;
  for (const auto& task : tasks_)
    shape.push_back({task.kind, task.after, task.locks, task.cost, task.tier, [](int&) {}});
  std::atomic<bool> failed{false};
  const auto spans = run_task_graph<int>(
      1, shape, [] { return std::make_unique<int>(0); }, failed);
  for (size_t i = 0; i < shape.size(); ++i)
    for (size_t before : shape[i].after) EXPECT_LE(spans[before].end, spans[i].start);
  // COPYs are tier 0: all of them before anything else on one worker.
  const double last_copy = kind_done_at(shape, spans, TaskKind::kCopy);
  for (size_t i = 0; i < shape.size(); ++i)
    if (shape[i].kind != TaskKind::kCopy) {
      EXPECT_GE(spans[i].start, last_copy);
    }
}

}  // namespace
}  // namespace pgshape::load
