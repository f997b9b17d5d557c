// Plan shapes of Append nodes: a Parallel Append lists its leaves by cost
// (PostgreSQL sorts its children so), so two plans that differ only in that
// order have one shape; a plain Append's order is its output's and a join's
// children are outer and inner, so their order stays part of the shape.
#include <gtest/gtest.h>

#include <string>

#include "pgshape/plan.hpp"

namespace pgshape {
namespace {

std::string scan(const std::string& table, bool parallel) {
  return std::string(R"({"Node Type": "Seq Scan", "Parallel Aware": )") +
         (parallel ? "true" : "false") + R"(, "Relation Name": ")" + table +
         R"(", "Plan Rows": 10})";
}

std::string node(const std::string& type, bool parallel, const std::string& first,
                 const std::string& second) {
  return R"({"Node Type": ")" + type + R"(", "Parallel Aware": )" + (parallel ? "true" : "false") +
         R"(, "Plan Rows": 20, "Plans": [)" + first + ", " + second + "]}";
}

std::string shape(const std::string& plan) {
  return shape_signature(parse_explain_json(R"([{"Plan": )" + plan + "}]"));
}

TEST(AppendShape, ParallelAppendLeavesInAnyOrderAreOneShape) {
  const std::string a = scan("orders_2023", true), b = scan("orders_2022", true);
  EXPECT_EQ(shape(node("Append", true, a, b)), shape(node("Append", true, b, a)));
  EXPECT_EQ(shape(node("Append", true, a, b)),
            "Parallel Append(Parallel Seq Scan on orders_2022, Parallel Seq Scan on orders_2023)");
  // A different leaf is a different shape still.
  EXPECT_NE(shape(node("Append", true, a, b)),
            shape(node("Append", true, a, scan("orders_2024", true))));
}

TEST(AppendShape, PlainAppendAndJoinsKeepTheirChildrenOrder) {
  const std::string a = scan("orders_2023", false), b = scan("orders_2022", false);
  EXPECT_NE(shape(node("Append", false, a, b)), shape(node("Append", false, b, a)));
  EXPECT_NE(shape(node("Nested Loop", false, a, b)), shape(node("Nested Loop", false, b, a)));
}

}  // namespace
}  // namespace pgshape
