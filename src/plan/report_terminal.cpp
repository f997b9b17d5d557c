// The terminal rendering: findings first, wrapped to the width, then one table line
// per pair (worst first) with cells cut to fit. Widths count code points: the text
// is UTF-8 and every character pgshape prints ("→", "×", "…") takes one column.
#include "pgshape/util.hpp"
#include "report_util.hpp"

namespace pgshape {
namespace {

using namespace plan;

// Column widths that fit `width`: the widest column gives up a column at a time,
// down to its floor (its whole text when shorter), so the times and verdicts a
// reader scans for stay whole and the long plan words are cut first.
std::vector<size_t> fit(std::vector<size_t> w, const std::vector<size_t>& floors, size_t width) {
  auto total = [&] {
    size_t t = 2 * (w.size() - 1);
    for (auto x : w) t += x;
    return t;
  };
  std::vector<size_t> floor(w.size());
  for (size_t i = 0; i < w.size(); ++i) floor[i] = std::min(w[i], floors[i]);
  while (total() > width) {
    size_t widest = w.size();
    for (size_t i = 0; i < w.size(); ++i) {
      if (w[i] > floor[i] && (widest == w.size() || w[i] > w[widest])) widest = i;
    }
    if (widest == w.size()) break;  // every column at its floor: lines are cut whole below
    --w[widest];
  }
  return w;
}

std::string table(const std::vector<std::string>& head,
                  const std::vector<std::vector<std::string>>& rows,
                  const std::vector<std::string>& colors, const std::vector<size_t>& floors,
                  size_t width) {
  std::vector<size_t> w(head.size());
  for (size_t i = 0; i < head.size(); ++i) w[i] = display_width(head[i]);
  for (const auto& r : rows) {
    for (size_t i = 0; i < r.size(); ++i) w[i] = std::max(w[i], display_width(r[i]));
  }
  w = fit(w, floors, width);
  auto line = [&](const std::vector<std::string>& cells, const std::string& color) {
    std::string text;
    // The colour marks the whole row; the cut is made on the plain text.
    for (size_t i = 0; i < cells.size(); ++i) {
      std::string cell = cut_to_width(cells[i], w[i]);
      text += i + 1 < cells.size() ? pad_to_width(cell, w[i]) + "  " : cell;
    }
    // Only when every column is at its floor can a line still be too wide.
    if (display_width(text) > width) text = cut_to_width(text, width);
    return (color.empty() ? text : color + text + "\033[0m") + "\n";
  };
  std::string out = line(head, "");
  std::vector<std::string> rules;
  for (auto x : w) rules.push_back(std::string(x, '-'));
  out += line(rules, "");
  for (size_t r = 0; r < rows.size(); ++r) out += line(rows[r], colors[r]);
  return out;
}

// `text` in lines of at most `width` columns, the first starting with `first`, the
// rest indented as deep; words longer than a line are cut.
std::string wrap(const std::string& first, const std::string& text, size_t width,
                 const std::string& color) {
  const size_t indent = display_width(first);
  const size_t room = width > indent + 10 ? width - indent : 10;
  std::vector<std::string> words;
  for (size_t start = 0; start < text.size();) {
    size_t end = std::min(text.find(' ', start), text.size());
    std::string word = text.substr(start, end - start);
    start = end + 1;
    if (word.empty()) continue;
    // A unit stays with its number: "0.023 ms", "1.82 s".
    const bool unit =
        word.starts_with("ms") || word == "s" || word.starts_with("s)") || word.starts_with("s;");
    if (unit && !words.empty()) {
      words.back().append(" ").append(word);
    } else {
      words.push_back(std::move(word));
    }
  }
  std::vector<std::string> lines(1);
  for (const auto& word : words) {
    if (!lines.back().empty() && display_width(lines.back()) + 1 + display_width(word) > room)
      lines.emplace_back();
    std::string& now = lines.back();
    if (!now.empty()) now += ' ';
    now += cut_to_width(word, room);
  }
  std::string out;
  for (size_t i = 0; i < lines.size(); ++i) {
    std::string lead = i == 0 ? first : std::string(indent, ' ');
    if (display_width(lead) + display_width(lines[i]) > width)
      lead = cut_to_width(lead, width > 12 ? width - 12 : 1);
    out += i == 0 && !color.empty() ? color + lead + "\033[0m" + lines[i] : lead + lines[i];
    out += "\n";
  }
  return out;
}

std::string findings_text(const ReportInput& in, bool color, size_t width) {
  const Findings f = find_findings(in);
  std::string out;
  if (f.problems.empty())
    out += cut_to_width("No regressions, plan changes or estimate changes.", width) + "\n";
  for (const auto& x : f.problems) {
    const bool slower =
        x.kind == FindingKind::kSlowerPlanChange || x.kind == FindingKind::kRegression;
    const char* tag = slower                                ? "regression   "
                      : x.kind == FindingKind::kShapeChange ? "plan change  "
                      : x.kind == FindingKind::kEstimate    ? "estimate     "
                                                            : "index change ";
    out += wrap(tag, x.sentence(), width, !color ? "" : slower ? "\033[1;31m" : "\033[33m");
  }
  for (const auto& x : f.improvements)
    out += wrap("improved     ", x.sentence(), width, color ? "\033[32m" : "");
  return out + "\n";
}

// Where a pair's sides were captured, by rows: "12K → 340K", "340K listing_index".
std::string where(const ReportInput& in, const PairDiff& p) {
  const PlanCapture &a = p.a, &b = p.b;
  if (a.scale == b.scale) {
    return scale_label(in, b.scale, true) + " " +
           (a.experiment == b.experiment || a.experiment == kBaseline
                ? b.experiment
                : a.experiment + " → " + b.experiment);
  }
  std::string w = scale_label(in, a.scale, true) + " → " + scale_label(in, b.scale, true);
  if (a.experiment != b.experiment) return w + " " + a.experiment + " → " + b.experiment;
  return b.experiment == kBaseline ? w : w + " " + b.experiment;
}

// The worst of what changed, in a word or two (the findings above say the rest).
std::string short_verdict(const PairDiff& p) {
  switch (pair_rank(p)) {
    case 0:
      return "regression+plan";
    case 1:
      return "regression";
    case 2:
      return "plan change";
    case 3:
      return "estimate";
    case 4:
      return "index change";
    case 10:
      return "improved";
    default:
      return "ok";
  }
}

}  // namespace

std::string render_terminal(const ReportInput& in, bool color, size_t width) {
  width = std::max<size_t>(width, 20);
  auto paint = [&](const PairDiff& p) -> std::string {
    if (!color) return "";
    int rank = pair_rank(p);
    if (rank == 11) return "";          // unchanged
    if (rank == 10) return "\033[32m";  // green: improved
    return rank <= 2 ? "\033[1;31m" : "\033[33m";
  };
  std::vector<std::vector<std::string>> rows;
  std::vector<std::string> colors;
  if (in.comparisons.empty()) {
    for (size_t s = 0; s < in.sets.size(); ++s) {
      for (const auto& c : in.sets[s].second) {
        std::string where = scale_label(in, c.scale, true) + " " + c.experiment;
        if (in.sets.size() > 1) where = in.sets[s].first + ":" + where;
        rows.push_back({c.query + " [" + c.pick + "]", where, time_of(c), c.shape});
        colors.push_back("");
      }
    }
    return table({"query [pick]", "scale/experiment", "time", "plan shape"}, rows, colors,
                 {16, 16, 32, 8}, width);
  }
  for (const auto& r : in.comparisons) {
    for (const PairDiff* p : pairs_by_severity(r)) {
      rows.push_back({p->b.query + " [" + p->b.pick + "]", where(in, *p),
                      p->timed ? format_ms(p->a.execution.median_ms) + " → " +
                                     format_ms(p->b.execution.median_ms)
                               : "—",
                      short_verdict(*p), p->shape_changed ? p->shape_words : "same plan"});
      colors.push_back(paint(*p));
    }
  }
  // The verdict before the plan: the plan's words are what gets cut.
  return findings_text(in, color, width) +
         table({"query [pick]", "where", "time", "verdict", "plan"}, rows, colors,
               {16, 12, 32, 16, 8}, width);
}

}  // namespace pgshape
