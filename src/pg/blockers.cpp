// BlockerWatch: who holds the lock a statement of ours waits for, seen from a
// second connection while the wait lasts (once the wait has timed out,
// pg_blocking_pids has nothing left to say).
#include <pqxx/pqxx>

#include <fmt/format.h>
#include <chrono>

#include "pgshape/pg.hpp"
#include "pgshape/session.hpp"

namespace pgshape {
namespace {

constexpr auto kPollInterval = std::chrono::milliseconds(100);

std::string describe_blockers(pqxx::connection& conn, int pid) {
  pqxx::nontransaction tx(conn);
  const auto rows = tx.exec_params(
      "SELECT a.pid, coalesce(a.application_name, ''), coalesce(a.state, ''), "
      "coalesce(a.query_start::text, ''), coalesce(pg_catalog.left(a.query, 200), '') "
      "FROM pg_catalog.pg_stat_activity a "
      "WHERE a.pid = ANY (pg_catalog.pg_blocking_pids($1)) ORDER BY a.pid",
      pid);
  std::string out;
  for (const auto& row : rows) {
    std::string query = row[4].as<std::string>();
    for (char& c : query)
      if (c == '\n' || c == '\r' || c == '\t') c = ' ';
    out += fmt::format("{}pid {} (application_name '{}', state '{}', query started {}): {}",
                       out.empty() ? "" : "\n", row[0].as<int>(), row[1].as<std::string>(),
                       row[2].as<std::string>(), row[3].as<std::string>(), query);
  }
  return out;
}

}  // namespace

BlockerWatch::BlockerWatch(std::string dsn, int pid) : dsn_(std::move(dsn)), pid_(pid) {
  thread_ = std::thread([this] { run(); });
}

BlockerWatch::~BlockerWatch() {
  {
    std::lock_guard lock(mutex_);
    stop_ = true;
  }
  stop_signal_.notify_all();
  thread_.join();
}

std::string BlockerWatch::blockers() const {
  std::lock_guard lock(mutex_);
  return blockers_;
}

void BlockerWatch::run() {
  std::unique_ptr<pqxx::connection> conn;
  std::unique_lock lock(mutex_);
  while (!stop_signal_.wait_for(lock, kPollInterval, [this] { return stop_; })) {
    lock.unlock();
    std::string seen;
    try {
      if (!conn) {
        conn = open_session(dsn_, SessionKind::kTarget);
        pqxx::nontransaction(*conn).exec0("SET application_name = 'pgshape lock watch'");
      }
      seen = describe_blockers(*conn, pid_);
    } catch (const std::exception&) {
      conn.reset();  // the message then says no blocker was seen; the wait itself is unaffected
    }
    lock.lock();
    if (!seen.empty()) blockers_ = std::move(seen);
  }
}

}  // namespace pgshape
