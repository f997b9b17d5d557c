// The plan model: PostgreSQL's EXPLAIN (FORMAT JSON) output as a tree of plain
// values, and one captured plan (PlanCapture) with the numbers pgshape reports.
//
// Everything here is pure: no database, no I/O. The capture code (plan_capture.hpp)
// fills PlanCaptures from a live server, the diff code (plan_diff.hpp) compares them
// and only the report code (report.hpp) formats them.
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <string_view>
#include <vector>

namespace pgshape {

// One node of a plan tree, with the fields pgshape compares and shows. Row counts
// are per loop, as EXPLAIN reports them; `actual_rows * loops` is the node's total.
struct PlanNode {
  std::string node_type;        // "Seq Scan", "Index Scan", "Hash Join", "Aggregate", ...
  std::string join_type;        // "Inner", "Left", "Right", "Full", "Semi", "Anti"; empty if none
  std::string strategy;         // Aggregate/SetOp: "Plain", "Sorted", "Hashed", "Mixed"
  bool parallel_aware = false;  // shown as "Parallel Seq Scan" like EXPLAIN's text form
  std::string relation;         // "Relation Name" (or CTE / function name for those scans)
  std::string alias;            // "Alias"
  std::string index_name;       // "Index Name" for index and bitmap index scans
  std::string scan_direction;   // "Forward" / "Backward" / "NoMovement"; empty if not a scan
  double estimated_rows = 0;    // "Plan Rows": the planner's rows per loop
  bool analyzed = false;        // the plan carries actual numbers (EXPLAIN ANALYZE)
  double actual_rows = 0;       // "Actual Rows": rows per loop (0 when never executed)
  double loops = 0;             // "Actual Loops": 0 = never executed
  double actual_total_ms = 0;   // "Actual Total Time": per loop, milliseconds
  int64_t shared_hit = 0;       // "Shared Hit Blocks": this node and its children
  int64_t shared_read = 0;      // "Shared Read Blocks": this node and its children
  std::vector<PlanNode> children;

  // How EXPLAIN's text form names the node, plus what it scans:
  // "Index Scan using products_category_idx on products", "Hash Right Join",
  // "HashAggregate", "Parallel Seq Scan on products", "Sort".
  std::string label() const;
};

// The three timing figures pgshape keeps for N measured runs.
struct TimingStats {
  double median_ms = 0;
  double min_ms = 0;
  double max_ms = 0;
};

// One query × parameter choice × scale point × experiment, as captured.
struct PlanCapture {
  std::string query;  // Query::name
  std::string pick;   // the parameter choice label: "most_common", "rare,literal:true", ...
  std::vector<std::string> params;  // the resolved values, as text, in $n order
  std::string scale;                // scale point name
  std::string experiment;           // Experiment::name, or "baseline"
  bool analyzed = true;             // false for --hypothetical captures (EXPLAIN without ANALYZE)
  int runs = 0;                     // measured runs (after one warm-up)

  std::string explain_json;  // the kept run's EXPLAIN output, byte for byte
  PlanNode root;             // parsed from explain_json

  TimingStats planning;   // over the measured runs
  TimingStats execution;  // over the measured runs; the kept run is the median one
  double root_estimated_rows = 0;
  double root_actual_rows = 0;  // total over loops
  double worst_q_error = 1;     // the largest q_error over executed nodes
  std::string worst_node;       // label() of that node
  int64_t shared_hit = 0;       // root node's buffers (they include the children)
  int64_t shared_read = 0;
  std::vector<std::string> indexes;           // indexes_used(root)
  std::string shape;                          // shape_signature(root)
  std::map<std::string, int64_t> table_rows;  // rows per table at this scale point

  std::string plan_file;  // relative path inside a capture dir; set by write/read_capture_dir
};

// Parses EXPLAIN (FORMAT JSON) output — the `[{"Plan": {...}, ...}]` document, or
// the object inside it — into a tree. Throws std::runtime_error with what is wrong
// ("EXPLAIN JSON: ...") when the text is not JSON or has no "Plan".
PlanNode parse_explain_json(std::string_view json);

// The plan's shape: node labels and nesting, never costs, rows or times. Two plans
// with the same signature do the same work in the same order, e.g.
// "Limit(Sort(Seq Scan on products))".
std::string shape_signature(const PlanNode& root);

// The q-error of an estimate: max(est/act, act/est) with both clamped to at least 1
// row first, so 0 estimated or 0 actual rows count as 1 (PostgreSQL never estimates
// below 1 row anyway) and the result is finite and >= 1.
double q_error(double estimated, double actual);

// The worst q-error over the nodes that ran (loops > 0), comparing rows per loop;
// `worst` receives that node's label ("" when every estimate was exact). Nodes a
// Limit stopped early (no Sort, Hash or hashed/plain Aggregate between them and the
// Limit) are skipped: their actual rows are truncated, not misestimated. Returns 1
// when nothing ran (or no ANALYZE).
double worst_q_error(const PlanNode& root, std::string* worst = nullptr);

// Names of the indexes the plan scans, sorted, without duplicates.
std::vector<std::string> indexes_used(const PlanNode& root);

// Fills the summary fields of `capture` (root, shape, indexes, rows, q-error,
// buffers) from `capture.explain_json`. Timing fields are left alone.
void summarize_plan(PlanCapture& capture);

}  // namespace pgshape
