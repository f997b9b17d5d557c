// The columns of the source's tables and their pg_stats rows, a partitioned
// parent's merged from its leaves' when nobody analyzed it.
#include <pqxx/pqxx>

#include <fmt/format.h>
#include <algorithm>
#include <map>
#include <nlohmann/json.hpp>
#include <set>

#include "pgshape/stats.hpp"
#include "stats/internal.hpp"

namespace pgshape::stats {
namespace {

constexpr const char* kColumnsSql =
    "SELECT a.attrelid::bigint, a.attname::text, "
    "       pg_catalog.format_type(a.atttypid, a.atttypmod), a.attnotnull, "
    "       coalesce(pg_catalog.pg_get_expr(d.adbin, d.adrelid), ''), "
    "       a.attgenerated::text, a.attidentity::text, "
    // pg_stats' own filter (system_views.sql), so a hidden row is told from a missing one.
    "       NOT (pg_catalog.has_column_privilege(c.oid, a.attnum, 'select') "
    "            AND (c.relrowsecurity = false OR NOT pg_catalog.row_security_active(c.oid))), "
    "       coalesce((SELECT x.extname::text FROM pg_catalog.pg_type t "
    "         JOIN pg_catalog.pg_depend e ON e.classid = 'pg_catalog.pg_type'::pg_catalog.regclass "
    "         AND e.objid = CASE WHEN t.typelem <> 0 AND t.typlen = -1 THEN t.typelem "
    "                            ELSE t.oid END AND e.deptype = 'e' "
    "         JOIN pg_catalog.pg_extension x ON x.oid = e.refobjid "
    "         WHERE t.oid = a.atttypid LIMIT 1), '') "
    "FROM pg_catalog.pg_attribute a "
    "JOIN pg_catalog.pg_class c ON c.oid = a.attrelid "
    "JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace "
    "LEFT JOIN pg_catalog.pg_attrdef d ON d.adrelid = a.attrelid AND d.adnum = a.attnum "
    "WHERE n.nspname = $1 AND c.relkind IN ('r', 'p') AND a.attnum > 0 AND NOT a.attisdropped "
    "ORDER BY a.attrelid, a.attnum";

// Non-inherited rows first: a partitioned parent only has inherited ones.
constexpr const char* kStatsSql =
    "SELECT s.tablename::text, s.attname::text, s.null_frac::float8, s.avg_width::float8, "
    "       s.n_distinct::float8, "
    "       coalesce(pg_catalog.array_to_json(s.most_common_vals::text::text[])::text, '[]'), "
    "       coalesce(pg_catalog.array_to_json(s.most_common_freqs)::text, '[]'), "
    "       coalesce(pg_catalog.array_to_json(s.histogram_bounds::text::text[])::text, '[]'), "
    "       s.correlation::float8, "
    "       coalesce(pg_catalog.array_to_json(s.most_common_elems::text::text[])::text, '[]'), "
    "       coalesce(pg_catalog.array_to_json(s.most_common_elem_freqs)::text, '[]'), "
    "       coalesce(pg_catalog.array_to_json(s.elem_count_histogram)::text, '[]') "
    "FROM pg_catalog.pg_stats s WHERE s.schemaname = $1 "
    "ORDER BY s.tablename, s.attname, s.inherited";

// One pg_stats row of kStatsSql (tablename, attname, null_frac, avg_width,
// n_distinct, MCVs, their frequencies, histogram bounds, correlation, element
// statistics).
void take_stats_row(ColumnStats& c, const pqxx::row& row) {
  c.has_stats = true;
  c.null_frac = row[2].as<double>();
  c.avg_width = row[3].as<double>();
  c.n_distinct = row[4].as<double>();
  c.mcv = json_strings(row[5].as<std::string>());
  c.mcf = json_numbers(row[6].as<std::string>());
  c.histogram = json_strings(row[7].as<std::string>());
  if (!row[8].is_null()) c.correlation = row[8].as<double>();
  c.mce = json_strings(row[9].as<std::string>());
  c.mcef = json_numbers(row[10].as<std::string>());
  c.elem_counts = json_numbers(row[11].as<std::string>());
}

// A partitioned parent's column from its leaves' statistics, each weighted by
// its rows: null_frac, width and correlation averaged, MCV frequencies summed,
// histograms merged into equi-depth bounds in the column type's order (sorted
// by the server, in a subtransaction: a type without a cast from text just
// keeps no histogram).
void merge_leaf_stats(pqxx::dbtransaction& tx, const TableStats& table, ColumnStats& column,
                      const std::map<std::pair<std::string, std::string>, ColumnStats>& leaves) {
  double rows = 0, null_frac = 0, width = 0, correlation = 0, distinct = 0;
  bool fraction = false, any_histogram = false, with_correlation = false;
  std::map<std::string, double> mcv;
  std::vector<std::string> values;
  std::vector<double> weights;
  size_t bounds = 0;
  for (const auto& leaf : table.partitions) {
    auto it = leaves.find({leaf.name, column.name});
    if (it == leaves.end()) continue;
    const ColumnStats& c = it->second;
    const double w = std::max(1.0, leaf.reltuples);
    rows += w;
    null_frac += w * c.null_frac;
    width += w * c.avg_width;
    if (c.correlation) correlation += w * *c.correlation, with_correlation = true;
    double common = 0;
    for (size_t i = 0; i < c.mcv.size() && i < c.mcf.size(); ++i)
      mcv[c.mcv[i]] += w * c.mcf[i], common += c.mcf[i];
    distinct += c.n_distinct >= 0 ? c.n_distinct : -c.n_distinct * w;
    fraction = fraction || c.n_distinct < 0;
    if (!c.histogram.empty()) {
      any_histogram = true;
      bounds = std::max(bounds, c.histogram.size());
      const double each =
          w * std::max(0.0, 1 - c.null_frac - common) / static_cast<double>(c.histogram.size());
      for (const auto& v : c.histogram) values.push_back(v), weights.push_back(each);
    }
  }
  if (rows <= 0) return;
  column.has_stats = true;
  column.null_frac = null_frac / rows;
  column.avg_width = width / rows;
  if (with_correlation) column.correlation = correlation / rows;
  std::vector<std::pair<std::string, double>> common(mcv.begin(), mcv.end());
  std::sort(common.begin(), common.end(),
            [](const auto& a, const auto& b) { return a.second > b.second; });
  // Values past the 100 kept are rows of the histogram's part.
  for (size_t i = 100; i < common.size(); ++i) {
    values.push_back(common[i].first), weights.push_back(common[i].second);
    bounds = std::max<size_t>(bounds, 101);
  }
  if (common.size() > 100) common.resize(100);
  for (const auto& [v, f] : common) column.mcv.push_back(v), column.mcf.push_back(f / rows);
  if (!any_histogram && !fraction)
    column.n_distinct = static_cast<double>(mcv.size());
  else
    column.n_distinct = fraction ? -std::min(1.0, distinct / rows) : std::min(distinct, rows);
  if (values.empty() || bounds < 2) return;
  try {
    pqxx::subtransaction sub(tx, "pgshape_leaf_histogram");
    std::vector<std::pair<std::string, double>> sorted;
    for (const auto& row : sub.exec_params(
             fmt::format("SELECT a.v, b.w::float8 FROM "
                         "pg_catalog.json_array_elements_text($1::json) WITH ORDINALITY a(v, i) "
                         "JOIN pg_catalog.json_array_elements_text($2::json) WITH ORDINALITY "
                         "b(w, j) ON a.i = b.j ORDER BY a.v::{}",
                         column.type),
             nlohmann::json(values).dump(), nlohmann::json(weights).dump()))
      sorted.emplace_back(row[0].as<std::string>(), row[1].as<double>());
    sub.commit();
    double total = 0;
    for (const auto& p : sorted) total += p.second;
    double seen = 0;
    size_t next = 0;
    for (size_t k = 0; k < bounds; ++k) {
      const double target = total * static_cast<double>(k) / static_cast<double>(bounds - 1);
      while (next + 1 < sorted.size() && seen + sorted[next].second < target)
        seen += sorted[next++].second;
      const std::string& v = k + 1 == bounds ? sorted.back().first : sorted[next].first;
      if (column.histogram.empty() || column.histogram.back() != v) column.histogram.push_back(v);
    }
  } catch (const pqxx::sql_error&) {
    column.histogram.clear();
  }
}

}  // namespace

void read_columns(pqxx::dbtransaction& tx, const std::string& schema,
                  const std::map<int64_t, size_t>& by_oid, StatsSnapshot& snap) {
  for (const auto& row : tx.exec_params(kColumnsSql, schema)) {
    auto it = by_oid.find(row[0].as<int64_t>());
    if (it == by_oid.end()) continue;
    snap.tables[it->second].columns.push_back(
        ColumnStats{.name = row[1].as<std::string>(),
                    .type = row[2].as<std::string>(),
                    .not_null = row[3].as<bool>(),
                    .default_expr = row[4].as<std::string>(),
                    .generated = row[5].as<std::string>() == "s",
                    .identity = row[6].as<std::string>(),
                    .stats_hidden = row[7].as<bool>(),
                    .extension_type = row[8].as<std::string>()});
  }
  // Leaves' own rows, for a partitioned parent nobody analyzed (autovacuum never does).
  std::map<std::pair<std::string, std::string>, ColumnStats> leaf_stats;
  std::set<std::string> leaf_names;
  for (const auto& table : snap.tables)
    for (const auto& leaf : table.partitions) leaf_names.insert(leaf.name);
  for (const auto& row : tx.exec_params(kStatsSql, schema)) {
    if (leaf_names.count(row[0].as<std::string>())) {
      auto [it, fresh] =
          leaf_stats.try_emplace({row[0].as<std::string>(), row[1].as<std::string>()});
      if (fresh) take_stats_row(it->second, row);
    }
    for (auto& table : snap.tables) {
      if (table.name != row[0].as<std::string>()) continue;
      for (auto& c : table.columns) {
        if (c.name == row[1].as<std::string>() && !c.has_stats) take_stats_row(c, row);
      }
    }
  }
  for (auto& table : snap.tables)
    for (auto& column : table.columns)
      if (!column.has_stats && !table.partitions.empty())
        merge_leaf_stats(tx, table, column, leaf_stats);
      else if (!table.partitions.empty())
        leaf_correlation(table, column, leaf_stats);
}

}  // namespace pgshape::stats
