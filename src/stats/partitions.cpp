// The partitions of a schema's partitioned tables, read as a tree: a partition
// that is itself partitioned carries its key and its own partitions, so that
// the profile rebuilds sub-partitioned tables level by level.
#include <algorithm>
#include <functional>

#include "stats/internal.hpp"

namespace pgshape::stats {
namespace {

// The partitions of the schema's partitioned relations (pg_inherits) at every
// level, in creation (OID) order, with their bounds and row counts.
constexpr const char* kPartitionsSql =
    "SELECT h.inhparent::bigint, c.relname::text, "
    "  pg_catalog.pg_get_expr(c.relpartbound, c.oid), c.reltuples::float8, c.relkind = 'p', "
    "  c.oid::bigint, "
    "  CASE WHEN c.relkind = 'p' THEN pg_catalog.pg_get_partkeydef(c.oid) ELSE '' END "
    "FROM pg_catalog.pg_inherits h "
    "JOIN pg_catalog.pg_class c ON c.oid = h.inhrelid "
    "JOIN pg_catalog.pg_class p ON p.oid = h.inhparent "
    "JOIN pg_catalog.pg_partitioned_table pt ON pt.partrelid = p.oid "
    "JOIN pg_catalog.pg_namespace n ON n.oid = p.relnamespace "
    "WHERE n.nspname = $1 AND c.relispartition "
    "ORDER BY h.inhparent, c.oid";

struct Row {
  int64_t oid = 0;
  PartitionStats stats;
};

// The rows of a partition that is itself partitioned: its partitions' when its
// own reltuples is unknown (autovacuum never analyzes a partitioned table).
double rows_of(PartitionStats& p) {
  if (p.partitions.empty() || p.reltuples > 0) return p.reltuples;
  double sum = 0;
  bool known = false;
  for (auto& child : p.partitions)
    if (const double r = rows_of(child); r >= 0) sum += r, known = true;
  if (known) p.reltuples = sum;
  return p.reltuples;
}

}  // namespace

void read_partitions(pqxx::transaction_base& tx, const std::string& schema,
                     const std::map<int64_t, size_t>& by_oid, StatsSnapshot& snap) {
  std::map<int64_t, std::vector<Row>> children;  // by parent OID, in OID order
  for (const auto& row : tx.exec_params(kPartitionsSql, schema))
    children[row[0].as<int64_t>()].push_back(
        Row{row[5].as<int64_t>(),
            PartitionStats{.name = row[1].as<std::string>(),
                           .bound = row[2].is_null() ? "" : row[2].as<std::string>(),
                           .reltuples = row[3].as<double>(),
                           .partitioned = row[4].as<bool>(),
                           .partition_by = row[6].as<std::string>()}});
  // Each level from its parent down; depth is bounded by the catalog's own
  // (a partition cannot be its own ancestor).
  std::function<std::vector<PartitionStats>(int64_t)> level = [&](int64_t parent) {
    std::vector<PartitionStats> out;
    auto it = children.find(parent);
    if (it == children.end()) return out;
    for (auto& row : it->second) {
      PartitionStats p = std::move(row.stats);
      if (p.partitioned) p.partitions = level(row.oid);
      out.push_back(std::move(p));
    }
    return out;
  };
  for (const auto& [oid, index] : by_oid) {
    TableStats& table = snap.tables[index];
    table.partitions = level(oid);
    double sum = 0;
    bool known = false;
    for (auto& leaf : table.partitions)
      if (const double r = rows_of(leaf); r >= 0) sum += r, known = true;
    if (known && table.reltuples <= 0) table.reltuples = sum;
  }
}

void leaf_correlation(const TableStats& table, ColumnStats& column,
                      const std::map<std::pair<std::string, std::string>, ColumnStats>& leaves) {
  double sum = 0, rows = 0;
  for (const auto& leaf : table.partitions) {
    auto it = leaves.find({leaf.name, column.name});
    if (it == leaves.end() || !it->second.correlation) continue;
    const double w = std::max(1.0, leaf.reltuples);
    sum += w * *it->second.correlation;
    rows += w;
  }
  if (rows > 0)
    column.correlation = sum / rows;
  else
    column.correlation.reset();
}

}  // namespace pgshape::stats
