// Report rendering: the HTML is well-formed XML (checked by xmllint), names every
// query, escapes what comes from data, and the text renderings say what changed.
#include <gtest/gtest.h>

#include <unistd.h>
#include <cstdlib>
#include <filesystem>
#include <fstream>

#include "fixtures.hpp"
#include "pgshape/plan.hpp"

namespace pgshape {
namespace {

using testing::plan_fixture;

ReportInput sweep() {
  std::vector<PlanCapture> caps = {
      plan_fixture("12k_category_idx_hot", "small", 12000),
      plan_fixture("12k_composite_hot", "small", 12000, "listing_index"),
      plan_fixture("340k_category_idx_hot", "large", 340000),
      plan_fixture("340k_composite_hot", "large", 340000, "listing_index"),
  };
  PlanCapture odd = plan_fixture("12k_join_left", "small", 12000);
  odd.query = "per <category> & \"count\" 'it'\x01";
  odd.pick = "literal:a<b";
  caps.push_back(odd);
  ReportInput in;
  in.title = "pgshape explain — shop & co";
  in.notes = {"profile: profiles/shop.yaml", "server: PostgreSQL 15"};
  in.sets = {{"sweep", caps}};
  auto pick = [&](const std::string& scale, const std::string& exp) {
    std::vector<PlanCapture> v;
    for (const auto& c : caps) {
      if (c.scale == scale && c.experiment == exp && c.query == "listing") v.push_back(c);
    }
    return v;
  };
  in.comparisons.push_back(compare_captures(pick("small", "baseline"), pick("large", "baseline")));
  in.comparisons.back().label_a = "small/baseline";
  in.comparisons.back().label_b = "large/baseline";
  in.comparisons.push_back(
      compare_captures(pick("large", "baseline"), pick("large", "listing_index")));
  in.comparisons.back().label_a = "large/baseline";
  in.comparisons.back().label_b = "large/listing_index";
  return in;
}

// Runs xmllint on `text`; returns its exit code (0 = well-formed).
int xmllint(const std::string& text, const std::string& flags) {
  auto path = std::filesystem::temp_directory_path() /
              ("pgshape_report_" + std::to_string(getpid()) + ".html");
  std::ofstream(path, std::ios::binary) << text;
  int rc = std::system(("xmllint " + flags + " --noout '" + path.string() + "' 2>&1").c_str());
  std::filesystem::remove(path);
  return rc;
}

TEST(FormatMs, PicksUnitsAndPrecision) {
  EXPECT_EQ(format_ms(0.052), "0.052 ms");
  EXPECT_EQ(format_ms(1.234), "1.23 ms");
  EXPECT_EQ(format_ms(12.44), "12.4 ms");
  EXPECT_EQ(format_ms(345.6), "346 ms");
  EXPECT_EQ(format_ms(1820), "1.82 s");
}

// Parsed as XML, not with `--html`: libxml2's HTML parser is HTML 4 and complains
// about inline SVG, which HTML5 browsers render.
TEST(ReportHtml, IsWellFormedXml) {
  std::string html = render_html(sweep());
  EXPECT_EQ(xmllint(html, ""), 0) << "not well-formed XML";
}

TEST(ReportHtml, NamesEveryQueryAndEscapesData) {
  std::string html = render_html(sweep());
  EXPECT_NE(html.find(">listing [most_common]<"), std::string::npos);
  EXPECT_NE(html.find("per &lt;category&gt; &amp; &quot;count&quot; &#39;it&#39;"),
            std::string::npos);
  EXPECT_EQ(html.find('\x01'), std::string::npos);
  EXPECT_EQ(html.find("<category>"), std::string::npos);
  EXPECT_EQ(html.find("http://"), html.find("http://www.w3.org/"));  // no external resources
  EXPECT_NE(html.find("<svg"), std::string::npos);
  // The changed nodes of a shape change are marked on both sides.
  EXPECT_NE(html.find("class=\"node gone\""), std::string::npos);
  EXPECT_NE(html.find("class=\"node new\""), std::string::npos);
}

TEST(ReportMarkdown, SummaryAndComparisonSections) {
  std::string md = render_markdown(sweep());
  EXPECT_NE(md.find("# pgshape explain — shop & co"), std::string::npos);
  EXPECT_NE(md.find("## small/baseline → large/baseline"), std::string::npos);
  EXPECT_NE(md.find("Index Scan using idx_products_category_listing on products"),
            std::string::npos);
  EXPECT_NE(md.find("shape-change, index-change"), std::string::npos);
}

TEST(ReportTerminal, OneLinePerPairWithColouredVerdict) {
  std::string plain = render_terminal(sweep(), false, 200);
  EXPECT_EQ(plain.find('\033'), std::string::npos);
  EXPECT_NE(plain.find("12K → 340K"), std::string::npos) << plain;
  std::string coloured = render_terminal(sweep(), true, 200);
  EXPECT_NE(coloured.find("\033[1;31m"), std::string::npos);
}

TEST(ReportTerminal, SelfComparisonIsAllOk) {
  ReportInput in = sweep();
  in.comparisons = {compare_captures(in.sets[0].second, in.sets[0].second)};
  std::string t = render_terminal(in, false);
  EXPECT_EQ(t.find("shape-change"), std::string::npos) << t;
  EXPECT_NE(t.find(" ok"), std::string::npos);
}

TEST(ReportJson, CarriesVerdictsAndRatios) {
  ReportInput in = sweep();
  std::string j = render_json(in.comparisons[1]);
  EXPECT_NE(j.find("\"shape-change\""), std::string::npos);
  EXPECT_NE(j.find("\"indexes_added\""), std::string::npos);
}

}  // namespace
}  // namespace pgshape
