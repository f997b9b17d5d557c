// The findings every report leads with: their order, the sentence for a known pair
// of real plans, the node details they draw on, and the terminal's width limit.
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>
#include <sstream>

#include "fixtures.hpp"
#include "pgshape/plan.hpp"

namespace pgshape {
namespace {

using testing::plan_fixture;

// A pair of fixture plans with the times set by the test.
PairDiff timed_pair(const std::string& fa, const std::string& fb, double ms_a, double ms_b,
                    int64_t rows_a, int64_t rows_b, const std::string& pick,
                    const std::string& exp_b = "baseline") {
  PlanCapture a =
      plan_fixture(fa, rows_a == rows_b ? "production" : "test", rows_a, "baseline", pick);
  PlanCapture b = plan_fixture(fb, "production", rows_b, exp_b, pick);
  a.execution = {ms_a, ms_a, ms_a};
  b.execution = {ms_b, ms_b, ms_b};
  return diff_pair(a, b);
}

ReportInput with_pairs(std::vector<PairDiff> pairs) {
  ReportInput in;
  in.scale_rows = {{"test", 12000}, {"production", 340000}};
  CompareResult r;
  r.label_a = "a";
  r.label_b = "b";
  r.pairs = std::move(pairs);
  in.comparisons = {r};
  return in;
}

TEST(Findings, WorstFirstAndImprovementsApart) {
  ReportInput in = with_pairs({
      // Same plan, 10× the time on 28× the data: not a regression, not listed.
      timed_pair("12k_category_idx_rare", "340k_category_idx_rare", 2, 20, 12000, 340000,
                 "same_ok"),
      // Same plan, 100× the time for 28× the data: regression.
      timed_pair("12k_category_idx_rare", "340k_category_idx_rare", 2, 200, 12000, 340000, "slow"),
      // Plan change and 100× the time for 28× the data.
      timed_pair("12k_composite_hot", "340k_noindex_hot", 1, 100, 12000, 340000, "change_100"),
      // Plan change, in proportion to the data: shape change only.
      timed_pair("12k_composite_hot", "340k_noindex_hot", 1, 20, 12000, 340000, "change_ok"),
      // Plan change, 785× the time: the worst.
      timed_pair("12k_category_idx_rare_nobitmap", "340k_noindex_hot", 0.066, 51.8, 12000, 340000,
                 "change_785"),
      // An experiment that makes it 260× faster.
      timed_pair("340k_category_idx_hot", "340k_composite_hot", 45.8, 0.175, 340000, 340000,
                 "fixed", "listing_index"),
  });
  const Findings f = find_findings(in);
  std::vector<std::string> order;
  for (const auto& x : f.problems) order.push_back(x.subject);
  EXPECT_EQ(order, (std::vector<std::string>{"listing [change_785]", "listing [change_100]",
                                             "listing [slow]", "listing [change_ok]"}));
  ASSERT_EQ(f.improvements.size(), 1u);
  EXPECT_EQ(f.improvements[0].subject, "listing [fixed]");
  EXPECT_TRUE(f.improvements[0].improvement);
  EXPECT_EQ(f.problems[0].kind, FindingKind::kSlowerPlanChange);
  EXPECT_EQ(f.problems[2].kind, FindingKind::kRegression);
  EXPECT_EQ(f.problems[3].kind, FindingKind::kShapeChange);
  for (const auto& x : f.problems) EXPECT_FALSE(x.improvement) << x.sentence();
}

TEST(Findings, SentenceNamesTheNumbersAndWhatThePlanDoesNow) {
  ReportInput in = with_pairs({timed_pair("12k_category_idx_rare_nobitmap", "340k_noindex_hot",
                                          0.066, 51.806, 12000, 340000, "rank:50")});
  const Findings f = find_findings(in);
  ASSERT_EQ(f.problems.size(), 1u);
  // 51.806 / 0.066 = 785; 340,000 / 12,000 = 28; 94,114 rows removed per loop × 3.
  EXPECT_EQ(f.problems[0].sentence(),
            "listing [rank:50], test (12K rows) → production (340K rows): 785× the time for 28× "
            "the data (0.066 ms → 51.8 ms); the plan now reads all of products and removes "
            "282,342 rows by filter; 3,308 buffers (was 11)");
}

TEST(Findings, ImprovementSentenceSaysHowMuchFaster) {
  ReportInput in = with_pairs({timed_pair("340k_category_idx_hot", "340k_composite_hot", 45.8,
                                          0.175, 340000, 340000, "most_common", "listing_index")});
  const Findings f = find_findings(in);
  ASSERT_TRUE(f.problems.empty());
  ASSERT_EQ(f.improvements.size(), 1u);
  EXPECT_EQ(f.improvements[0].sentence(),
            "listing [most_common], listing_index at production (340K rows): 262× faster on the "
            "same data (45.8 ms → 0.175 ms); the plan now walks idx_products_category_listing");
}

TEST(Findings, UnchangedPairsAreNotFindings) {
  ReportInput in = with_pairs({timed_pair("340k_composite_hot", "340k_composite_hot", 0.175, 0.180,
                                          340000, 340000, "most_common")});
  const Findings f = find_findings(in);
  EXPECT_TRUE(f.problems.empty());
  EXPECT_TRUE(f.improvements.empty());
}

TEST(PlanNodeDetails, ParsedFromACapturedPlan) {
  PlanNode root = parse_explain_json(testing::plan_fixture_text("340k_category_idx_hot"));
  const PlanNode& gather = root.children.at(0);
  ASSERT_EQ(gather.node_type, "Gather Merge");
  EXPECT_EQ(gather.workers_planned, 2);
  EXPECT_EQ(gather.workers_launched, 2);
  const PlanNode& sort = gather.children.at(0);
  EXPECT_EQ(sort.sort_key, "featured DESC, created_at DESC");
  const PlanNode& heap = sort.children.at(0);
  ASSERT_EQ(heap.node_type, "Bitmap Heap Scan");
  EXPECT_EQ(heap.filter, "active");
  EXPECT_EQ(heap.recheck_cond, "(category_id = 1)");
  EXPECT_DOUBLE_EQ(heap.removed_by_filter, 2106);
  EXPECT_DOUBLE_EQ(heap.loops, 3);
  EXPECT_EQ(heap.shared_hit, 3178);
  const PlanNode& bitmap = heap.children.at(0);
  EXPECT_EQ(bitmap.index_cond, "(category_id = 1)");
  EXPECT_TRUE(bitmap.filter.empty());

  PlanNode join = parse_explain_json(testing::plan_fixture_text("12k_join_left"));
  EXPECT_FALSE(join.children.at(0).hash_cond.empty());
  EXPECT_FALSE(join.group_key.empty());
}

size_t columns(const std::string& line) {
  size_t n = 0;
  for (unsigned char c : line) n += (c & 0xC0) != 0x80;
  return n;
}

ReportInput sweep() {
  std::vector<PlanCapture> caps = {
      plan_fixture("12k_category_idx_rare_nobitmap", "test", 12000, "baseline", "rank:50"),
      plan_fixture("12k_composite_hot", "test", 12000, "listing_index", "rank:50"),
      plan_fixture("340k_noindex_hot", "production", 340000, "baseline", "rank:50"),
      plan_fixture("340k_composite_hot", "production", 340000, "listing_index", "rank:50"),
  };
  ReportInput in;
  in.scale_rows = {{"test", 12000}, {"production", 340000}};
  in.sets = {{"shop", caps}};
  in.comparisons = {compare_captures({caps[0]}, {caps[2]}), compare_captures({caps[2]}, {caps[3]})};
  return in;
}

TEST(ReportTerminal, NoLineWiderThanTheWidth) {
  for (size_t width : {80u, 120u}) {
    SCOPED_TRACE(width);
    for (bool color : {false, true}) {
      std::string text = render_terminal(sweep(), color, width);
      std::istringstream lines(text);
      std::string line;
      bool cut = false;
      while (std::getline(lines, line)) {
        std::string plain;
        for (size_t i = 0; i < line.size(); ++i) {
          if (line[i] == '\033') {
            i = line.find('m', i);  // an ANSI colour takes no column
            continue;
          }
          plain += line[i];
        }
        EXPECT_LE(columns(plain), width) << plain;
        cut = cut || plain.find("…") != std::string::npos;
      }
      EXPECT_TRUE(cut) << "the shape words do not fit " << width << " columns:\n" << text;
    }
  }
}

TEST(ReportTerminal, LeadsWithTheWorstFindingAndShowsRowCounts) {
  std::string text = render_terminal(sweep(), false, 100);
  EXPECT_EQ(
      text.rfind("regression   listing [rank:50], test (12K rows) → production (340K rows)", 0), 0u)
      << text;
  EXPECT_NE(text.find("improved     listing [rank:50], listing_index at production"),
            std::string::npos)
      << text;
  EXPECT_NE(text.find("12K → 340K"), std::string::npos) << text;
  // The table lists the regression before the improvement.
  EXPECT_LT(text.find("  12K → 340K "), text.find("  340K listing_index ")) << text;
}

TEST(ReportHtml, PlanTreesShowWhatExplainsTheCostAndLinkThePlanFiles) {
  ReportInput in = sweep();
  for (auto& c : in.sets[0].second)
    c.plan_file = "plans/" + c.scale + "/" + c.experiment + "/x.json";
  for (auto& r : in.comparisons) {
    for (auto& p : r.pairs) {
      p.a.plan_file = "plans/" + p.a.scale + "/" + p.a.experiment + "/x.json";
      p.b.plan_file = "plans/" + p.b.scale + "/" + p.b.experiment + "/x.json";
    }
  }
  in.plan_dirs = {"../shop dir"};
  std::string html = render_html(in);
  // The headline comes before every table.
  EXPECT_LT(html.find("id=\"headline\""), html.find("<table>"));
  EXPECT_NE(html.find("Rows Removed by Filter: 282,342"), std::string::npos);  // 94,114 × 3 loops
  EXPECT_NE(html.find("<span class=\"k\">Filter:</span> <code>(active AND (category_id = 1))"),
            std::string::npos);
  EXPECT_NE(html.find("workers 2 of 2"), std::string::npos);
  EXPECT_NE(html.find("buffers 3,308 hit"), std::string::npos);
  EXPECT_NE(html.find("href=\"../shop%20dir/plans/production/baseline/x.json\""),
            std::string::npos);
  EXPECT_NE(html.find("<code>summary.json</code> is not a plan"), std::string::npos);
  // One chart per query case, with a line per experiment.
  EXPECT_NE(html.find("id=\"chart-0\""), std::string::npos);
  EXPECT_EQ(html.find("id=\"chart-1\""), std::string::npos);
  EXPECT_NE(html.find("> listing_index</li>"), std::string::npos);
}

TEST(ReportJson, FindingsWorstFirstWithTheirSentences) {
  auto j = nlohmann::json::parse(render_findings_json(sweep()));
  ASSERT_EQ(j.size(), 2u) << j.dump(2);
  EXPECT_EQ(j[0]["kind"], "regression");
  EXPECT_EQ(j[0]["pick"], "rank:50");
  EXPECT_NE(j[0]["sentence"].get<std::string>().find("removes 282,342 rows by filter"),
            std::string::npos);
  EXPECT_EQ(j[1]["kind"], "improvement");
  EXPECT_EQ(j[1]["comparison"], 1);
}

TEST(ReportMarkdown, LeadsWithTheFindings) {
  std::string md = render_markdown(sweep());
  size_t head =
      md.find("## What changed\n\n- **regression** **listing [rank:50]**, test (12K rows)");
  EXPECT_NE(head, std::string::npos) << md;
  EXPECT_LT(head, md.find("## Summary")) << md;
  EXPECT_NE(md.find("- **improvement** **listing [rank:50]**, listing_index at production"),
            std::string::npos)
      << md;
}

}  // namespace
}  // namespace pgshape
