// How load and refresh say what --exact-stats restored (text and JSON).
#pragma once

#include <fmt/format.h>
#include <nlohmann/json.hpp>
#include <string>

#include "pgshape/stats.hpp"

namespace pgshape::cli {

inline std::string exact_stats_text(const ExactStatsResult& r) {
  std::string out = fmt::format(
      "\n  exact statistics: production's restored on {} table(s) and {} column(s); a later "
      "ANALYZE (autovacuum included) replaces them\n",
      r.tables, r.columns);
  for (const auto& s : r.skipped) out += fmt::format("    not restored: {}: {}\n", s.what, s.why);
  return out;
}

inline nlohmann::json exact_stats_json(const ExactStatsResult& r) {
  nlohmann::json skipped = nlohmann::json::array();
  for (const auto& s : r.skipped) skipped.push_back({{"what", s.what}, {"why", s.why}});
  return {{"tables", r.tables}, {"columns", r.columns}, {"skipped", skipped}};
}

}  // namespace pgshape::cli
