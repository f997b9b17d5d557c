// Dependent columns (`given:`) and extended statistics (`statistics:`) of a
// table: the parts of a profile that relate one column to another.
#include <algorithm>
#include <charconv>
#include <set>

#include "pgshape/util.hpp"
#include "profile/parser_impl.hpp"

namespace pgshape::profile {
namespace {

// A parent's value, as a number in the parent's units (days for a date,
// microseconds for a timestamp); nullopt when it is not one.
std::optional<double> parent_number(const ColumnType& type, std::string_view text) {
  if (type.kind == PgType::kDate) {
    if (auto days = parse_pg_date(text)) return static_cast<double>(*days);
    return std::nullopt;
  }
  if (type.is_temporal()) {
    if (auto micros = parse_pg_timestamp(text)) return static_cast<double>(*micros);
    return std::nullopt;
  }
  double v = 0;
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), v);
  if (ec != std::errc() || end != text.data() + text.size()) return std::nullopt;
  return v;
}

}  // namespace

void ProfileParser::resolve_given(Table& table) {
  std::vector<std::string_view> names;
  for (const auto& column : table.columns) names.push_back(column.name);
  for (auto& column : table.columns) {
    if (!column.given) continue;
    Given& given = *column.given;
    const std::string what = fmt::format("column '{}.{}'", table.name, column.name);
    const Column* parent = table.find_column(given.column);
    if (!parent) {
      if (has_ddl_) continue;  // the DDL's columns are checked when it has run
      auto best = closest_match(given.column, names);
      r_.error("profile.unknown-column", given.pos,
               fmt::format("{} is given '{}', which is no column of '{}'", what, given.column,
                           table.name),
               best.empty() ? "" : fmt::format("did you mean '{}'?", best));
      r_.poison(table.name, column.name);
      continue;
    }
    // A chain (c given b given a) is fine; a cycle cannot be generated.
    std::set<std::string> seen{column.name};
    std::vector<std::string> chain{column.name};
    for (const Column* at = parent; at;
         at = at->given ? table.find_column(at->given->column) : nullptr) {
      chain.push_back(at->name);
      if (!seen.insert(at->name).second) {
        if (at->name != column.name) break;  // a cycle further up: its members report it
        r_.error("profile.conflict", given.pos,
                 fmt::format("{} depends on itself: given {}", what, fmt::join(chain, " <- ")),
                 "break the cycle: one of the columns must not be given another");
        r_.poison(table.name, column.name);
        break;
      }
    }
    const bool ordered =
        parent->type.is_integer() || parent->type.is_fractional() || parent->type.is_temporal();
    std::set<std::string> keys;
    for (auto& c : given.cases) {
      if (!keys.insert(c.value).second)
        r_.error("profile.duplicate-key", c.pos,
                 fmt::format("case '{}' of {} is written twice", c.value, what));
      const size_t dots = c.value.find("..");
      if (ordered && dots != std::string::npos) {
        auto lo = parent_number(parent->type, c.value.substr(0, dots));
        auto hi = parent_number(parent->type, c.value.substr(dots + 2));
        if (!lo || !hi || *lo > *hi) {
          r_.error("profile.bad-literal", c.pos,
                   fmt::format("case '{}' of {} is no range of {} values", c.value, what,
                               parent->type.sql()),
                   "write lo..hi with lo <= hi, both values of the given column");
          continue;
        }
        c.is_range = true;
        c.lo = *lo;
        c.hi = *hi;
        continue;
      }
      std::string why;
      if (!has_ddl_ && !literal_fits(parent->type, c.value, why))
        r_.error("profile.bad-literal", c.pos,
                 fmt::format("case '{}' of {} is no {} value of '{}': {}", c.value, what,
                             parent->type.sql(), parent->name, why),
                 ordered ? "write a value of the given column, or a range lo..hi" : "");
    }
  }
}

ExtStatistics ProfileParser::parse_statistics(const YAML::Node& node, const Table& table) {
  ExtStatistics out{.pos = Reader::pos(node)};
  const std::string what = fmt::format("statistics of '{}'", table.name);
  if (!r_.check_map(node, what, section_keys("statistics"))) return out;
  if (auto n = node["name"]) {
    out.name = r_.string(n, "name").value_or("");
    r_.identifier(n, out.name, "statistics");
  }
  if (auto n = node["columns"]) {
    out.columns = column_list(n, table, what, "name");
    if (out.columns.size() < 2 || out.columns.size() > 8)
      r_.error("profile.out-of-range", n,
               fmt::format("{} need 2 to 8 columns, not {}", what, out.columns.size()),
               "PostgreSQL's CREATE STATISTICS covers 2 to 8 columns");
  } else {
    r_.error("profile.missing-key", node, fmt::format("{} have no 'columns'", what),
             "write e.g. columns: [city, country]");
  }
  if (auto n = node["kinds"]) {
    static const std::vector<std::string_view> kKinds = {"ndistinct", "dependencies", "mcv"};
    for (size_t i = 0; const auto& kind : string_list(n, "kinds")) {
      const YAML::Node at = n.IsSequence() && i < n.size() ? n[i] : n;
      ++i;
      if (std::find(kKinds.begin(), kKinds.end(), kind) == kKinds.end()) {
        auto best = closest_match(kind, kKinds);
        r_.error("profile.bad-value", at, fmt::format("unknown statistics kind '{}'", kind),
                 best.empty() ? "kinds: ndistinct, dependencies, mcv"
                              : fmt::format("did you mean '{}'?", best));
      } else if (std::find(out.kinds.begin(), out.kinds.end(), kind) == out.kinds.end()) {
        out.kinds.push_back(kind);
      }
    }
  }
  return out;
}

}  // namespace pgshape::profile
