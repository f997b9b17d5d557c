// Pairing captures and diffing plan pairs, on the stored incident fixtures.
#include <gtest/gtest.h>

#include "fixtures.hpp"
#include "pgshape/error.hpp"
#include "pgshape/plan.hpp"

namespace pgshape {
namespace {

using testing::plan_fixture;
using testing::plan_fixture_text;

std::string words(const char* a, const char* b) {
  return describe_shape_change(parse_explain_json(plan_fixture_text(a)),
                               parse_explain_json(plan_fixture_text(b)));
}

TEST(ShapeWords, DescribeTheIncidentChanges) {
  struct Case {
    const char* a;
    const char* b;
    const char* expected;
  };
  for (const Case& c : {
           Case{"12k_category_idx_hot", "12k_category_idx_rare", ""},
           Case{"340k_composite_hot", "340k_noindex_hot",
                "Index Scan using idx_products_category_listing on products → "
                "Parallel Seq Scan on products + Sort + Gather Merge"},
           Case{"12k_category_idx_rare_nobitmap", "12k_noindex_hot",
                "Index Scan using products_category_idx on products → Seq Scan on products"},
           Case{"12k_noindex_hot", "12k_composite_hot",
                "Seq Scan on products + Sort → "
                "Index Scan using idx_products_category_listing on products"},
           Case{"12k_category_idx_rare_nobitmap", "12k_category_idx_rare",
                "Index Scan using products_category_idx on products → "
                "Bitmap Heap Scan on products + Bitmap Index Scan using products_category_idx"},
           Case{"12k_noindex_hot", "340k_noindex_hot",
                "Seq Scan on products → Parallel Seq Scan on products + Gather Merge"},
       }) {
    EXPECT_EQ(words(c.a, c.b), c.expected) << c.a << " vs " << c.b;
  }
}

TEST(ShapeWords, OnlyAddedOrOnlyDropped) {
  PlanNode scan =
      parse_explain_json(R"({"Plan": {"Node Type": "Seq Scan", "Relation Name": "t"}})");
  PlanNode sorted = parse_explain_json(
      R"({"Plan": {"Node Type": "Sort", "Plans": [{"Node Type": "Seq Scan", "Relation Name": "t"}]}})");
  EXPECT_EQ(describe_shape_change(scan, sorted), "adds Sort");
  EXPECT_EQ(describe_shape_change(sorted, scan), "drops Sort");
}

TEST(PairDiff, CompositeIndexToNoIndexIsShapeIndexAndRegression) {
  PairDiff d = diff_pair(plan_fixture("340k_composite_hot", "large", 340000, "composite"),
                         plan_fixture("340k_noindex_hot", "large", 340000));
  EXPECT_TRUE(d.has(ChangeKind::kShapeChange));
  EXPECT_TRUE(d.has(ChangeKind::kIndexChange));
  EXPECT_EQ(d.indexes_dropped, std::vector<std::string>{"idx_products_category_listing"});
  EXPECT_TRUE(d.indexes_added.empty());
  EXPECT_DOUBLE_EQ(d.data_ratio, 1.0);
  EXPECT_GT(d.time_ratio, 50);  // 0.175 ms → 51.8 ms on the same data
  EXPECT_TRUE(d.has(ChangeKind::kRegression));
}

TEST(PairDiff, TimeGrowthIsJudgedAgainstDataGrowth) {
  // 12K → 340K rows (28×), 2.96 ms → 51.8 ms (17.5×): slower, but not faster than the data.
  PairDiff d = diff_pair(plan_fixture("12k_noindex_hot", "small", 12000),
                         plan_fixture("340k_noindex_hot", "large", 340000));
  EXPECT_NEAR(d.data_ratio, 340000.0 / 12000.0, 1e-9);
  EXPECT_TRUE(d.has(ChangeKind::kShapeChange));
  EXPECT_FALSE(d.has(ChangeKind::kRegression));
  // The same times on equal data sizes are a regression.
  PairDiff same = diff_pair(plan_fixture("12k_noindex_hot", "small", 12000),
                            plan_fixture("340k_noindex_hot", "large", 12000));
  EXPECT_TRUE(same.has(ChangeKind::kRegression));
}

TEST(PairDiff, SubMillisecondTimesNeverRegress) {
  PlanCapture a = plan_fixture("12k_category_idx_rare", "small", 12000);
  PlanCapture b = plan_fixture("12k_category_idx_rare", "small", 12000);
  a.execution.median_ms = 0.02;
  b.execution.median_ms = 0.9;  // 45× slower, still noise below the 1 ms floor
  EXPECT_TRUE(diff_pair(a, b).kinds.empty());
}

TEST(PairDiff, EstimateMustBeTwiceWorseAndAtLeastTen) {
  PlanCapture a = plan_fixture("12k_category_idx_rare", "small", 12000);
  struct Case {
    double qa, qb;
    bool flagged;
  };
  for (const Case& c : {Case{1, 9, false}, Case{1, 10, true}, Case{6, 11, false}, Case{6, 12, true},
                        Case{100, 40, false}}) {
    PlanCapture x = a, y = a;
    x.worst_q_error = c.qa;
    y.worst_q_error = c.qb;
    EXPECT_EQ(diff_pair(x, y).has(ChangeKind::kEstimate), c.flagged) << c.qa << " → " << c.qb;
  }
}

TEST(Pairing, CaptureComparedWithItselfShowsNoChange) {
  std::vector<PlanCapture> sweep = {
      plan_fixture("12k_category_idx_hot", "small", 12000),
      plan_fixture("12k_category_idx_rare", "small", 12000, "baseline", "rare"),
      plan_fixture("12k_composite_hot", "small", 12000, "composite"),
      plan_fixture("340k_category_idx_hot", "large", 340000),
      plan_fixture("340k_category_idx_rare", "large", 340000, "baseline", "rare"),
      plan_fixture("340k_composite_hot", "large", 340000, "composite"),
  };
  CompareResult r = compare_captures(sweep, sweep);
  ASSERT_EQ(r.pairs.size(), sweep.size());  // each with itself only: scale and experiment vary
  for (const auto& p : r.pairs) {
    EXPECT_TRUE(p.kinds.empty()) << p.b.pick << " " << p.b.scale;
    EXPECT_EQ(p.a.scale, p.b.scale);
    EXPECT_EQ(p.a.experiment, p.b.experiment);
  }
  EXPECT_TRUE(r.unmatched_a.empty());
  EXPECT_TRUE(r.unmatched_b.empty());
}

TEST(Pairing, SingleScaleSidesPairAcrossScalesByQueryAndPick) {
  std::vector<PlanCapture> small = {
      plan_fixture("12k_category_idx_hot", "small", 12000),
      plan_fixture("12k_category_idx_rare", "small", 12000, "baseline", "rare")};
  std::vector<PlanCapture> large = {
      plan_fixture("340k_category_idx_rare", "large", 340000, "baseline", "rare"),
      plan_fixture("340k_category_idx_hot", "large", 340000),
      plan_fixture("340k_category_idx_hot", "large", 340000, "baseline", "median")};
  CompareResult r = compare_captures(small, large);
  ASSERT_EQ(r.pairs.size(), 2u);
  EXPECT_EQ(r.pairs[0].a.pick, "rare");
  EXPECT_EQ(r.pairs[1].a.pick, "most_common");
  EXPECT_TRUE(r.pairs[1].has(ChangeKind::kShapeChange));  // Gather Merge + parallel at 340K
  EXPECT_EQ(r.unmatched_b, std::vector<std::string>{"listing [median] large/baseline"});
}

TEST(Pairing, BaselineAgainstOneExperimentIgnoresTheExperimentLabel) {
  std::vector<PlanCapture> base = {plan_fixture("340k_category_idx_hot", "large", 340000)};
  std::vector<PlanCapture> exp = {
      plan_fixture("340k_composite_hot", "large", 340000, "listing_index")};
  CompareResult r = compare_captures(base, exp);
  ASSERT_EQ(r.pairs.size(), 1u);
  EXPECT_TRUE(r.has(ChangeKind::kShapeChange));
  EXPECT_FALSE(r.has(ChangeKind::kRegression));  // it got faster
  EXPECT_EQ(r.pairs[0].indexes_added, std::vector<std::string>{"idx_products_category_listing"});
}

TEST(FailOn, ParsesListsAndRejectsUnknownKinds) {
  EXPECT_EQ(parse_change_kinds("shape-change, regression,shape-change"),
            (std::vector<ChangeKind>{ChangeKind::kShapeChange, ChangeKind::kRegression}));
  EXPECT_TRUE(parse_change_kinds("").empty());
  EXPECT_THROW(parse_change_kinds("shape-change,slower"), UsageError);
}

}  // namespace
}  // namespace pgshape
