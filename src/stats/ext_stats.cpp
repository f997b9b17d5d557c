// Extended statistics from the source: which CREATE STATISTICS objects exist
// (pg_statistic_ext) and what ANALYZE measured in them (pg_stats_ext):
// functional dependency degrees, multi-column distinct counts, multivariate MCV
// lists. Catalogs only, in the caller's READ ONLY transaction.
#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include <algorithm>
#include <set>
#include <sstream>

#include "stats/internal.hpp"

namespace pgshape::stats {
namespace {

// The definitions, in creation order. stxexprs (PostgreSQL 14+) marks an object
// on expressions; every supported version (15-18) has it.
constexpr const char* kDefinitionsSql =
    "SELECT s.stxrelid::bigint, s.stxname::text, "
    "  pg_catalog.array_to_json(ARRAY(SELECT a.attname::text "
    "    FROM pg_catalog.unnest(s.stxkeys::int2[]) WITH ORDINALITY k(n, o) "
    "    JOIN pg_catalog.pg_attribute a ON a.attrelid = s.stxrelid AND a.attnum = k.n "
    "    ORDER BY k.o))::text, "
    "  pg_catalog.array_to_json(s.stxkeys::int2[])::text, "
    "  pg_catalog.array_to_json(s.stxkind::text[])::text, "
    "  s.stxexprs IS NOT NULL "
    "FROM pg_catalog.pg_statistic_ext s "
    "JOIN pg_catalog.pg_class c ON c.oid = s.stxrelid "
    "JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace "
    "WHERE n.nspname = $1 ORDER BY s.oid";

// What ANALYZE measured. pg_stats_ext (like pg_stats) shows only rows of tables
// the role may read. Its `inherited` column (15+) sorts a leaf's own row first.
constexpr const char* kDataSql =
    "SELECT e.tablename::text, e.statistics_name::text, "
    "  coalesce(e.n_distinct::text, ''), coalesce(e.dependencies::text, ''), "
    "  coalesce(pg_catalog.array_to_json(e.most_common_vals)::text, '[]'), "
    "  coalesce(pg_catalog.array_to_json(e.most_common_freqs)::text, '[]') "
    "FROM pg_catalog.pg_stats_ext e WHERE e.schemaname = $1 "
    "ORDER BY e.tablename, e.statistics_name, e.inherited";

std::vector<std::string> names_of(const std::vector<int>& attnums, const std::vector<int>& keys,
                                  const std::vector<std::string>& columns) {
  std::vector<std::string> out;
  for (int attnum : attnums) {
    auto it = std::find(keys.begin(), keys.end(), attnum);
    if (it == keys.end()) return {};  // an expression (negative attnum): not kept
    out.push_back(columns[static_cast<size_t>(it - keys.begin())]);
  }
  return out;
}

std::vector<int> attnum_list(std::string_view text) {
  std::vector<int> out;
  std::string copy(text);
  std::replace(copy.begin(), copy.end(), ',', ' ');
  std::istringstream in(copy);
  for (int v; in >> v;) out.push_back(v);
  return out;
}

// pg_ndistinct and pg_dependencies print as JSON: up to PostgreSQL 18 an object
// keyed by attnums ({"2, 3": 4}, {"2 => 3": 1.000000}), from 19 a list of
// objects ({"attributes": [2, 3], "ndistinct": 4}, {"attributes": [2],
// "dependency": 3, "degree": 1.0}). Both are read.
void parse_ndistinct(const std::string& text, const std::vector<int>& keys, ExtendedStats& out) {
  if (text.empty()) return;
  const auto json = nlohmann::json::parse(text, nullptr, false);
  if (json.is_object()) {
    for (const auto& [key, value] : json.items()) {
      auto columns = names_of(attnum_list(key), keys, out.columns);
      if (!columns.empty() && value.is_number())
        out.ndistinct.push_back({std::move(columns), value.get<double>()});
    }
  } else if (json.is_array()) {
    for (const auto& item : json) {
      if (!item.is_object() || !item.contains("attributes") || !item.contains("ndistinct"))
        continue;
      auto columns = names_of(item["attributes"].get<std::vector<int>>(), keys, out.columns);
      if (!columns.empty()) out.ndistinct.push_back({std::move(columns), item["ndistinct"]});
    }
  }
}

void parse_dependencies(const std::string& text, const std::vector<int>& keys, ExtendedStats& out) {
  if (text.empty()) return;
  const auto json = nlohmann::json::parse(text, nullptr, false);
  if (json.is_object()) {
    for (const auto& [key, value] : json.items()) {
      const size_t arrow = key.find("=>");
      if (arrow == std::string::npos || !value.is_number()) continue;
      auto from = names_of(attnum_list(key.substr(0, arrow)), keys, out.columns);
      auto to = names_of(attnum_list(key.substr(arrow + 2)), keys, out.columns);
      if (!from.empty() && to.size() == 1)
        out.dependencies.push_back({std::move(from), to[0], value.get<double>()});
    }
  } else if (json.is_array()) {
    for (const auto& item : json) {
      if (!item.is_object() || !item.contains("attributes") || !item.contains("dependency") ||
          !item.contains("degree"))
        continue;
      auto from = names_of(item["attributes"].get<std::vector<int>>(), keys, out.columns);
      auto to = names_of({item["dependency"].get<int>()}, keys, out.columns);
      if (!from.empty() && to.size() == 1)
        out.dependencies.push_back({std::move(from), to[0], item["degree"].get<double>()});
    }
  }
}

}  // namespace

void read_extended_stats(pqxx::transaction_base& tx, const std::string& schema,
                         const std::map<int64_t, size_t>& by_oid, StatsSnapshot& snap) {
  std::map<std::pair<std::string, std::string>, std::vector<int>> keys_of;
  for (const auto& row : tx.exec_params(kDefinitionsSql, schema)) {
    auto it = by_oid.find(row[0].as<int64_t>());
    if (it == by_oid.end()) continue;
    ExtendedStats stats{.name = row[1].as<std::string>(), .expressions = row[5].as<bool>()};
    for (const auto& c : nlohmann::json::parse(row[2].as<std::string>()))
      stats.columns.push_back(c.get<std::string>());
    for (const auto& k : nlohmann::json::parse(row[4].as<std::string>())) {
      const std::string kind = k.get<std::string>();
      if (kind == "d") stats.kinds.push_back("ndistinct");
      if (kind == "f") stats.kinds.push_back("dependencies");
      if (kind == "m") stats.kinds.push_back("mcv");
    }
    TableStats& table = snap.tables[it->second];
    if (stats.expressions) {  // kept for the writer's note; its data is not read
      table.extended.push_back(std::move(stats));
      continue;
    }
    if (stats.columns.size() < 2 || stats.kinds.empty()) continue;
    keys_of[{table.name, stats.name}] =
        nlohmann::json::parse(row[3].as<std::string>()).get<std::vector<int>>();
    table.extended.push_back(std::move(stats));
  }
  if (keys_of.empty()) return;
  std::set<std::pair<std::string, std::string>> seen;
  for (const auto& row : tx.exec_params(kDataSql, schema)) {
    const std::pair<std::string, std::string> id{row[0].as<std::string>(),
                                                 row[1].as<std::string>()};
    auto keys = keys_of.find(id);
    if (keys == keys_of.end() || !seen.insert(id).second) continue;
    for (auto& table : snap.tables) {
      if (table.name != id.first) continue;
      for (auto& stats : table.extended) {
        if (stats.name != id.second) continue;
        parse_ndistinct(row[2].as<std::string>(), keys->second, stats);
        parse_dependencies(row[3].as<std::string>(), keys->second, stats);
        const auto values = nlohmann::json::parse(row[4].as<std::string>());
        const auto freqs = nlohmann::json::parse(row[5].as<std::string>());
        for (size_t i = 0; i < values.size() && i < freqs.size(); ++i) {
          ExtendedStats::McvItem item{.frequency = freqs[i].get<double>()};
          for (const auto& v : values[i])
            item.values.push_back(v.is_null() ? std::nullopt : std::optional(v.get<std::string>()));
          if (item.values.size() == stats.columns.size()) stats.mcv.push_back(std::move(item));
        }
      }
    }
  }
}

}  // namespace pgshape::stats
