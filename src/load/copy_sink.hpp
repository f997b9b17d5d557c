// What the COPY tasks share (copy.cpp for tables, leaf_copy.cpp for leaves):
// the sink a row stream writes into, the scheduler's cost of a value, and the
// VACUUM that settles a table written with COPY FREEZE (frozen_tail.cpp).
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

// After the COMMIT of a COPY FREEZE into `table` (a plain table or a leaf).
// Since PostgreSQL 16 a bulk insert extends a relation by up to 64 pages at a
// time, and the pages the COPY did not fill stay at the end, never initialised:
// counted in relpages, not all-visible, and VACUUM does not mark a new page
// (42 of 72 pages all-visible for 5000 rows). This VACUUM truncates that tail
// and skips the frozen pages, so the table is as production's, vacuumed, is:
// relallvisible == relpages. Throws DatabaseError.
void vacuum_frozen(RawConnection& connection, std::string_view schema, std::string_view table);

}  // namespace pgshape::load
