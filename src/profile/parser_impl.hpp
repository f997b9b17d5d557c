// Internal to the profile parser: the YAML walker. Its member functions live in
// parser.cpp (document, scales, tables), columns.cpp and queries.cpp.
#pragma once

#include <yaml-cpp/yaml.h>

#include <fmt/format.h>
#include <algorithm>
#include <cmath>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "pgshape/profile.hpp"
#include "pgshape/util.hpp"
#include "profile/keys.hpp"
#include "profile/reader.hpp"

namespace pgshape::profile {

namespace fs = std::filesystem;

// Hard ceiling on rows per table: far past any real table, well inside int64
// arithmetic on row numbers.
constexpr int64_t kMaxRows = int64_t{1} << 40;

class ProfileParser {
 public:
  ProfileParser(Reader& reader, std::string base_dir)
      : r_(reader), base_dir_(std::move(base_dir)) {}

  Profile parse(const YAML::Node& root) {
    Profile profile;
    profile.file = r_.file();
    if (!r_.check_map(root, "the profile", section_keys("profile"))) return profile;
    if (auto n = root["name"]) profile.name = r_.string(n, "name").value_or("");
    if (profile.name.empty()) profile.name = fs::path(r_.file()).stem().string();
    profile.schema = profile.name;
    if (auto n = root["schema"]) {
      profile.schema = r_.string(n, "schema").value_or(profile.schema);
      r_.identifier(n, profile.schema, "the schema");
    } else if (auto name = root["name"]) {
      r_.identifier(name, profile.schema, "the schema (from the profile's name)");
    }
    if (auto n = root["seed"]) {
      auto seed = r_.integer(n, "seed");
      if (seed && *seed < 0) r_.error(n, "seed must not be negative");
      profile.seed = static_cast<uint64_t>(seed.value_or(1));
    }
    if (auto n = root["ddl"]) {
      if (auto file = r_.string(n, "ddl")) profile.ddl_sql = read_sql_file(n, *file);
    }
    has_ddl_ = !profile.ddl_sql.empty() || root["ddl"];
    parse_scales(root, profile);
    if (auto n = root["default_scale"]) {
      profile.default_scale = r_.string(n, "default_scale").value_or("");
      if (!profile.default_scale.empty() && !profile.find_scale(profile.default_scale))
        r_.error(n, fmt::format("unknown scale point '{}'", profile.default_scale),
                 scale_hint(profile, profile.default_scale));
    } else if (!profile.scales.empty()) {
      profile.default_scale = profile.scales.front().name;
    }
    const YAML::Node tables = root["tables"];
    if (!tables) {
      if (!swallowed_by_quote(root, "tables"))
        r_.error(SourcePos{1, 1}, "the profile has no 'tables'", "add tables: with at least one");
    } else if (r_.check_map(tables, "tables", {})) {
      for (auto it = tables.begin(); it != tables.end(); ++it)
        profile.tables.push_back(parse_table(it->first, it->second, profile));
    }
    if (auto n = root["queries"]) parse_queries(n, profile);
    if (auto n = root["experiments"]) parse_experiments(n, profile);
    if (auto n = root["transactions"]) parse_transactions(n, profile);
    return profile;
  }

 private:
  Reader& r_;
  std::string base_dir_;
  bool has_ddl_ = false;

  static std::string scale_hint(const Profile& profile, std::string_view name) {
    std::vector<std::string_view> names;
    for (const auto& s : profile.scales) names.push_back(s.name);
    auto best = closest_match(name, names);
    if (!best.empty()) return fmt::format("did you mean '{}'?", best);
    return fmt::format("scale points: {}", fmt::join(names, ", "));
  }

  // A quote left open swallows the keys after it into one string, which YAML
  // folds onto one line. Reports that string (true) when it holds `key:`.
  bool swallowed_by_quote(const YAML::Node& root, std::string_view key) {
    for (auto it = root.begin(); it != root.end(); ++it) {
      if (!it->second.IsScalar() || it->second.Tag() != "!") continue;  // "!" = quoted
      if (it->second.Scalar().find(fmt::format(" {}:", key)) == std::string::npos) continue;
      r_.error(it->second,
               fmt::format("the profile has no '{}': the quoted value of '{}' runs over it", key,
                           it->first.Scalar()),
               "close the quote that starts here");
      return true;
    }
    return false;
  }

