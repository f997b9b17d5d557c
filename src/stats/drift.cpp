// stats_drift: which of production's column statistics moved between two imports.
// Tolerances are what a planner would notice, not sampling noise.
#include <algorithm>
#include <cmath>

#include "pgshape/stats.hpp"

namespace pgshape {
namespace {

double top_freq(const ColumnStats& c) {
  return c.mcf.empty() ? 0 : *std::max_element(c.mcf.begin(), c.mcf.end());
}

}  // namespace

std::vector<ColumnDrift> stats_drift(const StatsSnapshot& before, const StatsSnapshot& after) {
  std::vector<ColumnDrift> out;
  for (const auto& t : after.tables) {
    const TableStats* old = before.find_table(t.name);
    if (!old) {
      out.push_back({t.name, "", "rows (new table)", 0, t.reltuples});
      continue;
    }
    const double r0 = std::max(1.0, old->reltuples), r1 = std::max(1.0, t.reltuples);
    if (std::fabs(r1 / r0 - 1) > 0.05) out.push_back({t.name, "", "rows", r0, r1});
    for (const auto& c : t.columns) {
      const ColumnStats* o = old->find_column(c.name);
      if (!o || !o->has_stats || !c.has_stats) continue;
      if (std::fabs(c.null_frac - o->null_frac) > 0.02)
        out.push_back({t.name, c.name, "null_frac", o->null_frac, c.null_frac});
      const double d0 = distinct_count(*o, r0), d1 = distinct_count(c, r1);
      if (std::max(d0, d1) > 0 && std::max(d0, d1) / std::max(1.0, std::min(d0, d1)) > 1.5)
        out.push_back({t.name, c.name, "n_distinct", d0, d1});
      if (std::fabs(top_freq(c) - top_freq(*o)) > 0.05)
        out.push_back({t.name, c.name, "top MCV freq", top_freq(*o), top_freq(c)});
      if (!c.mcv.empty() && !o->mcv.empty() && c.mcv.front() != o->mcv.front())
        out.push_back({t.name, c.name, "most common value changed", 0, 0});
      if (c.correlation && o->correlation && std::fabs(*c.correlation - *o->correlation) > 0.2)
        out.push_back({t.name, c.name, "correlation", *o->correlation, *c.correlation});
      if (o->avg_width > 0 && std::fabs(c.avg_width / o->avg_width - 1) > 0.2)
        out.push_back({t.name, c.name, "avg_width", o->avg_width, c.avg_width});
    }
  }
  for (const auto& t : before.tables)
    if (!after.find_table(t.name)) out.push_back({t.name, "", "rows (table gone)", t.reltuples, 0});
  return out;
}

}  // namespace pgshape
