// Cutting SQL into statements the way PostgreSQL's lexer (scan.l) does, so a
// fragment from a profile can be checked to be one statement, and a script
// run one statement at a time. Iterative: no input can make it recurse.
#include <algorithm>
#include <cctype>
#include <string>
#include <string_view>

#include "pgshape/util.hpp"

namespace pgshape {
namespace {

bool high_bit(char c) {
  return (static_cast<unsigned char>(c) & 0x80) != 0;
}
bool ident_start(char c) {
  return std::isalpha(static_cast<unsigned char>(c)) || c == '_' || high_bit(c);
}
bool ident_char(char c) {
  return ident_start(c) || std::isdigit(static_cast<unsigned char>(c)) || c == '$';
}
bool is_digit(char c) {
  return std::isdigit(static_cast<unsigned char>(c)) != 0;
}
bool is_space(char c) {
  return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v';
}

class Scanner {
 public:
  explicit Scanner(std::string_view sql) : s_(sql) {}

  SqlScan run() {
    while (i_ < s_.size() && out_.error.empty()) step();
    if (out_.error.empty()) flush();
    return std::move(out_);
  }

 private:
  void step() {
    const char c = s_[i_];
    if (is_space(c)) {
      ++i_;
    } else if (c == '-' && peek(1) == '-') {
      while (i_ < s_.size() && s_[i_] != '\n') ++i_;
    } else if (c == '/' && peek(1) == '*') {
      skip_block_comment();
    } else if (c == ';') {
      flush();
      ++i_;
    } else {
      if (first_ == std::string_view::npos) first_ = i_;
      token(c);
      last_end_ = i_;
    }
  }

  void token(char c) {
    if (c == '\'') {
      skip_quoted('\'', /*backslash=*/false, "a quoted string");
    } else if (c == '"') {
      skip_quoted('"', false, "a quoted identifier");
    } else if (c == '$') {
      skip_dollar();
    } else if (is_digit(c)) {
      // A number: "1$$" is the number 1, then a dollar quote.
      while (i_ < s_.size() &&
             (std::isalnum(static_cast<unsigned char>(s_[i_])) || s_[i_] == '_' || s_[i_] == '.'))
        ++i_;
    } else if (ident_start(c)) {
      const size_t start = i_;
      while (i_ < s_.size() && ident_char(s_[i_])) ++i_;
      // E'...' (also e'...') takes backslash escapes; B'', X'', N'' and U&'' are
      // read as standard strings by the next step.
      if (i_ - start == 1 && (c == 'E' || c == 'e') && peek(0) == '\'')
        skip_quoted('\'', /*backslash=*/true, "a quoted string");
    } else {
      if (c == '(') ++depth_;
      if (c == ')' && --depth_ < 0) balanced_ = false;
      ++i_;
    }
  }

  char peek(size_t ahead) const { return i_ + ahead < s_.size() ? s_[i_ + ahead] : '\0'; }

  void fail(const char* what, size_t at) {
    out_.error = what;
    out_.error_offset = at;
    i_ = s_.size();
  }

  // At the opening quote: moves past the closing one ('' or "" stand for one).
  void skip_quoted(char quote, bool backslash, const char* what) {
    const size_t start = i_++;
    while (i_ < s_.size()) {
      const char c = s_[i_];
      if (backslash && c == '\\') {
        i_ += 2;
      } else if (c == quote) {
        if (peek(1) != quote) {
          ++i_;
          return;
        }
        i_ += 2;
      } else {
        ++i_;
      }
    }
    fail(what, start);
  }

