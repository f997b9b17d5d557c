#include "stats/check_pattern.hpp"

#include <cctype>
#include <string_view>

namespace pgshape {
namespace {

// Letters or digits a % contributes: 36^8 (2.8e12) values, room for any
// table's distinct count.
constexpr int kFreeWidth = 8;

void strip_parentheses(std::string_view& e) {
  while (e.size() >= 2 && e.front() == '(' && e.back() == ')') {
    int depth = 0;
    for (size_t i = 0; i < e.size(); ++i) {
      depth += e[i] == '(' ? 1 : e[i] == ')' ? -1 : 0;
      if (depth == 0 && i + 1 < e.size()) return;  // the outer pair does not enclose all
    }
    e = e.substr(1, e.size() - 2);
  }
}

// 'a''b'::text -> a'b; nullopt when not a single quoted literal.
std::optional<std::string> literal(std::string_view text) {
  for (const char* cast : {"::text", "::character varying", "::bpchar"})
    if (text.size() > std::string_view(cast).size() && text.ends_with(cast))
      text.remove_suffix(std::string_view(cast).size());
  if (text.size() < 2 || text.front() != '\'' || text.back() != '\'') return std::nullopt;
  std::string out;
  for (size_t i = 1; i + 1 < text.size(); ++i) {
    if (text[i] == '\'') {
      if (text[i + 1] != '\'') return std::nullopt;
      ++i;
    }
    out += text[i];
  }
  return out;
}

// A character the pattern writes as itself: its placeholders escaped.
void put_literal(std::string& pattern, char c) {
  if (c == '#' || c == '?' || c == '*' || c == '\\') pattern += '\\';
  pattern += c;
}

bool plain_literal(char c) {
  // Bytes COPY or CSV treat specially, and non-ASCII, stay on the fallback.
  return static_cast<unsigned char>(c) >= 0x20 && static_cast<unsigned char>(c) < 0x7f &&
         c != '"' && c != '\\';
}

std::optional<std::string> from_like(const std::string& like, int max_chars) {
  std::string pattern;
  int fixed = 0, gaps = 0;
  for (size_t i = 0; i < like.size(); ++i) {
    const char c = like[i];
    if (c == '%') {
      if (pattern.empty() || pattern.back() != '\x01') pattern += '\x01', ++gaps;
      continue;
    }
    ++fixed;
    if (c == '_') {
      pattern += '*';
      continue;
    }
    char out = c;
    if (c == '\\') {  // LIKE's default escape
      if (++i == like.size()) return std::nullopt;
      out = like[i];
    }
    if (!plain_literal(out)) return std::nullopt;
    put_literal(pattern, out);
  }
  // The distinct part goes in the first %; the others stay empty (% matches nothing).
  int free = gaps > 0 ? kFreeWidth : 0;
  if (max_chars > 0 && fixed + free > max_chars) free = max_chars - fixed;
  if (free < 0 || (gaps > 0 && free < 1 && fixed == 0)) return std::nullopt;
  std::string out;
  bool first = true;
  for (char c : pattern) {
    if (c != '\x01') {
      out += c;
      continue;
    }
    if (first) out.append(static_cast<size_t>(free), '*');
    first = false;
  }
  if (out.empty()) return std::nullopt;
  return out;
}

std::optional<std::string> from_regex(const std::string& re, int max_chars) {
  std::string pattern;
  int chars = 0;
  for (size_t i = 0; i < re.size();) {
    if ((re[i] == '^' && i == 0) || (re[i] == '$' && i + 1 == re.size())) {
      ++i;
      continue;
    }
    char atom = 0;  // a placeholder (# ? *) or, with literal set, a character
    bool literal_char = false;
    if (re[i] == '[') {
      const size_t close = re.find(']', i + 1);
      if (close == std::string::npos) return std::nullopt;
      const std::string_view set(re.data() + i + 1, close - i - 1);
      if (set == "0-9" || set == "[:digit:]")
        atom = '#';
      else if (set == "A-Z" || set == "[:upper:]")
        atom = '?';
      else if (set == "A-Z0-9" || set == "0-9A-Z")
        atom = '*';
      else
        return std::nullopt;
      i = close + 1;
    } else if (re[i] == '\\') {
      if (i + 1 == re.size()) return std::nullopt;
      const char e = re[i + 1];
      if (e == 'd') {
        atom = '#';
      } else if (!std::isalnum(static_cast<unsigned char>(e)) && plain_literal(e)) {
        atom = e, literal_char = true;
      } else {
        return std::nullopt;
      }
      i += 2;
    } else if (std::isalnum(static_cast<unsigned char>(re[i])) || re[i] == '-' || re[i] == '_' ||
               re[i] == '@' || re[i] == ' ' || re[i] == ':' || re[i] == '/' || re[i] == '#') {
      atom = re[i++], literal_char = true;
    } else {
      return std::nullopt;  // . | ( ) ? * and the rest: not proven here
    }
    int count = 1;
    if (i < re.size() && re[i] == '{') {
      const size_t close = re.find('}', i);
      if (close == std::string::npos || close == i + 1 || close - i > 4) return std::nullopt;
      count = 0;
      for (size_t k = i + 1; k < close; ++k) {
        if (!std::isdigit(static_cast<unsigned char>(re[k]))) return std::nullopt;
        count = count * 10 + (re[k] - '0');
      }
      i = close + 1;
    } else if (i < re.size() && re[i] == '+') {
      ++i;  // once is one or more
    }
    for (int k = 0; k < count; ++k) {
      if (literal_char)
        put_literal(pattern, atom);
      else
        pattern += atom;
    }
    chars += count;
  }
  if (pattern.empty() || (max_chars > 0 && chars > max_chars)) return std::nullopt;
  return pattern;
}

}  // namespace

std::optional<std::string> check_pattern(const std::string& expr, const std::string& subject,
                                         int max_chars) {
  std::string_view e(expr);
  strip_parentheses(e);
  const std::string as_text = "(" + subject + ")::text ";
  if (e.starts_with(subject + " "))
    e.remove_prefix(subject.size() + 1);
  else if (e.starts_with(as_text))
    e.remove_prefix(as_text.size());
  else
    return std::nullopt;
  for (const auto& [op, like] :
       {std::pair{"~~ ", true}, {"~~* ", true}, {"~ ", false}, {"~* ", false}}) {
    if (!e.starts_with(op)) continue;
    const auto text = literal(e.substr(std::string_view(op).size()));
    if (!text) return std::nullopt;
    return like ? from_like(*text, max_chars) : from_regex(*text, max_chars);
  }
  return std::nullopt;
}

std::optional<std::string> domain_pattern(const std::vector<std::string>& checks, int max_chars) {
  std::optional<std::string> found;
  for (const auto& check : checks) {
    const std::string head = "CHECK (";
    if (check.rfind(head, 0) != 0 || check.back() != ')') return std::nullopt;
    const std::string expr = check.substr(head.size(), check.size() - head.size() - 1);
    auto pattern = check_pattern(expr, "VALUE", max_chars);
    if (!pattern || found) return std::nullopt;
    found = pattern;
  }
  return found;
}

}  // namespace pgshape
