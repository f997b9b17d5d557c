// The profile's top level, its scale points and tables: the first part of the
// YAML walk (columns.cpp, dist_params.cpp, given.cpp, indexes.cpp and queries.cpp
// do the rest).
#include <fmt/format.h>
#include <cmath>
#include <filesystem>
#include <set>

#include "profile/parser_impl.hpp"

namespace pgshape::profile {

namespace fs = std::filesystem;

Profile ProfileParser::parse(const YAML::Node& root) {
  Profile profile;
  profile.file = r_.file();
  if (!r_.check_map(root, "the profile", section_keys("profile"))) return profile;
  if (auto n = root["name"]) profile.name = r_.string(n, "name").value_or("");
  if (profile.name.empty()) profile.name = fs::path(r_.file()).stem().string();
  profile.schema = profile.name;
  const YAML::Node schema_node = root["schema"] ? root["schema"] : root["name"];
  if (auto n = root["schema"]) profile.schema = r_.string(n, "schema").value_or(profile.schema);
  const char* what = root["schema"] ? "the schema" : "the schema (from the profile's name)";
  if (schema_node && r_.identifier(schema_node, profile.schema, what)) {
    if (is_system_schema(profile.schema))
      r_.error("profile.system-schema", schema_node,
               fmt::format("{} '{}' is a system schema; pgshape never loads into one", what,
                           profile.schema),
               "name a schema of your own (schema: ...); pg_* and information_schema are "
               "PostgreSQL's");
    else if (!target_schema_problem(profile.schema).empty())
      r_.error("profile.bad-name", schema_node,
               fmt::format("{} '{}' is {} bytes; pgshape needs at most 54", what, profile.schema,
                           profile.schema.size()),
               "shorten it: pgshape also creates <schema>_staging and <schema>_previous");
  }
  if (auto n = root["seed"]) {
    auto seed = r_.integer(n, "seed");
    if (seed && *seed < 0) r_.error("profile.out-of-range", n, "seed must not be negative");
    profile.seed = static_cast<uint64_t>(std::max<int64_t>(seed.value_or(1), 0));
  }
  if (auto n = root["ddl"]) {
    if (auto file = r_.string(n, "ddl")) profile.ddl_sql = read_sql_file(n, *file);
  }
  has_ddl_ = !profile.ddl_sql.empty() || root["ddl"];
  if (auto n = root["statistics"]) {
    if (auto file = r_.string(n, "statistics")) read_statistics_file(n, *file, profile);
  }
  parse_scales(root, profile);
  if (auto n = root["default_scale"]) {
    profile.default_scale = r_.string(n, "default_scale").value_or("");
    if (!profile.default_scale.empty() && !profile.find_scale(profile.default_scale))
      r_.error("profile.unknown-scale", n,
               fmt::format("unknown scale point '{}'", profile.default_scale),
               scale_hint(profile, profile.default_scale));
  } else if (!profile.scales.empty()) {
    profile.default_scale = profile.scales.front().name;
  }
  if (auto n = root["types"]) parse_types(n, profile);
  const YAML::Node tables = root["tables"];
  if (!tables) {
    if (!swallowed_by_quote(root, "tables"))
      r_.error("profile.missing-key", SourcePos{1, 1}, "the profile has no 'tables'",
               "add tables: with at least one");
  } else if (r_.check_map(tables, "tables", {})) {
    for (auto it = tables.begin(); it != tables.end(); ++it)
      profile.tables.push_back(parse_table(it->first, it->second, profile));
  }
  resolve_refs(profile);
  if (auto n = root["queries"]) parse_queries(n, profile);
  if (auto n = root["experiments"]) parse_experiments(n, profile);
  if (auto n = root["transactions"]) parse_transactions(n, profile);
  if (auto n = root["left_out"]) parse_left_out(n, profile);
  parse_objects(root, profile);
  return profile;
}

std::string ProfileParser::scale_hint(const Profile& profile, std::string_view name) {
  std::vector<std::string_view> names;
  for (const auto& s : profile.scales) names.push_back(s.name);
  auto best = closest_match(name, names);
  if (!best.empty()) return fmt::format("did you mean '{}'?", best);
  return fmt::format("scale points: {}", fmt::join(names, ", "));
}

// A quote left open swallows the keys after it into one string, which YAML
// folds onto one line. Reports that string (true) when it holds `key:`.
bool ProfileParser::swallowed_by_quote(const YAML::Node& root, std::string_view key) {
  for (auto it = root.begin(); it != root.end(); ++it) {
    if (!it->second.IsScalar() || it->second.Tag() != "!") continue;  // "!" = quoted
    if (it->second.Scalar().find(fmt::format(" {}:", key)) == std::string::npos) continue;
    r_.error("profile.yaml-syntax", it->second,
             fmt::format("the profile has no '{}': the quoted value of '{}' runs over it", key,
                         it->first.Scalar()),
             "close the quote that starts here");
    return true;
  }
  return false;
}

void ProfileParser::parse_scales(const YAML::Node& root, Profile& profile) {
  const YAML::Node scales = root["scales"];
  if (!scales) {
    if (!swallowed_by_quote(root, "scales"))
      r_.error("profile.missing-key", SourcePos{1, 1}, "the profile has no 'scales'",
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
        r_.error("profile.missing-key", it->second,
                 fmt::format("scale point '{}' has no anchor", scale.name));
        continue;
      }
    }
    auto anchor = r_.integer(value, fmt::format("the anchor of scale '{}'", scale.name));
    if (anchor && (*anchor <= 0 || *anchor > kMaxRows)) {
      r_.error("profile.out-of-range", value,
               fmt::format("the anchor of scale '{}' must be between 1 and 2^40, not {}",
                           scale.name, *anchor));
      anchor.reset();
    }
    // A bad anchor counts as 1, so the checks of the tables still run, leniently.
    scale.anchor = anchor.value_or(1);
    profile.scales.push_back(std::move(scale));
  }
  if (profile.scales.empty()) r_.error("profile.missing-key", scales, "'scales' is empty");
}

