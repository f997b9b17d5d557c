// One column's statistics against the mirror's: the measures of the documented
// score (pgshape/fidelity.hpp), each a closeness in [0, 1], and the histogram
// distance they use. Pure: no server, so tests recompute every figure.
#include "pgshape/fidelity.hpp"

#include <algorithm>
#include <charconv>
#include <cmath>
#include <map>

#include "app/fidelity_internal.hpp"

namespace pgshape {
namespace {

double clamp01(double x) {
  return std::clamp(x, 0.0, 1.0);
}

// The largest MCV frequency gap: over the union of both lists' values (a value one
// list lacks is 0 there); when the lists share no value (a redacted mirror's tokens)
// rank by rank.
double mcv_delta(const ColumnStats& s, const ColumnStats& m) {
  std::map<std::string, std::pair<double, double>> by_value;
  for (size_t i = 0; i < s.mcv.size() && i < s.mcf.size(); ++i) by_value[s.mcv[i]].first = s.mcf[i];
  bool shared = false;
  for (size_t i = 0; i < m.mcv.size() && i < m.mcf.size(); ++i) {
    auto [it, added] = by_value.try_emplace(m.mcv[i]);
    shared = shared || !added;
    it->second.second = m.mcf[i];
  }
  double delta = 0;
  if (shared || s.mcv.empty() || m.mcv.empty()) {
    for (const auto& [value, f] : by_value) delta = std::max(delta, std::fabs(f.first - f.second));
    return delta;
  }
  std::vector<double> a = s.mcf, b = m.mcf;
  std::sort(a.rbegin(), a.rend());
  std::sort(b.rbegin(), b.rend());
  a.resize(std::max(a.size(), b.size()), 0);
  b.resize(a.size(), 0);
  for (size_t i = 0; i < a.size(); ++i) delta = std::max(delta, std::fabs(a[i] - b[i]));
  return delta;
}

bool parse_number(const std::string& text, double& out) {
  const char* end = text.data() + text.size();
  auto [ptr, ec] = std::from_chars(text.data(), end, out);
  return ec == std::errc() && ptr == end && std::isfinite(out);
}

std::optional<std::vector<double>> numbers(const std::vector<std::string>& values) {
  std::vector<double> out;
  out.reserve(values.size());
  for (const auto& v : values) {
    double x = 0;
    if (!parse_number(v, x)) return std::nullopt;
    out.push_back(x);
  }
  return out;
}

// The CDF of a histogram with sorted bounds `h` at x (see histogram_distance).
double cdf(const std::vector<double>& h, double x, bool interpolate) {
  const size_t n = h.size();
  if (n == 1) return x < h[0] ? 0 : 1;
  if (x < h.front()) return 0;
  if (x > h.back()) return 1;
  const auto lo = std::lower_bound(h.begin(), h.end(), x);
  const auto hi = std::upper_bound(h.begin(), h.end(), x);
  const double step = 1.0 / static_cast<double>(n - 1);
  if (lo != hi)  // x is a bound (several equal ones: their middle)
    return step * (static_cast<double>((lo - h.begin()) + (hi - h.begin()) - 1) / 2.0);
  const size_t i = static_cast<size_t>(lo - h.begin()) - 1;  // h[i] < x < h[i + 1]
  const double within = interpolate ? (x - h[i]) / (h[i + 1] - h[i]) : 0.5;
  return step * (static_cast<double>(i) + within);
}

}  // namespace

double histogram_distance(const std::vector<double>& a, const std::vector<double>& b,
                          bool interpolate) {
  if (a.empty() || b.empty()) return 1;
  double worst = 0;
  for (const auto* points : {&a, &b})
    for (double x : *points)
      worst = std::max(worst, std::fabs(cdf(a, x, interpolate) - cdf(b, x, interpolate)));
  return clamp01(worst);
}

namespace fidelity_internal {

double ratio(double a, double b) {
  a = std::max(a, 0.0);
  b = std::max(b, 0.0);
  if (a == b) return 1;
  return std::min(a, b) / std::max(a, b);
}

FidelityMeasure measure(std::string name, double source, double mirror, double closeness) {
  return FidelityMeasure{.measure = std::move(name),
                         .source = source,
                         .mirror = mirror,
                         .closeness = clamp01(closeness)};
}

ColumnFidelity score_column(const TableStats& st, const ColumnStats& s, const TableStats* mt,
                            const HistogramRanker& rank) {
  ColumnFidelity out{.table = st.name, .column = s.name};
  const ColumnStats* m = mt ? mt->find_column(s.name) : nullptr;
  if (!m || !m->has_stats) {
    out.missing = true;
    return out;
  }
  const double ds = distinct_count(s, st.reltuples), dm = distinct_count(*m, mt->reltuples);
  out.measures.push_back(measure("n_distinct", ds, dm, ratio(ds, dm)));
  out.measures.push_back(measure("null_frac", s.null_frac, m->null_frac,
                                 1 - std::fabs(s.null_frac - m->null_frac) / 0.2));
  if (!s.mcv.empty() || !m->mcv.empty()) {
    const double delta = mcv_delta(s, *m);
    out.measures.push_back(measure("mcv", s.mcf.empty() ? 0 : s.mcf.front(),
                                   m->mcf.empty() ? 0 : m->mcf.front(), 1 - delta / 0.2));
  }
  if (s.correlation && m->correlation)
    out.measures.push_back(measure("correlation", *s.correlation, *m->correlation,
                                   1 - std::fabs(*s.correlation - *m->correlation)));
  if (!s.histogram.empty() || !m->histogram.empty()) {
    std::optional<double> ks;
    if (s.histogram.empty() || m->histogram.empty()) {
      ks = 1;
    } else if (auto a = numbers(s.histogram), b = numbers(m->histogram); a && b) {
      std::sort(a->begin(), a->end());
      std::sort(b->begin(), b->end());
      ks = histogram_distance(*a, *b, true);
    } else if (rank) {
      if (auto keys = rank(m->type, s.histogram, m->histogram))
        ks = histogram_distance(keys->first, keys->second, false);
    }
    if (ks)
      out.measures.push_back(measure("histogram", static_cast<double>(s.histogram.size()),
                                     static_cast<double>(m->histogram.size()), 1 - *ks));
  }
  double sum = 0;
  for (const auto& x : out.measures) sum += x.closeness;
  out.score = out.measures.empty() ? 1 : sum / static_cast<double>(out.measures.size());
  return out;
}

}  // namespace fidelity_internal
}  // namespace pgshape
