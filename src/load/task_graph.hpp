// The statements of a load as a graph of tasks run on a few connections at
// once: a table's indexes start as soon as its COPY ends, while other tables
// are still loading, instead of after a barrier. Internal to src/load.
//
// A task starts when every task it waits for has finished and no running task
// holds a conflicting lock on one of its tables (so a connection never sits in
// a lock wait that the scheduler could have avoided). Among the tasks that may
// start, those of the lowest tier go first (a load's COPYs: the data is in as
// soon as it can be), then the one with the most work behind it (its cost plus
// the costliest chain of tasks waiting for it), so the load does not end with
// one connection busy and the others idle.
#pragma once

#include <algorithm>
#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <exception>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "pgshape/error.hpp"
#include "pgshape/load.hpp"

namespace pgshape::load {

// How a task locks a table, reduced to what the scheduler needs: shared locks
// (CREATE INDEX's SHARE, a validation's ROW SHARE on the referenced table)
// coexist; an exclusive one (COPY into a fresh table, ALTER TABLE, ANALYZE,
// VALIDATE on the referencing table) coexists with nothing on that table.
enum class TableLock { kShared, kExclusive };

// What a task does, for the load's timings (LoadResult: when each kind was done).
enum class TaskKind : uint8_t { kCopy, kIndex, kAnalyze, kForeignKey };

template <class Connection>
struct GraphTask {
  TaskKind kind = TaskKind::kCopy;                       // for timings
  std::vector<size_t> after;                             // tasks that must finish first
  std::vector<std::pair<std::string, TableLock>> locks;  // table name, mode
  double cost = 0;                                       // estimated work, any unit
  int tier = 0;                                          // lower tiers first when ready
  std::function<void(Connection&)> run;
  // For progress (LoadProgress): the phase this task's work counts in, what it
  // works on, and how many of the phase's units it is; no phase: not reported.
  std::optional<LoadPhase> phase;
  std::string object;
  int64_t units = 1;
};

struct TaskSpan {
  double start = 0;  // seconds since the graph started
  double end = 0;
};

// Runs `tasks` on min(jobs, tasks.size()) threads, each with a connection from
// `connect()`. After the first failure no task starts and `failed` is set (long
// tasks may poll it to stop early); once every thread has stopped, the first
// exception is rethrown. Returns each task's span. `on_task` (may be empty) is
// called on the task's thread, outside the scheduler's lock, as a task starts
// (finished false) and after it succeeded (true, with its seconds); what it
// throws fails the load like the task would.
template <class Connection>
std::vector<TaskSpan> run_task_graph(
    int jobs, const std::vector<GraphTask<Connection>>& tasks,
    const std::function<std::unique_ptr<Connection>()>& connect, std::atomic<bool>& failed,
    const std::function<void(size_t task, bool finished, double seconds)>& on_task = {}) {
  const size_t n = tasks.size();
  std::vector<TaskSpan> spans(n);
  if (n == 0) return spans;

  std::vector<std::vector<size_t>> waiting_for_me(n);
  std::vector<size_t> unfinished_before(n);
  for (size_t i = 0; i < n; ++i) {
    for (size_t before : tasks[i].after) {
      if (before >= n) throw InternalError("task graph: a task waits for one that does not exist");
      waiting_for_me[before].push_back(i);
    }
    unfinished_before[i] = tasks[i].after.size();
  }
  // Priority: cost plus the costliest chain behind the task (tasks listed in
  // any order; a cycle would leave some rank uncomputed and is reported).
  std::vector<double> rank(n, -1);
  std::vector<size_t> order;  // topological, from unfinished_before counts
  {
    std::vector<size_t> pending = unfinished_before;
    for (size_t i = 0; i < n; ++i)
      if (pending[i] == 0) order.push_back(i);
    for (size_t k = 0; k < order.size(); ++k)
      for (size_t next : waiting_for_me[order[k]])
        if (--pending[next] == 0) order.push_back(next);
    if (order.size() != n)
      throw InternalError("task graph: the tasks wait for each other in a cycle");
    for (auto it = order.rbegin(); it != order.rend(); ++it) {
      double behind = 0;
      for (size_t next : waiting_for_me[*it]) behind = std::max(behind, rank[next]);
      rank[*it] = tasks[*it].cost + behind;
    }
  }

  std::mutex mutex;
  std::condition_variable changed;
  std::vector<bool> started(n, false);
  std::vector<const GraphTask<Connection>*> running;
  size_t finished = 0;
  std::exception_ptr first_error;
  const auto t0 = std::chrono::steady_clock::now();
  auto now = [&] {
    return std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  };
  auto conflicts = [&](const GraphTask<Connection>& task) {
    for (const auto* other : running)
      for (const auto& [table, mode] : task.locks)
        for (const auto& [other_table, other_mode] : other->locks)
          if (table == other_table &&
              (mode == TableLock::kExclusive || other_mode == TableLock::kExclusive))
            return true;
    return false;
  };
  // Under the mutex: the best task that may start now, or n when none may.
  auto pick = [&] {
    size_t best = n;
    for (size_t i = 0; i < n; ++i)
      if (!started[i] && unfinished_before[i] == 0 && !conflicts(tasks[i]) &&
          (best == n || tasks[i].tier < tasks[best].tier ||
           (tasks[i].tier == tasks[best].tier && rank[i] > rank[best])))
        best = i;
    return best;
  };

  auto worker = [&] {
    std::unique_ptr<Connection> connection;
    std::unique_lock lock(mutex);
    while (!failed && finished < n) {
      const size_t task = pick();
      if (task == n) {
        if (running.empty() && finished < n)  // nothing runs, nothing can start
          throw InternalError("task graph: no task can start (conflicting locks)");
        changed.wait(lock);
        continue;
      }
      started[task] = true;
      running.push_back(&tasks[task]);
      const double start = spans[task].start = now();
      lock.unlock();
      std::exception_ptr error;
      try {
        if (on_task) on_task(task, false, 0);
        if (!connection) connection = connect();
        tasks[task].run(*connection);
        if (on_task) on_task(task, true, now() - start);
      } catch (...) {
        error = std::current_exception();
      }
      lock.lock();
      spans[task].end = now();
      running.erase(std::find(running.begin(), running.end(), &tasks[task]));
      if (error) {
        if (!first_error) first_error = error;
        failed = true;
      } else {
        ++finished;
        for (size_t next : waiting_for_me[task]) --unfinished_before[next];
      }
      changed.notify_all();
    }
  };
  auto guarded = [&] {
    try {
      worker();
    } catch (...) {
      std::lock_guard lock(mutex);
      if (!first_error) first_error = std::current_exception();
      failed = true;
      changed.notify_all();
    }
  };
  const size_t threads = std::max<size_t>(1, std::min<size_t>(static_cast<size_t>(jobs), n));
  std::vector<std::thread> pool;
  for (size_t i = 1; i < threads; ++i) pool.emplace_back(guarded);
  guarded();
  for (auto& t : pool) t.join();
  if (first_error) std::rethrow_exception(first_error);
  return spans;
}

// When the last task of one kind ended, in seconds since the graph started
// (0 when there is none).
template <class Connection>
double kind_done_at(const std::vector<GraphTask<Connection>>& tasks,
                    const std::vector<TaskSpan>& spans, TaskKind kind) {
  double last = 0;
  for (size_t i = 0; i < tasks.size(); ++i)
    if (tasks[i].kind == kind) last = std::max(last, spans[i].end);
  return last;
}

}  // namespace pgshape::load
