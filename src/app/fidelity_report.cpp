// The report's figures from the measures: each table's and query's score and the
// total (the formula in pgshape/fidelity.hpp), and the --min-score gate that
// names the worst measures, so a failing nightly job says where to look.
#include "pgshape/fidelity.hpp"

#include <fmt/format.h>
#include <algorithm>

#include "app/fidelity_internal.hpp"

namespace pgshape {

using fidelity_internal::measure;
using fidelity_internal::ratio;
using fidelity_internal::score_column;

FidelityReport score_fidelity(const StatsSnapshot& source, const StatsSnapshot& mirror,
                              const std::vector<FidelityQuery>& queries,
                              const std::vector<ExplainedPlan>& source_plans,
                              const std::vector<ExplainedPlan>& mirror_plans,
                              const HistogramRanker& rank) {
  FidelityReport r{.source_database = source.database,
                   .mirror_database = mirror.database,
                   .source_schema = source.schema,
                   .schema = mirror.schema};
  double tables_sum = 0;
  for (const auto& st : source.tables) {
    const TableStats* mt = mirror.find_table(st.name);
    TableFidelity t{.table = st.name, .missing = mt == nullptr};
    const double ms = mt ? std::max(mt->reltuples, 0.0) : 0;
    t.rows = measure("rows", std::max(st.reltuples, 0.0), ms, mt ? ratio(st.reltuples, ms) : 0);
    double columns_sum = 0;
    size_t scored = 0;
    for (const auto& sc : st.columns) {
      if (!sc.has_stats) continue;  // never analyzed, or hidden from the reading role
      ColumnFidelity c = score_column(st, sc, mt, rank);
      columns_sum += c.score;
      ++scored;
      r.columns.push_back(std::move(c));
    }
    t.score = !mt           ? 0
              : scored == 0 ? t.rows.closeness
                            : (t.rows.closeness + columns_sum / static_cast<double>(scored)) / 2;
    tables_sum += t.score;
    r.tables.push_back(std::move(t));
  }
  r.stats_score = r.tables.empty() ? 1 : tables_sum / static_cast<double>(r.tables.size());

  double plans_sum = 0;
  for (size_t i = 0; i < queries.size(); ++i) {
    const ExplainedPlan& s = source_plans.at(i);
    const ExplainedPlan& m = mirror_plans.at(i);
    QueryFidelity q{.name = queries[i].name,
                    .sql = queries[i].sql,
                    .source_shape = s.shape,
                    .mirror_shape = m.shape,
                    .source_rows = s.rows,
                    .mirror_rows = m.rows,
                    .error = m.error};
    if (!m.error.empty()) {
      q.score = 0;
    } else {
      q.same_shape = s.shape == m.shape;
      q.score =
          (q.same_shape ? 0.5 : 0) + 0.5 * ratio(std::max(s.rows, 1.0), std::max(m.rows, 1.0));
    }
    plans_sum += q.score;
    r.queries.push_back(std::move(q));
  }
  if (!queries.empty()) r.plans_score = plans_sum / static_cast<double>(queries.size());
  r.score = 100 * (r.plans_score ? (r.stats_score + *r.plans_score) / 2 : r.stats_score);
  return r;
}

std::string fidelity_gate(const FidelityReport& report, std::optional<double> min,
                          std::string_view flag) {
  if (!min || report.score >= *min) return "";
  struct Item {
    double closeness;
    std::string what;
  };
  std::vector<Item> items;
  for (const auto& t : report.tables) {
    if (t.missing)
      items.push_back({0, t.table + " missing on the mirror"});
    else
      items.push_back({t.rows.closeness, t.table + " rows"});
  }
  for (const auto& c : report.columns) {
    if (c.missing) items.push_back({0, c.table + "." + c.column + " missing"});
    for (const auto& m : c.measures)
      items.push_back({m.closeness, c.table + "." + c.column + " " + m.measure});
  }
  for (const auto& q : report.queries)
    items.push_back({q.score, q.name + (q.same_shape ? " estimate" : " plan")});
  std::stable_sort(items.begin(), items.end(),
                   [](const Item& a, const Item& b) { return a.closeness < b.closeness; });
  std::string worst;
  for (size_t i = 0; i < items.size() && i < 3 && items[i].closeness < 1; ++i)
    worst += fmt::format("{}{} {:.2f}", i ? ", " : "", items[i].what, items[i].closeness);
  return fmt::format("fidelity {:.1f} is below {} {:g}{}{}", report.score, flag, *min,
                     worst.empty() ? "" : "; worst: ", worst);
}

}  // namespace pgshape
