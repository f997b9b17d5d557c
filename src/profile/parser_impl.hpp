// Internal to the profile parser: the YAML walker. Its member functions live in
// document.cpp (the top level, scales, tables), indexes.cpp, columns.cpp,
// dist_params.cpp, given.cpp, sql_files.cpp and queries.cpp, and the files named
// at each group below.
#pragma once

#include <yaml-cpp/yaml.h>

#include <fmt/format.h>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "pgshape/profile.hpp"
#include "pgshape/util.hpp"
#include "profile/keys.hpp"
#include "profile/reader.hpp"

namespace pgshape::profile {

// Hard ceiling on rows per table: far past any real table, well inside int64
// arithmetic on row numbers.
constexpr int64_t kMaxRows = int64_t{1} << 40;

// Splits "table.column" (ref, from, a param's column) into its two names. Either
// part may be double-quoted as in SQL ("my.table"."col ""x""") so that any name
// can be written; unquoted, the split is at the dot that leaves a known table
// and column (`known` answers that), else at the first dot. nullopt when there
// is no dot outside quotes or a part is empty.
std::optional<std::pair<std::string, std::string>> split_qualified(
    std::string_view text,
    const std::function<bool(const std::string&, const std::string&)>& known);

class ProfileParser {
 public:
  ProfileParser(Reader& reader, std::string base_dir)
      : r_(reader), base_dir_(std::move(base_dir)) {}

  Profile parse(const YAML::Node& root);

 private:
  Reader& r_;
  std::string base_dir_;
  bool has_ddl_ = false;
  bool type_from_ddl_ = false;   // the column being parsed has no type: (a DDL file gives it)
  std::vector<UserType> types_;  // the profile's `types:`, for the columns naming them

  // types:, left_out: and a table's checks: (user_types.cpp).
  void parse_types(const YAML::Node& node, Profile& profile);
  void parse_left_out(const YAML::Node& node, Profile& profile);
  void parse_checks(const YAML::Node& node, Table& table);
  // partition_by: and partitions: of a table (partitions.cpp).
  void parse_partitions(const YAML::Node& node, Table& table);
  // One level of them: `node`'s partition_by: and partitions: into `by` and
  // `leaves`, for `owner` (a table, or a partition that is itself partitioned).
  void parse_partition_level(const YAML::Node& node, const std::string& owner, std::string& by,
                             SourcePos& by_pos, std::vector<PartitionSpec>& leaves, int depth);
  // A column type that is one of the profile's own types, or nullopt.
  std::optional<ColumnType> user_column_type(const std::string& text) const;

  static std::string scale_hint(const Profile& profile, std::string_view name);
  bool swallowed_by_quote(const YAML::Node& root, std::string_view key);
  void parse_scales(const YAML::Node& root, Profile& profile);
  RowSpec parse_row_spec(const YAML::Node& node, std::string_view table);
  void parse_rows(const YAML::Node& key, const YAML::Node& rows, Table& table,
                  const Profile& profile);
  Table parse_table(const YAML::Node& key, const YAML::Node& node, const Profile& profile);
  void parse_cluster(const YAML::Node& node, Table& table);
  std::vector<std::string> string_list(const YAML::Node& node, std::string_view what);
  // A `columns:` list of `table`: each a column of it (unless DDL defines the
  // tables), none twice; `what` and `verb` word the messages ("foreign key of 'x'", "names").
  std::vector<std::string> column_list(const YAML::Node& node, const Table& table,
                                       std::string_view what, std::string_view verb);

  IndexSpec parse_index(const YAML::Node& node, const Table& table);
  void parse_index_column(const YAML::Node& item, const Table& table, IndexSpec& index);

  std::string read_sql_file(const YAML::Node& node, const std::string& spec);
  // The statistics: snapshot into profile.statistics_file/_json, or a diagnostic.
  void read_statistics_file(const YAML::Node& node, const std::string& spec, Profile& profile);

  // One column (columns.cpp).
  Column parse_column(const YAML::Node& key, const YAML::Node& node, const std::string& table);
  // A distribution's parameters, values and bounds (dist_params.cpp).
  void parse_dist_params(const YAML::Node& node, Column& column, const DistSpec& spec);
  void parse_values(const YAML::Node& node, Column& column);
  // Reports `text` (written at `node`) unless it is a valid value of the column's type.
  void check_literal(const YAML::Node& node, const Column& column, const std::string& text);
  void check_dist_ranges(const YAML::Node& node, const Column& column, const std::string& what);
  std::optional<double> bound(const YAML::Node& node, const Column& column, std::string_view what);
  void round_bounds_inward(const YAML::Node& node, Column& column, const std::string& what);
  // given: and cases: (a column that depends on another of its row; given.cpp).
  void parse_given(const YAML::Node& node, Column& column, const std::string& table);
  // Once a table's columns are known: the parent exists, case keys are its values.
  void resolve_given(Table& table);
  ExtStatistics parse_statistics(const YAML::Node& node, const Table& table);
  // objects.cpp: generated:, a foreign key's on_update/on_delete/deferrable/
  // initially_deferred, and the profile's extensions:, functions:, views:.
  void parse_generated(const YAML::Node& node, Column& column, const std::string& what);
  void parse_fk_actions(const YAML::Node& node, const std::string& what, ForeignKeyActions& out);
  static bool has_fk_actions(const YAML::Node& node);
  void parse_objects(const YAML::Node& root, Profile& profile);
  // One `foreign_keys:` item (foreign_keys.cpp); checked whole in checks.cpp.
  ForeignKeySpec parse_foreign_key(const YAML::Node& node, const Table& table);
  // dist: array and dist: document (elements.cpp).
  void parse_array_params(const YAML::Node& node, Column& column);
  void parse_document_params(const YAML::Node& node, Column& column);
  // dist: range (ranges.cpp): lower:, length:, the empty and unbounded shares, bounds:.
  void parse_range_params(const YAML::Node& node, Column& column);

  // Splits every ref's and copy's "table.column" text once all tables are known
  // (parse_column keeps the text whole in ref->table and dist.copy_from_fk).
  void resolve_refs(Profile& profile);

  void read_named_sql(const YAML::Node& item, std::string_view what, std::string& name,
                      std::string& sql);
  QueryParam parse_param(const YAML::Node& node, const Profile& profile);
  void check_placeholders(const YAML::Node& item, const Query& query);
  void parse_queries(const YAML::Node& node, Profile& profile);
  void parse_experiments(const YAML::Node& node, Profile& profile);
  void parse_transactions(const YAML::Node& node, Profile& profile);
};

}  // namespace pgshape::profile
