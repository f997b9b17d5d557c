// The CHECKs a stats-made profile keeps: those whose values the generator can
// be kept inside (comparisons with constants, IN lists, LIKE / regex patterns).
#include <cctype>
#include <cstring>

#include "pgshape/column_order.hpp"
#include "stats/check_pattern.hpp"
#include "stats/profile_writer_parts.hpp"

namespace pgshape::stats {
namespace {

// 'it''s'::text -> it's; (0)::numeric -> 0; 42 -> 42. nullopt: not a constant.
std::optional<std::string> constant(std::string_view text) {
  if (text.empty()) return std::nullopt;
  auto cast = text.rfind("::");
  if (cast != std::string_view::npos && text.front() != '\'' && text.front() != '(')
    return std::nullopt;
  if (cast != std::string_view::npos) text = text.substr(0, cast);
  if (text.size() >= 2 && text.front() == '(' && text.back() == ')')
    text = text.substr(1, text.size() - 2);
  if (text.size() >= 2 && text.front() == '\'' && text.back() == '\'') {
    std::string out;
    for (size_t i = 1; i + 1 < text.size(); ++i) {
      out += text[i];
      if (text[i] == '\'' && text[i + 1] == '\'') ++i;
    }
    return out;
  }
  if (text.empty()) return std::nullopt;
  for (char c : text)
    if (!std::isdigit(static_cast<unsigned char>(c)) && c != '.' && c != '-' && c != 'e' &&
        c != '+')
      return std::nullopt;
  return std::string(text);
}

// Splits "a, b, c" at commas outside quotes.
std::vector<std::string> split_list(std::string_view text) {
  std::vector<std::string> out;
  std::string item;
  bool quoted = false;
  for (char c : text) {
    if (c == '\'') quoted = !quoted;
    if (c == ',' && !quoted) {
      out.push_back(item);
      item.clear();
      continue;
    }
    if (!(item.empty() && c == ' ' && !quoted)) item += c;
  }
  out.push_back(item);
  return out;
}

}  // namespace

// "CHECK ((x > 0)) NOT VALID" -> "(x > 0)": the expression pg_get_constraintdef
// wraps; "" when the text is not of that form (NO INHERIT, NOT VALID, ...).
std::string check_expression(const std::string& definition) {
  const std::string head = "CHECK (";
  if (definition.rfind(head, 0) != 0 || definition.back() != ')') return "";
  return definition.substr(head.size(), definition.size() - head.size() - 1);
}

CheckShape check_shape(std::string expr, const std::string& subject) {
  CheckShape shape;
  auto strip = [](std::string& e) {
    while (e.size() >= 2 && e.front() == '(' && e.back() == ')') {
      // Only when the outer pair encloses everything.
      int depth = 0;
      bool whole = true;
      for (size_t i = 0; i < e.size(); ++i) {
        depth += e[i] == '(' ? 1 : e[i] == ')' ? -1 : 0;
        if (depth == 0 && i + 1 < e.size()) whole = false;
      }
      if (!whole) return;
      e = e.substr(1, e.size() - 2);
    }
  };
  strip(expr);
  std::vector<std::string> atoms;
  for (size_t at = 0;;) {
    const size_t next = expr.find(") AND (", at);
    atoms.push_back(expr.substr(at, next == std::string::npos ? std::string::npos : next + 1 - at));
    if (next == std::string::npos) break;
    at = next + 6;
  }
  // A varchar column is compared as text: ((code)::text = ANY (...)).
  const std::string as_text = "(" + subject + ")::text ";
  for (auto& atom : atoms) {
    strip(atom);
    std::string rest;
    if (atom.rfind(subject + " ", 0) == 0)
      rest = atom.substr(subject.size() + 1);
    else if (atom.rfind(as_text, 0) == 0)
      rest = atom.substr(as_text.size());
    else
      return {};
    if (rest == "IS NOT NULL") continue;
    if (rest.rfind("= ANY (", 0) == 0) {
      const auto open = rest.find("ARRAY[");
      // The ARRAY's own ']' (a cast after it may hold another: ::text[]).
      size_t close = std::string::npos;
      for (size_t i = open + 6, quoted = 0; open != std::string::npos && i < rest.size(); ++i) {
        if (rest[i] == '\'') quoted ^= 1;
        if (rest[i] == ']' && !quoted) {
          close = i;
          break;
        }
      }
      if (open == std::string::npos || close == std::string::npos || close < open) return {};
      for (const auto& item : split_list(rest.substr(open + 6, close - open - 6))) {
        auto value = constant(item);
        if (!value) return {};
        shape.in_list.push_back(*value);
      }
      continue;
    }
    bool compared = false;
    for (const char* op : {">= ", "<= ", "<> ", "> ", "< ", "= "})
      if (rest.rfind(op, 0) == 0) compared = constant(rest.substr(std::strlen(op))).has_value();
    if (!compared) return {};
  }
  shape.understood = true;
  if (atoms.size() == 1 && !shape.in_list.empty() && atoms[0].rfind(as_text, 0) == 0) {
    shape.rebuilt = "(" + subject + " IN (";
    for (size_t i = 0; i < shape.in_list.size(); ++i) {
      shape.rebuilt += i ? ", '" : "'";
      for (char c : shape.in_list[i])
        shape.rebuilt += c == '\'' ? std::string("''") : std::string(1, c);
      shape.rebuilt += "'";
    }
    shape.rebuilt += "))";
  }
  return shape;
}

// The table's CHECKs the profile keeps; the others are left out. `in_lists`
// gets the values a column's = ANY (ARRAY[...]) check allows.
std::vector<const CheckStats*> ProfileWriter::kept_checks(
    const TableStats& t, const std::vector<std::string>& emitted,
    std::map<std::string, std::vector<std::string>>& in_lists) {
  std::vector<const CheckStats*> kept;
  for (const auto& check : t.checks) {
    const std::string object = fmt::format("check {}.{}", t.name, check.name);
    const std::string expr = check_expression(check.definition);
    if (!check.validated || expr.empty()) {
      leave_out(object, fmt::format("{}: only validated, inheritable CHECKs are rebuilt",
                                    check.definition));
      continue;
    }
    if (check.columns.size() == 2) {
      std::string why;
      if (column_order_kept(t, emitted, expr, why)) {
        kept.push_back(&check);
        continue;
      }
      if (!why.empty()) {
        leave_out(object, fmt::format("{} reads 2 columns: {}; generated rows could break it",
                                      check.definition, why));
        continue;
      }
    }
    if (check.columns.size() != 1) {
      leave_out(object, fmt::format("{} reads {} columns; pgshape draws each column on its "
                                    "own and could break it",
                                    check.definition, check.columns.size()));
      continue;
    }
    const std::string& column = check.columns[0];
    if (std::find(emitted.begin(), emitted.end(), column) == emitted.end()) {
      leave_out(object, fmt::format("{}: its column is left out", check.definition));
      continue;
    }
    const CheckShape shape = check_shape(expr, printed_name(column));
    if (!shape.understood && pattern_check(t, column, expr)) {
      kept.push_back(&check);
      continue;
    }
    if (!shape.understood) {
      leave_out(
          object,
          fmt::format("{}: only comparisons with constants, BETWEEN, IN lists and simple "
                      "LIKE / regex patterns are kept inside; generated values could break it",
                      check.definition));
      continue;
    }
    if (!shape.in_list.empty()) in_lists[column] = shape.in_list;
    if (!shape.rebuilt.empty()) rebuilt_[check.name] = shape.rebuilt;
    kept.push_back(&check);
  }
  return kept;
}

// A CHECK ordering two columns (ends_at > starts_at), kept when the generator
// can redraw one of them. The profile's columns are not written yet, so a
// column counts as fixed for whatever would make stats write it so: a key, a
// foreign key, a pair, a fan-out, a dependency (given:), a computed value.
// `why` stays empty when the expression is no column order at all.
bool ProfileWriter::column_order_kept(const TableStats& t, const std::vector<std::string>& emitted,
                                      const std::string& expr, std::string& why) {
  auto order = parse_column_order(expr);
  if (!order) return false;
  Table table;
  table.name = t.name;
  std::vector<std::string> fixed;
  for (const auto& c : t.columns) {
    Column column;
    column.name = c.name;
    auto type = parse_column_type(c.type);
    for (const auto& own : snap_.types)
      if (!type && own.name == c.type && own.kind == 'd') type = parse_column_type(own.base);
    column.type = type.value_or(ColumnType{.opaque = true});
    table.columns.push_back(column);
    auto in = [&](const std::vector<std::string>& names) {
      return std::find(names.begin(), names.end(), c.name) != names.end();
    };
    std::string reason;
    if (!in(emitted)) reason = "is left out";
    if (c.generated) reason = "is computed by the server";
    if (!c.identity.empty() || in(t.primary_key)) reason = "is a key";
    for (const auto& u : t.unique_keys)
      if (in(u)) reason = "is a key";
    for (const auto& fk : t.foreign_keys)
      if (in(fk.columns)) reason = "is a foreign key";
    for (const auto& p : pairs_)
      if (p.family == c.name || in(p.members))
        reason = "is part of a composite key built by pairing";
    if (fanout_ && (c.name == fanout_->number || c.name == fanout_->distinct))
      reason = "is drawn by its fan-out key";
    if (dependency_of(t, c.name).second) reason = "is drawn given another column";
    for (const auto& other : t.columns)
      if (auto dep = dependency_of(t, other.name).second; dep && dep->from[0] == c.name)
        reason = "is read by another's given:";
    fixed.push_back(reason);
  }
  return plan_column_order(table, *order, &why, &fixed).has_value();
}

// A textual column's LIKE or regex CHECK, kept when a pattern can stay inside it.
bool ProfileWriter::pattern_check(const TableStats& t, const std::string& column,
                                  const std::string& expr) {
  for (const auto& c : t.columns)
    if (auto type = parse_column_type(c.type); c.name == column && type && type->is_textual())
      if (auto p = check_pattern(expr, printed_name(column), type->max_chars())) {
        patterns_[column] = *p;
        return true;
      }
  return false;
}

}  // namespace pgshape::stats
