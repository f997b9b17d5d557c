// Columns: a column's keys (type, keys, nullability, ref, identity) and the
// distribution it draws from; the distribution's parameters are read in
// dist_params.cpp, given: and cases: in given.cpp.
#include <cctype>
#include <cstring>

#include "pgshape/util.hpp"
#include "profile/parser_impl.hpp"

namespace pgshape::profile {
namespace {

std::vector<std::string_view> column_and_dist_keys() {
  auto out = section_keys("column");
  for (auto key : section_keys("dist")) out.push_back(key);
  return out;
}

// The distribution a column gets when the profile names none.
DistKind default_dist(const Column& column) {
  if (column.ref) return DistKind::kUniform;
  if (column.type.is_integer() && (column.primary_key || column.unique)) return DistKind::kSequence;
  switch (column.type.kind) {
    case PgType::kUuid:
      return DistKind::kUuid;
    case PgType::kBoolean:
      return DistKind::kBernoulli;
    case PgType::kText:
    case PgType::kVarchar:
    case PgType::kChar:
      return DistKind::kWords;
    default:
      return DistKind::kUniform;
  }
}

}  // namespace

// True when the map `node` has `key` with exactly this scalar value.
static bool scalar_is(const YAML::Node& node, const char* key, std::string_view value) {
  const YAML::Node n = node[key];
  return n && n.IsScalar() && n.Scalar() == value;
}

// A type's SQL spelling that can be spliced into CREATE TABLE: names, array
// brackets, modifiers, quoted identifiers; nothing that ends or comments a statement.
static bool opaque_type_text(std::string_view text) {
  if (text.empty() || text.size() > 200) return false;
  size_t quotes = 0;
  for (char c : text) {
    quotes += c == '"';
    if (!(std::isalnum(static_cast<unsigned char>(c)) || std::strchr(" _[](),.\"", c) != nullptr))
      return false;
  }
  return quotes % 2 == 0;
}

Column ProfileParser::parse_column(const YAML::Node& key, const YAML::Node& node,
                                   const std::string& table) {
  Column column{.name = key.Scalar(), .pos = Reader::pos(key)};
  r_.identifier(key, column.name, "column");
  const std::string what = fmt::format("column '{}.{}'", table, column.name);
  if (!r_.check_map(node, what, column_and_dist_keys())) return column;

  type_from_ddl_ = !node["type"];
  if (auto n = node["type"]) {
    if (auto text = r_.string(n, "type")) {
      if (auto type = parse_column_type(*text)) {
        column.type = *type;
      } else if (auto own = user_column_type(*text)) {
        column.type = *own;
      } else if (opaque_type_text(*text) &&
                 (scalar_is(node, "null_fraction", "1") || scalar_is(node, "dist", "weighted") ||
                  scalar_is(node, "dist", "array") || scalar_is(node, "dist", "document") ||
                  scalar_is(node, "dist", "range") || node["generated"])) {
        // Any type PostgreSQL knows, for a column that is all NULL or draws
        // values written as that type's literals: what `stats` writes for a type
        // it does not generate, so the column and the indexes reading it exist on
        // the mirror. Loaded by text COPY (the server parses the literals).
        column.type = ColumnType{.kind = PgType::kText, .user_type = *text, .opaque = true};
      } else {
        const bool split_by_flow_map =
            text->find('(') != std::string::npos && text->find(')') == std::string::npos;
        r_.error(
            "profile.unknown-type", n,
            fmt::format("unknown or unsupported type '{}' for {}", *text, what),
            split_by_flow_map
                ? "inside { }, a comma ends the value: quote it, type: \"numeric(10,2)\""
                : "supported: smallint, integer, bigint, numeric(p,s), real, double "
                  "precision, text, varchar(n), char(n), boolean, date, timestamp, timestamptz, "
                  "uuid");
      }
    }
  } else if (!has_ddl_) {
    r_.error("profile.missing-key", key, fmt::format("{} has no 'type'", what),
             "add e.g. type: bigint");
  }
  if (auto n = node["primary_key"])
    column.primary_key = r_.boolean(n, "primary_key").value_or(false);
  if (auto n = node["unique"]) column.unique = r_.boolean(n, "unique").value_or(false);
  if (auto n = node["nullable"]) column.nullable = r_.boolean(n, "nullable").value_or(false);
  if (auto n = node["identity"]) {
    column.identity = r_.string(n, "identity").value_or("");
    if (column.identity != "always" && column.identity != "by default")
      r_.error("profile.bad-value", n,
               fmt::format("identity of {} must be 'always' or 'by default', not '{}'", what,
                           column.identity));
    else if (!column.type.is_integer() || column.type.opaque)
      r_.error("profile.conflict", n,
               fmt::format("{} is an identity column but not smallint, integer or bigint", what));
  }
  if (auto n = node["null_fraction"]) {
    auto value = r_.number(n, "null_fraction");
    if (value && (*value < 0 || *value > 1))
      r_.error("profile.out-of-range", n,
               fmt::format("null_fraction must be between 0 and 1, not {}", *value));
    else if (value && *value > 0 && column.primary_key)
      r_.error("profile.conflict", n,
               fmt::format("{} is in the primary key and cannot be NULL", what));
    else if (value && *value > 0 && node["nullable"] && !column.nullable)
      r_.error("profile.conflict", n,
               fmt::format("{} is declared NOT NULL (nullable: false) but has null_fraction {}",
                           what, *value),
               "remove nullable: false or set null_fraction: 0");
    else if (value && *value >= 1 && !column.type.opaque)
      r_.error("profile.out-of-range", n, fmt::format("null_fraction 1 makes {} always NULL", what),
               "a column that is always NULL carries no shape; use a value below 1");
    column.null_fraction = value.value_or(0);
    if (column.null_fraction > 0) column.nullable = true;
  }
  if (auto n = node["ref"]) {
    if (auto text = r_.string(n, "ref")) {
      // Split once every table is known (resolve_refs): a name may hold a dot.
      if (!split_qualified(*text, nullptr))
        r_.error("profile.bad-value", n, fmt::format("ref '{}' must name table.column", *text),
                 "write e.g. ref: products.id (quote a name with a dot: '\"my.table\".id')");
      else
        column.ref = ForeignKeyRef{.table = *text, .column = "", .pos = Reader::pos(n)};
    }
  }
  if (has_fk_actions(node)) {
    if (column.ref)
      parse_fk_actions(node, what, column.ref->actions);
    else
      r_.error("profile.conflict", node, fmt::format("{} has foreign-key actions but no ref", what),
               "on_update, on_delete, deferrable and initially_deferred go with ref:");
  }
  if (node["generated"]) parse_generated(node, column, what);

  const DistSpec* spec = nullptr;
  if (auto n = node["dist"]) {
    auto name = r_.string(n, "dist").value_or("");
    spec = find_distribution(name);
    if (!spec) {
      auto best = closest_match(name, distribution_names());
      r_.error("profile.unknown-distribution", n,
               fmt::format("unknown distribution '{}' for {}", name, what),
               best.empty()
                   ? fmt::format("distributions: {}", fmt::join(distribution_names(), ", "))
                   : fmt::format("did you mean '{}'?", best));
      return column;
    }
  } else {
    for (const auto& candidate : distributions())
      if (candidate.kind == default_dist(column)) spec = &candidate;
  }
  column.dist.kind = spec->kind;
  column.dist.pos = node["dist"] ? Reader::pos(node["dist"]) : column.pos;
  parse_dist_params(node, column, *spec);
  check_dist_ranges(node, column, fmt::format("{}.{}", table, column.name));
  round_bounds_inward(node, column, fmt::format("{}.{}", table, column.name));
  parse_given(node, column, table);
  return column;
}

}  // namespace pgshape::profile
