// How the profile writer spells names and values: bare or quoted identifiers,
// the types and constants it can read back.
#include <cctype>
#include <cstdlib>
#include <cstring>

#include "pgshape/pg.hpp"
#include "pgshape/util.hpp"
#include "stats/profile_writer_parts.hpp"

namespace pgshape::stats {

// Values a profile can read back for this type (pg_stats prints infinity & co.).
bool readable(const ColumnType& type, const std::string& v) {
  if (type.is_textual()) return true;
  if (type.kind == PgType::kBoolean) return v == "t" || v == "f" || v == "true" || v == "false";
  if (type.kind == PgType::kDate) return parse_pg_date(v).has_value();
  if (type.is_temporal()) return parse_pg_timestamp(v).has_value();
  if (type.is_integer() || type.is_fractional()) {
    if (v.empty()) return false;
    char* end = nullptr;
    std::strtod(v.c_str(), &end);
    return end == v.c_str() + v.size() && v != "NaN";
  }
  return type.kind == PgType::kUuid && v.size() == 36;
}

// A name the profile can take bare where a space or a dot separates it from what
// follows: letters, digits, _ and $, not starting with a digit.
bool plain_name(std::string_view name) {
  if (name.empty() || std::isdigit(static_cast<unsigned char>(name[0]))) return false;
  return std::all_of(name.begin(), name.end(), [](char c) {
    return std::isalnum(static_cast<unsigned char>(c)) || c == '_' || c == '$';
  });
}

// One half of ref: table.column, double-quoted as in SQL unless the name is plain.
std::string ref_part(const std::string& name) {
  if (plain_name(name)) return name;
  std::string out = "\"";
  for (char c : name) out += c == '"' ? std::string("\"\"") : std::string(1, c);
  return out + "\"";
}

// A type's spelling the profile takes for a column of a type pgshape does not
// generate (the parser's rule: names, brackets, modifiers, quotes).
bool opaque_spelling(const std::string& type) {
  size_t quotes = 0;
  for (char c : type) {
    quotes += c == '"';
    if (!(std::isalnum(static_cast<unsigned char>(c)) || std::strchr(" _[](),.\"", c) != nullptr))
      return false;
  }
  return !type.empty() && type.size() <= 200 && quotes % 2 == 0;
}

// A name as PostgreSQL prints it in an expression (its quote_ident): bare when it
// is a lower-case identifier, else double-quoted. A keyword PostgreSQL would
// quote comes out bare here; a CHECK on it then reads as not understood (left out).
std::string printed_name(const std::string& name) {
  const bool bare = !name.empty() &&
                    (std::islower(static_cast<unsigned char>(name[0])) || name[0] == '_') &&
                    std::all_of(name.begin(), name.end(), [](char c) {
                      return std::islower(static_cast<unsigned char>(c)) ||
                             std::isdigit(static_cast<unsigned char>(c)) || c == '_' || c == '$';
                    });
  return bare ? name : quote_ident(name);
}

// An identifier as format_type / quote_ident print it, unquoted: "My Type" -> My Type.
std::string unquoted(const std::string& name) {
  if (name.size() < 2 || name.front() != '"' || name.back() != '"') return name;
  std::string out;
  for (size_t i = 1; i + 1 < name.size(); ++i) {
    out += name[i];
    if (name[i] == '"' && name[i + 1] == '"') ++i;
  }
  return out;
}

}  // namespace pgshape::stats
