// Two-column ordering CHECKs (pgshape/column_order.hpp): a small parser for the
// forms pg_get_constraintdef prints and people write (column_order_plan.cpp
// chooses which column the generator draws given the other).
#include "pgshape/column_order.hpp"

#include <fmt/format.h>
#include <algorithm>
#include <cctype>
#include <cmath>
#include <cstdlib>

namespace pgshape {
namespace {

enum class Tok { kIdent, kNumber, kString, kOp, kEnd };
struct Token {
  Tok kind;
  std::string text;  // identifiers: folded as PostgreSQL folds them
};

std::string lower(std::string_view s) {
  std::string out(s);
  for (char& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

bool tokenize(std::string_view s, std::vector<Token>& out, std::string& why) {
  for (size_t i = 0; i < s.size();) {
    const unsigned char c = static_cast<unsigned char>(s[i]);
    if (std::isspace(c)) {
      ++i;
    } else if (std::isalpha(c) || c == '_') {
      size_t j = i;
      while (j < s.size() &&
             (std::isalnum(static_cast<unsigned char>(s[j])) || s[j] == '_' || s[j] == '$'))
        ++j;
      out.push_back({Tok::kIdent, lower(s.substr(i, j - i))});
      i = j;
    } else if (std::isdigit(c) || (c == '.' && i + 1 < s.size() && std::isdigit(s[i + 1]))) {
      size_t j = i;
      while (j < s.size() &&
             (std::isdigit(static_cast<unsigned char>(s[j])) || s[j] == '.' || s[j] == 'e' ||
              s[j] == 'E' ||
              ((s[j] == '+' || s[j] == '-') && (s[j - 1] == 'e' || s[j - 1] == 'E'))))
        ++j;
      out.push_back({Tok::kNumber, std::string(s.substr(i, j - i))});
      i = j;
    } else if (c == '\'' || c == '"') {
      std::string text;
      size_t j = i + 1;
      for (;; ++j) {
        if (j >= s.size()) {
          why = "an unterminated quote";
          return false;
        }
        if (s[j] == static_cast<char>(c)) {
          if (j + 1 < s.size() && s[j + 1] == static_cast<char>(c)) {
            text += s[j++];
            continue;
          }
          break;
        }
        text += s[j];
      }
      out.push_back({c == '"' ? Tok::kIdent : Tok::kString, text});
      i = j + 1;
    } else {
      static const char* ops[] = {"::", ">=", "<=", "<>", "!=", ">", "<", "=", "+", "-", "(", ")"};
      bool found = false;
      for (const char* op : ops)
        if (s.substr(i).rfind(op, 0) == 0) {
          out.push_back({Tok::kOp, op});
          i += std::string_view(op).size();
          found = true;
          break;
        }
      if (!found) {  // the parser refuses it, naming it
        out.push_back({Tok::kOp, std::string(s.substr(i, 1))});
        ++i;
      }
    }
  }
  out.push_back({Tok::kEnd, ""});
  return true;
}

// '1 day 02:00:00', '00:15:00', '7 days', '-00:05:00', '2 hours 30 mins'.
bool parse_interval(std::string_view text, int64_t& micros, bool& days, std::string& why) {
  micros = 0;
  days = false;
  std::vector<std::string> words;
  for (size_t i = 0; i < text.size();) {
    while (i < text.size() && text[i] == ' ') ++i;
    size_t j = i;
    while (j < text.size() && text[j] != ' ') ++j;
    if (j > i) words.emplace_back(text.substr(i, j - i));
    i = j;
  }
  bool ago = false;
  for (size_t k = 0; k < words.size(); ++k) {
    const std::string& w = words[k];
    if (w == "@") continue;
    if (lower(w) == "ago") {
      ago = true;
      continue;
    }
    if (w.find(':') != std::string::npos) {
      const bool negative = w[0] == '-';
      double h = 0, m = 0, sec = 0;
      char* end = nullptr;
      const char* p = w.c_str() + (negative || w[0] == '+');
      h = std::strtod(p, &end);
      if (*end != ':') return why = "a bad time in an interval", false;
      m = std::strtod(end + 1, &end);
      if (*end == ':') sec = std::strtod(end + 1, &end);
      if (*end) return why = "a bad time in an interval", false;
      const double us = std::round(((h * 60 + m) * 60 + sec) * 1e6);
      micros += static_cast<int64_t>(negative ? -us : us);
      continue;
    }
    char* end = nullptr;
    const double n = std::strtod(w.c_str(), &end);
    std::string unit = lower(end);
    if (unit.empty() && k + 1 < words.size()) unit = lower(words[++k]);
    if (end == w.c_str()) return why = fmt::format("'{}' in an interval", w), false;
    auto is = [&](std::initializer_list<const char*> names) {
      return std::any_of(names.begin(), names.end(), [&](const char* u) { return unit == u; });
    };
    double scale = 0;
    if (is({"year", "years", "y", "mon", "mons", "month", "months"})) {
      why = "an interval of months or years has no fixed length";
      return false;
    }
    if (is({"week", "weeks", "w"})) scale = 7 * 86400e6, days = true;
    if (is({"day", "days", "d"})) scale = 86400e6, days = true;
    if (is({"hour", "hours", "h"})) scale = 3600e6;
    if (is({"min", "mins", "minute", "minutes", "m"})) scale = 60e6;
    if (is({"sec", "secs", "second", "seconds", "s"})) scale = 1e6;
    if (scale == 0) return why = fmt::format("the interval unit '{}'", unit), false;
    micros += static_cast<int64_t>(std::round(n * scale));
  }
  if (ago) micros = -micros;
  return true;
}

// One side of a comparison: at most one column (added, never subtracted) and
// a constant, a number or an interval.
struct Side {
  std::string column;
  std::string cast;  // the type the column is cast to, if it is
  double number = 0;
  int64_t micros = 0;
  bool has_number = false, has_interval = false, days = false;
};

class Parser {
 public:
  Parser(std::vector<Token> tokens, std::string& why) : t_(std::move(tokens)), why_(why) {}

  // Every OR'd atom: comparisons go to `cmps`, `x IS NULL` to `guards`.
  bool disjunction(std::vector<std::pair<Side, std::pair<std::string, Side>>>& cmps,
                   std::vector<std::string>& guards) {
    do {
      if (!atom(cmps, guards)) return false;
    } while (word("or"));
    return true;
  }
  bool at_end() const { return t_[i_].kind == Tok::kEnd; }
  bool at_close() const { return op(")"); }

 private:
  bool op(const char* o) const { return t_[i_].kind == Tok::kOp && t_[i_].text == o; }
  bool word(const char* w) {
    if (t_[i_].kind == Tok::kIdent && t_[i_].text == w) return ++i_, true;
    return false;
  }
  bool fail(std::string why) {
    if (why_.empty()) why_ = std::move(why);
    return false;
  }

  bool atom(std::vector<std::pair<Side, std::pair<std::string, Side>>>& cmps,
            std::vector<std::string>& guards) {
    std::string inner_why;
    if (op("(")) {
      // A parenthesised condition, or a parenthesised side of a comparison.
      const size_t save = i_;
      const size_t saved_cmps = cmps.size(), saved_guards = guards.size();
      const std::string saved_why = why_;
      ++i_;
      if (disjunction(cmps, guards) && op(")")) {
        ++i_;
        if (t_[i_].kind == Tok::kEnd || op(")") ||
            (t_[i_].kind == Tok::kIdent && t_[i_].text == "or"))
          return true;
        fail(fmt::format("'{}' is no part of a column order", t_[i_].text));
      }
      i_ = save;
      cmps.resize(saved_cmps);
      guards.resize(saved_guards);
      inner_why = why_;
      why_ = saved_why;
    }
    if (comparison(cmps, guards)) return true;
    // The reason from inside the parentheses says more than the fallback's.
    if (!inner_why.empty()) why_ = inner_why;
    return false;
  }

  bool comparison(std::vector<std::pair<Side, std::pair<std::string, Side>>>& cmps,
                  std::vector<std::string>& guards) {
    Side left;
    if (!side(left)) return false;
    if (word("is")) {
      if (!word("null")) return fail("only `x IS NULL OR ...` guards are kept");
      if (left.column.empty() || left.has_number || left.has_interval)
        return fail("an IS NULL guard names a column");
      guards.push_back(left.column);
      return true;
    }
    if (t_[i_].kind != Tok::kOp) return fail("a column order compares with < <= > or >=");
    const std::string o = t_[i_].text;
    if (o != "<" && o != "<=" && o != ">" && o != ">=" && o != "=" && o != "<>" && o != "!=")
      return fail(fmt::format("'{}' is no part of a column order", o));
    if (o != "<" && o != "<=" && o != ">" && o != ">=")
      return fail(fmt::format("'{}' cannot be kept by redrawing one column (only < <= > >=)", o));
    ++i_;
    Side right;
    if (!side(right)) return false;
    cmps.push_back({left, {o, right}});
    return true;
  }

  bool side(Side& s) {
    if (!term(s, false)) return false;
    while (op("+") || op("-")) {
      const bool minus = t_[i_++].text == "-";
      Side r;
      if (!term(r, minus)) return false;
      if (!r.column.empty()) {
        if (!s.column.empty()) return fail("each side of a column order reads one column");
        s.column = r.column;
        s.cast = r.cast;
      }
      if (!add(s, r)) return false;
    }
    return true;
  }
  bool add(Side& s, const Side& r) {
    if ((s.has_number || r.has_number) && (s.has_interval || r.has_interval))
      return fail("a number and an interval added together");
    s.number += r.number;
    s.micros += r.micros;
    s.has_number |= r.has_number;
    s.has_interval |= r.has_interval;
    s.days |= r.days;
    return true;
  }

  bool term(Side& s, bool negated) {
    if (op("-")) {
      ++i_;
      negated = !negated;
    }
    if (op("(")) {
      ++i_;
      Side inner;
      if (!side(inner)) return false;
      if (!op(")")) return fail(fmt::format("'{}' is no part of a column order", t_[i_].text));
      ++i_;
      s = inner;
    } else if (t_[i_].kind == Tok::kNumber) {
      s.number = std::strtod(t_[i_++].text.c_str(), nullptr);
      s.has_number = true;
    } else if (t_[i_].kind == Tok::kString) {
      const std::string text = t_[i_++].text;
      if (!op("::")) return fail("a quoted constant without a cast");
      const size_t at = i_ + 1;
      if (t_[at].kind == Tok::kIdent && t_[at].text == "interval") {
        i_ += 2;
        std::string why;
        if (!parse_interval(text, s.micros, s.days, why)) return fail(why);
        s.has_interval = true;
      } else {
        char* end = nullptr;
        s.number = std::strtod(text.c_str(), &end);
        if (end == text.c_str() || *end) return fail(fmt::format("the constant '{}'", text));
        s.has_number = true;
      }
    } else if (t_[i_].kind == Tok::kIdent) {
      static const char* reserved[] = {"and", "or", "not", "is", "null", "case", "between", "in"};
      for (const char* r : reserved)
        if (t_[i_].text == r)
          return fail(fmt::format("'{}' is no part of a column order", t_[i_].text));
      s.column = t_[i_++].text;
      if (op("(")) return fail(fmt::format("the function call {}(...)", s.column));
    } else {
      return fail("a column order compares sums of a column and a constant");
    }
    while (op("::")) {
      ++i_;
      std::string type;
      while (t_[i_].kind == Tok::kIdent) type += (type.empty() ? "" : " ") + t_[i_++].text;
      if (op("(")) {  // numeric(10,2): the digits do not change the order
        while (!at_end() && !op(")")) ++i_;
        if (op(")")) ++i_;
      }
      if (!s.column.empty() && !s.has_number && !s.has_interval) s.cast = type;
    }
    if (negated) {
      if (!s.column.empty()) return fail("a column subtracted from a constant");
      s.number = -s.number;
      s.micros = -s.micros;
    }
    return true;
  }

  std::vector<Token> t_;
  size_t i_ = 0;
  std::string& why_;
};

}  // namespace

std::optional<ColumnOrder> parse_column_order(std::string_view expr, std::string* why_out) {
  std::string why;
  std::vector<Token> tokens;
  auto refuse = [&](std::string reason) -> std::optional<ColumnOrder> {
    if (why_out) *why_out = std::move(reason);
    return std::nullopt;
  };
  if (!tokenize(expr, tokens, why)) return refuse(why);
  Parser parser(std::move(tokens), why);
  std::vector<std::pair<Side, std::pair<std::string, Side>>> cmps;
  std::vector<std::string> guards;
  if (!parser.disjunction(cmps, guards) || !parser.at_end())
    return refuse(why.empty() ? "only `a <op> b [+/- constant]` with `x IS NULL OR` guards is kept"
                              : why);
  if (cmps.size() != 1) return refuse("a column order holds exactly one comparison");
  auto [left, rest] = cmps[0];
  auto [o, right] = rest;
  const bool greater = o[0] == '>';
  const Side& high = greater ? left : right;
  const Side& low = greater ? right : left;
  if (high.column.empty() || low.column.empty() || high.column == low.column)
    return refuse("a column order compares two different columns");
  Side offset = low;
  Side negated = high;
  negated.number = -negated.number;
  negated.micros = -negated.micros;
  if ((offset.has_number || negated.has_number) && (offset.has_interval || negated.has_interval))
    return refuse("a number and an interval added together");
  ColumnOrder order;
  order.high = high.column;
  order.low = low.column;
  order.strict = o.size() == 1;
  order.interval = offset.has_interval || negated.has_interval;
  order.number = offset.number + negated.number;
  order.micros = offset.micros + negated.micros;
  order.interval_days = offset.days || negated.days;
  for (const auto& g : guards) {
    if (g != order.high && g != order.low)
      return refuse(fmt::format("the guard '{} IS NULL' names neither compared column", g));
    order.guards.push_back(g);
  }
  for (const Side* s : {&high, &low})
    if (!s->cast.empty()) {
      auto type = parse_column_type(s->cast);
      if (!type || order_family(*type) == 0)
        return refuse(fmt::format("the cast of {} to {}", s->column, s->cast));
    }
  return order;
}

int order_family(const ColumnType& type) {
  if (type.opaque) return 0;
  if (type.is_integer() || type.is_fractional()) return 1;
  if (type.is_temporal()) return 2;
  return 0;
}

std::vector<std::string> columns_named(const Table& table, std::string_view expr) {
  std::vector<Token> tokens;
  std::string why;
  std::vector<std::string> out;
  if (!tokenize(expr, tokens, why)) return out;
  for (size_t i = 0; i < tokens.size(); ++i)
    if (tokens[i].kind == Tok::kIdent && table.column_index(tokens[i].text) >= 0 &&
        (i == 0 || tokens[i - 1].text != "::") &&
        std::find(out.begin(), out.end(), tokens[i].text) == out.end())
      out.push_back(tokens[i].text);
  return out;
}

}  // namespace pgshape
