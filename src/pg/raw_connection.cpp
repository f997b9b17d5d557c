#include "pgshape/pg.hpp"

#include <fmt/format.h>

#include "pg/rerun_cancelled.hpp"
#include "pgshape/error.hpp"
#include "pgshape/session.hpp"

namespace pgshape {

RawConnection::RawConnection(const std::string& dsn) {
  conn_ = PQconnectdb(session_conninfo(dsn, SessionKind::kTarget).c_str());
  if (PQstatus(conn_) != CONNECTION_OK) fail("cannot connect");
  const std::string sql =
      post_connect_sql(PQserverVersion(conn_), SessionKind::kTarget, uses_service(dsn));
  // fail() keeps the result's SQLSTATE in the DatabaseError: a cancel is told by it.
  if (!sql.empty())
    pg::rerun_while_cancelled<DatabaseError>([&] {
      PGresult* result = PQexec(conn_, sql.c_str());
      const ExecStatusType status = PQresultStatus(result);
      if (status != PGRES_TUPLES_OK && status != PGRES_COMMAND_OK)
        fail("cannot pin the session's settings", result);
      PQclear(result);
    });
}

RawConnection::~RawConnection() {
  if (conn_) PQfinish(conn_);
}

void RawConnection::fail(std::string_view what, PGresult* result) {
  std::string message = PQerrorMessage(conn_);
  std::string sqlstate;
  if (result) {
    if (const char* state = PQresultErrorField(result, PG_DIAG_SQLSTATE)) sqlstate = state;
    if (const char* primary = PQresultErrorField(result, PG_DIAG_MESSAGE_PRIMARY))
      message = primary;
    PQclear(result);
  }
  while (!message.empty() && (message.back() == '\n' || message.back() == ' ')) message.pop_back();
  std::string hint;
  const bool lost = PQstatus(conn_) != CONNECTION_OK;
  if (lost) {
    // No SQLSTATE comes with a dead socket: 08006 (connection_failure) is the
    // standard's name for it, and lets callers tell "lost" from "refused".
    if (sqlstate.empty()) sqlstate = "08006";
    hint =
        "the server closed the connection or went away; the previous dataset is untouched, "
        "rerun when the server is back";
  }
  throw DatabaseError(lost ? ErrorId("db.lost-connection") : ErrorId("db.query-failed"),
                      redact_dsn(fmt::format("{}: {}", what, message)), hint, sqlstate);
}

void RawConnection::exec(const std::string& sql) {
  PGresult* result = PQexec(conn_, sql.c_str());
  const auto status = PQresultStatus(result);
  if (status != PGRES_COMMAND_OK && status != PGRES_TUPLES_OK) fail("statement failed", result);
  PQclear(result);
}

void RawConnection::exec_one(const std::string& sql) {
  PGresult* result = PQexecParams(conn_, sql.c_str(), 0, nullptr, nullptr, nullptr, nullptr, 0);
  const auto status = PQresultStatus(result);
  if (status != PGRES_COMMAND_OK && status != PGRES_TUPLES_OK) fail("statement failed", result);
  PQclear(result);
}

std::vector<std::vector<std::optional<std::string>>> RawConnection::query(
    const std::string& sql, const std::vector<std::string>& params) {
  std::vector<const char*> values;
  for (const auto& p : params) values.push_back(p.c_str());
  PGresult* result = PQexecParams(conn_, sql.c_str(), static_cast<int>(values.size()), nullptr,
                                  values.data(), nullptr, nullptr, 0);
  if (PQresultStatus(result) != PGRES_TUPLES_OK) fail("query failed", result);
  std::vector<std::vector<std::optional<std::string>>> rows(static_cast<size_t>(PQntuples(result)));
  for (int r = 0; r < PQntuples(result); ++r)
    for (int f = 0; f < PQnfields(result); ++f)
      rows[static_cast<size_t>(r)].push_back(
          PQgetisnull(result, r, f) ? std::nullopt
                                    : std::optional<std::string>(PQgetvalue(result, r, f)));
  PQclear(result);
  return rows;
}

void RawConnection::copy_in(const std::string& copy_statement) {
  PGresult* result = PQexec(conn_, copy_statement.c_str());
  if (PQresultStatus(result) != PGRES_COPY_IN) fail("COPY failed to start", result);
  PQclear(result);
  copying_ = true;
}

void RawConnection::send(std::string_view data) {
  if (PQputCopyData(conn_, data.data(), static_cast<int>(data.size())) != 1) {
    // The server usually said why before it closed the connection ("terminating
    // connection due to administrator command"): that beats libpq's "server
    // closed the connection unexpectedly".
    PGresult* result = PQgetResult(conn_);
    if (result != nullptr && PQresultStatus(result) == PGRES_FATAL_ERROR)
      fail("COPY failed", result);
    PQclear(result);
    fail("sending COPY data failed");
  }
}

void RawConnection::finish() {
  copying_ = false;
  if (PQputCopyEnd(conn_, nullptr) != 1) fail("ending COPY failed");
  PGresult* result = PQgetResult(conn_);
  if (PQresultStatus(result) != PGRES_COMMAND_OK) fail("COPY failed", result);
  PQclear(result);
  while ((result = PQgetResult(conn_)) != nullptr) PQclear(result);
}

void RawConnection::abort(const char* reason) noexcept {
  if (!copying_) return;
  copying_ = false;
  PQputCopyEnd(conn_, reason);
  while (PGresult* result = PQgetResult(conn_)) PQclear(result);
}

}  // namespace pgshape
