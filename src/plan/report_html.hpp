// The pieces of report.html (internal to src/plan): escaping, the per-case charts
// (report_chart.cpp) and the plan trees with their details (report_plan_tree.cpp).
// report_html.cpp owns the page; these return fragments of XHTML-compatible markup.
#pragma once

#include <string>
#include <string_view>

#include "report_util.hpp"

namespace pgshape::plan {

// Text for XML and HTML alike: the five entities, and control characters XML 1.0
// forbids dropped.
std::string esc(std::string_view s);

// A relative URL for a plan file: `dir` (relative to the report, may be empty) joined
// with the capture's plan_file, every byte outside [A-Za-z0-9._~/-] percent-encoded.
std::string plan_href(const std::string& dir, const std::string& plan_file);

// One small chart per query case (query × pick): scale points on the x axis ordered
// by rows, one line per experiment (per set and experiment when there are several
// sets), median execution time on a log axis; legends in HTML beside each chart.
std::string case_charts(const ReportInput& in);

// The two plan trees of a pair side by side, nodes only one side has marked, each
// node with its conditions, removed rows, loops, workers and buffers, and each side
// linking to its plan file under `dir_a` / `dir_b`.
std::string plan_pair(const PairDiff& p, const std::string& label_a, const std::string& label_b,
                      const std::string& dir_a, const std::string& dir_b);

}  // namespace pgshape::plan
