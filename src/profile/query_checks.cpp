// Whole-profile checks, part four: queries. The columns their params draw from,
// and the $n placeholders of their SQL, found the way PostgreSQL's lexer finds
// them: never inside string literals, quoted identifiers, comments or
// dollar-quoted bodies, nor as part of an identifier (a$1 is a name).
#include <fmt/format.h>
#include <algorithm>
#include <cctype>

#include "profile/checker.hpp"

namespace pgshape::profile {
namespace {

bool ident_start(unsigned char c) {
  return std::isalpha(c) || c == '_' || c >= 0x80;
}
bool ident_cont(unsigned char c) {
  return ident_start(c) || std::isdigit(c) || c == '$';
}

// Skips a quoted run starting at text[i] (the opening quote); returns the index
// after the closing quote. A doubled quote is one quote inside; with
// `backslashes` (E'...'), a backslash escapes the next character.
size_t skip_quoted(std::string_view text, size_t i, char quote, bool backslashes) {
  for (++i; i < text.size(); ++i) {
    if (backslashes && text[i] == '\\') {
      ++i;
    } else if (text[i] == quote) {
      if (i + 1 < text.size() && text[i + 1] == quote) {
        ++i;
        continue;
      }
      return i + 1;
    }
  }
  return text.size();
}

// The dollar-quote tag starting at text[i] ("$$" or "$tag$"), or "".
std::string_view dollar_tag(std::string_view text, size_t i) {
  size_t j = i + 1;
  if (j < text.size() && ident_start(static_cast<unsigned char>(text[j])))
    while (j < text.size() && ident_cont(static_cast<unsigned char>(text[j])) && text[j] != '$')
      ++j;
  if (j < text.size() && text[j] == '$') return text.substr(i, j - i + 1);
  return {};
}

}  // namespace

std::vector<int> placeholders(std::string_view sql) {
  std::vector<int> found;
  for (size_t i = 0; i < sql.size();) {
    const auto c = static_cast<unsigned char>(sql[i]);
    const bool after_ident = i > 0 && ident_cont(static_cast<unsigned char>(sql[i - 1]));
    if (sql.substr(i, 2) == "--") {
      while (i < sql.size() && sql[i] != '\n') ++i;
    } else if (sql.substr(i, 2) == "/*") {
      int depth = 0;
      do {
        if (sql.substr(i, 2) == "/*")
          ++depth, i += 2;
        else if (sql.substr(i, 2) == "*/")
          --depth, i += 2;
        else
          ++i;
      } while (depth > 0 && i < sql.size());
    } else if (c == '\'') {
      const bool escapes = i > 0 && (sql[i - 1] == 'E' || sql[i - 1] == 'e') &&
                           !(i > 1 && ident_cont(static_cast<unsigned char>(sql[i - 2])));
      i = skip_quoted(sql, i, '\'', escapes);
    } else if (c == '"') {
      i = skip_quoted(sql, i, '"', false);
    } else if (c == '$' && !after_ident && i + 1 < sql.size() &&
               std::isdigit(static_cast<unsigned char>(sql[i + 1]))) {
      size_t j = i + 1;
      int n = 0;
      while (j < sql.size() && std::isdigit(static_cast<unsigned char>(sql[j])))
        n = std::min(n * 10 + (sql[j++] - '0'), 1000000);
      if (std::find(found.begin(), found.end(), n) == found.end()) found.push_back(n);
      i = j;
    } else if (c == '$' && !after_ident && !dollar_tag(sql, i).empty()) {
      const std::string_view tag = dollar_tag(sql, i);
      const size_t end = sql.find(tag, i + tag.size());
      i = end == std::string_view::npos ? sql.size() : end + tag.size();
    } else if (ident_start(c)) {
      while (i < sql.size() && ident_cont(static_cast<unsigned char>(sql[i]))) ++i;
    } else {
      ++i;
    }
  }
  return found;
}

namespace {

void check_query(const CheckContext& ctx, const Query& query) {
  for (const auto& param : query.params) {
    if (param.table.empty()) continue;
    const Table* table = ctx.p.find_table(param.table);
    if (!table)
      ctx.r.error("profile.unknown-table", param.pos,
                  fmt::format("query '{}' draws from unknown column '{}.{}' (no table '{}')",
                              query.name, param.table, param.column, param.table));
    else if (!table->find_column(param.column))
      ctx.r.error("profile.unknown-column", param.pos,
                  fmt::format("query '{}' draws from unknown column '{}.{}'", query.name,
                              param.table, param.column));
  }
}

}  // namespace

void check_queries(const CheckContext& ctx) {
  for (const auto& query : ctx.p.queries) check_query(ctx, query);
}

}  // namespace pgshape::profile
