// CREATE STATISTICS for a table's extended-statistics objects (`statistics:`),
// run just before the table's ANALYZE: ANALYZE is what fills them.
#include <fmt/format.h>

#include "load/sql.hpp"
#include "pgshape/pg.hpp"

namespace pgshape::load {

std::vector<std::string> create_statistics_statements(std::string_view schema, const Table& table) {
  std::vector<std::string> out;
  for (const auto& stats : table.statistics) {
    std::vector<std::string> columns;
    for (const auto& column : stats.columns) columns.push_back(quote_ident(column));
    // The kinds are checked words (ndistinct, dependencies, mcv); no kinds: all of them.
    const std::string kinds =
        stats.kinds.empty() ? "" : fmt::format(" ({})", fmt::join(stats.kinds, ", "));
    out.push_back(fmt::format("CREATE STATISTICS {}{} ON {} FROM {}",
                              qualified(schema, statistics_name(table, stats)), kinds,
                              fmt::join(columns, ", "), qualified(schema, table.name)));
  }
  return out;
}

std::vector<std::string> analyze_statements(std::string_view schema, const Table& table) {
  auto out = create_statistics_statements(schema, table);
  out.push_back(analyze_statement(schema, table));
  return out;
}

}  // namespace pgshape::load
