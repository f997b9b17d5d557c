// EXPLAIN JSON → PlanNode, and the pure measures over a plan tree (shape, q-error,
// indexes). See include/pgshape/plan.hpp.
#include "pgshape/plan.hpp"

#include <algorithm>
#include <nlohmann/json.hpp>
#include <set>
#include <stdexcept>

#include "pgshape/util.hpp"

namespace pgshape {
namespace {

using nlohmann::json;

std::string str_field(const json& j, const char* key) {
  auto it = j.find(key);
  return it != j.end() && it->is_string() ? it->get<std::string>() : std::string();
}

double num_field(const json& j, const char* key, double fallback = 0) {
  auto it = j.find(key);
  return it != j.end() && it->is_number() ? it->get<double>() : fallback;
}

// "Sort Key" and "Group Key" are arrays of expressions.
std::string list_field(const json& j, const char* key) {
  auto it = j.find(key);
  if (it == j.end() || !it->is_array()) return str_field(j, key);
  std::string out;
  for (const auto& e : *it) {
    if (!e.is_string()) continue;
    if (!out.empty()) out += ", ";
    out += e.get<std::string>();
  }
  return out;
}

PlanNode parse_node(const json& j, int depth) {
  // EXPLAIN never nests this deep; a guard keeps hostile input from blowing the stack.
  if (depth > 1000) throw std::runtime_error("EXPLAIN JSON: plan nested deeper than 1000 nodes");
  if (!j.is_object()) throw std::runtime_error("EXPLAIN JSON: a plan node is not an object");
  PlanNode n;
  n.node_type = str_field(j, "Node Type");
  if (n.node_type.empty())
    throw std::runtime_error("EXPLAIN JSON: a plan node has no \"Node Type\"");
  n.join_type = str_field(j, "Join Type");
  n.strategy = str_field(j, "Strategy");
  auto pa = j.find("Parallel Aware");
  n.parallel_aware = pa != j.end() && pa->is_boolean() && pa->get<bool>();
  n.relation = str_field(j, "Relation Name");
  if (n.relation.empty()) n.relation = str_field(j, "CTE Name");
  if (n.relation.empty()) n.relation = str_field(j, "Function Name");
  n.alias = str_field(j, "Alias");
  n.index_name = str_field(j, "Index Name");
  n.scan_direction = str_field(j, "Scan Direction");
  n.estimated_rows = num_field(j, "Plan Rows");
  n.analyzed = j.contains("Actual Loops");
  n.actual_rows = num_field(j, "Actual Rows");
  n.loops = num_field(j, "Actual Loops");
  n.actual_total_ms = num_field(j, "Actual Total Time");
  n.shared_hit = static_cast<int64_t>(num_field(j, "Shared Hit Blocks"));
  n.shared_read = static_cast<int64_t>(num_field(j, "Shared Read Blocks"));
  n.filter = str_field(j, "Filter");
  n.index_cond = str_field(j, "Index Cond");
  n.recheck_cond = str_field(j, "Recheck Cond");
  n.hash_cond = str_field(j, "Hash Cond");
  n.merge_cond = str_field(j, "Merge Cond");
  n.join_filter = str_field(j, "Join Filter");
  n.sort_key = list_field(j, "Sort Key");
  n.group_key = list_field(j, "Group Key");
  n.removed_by_filter = num_field(j, "Rows Removed by Filter");
  n.removed_by_join_filter = num_field(j, "Rows Removed by Join Filter");
  n.removed_by_index_recheck = num_field(j, "Rows Removed by Index Recheck");
  n.workers_planned = static_cast<int>(num_field(j, "Workers Planned"));
  n.workers_launched = static_cast<int>(num_field(j, "Workers Launched"));
  if (auto it = j.find("Plans"); it != j.end()) {
    if (!it->is_array()) throw std::runtime_error("EXPLAIN JSON: \"Plans\" is not an array");
    for (const auto& child : *it) n.children.push_back(parse_node(child, depth + 1));
  }
  return n;
}

void collect_indexes(const PlanNode& n, std::set<std::string>& out) {
  if (!n.index_name.empty()) out.insert(n.index_name);
  for (const auto& c : n.children) collect_indexes(c, out);
}

void append_shape(const PlanNode& n, std::string& out) {
  out += n.label();
  if (n.children.empty()) return;
  std::vector<std::string> children;
  for (const auto& child : n.children) append_shape(child, children.emplace_back());
  // Parallel Append lists its children by cost (non-partial ones first), for
  // workers to pick from: a set of leaves, in an order that follows small cost
  // differences, not a different plan. Other nodes keep theirs (an ordered
  // Append's order is its output's, a join's children are outer and inner).
  if (n.node_type == "Append" && n.parallel_aware) std::sort(children.begin(), children.end());
  out += '(';
  for (size_t i = 0; i < children.size(); ++i) {
    if (i) out += ", ";
    out += children[i];
  }
  out += ')';
}

// Whether a node reads all of its input before returning its first row. Below such a
// node a Limit cannot stop the scan early.
bool consumes_all_input(const PlanNode& n) {
  if (n.node_type == "Sort" || n.node_type == "Hash") return true;
  return (n.node_type == "Aggregate" || n.node_type == "SetOp") && n.strategy != "Sorted";
}

// `cut_short`: a Limit above stops this node early, with no node in between that
// consumes all its input, so its actual rows say nothing about the estimate (the
// Index Scan under `LIMIT 20` that returns 20 of an estimated 58,739 rows).
void find_worst(const PlanNode& n, bool cut_short, double& worst, std::string& label) {
  if (n.analyzed && n.loops > 0 && !cut_short) {
    double q = q_error(n.estimated_rows, n.actual_rows);
    if (q > worst) {
      worst = q;
      label = n.label();
    }
  }
  bool below = n.node_type == "Limit" || (cut_short && !consumes_all_input(n));
  for (const auto& c : n.children) find_worst(c, below, worst, label);
}

}  // namespace

std::string PlanNode::label() const {
  std::string name = node_type;
  if (node_type == "Aggregate") {
    // The text form names the strategy; GroupAggregate → HashAggregate is a real change.
    if (strategy == "Sorted") name = "GroupAggregate";
    if (strategy == "Hashed") name = "HashAggregate";
    if (strategy == "Mixed") name = "MixedAggregate";
  }
  if (!join_type.empty() && join_type != "Inner") {
    // "Hash Join" + Right → "Hash Right Join"; "Nested Loop" + Left → "Nested Loop Left Join".
    const std::string suffix = " Join";
    if (name.size() > suffix.size() && name.ends_with(suffix)) {
      name.insert(name.size() - suffix.size(), " " + join_type);
    } else {
      name += " " + join_type + " Join";
    }
  }
  if (parallel_aware) name = "Parallel " + name;
  if (!index_name.empty()) {
    if (node_type == "Index Scan" || node_type == "Index Only Scan") {
      if (scan_direction == "Backward") name += " Backward";
    }
    name += " using " + index_name;
  }
  if (!relation.empty()) name += " on " + relation;
  return name;
}

PlanNode parse_explain_json(std::string_view text) {
  // Checked before parsing: nlohmann::json copies and destroys nested values
  // recursively, so 150,000 '[' would overflow the stack.
  if (auto at = json_too_deep(text))
    throw std::runtime_error("EXPLAIN JSON: nested deeper than " + std::to_string(kMaxJsonDepth) +
                             " levels (at byte " + std::to_string(*at) + ")");
  json doc = json::parse(text.begin(), text.end(), nullptr, /*allow_exceptions=*/false);
  if (doc.is_discarded()) throw std::runtime_error("EXPLAIN JSON: not valid JSON");
  // EXPLAIN (FORMAT JSON) prints a one-element array; accept the bare object too.
  if (doc.is_array()) {
    if (doc.empty()) throw std::runtime_error("EXPLAIN JSON: empty array, expected one plan");
    doc = doc.at(0);
  }
  if (!doc.is_object() || !doc.contains("Plan")) {
    throw std::runtime_error("EXPLAIN JSON: no \"Plan\" object (is this EXPLAIN (FORMAT JSON)?)");
  }
  return parse_node(doc["Plan"], 0);
}

std::string shape_signature(const PlanNode& root) {
  std::string out;
  append_shape(root, out);
  return out;
}

double q_error(double estimated, double actual) {
  double e = std::max(estimated, 1.0);
  double a = std::max(actual, 1.0);
  return std::max(e / a, a / e);
}

double worst_q_error(const PlanNode& root, std::string* worst) {
  double q = 1;
  std::string label;
  find_worst(root, false, q, label);
  if (worst) *worst = label;
  return q;
}

std::vector<std::string> indexes_used(const PlanNode& root) {
  std::set<std::string> names;
  collect_indexes(root, names);
  return {names.begin(), names.end()};
}

void summarize_plan(PlanCapture& c) {
  c.root = parse_explain_json(c.explain_json);
  c.shape = shape_signature(c.root);
  c.indexes = indexes_used(c.root);
  c.root_estimated_rows = c.root.estimated_rows;
  c.root_actual_rows = c.root.actual_rows * std::max(c.root.loops, 1.0);
  c.worst_q_error = worst_q_error(c.root, &c.worst_node);
  c.shared_hit = c.root.shared_hit;
  c.shared_read = c.root.shared_read;
  c.analyzed = c.root.analyzed;
}

}  // namespace pgshape
