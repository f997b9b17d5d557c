// Text renderings of plan reports: Markdown, JSON, and the one
// function that writes report files. See include/pgshape/report.hpp.
#include <algorithm>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>

#include "report_util.hpp"

namespace pgshape {
namespace {

using namespace plan;

// Markdown table cells: a '|' or a newline would end the cell.
std::string md_cell(const std::string& s) {
  std::string out;
  for (char c : s) {
    if (c == '|') {
      out += "\\|";
    } else if (c == '\n' || c == '\r') {
      out += ' ';
    } else {
      out += c;
    }
  }
  return out.empty() ? " " : out;
}

std::string md_row(const std::vector<std::string>& cells) {
  std::string out = "|";
  // Appends, not operator+: GCC 12 at -O3 warns (-Wrestrict) on the latter.
  for (const auto& c : cells) out.append(" ").append(md_cell(c)).append(" |");
  return out + "\n";
}

std::string md_table(const std::vector<std::string>& head,
                     const std::vector<std::vector<std::string>>& rows) {
  std::string out = md_row(head) + "|";
  for (size_t i = 0; i < head.size(); ++i) out += "---|";
  out += "\n";
  for (const auto& r : rows) out += md_row(r);
  return out;
}

// A finding as a Markdown list item: the case in bold; '*', '`' and '<' from data
// would start emphasis, code or HTML, so they are escaped ('_' inside words does not).
std::string md_text(const Finding& f) {
  auto plain = [](const std::string& s) {
    std::string out;
    for (char c : s) {
      if (c == '*' || c == '`' || c == '<') out += '\\';
      out += c == '\n' ? ' ' : c;
    }
    return out;
  };
  return "**" + plain(f.subject) + "**, " + plain(f.where) + ": " + plain(f.text);
}

}  // namespace

std::string format_ms(double ms) {
  if (ms >= 1000) return fmt::format("{:.2f} s", ms / 1000);
  if (ms >= 100) return fmt::format("{:.0f} ms", ms);
  if (ms >= 10) return fmt::format("{:.1f} ms", ms);
  if (ms >= 1) return fmt::format("{:.2f} ms", ms);
  return fmt::format("{:.3f} ms", ms);
}

std::string verdict_text(const std::vector<ChangeKind>& kinds) {
  if (kinds.empty()) return "ok";
  std::string out;
  for (auto k : kinds) out += (out.empty() ? "" : ", ") + std::string(to_string(k));
  return out;
}

std::string render_markdown(const ReportInput& in) {
  std::string out = "# " + in.title + "\n\n";
  for (const auto& n : in.notes) out += "- " + n + "\n";
  if (!in.notes.empty()) out += "\n";
  if (!in.comparisons.empty()) {
    const Findings f = find_findings(in);
    out += "## What changed\n\n";
    if (f.problems.empty()) out += "No regressions, plan changes or estimate changes.\n";
    for (const auto& x : f.problems) out += "- **" + finding_tag(x) + "** " + md_text(x) + "\n";
    if (!f.improvements.empty()) out += "\nImprovements:\n\n";
    for (const auto& x : f.improvements) out += "- **improvement** " + md_text(x) + "\n";
    out += "\n";
  }
  out += "## Summary\n\n";
  std::vector<std::vector<std::string>> rows;
  for (size_t s = 0; s < in.sets.size(); ++s) {
    for (const auto& c : in.sets[s].second) {
      auto pairs = pairs_of(in, s, c);
      rows.push_back({c.query, c.pick, column_label(in, s, c), time_of(c), rows_of(c),
                      "`" + c.shape + "`", pairs.empty() ? "ok" : pair_verdict(*pairs.front())});
    }
  }
  out += md_table({"query", "pick", "scale/experiment", "time (median)", "rows est → actual",
                   "plan shape", "verdict"},
                  rows);
  for (const auto& r : in.comparisons) {
    out += "\n## " + r.label_a + " → " + r.label_b + "\n\n";
    std::vector<std::vector<std::string>> pr;
    for (const PairDiff* p : pairs_by_severity(r)) {
      pr.push_back({p->b.query, p->b.pick, pair_where(*p),
                    p->shape_changed ? p->shape_words : "same", indexes_change(*p), time_change(*p),
                    qerror_change(*p), pair_verdict(*p)});
    }
    out += md_table({"query", "pick", "scale/experiment", "plan shape", "indexes", "time",
                     "worst q-error", "verdict"},
                    pr);
    for (const auto& u : r.unmatched_a) out += "\n- only in " + r.label_a + ": " + u;
    for (const auto& u : r.unmatched_b) out += "\n- only in " + r.label_b + ": " + u;
    if (!r.unmatched_a.empty() || !r.unmatched_b.empty()) out += "\n";
  }
  return out;
}

std::string render_json(const CompareResult& r) {
  using nlohmann::json;
  json pairs = json::array();
  for (const auto& p : r.pairs) {
    json kinds = json::array();
    for (auto k : p.kinds) kinds.push_back(std::string(to_string(k)));
    auto side = [](const PlanCapture& c) {
      return json{{"scale", c.scale},        {"experiment", c.experiment},
                  {"params", c.params},      {"shape", c.shape},
                  {"indexes", c.indexes},    {"execution_ms", c.execution.median_ms},
                  {"analyzed", c.analyzed},  {"worst_q_error", c.worst_q_error},
                  {"plan_file", c.plan_file}};
    };
    pairs.push_back({{"query", p.b.query},
                     {"pick", p.b.pick},
                     {"verdict", kinds},
                     {"shape_change", p.shape_words},
                     {"indexes_dropped", p.indexes_dropped},
                     {"indexes_added", p.indexes_added},
                     {"time_ratio", p.time_ratio},
                     {"data_ratio", p.data_ratio},
                     {"a", side(p.a)},
                     {"b", side(p.b)}});
  }
  return json{{"a", r.label_a},
              {"b", r.label_b},
              {"pairs", pairs},
              {"unmatched_a", r.unmatched_a},
              {"unmatched_b", r.unmatched_b}}
      .dump(2);
}

std::string render_findings_json(const ReportInput& in) {
  using nlohmann::json;
  const Findings f = find_findings(in);
  json out = json::array();
  for (const auto* list : {&f.problems, &f.improvements}) {
    for (const auto& x : *list) {
      const PairDiff& p = in.comparisons[x.comparison].pairs[x.pair];
      std::string kind = finding_tag(x);
      std::replace(kind.begin(), kind.end(), ' ', '-');
      out.push_back({{"kind", kind},
                     {"query", p.b.query},
                     {"pick", p.b.pick},
                     {"where", x.where},
                     {"sentence", x.sentence()},
                     {"time_ratio", x.time_ratio},
                     {"comparison", x.comparison},
                     {"pair", x.pair}});
    }
  }
  return out.dump(2);
}

std::string write_reports(const std::string& dir, const ReportInput& in) {
  namespace fs = std::filesystem;
  std::error_code ec;
  fs::create_directories(dir, ec);
  if (ec) throw std::runtime_error("cannot create " + dir + ": " + ec.message());
  auto write = [](const fs::path& path, const std::string& text) {
    std::ofstream f(path, std::ios::binary | std::ios::trunc);
    f << text;
    f.close();
    if (!f) throw std::runtime_error("cannot write " + path.string());
  };
  write(fs::path(dir) / "report.md", render_markdown(in));
  fs::path html = fs::path(dir) / "report.html";
  write(html, render_html(in));
  return html.string();
}

}  // namespace pgshape
