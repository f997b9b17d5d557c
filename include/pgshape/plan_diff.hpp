// Comparing two sets of plan captures: which captures pair up, and what changed
// between the two plans of a pair (shape, indexes, time against data, estimates).
//
// Pure logic over PlanCapture values; the results are values the report code renders.
//
// Pairing rule. A capture is keyed by (query, pick, experiment, scale). The query
// name and the pick label (not the resolved value: "most_common" may be a different
// category at each scale) always take part. Experiment and scale take part only
// when BOTH sides hold more than one distinct value of it; when a side holds a single
// value, that dimension is ignored and its captures pair with every capture of the
// other side that matches the rest of the key. So:
//   - two one-scale captures (test vs production mirror, 12K vs 340K) pair by query,
//     pick and experiment;
//   - the baseline of one scale vs one experiment at that scale pairs by query and pick;
//   - a sweep compared with itself pairs every capture with itself.
// Captures with no partner are listed as unmatched, never silently dropped.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "pgshape/plan.hpp"

namespace pgshape {

enum class ChangeKind {
  kShapeChange,  // the shape signatures differ
  kIndexChange,  // the sets of indexes used differ
  kRegression,   // execution time grew ≥ 2× faster than the data (and B takes ≥ 1 ms)
  kEstimate,     // the worst q-error got ≥ 2× worse and is ≥ 10
};

// "shape-change", "index-change", "regression", "estimate" — the --fail-on names.
std::string_view to_string(ChangeKind kind);
// Parses a --fail-on list ("shape-change,regression"). Throws UsageError naming the
// unknown kind and the allowed ones.
std::vector<ChangeKind> parse_change_kinds(std::string_view list);

// Thresholds, with the defaults the issue asks for.
struct DiffOptions {
  double regression_factor = 2.0;    // time ratio ≥ factor × data ratio
  double regression_floor_ms = 1.0;  // B's median below this never regresses (noise)
  double estimate_factor = 2.0;      // worst q-error of B ≥ factor × that of A ...
  double estimate_min = 10.0;        // ... and ≥ this
};

// What changed between two captures of the same query × pick.
struct PairDiff {
  PlanCapture a;
  PlanCapture b;
  bool shape_changed = false;
  std::string shape_words;  // "Index Scan using x on products → Seq Scan on products + Sort"
  std::vector<std::string> indexes_dropped;  // used by A, not by B
  std::vector<std::string> indexes_added;    // used by B, not by A
  bool timed = false;             // both sides ran with ANALYZE, so times can be compared
  double time_ratio = 1;          // B's median execution time / A's
  double data_ratio = 1;          // rows of the tables the plans scan, B / A
  std::vector<ChangeKind> kinds;  // in enum order; empty = no change
  bool has(ChangeKind k) const;
};

struct CompareResult {
  std::string label_a;  // what side A is, e.g. "small/baseline" or a directory name
  std::string label_b;
  std::vector<PairDiff> pairs;           // in side B's capture order
  std::vector<std::string> unmatched_a;  // "query [pick] scale/experiment"
  std::vector<std::string> unmatched_b;
  bool has(ChangeKind k) const;  // any pair shows it
};

// Pairs `a` with `b` by the rule above and diffs every pair.
CompareResult compare_captures(const std::vector<PlanCapture>& a, const std::vector<PlanCapture>& b,
                               const DiffOptions& options = {});

// Diffs two captures that are known to pair up.
PairDiff diff_pair(const PlanCapture& a, const PlanCapture& b, const DiffOptions& options = {});

// The shape change in words, or "" when the shapes are equal: nodes only A has
// (scans first, then operators, in tree order) → nodes only B has.
std::string describe_shape_change(const PlanNode& a, const PlanNode& b);

// The labels of nodes in `of` that `other` does not have (multiset difference), for
// marking changed nodes in reports: the result holds one entry per unmatched node.
std::vector<const PlanNode*> nodes_not_in(const PlanNode& of, const PlanNode& other);

}  // namespace pgshape
