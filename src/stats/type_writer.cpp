// The enums and domains of a stats-made profile (types:), and the type each
// column is named and generated as.
#include <cstring>

#include "stats/check_pattern.hpp"
#include "stats/profile_writer_parts.hpp"

namespace pgshape::stats {

// types: every enum of the schema and every domain over a type pgshape generates.
void ProfileWriter::types(YAML::Emitter& out) {
  std::vector<const TypeStats*> kept;
  for (const auto& type : snap_.types) {
    if (const auto unmet = objects_.unmet(type.needs); !unmet.empty()) {
      leave_out("domain " + type.name,
                fmt::format("its CHECK needs {}, which stats does not create on the mirror",
                            fmt::join(unmet, ", ")));
      continue;
    }
    if (type.kind == 'd' && !parse_column_type(type.base)) {
      leave_out("domain " + type.name,
                fmt::format("its base type {} is not one pgshape generates", type.base));
      continue;
    }
    if (type.kind == 'd' && std::any_of(type.checks.begin(), type.checks.end(),
                                        [](auto& c) { return check_expression(c).empty(); })) {
      leave_out("domain " + type.name, "a CHECK of it is NOT VALID");
      continue;
    }
    kept.push_back(&type);
    // A domain whose CHECK generation cannot be kept inside is created all the
    // same; its columns draw production's own values (which pass it).
    const bool generated =
        type.kind == 'e' ||
        std::all_of(type.checks.begin(), type.checks.end(),
                    [](auto& c) { return check_shape(check_expression(c), "VALUE").understood; }) ||
        domain_pattern(type.checks, parse_column_type(type.base)->max_chars());
    if (generated)
      types_[type.name] = &type;
    else
      leave_out("generation of domain " + type.name,
                fmt::format(
                    "{}: only comparisons with constants, BETWEEN, IN lists and simple LIKE / "
                    "regex patterns are kept inside; its columns draw production's sampled values",
                    fmt::join(type.checks, " ")));
    created_.push_back(type.name);
  }
  for (const auto& type : snap_.types)
    if (std::find(created_.begin(), created_.end(), type.name) == created_.end())
      missing_.push_back(type.name);
  for (const auto& object : snap_.other_objects)
    for (const char* kind : {"composite type ", "range type ", "type "})
      if (object.rfind(kind, 0) == 0) {
        missing_.push_back(printed_name(object.substr(std::strlen(kind))));
        break;
      }
  if (kept.empty()) return;
  out << YAML::Key << "types" << YAML::Value << YAML::BeginMap;
  for (const TypeStats* type : kept) {
    out << YAML::Key << YAML::DoubleQuoted << unquoted(type->name) << YAML::Value << YAML::Flow
        << YAML::BeginMap;
    if (type->kind == 'e') {
      out << YAML::Key << "enum" << YAML::Value << YAML::BeginSeq;
      for (const auto& label : type->labels) out << YAML::DoubleQuoted << label;
      out << YAML::EndSeq;
    } else {
      out << YAML::Key << "domain" << YAML::Value << parse_column_type(type->base)->sql();
      if (!type->checks.empty()) {
        out << YAML::Key << "check" << YAML::Value << YAML::BeginSeq;
        for (const auto& c : type->checks) out << YAML::DoubleQuoted << check_expression(c);
        out << YAML::EndSeq;
      }
      if (type->not_null) out << YAML::Key << "not_null" << YAML::Value << true;
    }
    out << YAML::EndMap;
  }
  out << YAML::EndMap;
}

// The column's type as the profile names it (a built-in type, or an enum or
// domain of types:), with the type values are generated as; nullopt: none.
std::optional<std::pair<std::string, ColumnType>> ProfileWriter::profile_type(
    const ColumnStats& c) const {
  if (auto type = parse_column_type(c.type)) return std::make_pair(type->sql(), *type);
  auto it = types_.find(c.type);
  if (it == types_.end()) return std::nullopt;
  ColumnType type = it->second->kind == 'e' ? ColumnType{.kind = PgType::kText}
                                            : *parse_column_type(it->second->base);
  type.user_type = unquoted(it->second->name);
  return std::make_pair(type.user_type, type);
}

}  // namespace pgshape::stats