  std::string read_sql_file(const YAML::Node& node, const std::string& spec) {
    std::string path = spec;
    std::string block;
    if (auto hash = spec.find('#'); hash != std::string::npos) {
      path = spec.substr(0, hash);
      block = spec.substr(hash + 1);
    }
    fs::path found;
    for (const fs::path& dir :
         {fs::path(base_dir_), fs::path(base_dir_).parent_path(), fs::current_path()}) {
      fs::path candidate = fs::path(path).is_absolute() ? fs::path(path) : dir / path;
      std::error_code ec;
      if (fs::is_regular_file(candidate, ec)) {
        found = candidate;
        break;
      }
    }
    if (found.empty()) {
      r_.error(node, fmt::format("cannot read SQL file '{}'", path),
               fmt::format("paths are relative to the profile's folder ({})", base_dir_));
      return {};
    }
    std::ifstream in(found);
    std::stringstream text;
    text << in.rdbuf();
    std::string sql = text.str();
    if (block.empty()) return sql;
    // A `-- name: x` line starts block x, which runs to the next such line.
    const std::string marker = "-- name: ";
    std::istringstream lines(sql);
    std::string line, out;
    bool inside = false, seen = false;
    while (std::getline(lines, line)) {
      if (line.rfind(marker, 0) == 0) {
        std::string name = line.substr(marker.size());
        while (!name.empty() && std::isspace(static_cast<unsigned char>(name.back())))
          name.pop_back();
        inside = name == block;
        seen = seen || inside;
        continue;
      }
      if (inside) out += line + "\n";
    }
    if (!seen) r_.error(node, fmt::format("'{}' has no block '-- name: {}'", path, block));
    return out;
  }

  void parse_scales(const YAML::Node& root, Profile& profile) {
    const YAML::Node scales = root["scales"];
    if (!scales) {
      if (!swallowed_by_quote(root, "scales"))
        r_.error(SourcePos{1, 1}, "the profile has no 'scales'",
                 "add e.g. scales: {test: 12000, production: 340000}");
      return;
    }
    if (!r_.check_map(scales, "scales", {})) return;
    for (auto it = scales.begin(); it != scales.end(); ++it) {
      Scale scale{.name = it->first.Scalar(), .pos = Reader::pos(it->first)};
      YAML::Node value = it->second;
      if (value.IsMap()) {
        if (!r_.check_map(value, "a scale point", {"anchor"})) continue;
        value = value["anchor"];
        if (!value) {
          r_.error(it->second, fmt::format("scale point '{}' has no anchor", scale.name));
          continue;
        }
      }
      auto anchor = r_.integer(value, fmt::format("the anchor of scale '{}'", scale.name));
      if (anchor && (*anchor <= 0 || *anchor > kMaxRows))
        r_.error(value, fmt::format("the anchor of scale '{}' must be between 1 and 2^40, not {}",
                                    scale.name, *anchor));
      scale.anchor = anchor.value_or(1);
      profile.scales.push_back(std::move(scale));
    }
    if (profile.scales.empty()) r_.error(scales, "'scales' is empty");
  }

  RowSpec parse_row_spec(const YAML::Node& node, std::string_view table) {
    RowSpec spec{.pos = Reader::pos(node)};
    if (node.IsScalar()) {
      const std::string& text = node.Scalar();
      if (!text.empty() && (text.back() == 'x' || text.back() == 'X')) {
        YAML::Node number(text.substr(0, text.size() - 1));
        double factor = 0;
        if (!YAML::convert<double>::decode(number, factor) || !std::isfinite(factor) ||
            factor <= 0 || factor > 1e6) {
          r_.error(node, fmt::format("rows of '{}': '{}' is not a positive multiple", table, text),
                   "write e.g. 2.5x for 2.5 times the scale's anchor");
        }
        spec.per_anchor = factor > 0 && std::isfinite(factor) ? factor : 1;
        return spec;
      }
    }
    auto rows = r_.integer(node, fmt::format("rows of '{}'", table));
    if (rows && *rows <= 0)
      r_.error(node, fmt::format("rows of '{}' must be at least 1, not {}", table, *rows));
    else if (rows && *rows > kMaxRows)
      r_.error(node, fmt::format("rows of '{}' is absurd: {} (the limit is 2^40)", table, *rows));
    spec.fixed = rows && *rows > 0 ? *rows : 1;
    return spec;
  }

