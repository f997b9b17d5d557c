// Plan trees for report.html: what EXPLAIN says about each node that explains its
// cost (conditions, rows thrown away, loops, workers, buffers), and a link to the
// plan file a plan viewer opens.
#include <set>

#include "report_html.hpp"

namespace pgshape::plan {
namespace {

void detail(const char* name, const std::string& value, std::string& out) {
  if (value.empty()) return;
  out += "<div class=\"cond\"><span class=\"k\">" + esc(name) + ":</span> <code>" + esc(value) +
         "</code></div>";
}

// Removed rows are per loop in EXPLAIN; the report shows the total a reader can
// compare with the rows the node returned.
void removed(const char* name, double per_loop, double loops, std::string& out) {
  if (per_loop <= 0) return;
  double total = per_loop * std::max(loops, 1.0);
  out += "<div class=\"removed\">" + esc(name) + ": " + esc(thousands(total)) + "</div>";
}

std::string numbers(const PlanNode& n) {
  std::string out = "est " + format_rows(n.estimated_rows);
  if (n.analyzed) {
    if (n.loops <= 0) return out + " · never executed";
    out += " · act " + format_rows(n.actual_rows);
    if (n.loops > 1) out += " × " + thousands(n.loops) + " loops";
    out += " · " + format_ms(n.actual_total_ms);
  }
  if (n.shared_hit > 0 || n.shared_read > 0) {
    out += " · buffers " + thousands(static_cast<double>(n.shared_hit)) + " hit";
    if (n.shared_read > 0) out += ", " + thousands(static_cast<double>(n.shared_read)) + " read";
  }
  if (n.workers_planned > 0) {
    out += " · workers " + std::to_string(n.workers_launched) + " of " +
           std::to_string(n.workers_planned);
  }
  return out;
}

void tree(const PlanNode& n, const std::set<const PlanNode*>& marked, const char* cls,
          std::string& out) {
  out += "<li><span class=\"node";
  if (marked.count(&n)) out += std::string(" ") + cls;
  out += "\">" + esc(n.label()) + "</span> <span class=\"meta\">" + esc(numbers(n)) + "</span>";
  detail("Index Cond", n.index_cond, out);
  detail("Recheck Cond", n.recheck_cond, out);
  detail("Hash Cond", n.hash_cond, out);
  detail("Merge Cond", n.merge_cond, out);
  detail("Join Filter", n.join_filter, out);
  detail("Filter", n.filter, out);
  detail("Sort Key", n.sort_key, out);
  detail("Group Key", n.group_key, out);
  removed("Rows Removed by Filter", n.removed_by_filter, n.loops, out);
  removed("Rows Removed by Join Filter", n.removed_by_join_filter, n.loops, out);
  removed("Rows Removed by Index Recheck", n.removed_by_index_recheck, n.loops, out);
  if (!n.children.empty()) {
    out += "<ul class=\"tree\">";
    for (const auto& c : n.children) tree(c, marked, cls, out);
    out += "</ul>";
  }
  out += "</li>\n";
}

std::string side(const std::string& title, const PlanCapture& c, const PlanNode& other,
                 const char* cls, const std::string& dir) {
  auto only = nodes_not_in(c.root, other);
  std::set<const PlanNode*> marked(only.begin(), only.end());
  std::string out = "<div class=\"side\"><h4>" + esc(title) + " — " + esc(time_of(c)) + "</h4>";
  if (!c.plan_file.empty()) {
    out += "<p class=\"file\"><a href=\"" + esc(plan_href(dir, c.plan_file)) + "\">" +
           esc(c.plan_file) + "</a> (EXPLAIN JSON: opens in PEV2)</p>";
  }
  out += "<ul class=\"tree\">";
  tree(c.root, marked, cls, out);
  return out + "</ul></div>\n";
}

}  // namespace

std::string plan_href(const std::string& dir, const std::string& plan_file) {
  std::string path = dir.empty() || dir == "." ? plan_file : dir + "/" + plan_file;
  std::string out;
  for (unsigned char c : path) {
    bool plain = (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
                 c == '.' || c == '_' || c == '~' || c == '/' || c == '-';
    out += plain ? std::string(1, static_cast<char>(c)) : fmt::format("%{:02X}", c);
  }
  return out;
}

std::string plan_pair(const PairDiff& p, const std::string& label_a, const std::string& label_b,
                      const std::string& dir_a, const std::string& dir_b) {
  std::string out = "<div class=\"pair\">\n";
  out += side(label_a, p.a, p.b.root, "gone", dir_a);
  out += side(label_b, p.b, p.a.root, "new", dir_b);
  return out + "</div>\n";
}

}  // namespace pgshape::plan
