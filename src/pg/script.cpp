// exec_script: SQL from a profile run statement by statement inside pgshape's
// transaction, so that it can neither end that transaction (and keep what it
// did) nor smuggle a second statement past a check.
#include <pqxx/pqxx>

#include <fmt/format.h>

#include "pgshape/error.hpp"
#include "pgshape/pg.hpp"
#include "pgshape/util.hpp"

namespace pgshape {
namespace {

// The statement's first line, shortened, for messages.
std::string excerpt(std::string_view statement) {
  std::string out(statement.substr(0, std::min(statement.find('\n'), size_t{60})));
  if (out.size() < statement.size()) out += " ...";
  return out;
}

}  // namespace

void exec_script(pqxx::transaction_base& tx, std::string_view script, const std::string& what) {
  const SqlScan scan = scan_sql(script);
  if (!scan.error.empty()) {
    const TextPos at = text_position(script, scan.error_offset);
    throw UsageError(
        "profile.bad-sql",
        fmt::format("{}: line {}:{}: {} is not closed", what, at.line, at.column, scan.error),
        "close it; nothing was run");
  }
  for (const auto& statement : scan.statements) {
    if (const std::string control = transaction_control(statement.text); !control.empty()) {
      const TextPos at = text_position(script, statement.offset);
      throw UsageError(
          "profile.bad-sql",
          fmt::format("{}: line {}:{}: {} would end the transaction pgshape runs it in", what,
                      at.line, at.column, control),
          "remove it: pgshape runs the SQL in one transaction of its own (and rolls an "
          "experiment back); nothing was run");
    }
  }
  // The transaction's id, assigned now: a COMMIT or ROLLBACK in between would
  // leave the next check in another transaction, without this id.
  const auto xid = tx.exec1("SELECT pg_catalog.txid_current()")[0].as<int64_t>();
  for (const auto& statement : scan.statements) {
    tx.exec_params(std::string(statement.text));
    const auto now = tx.exec1("SELECT pg_catalog.txid_current_if_assigned()")[0];
    if (now.is_null() || now.as<int64_t>() != xid) {
      const TextPos at = text_position(script, statement.offset);
      throw DatabaseError("db.transaction-ended",
                          fmt::format("{}: line {}:{}: '{}' ended the transaction pgshape ran it "
                                      "in",
                                      what, at.line, at.column, excerpt(statement.text)),
                          "remove the statement that ends the transaction");
    }
  }
}

}  // namespace pgshape
