// The charts of report.html: one per query case, so each line is one experiment's
// time as the data grows and lines never join unrelated points.
#include <cmath>
#include <map>

#include "report_html.hpp"

namespace pgshape::plan {
namespace {

// Distinct hues that stay apart for the colour-blind as far as 8 can (Okabe-Ito
// order, with black last).
constexpr const char* kPalette[] = {"#0072b2", "#e69f00", "#009e73", "#cc79a7",
                                    "#56b4e9", "#d55e00", "#f0e442", "#000000"};
constexpr const char* kDash[] = {"", "6 3", "2 3", "8 3 2 3"};

struct Case {
  std::string name;                                          // "listing [rank:50]"
  std::vector<std::string> series;                           // in first-seen order
  std::map<std::pair<std::string, std::string>, double> ms;  // (series, scale) → median ms
};

struct Layout {
  double left = 62, top = 12, w = 300, h = 150;
};

std::string one_chart(const Case& k, const std::vector<std::string>& scales, const ReportInput& in,
                      size_t index) {
  double lo = 1e300, hi = 0;
  for (const auto& [key, v] : k.ms) lo = std::min(lo, v), hi = std::max(hi, v);
  int e_lo = static_cast<int>(std::floor(std::log10(lo)));
  int e_hi = static_cast<int>(std::ceil(std::log10(hi)));
  if (e_hi == e_lo) ++e_hi;
  const Layout L;
  // Points inset from the ends so the scale labels under them stay inside the chart.
  const double inset = 50, step = scales.size() > 1 ? (L.w - 2 * inset) / (scales.size() - 1) : 0;
  auto x = [&](size_t i) { return L.left + (scales.size() > 1 ? inset + i * step : L.w / 2); };
  auto y = [&](double ms) { return L.top + L.h - (std::log10(ms) - e_lo) / (e_hi - e_lo) * L.h; };
  const double width = L.left + L.w + 10, height = L.top + L.h + 34;
  std::string out = "<figure class=\"chart\" id=\"chart-" + std::to_string(index) +
                    "\"><figcaption>" + esc(k.name) +
                    " <span class=\"meta\">median time, log scale</span></figcaption>\n";
  out += fmt::format(
      "<svg xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 {0:.0f} {1:.0f}\" "
      "width=\"{0:.0f}\" height=\"{1:.0f}\" role=\"img\" aria-label=\"median execution time of "
      "{2} per scale point, log scale\">\n",
      width, height, esc(k.name));
  for (int e = e_lo; e <= e_hi; ++e) {
    double yy = y(std::pow(10.0, e));
    out += fmt::format(
        "<line x1=\"{:.1f}\" y1=\"{:.1f}\" x2=\"{:.1f}\" y2=\"{:.1f}\" stroke=\"#d8dce4\"/>"
        "<text x=\"{:.1f}\" y=\"{:.1f}\" text-anchor=\"end\">{}</text>\n",
        L.left, yy, L.left + L.w, yy, L.left - 6, yy + 4, esc(format_ms(std::pow(10.0, e))));
  }
  for (size_t i = 0; i < scales.size(); ++i) {
    out += fmt::format("<text x=\"{:.1f}\" y=\"{:.1f}\" text-anchor=\"middle\">{}</text>\n", x(i),
                       L.top + L.h + 18, esc(scale_label(in, scales[i])));
  }
  std::string legend = "<ul class=\"legend\">";
  for (size_t s = 0; s < k.series.size(); ++s) {
    const char* color = kPalette[s % std::size(kPalette)];
    const char* dash = kDash[(s / std::size(kPalette)) % std::size(kDash)];
    std::string points, dots;
    for (size_t i = 0; i < scales.size(); ++i) {
      auto it = k.ms.find({k.series[s], scales[i]});
      if (it == k.ms.end()) continue;
      points += fmt::format("{:.1f},{:.1f} ", x(i), y(it->second));
      dots += fmt::format(
          "<circle cx=\"{:.1f}\" cy=\"{:.1f}\" r=\"3.5\" fill=\"{}\"><title>{}, {}: {}</title>"
          "</circle>\n",
          x(i), y(it->second), color, esc(k.series[s]), esc(scale_label(in, scales[i])),
          esc(format_ms(it->second)));
    }
    out +=
        fmt::format("<polyline fill=\"none\" stroke=\"{}\" stroke-width=\"2\"{} points=\"{}\"/>\n",
                    color, *dash ? fmt::format(" stroke-dasharray=\"{}\"", dash) : "", points);
    out += dots;
    legend += fmt::format(
        "<li><svg xmlns=\"http://www.w3.org/2000/svg\" width=\"22\" height=\"10\"><line x1=\"0\" "
        "y1=\"5\" x2=\"22\" y2=\"5\" stroke=\"{}\" stroke-width=\"3\"{}/></svg> {}</li>",
        color, *dash ? fmt::format(" stroke-dasharray=\"{}\"", dash) : "", esc(k.series[s]));
  }
  return out + "</svg>\n" + legend + "</ul></figure>\n";
}

}  // namespace

std::string case_charts(const ReportInput& in) {
  std::vector<std::string> scales;
  std::vector<Case> cases;
  for (const auto& [set_label, caps] : in.sets) {
    for (const auto& c : caps) {
      if (std::find(scales.begin(), scales.end(), c.scale) == scales.end())
        scales.push_back(c.scale);
      if (!c.analyzed) continue;
      std::string name = c.query + " [" + c.pick + "]";
      auto it =
          std::find_if(cases.begin(), cases.end(), [&](const Case& k) { return k.name == name; });
      if (it == cases.end()) it = cases.insert(cases.end(), Case{name, {}, {}});
      std::string series = in.sets.size() > 1 ? set_label + ": " + c.experiment : c.experiment;
      if (std::find(it->series.begin(), it->series.end(), series) == it->series.end())
        it->series.push_back(series);
      it->ms[{series, c.scale}] = std::max(c.execution.median_ms, 0.001);
    }
  }
  if (cases.empty()) return "<p>No timed captures to chart.</p>\n";
  std::stable_sort(scales.begin(), scales.end(), [&](const std::string& a, const std::string& b) {
    return scale_row_count(in, a) < scale_row_count(in, b);
  });
  std::string out = "<div class=\"charts\">\n";
  for (size_t i = 0; i < cases.size(); ++i) out += one_chart(cases[i], scales, in, i);
  return out + "</div>\n";
}

}  // namespace pgshape::plan
