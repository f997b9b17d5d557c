// Partition keys (partition_key.hpp): the PARTITION BY text read back into
// plain key columns, each with the kind of value it routes by.
#include "load/partition_key.hpp"

#include <fmt/format.h>
#include <cctype>
#include <optional>

namespace pgshape::load {
namespace {

// What a key column's values are compared or hashed as; nullopt: not routable
// here. A text key's values hash as their bytes: the same under every
// deterministic collation, and a key column's is the database's default (a
// COLLATE in the key is an option, refused below).
std::optional<Conv> conversion(const Column& c, Datum::Kind kind, const Key& key) {
  const bool range = key.range;
  if (c.type.opaque) return std::nullopt;
  // An enum hashes its label's oid, a domain its base type's operator class
  // (perhaps not the default one): neither is known here.
  if (key.hash && !c.type.user_type.empty()) return std::nullopt;
  switch (c.type.kind) {
    case PgType::kSmallint:
    case PgType::kInteger:
    case PgType::kBigint:
      if (kind == Datum::Kind::kInt) return Conv::kInt;
      break;
    case PgType::kDate:
      if (kind == Datum::Kind::kInt) return Conv::kDate;
      break;
    case PgType::kTimestamp:
      if (kind == Datum::Kind::kInt) return Conv::kTimestamp;
      break;
    case PgType::kTimestamptz:
      if (kind == Datum::Kind::kInt) return Conv::kTimestamptz;
      break;
    case PgType::kBoolean:
      if (kind == Datum::Kind::kBool && !range) return Conv::kBool;
      break;
    case PgType::kUuid:
      if (kind == Datum::Kind::kUuid && key.hash) return Conv::kUuid;
      break;
    case PgType::kText:
    case PgType::kVarchar:
      if (kind == Datum::Kind::kText && !range) return Conv::kText;
      break;
    default:
      break;
  }
  return std::nullopt;
}

}  // namespace

std::string parse_key(const TableGenerator& table, std::string_view by, Key& key) {
  const auto open = by.find('(');
  std::string method;
  for (char ch : by.substr(0, open))
    if (!std::isspace(static_cast<unsigned char>(ch)))
      method += static_cast<char>(std::toupper(static_cast<unsigned char>(ch)));
  if (method != "RANGE" && method != "LIST" && method != "HASH")
    return "its partition method is not RANGE, LIST or HASH";
  key.range = method == "RANGE";
  key.hash = method == "HASH";
  if (open == std::string_view::npos || by.back() != ')') return "its key is not a column list";
  std::string_view list = by.substr(open + 1, by.size() - open - 2);
  size_t at = 0;
  while (at <= list.size()) {
    while (at < list.size() && list[at] == ' ') ++at;
    std::string name;
    if (at < list.size() && list[at] == '"') {
      for (++at; at < list.size(); ++at) {
        if (list[at] == '"' && at + 1 < list.size() && list[at + 1] == '"') {
          name += '"';
          ++at;
        } else if (list[at] == '"') {
          break;
        } else {
          name += list[at];
        }
      }
      if (at >= list.size()) return "its key is not a column list";
      ++at;
    } else {
      while (at < list.size() && (std::isalnum(static_cast<unsigned char>(list[at])) ||
                                  list[at] == '_' || list[at] == '$'))
        name += list[at++];
    }
    while (at < list.size() && list[at] == ' ') ++at;
    const int index = table.table().column_index(name);
    if (name.empty() || index < 0 || (at < list.size() && list[at] != ','))
      return "its key is an expression or has options";
    const Column& column = table.table().columns[static_cast<size_t>(index)];
    if (!column.generated.empty())
      // PostgreSQL refuses it too ("cannot use generated column in partition key").
      return fmt::format("its key column {} is a generated column", name);
    const auto conv = conversion(column, table.column(static_cast<size_t>(index)).kind(), key);
    if (!conv)
      return fmt::format("its key column {} is of a type whose {} load does not {}", name,
                         key.range  ? "ranges"
                         : key.hash ? "hash values"
                                    : "lists",
                         key.hash ? "compute" : "compare");
    key.columns.push_back(static_cast<size_t>(index));
    key.convs.push_back(*conv);
    at += 1;
  }
  return "";
}

}  // namespace pgshape::load
