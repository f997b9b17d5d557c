// Pairing captures and diffing plan pairs. See include/pgshape/plan_diff.hpp.
#include "pgshape/plan.hpp"

#include <algorithm>
#include <array>
#include <map>
#include <set>

#include "pgshape/error.hpp"

namespace pgshape {
namespace {

// How the shape words order the nodes that changed: what reads the data first, then
// how it is combined, then the work done on it, then plumbing. Unlisted node types
// count as work. Table-driven so a new node type is one line.
struct NodeClass {
  std::string_view node_type;
  int rank;
};
constexpr std::array kNodeClasses = {
    NodeClass{"Seq Scan", 0},
    NodeClass{"Index Scan", 0},
    NodeClass{"Index Only Scan", 0},
    NodeClass{"Bitmap Heap Scan", 0},
    NodeClass{"Bitmap Index Scan", 0},
    NodeClass{"Tid Scan", 0},
    NodeClass{"Tid Range Scan", 0},
    NodeClass{"Subquery Scan", 0},
    NodeClass{"Function Scan", 0},
    NodeClass{"CTE Scan", 0},
    NodeClass{"Values Scan", 0},
    NodeClass{"Foreign Scan", 0},
    NodeClass{"Nested Loop", 1},
    NodeClass{"Hash Join", 1},
    NodeClass{"Merge Join", 1},
    NodeClass{"Gather", 3},
    NodeClass{"Gather Merge", 3},
    NodeClass{"Limit", 3},
    NodeClass{"Result", 3},
    NodeClass{"Append", 3},
    NodeClass{"Materialize", 3},
    NodeClass{"Memoize", 3},
};
constexpr int kWorkRank = 2;

int rank_of(const PlanNode& n) {
  for (const auto& c : kNodeClasses) {
    if (c.node_type == n.node_type) return c.rank;
  }
  return kWorkRank;
}

void preorder(const PlanNode& n, std::vector<const PlanNode*>& out) {
  out.push_back(&n);
  for (const auto& c : n.children) preorder(c, out);
}

std::string join_labels(std::vector<const PlanNode*> nodes) {
  std::stable_sort(nodes.begin(), nodes.end(),
                   [](const PlanNode* x, const PlanNode* y) { return rank_of(*x) < rank_of(*y); });
  std::string out;
  for (const auto* n : nodes) {
    if (!out.empty()) out += " + ";
    out += n->label();
  }
  return out;
}

std::string key_text(const PlanCapture& c) {
  return c.query + " [" + c.pick + "] " + c.scale + "/" + c.experiment;
}

bool varies(const std::vector<PlanCapture>& v, std::string PlanCapture::*field) {
  for (const auto& c : v) {
    if (c.*field != v.front().*field) return true;
  }
  return false;
}

// Rows of the tables the two plans scan, on each side; all tables when the plans
// name none of them (e.g. a query over a function).
std::pair<double, double> data_sizes(const PlanCapture& a, const PlanCapture& b) {
  std::set<std::string> rels;
  std::vector<const PlanNode*> nodes;
  preorder(a.root, nodes);
  preorder(b.root, nodes);
  for (const auto* n : nodes) {
    if (!n->relation.empty()) rels.insert(n->relation);
  }
  auto sum = [&](const PlanCapture& c, bool all) {
    double s = 0;
    for (const auto& [table, rows] : c.table_rows) {
      if (all || rels.count(table)) s += static_cast<double>(rows);
    }
    return s;
  };
  double ra = sum(a, false), rb = sum(b, false);
  if (ra <= 0 || rb <= 0) ra = sum(a, true), rb = sum(b, true);
  return {ra, rb};
}

}  // namespace

std::string_view to_string(ChangeKind kind) {
  switch (kind) {
    case ChangeKind::kShapeChange:
      return "shape-change";
    case ChangeKind::kIndexChange:
      return "index-change";
    case ChangeKind::kRegression:
      return "regression";
    case ChangeKind::kEstimate:
      return "estimate";
  }
  return "?";
}

std::vector<ChangeKind> parse_change_kinds(std::string_view list) {
  constexpr std::array kAll = {ChangeKind::kShapeChange, ChangeKind::kIndexChange,
                               ChangeKind::kRegression, ChangeKind::kEstimate};
  std::vector<ChangeKind> out;
  size_t start = 0;
  while (start <= list.size()) {
    size_t end = std::min(list.find(',', start), list.size());
    std::string_view word = list.substr(start, end - start);
    while (!word.empty() && word.front() == ' ') word.remove_prefix(1);
    while (!word.empty() && word.back() == ' ') word.remove_suffix(1);
    if (!word.empty()) {
      auto it = std::find_if(kAll.begin(), kAll.end(),
                             [&](ChangeKind k) { return to_string(k) == word; });
      if (it == kAll.end()) {
        throw UsageError("usage.bad-option",
                         "--fail-on: unknown kind of change '" + std::string(word) + "'",
                         "use a comma-separated list of shape-change, index-change, "
                         "regression, estimate");
      }
      if (std::find(out.begin(), out.end(), *it) == out.end()) out.push_back(*it);
    }
    start = end + 1;
  }
  return out;
}

bool PairDiff::has(ChangeKind k) const {
  return std::find(kinds.begin(), kinds.end(), k) != kinds.end();
}

bool CompareResult::has(ChangeKind k) const {
  return std::any_of(pairs.begin(), pairs.end(), [&](const PairDiff& p) { return p.has(k); });
}

std::vector<const PlanNode*> nodes_not_in(const PlanNode& of, const PlanNode& other) {
  std::map<std::string, int> available;
  std::vector<const PlanNode*> theirs;
  preorder(other, theirs);
  for (const auto* n : theirs) ++available[n->label()];
  std::vector<const PlanNode*> mine, out;
  preorder(of, mine);
  for (const auto* n : mine) {
    int& left = available[n->label()];
    if (left > 0) {
      --left;
    } else {
      out.push_back(n);
    }
  }
  return out;
}

std::string describe_shape_change(const PlanNode& a, const PlanNode& b) {
  std::string sa = shape_signature(a), sb = shape_signature(b);
  if (sa == sb) return "";
  auto gone = nodes_not_in(a, b);
  auto came = nodes_not_in(b, a);
  if (gone.empty() && came.empty()) return "same nodes, rearranged: " + sa + " → " + sb;
  if (came.empty()) return "drops " + join_labels(gone);
  if (gone.empty()) return "adds " + join_labels(came);
  return join_labels(gone) + " → " + join_labels(came);
}

PairDiff diff_pair(const PlanCapture& a, const PlanCapture& b, const DiffOptions& o) {
  PairDiff d;
  d.a = a;
  d.b = b;
  d.shape_changed = a.shape != b.shape;
  if (d.shape_changed) {
    d.shape_words = describe_shape_change(a.root, b.root);
    d.kinds.push_back(ChangeKind::kShapeChange);
  }
  std::set_difference(a.indexes.begin(), a.indexes.end(), b.indexes.begin(), b.indexes.end(),
                      std::back_inserter(d.indexes_dropped));
  std::set_difference(b.indexes.begin(), b.indexes.end(), a.indexes.begin(), a.indexes.end(),
                      std::back_inserter(d.indexes_added));
  if (!d.indexes_dropped.empty() || !d.indexes_added.empty()) {
    d.kinds.push_back(ChangeKind::kIndexChange);
  }
  auto [rows_a, rows_b] = data_sizes(a, b);
  d.data_ratio = rows_a > 0 && rows_b > 0 ? rows_b / rows_a : 1.0;
  d.timed = a.analyzed && b.analyzed;
  if (d.timed) {
    // A 0.000 ms median (possible for trivial plans) would make any ratio infinite.
    double ta = std::max(a.execution.median_ms, 0.001);
    d.time_ratio = b.execution.median_ms / ta;
    if (b.execution.median_ms >= o.regression_floor_ms &&
        d.time_ratio >= o.regression_factor * d.data_ratio) {
      d.kinds.push_back(ChangeKind::kRegression);
    }
    if (b.worst_q_error >= o.estimate_min &&
        b.worst_q_error >= o.estimate_factor * a.worst_q_error) {
      d.kinds.push_back(ChangeKind::kEstimate);
    }
  }
  return d;
}

CompareResult compare_captures(const std::vector<PlanCapture>& a, const std::vector<PlanCapture>& b,
                               const DiffOptions& options) {
  CompareResult r;
  bool by_scale =
      !a.empty() && !b.empty() && varies(a, &PlanCapture::scale) && varies(b, &PlanCapture::scale);
  bool by_experiment = !a.empty() && !b.empty() && varies(a, &PlanCapture::experiment) &&
                       varies(b, &PlanCapture::experiment);
  std::vector<bool> a_used(a.size(), false);
  for (const auto& cb : b) {
    bool found = false;
    for (size_t i = 0; i < a.size(); ++i) {
      const auto& ca = a[i];
      if (ca.query != cb.query || ca.pick != cb.pick) continue;
      if (by_scale && ca.scale != cb.scale) continue;
      if (by_experiment && ca.experiment != cb.experiment) continue;
      r.pairs.push_back(diff_pair(ca, cb, options));
      a_used[i] = true;
      found = true;
    }
    if (!found) r.unmatched_b.push_back(key_text(cb));
  }
  for (size_t i = 0; i < a.size(); ++i) {
    if (!a_used[i]) r.unmatched_a.push_back(key_text(a[i]));
  }
  return r;
}

}  // namespace pgshape
