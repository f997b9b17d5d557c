// The self-contained HTML report: inline CSS, an inline SVG chart, plan trees side
// by side. Written as XHTML-compatible markup so it is well-formed XML as well as
// HTML: every tag closed, attributes quoted, only the five XML entities plus
// numeric ones, and control characters that XML forbids dropped from data.
#include <algorithm>
#include <cmath>
#include <map>
#include <set>

#include "report_util.hpp"

namespace pgshape {
namespace {

using namespace plan;

std::string esc(std::string_view s) {
  std::string out;
  for (unsigned char c : s) {
    switch (c) {
      case '&':
        out += "&amp;";
        break;
      case '<':
        out += "&lt;";
        break;
      case '>':
        out += "&gt;";
        break;
      case '"':
        out += "&quot;";
        break;
      case '\'':
        out += "&#39;";
        break;
      default:
        if (c >= 0x20 || c == '\n' || c == '\t') out += static_cast<char>(c);  // XML 1.0 chars
    }
  }
  return out;
}

constexpr const char* kStyle = R"(
body{font:14px/1.45 system-ui,-apple-system,"Segoe UI",sans-serif;color:#1d2330;margin:2em auto;max-width:1200px;padding:0 1em}
h1{font-size:1.6em;margin-bottom:.2em}h2{margin-top:2em;border-bottom:1px solid #d8dce4;padding-bottom:.2em}
table{border-collapse:collapse;width:100%;margin:.6em 0}th,td{border:1px solid #d8dce4;padding:4px 8px;text-align:left;vertical-align:top}
th{background:#f2f4f8}td.num{text-align:right;white-space:nowrap}code{font:12px ui-monospace,Menlo,monospace}
.v{font-weight:600;white-space:nowrap}.v-ok{color:#1a7f37}.v-warn{color:#9a6700}.v-bad{color:#cf222e}
.notes{color:#57606a;margin:0;padding-left:1.2em}
.pair{display:flex;gap:1em;margin:.6em 0 1.6em}.side{flex:1;border:1px solid #d8dce4;border-radius:6px;padding:.5em .8em;overflow-x:auto}
.side h4{margin:.2em 0 .4em}ul.tree{list-style:none;padding-left:1.1em;margin:0}ul.tree li{margin:2px 0}
.node{font:12px ui-monospace,Menlo,monospace;padding:1px 4px;border-radius:3px}.meta{color:#57606a;font-size:11px}
.gone{background:#ffebe9;outline:1px solid #cf222e}.new{background:#dafbe1;outline:1px solid #1a7f37}
svg text{font:11px system-ui,sans-serif}
)";

constexpr const char* kPalette[] = {"#0969da", "#cf222e", "#1a7f37", "#8250df", "#bc4c00",
                                    "#0a7480", "#bf3989", "#57606a", "#9a6700", "#116329"};

std::string verdict_span(const std::vector<ChangeKind>& kinds) {
  std::string cls = "v-ok";
  for (auto k : kinds) {
    bool bad = k == ChangeKind::kShapeChange || k == ChangeKind::kRegression;
    cls = bad ? "v-bad" : (cls == "v-bad" ? cls : "v-warn");
  }
  return "<span class=\"v " + cls + "\">" + esc(verdict_text(kinds)) + "</span>";
}

// Median execution time per query × pick (lines) across scale/experiment columns
// (x), on a log scale: 0.05 ms and 1800 ms must both be readable.
std::string chart(const ReportInput& in) {
  std::vector<std::string> columns, series;
  std::map<std::pair<std::string, std::string>, double> value;  // (series, column) → ms
  for (size_t s = 0; s < in.sets.size(); ++s) {
    for (const auto& c : in.sets[s].second) {
      std::string col = column_label(in, s, c), ser = c.query + " [" + c.pick + "]";
      if (std::find(columns.begin(), columns.end(), col) == columns.end()) columns.push_back(col);
      if (std::find(series.begin(), series.end(), ser) == series.end()) series.push_back(ser);
      if (c.analyzed) value[{ser, col}] = std::max(c.execution.median_ms, 0.001);
    }
  }
  if (value.empty()) return "<p>No timed captures to chart.</p>\n";
  double lo = 1e300, hi = 0;
  for (const auto& [k, v] : value) lo = std::min(lo, v), hi = std::max(hi, v);
  int e_lo = static_cast<int>(std::floor(std::log10(lo))),
      e_hi = static_cast<int>(std::ceil(std::log10(hi)));
  if (e_hi == e_lo) ++e_hi;
  const double left = 70, top = 20, w = 760, h = 260;
  const double step = columns.size() > 1 ? w / (columns.size() - 1) : 0;
  auto x = [&](size_t i) { return left + (columns.size() > 1 ? i * step : w / 2); };
  auto y = [&](double ms) { return top + h - (std::log10(ms) - e_lo) / (e_hi - e_lo) * h; };
  double legend_y = top + h + 60;
  double height = legend_y + 18 * series.size() + 10;
  std::string out = fmt::format(
      "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"{:.0f}\" height=\"{:.0f}\" role=\"img\" "
      "aria-label=\"median execution time per query\">\n",
      left + w + 60, height);
  for (int e = e_lo; e <= e_hi; ++e) {
    double yy = y(std::pow(10.0, e));
    out += fmt::format(
        "<line x1=\"{:.1f}\" y1=\"{:.1f}\" x2=\"{:.1f}\" y2=\"{:.1f}\" stroke=\"#d8dce4\"/>"
        "<text x=\"{:.1f}\" y=\"{:.1f}\" text-anchor=\"end\">{}</text>\n",
        left, yy, left + w, yy, left - 6, yy + 4, esc(format_ms(std::pow(10.0, e))));
  }
  for (size_t i = 0; i < columns.size(); ++i) {
    out += fmt::format("<text x=\"{:.1f}\" y=\"{:.1f}\" text-anchor=\"middle\">{}</text>\n", x(i),
                       top + h + 20, esc(columns[i]));
  }
  for (size_t s = 0; s < series.size(); ++s) {
    const char* color = kPalette[s % std::size(kPalette)];
    std::string points, dots;
    for (size_t i = 0; i < columns.size(); ++i) {
      auto it = value.find({series[s], columns[i]});
      if (it == value.end()) continue;
      points += fmt::format("{:.1f},{:.1f} ", x(i), y(it->second));
      dots += fmt::format(
          "<circle cx=\"{:.1f}\" cy=\"{:.1f}\" r=\"3.5\" fill=\"{}\"><title>{}: {} at {}</title>"
          "</circle>\n",
          x(i), y(it->second), color, esc(series[s]), esc(format_ms(it->second)), esc(columns[i]));
    }
    out += fmt::format("<polyline fill=\"none\" stroke=\"{}\" stroke-width=\"2\" points=\"{}\"/>\n",
                       color, points);
    out += dots;
    double ly = legend_y + 18 * s;
    out += fmt::format(
        "<rect x=\"{:.1f}\" y=\"{:.1f}\" width=\"12\" height=\"12\" fill=\"{}\"/>"
        "<text x=\"{:.1f}\" y=\"{:.1f}\">{}</text>\n",
        left, ly - 10, color, left + 18, ly, esc(series[s]));
  }
  return out + "</svg>\n";
}

void tree(const PlanNode& n, const std::set<const PlanNode*>& marked, const char* cls,
          std::string& out) {
  out += "<li><span class=\"node";
  if (marked.count(&n)) out += std::string(" ") + cls;
  out += "\">" + esc(n.label()) + "</span> <span class=\"meta\">";
  out += "est " + esc(format_rows(n.estimated_rows));
  if (n.analyzed) {
    out += n.loops > 0 ? " · act " + esc(format_rows(n.actual_rows)) +
                             (n.loops > 1 ? " × " + esc(format_rows(n.loops)) + " loops" : "") +
                             " · " + esc(format_ms(n.actual_total_ms))
                       : " · never executed";
  }
  out += "</span>";
  if (!n.children.empty()) {
    out += "<ul class=\"tree\">";
    for (const auto& c : n.children) tree(c, marked, cls, out);
    out += "</ul>";
  }
  out += "</li>\n";
}

std::string side(const std::string& title, const PlanCapture& c, const PlanNode& other,
                 const char* cls) {
  auto only = nodes_not_in(c.root, other);
  std::set<const PlanNode*> marked(only.begin(), only.end());
  std::string out = "<div class=\"side\"><h4>" + esc(title) + " — " + esc(time_of(c)) + "</h4>";
  out += "<ul class=\"tree\">";
  tree(c.root, marked, cls, out);
  return out + "</ul></div>\n";
}

}  // namespace

std::string render_html(const ReportInput& in) {
  std::string out =
      "<!DOCTYPE html>\n<html xmlns=\"http://www.w3.org/1999/xhtml\" lang=\"en\">\n<head>\n"
      "<meta charset=\"utf-8\"/>\n<title>" +
      esc(in.title) + "</title>\n<style>" + kStyle + "</style>\n</head>\n<body>\n";
  out += "<h1>" + esc(in.title) + "</h1>\n";
  if (!in.notes.empty()) {
    out += "<ul class=\"notes\">";
    for (const auto& n : in.notes) out += "<li>" + esc(n) + "</li>";
    out += "</ul>\n";
  }
  out +=
      "<h2>Summary</h2>\n<table>\n<tr><th>query</th><th>pick</th><th>params</th>"
      "<th>scale/experiment</th><th>time (median)</th><th>rows est → actual</th>"
      "<th>plan shape</th><th>verdict</th></tr>\n";
  for (size_t s = 0; s < in.sets.size(); ++s) {
    for (const auto& c : in.sets[s].second) {
      std::string params;
      for (const auto& p : c.params) params += (params.empty() ? "" : ", ") + p;
      out += "<tr><td>" + esc(c.query) + "</td><td>" + esc(c.pick) + "</td><td><code>" +
             esc(params) + "</code></td><td>" + esc(column_label(in, s, c)) +
             "</td><td class=\"num\">" + esc(time_of(c)) + "</td><td class=\"num\">" +
             esc(rows_of(c)) + "</td><td><code>" + esc(c.shape) + "</code></td><td>" +
             verdict_span(verdict_of(in, s, c)) + "</td></tr>\n";
    }
  }
  out += "</table>\n<h2>Execution time</h2>\n" + chart(in);
  for (const auto& r : in.comparisons) {
    out += "<h2>" + esc(r.label_a) + " → " + esc(r.label_b) +
           "</h2>\n<table>\n"
           "<tr><th>query</th><th>pick</th><th>scale/experiment</th><th>plan "
           "shape</th><th>indexes</th><th>time</th>"
           "<th>worst q-error</th><th>verdict</th></tr>\n";
    for (const auto& p : r.pairs) {
      out += "<tr><td>" + esc(p.b.query) + "</td><td>" + esc(p.b.pick) + "</td><td>" +
             esc(pair_where(p)) + "</td><td>" + esc(p.shape_changed ? p.shape_words : "same") +
             "</td><td>" + esc(indexes_change(p)) + "</td><td class=\"num\">" +
             esc(time_change(p)) + "</td><td class=\"num\">" + esc(qerror_change(p)) + "</td><td>" +
             verdict_span(p.kinds) + "</td></tr>\n";
    }
    out += "</table>\n";
    for (const auto& u : r.unmatched_a)
      out += "<p>Only in " + esc(r.label_a) + ": " + esc(u) + "</p>\n";
    for (const auto& u : r.unmatched_b)
      out += "<p>Only in " + esc(r.label_b) + ": " + esc(u) + "</p>\n";
    for (const auto& p : r.pairs) {
      if (!p.shape_changed) continue;
      out += "<h3>" + esc(p.b.query) + " [" + esc(p.b.pick) + "]: " + esc(p.shape_words) +
             "</h3>\n<div class=\"pair\">\n";
      out += side(r.label_a + " (" + p.a.scale + "/" + p.a.experiment + ")", p.a, p.b.root, "gone");
      out += side(r.label_b + " (" + p.b.scale + "/" + p.b.experiment + ")", p.b, p.a.root, "new");
      out += "</div>\n";
    }
  }
  return out + "</body>\n</html>\n";
}

}  // namespace pgshape
