// The load's scheduler without a server: tasks are plain functions on a stand-in
// "connection" that only says which worker runs them.
#include "load/task_graph.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <mutex>
#include <stdexcept>
#include <thread>

namespace pgshape::load {
namespace {

struct Worker {
  int id;
};
using Task = GraphTask<Worker>;
using namespace std::chrono_literals;

// Runs `tasks` on `jobs` workers; records the order in which tasks started.
struct GraphRun {
  std::vector<size_t> started;
  std::vector<TaskSpan> spans;
  std::atomic<bool> failed{false};

  void operator()(int jobs, std::vector<Task>& tasks) {
    std::mutex mutex;
    for (size_t i = 0; i < tasks.size(); ++i) {
      auto work = std::move(tasks[i].run);
      tasks[i].run = [this, i, &mutex, work](Worker& w) {
        {
          std::lock_guard lock(mutex);
          started.push_back(i);
        }
        if (work) work(w);
      };
    }
    std::atomic<int> next_worker{0};
    spans = run_task_graph<Worker>(
        jobs, tasks, [&] { return std::make_unique<Worker>(Worker{next_worker++}); }, failed);
  }
};

Task task(double cost, std::vector<size_t> after = {},
          std::vector<std::pair<std::string, TableLock>> locks = {},
          std::function<void(Worker&)> run = {}) {
  return Task{TaskKind::kIndex, std::move(after), std::move(locks), cost, 0, std::move(run)};
}

TEST(TaskGraph, EveryTaskRunsOnceAfterTheTasksItWaitsFor) {
  // A diamond plus a tail: 0 -> {1, 2} -> 3 -> 4, and 5 alone.
  std::vector<Task> tasks;
  auto sleepy = [](Worker&) { std::this_thread::sleep_for(5ms); };
  tasks.push_back(task(1, {}, {}, sleepy));
  tasks.push_back(task(1, {0}, {}, sleepy));
  tasks.push_back(task(1, {0}, {}, sleepy));
  tasks.push_back(task(1, {1, 2}, {}, sleepy));
  tasks.push_back(task(1, {3}, {}, sleepy));
  tasks.push_back(task(1, {}, {}, sleepy));
  const std::vector<Task> shape = tasks;
  GraphRun run;
  run(3, tasks);
  ASSERT_EQ(run.started.size(), shape.size());
  std::vector<int> times(shape.size(), 0);
  for (size_t i : run.started) ++times[i];
  for (size_t i = 0; i < shape.size(); ++i) {
    EXPECT_EQ(times[i], 1) << "task " << i;
    for (size_t before : shape[i].after)
      EXPECT_LE(run.spans[before].end, run.spans[i].start) << before << " before " << i;
  }
}

TEST(TaskGraph, TheTaskWithMoreWorkBehindItGoesFirst) {
  // One worker. Ready at once: 0 (cost 1, but 2 of cost 10 waits for it) and
  // 1 (cost 5 alone). 0's chain is longer, so: 0, then 2 (rank 10 > 5), then 1.
  std::vector<Task> tasks{task(1), task(5), task(10, {0})};
  GraphRun run;
  run(1, tasks);
  EXPECT_EQ(run.started, (std::vector<size_t>{0, 2, 1}));
}

TEST(TaskGraph, ALowerTierGoesFirstWhateverItsRank) {
  // One worker: 0 is tier 1 with a long chain, 1 is tier 0 and cheap. A load's
  // COPYs are tier 0, so the data is in before the indexes take the workers.
  std::vector<Task> tasks{task(100), task(1), task(100, {0})};
  tasks[0].tier = 1;
  tasks[2].tier = 1;
  GraphRun run;
  run(1, tasks);
  EXPECT_EQ(run.started, (std::vector<size_t>{1, 0, 2}));
}

TEST(TaskGraph, ConflictingLocksNeverOverlapButSharedOnesDo) {
  // Two workers, four tasks on table t: two shared (must run side by side:
  // each waits to see the other running) and two exclusive (must not overlap
  // anything on t).
  std::atomic<int> running{0}, most{0};
  auto on_t = [&](Worker&) {
    const int now = ++running;
    for (int seen = most; now > seen && !most.compare_exchange_weak(seen, now);) {
    }
    for (int i = 0; i < 200 && running < 2; ++i) std::this_thread::sleep_for(1ms);
    std::this_thread::sleep_for(5ms);
    --running;
  };
  std::vector<Task> tasks{
      task(10, {}, {{"t", TableLock::kShared}}, on_t),
      task(10, {}, {{"t", TableLock::kShared}}, on_t),
      task(5, {}, {{"t", TableLock::kExclusive}, {"u", TableLock::kShared}}, on_t),
      task(5, {}, {{"u", TableLock::kShared}, {"t", TableLock::kExclusive}}, on_t)};
  GraphRun run;
  run(2, tasks);
  EXPECT_EQ(most, 2) << "the two shared tasks did not run side by side";
  auto overlap = [&](size_t a, size_t b) {
    return run.spans[a].start < run.spans[b].end && run.spans[b].start < run.spans[a].end;
  };
  for (size_t exclusive : {2u, 3u})
    for (size_t other = 0; other < 4; ++other)
      if (other != exclusive) {
        EXPECT_FALSE(overlap(exclusive, other)) << exclusive << " " << other;
      }
}

TEST(TaskGraph, AFailureStopsTheRestAndTheFirstErrorComesBack) {
  // 0 fails at once; 1 is long and polls the flag; 2 waits for 0 and never runs.
  GraphRun run;
  std::vector<Task> tasks{task(1, {}, {}, [](Worker&) { throw std::runtime_error("first"); }),
                          task(1, {}, {},
                               [&](Worker&) {
                                 for (int i = 0; i < 2000 && !run.failed; ++i)
                                   std::this_thread::sleep_for(1ms);
                                 throw std::runtime_error("second, because of the first");
                               }),
                          task(1, {0})};
  try {
    run(2, tasks);
    FAIL() << "no exception";
  } catch (const std::runtime_error& e) {
    EXPECT_STREQ(e.what(), "first");
  }
  EXPECT_TRUE(run.failed);
  EXPECT_EQ(std::count(run.started.begin(), run.started.end(), 2u), 0);
}

TEST(TaskGraph, ACycleOrAMissingTaskIsAnInternalError) {
  std::vector<Task> cycle{task(1, {1}), task(1, {0})};
  GraphRun run;
  EXPECT_THROW(run(2, cycle), InternalError);
  std::vector<Task> missing{task(1, {7})};
  GraphRun other;
  EXPECT_THROW(other(2, missing), InternalError);
}

TEST(TaskGraph, AKindIsDoneWhenItsLastTaskEnds) {
  std::vector<GraphTask<Worker>> tasks{{TaskKind::kCopy, {}, {}, 0, 0, {}},
                                       {TaskKind::kIndex, {}, {}, 0, 0, {}},
                                       {TaskKind::kCopy, {}, {}, 0, 0, {}}};
  const std::vector<TaskSpan> spans{{1.0, 2.0}, {0.0, 9.0}, {1.5, 4.0}};
  EXPECT_DOUBLE_EQ(kind_done_at(tasks, spans, TaskKind::kCopy), 4.0);
  EXPECT_DOUBLE_EQ(kind_done_at(tasks, spans, TaskKind::kIndex), 9.0);
  EXPECT_DOUBLE_EQ(kind_done_at(tasks, spans, TaskKind::kAnalyze), 0.0);
}

// What progress is built on: each task is seen starting, then finishing after
// its work, on the thread that runs it; a failed task is never seen finishing.
TEST(TaskGraph, OnTaskSeesEachTaskStartThenFinish) {
  std::vector<Task> tasks(6);
  for (auto& t : tasks) t.run = [](Worker&) {};
  tasks[4].run = [](Worker&) { std::this_thread::sleep_for(20ms); };
  tasks[5].after = {4};
  tasks[5].run = [](Worker&) { throw std::runtime_error("boom"); };
  std::mutex mutex;
  std::vector<std::pair<size_t, bool>> seen;
  double slept = 0;
  std::atomic<bool> failed{false};
  EXPECT_THROW(run_task_graph<Worker>(
                   2, tasks, [] { return std::make_unique<Worker>(Worker{0}); }, failed,
                   [&](size_t task, bool finished, double seconds) {
                     std::lock_guard lock(mutex);
                     seen.emplace_back(task, finished);
                     if (task == 4 && finished) slept = seconds;
                   }),
               std::runtime_error);
  for (size_t t = 0; t < 5; ++t) {
    const auto start = std::find(seen.begin(), seen.end(), std::pair{t, false});
    const auto end = std::find(seen.begin(), seen.end(), std::pair{t, true});
    ASSERT_NE(start, seen.end()) << t;
    ASSERT_NE(end, seen.end()) << t;
    EXPECT_LT(start, end) << t;
  }
  EXPECT_GE(slept, 0.02);
  EXPECT_NE(std::find(seen.begin(), seen.end(), std::pair{size_t{5}, false}), seen.end());
  EXPECT_EQ(std::find(seen.begin(), seen.end(), std::pair{size_t{5}, true}), seen.end());
}

}  // namespace
}  // namespace pgshape::load
