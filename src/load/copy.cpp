// Generated rows into PostgreSQL: each table in its own transaction that
// truncates it first, so COPY FREEZE writes rows already frozen (no later
// hint-bit or vacuum rewrite), streamed over raw libpq in large buffers.
#include <fmt/format.h>
#include <chrono>
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
                                        const std::function<void(const LoadProgress&)>& progress) {
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
  if (user_ddl) {
    order = profile.load_order();
    jobs = 1;
  }
  int64_t all_total = 0;
  for (const auto& t : tables) all_total += t.rows();
  std::atomic<int64_t> all_done{0};
  std::mutex progress_mutex;

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
        if (!user_ddl) connection->exec("TRUNCATE " + target);
        connection->copy_in(fmt::format("COPY {} {} FROM STDIN{}", target,
                                        sql::column_list(table.table()),
                                        user_ddl ? "" : " WITH (FREEZE)"));
        std::string buffer;
        buffer.reserve(kSendBytes + (kSendBytes >> 2));
        uint64_t bytes = 0;
        int64_t reported = 0;
        const auto rows = static_cast<uint64_t>(table.rows());
        try {
          for (uint64_t row = 0; row < rows;) {
            const uint64_t end = std::min(rows, row + kBatchRows);
            table.write_copy_text(row, end, buffer);
            row = end;
            if (buffer.size() >= kSendBytes || row == rows) {
              connection->send(buffer);
              bytes += buffer.size();
              buffer.clear();
            }
            if (progress &&
                (static_cast<int64_t>(row) - reported >= kProgressRows || row == rows)) {
              all_done += static_cast<int64_t>(row) - reported;
              reported = static_cast<int64_t>(row);
              std::lock_guard lock(progress_mutex);
              progress({table.table().name, reported, table.rows(), all_done.load(), all_total});
            }
          }
          connection->finish();
        } catch (...) {
          connection->abort("pgshape stopped this load");
          throw;
        }
        connection->exec("COMMIT");
        stats[index] = {
            table.table().name, table.rows(), bytes,
            std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count()};
      });
  std::vector<TableLoadStats> in_load_order;
  for (size_t i : profile.load_order()) in_load_order.push_back(stats[i]);
  return in_load_order;
}

}  // namespace pgshape::load
