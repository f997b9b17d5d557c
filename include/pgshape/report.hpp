// Rendering plan captures and comparisons for people: report.md, a self-contained
// report.html (inline CSS and SVG, no network, well-formed XML), a short terminal
// table, and JSON for --json. The only place in the plan module that formats.
//
// Renderers return strings; write_reports is the one function here that touches files.
#pragma once

#include <string>
#include <utility>
#include <vector>

#include "pgshape/plan.hpp"
#include "pgshape/plan_diff.hpp"

namespace pgshape {

// Everything a report shows. A sweep is one set; `compare A B` is two sets.
struct ReportInput {
  std::string title;               // "pgshape explain — shop", "pgshape compare — a vs b"
  std::vector<std::string> notes;  // one line each under the title: profile, server, seed ...
  // Labelled capture sets, in display order. The label is shown when there are several.
  std::vector<std::pair<std::string, std::vector<PlanCapture>>> sets;
  std::vector<CompareResult> comparisons;  // each rendered as its own section
};

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

// A compact table for the terminal: one line per compared pair (or per capture when
// there are no comparisons). `color` adds ANSI colours to the verdicts.
std::string render_terminal(const ReportInput& input, bool color);

// A comparison as JSON (for `compare --json`): pairs with their verdicts and numbers.
std::string render_json(const CompareResult& result);

// Writes report.md and report.html into `dir` (created if needed) and returns the
// path of report.html. Throws std::runtime_error naming the file it could not write.
std::string write_reports(const std::string& dir, const ReportInput& input);

}  // namespace pgshape
