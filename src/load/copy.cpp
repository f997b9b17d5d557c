// Generated rows into PostgreSQL: each table in its own transaction that
// truncates it first, so COPY FREEZE writes rows already frozen (no later
// hint-bit or vacuum rewrite), streamed over raw libpq in large buffers.
#include <fmt/format.h>
#include <chrono>
#include <exception>
#include <memory>
#include <mutex>

#include "load/parallel.hpp"
#include "load/steps.hpp"
#include "pg/raw_connection.hpp"
#include "pgshape/sql.hpp"

namespace pgshape::load {
namespace {

constexpr size_t kSendBytes = 1 << 20;  // libpq copies per call; large calls amortise it
constexpr uint64_t kBatchRows = 1024;
constexpr int64_t kProgressRows = 65536;

}  // namespace

std::vector<TableLoadStats> copy_tables(const std::string& dsn, const Profile& profile,
                                        const DatasetGenerator& generator,
                                        const std::string& schema, int jobs,
                                        const std::function<void(const LoadProgress&)>& progress,
                                        const CopySpec& spec) {
  const auto& tables = generator.tables();
  std::vector<TableLoadStats> stats(tables.size());
  // Largest tables first so the longest task starts at once.
  std::vector<size_t> order(tables.size());
  for (size_t i = 0; i < order.size(); ++i) order[i] = i;
  std::stable_sort(order.begin(), order.end(),
                   [&](size_t a, size_t b) { return tables[a].rows() > tables[b].rows(); });
  // With the user's DDL, foreign keys exist during the load: parents go first,
  // one at a time, and TRUNCATE (which FREEZE needs) is not possible on parents.
  const bool user_ddl = !profile.ddl_sql.empty();
  const bool freeze = !user_ddl && !spec.append;
  const bool binary = spec.format == RowFormat::kCopyBinary;
  if (user_ddl) {
    order = profile.load_order();
    jobs = 1;
  }
  auto slice = [&](const TableGenerator& t) {
    return shard_rows(t.rows(), spec.shard_index, spec.shard_count);
  };
  int64_t all_total = 0;
  for (const auto& t : tables) all_total += static_cast<int64_t>(slice(t).end - slice(t).begin);
  std::atomic<int64_t> all_done{0};
  std::mutex progress_mutex;
  // Set when any table fails: the others stop at their next buffer instead of
  // finishing their table, so a lost connection ends the load in seconds. They
  // rethrow the first failure, so whichever error is reported is the real one.
  std::atomic<bool> stopping{false};
  std::exception_ptr first_failure;
  std::mutex failure_mutex;

  run_parallel<std::unique_ptr<RawConnection>>(
      jobs, order.size(),
      [&] {
        auto connection = std::make_unique<RawConnection>(dsn);
        connection->exec("SET synchronous_commit = off; SET application_name = 'pgshape load'");
        return connection;
      },
      [&](size_t task, std::unique_ptr<RawConnection>& connection) {
        const size_t index = order[task];
        const TableGenerator& table = tables[index];
        const auto started = std::chrono::steady_clock::now();
        const std::string target = sql::qualified(schema, table.table().name);
        connection->exec("BEGIN");
        if (freeze) connection->exec("TRUNCATE " + target);
        std::string options;
        if (binary) options += "FORMAT binary";
        if (freeze) options += options.empty() ? "FREEZE" : ", FREEZE";
        connection->copy_in(fmt::format("COPY {} {} FROM STDIN{}", target,
                                        sql::column_list(table.table()),
                                        options.empty() ? "" : " WITH (" + options + ")"));
        std::string buffer;
        buffer.reserve(kSendBytes + (kSendBytes >> 2));
        if (binary) buffer.append(copy_binary_header());
        uint64_t bytes = 0;
        int64_t reported = 0;
        const RowRange range = slice(table);
        const auto rows = static_cast<int64_t>(range.end - range.begin);
        try {
          for (uint64_t row = range.begin; row < range.end;) {
            const uint64_t end = std::min(range.end, row + kBatchRows);
            table.write_rows(spec.format, row, end, buffer);
            row = end;
            if (binary && row == range.end) buffer.append(copy_binary_trailer());
            if (buffer.size() >= kSendBytes || row == range.end) {
              if (stopping) {
                std::lock_guard lock(failure_mutex);
                std::rethrow_exception(first_failure);
              }
              connection->send(buffer);
              bytes += buffer.size();
              buffer.clear();
            }
            const auto done = static_cast<int64_t>(row - range.begin);
            if (progress && (done - reported >= kProgressRows || row == range.end)) {
              all_done += done - reported;
              reported = done;
              std::lock_guard lock(progress_mutex);
              progress({table.table().name, reported, rows, all_done.load(), all_total});
            }
          }
          if (range.begin == range.end && binary) {  // an empty slice is still a valid stream
            buffer.append(copy_binary_trailer());
            connection->send(buffer);
          }
          connection->finish();
        } catch (...) {
          {
            std::lock_guard lock(failure_mutex);
            if (!first_failure) first_failure = std::current_exception();
          }
          stopping = true;
          connection->abort("pgshape stopped this load");
          throw;
        }
        connection->exec("COMMIT");
        stats[index] = {
            table.table().name, rows, bytes,
            std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count()};
      });
  std::vector<TableLoadStats> in_load_order;
  for (size_t i : profile.load_order()) in_load_order.push_back(stats[i]);
  return in_load_order;
}

}  // namespace pgshape::load
