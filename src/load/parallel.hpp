// Runs tasks on a few worker threads, each with its own database connection.
#pragma once

#include <atomic>
#include <exception>
#include <functional>
#include <mutex>
#include <thread>
#include <vector>

namespace pgshape::load {

// Calls `work(task, state)` for task in [0, count) on min(jobs, count) threads.
// Each thread first builds its own State with `make_state()` (a connection).
// After the first failure no new task starts; the first exception is rethrown
// once every thread has stopped.
template <class State>
void run_parallel(int jobs, size_t count, const std::function<State()>& make_state,
                  const std::function<void(size_t, State&)>& work) {
  if (count == 0) return;
  std::atomic<size_t> next{0};
  std::atomic<bool> failed{false};
  std::exception_ptr first_error;
  std::mutex error_mutex;
  auto worker = [&] {
    try {
      State state = make_state();
      for (size_t task; !failed && (task = next++) < count;) work(task, state);
    } catch (...) {
      std::lock_guard lock(error_mutex);
      if (!first_error) first_error = std::current_exception();
      failed = true;
    }
  };
  const size_t threads = std::max<size_t>(1, std::min<size_t>(static_cast<size_t>(jobs), count));
  std::vector<std::thread> pool;
  for (size_t i = 1; i < threads; ++i) pool.emplace_back(worker);
  worker();
  for (auto& t : pool) t.join();
  if (first_error) std::rethrow_exception(first_error);
}

}  // namespace pgshape::load
