// A thin owner of a libpq connection for the one thing libpqxx 6.4 makes slow:
// streaming COPY data in large buffers (PQputCopyData). Everything else —
// queries, transactions — goes through libpqxx.
#pragma once

#include <libpq-fe.h>

#include <string>
#include <string_view>

namespace pgshape {

class RawConnection {
 public:
  // Connects or throws DatabaseError (message without the password).
  explicit RawConnection(const std::string& dsn);
  ~RawConnection();
  RawConnection(const RawConnection&) = delete;
  RawConnection& operator=(const RawConnection&) = delete;

  // Runs one or more statements with no result rows; throws DatabaseError.
  void exec(const std::string& sql);
  // Starts `COPY ... FROM STDIN`; then send() buffers and finish() (or abort()).
  void copy_in(const std::string& copy_statement);
  void send(std::string_view data);
  void finish();
  void abort(const char* reason) noexcept;
  int backend_pid() const { return PQbackendPID(conn_); }

 private:
  [[noreturn]] void fail(std::string_view what, PGresult* result = nullptr);
  PGconn* conn_ = nullptr;
  bool copying_ = false;
};

}  // namespace pgshape
