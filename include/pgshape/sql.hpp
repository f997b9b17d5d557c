// SQL text built from a profile. Every identifier from a profile goes through
// quote_ident — there is no other path from a profile name into SQL — and no
// value is ever spliced into SQL text (values travel as COPY data or parameters).
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "pgshape/profile.hpp"

namespace pgshape::sql {

// "name" with embedded quotes doubled: safe for any string without a NUL byte.
std::string quote_ident(std::string_view name);
// schema.table, both quoted.
std::string qualified(std::string_view schema, std::string_view table);

// CREATE TABLE with columns and NOT NULL only: keys and indexes come after the data.
std::string create_table(std::string_view schema, const Table& table);
// The column list COPY names, in profile order: ("a", "b", ...).
std::string column_list(const Table& table);

// One statement that builds an index, and the constraint (if any) adopting it.
struct IndexBuild {
  std::string table;
  std::string create_index;  // CREATE [UNIQUE] INDEX ... (runs in parallel with others)
  std::string adopt;         // ALTER TABLE ... ADD PRIMARY KEY/UNIQUE USING INDEX; may be empty
};
std::vector<IndexBuild> index_builds(std::string_view schema, const Table& table);

// Foreign keys, added NOT VALID (instant) and then validated (parallel, weak locks).
struct ForeignKeyBuild {
  std::string table;
  std::string add;       // ALTER TABLE ... ADD CONSTRAINT ... NOT VALID
  std::string validate;  // ALTER TABLE ... VALIDATE CONSTRAINT ...
};
std::vector<ForeignKeyBuild> foreign_key_builds(std::string_view schema, const Table& table);

}  // namespace pgshape::sql
