// The plan module: query plans captured on a live server at each scale point,
// compared pair by pair, and rendered for people. Sections: the plan model
// (pure), capture and the capture directory, comparison, reports.
#pragma once

#include <cstdint>
#include <map>
#include <pqxx/pqxx>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "pgshape/profile.hpp"

namespace pgshape {

// ---------------------------------------------------------------------------
// The plan model: PostgreSQL's EXPLAIN (FORMAT JSON) output as a tree of plain
// values, and one captured plan (PlanCapture) with the numbers pgshape reports.
//
// Everything here is pure: no database, no I/O. The capture code (plan_capture.hpp)
// fills PlanCaptures from a live server, the diff code (plan_diff.hpp) compares them
// and only the report code (report.hpp) formats them.

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
  // What explains a node's cost, verbatim from EXPLAIN (empty / 0 when absent):
  std::string filter;                   // "Filter"
  std::string index_cond;               // "Index Cond"
  std::string recheck_cond;             // "Recheck Cond"
  std::string hash_cond;                // "Hash Cond"
  std::string merge_cond;               // "Merge Cond"
  std::string join_filter;              // "Join Filter"
  std::string sort_key;                 // "Sort Key", joined by ", "
  std::string group_key;                // "Group Key", joined by ", "
  double removed_by_filter = 0;         // "Rows Removed by Filter": per loop
  double removed_by_join_filter = 0;    // "Rows Removed by Join Filter": per loop
  double removed_by_index_recheck = 0;  // "Rows Removed by Index Recheck": per loop
  int workers_planned = 0;              // "Workers Planned" (Gather / Gather Merge)
  int workers_launched = 0;             // "Workers Launched"
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

// ---------------------------------------------------------------------------
// Capturing query plans on a live server, and the capture directory that holds them.
//
// The capture functions take a connection the caller owns; they run everything in
// one transaction per experiment and ROLL IT BACK, so an experiment's CREATE INDEX,
// SET and anything a captured query writes leave no trace for the next one.
//
// Capture directory layout (what `explain --out DIR` writes and `compare` reads):
//
//   DIR/summary.json      {"format": "pgshape-capture/1",
//                          "meta": {profile, schema, seed, runs, hypothetical,
//                                   pgshape_version, server_version,
//                                   scales: [{name, tables: {table: rows}}],
//                                   queries: [{name, sql}], experiments: [{name, sql}]},
//                          "captures": [{query, pick, params, scale, experiment, analyzed,
//                                        runs, plan_file, shape, indexes,
//                                        planning_ms: {median, min, max}, execution_ms: {...},
//                                        root_estimated_rows, root_actual_rows,
//                                        worst_q_error, worst_node, shared_hit, shared_read,
//                                        table_rows: {table: rows}}]}
//   DIR/plans/<scale>/<experiment or "baseline">/<query>__<pick>.json
//                         the kept run's EXPLAIN output, verbatim (opens in PEV2 & co.)
//
// Path parts are the names with every character outside [A-Za-z0-9._-] turned into '_'
// (a collision gets a "~2" suffix); plan_file records the exact relative path.
// Everything in summary.json but plan_file can be recomputed from the plan files.

inline constexpr const char* kBaseline = "baseline";  // the experiment label of no experiment

// One way to fill a query's parameters: the label names the picks, the values are
// what they resolved to at this scale point (text; the server infers the types).
struct ParamVariant {
  std::string label;                // picks joined by ',', e.g. "most_common,literal:true"
  std::vector<std::string> values;  // in $n order
};

// Resolves every pick of `query` against the data in `schema` and returns the
// cartesian product of the params' picks (a single-param query with picks
// [most_common, rare, random:2] gives 4 variants). Picks:
//   most_common  the value with the highest count, ties → smallest value
//   rare         the least common value present, ties → smallest value
//   median       the median (percentile_disc 0.5) of the non-null values
//   random:k     k distinct values, chosen by md5(seed:value) order — deterministic
//                per seed and independent of the heap order → labels random:k#1..#k
//   literal:<v>  <v>; any other string is taken as a literal as well
// Throws UsageError when a param's table/column does not exist or has no values,
// DatabaseError/pqxx errors for database failures.
std::vector<ParamVariant> resolve_params(pqxx::connection& conn, const std::string& schema,
                                         const Query& query, uint64_t seed);

struct CaptureOptions {
  int runs = 5;               // measured runs after one warm-up; the median one is kept
  bool hypothetical = false;  // index experiments as hypopg indexes, EXPLAIN without ANALYZE
  uint64_t seed = 1;          // for random:k picks
  // How long a capture's statement waits for another session's lock before the
  // capture fails (db.lock-timeout) rather than hang; 0 waits forever.
  int lock_timeout_ms = 10'000;
};

// What a capture is of: the dataset schema, the scale point's name and its row counts.
struct ScaleContext {
  std::string schema;
  std::string scale;
  std::map<std::string, int64_t> table_rows;
};

// Captures one query × variant in `tx` (search_path must already point at the schema):
// one warm-up, then options.runs measured EXPLAIN (ANALYZE, BUFFERS, SETTINGS, FORMAT
// JSON) runs, keeping the median-execution-time run verbatim. With `explain_only`,
// a single EXPLAIN (SETTINGS, FORMAT JSON) without ANALYZE (hypothetical indexes).
PlanCapture capture_query(pqxx::transaction_base& tx, const ScaleContext& scale, const Query& query,
                          const ParamVariant& variant, const std::string& experiment,
                          const CaptureOptions& options, bool explain_only = false);

// Captures every query × variant at one scale point: the baseline, then each
// experiment, each in its own rolled-back transaction. Variants are resolved once
// (on the baseline data) so every experiment sees the same values.
// Throws UsageError when --hypothetical is asked for but hypopg is not available.
std::vector<PlanCapture> capture_scale(pqxx::connection& conn, const ScaleContext& scale,
                                       const std::vector<Query>& queries,
                                       const std::vector<Experiment>& experiments,
                                       const CaptureOptions& options);

// Row counts of the ordinary tables in `schema` from pg_class.reltuples (exact
// enough after ANALYZE on the sizes pgshape loads; the loader's counts are better).
std::map<std::string, int64_t> table_row_counts(pqxx::connection& conn, const std::string& schema);

// What summary.json says about the sweep as a whole.
struct CaptureMeta {
  std::string profile;
  std::string schema;
  uint64_t seed = 0;
  int runs = 0;
  bool hypothetical = false;
  std::string pgshape_version;
  std::string server_version;
  std::vector<std::pair<std::string, std::map<std::string, int64_t>>> scales;  // in order
  std::vector<std::pair<std::string, std::string>> queries;                    // name, sql
  std::vector<std::pair<std::string, std::string>> experiments;                // name, sql
};

struct CaptureSet {
  CaptureMeta meta;
  std::vector<PlanCapture> captures;
};

// Writes `set` as the layout above into `dir` (created if needed; files it writes are
// replaced, others left alone). Sets each capture's plan_file. Throws
// std::runtime_error naming the path when a file cannot be written.
void write_capture_dir(const std::string& dir, CaptureSet& set);

// Reads a capture dir back; plans are re-parsed from the plan files. Throws
// UsageError naming the directory and the problem when it is missing, has no or a
// malformed summary.json, or a plan file is missing or not EXPLAIN JSON.
CaptureSet read_capture_dir(const std::string& dir);

// ---------------------------------------------------------------------------
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

// ---------------------------------------------------------------------------
// Rendering plan captures and comparisons for people: report.md, a self-contained
// report.html (inline CSS and SVG, no network, well-formed XML), a short terminal
// table, and JSON for --json. The only place in the plan module that formats.
//
// Renderers return strings; write_reports is the one function here that touches files.

// Everything a report shows. A sweep is one set; `compare A B` is two sets.
struct ReportInput {
  std::string title;               // "pgshape explain — shop", "pgshape compare — a vs b"
  std::vector<std::string> notes;  // one line each under the title: profile, server, seed ...
  // Labelled capture sets, in display order. The label is shown when there are several.
  std::vector<std::pair<std::string, std::vector<PlanCapture>>> sets;
  std::vector<CompareResult> comparisons;  // each rendered as its own section
  // Rows per scale point name, shown beside the name ("production (340K rows)"): the
  // profile's anchor count when the caller knows it; a scale missing here is shown
  // with the total rows of its tables.
  std::map<std::string, int64_t> scale_rows;
  // Where each set's plan files are, relative to the report's directory, for links
  // (the last entry serves any set beyond it; none = the report's own directory).
  // Pairs take their A sides from the first set and their B sides from the last.
  std::vector<std::string> plan_dirs;
};

// ---------------------------------------------------------------------------
// Findings: what changed, in a sentence each, worst first. The headline of the
// HTML, Markdown and terminal reports; built from ReportInput::comparisons.
//
// Severity order (FindingKind's order, then the time ratio, largest first):
//   1. a shape change that is also a regression: the plan changed and got slower
//      than the data grew — what an incident looks like;
//   2. a regression with the same plan;
//   3. a shape change without a regression;
//   4. an estimate that got much worse (worst q-error, see DiffOptions);
//   5. an index change only.
// Improvements — pairs whose B side takes at most 1 / regression_factor of A's time
// (and whose A side took at least regression_floor_ms) — are a separate list, largest speed-up
// first, whatever else changed: an experiment that swaps the plan for a 300× faster one is good
// news, not a shape-change alarm.

enum class FindingKind { kSlowerPlanChange, kRegression, kShapeChange, kEstimate, kIndexChange };

struct Finding {
  FindingKind kind = FindingKind::kIndexChange;
  bool improvement = false;  // a green finding; `kind` is then meaningless
  std::string subject;       // "listing [rank:50]"
  std::string where;         // "test (12K rows) → production (340K rows)"
  std::string text;          // "220× the time for 28× the data (0.072 ms → 15.9 ms); ..."
  double time_ratio = 1;     // B / A, as in PairDiff
  size_t comparison = 0;     // which ReportInput::comparisons entry ...
  size_t pair = 0;           // ... and which of its pairs
  std::string sentence() const { return subject + ", " + where + ": " + text; }
};

// Whether a pair is an improvement by the rule above.
bool is_improvement(const PairDiff& p, const DiffOptions& options = {});

struct Findings {
  std::vector<Finding> problems;      // worst first
  std::vector<Finding> improvements;  // largest speed-up first
};

// Every pair with a change kind or an improvement becomes one finding.
Findings find_findings(const ReportInput& input, const DiffOptions& options = {});

// A scale point with its rows: "production (340K rows)"; `compact` gives just
// "340K" for terminal cells (the name when the rows are unknown).
std::string scale_label(const ReportInput& input, const std::string& scale, bool compact = false);

// "0.052 ms", "12.4 ms", "1.82 s".
std::string format_ms(double ms);
// "ok" when nothing changed, else the change kinds joined by ", ".
std::string verdict_text(const std::vector<ChangeKind>& kinds);

// GitHub-flavoured Markdown: summary table, one section per comparison.
std::string render_markdown(const ReportInput& input);

// One XHTML-compatible page (parses with `xmllint --noout` as XML and as HTML):
// summary table, an SVG chart of median execution time (log scale) per query × pick
// across the sets' scale points and experiments, and for each changed pair the two
// plan trees side by side with the nodes only one side has marked. Every string
// from data or SQL is escaped.
std::string render_html(const ReportInput& input);

// What the terminal shows: the findings (worst first, improvements marked), then a
// table of one line per compared pair, worst first (or per capture when there are
// no comparisons). No line is wider than `width` columns: findings wrap, table
// cells are cut with "…" (the full text is in --json and the reports). `color` adds
// ANSI colours, which take no columns.
std::string render_terminal(const ReportInput& input, bool color, size_t width = 100);

// A comparison as JSON (for `compare --json`): pairs with their verdicts and numbers.
std::string render_json(const CompareResult& result);

// The findings as a JSON array, worst first, improvements last (for --json):
// [{"kind": "regression" | "plan-change" | "estimate" | "index-change" | "improvement",
//   "query", "pick", "where", "sentence", "time_ratio", "comparison", "pair"}], where
// comparison and pair index the report's comparisons and their pairs.
std::string render_findings_json(const ReportInput& input);

// Writes report.md and report.html into `dir` (created if needed) and returns the
// path of report.html. Throws std::runtime_error naming the file it could not write.
std::string write_reports(const std::string& dir, const ReportInput& input);

}  // namespace pgshape