RowSpec ProfileParser::parse_row_spec(const YAML::Node& node, std::string_view table) {
  RowSpec spec{.pos = Reader::pos(node)};
  if (node.IsScalar()) {
    const std::string& text = node.Scalar();
    if (!text.empty() && (text.back() == 'x' || text.back() == 'X')) {
      YAML::Node number(text.substr(0, text.size() - 1));
      double factor = 0;
      const bool parsed = YAML::convert<double>::decode(number, factor) && std::isfinite(factor);
      if (!parsed || factor <= 0 || factor > 1e6) {
        const ErrorId code = parsed ? ErrorId("profile.out-of-range") : ErrorId("profile.bad-type");
        r_.error(code, node,
                 fmt::format("rows of '{}': '{}' is not a positive multiple", table, text),
                 "write e.g. 2.5x for 2.5 times the scale's anchor (at most 1000000x)");
      }
      spec.per_anchor = parsed && factor > 0 && factor <= 1e6 ? factor : 1;
      return spec;
    }
  }
  auto rows = r_.integer(node, fmt::format("rows of '{}'", table));
  if (rows && *rows <= 0)
    r_.error("profile.out-of-range", node,
             fmt::format("rows of '{}' must be at least 1, not {}", table, *rows));
  else if (rows && *rows > kMaxRows)
    r_.error("profile.out-of-range", node,
             fmt::format("rows of '{}' is absurd: {} (the limit is 2^40)", table, *rows));
  spec.fixed = rows && *rows > 0 && *rows <= kMaxRows ? *rows : 1;
  return spec;
}

