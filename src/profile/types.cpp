// PostgreSQL column types pgshape can generate, and their spellings.
#include <fmt/format.h>
#include <algorithm>
#include <cctype>
#include <charconv>
#include <limits>

#include "pgshape/pg.hpp"
#include "pgshape/profile.hpp"

namespace pgshape {

std::string ColumnType::sql() const {
  if (opaque) return user_type;
  if (!user_type.empty()) return quote_ident(user_type);
  switch (kind) {
    case PgType::kSmallint:
      return "smallint";
    case PgType::kInteger:
      return "integer";
    case PgType::kBigint:
      return "bigint";
    case PgType::kNumeric:
      if (precision == 0) return "numeric";
      return fmt::format("numeric({},{})", precision, scale);
    case PgType::kReal:
      return "real";
    case PgType::kDouble:
      return "double precision";
    case PgType::kText:
      return "text";
    case PgType::kVarchar:
      return length > 0 ? fmt::format("varchar({})", length) : "varchar";
    case PgType::kChar:
      return fmt::format("character({})", length);
    case PgType::kBoolean:
      return "boolean";
    case PgType::kDate:
      return "date";
    case PgType::kTimestamp:
      return "timestamp";
    case PgType::kTimestamptz:
      return "timestamptz";
    case PgType::kUuid:
      return "uuid";
  }
  return "text";
}

bool ColumnType::is_integer() const {
  return kind == PgType::kSmallint || kind == PgType::kInteger || kind == PgType::kBigint;
}
bool ColumnType::is_fractional() const {
  return kind == PgType::kNumeric || kind == PgType::kReal || kind == PgType::kDouble;
}
bool ColumnType::is_textual() const {
  return kind == PgType::kText || kind == PgType::kVarchar || kind == PgType::kChar;
}
int ColumnType::max_chars() const {
  return kind == PgType::kVarchar || kind == PgType::kChar ? length : 0;
}
bool ColumnType::is_temporal() const {
  return kind == PgType::kDate || kind == PgType::kTimestamp || kind == PgType::kTimestamptz;
}

int64_t ColumnType::integer_max() const {
  switch (kind) {
    case PgType::kSmallint:
      return std::numeric_limits<int16_t>::max();
    case PgType::kInteger:
      return std::numeric_limits<int32_t>::max();
    default:
      return std::numeric_limits<int64_t>::max();
  }
}

int64_t ColumnType::integer_min() const {
  switch (kind) {
    case PgType::kSmallint:
      return std::numeric_limits<int16_t>::min();
    case PgType::kInteger:
      return std::numeric_limits<int32_t>::min();
    default:
      return std::numeric_limits<int64_t>::min();
  }
}

namespace {

std::string normalise(std::string_view text) {
  std::string out;
  bool space = false;
  for (char c : text) {
    if (std::isspace(static_cast<unsigned char>(c))) {
      space = !out.empty();
      continue;
    }
    if (space && c != '(' && c != ')' && c != ',' && out.back() != '(' && out.back() != ',')
      out += ' ';
    space = false;
    out += static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  }
  return out;
}

// Reads "(a)" or "(a,b)" after a type name; false on anything else.
bool parse_modifiers(std::string_view rest, int& first, int& second, bool& has_second) {
  if (rest.size() < 3 || rest.front() != '(' || rest.back() != ')') return false;
  rest = rest.substr(1, rest.size() - 2);
  auto comma = rest.find(',');
  auto parse_int = [](std::string_view s, int& out) {
    auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), out);
    return ec == std::errc() && p == s.data() + s.size();
  };
  has_second = comma != std::string_view::npos;
  if (!has_second) return parse_int(rest, first);
  return parse_int(rest.substr(0, comma), first) && parse_int(rest.substr(comma + 1), second);
}

}  // namespace

std::optional<ColumnType> parse_column_type(std::string_view text) {
  const std::string t = normalise(text);
  struct Alias {
    std::string_view name;
    PgType kind;
  };
  static constexpr Alias kPlain[] = {
      {"smallint", PgType::kSmallint},
      {"int2", PgType::kSmallint},
      {"integer", PgType::kInteger},
      {"int", PgType::kInteger},
      {"int4", PgType::kInteger},
      {"bigint", PgType::kBigint},
      {"int8", PgType::kBigint},
      {"real", PgType::kReal},
      {"float4", PgType::kReal},
      {"double precision", PgType::kDouble},
      {"float8", PgType::kDouble},
      {"text", PgType::kText},
      {"boolean", PgType::kBoolean},
      {"bool", PgType::kBoolean},
      {"date", PgType::kDate},
      {"timestamp", PgType::kTimestamp},
      {"timestamp without time zone", PgType::kTimestamp},
      {"timestamptz", PgType::kTimestamptz},
      {"timestamp with time zone", PgType::kTimestamptz},
      {"uuid", PgType::kUuid},
      {"numeric", PgType::kNumeric},
      {"decimal", PgType::kNumeric},
      {"varchar", PgType::kVarchar},
      {"character varying", PgType::kVarchar},
  };
  for (const auto& alias : kPlain)
    if (t == alias.name) return ColumnType{.kind = alias.kind};
  // Unquoted char and character mean character(1); bpchar is the catalog's name.
  if (t == "char" || t == "character" || t == "bpchar")
    return ColumnType{.kind = PgType::kChar, .length = 1};

  auto paren = t.find('(');
  if (paren == std::string::npos) return std::nullopt;
  std::string_view base = std::string_view(t).substr(0, paren);
  while (!base.empty() && base.back() == ' ') base.remove_suffix(1);
  std::string_view rest = std::string_view(t).substr(paren);
  int first = 0, second = 0;
  bool has_second = false;
  if (!parse_modifiers(rest, first, second, has_second)) return std::nullopt;
  if (base == "numeric" || base == "decimal") {
    if (first < 1 || first > 1000 || second < 0 || second > first) return std::nullopt;
    return ColumnType{.kind = PgType::kNumeric, .precision = first, .scale = second};
  }
  if ((base == "varchar" || base == "character varying") && !has_second) {
    if (first < 1 || first > 10485760) return std::nullopt;
    return ColumnType{.kind = PgType::kVarchar, .length = first};
  }
  if ((base == "char" || base == "character" || base == "bpchar") && !has_second) {
    if (first < 1 || first > 10485760) return std::nullopt;
    return ColumnType{.kind = PgType::kChar, .length = first};
  }
  return std::nullopt;
}

}  // namespace pgshape
