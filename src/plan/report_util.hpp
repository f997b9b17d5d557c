// Helpers the report renderers share (internal to src/plan): verdict lookup for a
// capture, number formatting, and the row model of the summary table.
#pragma once

#include <fmt/format.h>

#include <algorithm>
#include <string>
#include <vector>

#include "pgshape/plan.hpp"

namespace pgshape::plan {

// "scale/experiment", prefixed by the set label when the report has several sets.
// A finding's kind in a word or two, as every report's headline shows it.
inline std::string finding_tag(const Finding& f) {
  if (f.improvement) return "improvement";
  switch (f.kind) {
    case FindingKind::kSlowerPlanChange:
    case FindingKind::kRegression:
      return "regression";
    case FindingKind::kShapeChange:
      return "plan change";
    case FindingKind::kEstimate:
      return "estimate";
    case FindingKind::kIndexChange:
      return "index change";
  }
  return "change";
}

inline std::string column_label(const ReportInput& in, size_t set, const PlanCapture& c) {
  std::string label = c.scale + "/" + c.experiment;
  return in.sets.size() > 1 ? in.sets[set].first + ":" + label : label;
}

// The change kinds of every pair whose B side is this capture. Only the last set is
// a B side when there are several (compare A B); in a sweep every capture may be.
inline std::vector<ChangeKind> verdict_of(const ReportInput& in, size_t set, const PlanCapture& c) {
  std::vector<ChangeKind> kinds;
  if (in.sets.size() > 1 && set + 1 != in.sets.size()) return kinds;
  for (const auto& r : in.comparisons) {
    for (const auto& p : r.pairs) {
      if (p.b.query != c.query || p.b.pick != c.pick || p.b.scale != c.scale ||
          p.b.experiment != c.experiment) {
        continue;
      }
      for (auto k : p.kinds) {
        bool seen = false;
        for (auto x : kinds) seen = seen || x == k;
        if (!seen) kinds.push_back(k);
      }
    }
  }
  return kinds;
}

inline std::string format_rows(double rows) {
  if (rows >= 1e6) return fmt::format("{:.1f}M", rows / 1e6);
  if (rows >= 1e4) return fmt::format("{:.0f}K", rows / 1e3);
  return fmt::format("{:.0f}", rows);
}

// 8132 → "8,132": counts a reader compares digit by digit.
inline std::string thousands(double value) {
  std::string digits = fmt::format("{:.0f}", value < 0 ? -value : value);
  std::string out;
  for (size_t i = 0; i < digits.size(); ++i) {
    if (i > 0 && (digits.size() - i) % 3 == 0) out += ',';
    out += digits[i];
  }
  return value < 0 ? "-" + out : out;
}

inline std::string format_ratio(double r) {
  return r >= 100 ? fmt::format("{:.0f}×", r) : fmt::format("{:.2g}×", r);
}

inline std::string time_of(const PlanCapture& c) {
  return c.analyzed ? format_ms(c.execution.median_ms) : "(hypothetical)";
}

inline std::string rows_of(const PlanCapture& c) {
  return c.analyzed ? format_rows(c.root_estimated_rows) + " → " + format_rows(c.root_actual_rows)
                    : format_rows(c.root_estimated_rows) + " est.";
}

inline std::string indexes_change(const PairDiff& p) {
  std::string out;
  for (const auto& i : p.indexes_dropped) out += (out.empty() ? "−" : ", −") + i;
  for (const auto& i : p.indexes_added) out += (out.empty() ? "+" : ", +") + i;
  return out;
}

inline std::string time_change(const PairDiff& p) {
  if (!p.timed) return "—";
  return format_ms(p.a.execution.median_ms) + " → " + format_ms(p.b.execution.median_ms) + " (" +
         format_ratio(p.time_ratio) + " time, " + format_ratio(p.data_ratio) + " data)";
}

inline std::string qerror_change(const PairDiff& p) {
  if (!p.timed) return "—";
  auto q = [](double v) { return v >= 100 ? fmt::format("{:.0f}", v) : fmt::format("{:.1f}", v); };
  return q(p.a.worst_q_error) + " → " + q(p.b.worst_q_error);
}

// A pair's verdict: "improvement" (with what else changed) when it got faster, else
// the change kinds ("ok" when none).
inline std::string pair_verdict(const PairDiff& p) {
  if (!is_improvement(p)) return verdict_text(p.kinds);
  return p.kinds.empty() ? "improvement" : "improvement (" + verdict_text(p.kinds) + ")";
}

// How bad a pair is, for sorting table rows worst first: the finding order, then
// improvements, then unchanged pairs.
inline int pair_rank(const PairDiff& p) {
  if (is_improvement(p)) return 10;
  if (p.kinds.empty()) return 11;
  bool slower = p.has(ChangeKind::kRegression);
  if (slower && p.shape_changed) return 0;
  if (slower) return 1;
  if (p.shape_changed) return 2;
  return p.has(ChangeKind::kEstimate) ? 3 : 4;
}

// The pairs of `r` in display order: worst first, larger time ratio first within a
// rank, improvements after problems.
inline std::vector<const PairDiff*> pairs_by_severity(const CompareResult& r) {
  std::vector<const PairDiff*> out;
  for (const auto& p : r.pairs) out.push_back(&p);
  std::stable_sort(out.begin(), out.end(), [](const PairDiff* x, const PairDiff* y) {
    int rx = pair_rank(*x), ry = pair_rank(*y);
    if (rx != ry) return rx < ry;
    if (rx == 10) return x->time_ratio < y->time_ratio;
    return x->time_ratio > y->time_ratio;
  });
  return out;
}

// The rows shown for a scale point (see ReportInput::scale_rows); -1 when unknown.
inline double scale_row_count(const ReportInput& in, const std::string& scale) {
  if (auto it = in.scale_rows.find(scale); it != in.scale_rows.end())
    return static_cast<double>(it->second);
  for (const auto& set : in.sets) {
    for (const auto& c : set.second) {
      if (c.scale != scale || c.table_rows.empty()) continue;
      double rows = 0;
      for (const auto& t : c.table_rows) rows += static_cast<double>(t.second);
      return rows;
    }
  }
  return -1;
}

// The pairs whose B side is this capture (see verdict_of), the worst first.
inline std::vector<const PairDiff*> pairs_of(const ReportInput& in, size_t set,
                                             const PlanCapture& c) {
  std::vector<const PairDiff*> out;
  if (in.sets.size() > 1 && set + 1 != in.sets.size()) return out;
  for (const auto& r : in.comparisons) {
    for (const auto& p : r.pairs) {
      if (p.b.query == c.query && p.b.pick == c.pick && p.b.scale == c.scale &&
          p.b.experiment == c.experiment)
        out.push_back(&p);
    }
  }
  std::stable_sort(out.begin(), out.end(), [](const PairDiff* x, const PairDiff* y) {
    return pair_rank(*x) < pair_rank(*y);
  });
  return out;
}

// Where a pair's two sides were captured, in words a reader knows: the scale points
// with their rows, or the experiment and the scale it ran at (findings.cpp).
std::string where_words(const ReportInput& in, const CompareResult& r, const PairDiff& p);

// Where the two sides of a pair were captured: "large/baseline → large/listing_index",
// or just "large/baseline" when both sides agree.
inline std::string pair_where(const PairDiff& p) {
  std::string a = p.a.scale + "/" + p.a.experiment, b = p.b.scale + "/" + p.b.experiment;
  return a == b ? a : a + " → " + b;
}

}  // namespace pgshape::plan
