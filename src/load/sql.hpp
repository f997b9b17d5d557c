// Internal to src/load: the DDL a load runs, built from a profile. Every
// identifier goes through quote_ident (pgshape/pg.hpp); no value is spliced
// into SQL text (values travel as COPY data or parameters).
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "pgshape/pg.hpp"
#include "pgshape/profile.hpp"

namespace pgshape::load {

// CREATE TABLE with columns and NOT NULL only: keys and indexes come after the data.
std::string create_table(std::string_view schema, const Table& table);
// CREATE TABLE <leaf> PARTITION OF <table> <bound> for each of a partitioned
// table's leaves (none for a plain table), after create_table.
std::vector<std::string> create_partitions(std::string_view schema, const Table& table);
// CREATE TYPE / CREATE DOMAIN for the profile's `types:`, in order, into `schema`
// (before the tables that use them).
std::vector<std::string> create_types(std::string_view schema, const Profile& profile);
// The column list COPY names, in profile order: ("a", "b", ...).
std::string column_list(const Table& table);

// One statement that builds an index, and the constraint (if any) adopting it.
struct IndexBuild {
  std::string table;
  std::string name;          // the index's (and its constraint's) name, unquoted
  std::string create_index;  // CREATE [UNIQUE] INDEX ... (runs in parallel with others);
                             // empty for a partitioned table's key (adopt builds it)
  std::string adopt;         // ALTER TABLE ... ADD PRIMARY KEY/UNIQUE USING INDEX; may be empty
};
std::vector<IndexBuild> index_builds(std::string_view schema, const Table& table);

// Foreign keys, added NOT VALID (instant) and then validated (parallel, weak locks).
struct ForeignKeyBuild {
  std::string table;
  std::string name;      // the constraint's name, unquoted
  std::string add;       // ALTER TABLE ... ADD CONSTRAINT ... NOT VALID
  std::string validate;  // ALTER TABLE ... VALIDATE CONSTRAINT ...; empty when added valid
};
std::vector<ForeignKeyBuild> foreign_key_builds(std::string_view schema, const Table& table);
// The statements that validate `column`'s foreign key (`validate`, from its
// build), with the planner hint the load gives it when the column is indexed.
std::vector<std::string> validate_steps(const Table& table, const Column& column,
                                        std::string validate);

// Before the user's DDL file: its unqualified names land in the staging schema.
std::string ddl_search_path(std::string_view schema);
// The same for a whole session (an index task's connection, outside a transaction).
std::string ddl_search_path_session(std::string_view schema);

// COPY ... FROM STDIN into `schema`.`table`, binary or text, FREEZE when the
// same transaction truncated the table (freeze needs that).
std::string copy_statement(std::string_view schema, const Table& table, bool binary, bool freeze);
std::string truncate_statement(std::string_view schema, const Table& table);
std::string analyze_statement(std::string_view schema, const Table& table);
// For each identity column: its sequence set to the largest loaded value.
std::vector<std::string> identity_steps(std::string_view schema, const Table& table);
// CREATE STATISTICS for each of the table's extended-statistics objects, to run
// before its ANALYZE (ext_statistics.cpp).
std::vector<std::string> create_statistics_statements(std::string_view schema, const Table& table);
// Those, then the table's ANALYZE: what the load's statistics step runs.
std::vector<std::string> analyze_statements(std::string_view schema, const Table& table);

// The schema statements of staging and swap. `comment_literal` is already a
// quoted SQL string literal (the caller quotes it: with a connection's esc, or
// sql_string_literal below when there is none).
std::string create_schema(std::string_view schema);
std::string comment_on_schema(std::string_view schema, std::string_view comment_literal);
std::string drop_schema_cascade(std::string_view schema, bool if_exists = false);
std::string rename_schema(std::string_view from, std::string_view to);
// 'text' with quotes doubled, for standard_conforming_strings = on (the default
// since 9.1); refuses nothing: a NUL cannot reach here from a profile.
std::string sql_string_literal(std::string_view text);

// The text pgshape marks a schema it owns with, in its COMMENT.
inline constexpr std::string_view kOwnerMark = "pgshape:";
// A COMMENT text that marks a schema as pgshape's: "pgshape: <note>".
std::string owner_comment(std::string_view note);
// The note on a swapped-in dataset's schema, read back by refresh and users.
std::string dataset_note(std::string_view profile, std::string_view scale, uint64_t seed);
inline std::string staging_schema_name(std::string_view target) {
  return std::string(target) + "_staging";
}
inline std::string previous_schema_name(std::string_view target) {
  return std::string(target) + "_previous";
}

}  // namespace pgshape::load
