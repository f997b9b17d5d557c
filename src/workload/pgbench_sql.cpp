// A query's SQL as pgbench runs it. pgbench reads `:name` anywhere in a
// command as a variable (even inside quotes), so a colon that is not ours must
// be made invisible to it without changing what the server receives.
#include <fmt/format.h>

#include <cctype>

#include "pgshape/error.hpp"
#include "pgshape/workload.hpp"

namespace pgshape {
namespace {

// A colon followed by a letter, an underscore or a non-ASCII byte starts a
// pgbench variable reference (parseVariable in pgbench.c); `:30` does not.
bool starts_variable(char c) {
  const auto u = static_cast<unsigned char>(c);
  return u >= 0x80 || std::isalpha(u) || c == '_';
}

bool identifier_byte(char c) {
  return starts_variable(c) || std::isdigit(static_cast<unsigned char>(c)) || c == '$';
}

// pgbench skips a run of colons it cannot read a name after: `::b` is safe.
bool has_variable_colon(std::string_view text) {
  for (size_t i = 0; i + 1 < text.size(); ++i) {
    if (text[i] != ':') continue;
    if (starts_variable(text[i + 1])) return true;
    while (i + 1 < text.size() && text[i + 1] == ':') ++i;
  }
  return false;
}

// The body of a quoted literal or identifier (doubled quotes kept doubled) as
// the body of a U& one: same value, with every colon written as \003A.
std::string unicode_escaped(std::string_view body, bool already_unicode) {
  std::string out;
  for (char c : body) {
    if (c == ':')
      out += "\\003A";
    else if (c == '\\' && !already_unicode)
      out += "\\\\";
    else
      out += c;
  }
  return out;
}

class Rewriter {
 public:
  Rewriter(std::string_view sql, const std::vector<std::string>& replacements,
           std::string_view query)
      : sql_(sql), replacements_(replacements), query_(query) {}

  std::string run() {
    while (i_ < sql_.size()) {
      const char c = sql_[i_];
      const char next = i_ + 1 < sql_.size() ? sql_[i_ + 1] : '\0';
      if (c == '-' && next == '-') {
        skip_line_comment();
      } else if (c == '/' && next == '*') {
        skip_block_comment();
      } else if (c == '\'' || c == '"') {
        quoted(c);
      } else if (c == '$' && !after_identifier()) {
        dollar();
      } else if (c == ':' && next == ':') {
        out_ += "::";
        i_ += 2;
      } else if (c == ':' && starts_variable(next)) {
        out_ += ": ";  // an array slice's a[1:n]: the space keeps pgbench off `n`
        ++i_;
      } else {
        out_ += c;
        ++i_;
      }
    }
    while (!out_.empty() &&
           (std::isspace(static_cast<unsigned char>(out_.back())) || out_.back() == ';'))
      out_.pop_back();
    const size_t start = out_.find_first_not_of(" \t\r\n");
    if (start == std::string::npos)
      throw UsageError("workload.bad-query",
                       fmt::format("query '{}' has no SQL besides comments", query_));
    return out_.substr(start) + ";";
  }

 private:
  std::string_view sql_;
  const std::vector<std::string>& replacements_;
  std::string_view query_;
  std::string out_;
  size_t i_ = 0;

  bool after_identifier() const { return !out_.empty() && identifier_byte(out_.back()); }

  void skip_line_comment() {
    while (i_ < sql_.size() && sql_[i_] != '\n') ++i_;
    out_ += ' ';
  }

  void skip_block_comment() {
    int depth = 0;
    while (i_ < sql_.size()) {
      if (sql_.compare(i_, 2, "/*") == 0) {
        ++depth, i_ += 2;
      } else if (sql_.compare(i_, 2, "*/") == 0) {
        i_ += 2;
        if (--depth == 0) break;
      } else {
        ++i_;
      }
    }
    out_ += ' ';
  }

