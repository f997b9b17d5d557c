// Two-column ordering CHECKs: the forms the parser accepts (as
// pg_get_constraintdef prints them and as people write them), the ones it
// refuses and why, and validation refusing at the check's position the
// two-column CHECKs generation could break.
#include <gtest/gtest.h>

#include <string>

#include "pgshape/column_order.hpp"
#include "profile_problems.hpp"

namespace pgshape {
namespace {

ColumnOrder parsed(const std::string& expr) {
  std::string why;
  auto order = parse_column_order(expr, &why);
  EXPECT_TRUE(order.has_value()) << expr << ": " << why;
  return order.value_or(ColumnOrder{});
}

std::string refused(const std::string& expr) {
  std::string why;
  EXPECT_FALSE(parse_column_order(expr, &why).has_value()) << expr;
  return why;
}

TEST(ColumnOrder, ReadsTheFormsPostgresPrints) {
  ColumnOrder o = parsed("(ends_at > starts_at)");
  EXPECT_EQ(o.high, "ends_at");
  EXPECT_EQ(o.low, "starts_at");
  EXPECT_TRUE(o.strict);
  o = parsed("(min_qty <= max_qty)");
  EXPECT_EQ(o.high, "max_qty");
  EXPECT_EQ(o.low, "min_qty");
  EXPECT_FALSE(o.strict);
  o = parsed("(ends_at >= (starts_at + '00:15:00'::interval))");
  EXPECT_TRUE(o.interval);
  EXPECT_EQ(o.micros, 15 * 60 * 1000000LL);
  EXPECT_FALSE(o.interval_days);
  o = parsed("((ends_at IS NULL) OR (ends_at > starts_at))");
  EXPECT_EQ(o.guards, std::vector<std::string>{"ends_at"});
  o = parsed(
      "((shipped_on)::timestamp without time zone >= (ordered_on + '1 day 02:00:00'::interval))");
  EXPECT_EQ(o.high, "shipped_on");
  EXPECT_EQ(o.micros, (26 * 3600) * 1000000LL);
  EXPECT_TRUE(o.interval_days);
  o = parsed("(discount <= (price - (1)::numeric))");
  EXPECT_EQ(o.high, "price");
  EXPECT_EQ(o.low, "discount");
  EXPECT_DOUBLE_EQ(o.number, 1);  // discount + 1 <= price
  o = parsed("((\"End\" - 5) > \"Start\")");
  EXPECT_EQ(o.high, "End");
  EXPECT_DOUBLE_EQ(o.number, 5);
  o = parsed("(b > (a + '-00:05:00'::interval))");
  EXPECT_EQ(o.micros, -5 * 60 * 1000000LL);
}

TEST(ColumnOrder, ReadsWhatPeopleWrite) {
  ColumnOrder o = parsed("ends_at IS NULL OR ends_at >= starts_at + '2 hours 30 mins'::interval");
  EXPECT_EQ(o.micros, 150 * 60 * 1000000LL);
  o = parsed("a < b + 0.5");
  EXPECT_EQ(o.high, "b");
  EXPECT_DOUBLE_EQ(o.number, -0.5);  // b >= a - 0.5
  o = parsed("starts_on + 7 < ends_on");
  EXPECT_EQ(o.high, "ends_on");
  EXPECT_DOUBLE_EQ(o.number, 7);
}

TEST(ColumnOrder, RefusesWhatRedrawingOneColumnCannotKeep) {
  EXPECT_NE(refused("(a = b)").find("'='"), std::string::npos);
  EXPECT_NE(refused("(a <> b)").find("'<>'"), std::string::npos);
  EXPECT_NE(refused("((a > b) AND (b > c))").find("'and'"), std::string::npos);
  EXPECT_NE(refused("(a > (b * 2))").find("'*'"), std::string::npos);
  EXPECT_NE(refused("(a > (b + c))").find("one column"), std::string::npos);
  EXPECT_NE(refused("(a > (0 - b))").find("subtracted"), std::string::npos);
  EXPECT_NE(refused("(ends > (starts + '1 mon'::interval))").find("months"), std::string::npos);
  EXPECT_NE(refused("(lower(a) > b)").find("function"), std::string::npos);
  EXPECT_NE(refused("(a > 0)").find("two different columns"), std::string::npos);
  EXPECT_NE(refused("((c IS NULL) OR (a > b))").find("neither"), std::string::npos);
  EXPECT_NE(refused("((a IS NOT NULL) OR (a > b))").find("IS NULL"), std::string::npos);
  EXPECT_NE(refused("(((a)::text) > b)").find("cast"), std::string::npos);
}

constexpr const char* kHead = R"yaml(name: o
scales: {production: 100}
tables:
  t:
    rows: 100
    columns:
      id: {type: bigint, primary_key: true, dist: sequence}
      a: {type: integer, dist: uniform, min: 1, max: 9}
      b: {type: integer, dist: uniform, min: 1, max: 9}
      s: {type: timestamptz, dist: uniform, min: "2024-01-01", max: "2024-02-01"}
      d: {type: date, dist: uniform, min: "2024-01-01", max: "2024-02-01"}
      seq: {type: bigint, dist: sequence}
    checks:
)yaml";

std::vector<Diagnostic> with_check(const std::string& check) {
  return testing::problems(std::string(kHead) + "      - \"" + check + "\"\n");
}

TEST(ColumnOrderValidation, KeepsOrdersAndRefusesTheRestAtTheCheck) {
  EXPECT_TRUE(with_check("(a <= b)").empty());
  EXPECT_TRUE(with_check("b IS NULL OR b > a + 2").empty());
  EXPECT_TRUE(with_check("(a > 0)").empty());  // one column: as before
  auto p = with_check("(a = b)");
  ASSERT_EQ(p.size(), 1u);
  EXPECT_EQ(p[0].code, "profile.bad-check");
  EXPECT_EQ(p[0].line, 14);
  EXPECT_GT(p[0].column, 0);
  EXPECT_TRUE(testing::has(p, "check '(a = b)' of 't' reads a, b"));
  EXPECT_TRUE(testing::has(with_check("(a > (s + '1 day'::interval))"), "different kinds"));
  EXPECT_TRUE(testing::has(with_check("(seq > id)"), "neither column can be redrawn"));
  EXPECT_TRUE(testing::has(with_check("(a > b + '00:01:00'::interval)"), "not an interval"));
  EXPECT_TRUE(testing::has(with_check("(a + b > id)"), "one column"));
}

}  // namespace
}  // namespace pgshape
