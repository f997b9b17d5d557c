// The one place a load's progress goes out (LoadOptions::on_progress): counts
// per phase, COPY's rows and bytes over every table, and one mutex so the
// caller's callback never runs twice at once. Internal to src/load.
//
// The COPY threads report rows often; they only try the mutex and skip the
// report when another thread holds it (the counters are atomic and
// cumulative), so no COPY waits behind a slow terminal.
#pragma once

#include <array>
#include <atomic>
#include <cstdint>
#include <functional>
#include <mutex>
#include <string>

#include "pgshape/load.hpp"

namespace pgshape::load {

class LoadReporter {
 public:
  explicit LoadReporter(std::function<void(const LoadProgress&)> callback)
      : callback_(std::move(callback)) {}
  bool enabled() const { return static_cast<bool>(callback_); }

  // Before the load runs: `units` more units of `phase` in this load; rows of COPY.
  void plan(LoadPhase phase, int64_t units) { total_[index(phase)] += units; }
  void plan_rows(int64_t rows) { all_total_ += rows; }

  void started(LoadPhase phase, const std::string& object, int64_t units) {
    if (!enabled()) return;
    LoadProgress p = base(LoadProgress::Event::kStarted, phase, object, units);
    std::lock_guard lock(mutex_);
    p.done = done_[index(phase)];
    callback_(p);
  }
  // A finished COPY passes its rows and bytes (already counted by add_rows).
  void finished(LoadPhase phase, const std::string& object, int64_t units, double seconds,
                int64_t rows = 0, uint64_t bytes = 0) {
    if (!enabled()) return;
    LoadProgress p = base(LoadProgress::Event::kFinished, phase, object, units);
    p.seconds = seconds;
    p.rows = rows;
    p.bytes = bytes;
    std::lock_guard lock(mutex_);
    p.done = done_[index(phase)] += units;
    callback_(p);
  }
  // A COPY wrote `rows` more rows and `bytes` more bytes of `table`; reports
  // unless another report is running.
  void add_rows(const std::string& table, int64_t rows, uint64_t bytes, int64_t table_done,
                int64_t table_total) {
    all_done_ += rows;
    all_bytes_ += bytes;
    if (!enabled()) return;
    std::unique_lock lock(mutex_, std::try_to_lock);
    if (!lock.owns_lock()) return;
    LoadProgress p = base(LoadProgress::Event::kRows, LoadPhase::kCopy, table, 0);
    p.done = done_[index(LoadPhase::kCopy)];
    p.table = table;
    p.rows_done = table_done;
    p.rows_total = table_total;
    callback_(p);
  }

 private:
  static size_t index(LoadPhase phase) { return static_cast<size_t>(phase); }
  LoadProgress base(LoadProgress::Event event, LoadPhase phase, const std::string& object,
                    int64_t units) const {
    LoadProgress p;
    p.event = event;
    p.phase = phase;
    p.object = object;
    p.units = units;
    p.total = total_[index(phase)];
    p.all_done = all_done_.load();
    p.all_total = all_total_;
    p.all_bytes = all_bytes_.load();
    return p;
  }

  std::function<void(const LoadProgress&)> callback_;
  std::mutex mutex_;
  std::array<int64_t, kLoadPhaseCount> total_{};  // set before the threads start
  std::array<int64_t, kLoadPhaseCount> done_{};   // under mutex_
  int64_t all_total_ = 0;
  std::atomic<int64_t> all_done_{0};
  std::atomic<uint64_t> all_bytes_{0};
};

}  // namespace pgshape::load
