// Text renderings of plan reports: Markdown, the terminal table, JSON, and the one
// function that writes report files. See include/pgshape/report.hpp.
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

// Display width of UTF-8 text: count the bytes that start a code point.
size_t width(const std::string& s) {
  size_t n = 0;
  for (unsigned char c : s) n += (c & 0xC0) != 0x80;
  return n;
}

std::string pad(const std::string& s, size_t w) {
  return s + std::string(w > width(s) ? w - width(s) : 0, ' ');
}

std::string term_table(const std::vector<std::string>& head,
                       const std::vector<std::vector<std::string>>& rows,
                       const std::vector<std::string>& colors) {
  std::vector<size_t> w(head.size());
  for (size_t i = 0; i < head.size(); ++i) w[i] = width(head[i]);
  for (const auto& r : rows) {
    for (size_t i = 0; i < r.size(); ++i) w[i] = std::max(w[i], width(r[i]));
  }
  std::string out;
  for (size_t i = 0; i < head.size(); ++i) {
    out += i + 1 < head.size() ? pad(head[i], w[i]) + "  " : head[i] + "\n";
  }
  for (size_t i = 0; i < head.size(); ++i) {
    out += std::string(w[i], '-') + (i + 1 < head.size() ? "  " : "\n");
  }
  for (size_t r = 0; r < rows.size(); ++r) {
    for (size_t i = 0; i < rows[r].size(); ++i) {
      bool last = i + 1 == rows[r].size();
      std::string cell = last ? rows[r][i] : pad(rows[r][i], w[i]) + "  ";
      out += last && !colors[r].empty() ? colors[r] + cell + "\033[0m" : cell;
    }
    out += "\n";
  }
  return out;
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
  out += "## Summary\n\n";
  std::vector<std::vector<std::string>> rows;
  for (size_t s = 0; s < in.sets.size(); ++s) {
    for (const auto& c : in.sets[s].second) {
      rows.push_back({c.query, c.pick, column_label(in, s, c), time_of(c), rows_of(c),
                      "`" + c.shape + "`", verdict_text(verdict_of(in, s, c))});
    }
  }
  out += md_table({"query", "pick", "scale/experiment", "time (median)", "rows est → actual",
                   "plan shape", "verdict"},
                  rows);
  for (const auto& r : in.comparisons) {
    out += "\n## " + r.label_a + " → " + r.label_b + "\n\n";
    std::vector<std::vector<std::string>> pr;
    for (const auto& p : r.pairs) {
      pr.push_back({p.b.query, p.b.pick, pair_where(p), p.shape_changed ? p.shape_words : "same",
                    indexes_change(p), time_change(p), qerror_change(p), verdict_text(p.kinds)});
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

std::string render_terminal(const ReportInput& in, bool color) {
  auto paint = [&](const std::vector<ChangeKind>& kinds) -> std::string {
    if (!color) return "";
    if (kinds.empty()) return "\033[32m";  // green
    for (auto k : kinds) {
      if (k == ChangeKind::kRegression || k == ChangeKind::kShapeChange) return "\033[1;31m";
    }
    return "\033[33m";  // yellow: index or estimate only
  };
  std::vector<std::vector<std::string>> rows;
  std::vector<std::string> colors;
  if (in.comparisons.empty()) {
    for (size_t s = 0; s < in.sets.size(); ++s) {
      for (const auto& c : in.sets[s].second) {
        rows.push_back({c.query, c.pick, column_label(in, s, c), time_of(c), c.shape});
        colors.push_back("");
      }
    }
    return term_table({"query", "pick", "scale/experiment", "time", "plan shape"}, rows, colors);
  }
  for (const auto& r : in.comparisons) {
    for (const auto& p : r.pairs) {
      std::string what = p.shape_changed ? p.shape_words : "same plan";
      rows.push_back(
          {p.b.query, p.b.pick, pair_where(p),
           p.timed ? format_ms(p.a.execution.median_ms) + " → " + format_ms(p.b.execution.median_ms)
                   : "—",
           what, verdict_text(p.kinds)});
      colors.push_back(paint(p.kinds));
    }
  }
  return term_table({"query", "pick", "scale/experiment", "time", "plan", "verdict"}, rows, colors);
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
