// The shape a load achieved, read back the way the planner sees it: from
// pg_stats after ANALYZE (a sample of 300 x default_statistics_target rows).
#include <fmt/format.h>
#include <cmath>

#include "load/steps.hpp"
#include "pgshape/gen.hpp"

namespace pgshape::load {
namespace {

// "{a,b,"c d"}" -> elements; enough for pg_stats arrays of numbers and booleans.
std::vector<std::string> parse_array(const std::string& text) {
  std::vector<std::string> out;
  if (text.size() < 2) return out;
  std::string current;
  bool quoted = false;
  for (size_t i = 1; i + 1 < text.size(); ++i) {
    const char c = text[i];
    if (c == '"')
      quoted = !quoted;
    else if (c == '\\' && i + 2 < text.size())
      current += text[++i];
    else if (c == ',' && !quoted)
      out.push_back(std::move(current)), current.clear();
    else
      current += c;
  }
  out.push_back(current);
  return out;
}

// The share of the `k` most frequent ranks of Zipf(n, s); O(n), so only for modest n.
double zipf_head_share(int64_t n, double s, int64_t k) {
  double head = 0, total = 0;
  for (int64_t i = n; i >= 1; --i) {
    const double p = std::pow(static_cast<double>(i), -s);
    total += p;
    if (i <= k) head += p;
  }
  return head / total;
}

constexpr int64_t kExactZipfLimit = 20'000'000;

}  // namespace

std::vector<ShapeStat> measure_shape(pqxx::connection& control, const Profile& profile,
                                     const DatasetGenerator& generator, const std::string& schema) {
  std::vector<ShapeStat> out;
  pqxx::nontransaction tx(control);
  for (const auto& table : profile.tables) {
    for (const auto& column : table.columns) {
      if (!column.generated.empty()) continue;  // the server's values, not a distribution's
      const Distribution& d = column.dist;
      ShapeStat stat{table.name, column.name};
      int head = 0;
      const double present = 1 - column.null_fraction;
      if (d.kind == DistKind::kHotset) {
        head = static_cast<int>(std::min<int64_t>(d.hot, 100));
        stat.measure = fmt::format("top {} share", head);
        stat.expected = d.share * present;
      } else if (d.kind == DistKind::kZipf) {
        int64_t n = d.n;
        if (column.ref) {
          const int64_t parent_rows = generator.table(column.ref->table).rows();
          n = n > 0 ? std::min(n, parent_rows) : parent_rows;
        }
        if (n > kExactZipfLimit) continue;
        head = 3;
        stat.measure = "top 3 share";
        stat.expected = zipf_head_share(n, d.s, 3) * present;
      } else if (d.kind == DistKind::kWeighted && d.values.size() > 1) {
        head = 1;
        stat.measure = "top value share";
        double total = 0, top = 0;
        for (double w : d.weights) total += w, top = std::max(top, w);
        stat.expected = top / total * present;
      } else if (d.kind == DistKind::kBernoulli) {
        stat.measure = "true share";
        stat.expected = d.p * present;
      } else {
        continue;
      }
      auto rows = tx.exec_params(
          "SELECT most_common_vals::text, most_common_freqs::text FROM pg_catalog.pg_stats "
          "WHERE schemaname = $1 AND tablename = $2 AND attname = $3",
          schema, table.name, column.name);
      if (rows.empty() || rows[0][1].is_null()) continue;
      const auto values = parse_array(rows[0][0].as<std::string>());
      const auto freqs = parse_array(rows[0][1].as<std::string>());
      if (d.kind == DistKind::kBernoulli) {
        for (size_t i = 0; i < values.size() && i < freqs.size(); ++i)
          if (values[i] == "t") stat.achieved = std::stod(freqs[i]);
      } else {
        for (int i = 0; i < head && i < static_cast<int>(freqs.size()); ++i)
          stat.achieved += std::stod(freqs[static_cast<size_t>(i)]);
      }
      out.push_back(std::move(stat));
    }
  }
  return out;
}

}  // namespace pgshape::load
