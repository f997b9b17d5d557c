// Generated rows into PostgreSQL: each table in its own transaction that
// truncates it first, so COPY FREEZE writes rows already frozen (no later
// hint-bit or vacuum rewrite), streamed over raw libpq in large buffers.
#include <fmt/format.h>
#include <algorithm>
#include <chrono>
#include <optional>

#include "load/copy_sink.hpp"
#include "load/sql.hpp"
#include "load/steps.hpp"

namespace pgshape::load {
namespace {

constexpr int64_t kProgressRows = 65536;

}  // namespace

TableCopies::TableCopies(const Profile& profile, const DatasetGenerator& generator,
                         std::string schema, const CopySpec& spec, LoadReporter& reporter)
    : profile_(profile),
      generator_(generator),
      schema_(std::move(schema)),
      spec_(spec),
      reporter_(reporter),
      stats_(generator.tables().size()) {
  for (const auto& t : generator_.tables()) reporter_.plan_rows(rows_of(t));
}

int64_t TableCopies::rows_of(const TableGenerator& table) const {
  const RowRange range = shard_rows(table.rows(), spec_.shard_index, spec_.shard_count);
  return static_cast<int64_t>(range.end - range.begin);
}

std::vector<size_t> TableCopies::add_tasks(std::vector<LoadTask>& tasks,
                                           const std::atomic<bool>& failed) {
  const auto& tables = generator_.tables();
  // With the user's DDL, foreign keys exist during the load: parents go first,
  // one at a time, and TRUNCATE (which FREEZE needs) is not possible on parents.
  const bool user_ddl = !profile_.ddl_sql.empty();
  const bool freeze = !user_ddl && !spec_.append;
  std::vector<size_t> task_of_table(tables.size());
  std::optional<size_t> previous;
  for (size_t index : profile_.load_order()) {
    LoadTask task;
    task.kind = TaskKind::kCopy;
    task.phase = LoadPhase::kCopy;
    task.object = tables[index].table().name;
    task.locks = {{tables[index].table().name, TableLock::kExclusive}};
    task.cost = static_cast<double>(rows_of(tables[index])) *
                static_cast<double>(tables[index].table().columns.size()) * kCopyPerValue;
    if (user_ddl && previous) task.after = {*previous};
    if (freeze && add_leaf_tasks(tasks, index, failed)) {
      previous = task_of_table[index] = tasks.size() - 1;
      continue;
    }
    task.run = [this, index, freeze, &failed](RawConnection& connection) {
      copy(connection, index, freeze, failed);
    };
    previous = task_of_table[index] = tasks.size();
    tasks.push_back(std::move(task));
  }
  return task_of_table;
}

std::vector<TableLoadStats> TableCopies::stats_in_load_order() const {
  std::vector<TableLoadStats> out;
  for (size_t i : profile_.load_order()) out.push_back(stats_[i]);
  return out;
}

void TableCopies::copy(RawConnection& connection, size_t index, bool freeze,
                       const std::atomic<bool>& failed) {
  const TableGenerator& table = generator_.tables()[index];
  const std::string& name = table.table().name;
  reporter_.started(LoadPhase::kCopy, name, 1);
  // A type pgshape does not encode itself (text[], jsonb, ...) goes as text,
  // which the server parses; the table's other columns with it.
  const bool opaque = std::any_of(table.table().columns.begin(), table.table().columns.end(),
                                  [](const Column& c) { return c.type.opaque; });
  const bool binary = spec_.format == RowFormat::kCopyBinary && !opaque;
  const RowFormat format =
      opaque && spec_.format == RowFormat::kCopyBinary ? RowFormat::kCopyText : spec_.format;
  const auto started = std::chrono::steady_clock::now();
  connection.exec("SET application_name = 'pgshape load'; BEGIN");
  if (freeze) connection.exec(truncate_statement(schema_, table.table()));
  // PostgreSQL refuses COPY FREEZE into a partitioned table; through the parent
  // it routes every row to its leaf (when add_leaf_tasks could not).
  connection.copy_in(
      copy_statement(schema_, table.table(), binary, freeze && table.table().partition_by.empty()));
  const RowRange range = shard_rows(table.rows(), spec_.shard_index, spec_.shard_count);
  const auto rows = static_cast<int64_t>(range.end - range.begin);
  CopySink sink(connection, failed);
  int64_t reported = 0;
  uint64_t reported_bytes = 0;
  auto progress = [&](int64_t done) {
    if (done - reported < kProgressRows && done < rows) return;
    reporter_.add_rows(name, done - reported, sink.sent - reported_bytes, done, rows);
    reported = done;
    reported_bytes = sink.sent;
  };
  StreamResult streamed;
  try {
    streamed = RowStream(table, format, range).write_to(sink, progress);
    connection.finish();
  } catch (...) {
    connection.abort("pgshape stopped this load");
    throw;
  }
  connection.exec("COMMIT");
  if (freeze && table.table().partition_by.empty()) vacuum_frozen(connection, schema_, name);
  stats_[index] = {
      name, rows, streamed.bytes,
      std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count()};
  // What the last buffers sent after the last row report.
  if (sink.sent > reported_bytes || rows > reported)
    reporter_.add_rows(name, rows - reported, sink.sent - reported_bytes, rows, rows);
  reporter_.finished(LoadPhase::kCopy, name, 1, stats_[index].seconds, rows, streamed.bytes);
}

}  // namespace pgshape::load
