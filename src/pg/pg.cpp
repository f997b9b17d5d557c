// The pg module's small pure pieces: identifier quoting, and redact_dsn.
//
// redact_dsn: hide passwords in connection strings, also inside longer text
// (error messages that quote a DSN). A small scanner rather than a regex, so
// the value boundaries follow libpq's own parsing rules:
//   - URI userinfo (postgres[ql]://user:PASS@host): libpq ends the userinfo at
//     the first '@' before any '/'; the password is what follows the first ':'.
//   - key=value (password=PASS, sslpassword=..., PGPASSWORD=...): a value is
//     either single-quoted with backslash escapes, or runs to the next
//     whitespace (a backslash escapes the next character, also a space).
//   - URI query parameters (?password=PASS&...): the value ends at '&' or '#'.
// When in doubt, more is hidden rather than less.
#include <cctype>
#include <string>
#include <string_view>

#include "pgshape/pg.hpp"

namespace pgshape {
namespace {

constexpr std::string_view kMask = "********";

bool starts_with_nocase(std::string_view text, size_t pos, std::string_view word) {
  if (text.size() - pos < word.size()) return false;
  for (size_t i = 0; i < word.size(); ++i) {
    if (std::tolower(static_cast<unsigned char>(text[pos + i])) != word[i]) return false;
  }
  return true;
}

bool is_space(char c) {
  return std::isspace(static_cast<unsigned char>(c)) != 0;
}
bool is_word(char c) {
  return std::isalnum(static_cast<unsigned char>(c)) != 0 || c == '_';
}

// At `pos` a URI scheme starts: returns the [begin, end) of its password, or
// begin == end when there is none. `*scheme_end` is set past "://".
std::pair<size_t, size_t> uri_password(std::string_view s, size_t pos, size_t* scheme_end) {
  size_t start = 0;
  if (starts_with_nocase(s, pos, "postgresql://")) {
    start = pos + 13;
  } else if (starts_with_nocase(s, pos, "postgres://")) {
    start = pos + 11;
  } else {
    return {0, 0};
  }
  *scheme_end = start;
  size_t at = start;
  while (at < s.size() && s[at] != '@' && s[at] != '/' && !is_space(s[at])) ++at;
  if (at >= s.size() || s[at] != '@') return {0, 0};
  size_t colon = s.find(':', start);
  if (colon == std::string_view::npos || colon > at) return {0, 0};
  return {colon + 1, at};
}

// At `pos` a keyword ending in "password" starts (pos is its first letter):
// returns the [begin, end) of the value after '=', or begin == end when none.
std::pair<size_t, size_t> keyword_password(std::string_view s, size_t pos, size_t* keyword_end) {
  size_t p = pos;
  while (p < s.size() && is_word(s[p])) ++p;
  *keyword_end = p;
  std::string_view keyword = s.substr(pos, p - pos);
  if (keyword.size() < 8 || !starts_with_nocase(keyword, keyword.size() - 8, "password")) {
    return {0, 0};
  }
  bool in_query = pos > 0 && (s[pos - 1] == '?' || s[pos - 1] == '&');
  while (!in_query && p < s.size() && is_space(s[p])) ++p;
  if (p >= s.size() || s[p] != '=') return {0, 0};
  ++p;
  if (in_query) {
    size_t end = p;
    while (end < s.size() && s[end] != '&' && s[end] != '#' && !is_space(s[end])) ++end;
    return {p, end};
  }
  while (p < s.size() && is_space(s[p]) && s[p] != '\n') ++p;
  size_t end = p;
  if (end < s.size() && s[end] == '\'') {
    ++end;
    while (end < s.size() && s[end] != '\'') end += (s[end] == '\\' && end + 1 < s.size()) ? 2 : 1;
    if (end < s.size()) ++end;  // the closing quote; an unterminated value runs to the end
  } else {
    while (end < s.size() && !is_space(s[end])) {
      end += (s[end] == '\\' && end + 1 < s.size()) ? 2 : 1;
    }
  }
  return {p, end};
}

}  // namespace

std::string redact_dsn(std::string_view dsn) {
  std::string out;
  out.reserve(dsn.size());
  size_t i = 0;
  while (i < dsn.size()) {
    bool boundary = i == 0 || !is_word(dsn[i - 1]);
    if (boundary) {
      size_t next = i;
      auto [begin, end] = uri_password(dsn, i, &next);
      if (begin == end) {
        auto kw = keyword_password(dsn, i, &next);
        begin = kw.first;
        end = kw.second;
      }
      if (begin != end) {
        out.append(dsn.substr(i, begin - i));
        out.append(kMask);
        i = end;
        continue;
      }
      if (next > i) {  // skip the scheme or word we looked at
        out.append(dsn.substr(i, next - i));
        i = next;
        continue;
      }
    }
    out.push_back(dsn[i]);
    ++i;
  }
  return out;
}

std::string quote_ident(std::string_view name) {
  std::string out;
  out.reserve(name.size() + 2);
  out += '"';
  for (char c : name) {
    if (c == '"') out += '"';
    out += c;
  }
  out += '"';
  return out;
}

std::string qualified(std::string_view schema, std::string_view table) {
  return quote_ident(schema) + "." + quote_ident(table);
}

std::string array_literal(const std::vector<std::string>& elements) {
  std::string out = "{";
  for (size_t i = 0; i < elements.size(); ++i) {
    if (i > 0) out += ',';
    out += '"';
    for (char c : elements[i]) {
      if (c == '"' || c == '\\') out += '\\';
      out += c;
    }
    out += '"';
  }
  out += '}';
  return out;
}

}  // namespace pgshape