  Table parse_table(const YAML::Node& key, const YAML::Node& node, const Profile& profile) {
    Table table{.name = key.Scalar(), .pos = Reader::pos(key)};
    r_.identifier(key, table.name, "table");
    if (!r_.check_map(node, fmt::format("table '{}'", table.name), section_keys("table")))
      return table;
    const YAML::Node rows = node["rows"];
    if (!rows) {
      r_.error(key, fmt::format("table '{}' has no 'rows'", table.name),
               "add rows: 1000 (fixed) or rows: 2x (times the scale's anchor)");
    } else if (rows.IsMap()) {
      table.rows = RowSpec{.fixed = 0, .pos = Reader::pos(rows)};
      r_.check_map(rows, fmt::format("rows of '{}'", table.name), {});
      for (auto it = rows.begin(); it != rows.end(); ++it) {
        const std::string scale = it->first.Scalar();
        if (!profile.find_scale(scale)) {
          r_.error(it->first, fmt::format("unknown scale point '{}'", scale),
                   scale_hint(profile, scale));
          continue;
        }
        table.rows_at[scale] = parse_row_spec(it->second, table.name);
      }
      for (const auto& scale : profile.scales)
        if (!table.rows_at.count(scale.name))
          r_.error(rows, fmt::format("rows of '{}' say nothing for scale point '{}'", table.name,
                                     scale.name));
    } else {
      table.rows = parse_row_spec(rows, table.name);
    }
    const YAML::Node columns = node["columns"];
    if (!columns) {
      r_.error(key, fmt::format("table '{}' has no 'columns'", table.name));
    } else if (r_.check_map(columns, fmt::format("columns of '{}'", table.name), {})) {
      for (auto it = columns.begin(); it != columns.end(); ++it)
        table.columns.push_back(parse_column(it->first, it->second, table.name));
      if (table.columns.empty())
        r_.error(columns, fmt::format("table '{}' has no columns", table.name));
    }
    for (const auto& column : table.columns)
      if (column.primary_key) table.primary_key.push_back(column.name);
    if (auto pk = node["primary_key"]) {
      if (!table.primary_key.empty())
        r_.error(pk, fmt::format("table '{}' declares its primary key twice", table.name),
                 "use either primary_key: true on a column or primary_key: [..] on the table");
      table.primary_key.clear();
      for (const auto& name : string_list(pk, "primary_key")) table.primary_key.push_back(name);
    }
    if (auto indexes = node["indexes"]) {
      if (!indexes.IsSequence()) {
        r_.error(indexes, "indexes must be a list");
      } else {
        for (const auto& index : indexes) table.indexes.push_back(parse_index(index, table));
      }
    }
    return table;
  }

  std::vector<std::string> string_list(const YAML::Node& node, std::string_view what) {
    std::vector<std::string> out;
    if (node.IsScalar()) {
      out.push_back(node.Scalar());
      return out;
    }
    if (!node.IsSequence()) {
      r_.error(node, fmt::format("{} must be a list of strings", what));
      return out;
    }
    for (const auto& item : node)
      if (auto s = r_.string(item, what)) out.push_back(*s);
    return out;
  }

  IndexSpec parse_index(const YAML::Node& node, const Table& table) {
    IndexSpec index{.pos = Reader::pos(node)};
    if (!r_.check_map(node, "an index", section_keys("index"))) return index;
    if (auto n = node["name"]) {
      index.name = r_.string(n, "index name").value_or("");
      r_.identifier(n, index.name, "index");
    }
    if (auto n = node["where"]) index.where = r_.string(n, "where").value_or("");
    if (auto n = node["unique"]) index.unique = r_.boolean(n, "unique").value_or(false);
    const YAML::Node columns = node["columns"];
    if (!columns) {
      r_.error(node, "an index needs 'columns'");
      return index;
    }
    static const std::vector<std::string> kOrders = {"",
                                                     "ASC",
                                                     "DESC",
                                                     "ASC NULLS FIRST",
                                                     "ASC NULLS LAST",
                                                     "DESC NULLS FIRST",
                                                     "DESC NULLS LAST",
                                                     "NULLS FIRST",
                                                     "NULLS LAST"};
    for (const auto& spec : string_list(columns, "index columns")) {
      std::istringstream words(spec);
      std::string name, word, order;
      words >> name;
      while (words >> word) {
        std::transform(word.begin(), word.end(), word.begin(), ::toupper);
        order += (order.empty() ? "" : " ") + word;
      }
      if (std::find(kOrders.begin(), kOrders.end(), order) == kOrders.end())
        r_.error(columns, fmt::format("index column '{}': '{}' is not an ordering", spec, order),
                 "write 'column', 'column DESC' or 'column DESC NULLS LAST'");
      if (!table.find_column(name) && !has_ddl_)
        r_.error(columns, fmt::format("index on '{}' names unknown column '{}'", table.name, name));
      index.columns.push_back(name);
      index.orders.push_back(order);
    }
    return index;
  }

  Column parse_column(const YAML::Node& key, const YAML::Node& node, const std::string& table);
  void parse_dist_params(const YAML::Node& node, Column& column, const DistSpec& spec);
  void check_dist_ranges(const YAML::Node& node, const Column& column, const std::string& what);
  std::optional<double> bound(const YAML::Node& node, const Column& column, std::string_view what);
  void read_named_sql(const YAML::Node& item, std::string_view what, std::string& name,
                      std::string& sql);
  void parse_queries(const YAML::Node& node, Profile& profile);
  void parse_experiments(const YAML::Node& node, Profile& profile);
  void parse_transactions(const YAML::Node& node, Profile& profile);
};

}  // namespace pgshape::profile
