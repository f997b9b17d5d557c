// A partitioned table loaded leaf by leaf: each leaf in its own transaction
// that truncates it, so COPY FREEZE writes its rows already frozen, as a plain
// table's are (PostgreSQL refuses FREEZE through the parent). The leaves'
// tasks run side by side under the task graph; each streams the table's rows
// (of this shard) and keeps its own, which LeafRouter picks.
#include <fmt/format.h>
#include <algorithm>
#include <chrono>
#include <mutex>

#include "load/copy_sink.hpp"
#include "load/leaf_router.hpp"
#include "load/sql.hpp"
#include "load/steps.hpp"

namespace pgshape::load {
namespace {

constexpr int64_t kProgressRows = 65536;
// The scheduler's cost of a leaf, per value the leaf writes (its share of the
// table's rows, at copy_sink.hpp's kCopyPerValue), plus the key columns it
// computes for every row of the table to find its own.
constexpr double kRoutePerRow = 0.05;

}  // namespace

// Up to this many rows (and 255 leaves) the first leaf's task routes every row
// once and keeps each row's leaf (a byte a row), so that the other leaves
// read it instead of computing the key columns of every row again.
constexpr uint64_t kRememberedRows = uint64_t{1} << 26;

struct TableCopies::Leaves {
  std::mutex mutex;
  std::unique_ptr<LeafRouter> router;
  bool remember = false;
  std::vector<uint8_t> leaf_of;  // per row of the shard's range, when remember
  std::chrono::steady_clock::time_point started;
  bool any_started = false;
  std::atomic<int64_t> rows_done{0};
};

bool TableCopies::add_leaf_tasks(std::vector<LoadTask>& tasks, size_t index,
                                 const std::atomic<bool>& failed) {
  const TableGenerator& table = generator_.tables()[index];
  std::vector<std::string> leaves;
  if (table.table().partition_by.empty() || !leaf_routing_problem(table, &leaves).empty())
    return false;
  if (leaves_.size() < generator_.tables().size()) leaves_.resize(generator_.tables().size());
  leaves_[index] = std::make_shared<Leaves>();
  leaves_[index]->remember =
      leaves.size() <= 255 && static_cast<uint64_t>(rows_of(table)) <= kRememberedRows;
  stats_[index] = {table.table().name, 0, 0, 0};
  const double rows = static_cast<double>(rows_of(table));
  const double values = rows * static_cast<double>(table.table().columns.size());
  // The source's leaf sizes, when the profile has them, share out the cost.
  std::vector<double> share(leaves.size(), 1.0 / static_cast<double>(leaves.size()));
  int64_t known = 0;
  std::vector<int64_t> sizes;
  std::function<void(const std::vector<PartitionSpec>&)> gather =
      [&](const std::vector<PartitionSpec>& specs) {
        for (const auto& spec : specs)
          if (spec.partition_by.empty())
            sizes.push_back(spec.rows), known += spec.rows;
          else
            gather(spec.partitions);
      };
  gather(table.table().partitions);
  if (known > 0 && sizes.size() == leaves.size())
    for (size_t i = 0; i < leaves.size(); ++i)
      share[i] = static_cast<double>(sizes[i]) / static_cast<double>(known);
  LoadTask join;
  join.kind = TaskKind::kCopy;
  for (size_t leaf = 0; leaf < leaves.size(); ++leaf) {
    LoadTask task;
    task.kind = TaskKind::kCopy;
    task.phase = LoadPhase::kCopy;
    task.object = leaves[leaf];
    task.locks = {{leaves[leaf], TableLock::kExclusive}};
    task.cost = values * share[leaf] * kCopyPerValue + rows * kRoutePerRow;
    task.run = [this, index, leaf, name = leaves[leaf], &failed](RawConnection& connection) {
      copy_leaf(connection, index, leaf, name, failed);
    };
    join.after.push_back(tasks.size());
    tasks.push_back(std::move(task));
  }
  // What waits for the table's data (its keys, indexes, ANALYZE) waits for this.
  join.run = [](RawConnection&) {};
  tasks.push_back(std::move(join));
  return true;
}

void TableCopies::copy_leaf(RawConnection& connection, size_t index, size_t leaf,
                            const std::string& name, const std::atomic<bool>& failed) {
  const TableGenerator& table = generator_.tables()[index];
  Leaves& shared = *leaves_[index];
  reporter_.started(LoadPhase::kCopy, name, 1);
  const auto started = std::chrono::steady_clock::now();
  connection.exec("SET application_name = 'pgshape load'");
  {
    // Outside the COPY's transaction, which FREEZE wants free of earlier snapshots.
    std::lock_guard lock(shared.mutex);
    if (!shared.any_started) shared.started = started, shared.any_started = true;
    if (!shared.router) {
      // Kept only once whole: a task that fails here leaves none to the others.
      auto router = std::make_unique<LeafRouter>(connection, schema_, table);
      std::vector<uint8_t> leaf_of;
      if (shared.remember) {
        const RowRange all = shard_rows(table.rows(), spec_.shard_index, spec_.shard_count);
        leaf_of.resize(all.end - all.begin);
        for (uint64_t row = all.begin; row < all.end; row += RowStream::kStepRows) {
          if (failed)
            throw DatabaseError("load.failed", "stopped: another part of the load failed");
          const size_t n =
              static_cast<size_t>(std::min<uint64_t>(RowStream::kStepRows, all.end - row));
          router->leaves_of(row, n, leaf_of.data() + (row - all.begin));
        }
      }
      shared.leaf_of = std::move(leaf_of);
      shared.router = std::move(router);
    }
  }
  connection.exec("BEGIN");
  const LeafRouter& router = *shared.router;
  const bool opaque = std::any_of(table.table().columns.begin(), table.table().columns.end(),
                                  [](const Column& c) { return c.type.opaque; });
  const bool binary = spec_.format == RowFormat::kCopyBinary && !opaque;
  const RowFormat format =
      opaque && spec_.format == RowFormat::kCopyBinary ? RowFormat::kCopyText : spec_.format;
  // The leaf as a table of its own: the parent's columns, its name.
  Table as_leaf = table.table();
  as_leaf.name = name;
  as_leaf.partition_by.clear();
  connection.exec(truncate_statement(schema_, as_leaf));
  connection.copy_in(copy_statement(schema_, as_leaf, binary, true));
  const RowRange range = shard_rows(table.rows(), spec_.shard_index, spec_.shard_count);
  const int64_t table_rows = static_cast<int64_t>(range.end - range.begin);
  CopySink sink(connection, failed);
  int64_t reported = 0;
  uint64_t reported_bytes = 0;
  auto report = [&](int64_t done) {
    const int64_t total = shared.rows_done += done - reported;
    reporter_.add_rows(table.table().name, done - reported, sink.sent - reported_bytes, total,
                       table_rows);
    reported = done;
    reported_bytes = sink.sent;
  };
  auto progress = [&](int64_t done) {
    if (done - reported >= kProgressRows) report(done);
  };
  // The first leaf also checks that every row has a leaf, as the server would.
  const std::vector<uint8_t>& leaf_of = shared.leaf_of;
  auto keep = [&router, &leaf_of, leaf, begin = range.begin](uint64_t first, size_t n,
                                                             std::vector<uint64_t>& rows) {
    if (leaf_of.empty()) return router.select(first, n, leaf, leaf == 0, rows);
    for (size_t i = 0; i < n; ++i)
      if (leaf_of[first - begin + i] == leaf) rows.push_back(first + i);
  };
  StreamResult streamed;
  try {
    streamed = RowStream(table, format, range, keep).write_to(sink, progress);
    connection.finish();
  } catch (...) {
    connection.abort("pgshape stopped this load");
    throw;
  }
  connection.exec("COMMIT");
  vacuum_frozen(connection, schema_, name);
  if (sink.sent > reported_bytes || streamed.rows > reported) report(streamed.rows);
  const auto ended = std::chrono::steady_clock::now();
  {
    std::lock_guard lock(shared.mutex);
    TableLoadStats& stats = stats_[index];
    stats.rows += streamed.rows;
    stats.bytes += streamed.bytes;
    stats.seconds =
        std::max(stats.seconds, std::chrono::duration<double>(ended - shared.started).count());
  }
  reporter_.finished(LoadPhase::kCopy, name, 1,
                     std::chrono::duration<double>(ended - started).count(), streamed.rows,
                     streamed.bytes);
}

}  // namespace pgshape::load
