// Running the statement that pins a new session's settings (post_connect_sql)
// again when it is cancelled, one policy for both clients pgshape connects with:
// libpqxx (open_session) and raw libpq (RawConnection). Internal to src/pg and
// its tests.
#pragma once

#include <string_view>

namespace pgshape::pg {

// SQLSTATE query_canceled: how a statement_timeout or a cancel request ends a statement.
inline constexpr std::string_view kQueryCanceled = "57014";

// How many times in all the pinning statement is run before its cancel is let through.
inline constexpr int kPinningTries = 20;

// Calls `exec` (one run of the statement, throwing `Error`, a type with
// sqlstate(), when it fails) until it returns, again each time it fails with
// query_canceled, up to kPinningTries calls in all. A service's own timeout of a
// millisecond can cancel that one statement on a busy server; cancelled, it
// changed nothing, so running it again is safe. Any other error, and the last
// call's, propagates as `exec` threw it; whatever else `exec` throws is not caught.
template <class Error, class Exec>
void rerun_while_cancelled(Exec&& exec) {
  for (int attempt = 1;; ++attempt) {
    try {
      exec();
      return;
    } catch (const Error& e) {
      if (e.sqlstate() != kQueryCanceled || attempt == kPinningTries) throw;
    }
  }
}

}  // namespace pgshape::pg
