// A table's multi-column foreign keys (`foreign_keys:`): parsed here, checked
// with the other keys in checks.cpp once every table is known.
#include <fmt/format.h>

#include "pgshape/util.hpp"
#include "profile/keys.hpp"
#include "profile/parser_impl.hpp"

namespace pgshape::profile {
namespace {

std::string trimmed(std::string_view text) {
  const auto first = text.find_first_not_of(" \t");
  if (first == std::string_view::npos) return {};
  const auto last = text.find_last_not_of(" \t");
  return std::string(text.substr(first, last - first + 1));
}

// "parent(x, y)" -> parent, [x, y]; false when it is not of that shape.
bool split_ref(std::string_view text, std::string& table, std::vector<std::string>& columns) {
  const auto open = text.find('(');
  const auto close = text.rfind(')');
  if (open == std::string_view::npos || close == std::string_view::npos || close < open ||
      !trimmed(text.substr(close + 1)).empty())
    return false;
  table = trimmed(text.substr(0, open));
  std::string_view inside = text.substr(open + 1, close - open - 1);
  columns.clear();
  for (size_t at = 0;;) {
    const auto comma = inside.find(',', at);
    columns.push_back(trimmed(inside.substr(at, comma - at)));
    if (columns.back().empty()) return false;
    if (comma == std::string_view::npos) break;
    at = comma + 1;
  }
  return !table.empty();
}

}  // namespace

ForeignKeySpec ProfileParser::parse_foreign_key(const YAML::Node& node, const Table& table) {
  ForeignKeySpec out{.pos = Reader::pos(node)};
  const std::string what = fmt::format("foreign key of '{}'", table.name);
  if (!r_.check_map(node, what, section_keys("foreign_key"))) return out;
  if (auto n = node["columns"]) {
    out.columns = column_list(n, table, what, "names");
    if (out.columns.empty())
      r_.error("profile.bad-key", n, fmt::format("{} names no column", what),
               "write e.g. columns: [order_id, line_no]");
  } else {
    r_.error("profile.missing-key", node, fmt::format("{} has no 'columns'", what),
             "write e.g. columns: [order_id, line_no]");
  }
  if (auto n = node["ref"]) {
    const std::string text = r_.string(n, "ref").value_or("");
    if (!split_ref(text, out.ref_table, out.ref_columns))
      r_.error("profile.bad-value", n, fmt::format("{} refers to '{}'", what, text),
               "write ref: parent(x, y)");
    else if (out.ref_columns.size() != out.columns.size())
      r_.error("profile.bad-key", n,
               fmt::format("{} has {} columns and its ref {}", what, out.columns.size(),
                           out.ref_columns.size()));
  } else {
    r_.error("profile.missing-key", node, fmt::format("{} has no 'ref'", what),
             "write e.g. ref: parent(x, y)");
  }
  parse_fk_actions(node, what, out.actions);
  return out;
}

}  // namespace pgshape::profile
