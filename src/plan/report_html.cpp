// The self-contained HTML report: the findings first, then the comparisons worst
// first, the plans behind each finding, a chart per query case and every capture.
// Written as XHTML-compatible markup so it is well-formed XML as well as HTML: every
// tag closed, attributes quoted, only the five XML entities plus numeric ones, and
// control characters that XML forbids dropped from data. Tables wrap their text so
// the page fits a 900 px window without sideways scrolling.
#include "report_html.hpp"

namespace pgshape {
namespace plan {

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

}  // namespace plan

namespace {

using namespace plan;

constexpr const char* kStyle = R"(
body{font:14px/1.45 system-ui,-apple-system,"Segoe UI",sans-serif;color:#1d2330;margin:1.5em auto;max-width:1200px;padding:0 1em}
h1{font-size:1.6em;margin-bottom:.2em}h2{margin-top:1.8em;border-bottom:1px solid #d8dce4;padding-bottom:.2em}h3{font-size:1.05em;margin:1.4em 0 .4em}
.tablewrap{overflow-x:auto;max-width:100%}
table{border-collapse:collapse;width:100%;margin:.6em 0}th,td{border:1px solid #d8dce4;padding:3px 6px;text-align:left;vertical-align:top;overflow-wrap:break-word}
th{background:#f2f4f8;font-weight:600}td.num{text-align:right;white-space:nowrap}td.flex,td.shape{overflow-wrap:anywhere}
code{font:12px ui-monospace,Menlo,monospace;overflow-wrap:anywhere}
td.shape code{font-size:11px}.nw{white-space:nowrap}
.v{font-weight:600}.v-ok{color:#1a7f37}.v-good{color:#1a7f37}.v-warn{color:#9a6700}.v-bad{color:#cf222e}
.notes{color:#57606a;margin:0;padding-left:1.2em}
#headline{border:2px solid #d8dce4;border-radius:8px;padding:.4em 1em .8em;margin:1em 0}#headline h2{margin-top:.3em;border:0}
ol.findings{padding-left:1.4em;margin:.3em 0}ol.findings li{margin:.35em 0;padding:.2em .5em;border-left:4px solid #d8dce4}
li.problem{border-left-color:#9a6700!important;background:#fffbf0}li.regression{border-left-color:#cf222e!important;background:#fff5f5}
li.improvement{border-left-color:#1a7f37!important;background:#f0fff4}
.tag{font-weight:700;text-transform:uppercase;font-size:11px;letter-spacing:.03em;margin-right:.4em}
li.problem .tag{color:#9a6700}li.regression .tag{color:#cf222e}li.improvement .tag{color:#1a7f37}.where{color:#57606a}
.pair{display:flex;gap:1em;margin:.6em 0 1.6em}.side{flex:1;min-width:0;border:1px solid #d8dce4;border-radius:6px;padding:.5em .8em}
@media (max-width:1000px){.pair{flex-direction:column}}
.side h4{margin:.2em 0 .2em}.file{margin:0 0 .4em;font-size:12px;overflow-wrap:anywhere}
ul.tree{list-style:none;padding-left:1.1em;margin:0}ul.tree li{margin:3px 0}
.node{font:12px ui-monospace,Menlo,monospace;padding:1px 4px;border-radius:3px;overflow-wrap:anywhere}.meta{color:#57606a;font-size:11px}
.cond,.removed{font-size:11px;margin-left:1.2em;overflow-wrap:anywhere}.cond .k{color:#57606a}.removed{color:#9a6700;font-weight:600}
.gone{background:#ffebe9;outline:1px solid #cf222e}.new{background:#dafbe1;outline:1px solid #1a7f37}
.charts{display:grid;grid-template-columns:repeat(auto-fill,minmax(380px,1fr));gap:1em}
figure.chart{margin:0;border:1px solid #d8dce4;border-radius:6px;padding:.4em .6em}figure.chart figcaption{font-weight:600}
figure.chart>svg{max-width:100%;height:auto}svg text{font:11px system-ui,sans-serif}
ul.legend{list-style:none;padding:0;margin:.2em 0;display:flex;flex-wrap:wrap;gap:.2em 1em;font-size:12px}
)";

// Measures the rendered layout when the URL ends in #selftest and writes the result
// as JSON into <pre id="selftest">, for the browser test (tests/integration/plan).
// No '<' or '&' inside, so it needs no CDATA section to stay well-formed XML.
constexpr const char* kSelftest = R"(
if (location.hash === '#selftest') window.addEventListener('load', function () {
  var r = {width: window.innerWidth, page: {scroll: document.documentElement.scrollWidth,
           client: document.documentElement.clientWidth}, tables: [], headline: [],
           improvements: []};
  document.querySelectorAll('.tablewrap').forEach(function (d) {
    r.tables.push({id: d.id, scroll: d.scrollWidth, client: d.clientWidth});
  });
  function item(li) {
    return {text: li.textContent, cls: li.className, kind: li.getAttribute('data-kind'),
            color: getComputedStyle(li.querySelector('.tag')).color};
  }
  document.querySelectorAll('#problems li').forEach(function (li) { r.headline.push(item(li)); });
  document.querySelectorAll('#improvements li').forEach(function (li) {
    r.improvements.push(item(li));
  });
  var pre = document.createElement('pre');
  pre.id = 'selftest';
  pre.textContent = JSON.stringify(r);
  document.body.appendChild(pre);
});
)";

std::string verdict_span(const std::string& text, int rank) {
  const char* cls = rank >= 11 ? "v-ok" : rank == 10 ? "v-good" : rank <= 1 ? "v-bad" : "v-warn";
  return std::string("<span class=\"v ") + cls + "\">" + esc(text) + "</span>";
}

// Pairs whose plans are worth showing: the plan changed, or the time did.
bool has_details(const PairDiff& p) {
  return p.shape_changed || p.has(ChangeKind::kRegression) || is_improvement(p);
}

std::string anchor(const Finding& f) {
  return "pair-" + std::to_string(f.comparison) + "-" + std::to_string(f.pair);
}

std::string finding_items(const ReportInput& in, const std::vector<Finding>& list) {
  std::string out;
  for (const auto& f : list) {
    const PairDiff& p = in.comparisons[f.comparison].pairs[f.pair];
    const std::string tag = finding_tag(f);
    const char* cls = f.improvement         ? "improvement"
                      : tag == "regression" ? "problem regression"
                                            : "problem";
    out += std::string("<li class=\"finding ") + cls + "\" data-kind=\"" + tag +
           "\"><span class=\"tag\">" + tag + "</span><strong>" + esc(f.subject) +
           "</strong>, <span class=\"where\">" + esc(f.where) + "</span>: " + esc(f.text);
    if (has_details(p)) out += " <a href=\"#" + anchor(f) + "\">plans</a>";
    out += "</li>\n";
  }
  return out;
}

std::string headline(const ReportInput& in, const Findings& f) {
  std::string out = "<section id=\"headline\">\n<h2>What changed</h2>\n";
  if (in.comparisons.empty()) return out + "<p>Nothing was compared.</p>\n</section>\n";
  if (f.problems.empty()) {
    out += "<p class=\"v v-ok\">No regressions, plan changes or estimate changes.</p>\n";
  } else {
    out += "<ol class=\"findings\" id=\"problems\">\n" + finding_items(in, f.problems) + "</ol>\n";
  }
  if (!f.improvements.empty()) {
    out += "<h3>Improvements</h3>\n<ol class=\"findings\" id=\"improvements\">\n" +
           finding_items(in, f.improvements) + "</ol>\n";
  }
  return out + "</section>\n";
}

std::string dir_of(const ReportInput& in, size_t set) {
  if (in.plan_dirs.empty()) return "";
  return in.plan_dirs[std::min(set, in.plan_dirs.size() - 1)];
}

// A verdict's kinds, worst first, each kept whole when the cell wraps.
std::string verdict_cell(const PairDiff& p) {
  static constexpr ChangeKind kOrder[] = {ChangeKind::kRegression, ChangeKind::kShapeChange,
                                          ChangeKind::kEstimate, ChangeKind::kIndexChange};
  std::string words;
  for (auto k : kOrder) {
    if (!p.has(k)) continue;
    if (!words.empty()) words += ", ";
    words += "<span class=\"nw\">" + esc(to_string(k)) + "</span>";
  }
  const int rank = pair_rank(p);
  if (rank == 10) words = words.empty() ? "improvement" : "improvement: " + words;
  if (words.empty()) words = "ok";
  const char* cls = rank >= 11 ? "v-ok" : rank == 10 ? "v-good" : rank <= 1 ? "v-bad" : "v-warn";
  return std::string("<span class=\"v ") + cls + "\">" + words + "</span>";
}

// The indexes a pair stopped and started using, one per line.
std::string index_lines(const PairDiff& p) {
  std::string out;
  for (const auto& i : p.indexes_dropped) out += (out.empty() ? "−" : "<br/>−") + esc(i);
  for (const auto& i : p.indexes_added) out += (out.empty() ? "+" : "<br/>+") + esc(i);
  return out;
}

std::string comparison_table(const ReportInput& in, size_t ci) {
  const CompareResult& r = in.comparisons[ci];
  // One heading for where, when every pair shares it; else a column.
  bool one_where = true;
  for (const auto& p : r.pairs) one_where = one_where && pair_where(p) == pair_where(r.pairs[0]);
  std::string out = "<h2>" + esc(r.label_a) + " → " + esc(r.label_b) + "</h2>\n";
  if (one_where && !r.pairs.empty())
    out += "<p class=\"where\">" + esc(where_words(in, r, r.pairs[0])) + "</p>\n";
  out += "<div class=\"tablewrap\" id=\"cmp-" + std::to_string(ci) +
         "\"><table>\n<tr><th>query [pick]</th>" + (one_where ? "" : "<th>where</th>") +
         "<th>plan change</th><th>indexes</th><th>time</th><th>worst q-error</th>"
         "<th>verdict</th></tr>\n";
  for (const PairDiff* p : pairs_by_severity(r)) {
    std::string time = "—";
    if (p->timed) {
      time = esc(format_ms(p->a.execution.median_ms)) + " → " +
             esc(format_ms(p->b.execution.median_ms)) + "<br/><span class=\"meta\">" +
             esc(format_ratio(p->time_ratio)) + " time, " + esc(format_ratio(p->data_ratio)) +
             " data</span>";
    }
    out += "<tr><td>" + esc(p->b.query + " [" + p->b.pick + "]") + "</td>";
    if (!one_where) out += "<td>" + esc(where_words(in, r, *p)) + "</td>";
    out += "<td class=\"flex\">" + esc(p->shape_changed ? p->shape_words : "same") +
           "</td><td class=\"flex\">" + index_lines(*p) + "</td><td class=\"num\">" + time +
           "</td><td class=\"num\">" + esc(qerror_change(*p)) + "</td><td>" + verdict_cell(*p) +
           "</td></tr>\n";
  }
  out += "</table></div>\n";
  for (const auto& u : r.unmatched_a)
    out += "<p>Only in " + esc(r.label_a) + ": " + esc(u) + "</p>\n";
  for (const auto& u : r.unmatched_b)
    out += "<p>Only in " + esc(r.label_b) + ": " + esc(u) + "</p>\n";
  return out;
}

std::string side_label(const ReportInput& in, const std::string& set, const PlanCapture& c) {
  std::string where = scale_label(in, c.scale) + ", " + c.experiment;
  return in.sets.size() > 1 ? set + ": " + where : where;
}

std::string details(const ReportInput& in, const Findings& f) {
  std::string out;
  for (const auto* list : {&f.problems, &f.improvements}) {
    for (const auto& x : *list) {
      const CompareResult& r = in.comparisons[x.comparison];
      const PairDiff& p = r.pairs[x.pair];
      if (!has_details(p)) continue;
      out += "<h3 id=\"" + anchor(x) + "\">" + esc(x.sentence()) + "</h3>\n";
      out += plan_pair(p, side_label(in, r.label_a, p.a), side_label(in, r.label_b, p.b),
                       dir_of(in, 0), dir_of(in, in.sets.empty() ? 0 : in.sets.size() - 1));
    }
  }
  return out.empty() ? out : "<h2>The plans behind the findings</h2>\n" + out;
}

std::string captures_table(const ReportInput& in) {
  struct Row {
    size_t set;
    const PlanCapture* c;
    int rank;
    std::string verdict;
  };
  std::vector<Row> rows;
  for (size_t s = 0; s < in.sets.size(); ++s) {
    for (const auto& c : in.sets[s].second) {
      auto pairs = pairs_of(in, s, c);
      rows.push_back(pairs.empty()
                         ? Row{s, &c, 11, "ok"}
                         : Row{s, &c, pair_rank(*pairs.front()), pair_verdict(*pairs.front())});
    }
  }
  std::stable_sort(rows.begin(), rows.end(),
                   [](const Row& x, const Row& y) { return x.rank < y.rank; });
  std::string out =
      "<h2>Every capture</h2>\n<div class=\"tablewrap\" id=\"captures\"><table>\n"
      "<tr><th>query [pick]</th><th>params</th><th>scale, experiment</th><th>time (median)</th>"
      "<th>rows est → actual</th><th>plan shape</th><th>verdict</th><th>plan</th></tr>\n";
  for (const auto& row : rows) {
    const PlanCapture& c = *row.c;
    std::string params;
    for (const auto& p : c.params) params += (params.empty() ? "" : ", ") + p;
    std::string link =
        c.plan_file.empty()
            ? ""
            : "<a href=\"" + esc(plan_href(dir_of(in, row.set), c.plan_file)) + "\">JSON</a>";
    out += "<tr><td>" + esc(c.query + " [" + c.pick + "]") + "</td><td class=\"flex\"><code>" +
           esc(params) + "</code></td><td>" + esc(side_label(in, in.sets[row.set].first, c)) +
           "</td><td class=\"num\">" + esc(time_of(c)) + "</td><td class=\"num\">" +
           esc(rows_of(c)) + "</td><td class=\"shape\"><code>" + esc(c.shape) + "</code></td><td>" +
           verdict_span(row.verdict, row.rank) + "</td><td>" + link + "</td></tr>\n";
  }
  return out + "</table></div>\n";
}

constexpr const char* kFiles =
    "<h2>The files</h2>\n<p>Each plan is its own file of EXPLAIN (ANALYZE, BUFFERS, FORMAT "
    "JSON) output, byte for byte, under <code>plans/&lt;scale&gt;/&lt;experiment&gt;/</code> "
    "(linked from the plan trees and from the table above). Those are the files a plan viewer "
    "opens: paste one into PEV2 (explain.dalibo.com, or a local copy of PEV2). "
    "<code>summary.json</code> is not a plan: it is pgshape's index of the capture (every "
    "capture's numbers, which <code>pgshape compare</code> reads) and plan viewers reject "
    "it.</p>\n";

}  // namespace

std::string render_html(const ReportInput& in) {
  const Findings findings = find_findings(in);
  std::string out =
      "<!DOCTYPE html>\n<html xmlns=\"http://www.w3.org/1999/xhtml\" lang=\"en\">\n<head>\n"
      "<meta charset=\"utf-8\"/>\n<meta name=\"viewport\" content=\"width=device-width\"/>\n"
      "<title>" +
      esc(in.title) + "</title>\n<style>" + kStyle + "</style>\n<script>" + kSelftest +
      "</script>\n</head>\n<body>\n";
  out += "<h1>" + esc(in.title) + "</h1>\n";
  if (!in.notes.empty()) {
    out += "<ul class=\"notes\">";
    for (const auto& n : in.notes) out += "<li>" + esc(n) + "</li>";
    out += "</ul>\n";
  }
  out += headline(in, findings);
  for (size_t ci = 0; ci < in.comparisons.size(); ++ci) out += comparison_table(in, ci);
  out += details(in, findings);
  out += "<h2>Execution time per query case</h2>\n" + case_charts(in);
  out += captures_table(in);
  out += kFiles;
  return out + "</body>\n</html>\n";
}

}  // namespace pgshape
