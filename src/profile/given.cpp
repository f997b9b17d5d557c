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

void ProfileParser::parse_given(const YAML::Node& node, Column& column, const std::string& table) {
  const std::string what = fmt::format("column '{}.{}'", table, column.name);
  const YAML::Node given = node["given"];
  const YAML::Node cases = node["cases"];
  if (!given) {
    if (node["degree"])
      r_.error("profile.missing-key", node["degree"],
               fmt::format("{} has a degree but no 'given'", what));
    if (cases)
      r_.error("profile.missing-key", cases, fmt::format("{} has cases but no 'given'", what),
               "name the column the cases are about: given: other_column");
    return;
  }
  auto parent = r_.string(given, "given");
  if (!parent) return;
  if (column.ref || column.dist.kind == DistKind::kCopy || column.primary_key || column.unique) {
    r_.error("profile.conflict", given,
             fmt::format("{} cannot depend on another column: it is {}", what,
                         column.ref                            ? "a foreign key"
                         : column.dist.kind == DistKind::kCopy ? "a copy"
                         : column.primary_key                  ? "in the primary key"
                                                               : "a unique column"),
             "only plain value columns take given:");
    return;
  }
  if (*parent == column.name) {
    r_.error("profile.bad-value", given, fmt::format("{} cannot depend on itself", what));
    return;
  }
  Given out{.column = *parent, .pos = Reader::pos(given)};
  if (auto n = node["degree"]) {
    out.degree = r_.number(n, "degree").value_or(0);
    if (!(out.degree >= 0 && out.degree <= 1))
      r_.error("profile.out-of-range", n,
               fmt::format("degree of {} must be between 0 and 1, not {}", what, out.degree),
               "1: the given column determines this one; 0: only the cases do");
  }
  if (cases && r_.check_map(cases, fmt::format("cases of {}", what), {})) {
    std::vector<std::string_view> allowed = section_keys("dist");
    allowed.push_back("dist");
    for (auto it = cases.begin(); it != cases.end(); ++it) {
      GivenCase c{.value = it->first.Scalar(), .pos = Reader::pos(it->first)};
      const std::string case_what = fmt::format("case '{}' of {}", c.value, what);
      if (!r_.check_map(it->second, case_what, allowed)) continue;
      // A case starts from the column's own distribution: it says only what differs
      // (cases: {eu: {p: 0.9}} for a bernoulli column). A new dist: starts afresh.
      Column scratch = column;
      scratch.given.reset();
      const DistSpec* spec = nullptr;
      if (auto d = it->second["dist"]) {
        auto name = r_.string(d, "dist").value_or("");
        spec = find_distribution(name);
        if (!spec) {
          auto best = closest_match(name, distribution_names());
          r_.error("profile.unknown-distribution", d,
                   fmt::format("unknown distribution '{}' in {}", name, case_what),
                   best.empty()
                       ? fmt::format("distributions: {}", fmt::join(distribution_names(), ", "))
                       : fmt::format("did you mean '{}'?", best));
          continue;
        }
        scratch.dist = Distribution{.kind = spec->kind, .pos = Reader::pos(d)};
      } else {
        for (const auto& candidate : distributions())
          if (candidate.kind == column.dist.kind) spec = &candidate;
        if (it->second["values"]) scratch.dist.values.clear(), scratch.dist.weights.clear();
        scratch.dist.pos = c.pos;
      }
      if (!spec) continue;
      if (spec->kind == DistKind::kCopy) {
        r_.error("profile.bad-distribution", it->second["dist"],
                 fmt::format("{} cannot copy a parent's column", case_what));
        continue;
      }
      // Generated uuids fill a lane of their own; literals and text another.
      if ((spec->kind == DistKind::kUuid) != (column.dist.kind == DistKind::kUuid)) {
        r_.error(
            "profile.bad-distribution", it->second["dist"] ? it->second["dist"] : it->first,
            fmt::format("{} and the column's own dist must both be uuid or both not", case_what),
            "use dist: uuid in every case, or in none");
        continue;
      }
      parse_dist_params(it->second, scratch, *spec);
      check_dist_ranges(it->second, scratch, case_what);
      round_bounds_inward(it->second, scratch, case_what);
      c.dist = std::move(scratch.dist);
      out.cases.push_back(std::move(c));
    }
  }
  column.given = std::move(out);
}

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
