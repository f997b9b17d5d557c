// Findings: each changed pair of a report as one sentence with its numbers, in the
// severity order documented in include/pgshape/plan.hpp. Shared by every renderer.
#include <algorithm>
#include <cmath>

#include "report_util.hpp"

namespace pgshape {
namespace {

using namespace plan;

FindingKind kind_of(const PairDiff& p) {
  bool slower = p.has(ChangeKind::kRegression);
  if (slower && p.shape_changed) return FindingKind::kSlowerPlanChange;
  if (slower) return FindingKind::kRegression;
  if (p.shape_changed) return FindingKind::kShapeChange;
  if (p.has(ChangeKind::kEstimate)) return FindingKind::kEstimate;
  return FindingKind::kIndexChange;
}

}  // namespace

namespace plan {

std::string where_words(const ReportInput& in, const CompareResult& r, const PairDiff& p) {
  const PlanCapture &a = p.a, &b = p.b;
  if (a.scale != b.scale && a.experiment == b.experiment) {
    std::string w = scale_label(in, a.scale) + " → " + scale_label(in, b.scale);
    return b.experiment == kBaseline ? w : w + " with " + b.experiment;
  }
  if (a.scale == b.scale && a.experiment != b.experiment) {
    std::string w = "at " + scale_label(in, b.scale);
    return a.experiment == kBaseline ? b.experiment + " " + w
                                     : a.experiment + " → " + b.experiment + " " + w;
  }
  if (a.scale != b.scale)
    return scale_label(in, a.scale) + "/" + a.experiment + " → " + scale_label(in, b.scale) + "/" +
           b.experiment;
  return r.label_a + " → " + r.label_b + " at " + scale_label(in, b.scale);
}

}  // namespace plan

namespace {

bool same_data(double ratio) {
  return ratio > 0.95 && ratio < 1.05;
}

std::string timing_words(const PairDiff& p, bool improvement) {
  // Appends, not operator+ on a literal: GCC 12 at -O3 warns (-Wrestrict) on the latter.
  std::string times = "(";
  times.append(format_ms(p.a.execution.median_ms))
      .append(" → ")
      .append(format_ms(p.b.execution.median_ms))
      .append(")");
  std::string data = same_data(p.data_ratio) ? "on the same data"
                                             : "for " + format_ratio(p.data_ratio) + " the data";
  if (improvement || p.time_ratio < 1) {
    double faster = 1 / std::max(p.time_ratio, 1e-9);
    return format_ratio(faster) + " faster " + data + " " + times;
  }
  return format_ratio(p.time_ratio) + " the time " + data + " " + times;
}

// What B's plan does that A's does not, named by the scans a reader can act on:
// "walks products_featured_created_idx", "reads all of products".
std::string plan_words(const PairDiff& p) {
  auto came = nodes_not_in(p.b.root, p.a.root);
  std::vector<std::string> parts;
  for (const auto* n : came) {
    if (n->node_type == "Index Scan" || n->node_type == "Index Only Scan") {
      parts.push_back("walks " + n->index_name);
    } else if (n->node_type == "Bitmap Index Scan") {
      parts.push_back("bitmap-scans " + n->index_name);
    } else if (n->node_type == "Seq Scan") {
      parts.push_back("reads all of " + n->relation);
    }
  }
  if (parts.empty() && !came.empty()) parts.push_back("uses " + came.front()->label());
  if (parts.empty()) {
    const std::string drops = "drops ";
    return p.shape_words.starts_with(drops) ? "the plan now " + p.shape_words
                                            : "the plan runs the same nodes in another order";
  }
  std::string out = "the plan now " + parts.front();
  for (size_t i = 1; i < parts.size() && i < 3; ++i) out += " and " + parts[i];
  return out;
}

// The node of `root` that throws away the most rows after reading them, if that is
// at least as many as it returns: the usual cost of an index that does not match
// the filter.
std::string removed_words(const PlanNode& root) {
  const PlanNode* worst = nullptr;
  double most = 0;
  const char* how = "";
  auto visit = [&](const PlanNode& n, auto& self) -> void {
    const double loops = std::max(n.loops, 1.0);
    const std::pair<double, const char*> removed[] = {
        {n.removed_by_filter * loops, "by filter"},
        {n.removed_by_join_filter * loops, "by join filter"},
        {n.removed_by_index_recheck * loops, "by index recheck"}};
    for (const auto& [rows, words] : removed) {
      if (rows > most) most = rows, worst = &n, how = words;
    }
    for (const auto& c : n.children) self(c, self);
  };
  visit(root, visit);
  if (!worst || most < 100 || most < worst->actual_rows * std::max(worst->loops, 1.0)) return "";
  return "removes " + thousands(most) + " rows " + how;
}

std::string buffer_words(const PairDiff& p) {
  int64_t a = p.a.shared_hit + p.a.shared_read, b = p.b.shared_hit + p.b.shared_read;
  if (b <= 0) return "";
  return thousands(static_cast<double>(b)) + " buffers (was " + thousands(static_cast<double>(a)) +
         ")";
}

Finding finding_of(const ReportInput& in, size_t ci, size_t pi, const DiffOptions& o) {
  const CompareResult& r = in.comparisons[ci];
  const PairDiff& p = r.pairs[pi];
  Finding f;
  f.kind = kind_of(p);
  f.improvement = is_improvement(p, o);
  f.subject = p.b.query + " [" + p.b.pick + "]";
  f.where = where_words(in, r, p);
  f.time_ratio = p.time_ratio;
  f.comparison = ci;
  f.pair = pi;
  std::vector<std::string> parts;
  if (p.timed && (f.improvement || p.has(ChangeKind::kRegression) || p.shape_changed))
    parts.push_back(timing_words(p, f.improvement));
  if (p.shape_changed) {
    std::string plan = plan_words(p), removed = removed_words(p.b.root);
    parts.push_back(removed.empty() ? plan : plan + " and " + removed);
  } else if (!f.improvement && p.has(ChangeKind::kRegression)) {
    std::string removed = removed_words(p.b.root);
    if (!removed.empty()) parts.push_back("the plan " + removed);
  }
  if (!f.improvement && p.has(ChangeKind::kRegression)) {
    std::string buffers = buffer_words(p);
    if (!buffers.empty()) parts.push_back(buffers);
  }
  if (p.has(ChangeKind::kEstimate)) {
    parts.push_back("worst q-error " + qerror_change(p) +
                    (p.b.worst_node.empty() ? "" : " at " + p.b.worst_node));
  }
  if (!p.shape_changed && p.has(ChangeKind::kIndexChange))
    parts.push_back("indexes " + indexes_change(p));
  f.text = parts.empty() ? verdict_text(p.kinds) : parts.front();
  for (size_t i = 1; i < parts.size(); ++i) f.text += "; " + parts[i];
  return f;
}

}  // namespace

bool is_improvement(const PairDiff& p, const DiffOptions& o) {
  if (!p.timed || p.a.execution.median_ms < o.regression_floor_ms) return false;
  return p.time_ratio * o.regression_factor <= 1;
}

Findings find_findings(const ReportInput& in, const DiffOptions& o) {
  Findings out;
  for (size_t ci = 0; ci < in.comparisons.size(); ++ci) {
    for (size_t pi = 0; pi < in.comparisons[ci].pairs.size(); ++pi) {
      const PairDiff& p = in.comparisons[ci].pairs[pi];
      if (p.kinds.empty() && !is_improvement(p, o)) continue;
      Finding f = finding_of(in, ci, pi, o);
      (f.improvement ? out.improvements : out.problems).push_back(std::move(f));
    }
  }
  std::stable_sort(out.problems.begin(), out.problems.end(),
                   [](const Finding& x, const Finding& y) {
                     if (x.kind != y.kind) return x.kind < y.kind;
                     return x.time_ratio > y.time_ratio;
                   });
  std::stable_sort(out.improvements.begin(), out.improvements.end(),
                   [](const Finding& x, const Finding& y) { return x.time_ratio < y.time_ratio; });
  return out;
}

std::string scale_label(const ReportInput& in, const std::string& scale, bool compact) {
  double rows = scale_row_count(in, scale);
  if (rows < 0) return scale;
  return compact ? format_rows(rows) : scale + " (" + format_rows(rows) + " rows)";
}

}  // namespace pgshape
