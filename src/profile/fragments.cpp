// The SQL a profile carries, checked before any connection for what its place
// allows. An index predicate is spliced into CREATE INDEX ... WHERE (...): it must
// be one expression. A query is one statement (EXPLAIN takes one). Experiments
// and the ddl: file may hold several statements but run inside pgshape's own
// transaction, which they must not end or open. At run time the same rules are
// enforced again (exec_script, the extended protocol); this is where the user
// hears of it first, positioned, with nothing touched.
#include <fmt/format.h>
#include <cctype>

#include "pgshape/profile.hpp"
#include "pgshape/util.hpp"
#include "profile/reader.hpp"

namespace pgshape::profile {
namespace {

class FragmentChecker {
 public:
  FragmentChecker(const Profile& profile, Reader& reader) : p_(profile), r_(reader) {}

  void run() {
    for (const auto& table : p_.tables)
      for (const auto& index : table.indexes)
        if (!index.where.empty()) check_predicate(table, index);
    for (const auto& table : p_.tables)
      for (const auto& index : table.indexes)
        if (!index.definition.empty()) check_definition(table, index);
    for (const auto& table : p_.tables)
      for (const auto& check : table.checks)
        check_expression(check.pos,
                         fmt::format("check {}on '{}'",
                                     check.name.empty() ? "" : "'" + check.name + "' ", table.name),
                         check.expr);
    for (const auto& type : p_.types)
      for (const auto& check : type.checks)
        check_expression(type.pos, fmt::format("check of type '{}'", type.name), check);
    for (const auto& query : p_.queries) check_query(query);
    for (const auto& experiment : p_.experiments)
      check_script(experiment.pos, fmt::format("experiment '{}'", experiment.name), experiment.sql);
    if (!p_.ddl_sql.empty()) check_script({}, "the ddl: file", p_.ddl_sql);
  }

 private:
  void error(SourcePos at, std::string message, std::string hint) {
    r_.error("profile.bad-sql", at, std::move(message), std::move(hint));
  }

  // "line 2:5 of the SQL": where inside the fragment a problem is.
  static std::string inside(std::string_view sql, size_t offset) {
    const TextPos at = text_position(sql, offset);
    return fmt::format("line {}:{} of its SQL", at.line, at.column);
  }

  // Reports an unterminated quote or comment; false when there is one.
  bool scanned(SourcePos at, const std::string& what, std::string_view sql, const SqlScan& scan) {
    if (scan.error.empty()) return true;
    error(
        at,
        fmt::format("{}: {} at {} is not closed", what, scan.error, inside(sql, scan.error_offset)),
        "close it");
    return false;
  }

  void check_predicate(const Table& table, const IndexSpec& index) {
    const std::string what =
        fmt::format("where: of index {} on '{}'",
                    index.name.empty() ? "(unnamed)" : "'" + index.name + "'", table.name);
    const SqlScan scan = scan_sql(index.where);
    if (!scanned(index.pos, what, index.where, scan)) return;
    if (scan.statements.size() != 1) {
      error(index.pos,
            scan.statements.empty()
                ? fmt::format("{} holds no expression", what)
                : fmt::format("{} must be one expression, but a second statement starts at {}",
                              what, inside(index.where, scan.statements[1].offset)),
            "write only the predicate, e.g. where: \"status <> 'done'\"");
    } else if (!scan.statements[0].balanced_parens) {
      error(index.pos, fmt::format("{}: its parentheses do not balance", what),
            "write one expression; every '(' closed by a ')' after it");
    }
  }

  // One expression with balanced parentheses: spliced into CHECK (...).
  void check_expression(SourcePos at, const std::string& what, const std::string& sql) {
    const SqlScan scan = scan_sql(sql);
    if (!scanned(at, what, sql, scan)) return;
    if (scan.statements.size() != 1)
      error(at,
            scan.statements.empty()
                ? fmt::format("{} holds no expression", what)
                : fmt::format("{} must be one expression, but a second statement starts at {}",
                              what, inside(sql, scan.statements[1].offset)),
            "write only the expression, e.g. \"price > 0\"");
    else if (!scan.statements[0].balanced_parens)
      error(at, fmt::format("{}: its parentheses do not balance", what),
            "write one expression; every '(' closed by a ')' after it");
  }

  // An index's definition follows CREATE INDEX name ON table: it starts with
  // USING and is the rest of that one statement.
  void check_definition(const Table& table, const IndexSpec& index) {
    const std::string what =
        fmt::format("definition of index '{}' on '{}'", index.name, table.name);
    std::string head = index.definition.substr(0, 6);
    for (auto& c : head) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
    if (head != "USING ") {
      error(index.pos, fmt::format("{} must start with USING", what),
            "write it as pg_get_indexdef prints it after ON <table>: USING gin (tags)");
      return;
    }
    check_expression(index.pos, what, index.definition);
  }

  void check_query(const Query& query) {
    const std::string what = fmt::format("query '{}'", query.name);
    const SqlScan scan = scan_sql(query.sql);
    if (!scanned(query.pos, what, query.sql, scan)) return;
    if (scan.statements.size() > 1)
      error(query.pos,
            fmt::format("{} must be one statement, but a second one starts at {}", what,
                        inside(query.sql, scan.statements[1].offset)),
            "explain and workload run each query as one statement: split it into queries");
    else if (!scan.statements.empty())
      refuse_transaction_control(query.pos, what, query.sql, scan.statements[0]);
  }

  void check_script(SourcePos at, const std::string& what, std::string_view sql) {
    const SqlScan scan = scan_sql(sql);
    if (!scanned(at, what, sql, scan)) return;
    for (const auto& statement : scan.statements)
      refuse_transaction_control(at, what, sql, statement);
  }

  void refuse_transaction_control(SourcePos at, const std::string& what, std::string_view sql,
                                  const SqlStatement& statement) {
    const std::string control = transaction_control(statement.text);
    if (control.empty()) return;
    error(at,
          fmt::format("{}: {} at {} would end or open the transaction pgshape runs it in", what,
                      control, inside(sql, statement.offset)),
          "remove it: pgshape runs this SQL in one transaction of its own (an experiment's "
          "is rolled back after the capture)");
  }

  const Profile& p_;
  Reader& r_;
};

}  // namespace

void check_fragments(const Profile& profile, Reader& reader) {
  FragmentChecker(profile, reader).run();
}

}  // namespace pgshape::profile
