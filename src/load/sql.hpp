// Internal to src/load: the DDL a load runs, built from a profile. Every
// identifier goes through quote_ident (pgshape/pg.hpp); no value is spliced
// into SQL text (values travel as COPY data or parameters).
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "pgshape/pg.hpp"
#include "pgshape/profile.hpp"

namespace pgshape::load {

// CREATE TABLE with columns and NOT NULL only: keys and indexes come after the data.
std::string create_table(std::string_view schema, const Table& table);
// The column list COPY names, in profile order: ("a", "b", ...).
std::string column_list(const Table& table);

// One statement that builds an index, and the constraint (if any) adopting it.
struct IndexBuild {
  std::string table;
  std::string name;          // the index's (and its constraint's) name, unquoted
  std::string create_index;  // CREATE [UNIQUE] INDEX ... (runs in parallel with others)
  std::string adopt;         // ALTER TABLE ... ADD PRIMARY KEY/UNIQUE USING INDEX; may be empty
};
std::vector<IndexBuild> index_builds(std::string_view schema, const Table& table);

// Foreign keys, added NOT VALID (instant) and then validated (parallel, weak locks).
struct ForeignKeyBuild {
  std::string table;
  std::string name;      // the constraint's name, unquoted
  std::string add;       // ALTER TABLE ... ADD CONSTRAINT ... NOT VALID
  std::string validate;  // ALTER TABLE ... VALIDATE CONSTRAINT ...
};
std::vector<ForeignKeyBuild> foreign_key_builds(std::string_view schema, const Table& table);

}  // namespace pgshape::load
