// pgshape fidelity --source DSN --dsn MIRROR: how closely the mirror's planner
// statistics and plans match production's (app/fidelity.cpp), as a score with what
// differs, worst first, cut to the terminal's width; or JSON. Exit 3 under --min-score.
#include <fmt/format.h>
#include <algorithm>
#include <cmath>
#include <nlohmann/json.hpp>

#include "commands.hpp"
#include "format.hpp"
#include "pgshape/app.hpp"
#include "pgshape/error.hpp"
#include "pgshape/util.hpp"

namespace pgshape::cli {
namespace {

// A row drifted enough to be listed without -v.
constexpr double kShown = 0.95;

// Rows under a header; the last column (plans) gives up width first, then the
// first (names), so the numbers stay whole; a line still too wide is cut.
std::string table(const std::vector<std::string>& head,
                  const std::vector<std::vector<std::string>>& rows, size_t width) {
  std::vector<size_t> w(head.size());
  for (size_t i = 0; i < head.size(); ++i) w[i] = display_width(head[i]);
  for (const auto& r : rows)
    for (size_t i = 0; i < r.size(); ++i) w[i] = std::max(w[i], display_width(r[i]));
  size_t total = 2 * (w.size() - 1);
  for (size_t x : w) total += x;
  for (size_t i : {w.size() - 1, size_t{0}})
    if (total > width && w[i] > 12) {
      const size_t give = std::min(total - width, w[i] - 12);
      w[i] -= give;
      total -= give;
    }
  auto line = [&](const std::vector<std::string>& cells) {
    std::string text;
    for (size_t i = 0; i < cells.size(); ++i) {
      const std::string cell = cut_to_width(cells[i], w[i]);
      const bool number = i > 1 && i + 1 < cells.size();  // right-aligned figures
      text += number ? std::string(w[i] - display_width(cell), ' ') + cell
                     : (i + 1 < cells.size() ? pad_to_width(cell, w[i]) : cell);
      if (i + 1 < cells.size()) text += "  ";
    }
    while (!text.empty() && text.back() == ' ') text.pop_back();
    return cut_to_width(text, width) + "\n";
  };
  std::string out = "  " + line(head);
  for (const auto& r : rows) out += "  " + line(r);
  return out;
}

std::string figure(const FidelityMeasure& m, double value) {
  if (m.measure == "rows" || m.measure == "n_distinct")
    return thousands(static_cast<int64_t>(std::llround(value)));
  if (m.measure == "histogram") return fmt::format("{:g} bounds", value);
  return fmt::format("{:.3f}", value);
}

std::string measure_words(const FidelityMeasure& m) {
  if (m.measure == "mcv") return "top MCV freq";
  return m.measure;
}

}  // namespace

std::string fidelity_text(const FidelityReport& r, size_t width, int verbosity) {
  std::string out = fmt::format(
      "fidelity {:.1f} / 100: mirror '{}' schema '{}' against source '{}' schema '{}'\n", r.score,
      r.mirror_database, r.schema, r.source_database, r.source_schema);
  size_t same = 0;
  for (const auto& q : r.queries) same += q.same_shape;
  out += fmt::format("  statistics {:.1f} ({}, {})", 100 * r.stats_score,
                     plural(static_cast<long long>(r.tables.size()), "table"),
                     plural(static_cast<long long>(r.columns.size()), "column"));
  if (r.plans_score)
    out += fmt::format(", plans {:.1f} ({} of {} the same shape)", 100 * *r.plans_score, same,
                       plural(static_cast<long long>(r.queries.size()), "query", "queries"));
  out += "\n";

  struct Row {
    double closeness;
    std::vector<std::string> cells;
  };
  std::vector<Row> rows;
  const bool all = verbosity > 1;
  for (const auto& t : r.tables) {
    if (t.missing)
      rows.push_back({0, {t.table, "table", "", "missing", "0.00"}});
    else if (all || t.rows.closeness < kShown)
      rows.push_back({t.rows.closeness,
                      {t.table, "rows", figure(t.rows, t.rows.source),
                       figure(t.rows, t.rows.mirror), fmt::format("{:.2f}", t.rows.closeness)}});
  }
  for (const auto& c : r.columns) {
    const std::string name = c.table + "." + c.column;
    if (c.missing) rows.push_back({0, {name, "statistics", "", "missing", "0.00"}});
    for (const auto& m : c.measures) {
      if (!all && m.closeness >= kShown) continue;
      std::vector<std::string> cells{name, measure_words(m), figure(m, m.source),
                                     figure(m, m.mirror), fmt::format("{:.2f}", m.closeness)};
      if (m.measure == "mcv") cells[3] += fmt::format(" (max gap {:.3f})", (1 - m.closeness) * 0.2);
      if (m.measure == "histogram") cells[3] += fmt::format(" (KS {:.3f})", 1 - m.closeness);
      rows.push_back({m.closeness, std::move(cells)});
    }
  }
  std::stable_sort(rows.begin(), rows.end(),
                   [](const Row& a, const Row& b) { return a.closeness < b.closeness; });
  if (!rows.empty()) {
    std::vector<std::vector<std::string>> cells;
    for (auto& row : rows) cells.push_back(std::move(row.cells));
    out += all ? "\nstatistics, worst first:\n"
               : fmt::format("\nstatistics that differ (closeness below {:.2f}), worst first:\n",
                             kShown);
    out += table({"what", "measure", "source", "mirror", "closeness"}, cells, width);
  } else {
    out += "\nevery statistic matches (closeness 0.95 or more)\n";
  }

  std::vector<std::vector<std::string>> queries;
  for (const auto& q : r.queries) {
    if (!all && q.score >= kShown) continue;
    std::string plan = !q.error.empty() ? "mirror: " + q.error
                       : q.same_shape   ? q.source_shape
                                        : q.source_shape + " → mirror: " + q.mirror_shape;
    queries.push_back({q.name, q.error.empty() ? (q.same_shape ? "same" : "DIFF") : "error",
                       thousands(static_cast<int64_t>(std::llround(q.source_rows))),
                       thousands(static_cast<int64_t>(std::llround(q.mirror_rows))),
                       fmt::format("{:.2f}", q.score), plan});
  }
  if (!queries.empty()) {
    out += "\nqueries" + std::string(all ? "" : " that differ") + ":\n";
    out += table({"query", "shape", "source rows", "mirror rows", "score", "plan"}, queries, width);
  }
  // Not scored, so a nightly job should see why a query it expects is absent.
  for (const auto& skipped : r.skipped) out += "not compared: " + skipped + "\n";
  return out;
}

nlohmann::json fidelity_json(const FidelityReport& r) {
  auto measure = [](const FidelityMeasure& m) {
    return nlohmann::json{{"measure", m.measure},
                          {"source", m.source},
                          {"mirror", m.mirror},
                          {"closeness", m.closeness}};
  };
  nlohmann::json tables = nlohmann::json::array(), columns = nlohmann::json::array(),
                 queries = nlohmann::json::array();
  for (const auto& t : r.tables)
    tables.push_back({{"table", t.table},
                      {"missing", t.missing},
                      {"rows", measure(t.rows)},
                      {"score", t.score}});
  for (const auto& c : r.columns) {
    nlohmann::json measures = nlohmann::json::array();
    for (const auto& m : c.measures) measures.push_back(measure(m));
    columns.push_back({{"table", c.table},
                       {"column", c.column},
                       {"missing", c.missing},
                       {"measures", measures},
                       {"score", c.score}});
  }
  for (const auto& q : r.queries)
    queries.push_back({{"name", q.name},
                       {"sql", q.sql},
                       {"source_shape", q.source_shape},
                       {"mirror_shape", q.mirror_shape},
                       {"source_rows", q.source_rows},
                       {"mirror_rows", q.mirror_rows},
                       {"same_shape", q.same_shape},
                       {"error", q.error},
                       {"score", q.score}});
  nlohmann::json out = {{"score", r.score},
                        {"stats_score", r.stats_score},
                        {"source", {{"database", r.source_database}, {"schema", r.source_schema}}},
                        {"mirror", {{"database", r.mirror_database}, {"schema", r.schema}}},
                        {"tables", tables},
                        {"columns", columns},
                        {"queries", queries}};
  out["plans_score"] = r.plans_score ? nlohmann::json(*r.plans_score) : nlohmann::json(nullptr);
  out["skipped"] = r.skipped;
  return out;
}

int run_fidelity_command(const Args& args) {
  FidelityCommand command{.source = args.text(Opt::kSource),
                          .target = args.given_text(Opt::kDsn),
                          .schema = args.text(Opt::kSchema),
                          .tables = args.list(Opt::kTable),
                          .queries_file = args.text(Opt::kQueries),
                          .min_score = args.number(Opt::kMinScore),
                          .profile = args.text(Opt::kProfile),
                          .overlay = args.text(Opt::kOverlay)};
  if (args.given(Opt::kSourceSchema)) command.source_schema = args.text(Opt::kSourceSchema);
  const FidelityOutcome outcome = run_fidelity(command);
  if (args.flag(Opt::kJson)) {
    nlohmann::json j = fidelity_json(outcome.report);
    j["target"] = target_json(outcome.target);
    if (!outcome.gate.empty()) j["gate"] = {{"tripped", true}, {"message", outcome.gate}};
    fmt::print("{}\n", j.dump(2));
    return outcome.gate.empty() ? 0 : static_cast<int>(ExitCode::kGate);
  }
  if (args.verbosity() > 0)
    fmt::print("{}", fidelity_text(outcome.report, terminal_width(), args.verbosity()));
  if (!outcome.gate.empty())
    throw Error("fidelity.below-threshold", outcome.gate,
                "the lines above name what drifted; refresh the mirror, or lower --min-score");
  return 0;
}

}  // namespace pgshape::cli
