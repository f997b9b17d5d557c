// dist: range: the parameters of a range column (a lower bound's and a
// length's distribution, the shares of empty and unbounded ranges, the bounds'
// inclusivity), read and checked; and the columns its parts are generated as.
#include <algorithm>

#include "profile/parser_impl.hpp"

namespace pgshape {
namespace {

struct RangeType {
  std::string_view name;
  PgType bound;
};
constexpr RangeType kRangeTypes[] = {
    {"int4range", PgType::kInteger}, {"int8range", PgType::kBigint},
    {"numrange", PgType::kNumeric},  {"daterange", PgType::kDate},
    {"tsrange", PgType::kTimestamp}, {"tstzrange", PgType::kTimestamptz},
};

// A discrete range type's values are canonical as '[)': the server rewrites
// [1,3] to [1,4), so only that form keeps the text COPY sends.
bool discrete(const ColumnType& bound) {
  return bound.is_integer() || bound.kind == PgType::kDate;
}

Column part_column(const Column& range, const ColumnType& bound, bool lower) {
  Column part{.name = range.name + (lower ? ".lower" : ".length"), .pos = range.pos};
  if (lower)
    part.type = bound;
  else
    part.type = ColumnType{.kind = discrete(bound) ? PgType::kBigint : PgType::kDouble};
  return part;
}

}  // namespace

std::optional<ColumnType> range_subtype(const ColumnType& type) {
  if (!type.opaque) return std::nullopt;
  for (const auto& r : kRangeTypes)
    if (type.user_type == r.name) return ColumnType{.kind = r.bound};
  return std::nullopt;
}

std::vector<Column> range_part_columns(const Column& range) {
  const auto bound = range_subtype(range.type);
  const auto& parts = range.dist.range_parts;
  if (!bound || range.dist.kind != DistKind::kRange || parts.size() != 2) return {};
  std::vector<Column> out{part_column(range, *bound, true), part_column(range, *bound, false)};
  for (size_t i = 0; i < 2; ++i) {
    out[i].dist = parts[i];
    out[i].pos = parts[i].pos;
  }
  return out;
}

namespace profile {

void ProfileParser::parse_range_params(const YAML::Node& node, Column& column) {
  Distribution& d = column.dist;
  const auto bound = range_subtype(column.type);
  if (!bound) {
    r_.error("profile.bad-distribution", node["dist"] ? node["dist"] : node,
             fmt::format("'range' makes values of the built-in range types, but the column's "
                         "type is {}",
                         column.type.sql()),
             "types: int4range, int8range, numrange, daterange, tsrange, tstzrange (a "
             "multirange or a range type of your own is not generated: weighted over its "
             "literals, or all NULL)");
    return;
  }
  auto share = [&](const char* key, double& out, const char* of) {
    const YAML::Node n = node[key];
    if (!n) return;
    out = r_.number(n, key).value_or(0);
    if (!(out >= 0 && out <= 1))
      r_.error("profile.out-of-range", n,
               fmt::format("{} must be between 0 and 1, not {}", key, out),
               fmt::format("it is the share of {}", of));
  };
  share("empty", d.range_empty, "non-NULL rows holding the empty range");
  share("lower_infinite", d.lower_infinite, "non-empty ranges with no lower bound");
  share("upper_infinite", d.upper_infinite, "non-empty ranges with no upper bound");
  if (const YAML::Node n = node["bounds"]) {
    d.range_bounds = r_.string(n, "bounds").value_or("[)");
    static constexpr std::string_view kForms[] = {"[)", "[]", "(]", "()"};
    if (std::find(std::begin(kForms), std::end(kForms), d.range_bounds) == std::end(kForms))
      r_.error("profile.bad-value", n,
               fmt::format("bounds must be '[)', '[]', '(]' or '()', not '{}'", d.range_bounds),
               "[ and ] include the bound, ( and ) leave it out");
    else if (discrete(*bound) && d.range_bounds != "[)")
      r_.error("profile.bad-value", n,
               fmt::format("bounds of type {} must be '[)': PostgreSQL stores every {} so",
                           column.type.sql(), column.type.sql()),
               "write the length as upper - lower of the '[)' form");
  }
  std::vector<std::string_view> allowed = section_keys("dist");
  allowed.push_back("dist");
  for (const bool lower : {true, false}) {
    const char* key = lower ? "lower" : "length";
    const YAML::Node n = node[key];
    Column part = part_column(column, *bound, lower);
    const std::string what = fmt::format("{} of column '{}'", key, column.name);
    if (!n) {
      d.range_parts.push_back(part.dist);  // validation already named the missing key
      continue;
    }
    if (!r_.check_map(n, what, allowed)) {
      d.range_parts.push_back(part.dist);
      continue;
    }
    const DistSpec* spec = nullptr;
    const YAML::Node dn = n["dist"];
    if (dn) {
      auto name = r_.string(dn, "dist").value_or("");
      spec = find_distribution(name);
      if (!spec) {
        auto best = closest_match(name, distribution_names());
        r_.error("profile.unknown-distribution", dn,
                 fmt::format("unknown distribution '{}' in {}", name, what),
                 best.empty()
                     ? fmt::format("distributions: {}", fmt::join(distribution_names(), ", "))
                     : fmt::format("did you mean '{}'?", best));
      }
    } else {
      spec = find_distribution("uniform");
    }
    static constexpr DistKind kRefused[] = {DistKind::kCopy,        DistKind::kFanout,
                                            DistKind::kChildNumber, DistKind::kArray,
                                            DistKind::kDocument,    DistKind::kRange};
    if (spec &&
        std::find(std::begin(kRefused), std::end(kRefused), spec->kind) != std::end(kRefused)) {
      r_.error("profile.bad-distribution", dn,
               fmt::format("{} cannot be drawn by '{}'", what, spec->name),
               "use a distribution of values: uniform, normal, lognormal, zipf, weighted, "
               "empirical, ...");
      spec = nullptr;
    }
    if (spec) {
      part.dist = Distribution{.kind = spec->kind, .pos = Reader::pos(dn ? dn : n)};
      parse_dist_params(n, part, *spec);
      check_dist_ranges(n, part, what);
      round_bounds_inward(n, part, what);
      if (!lower && part.dist.min && *part.dist.min < 0)
        r_.error("profile.out-of-range", n["min"],
                 fmt::format("the min of {} is {}: a range's length is never negative", what,
                             *part.dist.min));
    }
    d.range_parts.push_back(std::move(part.dist));
  }
}

}  // namespace profile
}  // namespace pgshape
