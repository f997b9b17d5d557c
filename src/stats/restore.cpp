// restore_exact_stats: production's planner statistics written onto a mirror's
// tables with PostgreSQL 18's statistics import (pg_restore_relation_stats,
// pg_clear_attribute_stats + pg_restore_attribute_stats), in one transaction.
// Every value travels as a bound parameter cast to the exact type the functions
// want: a value of another type is only a WARNING there, and is silently dropped.
#include <pqxx/pqxx>

#include <fmt/format.h>
#include <cmath>
#include <map>

#include "pgshape/error.hpp"
#include "pgshape/pg.hpp"
#include "pgshape/session.hpp"
#include "pgshape/stats.hpp"

namespace pgshape {
namespace {

// The server's WARNINGs (what a partly refused import says), kept per statement.
class WarningCollector : public pqxx::errorhandler {
 public:
  explicit WarningCollector(pqxx::connection_base& conn) : pqxx::errorhandler(conn) {}
  bool operator()(const char msg[]) noexcept override {
    try {
      std::string text(msg);
      while (!text.empty() && (text.back() == '\n' || text.back() == ' ')) text.pop_back();
      if (text.rfind("WARNING:", 0) == 0) text = text.substr(8);
      while (!text.empty() && text.front() == ' ') text.erase(0, 1);
      warnings.push_back(std::move(text));
    } catch (...) {
    }
    return false;  // not printed on stderr: the outcome reports them
  }
  std::vector<std::string> warnings;
};

// Shortest text that reads back as the same double (and so as the same float4).
std::string number(double value) {
  return fmt::format("{}", value);
}

std::string real_array(const std::vector<double>& values) {
  std::vector<std::string> texts;
  texts.reserve(values.size());
  for (double v : values) texts.push_back(number(v));
  return array_literal(texts);
}

struct MirrorColumn {
  std::string type;  // format_type()
};
struct MirrorTable {
  bool partitioned = false;
  std::map<std::string, MirrorColumn, std::less<>> columns;
};

std::map<std::string, MirrorTable, std::less<>> mirror_tables(pqxx::work& tx,
                                                              const std::string& schema) {
  std::map<std::string, MirrorTable, std::less<>> tables;
  for (const auto& row :
       tx.exec_params("SELECT c.relname::text, c.relkind = 'p', a.attname::text, "
                      "       pg_catalog.format_type(a.atttypid, a.atttypmod) "
                      "FROM pg_catalog.pg_class c "
                      "JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace "
                      "JOIN pg_catalog.pg_attribute a ON a.attrelid = c.oid "
                      "WHERE n.nspname = $1 AND c.relkind IN ('r', 'p') AND a.attnum > 0 "
                      "  AND NOT a.attisdropped",
                      schema)) {
    MirrorTable& table = tables[row[0].as<std::string>()];
    table.partitioned = row[1].as<bool>();
    table.columns[row[2].as<std::string>()] = MirrorColumn{row[3].as<std::string>()};
  }
  return tables;
}

// One pg_restore_attribute_stats call: the keys are SQL text (constants of this
// file), every value a parameter.
struct KeywordCall {
  std::string sql;
  std::vector<std::string> values;
  void add(std::string_view key, std::string value, std::string_view type) {
    sql += fmt::format(", '{}', ${}::{}", key, values.size() + 1, type);
    values.push_back(std::move(value));
  }
};

bool restore_column(pqxx::transaction_base& tx, const std::string& schema, const TableStats& table,
                    const ColumnStats& c, bool inherited) {
  tx.exec_params("SELECT pg_catalog.pg_clear_attribute_stats($1::text, $2::text, $3::text, $4)",
                 schema, table.name, c.name, inherited);
  KeywordCall call;
  call.add("schemaname", schema, "text");
  call.add("relname", table.name, "text");
  call.add("attname", c.name, "text");
  call.add("inherited", inherited ? "true" : "false", "boolean");
  call.add("null_frac", number(c.null_frac), "real");
  call.add("avg_width", number(std::round(c.avg_width)), "integer");
  call.add("n_distinct", number(c.n_distinct), "real");
  if (!c.mcv.empty() && c.mcv.size() == c.mcf.size()) {
    call.add("most_common_vals", array_literal(c.mcv), "text");
    call.add("most_common_freqs", real_array(c.mcf), "real[]");
  }
  if (!c.histogram.empty()) call.add("histogram_bounds", array_literal(c.histogram), "text");
  if (c.correlation) call.add("correlation", number(*c.correlation), "real");
  // An array's element statistics: what @>, && and = ANY estimate from.
  if (!c.mce.empty() && c.mcef.size() >= c.mce.size()) {
    call.add("most_common_elems", array_literal(c.mce), "text");
    call.add("most_common_elem_freqs", real_array(c.mcef), "real[]");
  }
  if (!c.elem_counts.empty()) call.add("elem_count_histogram", real_array(c.elem_counts), "real[]");
  // A range's statistics: what &&, @> and <@ estimate from.
  if (c.range_empty) {
    std::vector<std::string> lengths;
    for (double l : c.range_lengths) lengths.push_back(fmt::format("{}", l));
    call.add("range_empty_frac", number(*c.range_empty), "real");
    call.add("range_length_histogram", array_literal(lengths), "text");  // given with the share
    if (!c.range_bounds.empty())
      call.add("range_bounds_histogram", array_literal(c.range_bounds), "text");
  }
  const std::string sql =
      "SELECT pg_catalog.pg_restore_attribute_stats(" + call.sql.substr(2) + ")";
  return tx.exec_params(sql, pqxx::prepare::make_dynamic_params(call.values))[0][0].as<bool>();
}

}  // namespace

void require_stats_import(const std::string& dsn) {
  const auto conn = open_session(dsn, SessionKind::kTarget);
  pqxx::nontransaction tx(*conn);
  const auto row = tx.exec1(
      "SELECT pg_catalog.current_setting('server_version_num')::int, "
      "pg_catalog.current_setting('server_version')");
  if (row[0].as<int>() >= kStatsImportServerVersion) return;
  throw UsageError(
      "db.exact-stats-unsupported",
      fmt::format("--exact-stats needs PostgreSQL 18 or later (pg_restore_relation_stats, "
                  "pg_restore_attribute_stats); the target server is PostgreSQL {}",
                  row[1].as<std::string>()),
      "load into a PostgreSQL 18 server, or load without --exact-stats (the mirror keeps the "
      "statistics ANALYZE measures on the generated rows); nothing was written");
}

ExactStatsResult restore_exact_stats(const std::string& dsn, const std::string& schema,
                                     const StatsSnapshot& snapshot) {
  require_stats_import(dsn);
  const auto session = open_session(dsn, SessionKind::kTarget);
  pqxx::connection& conn = *session;
  WarningCollector collector(conn);
  pqxx::work tx(conn);
  // Values were printed under these settings by read_stats: read them back the same way.
  tx.exec0("SET LOCAL TimeZone = 'UTC'");
  tx.exec0("SET LOCAL DateStyle = 'ISO, YMD'");
  tx.exec0("SET LOCAL IntervalStyle = 'postgres'");
  tx.exec0("SET LOCAL extra_float_digits = 3");
  const auto mirror = mirror_tables(tx, schema);
  ExactStatsResult result;
  auto skip = [&](std::string what, std::string why) {
    result.skipped.push_back(ExactStatsSkip{std::move(what), std::move(why)});
  };
  for (const TableStats& t : snapshot.tables) {
    const auto table = mirror.find(t.name);
    if (table == mirror.end()) {
      skip(t.name, "no such table in the mirror");
      continue;
    }
    if (t.reltuples < 0) {
      skip(t.name, "never analyzed on the source: it has no statistics to restore");
      continue;
    }
    // reltuples only. The planner never takes relpages as the table's size: it reads
    // the heap's real length and scales it by the density reltuples / relpages. With
    // the mirror's own relpages (ANALYZE has just set it to that length) the row count
    // it plans with is production's exactly; production's relpages would scale it by
    // the ratio of the two tables' sizes instead (measured: 24,961 rows planned for
    // production's 19,969 where the mirror's rows are wider).
    tx.exec_params(
        "SELECT pg_catalog.pg_restore_relation_stats('schemaname', $1::text, "
        "'relname', $2::text, 'reltuples', $3::real)",
        schema, t.name, number(t.reltuples));
    ++result.tables;
    for (const ColumnStats& c : t.columns) {
      const auto column = table->second.columns.find(c.name);
      const std::string what = t.name + "." + c.name;
      if (column == table->second.columns.end()) {
        skip(what, "no such column in the mirror");
      } else if (!c.has_stats) {
        skip(what, "no pg_stats row on the source");
      } else if (column->second.type != c.type) {
        skip(what, fmt::format("the mirror's column is {}, the source's {}", column->second.type,
                               c.type));
      } else {
        collector.warnings.clear();
        // A column the server takes only in part keeps what ANALYZE measured instead
        // of a mix: its clear and restore are undone together.
        pqxx::subtransaction column_tx(tx, "pgshape_exact_stats");
        if (restore_column(column_tx, schema, t, c, table->second.partitioned)) {
          column_tx.commit();
          ++result.columns;
        } else {
          column_tx.abort();
          skip(what, collector.warnings.empty()
                         ? std::string("the server restored only part of its statistics")
                         : fmt::format("the server restored only part of its statistics: {}",
                                       fmt::join(collector.warnings, "; ")));
        }
      }
    }
  }
  tx.commit();
  return result;
}

}  // namespace pgshape