void ProfileParser::parse_rows(const YAML::Node& key, const YAML::Node& rows, Table& table,
                               const Profile& profile) {
  if (!rows) {
    r_.error("profile.missing-key", key, fmt::format("table '{}' has no 'rows'", table.name),
             "add rows: 1000 (fixed) or rows: 2x (times the scale's anchor)");
    table.rows = RowSpec{.fixed = 1};
    return;
  }
  if (!rows.IsMap()) {
    table.rows = parse_row_spec(rows, table.name);
    return;
  }
  table.rows = RowSpec{.fixed = 1, .pos = Reader::pos(rows)};
  r_.check_map(rows, fmt::format("rows of '{}'", table.name), {});
  for (auto it = rows.begin(); it != rows.end(); ++it) {
    const std::string scale = it->first.Scalar();
    if (!profile.find_scale(scale)) {
      r_.error("profile.unknown-scale", it->first, fmt::format("unknown scale point '{}'", scale),
               scale_hint(profile, scale));
      continue;
    }
    table.rows_at[scale] = parse_row_spec(it->second, table.name);
  }
  for (const auto& scale : profile.scales)
    if (!table.rows_at.count(scale.name))
      r_.error(
          "profile.missing-key", rows,
          fmt::format("rows of '{}' say nothing for scale point '{}'", table.name, scale.name));
}

Table ProfileParser::parse_table(const YAML::Node& key, const YAML::Node& node,
                                 const Profile& profile) {
  Table table{.name = key.Scalar(), .pos = Reader::pos(key)};
  r_.identifier(key, table.name, "table");
  if (!r_.check_map(node, fmt::format("table '{}'", table.name), section_keys("table"))) {
    r_.poison(table.name);
    return table;
  }
  parse_rows(key, node["rows"], table, profile);
  const YAML::Node columns = node["columns"];
  if (!columns) {
    r_.error("profile.missing-key", key, fmt::format("table '{}' has no 'columns'", table.name));
    r_.poison(table.name);
  } else if (r_.check_map(columns, fmt::format("columns of '{}'", table.name), {})) {
    for (auto it = columns.begin(); it != columns.end(); ++it) {
      const size_t before = r_.count();
      table.columns.push_back(parse_column(it->first, it->second, table.name));
      if (r_.count() > before) r_.poison(table.name, table.columns.back().name);
    }
    if (table.columns.empty())
      r_.error("profile.missing-key", columns,
               fmt::format("table '{}' has no columns", table.name));
  } else {
    r_.poison(table.name);
  }
  for (const auto& column : table.columns)
    if (column.primary_key) table.primary_key.push_back(column.name);
  if (auto pk = node["primary_key"]) {
    if (!table.primary_key.empty())
      r_.error("profile.bad-key", pk,
               fmt::format("table '{}' declares its primary key twice", table.name),
               "use either primary_key: true on a column or primary_key: [..] on the table");
    table.primary_key.clear();
    for (const auto& name : string_list(pk, "primary_key")) table.primary_key.push_back(name);
  }
  if (auto cluster = node["cluster"]) parse_cluster(cluster, table);
  if (auto indexes = node["indexes"]) {
    if (!indexes.IsSequence()) {
      r_.error("profile.bad-type", indexes, "indexes must be a list");
    } else {
      for (const auto& index : indexes) table.indexes.push_back(parse_index(index, table));
    }
  }
  if (auto checks = node["checks"]) parse_checks(checks, table);
  parse_partitions(node, table);
  if (auto stats = node["statistics"]) {
    if (!stats.IsSequence()) {
      r_.error("profile.bad-type", stats, "statistics must be a list");
    } else {
      for (const auto& item : stats) table.statistics.push_back(parse_statistics(item, table));
    }
  }
  if (auto fks = node["foreign_keys"]) {
    if (!fks.IsSequence()) {
      r_.error("profile.bad-type", fks, "foreign_keys must be a list");
    } else {
      for (const auto& item : fks) table.foreign_keys.push_back(parse_foreign_key(item, table));
    }
  }
  resolve_given(table);
  return table;
}