  // At '$': a dollar-quoted body $tag$...$tag$, or a parameter ($1), or an operator.
  void skip_dollar() {
    const size_t start = i_;
    size_t j = i_ + 1;
    if (j < s_.size() && ident_start(s_[j]))
      while (j < s_.size() && ident_char(s_[j]) && s_[j] != '$') ++j;
    if (j >= s_.size() || s_[j] != '$') {
      ++i_;  // "$1" or a lone '$'
      int n = 0;
      while (i_ < s_.size() && is_digit(s_[i_])) n = std::min(n * 10 + (s_[i_++] - '0'), 100000);
      max_param_ = std::max(max_param_, n);
      return;
    }
    const std::string_view tag = s_.substr(start, j + 1 - start);
    const size_t close = s_.find(tag, j + 1);
    if (close == std::string_view::npos) return fail("a dollar-quoted string", start);
    i_ = close + tag.size();
  }

  // PostgreSQL's block comments nest: /* a /* b */ still a comment */.
  void skip_block_comment() {
    const size_t start = i_;
    int depth = 0;
    while (i_ < s_.size()) {
      if (s_[i_] == '/' && peek(1) == '*') {
        ++depth;
        i_ += 2;
      } else if (s_[i_] == '*' && peek(1) == '/') {
        i_ += 2;
        if (--depth == 0) return;
      } else {
        ++i_;
      }
    }
    fail("a /* comment", start);
  }

  void flush() {
    if (first_ != std::string_view::npos)
      out_.statements.push_back(
          {s_.substr(first_, last_end_ - first_), first_, balanced_ && depth_ == 0, max_param_});
    first_ = std::string_view::npos;
    depth_ = 0;
    balanced_ = true;
    max_param_ = 0;
  }

  std::string_view s_;
  size_t i_ = 0;
  size_t first_ = std::string_view::npos;  // the current statement's first token
  size_t last_end_ = 0;                    // past its last token so far
  int depth_ = 0;
  bool balanced_ = true;
  int max_param_ = 0;
  SqlScan out_;
};

// The next keyword-like word of `text` from `pos` (blanks and comments skipped),
// upper-cased; "" when the next token is not a word.
std::string next_word(std::string_view text, size_t& pos) {
  while (pos < text.size()) {
    if (is_space(text[pos])) {
      ++pos;
    } else if (text.substr(pos, 2) == "--") {
      while (pos < text.size() && text[pos] != '\n') ++pos;
    } else if (text.substr(pos, 2) == "/*") {
      int depth = 0;
      while (pos < text.size()) {
        if (text.substr(pos, 2) == "/*") {
          ++depth, pos += 2;
        } else if (text.substr(pos, 2) == "*/") {
          pos += 2;
          if (--depth == 0) break;
        } else {
          ++pos;
        }
      }
    } else {
      break;
    }
  }
  std::string word;
  while (pos < text.size() && ident_char(text[pos]))
    word += static_cast<char>(std::toupper(static_cast<unsigned char>(text[pos++])));
  return word;
}

}  // namespace

SqlScan scan_sql(std::string_view sql) {
  return Scanner(sql).run();
}

std::string transaction_control(std::string_view statement) {
  size_t pos = 0;
  const std::string first = next_word(statement, pos);
  if (first == "BEGIN" || first == "END" || first == "ABORT" || first == "SAVEPOINT" ||
      first == "RELEASE")
    return first;
  if (first == "START") return "START TRANSACTION";
  if (first == "COMMIT" || first == "ROLLBACK") {
    const std::string second = next_word(statement, pos);
    if (second == "PREPARED" || (first == "ROLLBACK" && second == "TO"))
      return first + " " + second;
    return first;
  }
  if (first == "PREPARE" && next_word(statement, pos) == "TRANSACTION")
    return "PREPARE TRANSACTION";
  return {};
}

TextPos text_position(std::string_view text, size_t offset) {
  TextPos at;
  for (size_t i = 0; i < offset && i < text.size(); ++i) {
    if (text[i] == '\n')
      ++at.line, at.column = 1;
    else if ((static_cast<unsigned char>(text[i]) & 0xC0) != 0x80)
      ++at.column;
  }
  return at;
}

}  // namespace pgshape