  // '...', E'...', U&'...' and "...", U&"...".
  void quoted(char quote) {
    bool escape_string = false, unicode = false;
    if (quote == '\'' && !out_.empty() && (out_.back() == 'E' || out_.back() == 'e') &&
        (out_.size() == 1 || !identifier_byte(out_[out_.size() - 2])))
      escape_string = true;
    if (out_.size() >= 2 && out_.compare(out_.size() - 2, 2, "U&") == 0) unicode = true;
    if (out_.size() >= 2 && out_.compare(out_.size() - 2, 2, "u&") == 0) unicode = true;
    const size_t start = i_ + 1;
    size_t j = start;
    while (j < sql_.size()) {
      if (escape_string && sql_[j] == '\\') {
        j += 2;
      } else if (sql_[j] == quote) {
        if (j + 1 < sql_.size() && sql_[j + 1] == quote) {
          j += 2;
        } else {
          break;
        }
      } else {
        ++j;
      }
    }
    const std::string_view body = sql_.substr(start, std::min(j, sql_.size()) - start);
    i_ = std::min(j + 1, sql_.size());
    if (!has_variable_colon(body)) {
      out_ += quote;
      out_ += body;
      if (j < sql_.size()) out_ += quote;
      return;
    }
    if (escape_string)
      throw UsageError(
          "workload.bad-query",
          fmt::format("query '{}': pgbench would read the ':' in E'{}' as a variable", query_,
                      body),
          "write the string without E'' (standard_conforming_strings) so pgshape can escape it");
    if (!unicode) out_ += "U&";
    out_ += quote;
    out_ += unicode_escaped(body, unicode);
    out_ += quote;
  }

  void dollar() {
    const size_t start = i_;
    size_t j = i_ + 1;
    if (j < sql_.size() && std::isdigit(static_cast<unsigned char>(sql_[j]))) {
      size_t n = 0;
      while (j < sql_.size() && std::isdigit(static_cast<unsigned char>(sql_[j])) && n < 100000)
        n = n * 10 + static_cast<size_t>(sql_[j++] - '0');
      if (n == 0 || n > replacements_.size())
        throw UsageError("workload.bad-query",
                         fmt::format("query '{}' uses ${} but declares {} parameter{}", query_, n,
                                     replacements_.size(), replacements_.size() == 1 ? "" : "s"),
                         "add one params: entry per $n");
      out_ += replacements_[n - 1];
      i_ = j;
      return;
    }
    while (j < sql_.size() && identifier_byte(sql_[j]) && sql_[j] != '$') ++j;
    if (j >= sql_.size() || sql_[j] != '$' ||
        (j > i_ + 1 && std::isdigit(static_cast<unsigned char>(sql_[i_ + 1])))) {
      out_ += sql_[i_++];
      return;
    }
    const std::string_view tag = sql_.substr(start, j + 1 - start);
    const size_t end = sql_.find(tag, j + 1);
    const size_t stop = end == std::string_view::npos ? sql_.size() : end + tag.size();
    const std::string_view body = sql_.substr(j + 1, std::min(end, sql_.size()) - (j + 1));
    if (has_variable_colon(body))
      throw UsageError(
          "workload.bad-query",
          fmt::format("query '{}': pgbench would read a ':' inside {}...{} as a variable", query_,
                      tag, tag),
          "use a '...' string: pgshape escapes colons in those");
    out_ += sql_.substr(start, stop - start);
    i_ = stop;
  }
};

}  // namespace

std::string pgbench_sql(std::string_view sql, const std::vector<std::string>& replacements,
                        std::string_view query) {
  return Rewriter(sql, replacements, query).run();
}

std::string pgbench_literal(std::string_view value) {
  std::string body;
  for (char c : value) {
    if (c == '\'') body += '\'';
    body += c;
  }
  if (!has_variable_colon(body)) return "'" + body + "'";
  return "U&'" + unicode_escaped(body, false) + "'";
}

std::string safe_name(std::string_view name) {
  std::string out;
  for (char c : name) {
    const auto u = static_cast<unsigned char>(c);
    out += u < 0x80 && std::isalnum(u) ? static_cast<char>(std::tolower(u)) : '_';
  }
  if (out.empty() || std::isdigit(static_cast<unsigned char>(out.front()))) out.insert(0, "q_");
  return out;
}

}  // namespace pgshape
