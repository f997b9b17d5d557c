// The parts of a profile that carry a production schema's own structure: types:
// (enums and domains the columns use), a table's checks: (CHECK constraints) and
// left_out: (what `stats` could not reproduce, kept so validate can show it).
#include <fmt/format.h>

#include "profile/parser_impl.hpp"

namespace pgshape::profile {

void ProfileParser::parse_types(const YAML::Node& node, Profile& profile) {
  if (!r_.check_map(node, "types", {})) return;
  for (auto it = node.begin(); it != node.end(); ++it) {
    UserType type{.name = it->first.Scalar(), .pos = Reader::pos(it->first)};
    r_.identifier(it->first, type.name, "type");
    const YAML::Node body = it->second;  // a copy: it->second lives in a temporary
    const std::string what = fmt::format("type '{}'", type.name);
    if (!r_.check_map(body, what, section_keys("type"))) continue;
    if (parse_column_type(type.name))
      r_.error("profile.conflict", it->first,
               fmt::format("{} has the name of a built-in type", what), "name it otherwise");
    const YAML::Node labels = body["enum"];
    const YAML::Node domain = body["domain"];
    if (labels && domain) {
      r_.error("profile.conflict", body, fmt::format("{} is both an enum and a domain", what));
    } else if (labels) {
      type.is_enum = true;
      type.labels = string_list(labels, "enum labels");
      if (type.labels.empty())
        r_.error("profile.missing-key", labels, fmt::format("{} has no labels", what));
      if (body["check"] || body["not_null"])
        r_.error("profile.conflict", body,
                 fmt::format("{} is an enum: check and not_null belong to domains", what));
      type.base = ColumnType{.kind = PgType::kText};
    } else if (domain) {
      const std::string base = r_.string(domain, "domain").value_or("");
      if (auto parsed = parse_column_type(base))
        type.base = *parsed;
      else
        r_.error("profile.unknown-type", domain,
                 fmt::format("{}: base type '{}' is not one pgshape generates", what, base),
                 "a domain's base is a built-in type: integer, numeric(p,s), text, date, ...");
      if (auto n = body["check"]) type.checks = string_list(n, "check");
      if (auto n = body["not_null"]) type.not_null = r_.boolean(n, "not_null").value_or(false);
    } else {
      r_.error("profile.missing-key", body, fmt::format("{} needs 'enum' or 'domain'", what),
               "write {enum: [a, b]} or {domain: integer, check: [\"VALUE > 0\"]}");
    }
    for (const auto& earlier : types_)
      if (earlier.name == type.name)
        r_.error("profile.conflict", it->first, fmt::format("{} is declared twice", what));
    types_.push_back(type);
    profile.types.push_back(std::move(type));
  }
}

std::optional<ColumnType> ProfileParser::user_column_type(const std::string& text) const {
  for (const auto& type : types_) {
    if (type.name != text) continue;
    ColumnType out = type.base;
    out.user_type = type.name;
    return out;
  }
  return std::nullopt;
}

void ProfileParser::parse_checks(const YAML::Node& node, Table& table) {
  if (!node.IsSequence()) {
    r_.error("profile.bad-type", node, fmt::format("checks of '{}' must be a list", table.name));
    return;
  }
  for (const auto& item : node) {
    CheckSpec check{.pos = Reader::pos(item)};
    if (item.IsScalar()) {
      check.expr = item.Scalar();
    } else if (r_.check_map(item, "a check", section_keys("check"))) {
      if (auto n = item["name"]) {
        check.name = r_.string(n, "check name").value_or("");
        r_.identifier(n, check.name, "check");
      }
      if (auto n = item["check"])
        check.expr = r_.string(n, "check").value_or("");
      else
        r_.error("profile.missing-key", item, "a check needs 'check' (its expression)");
    } else {
      continue;
    }
    table.checks.push_back(std::move(check));
  }
}

void ProfileParser::parse_left_out(const YAML::Node& node, Profile& profile) {
  if (!node.IsSequence()) {
    r_.error("profile.bad-type", node, "left_out must be a list");
    return;
  }
  for (const auto& item : node) {
    LeftOut entry{.pos = Reader::pos(item)};
    if (item.IsScalar()) {
      entry.object = item.Scalar();
    } else if (r_.check_map(item, "a left_out entry", section_keys("left_out"))) {
      if (auto n = item["object"]) entry.object = r_.string(n, "object").value_or("");
      if (auto n = item["reason"]) entry.reason = r_.string(n, "reason").value_or("");
    } else {
      continue;
    }
    profile.left_out.push_back(std::move(entry));
  }
}

}  // namespace pgshape::profile
