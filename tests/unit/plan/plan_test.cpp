// The plan model on real EXPLAIN (ANALYZE, BUFFERS, SETTINGS, FORMAT JSON) output:
// parsing, node labels, shape signatures, q-error and indexes used.
#include <gtest/gtest.h>

#include "fixtures.hpp"
#include "pgshape/plan.hpp"

namespace pgshape {
namespace {

using testing::plan_fixture;
using testing::plan_fixture_text;

TEST(PlanParse, ReadsTreeAndActualNumbers) {
  PlanNode root = parse_explain_json(plan_fixture_text("340k_composite_hot"));
  EXPECT_EQ(root.node_type, "Limit");
  ASSERT_EQ(root.children.size(), 1u);
  const PlanNode& scan = root.children[0];
  EXPECT_EQ(scan.node_type, "Index Scan");
  EXPECT_EQ(scan.index_name, "idx_products_category_listing");
  EXPECT_EQ(scan.relation, "products");
  EXPECT_EQ(scan.alias, "products");
  EXPECT_EQ(scan.scan_direction, "Forward");
  EXPECT_EQ(scan.estimated_rows, 58739);
  EXPECT_TRUE(scan.analyzed);
  EXPECT_EQ(scan.actual_rows, 20);
  EXPECT_EQ(scan.loops, 1);
  EXPECT_GT(scan.actual_total_ms, 0);
  EXPECT_GT(scan.shared_hit + scan.shared_read, 0);
}

TEST(PlanParse, AcceptsTheBareObjectToo) {
  PlanNode root = parse_explain_json(R"({"Plan": {"Node Type": "Result", "Plan Rows": 1}})");
  EXPECT_EQ(root.node_type, "Result");
  EXPECT_FALSE(root.analyzed);
}

TEST(PlanParse, MalformedInputThrowsClearErrors) {
  struct Case {
    const char* text;
    const char* expected;
  };
  for (const Case& c : {Case{"", "not valid JSON"}, Case{"[{\"Plan\": ", "not valid JSON"},
                        Case{"[]", "empty array"}, Case{"[{\"Query\": 1}]", "no \"Plan\""},
                        Case{"[{\"Plan\": {\"Plan Rows\": 1}}]", "no \"Node Type\""},
                        Case{"[{\"Plan\": {\"Node Type\": \"Limit\", \"Plans\": 3}}]",
                             "\"Plans\" is not an array"}}) {
    try {
      parse_explain_json(c.text);
      ADD_FAILURE() << "no error for " << c.text;
    } catch (const std::runtime_error& e) {
      EXPECT_NE(std::string(e.what()).find(c.expected), std::string::npos) << e.what();
    }
  }
}

TEST(PlanShape, SignaturesOfTheIncidentPlans) {
  struct Case {
    const char* fixture;
    const char* shape;
  };
  for (const Case& c : {
           Case{"12k_noindex_hot", "Limit(Sort(Seq Scan on products))"},
           Case{"12k_composite_hot",
                "Limit(Index Scan using idx_products_category_listing on products)"},
           Case{"12k_category_idx_rare_nobitmap",
                "Limit(Sort(Index Scan using products_category_idx on products))"},
           Case{"340k_noindex_hot", "Limit(Gather Merge(Sort(Parallel Seq Scan on products)))"},
           Case{"340k_category_idx_hot",
                "Limit(Gather Merge(Sort(Parallel Bitmap Heap Scan on products("
                "Bitmap Index Scan using products_category_idx))))"},
           Case{"12k_join_left",
                "HashAggregate(Hash Right Join(Seq Scan on products, Hash(Seq Scan on "
                "categories)))"},
       }) {
    EXPECT_EQ(shape_signature(parse_explain_json(plan_fixture_text(c.fixture))), c.shape)
        << c.fixture;
  }
}

TEST(PlanShape, IgnoresCostsRowsAndTimes) {
  // The same plan for a hot and a rare category: other rows, times and costs.
  EXPECT_EQ(shape_signature(parse_explain_json(plan_fixture_text("12k_category_idx_hot"))),
            shape_signature(parse_explain_json(plan_fixture_text("12k_category_idx_rare"))));
}

PlanNode node(std::string type, std::string join = "", std::string strategy = "",
              std::string relation = "", std::string index = "", std::string direction = "") {
  PlanNode n;
  n.node_type = std::move(type);
  n.join_type = std::move(join);
  n.strategy = std::move(strategy);
  n.relation = std::move(relation);
  n.index_name = std::move(index);
  n.scan_direction = std::move(direction);
  return n;
}

TEST(PlanLabel, NamesNodesLikeExplainText) {
  struct Case {
    PlanNode node;
    const char* label;
  };
  for (const Case& c : {
           Case{node("Hash Join", "Inner"), "Hash Join"},
           Case{node("Hash Join", "Anti"), "Hash Anti Join"},
           Case{node("Nested Loop", "Left"), "Nested Loop Left Join"},
           Case{node("Aggregate", "", "Sorted"), "GroupAggregate"},
           Case{node("Aggregate", "", "Plain"), "Aggregate"},
           Case{node("Index Only Scan", "", "", "t", "t_pkey", "Backward"),
                "Index Only Scan Backward using t_pkey on t"},
       }) {
    EXPECT_EQ(c.node.label(), c.label);
  }
}

TEST(QError, IsSymmetricAndClampsZeroRowsToOne) {
  struct Case {
    double est, act, q;
  };
  for (const Case& c : {Case{100, 100, 1}, Case{10, 1000, 100}, Case{1000, 10, 100}, Case{0, 0, 1},
                        Case{5, 0, 5}, Case{0, 5, 5}, Case{0.5, 40, 40}}) {
    EXPECT_DOUBLE_EQ(q_error(c.est, c.act), c.q) << c.est << " vs " << c.act;
  }
}

TEST(QError, WorstNodeOverExecutedNodes) {
  // Limit 6→1; the Sort is cut short by the Limit; below the Sort everything runs:
  // Bitmap Heap Scan 6→1, Bitmap Index Scan 7→1.
  PlanCapture c = plan_fixture("12k_category_idx_rare", "small", 12000);
  EXPECT_DOUBLE_EQ(c.worst_q_error, 7.0);
  EXPECT_EQ(c.worst_node, "Bitmap Index Scan using products_category_idx");
  EXPECT_EQ(c.root_estimated_rows, 6);
  EXPECT_EQ(c.root_actual_rows, 1);
}

TEST(QError, NodesStoppedEarlyByALimitDoNotCount) {
  // The Index Scan expects 58739 rows and the Limit stops it after 20: not an estimate error.
  PlanCapture c = plan_fixture("340k_composite_hot", "large", 340000);
  EXPECT_DOUBLE_EQ(c.worst_q_error, 1.0);
  EXPECT_EQ(c.worst_node, "");
  // Limit → Gather Merge → Sort (cut short) → Bitmap Heap Scan (runs fully: 24475 vs 19220).
  PlanCapture p = plan_fixture("340k_category_idx_hot", "large", 340000);
  EXPECT_NEAR(p.worst_q_error, 24475.0 / 19220.0, 1e-9);
  EXPECT_EQ(p.worst_node, "Parallel Bitmap Heap Scan on products");
}

TEST(QError, NeverExecutedNodesDoNotCount) {
  PlanNode root = parse_explain_json(R"([{"Plan": {"Node Type": "Append", "Plan Rows": 10,
      "Actual Rows": 10, "Actual Loops": 1, "Plans": [
      {"Node Type": "Seq Scan", "Relation Name": "a", "Plan Rows": 10, "Actual Rows": 10, "Actual Loops": 1},
      {"Node Type": "Seq Scan", "Relation Name": "b", "Plan Rows": 5000, "Actual Rows": 0, "Actual Loops": 0}]}}])");
  EXPECT_DOUBLE_EQ(worst_q_error(root), 1.0);
}

TEST(IndexesUsed, SortedUniqueAcrossScanKinds) {
  EXPECT_EQ(indexes_used(parse_explain_json(plan_fixture_text("340k_category_idx_hot"))),
            std::vector<std::string>{"products_category_idx"});
  EXPECT_EQ(indexes_used(parse_explain_json(plan_fixture_text("340k_composite_hot"))),
            std::vector<std::string>{"idx_products_category_listing"});
  EXPECT_TRUE(indexes_used(parse_explain_json(plan_fixture_text("12k_noindex_hot"))).empty());
}

TEST(Summarize, TakesBuffersFromTheRoot) {
  PlanCapture c = plan_fixture("340k_noindex_hot", "large", 340000);
  EXPECT_GT(c.shared_hit + c.shared_read, 1000);  // a seq scan of ~3000 pages
  EXPECT_TRUE(c.analyzed);
  EXPECT_TRUE(c.indexes.empty());
}

}  // namespace
}  // namespace pgshape
