// The --queries file: statements cut by util's scan_sql, and fidelity's own rule
// on top — only what plain EXPLAIN takes (never EXPLAIN ANALYZE, SET or COMMIT) —
// checked before any connection, so a bad file is exit 2 with nothing touched.
#include "pgshape/fidelity.hpp"

#include <fmt/format.h>
#include <filesystem>
#include <fstream>
#include <set>
#include <sstream>

#include "app/fidelity_internal.hpp"
#include "pgshape/error.hpp"
#include "pgshape/util.hpp"

namespace pgshape {
namespace {

[[noreturn]] void bad_query(const std::string& file, int line, int column,
                            const std::string& message, const std::string& hint) {
  throw UsageError("fidelity.bad-query", fmt::format("{}:{}:{}: {}", file, line, column, message),
                   hint);
}

}  // namespace

using fidelity_internal::ident_char;
using fidelity_internal::lower;

std::vector<FidelityQuery> parse_query_file(const std::string& text, const std::string& file) {
  static const std::set<std::string> kExplainable = {"select", "with",   "values", "table",
                                                     "insert", "update", "delete", "merge"};
  const SqlScan scan = scan_sql(text);
  std::vector<FidelityQuery> out;
  // The statements before an unterminated quote or comment are checked first: a
  // refused statement is reported where it stands, whatever follows it.
  for (const SqlStatement& statement : scan.statements) {
    const TextPos at = text_position(text, statement.offset);
    size_t w = 0;
    while (w < statement.text.size() && ident_char(statement.text[w])) ++w;
    const std::string word = lower(std::string(statement.text.substr(0, w)));
    if (!kExplainable.count(word))
      bad_query(file, at.line, at.column,
                word.empty() ? "a statement must start with a keyword"
                             : fmt::format("'{}' is not a statement fidelity explains", word),
                "give queries (SELECT, WITH, VALUES, TABLE, INSERT, UPDATE, DELETE, MERGE); "
                "fidelity adds the plain EXPLAIN itself and never runs ANALYZE");
    out.push_back(FidelityQuery{.name = fmt::format("{}:{}", file, at.line),
                                .sql = std::string(statement.text),
                                .line = at.line,
                                .column = at.column,
                                .params = statement.max_param});
  }
  if (!scan.error.empty()) {
    const TextPos at = text_position(text, scan.error_offset);
    if (scan.error == "a /* comment")
      bad_query(file, at.line, at.column, "unterminated /* comment", "close it with */");
    if (scan.error == "a dollar-quoted string") {
      const size_t close = text.find('$', scan.error_offset + 1);
      bad_query(file, at.line, at.column,
                fmt::format("unterminated dollar quote {}",
                            text.substr(scan.error_offset, close + 1 - scan.error_offset)),
                "close it with the same tag");
    }
    bad_query(file, at.line, at.column,
              scan.error == "a quoted identifier" ? "unterminated quoted identifier"
                                                  : "unterminated string literal",
              "close it, or end the statement with ;");
  }
  return out;
}

std::vector<FidelityQuery> read_query_file(const std::string& path) {
  if (path.empty()) return {};
  std::ifstream in(path, std::ios::binary);
  if (!in || std::filesystem::is_directory(path))
    throw UsageError("fidelity.bad-query", fmt::format("{}: cannot read the query file", path),
                     "--queries takes a SQL file, statements separated by ;");
  std::stringstream text;
  text << in.rdbuf();
  return parse_query_file(text.str(), path);
}

}  // namespace pgshape
