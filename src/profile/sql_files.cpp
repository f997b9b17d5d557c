// SQL files a profile names (ddl:, a query's or an experiment's file:). Only a
// regular file of a sane size that reads as SQL text is used; anything else is
// refused by name, and its contents are never quoted: a profile could name
// /etc/shadow, and an error message must not become a way to read it.
#include <fmt/format.h>
#include <cctype>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "profile/parser_impl.hpp"

namespace pgshape::profile {
namespace {

namespace fs = std::filesystem;

// Far past any schema or query file; keeps a profile naming a disk image quick to refuse.
constexpr uintmax_t kMaxSqlFileBytes = uintmax_t{16} << 20;

// The commands an SQL file may start with (PostgreSQL's statements, and a
// parenthesised query), after comments and white space.
constexpr std::string_view kStatementWords[] = {
    "abort",   "alter",   "analyze", "begin",    "call",      "checkpoint", "close",
    "cluster", "comment", "commit",  "copy",     "create",    "deallocate", "declare",
    "delete",  "discard", "do",      "drop",     "end",       "execute",    "explain",
    "fetch",   "grant",   "import",  "insert",   "listen",    "load",       "lock",
    "merge",   "move",    "notify",  "prepare",  "reassign",  "refresh",    "reindex",
    "release", "reset",   "revoke",  "rollback", "savepoint", "security",   "select",
    "set",     "show",    "start",   "table",    "truncate",  "unlisten",   "update",
    "vacuum",  "values",  "with"};

// True when the first thing after comments and white space is a statement
// word or '(' — or when there is nothing at all (the caller reports emptiness).
bool starts_like_sql(std::string_view text) {
  size_t i = 0;
  while (i < text.size()) {
    if (std::isspace(static_cast<unsigned char>(text[i]))) {
      ++i;
    } else if (text.substr(i, 2) == "--") {
      while (i < text.size() && text[i] != '\n') ++i;
    } else if (text.substr(i, 2) == "/*") {
      const size_t end = text.find("*/", i + 2);
      i = end == std::string_view::npos ? text.size() : end + 2;
    } else {
      break;
    }
  }
  if (i >= text.size() || text[i] == '(') return true;
  std::string word;
  while (i < text.size() && word.size() < 16 && std::isalpha(static_cast<unsigned char>(text[i])))
    word += static_cast<char>(std::tolower(static_cast<unsigned char>(text[i++])));
  if (i < text.size() && (std::isalnum(static_cast<unsigned char>(text[i])) || text[i] == '_'))
    return false;
  for (auto w : kStatementWords)
    if (word == w) return true;
  return false;
}

}  // namespace

std::string ProfileParser::read_sql_file(const YAML::Node& node, const std::string& spec) {
  std::string path = spec;
  std::string block;
  if (auto hash = spec.find('#'); hash != std::string::npos) {
    path = spec.substr(0, hash);
    block = spec.substr(hash + 1);
  }
  fs::path found;
  bool exists_elsewhere = false;
  for (const fs::path& dir :
       {fs::path(base_dir_), fs::path(base_dir_).parent_path(), fs::current_path()}) {
    fs::path candidate = fs::path(path).is_absolute() ? fs::path(path) : dir / path;
    std::error_code ec;
    if (fs::is_regular_file(candidate, ec)) {
      found = candidate;
      break;
    }
    exists_elsewhere = exists_elsewhere || fs::exists(candidate, ec);
  }
  if (found.empty()) {
    r_.error("profile.sql-file", node,
             exists_elsewhere ? fmt::format("'{}' is not a regular file", path)
                              : fmt::format("cannot read SQL file '{}'", path),
             fmt::format("paths are relative to the profile's folder ({})", base_dir_));
    return {};
  }
  std::error_code ec;
  if (const uintmax_t size = fs::file_size(found, ec); !ec && size > kMaxSqlFileBytes) {
    r_.error("profile.sql-file", node,
             fmt::format("'{}' is larger than {} MB: not an SQL file for a profile", path,
                         kMaxSqlFileBytes >> 20));
    return {};
  }
  std::ifstream in(found, std::ios::binary);
  std::stringstream text;
  if (in) text << in.rdbuf();
  if (!in || in.bad()) {
    r_.error("profile.sql-file", node, fmt::format("cannot read SQL file '{}'", path),
             "check its permissions");
    return {};
  }
  std::string sql = text.str();
  if (invalid_utf8_at(sql) != std::string::npos || sql.find('\0') != std::string::npos ||
      !starts_like_sql(sql)) {
    r_.error("profile.sql-file", node, fmt::format("'{}' is not a SQL file", path),
             "name a .sql file of statements (CREATE TABLE ..., SELECT ...); its contents are "
             "not shown");
    return {};
  }
  if (block.empty()) return sql;
  // A `-- name: x` line starts block x, which runs to the next such line.
  const std::string marker = "-- name: ";
  std::istringstream lines(sql);
  std::string line, out;
  bool inside = false, seen = false;
  while (std::getline(lines, line)) {
    if (line.rfind(marker, 0) == 0) {
      std::string name = line.substr(marker.size());
      while (!name.empty() && std::isspace(static_cast<unsigned char>(name.back())))
        name.pop_back();
      inside = name == block;
      seen = seen || inside;
      continue;
    }
    if (inside) out += line + "\n";
  }
  if (!seen)
    r_.error("profile.sql-file", node, fmt::format("'{}' has no block '-- name: {}'", path, block));
  return out;
}

}  // namespace pgshape::profile
