// What the COPY tasks share (copy.cpp for tables, leaf_copy.cpp for leaves):
// the sink a row stream writes into and the scheduler's cost of a value.
// Internal to src/load.
#pragma once

#include <atomic>
#include <cstdint>
#include <string_view>

#include "pgshape/error.hpp"
#include "pgshape/gen.hpp"
#include "pgshape/pg.hpp"

namespace pgshape::load {

// The scheduler's cost of a COPY, in microseconds of one core per value (client
// and server together; indexes.cpp uses the same unit): order_items, 3 M rows
// of 5 columns, took 2.8 s.
inline constexpr double kCopyPerValue = 0.2;

// A COPY connection as a row stream's sink. Before each send it checks whether
// another task failed: then it stops at this buffer instead of finishing the
// table, so a lost connection ends the load in seconds. The graph reports the
// first failure, not this one.
// It also counts what it sent, for progress (this thread's only).
class CopySink : public RowSink {
 public:
  CopySink(RawConnection& connection, const std::atomic<bool>& failed)
      : connection_(connection), failed_(failed) {}
  void write(std::string_view bytes) override {
    if (failed_) throw DatabaseError("load.failed", "stopped: another part of the load failed");
    connection_.send(bytes);
    sent += bytes.size();
  }
  uint64_t sent = 0;

 private:
  RawConnection& connection_;
  const std::atomic<bool>& failed_;
};

}  // namespace pgshape::load
