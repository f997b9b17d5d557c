// Internal to the profile module: the whole-profile checks, one file per concern.
// check_profile (checks.cpp) runs them in order over a parsed profile; each skips
// what the parse already reported (Reader::poisoned), so independent problems
// are all reported in one run without a cascade from one cause.
//
//   checks.cpp        keys: primary keys, foreign keys, copies, cycles, unique domains
//                     (check_refs.cpp, check_unique.cpp; key_checker.hpp)
//   support.cpp       values: what each distribution can reach against its column's type
//   names.cpp         names and PostgreSQL limits: one relation namespace per schema,
//                     constraint names, 63 bytes, 1600 columns, 32 index keys, row width
//   query_checks.cpp  queries: the columns their params draw from
//   check_orders.cpp  table CHECKs over two columns: orders generation can keep
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "pgshape/profile.hpp"
#include "profile/reader.hpp"

namespace pgshape::profile {

class CheckContext {
 public:
  CheckContext(const Profile& profile, Reader& reader) : p(profile), r(reader) {}

  // Rows at the largest and at the smallest scale point.
  int64_t max_rows(const Table& table) const;
  int64_t min_rows(const Table& table) const;
  // True when the column (or its table) had problems of its own while parsing.
  bool skip(const Table& table, const Column& column) const {
    return r.poisoned(table.name, column.name);
  }
  // "table.column", as messages name a column.
  static std::string name(const Table& table, const Column& column) {
    return table.name + "." + column.name;
  }
  // Where a column's distribution is written (its dist:, else the column's key).
  static SourcePos at(const Column& column) {
    return column.dist.pos.line ? column.dist.pos : column.pos;
  }
  // A unique column: declared unique, or the table's only primary key column.
  static bool unique(const Table& table, const Column& column) {
    return column.unique || (column.primary_key && table.primary_key.size() == 1);
  }
  // A key as messages name it, every column of it, so that a key of several
  // columns never reads as its first: "primary key (a, b) of 't'", "unique index
  // (a, b) on 't'", "foreign key (a, b) of 't' -> p".
  static std::string primary_key(const Table& table);
  static std::string unique_index(const Table& table, const IndexSpec& index);
  static std::string foreign_key(const Table& table, const ForeignKeySpec& fk);
  // The multi-column foreign key that `column` heads, named whole; else the
  // column's own ("foreign key t.c").
  static std::string foreign_key(const Table& table, const Column& column);

  const Profile& p;
  Reader& r;
};

void check_keys(const CheckContext& ctx);
void check_values(const CheckContext& ctx);
void check_names(const CheckContext& ctx);
void check_queries(const CheckContext& ctx);
// A composite primary key or unique index (`what` names it with its columns,
// `pos` where it is written): proven unique, built unique by pairing (check_pairs.cpp), or refused.
void check_composite_key(const CheckContext& ctx, const Table& table,
                         const std::vector<std::string>& columns, SourcePos pos,
                         std::string_view what);
// check_pair_order.cpp: `cluster: [a, b]` names a composite key built by pairing.
void check_pair_order(const CheckContext& ctx);
// check_orders.cpp: table CHECKs over two columns, kept only as column orders.
void check_column_orders(const CheckContext& ctx);
// objects.cpp: generated columns read by no generator; functions' and views' SQL.
void check_objects(const CheckContext& ctx);

// The $n numbers a statement uses, in order of first use, found outside string
// literals, quoted identifiers, comments and dollar-quoted bodies.
std::vector<int> placeholders(std::string_view sql);

}  // namespace pgshape::profile
