// Which partitioned tables load routes to their leaves itself (COPY FREEZE per
// leaf) and which it leaves to the server, and the leaves it routes to at
// every level. No server: the decision is the profile's and the generator's.
// (The routing itself is checked against PostgreSQL's in
// tests/integration/stats/leaves_test.cpp.)
#include <gtest/gtest.h>

#include <string>

#include "load/leaf_router.hpp"
#include "pgshape/profile.hpp"

namespace pgshape::load {
namespace {

// A table `t` partitioned by `by` with `parts` (a YAML list at indent 6).
std::string profile_text(const std::string& by, const std::string& parts) {
  return "name: r\nscales: {s: 100}\ntables:\n  t:\n    rows: 100\n    partition_by: '" + by +
         "'\n    partitions:\n" + parts +
         "    columns:\n"
         "      id: {type: bigint, dist: sequence}\n"
         "      day: {type: date, dist: uniform, min: 2024-01-01, max: 2024-12-31}\n"
         "      region: {type: text, dist: weighted, values: {eu: 2, us: 1}}\n"
         "      token: {type: uuid, dist: uuid}\n";
}

std::string problem(const std::string& by, const std::string& parts,
                    std::vector<std::string>* leaves = nullptr) {
  const Profile p = parse_profile(profile_text(by, parts), "r.yaml");
  const DatasetGenerator generator(p, p.scales.front(), 1);
  return leaf_routing_problem(generator.tables().front(), leaves);
}

constexpr const char* kDefault = "      - {name: t_all, bound: DEFAULT}\n";

constexpr const char* kHashed =
    "      - {name: t_0, bound: \"FOR VALUES WITH (modulus 1, remainder 0)\"}\n";

TEST(LeafRouting, RangeListAndHashOfPlainColumnsAreRouted) {
  EXPECT_EQ(problem("RANGE (day)", kDefault), "");
  EXPECT_EQ(problem("RANGE (day, id)", kDefault), "");
  EXPECT_EQ(problem("LIST (region)", kDefault), "");
  EXPECT_EQ(problem("LIST (\"region\")", kDefault), "");
  EXPECT_EQ(problem("HASH (id)", kHashed), "");
  EXPECT_EQ(problem("HASH (day, region, token)", kHashed), "");
}

TEST(LeafRouting, ExpressionsOptionsAndTextRangesAreLeftToTheServer) {
  EXPECT_NE(problem("HASH ((id + 1))", kHashed).find("expression"), std::string::npos);
  EXPECT_NE(problem("HASH (id int8_ops)", kHashed).find("options"), std::string::npos);
  EXPECT_NE(problem("LIST (token)", kDefault).find("token"), std::string::npos);
  EXPECT_NE(problem("RANGE ((day + 1))", kDefault).find("expression"), std::string::npos);
  EXPECT_NE(problem("LIST (lower(region))", kDefault).find("expression"), std::string::npos);
  EXPECT_NE(problem("RANGE (region)", kDefault).find("region"), std::string::npos);
  EXPECT_NE(problem("RANGE (day COLLATE \"C\")", kDefault), "");
}

TEST(LeafRouting, LeavesAreListedDepthFirstThroughSubPartitions) {
  const std::string parts =
      "      - name: t_2024\n"
      "        bound: \"FOR VALUES FROM ('2024-01-01') TO ('2025-01-01')\"\n"
      "        partition_by: \"LIST (region)\"\n"
      "        partitions:\n"
      "          - {name: t_2024_eu, bound: \"FOR VALUES IN ('eu')\"}\n"
      "          - {name: t_2024_rest, bound: DEFAULT}\n"
      "      - {name: t_rest, bound: DEFAULT}\n";
  std::vector<std::string> leaves;
  EXPECT_EQ(problem("RANGE (day)", parts, &leaves), "");
  EXPECT_EQ(leaves, (std::vector<std::string>{"t_2024_eu", "t_2024_rest", "t_rest"}));
  // One level the server must route sends the whole table through its parent.
  std::string expression = parts;
  expression.replace(expression.find("LIST (region)"), 13, "LIST (lower(region))");
  leaves.clear();
  EXPECT_NE(problem("RANGE (day)", expression, &leaves).find("t_2024"), std::string::npos);
  EXPECT_TRUE(leaves.empty());
}

}  // namespace
}  // namespace pgshape::load