void ProfileParser::parse_cluster(const YAML::Node& node, Table& table) {
  table.cluster_pos = Reader::pos(node);
  const std::string name = r_.string(node, "cluster").value_or("");
  std::vector<std::string_view> fanouts;
  for (const auto& c : table.columns)
    if (c.ref && c.dist.kind == DistKind::kFanout) fanouts.push_back(c.name);
  if (name == "parent" && !table.find_column("parent")) {
    if (fanouts.size() == 1) {
      table.cluster = std::string(fanouts[0]);
      return;
    }
    r_.error(
        "profile.bad-value", node,
        fanouts.empty()
            ? fmt::format("cluster: parent, but table '{}' has no fanout foreign key", table.name)
            : fmt::format("cluster: parent, but table '{}' has {} fanout foreign keys ({})",
                          table.name, fanouts.size(), fmt::join(fanouts, ", ")),
        fanouts.empty() ? "give the foreign key dist: fanout (children per parent)"
                        : "name the one to group by: cluster: <column>");
    return;
  }
  // Another column of the table: a composite key's first column, checked
  // once the keys are known (check_pair_order.cpp).
  const Column* column = table.find_column(name);
  if (column && !(column->ref && column->dist.kind == DistKind::kFanout)) {
    table.cluster = name;
    return;
  }
  if (std::find(fanouts.begin(), fanouts.end(), name) == fanouts.end()) {
    r_.error(
        "profile.bad-value", node,
        fmt::format("cluster '{}' of table '{}' is no fanout foreign key of it", name, table.name),
        fanouts.empty() ? "give the foreign key dist: fanout (children per parent)"
                        : fmt::format("fanout foreign keys: {}", fmt::join(fanouts, ", ")));
    return;
  }
  table.cluster = name;
}

std::vector<std::string> ProfileParser::string_list(const YAML::Node& node, std::string_view what) {
  std::vector<std::string> out;
  if (node.IsScalar()) {
    out.push_back(node.Scalar());
    return out;
  }
  if (!node.IsSequence()) {
    r_.error("profile.bad-type", node, fmt::format("{} must be a list of strings", what));
    return out;
  }
  for (const auto& item : node)
    if (auto s = r_.string(item, what)) out.push_back(*s);
  return out;
}

std::vector<std::string> ProfileParser::column_list(const YAML::Node& node, const Table& table,
                                                    std::string_view what, std::string_view verb) {
  std::vector<std::string> out = string_list(node, "columns");
  std::set<std::string> seen;
  for (size_t i = 0; i < out.size(); ++i) {
    const YAML::Node at = node.IsSequence() && i < node.size() ? node[i] : node;
    // With DDL the columns are checked once it ran, against the real table.
    if (!table.find_column(out[i]) && !has_ddl_)
      r_.error("profile.unknown-column", at,
               fmt::format("{} {} unknown column '{}'", what, verb, out[i]));
    if (!seen.insert(out[i]).second)
      r_.error("profile.duplicate-name", at,
               fmt::format("{} {} column '{}' twice", what, verb, out[i]));
  }
  return out;
}

void ProfileParser::resolve_refs(Profile& profile) {
  for (auto& table : profile.tables) {
    for (auto& column : table.columns) {
      if (column.ref && column.ref->column.empty()) {
        auto parts = split_qualified(column.ref->table, [&](const auto& t, const auto& c) {
          const Table* parent = profile.find_table(t);
          return parent && parent->find_column(c);
        });
        if (parts) column.ref->table = parts->first, column.ref->column = parts->second;
      }
    }
    for (auto& column : table.columns) {
      Distribution& d = column.dist;
      if (d.kind != DistKind::kCopy || d.copy_from_fk.empty() || !d.copy_parent_column.empty())
        continue;
      auto parts = split_qualified(d.copy_from_fk, [&](const auto& fk, const auto& c) {
        const Column* via = table.find_column(fk);
        const Table* parent = via && via->ref ? profile.find_table(via->ref->table) : nullptr;
        return parent && parent->find_column(c);
      });
      if (parts) d.copy_from_fk = parts->first, d.copy_parent_column = parts->second;
    }
  }
}

}  // namespace pgshape::profile
