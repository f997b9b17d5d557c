// Quota sampling of categorical columns (dist: weighted, enum labels): each
// value gets exactly its largest-remainder share of the table's rows, in an
// order that still looks random, and every row's value is the same whichever
// batch or slice of the table produces it.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <map>
#include <string>

#include "gen/quota.hpp"
#include "generated_profile.hpp"
#include "pgshape/gen.hpp"
#include "pgshape/profile.hpp"

namespace pgshape {
namespace {

std::string one_table(int64_t rows, const std::string& columns) {
  return "name: t\nscales: { s: " + std::to_string(rows) + " }\ntables:\n  t:\n    rows: 1x\n" +
         "    columns:\n" + columns;
}

std::map<std::string, int64_t> text_counts(const testing::GeneratedProfile& g, int64_t rows) {
  std::map<std::string, int64_t> counts;
  std::string scratch;
  for (int64_t row = 0; row < rows; ++row) {
    const Datum d = g.column("t", "c").value(static_cast<uint64_t>(row), scratch);
    counts[d.kind == Datum::Kind::kNull ? std::string("NULL") : std::string(d.text)] += 1;
  }
  return counts;
}

TEST(Quota, LargestRemainderGivesEveryRowOnce) {
  EXPECT_EQ(gen::largest_remainder({5, 60, 135}, 200), (std::vector<uint64_t>{5, 60, 135}));
  // 1/3 each of 10 rows: 3.33 each, the one left over to the first.
  EXPECT_EQ(gen::largest_remainder({1, 1, 1}, 10), (std::vector<uint64_t>{4, 3, 3}));
  // 0.6 / 0.25 / 0.15 of 7: 4.2, 1.75, 1.05 -> 4, 2, 1.
  EXPECT_EQ(gen::largest_remainder({0.6, 0.25, 0.15}, 7), (std::vector<uint64_t>{4, 2, 1}));
  EXPECT_EQ(gen::largest_remainder({0, 2, 0}, 9), (std::vector<uint64_t>{0, 9, 0}));
}

TEST(Quota, SmallTableGetsProductionsExactCounts) {
  const testing::GeneratedProfile g(
      one_table(200,
                "      c: { type: text, dist: weighted, values: { enterprise: 5, team: 60, free: "
                "135 } }\n"),
      20240601);
  const auto counts = text_counts(g, 200);
  EXPECT_EQ(counts,
            (std::map<std::string, int64_t>{{"enterprise", 5}, {"team", 60}, {"free", 135}}));
}

TEST(Quota, EnumLabelsAndNullsGetExactCounts) {
  // 1,000 rows, 12 % NULL: 120 NULLs, the 880 others split 1:3 -> 220 / 660.
  const testing::GeneratedProfile g(
      "name: t\nscales: { s: 1000 }\ntypes:\n  tier: { enum: [basic, pro] }\ntables:\n  t:\n"
      "    rows: 1x\n    columns:\n"
      "      c: { type: tier, nullable: true, null_fraction: 0.12, dist: weighted, values: { "
      "basic: 1, pro: 3 } }\n",
      7);
  const auto counts = text_counts(g, 1000);
  EXPECT_EQ(counts, (std::map<std::string, int64_t>{{"NULL", 120}, {"basic", 220}, {"pro", 660}}));
}

TEST(Quota, LargeTableSharesAndARandomLookingOrder) {
  const int64_t n = 200000;
  const testing::GeneratedProfile g(
      one_table(n,
                "      c: { type: text, dist: weighted, values: { a: 80, b: 10, c: 6, d: 3.5, e: "
                "0.5 } }\n"),
      20240601);
  const std::map<std::string, double> p = {
      {"a", 0.80}, {"b", 0.10}, {"c", 0.06}, {"d", 0.035}, {"e", 0.005}};
  const auto counts = text_counts(g, n);
  for (const auto& [v, share] : p) EXPECT_NEAR(counts.at(v), share * n, 1.0) << v;
  // Adjacent rows differ as often as independent draws would: n (1 - sum p^2),
  // within 4 sigma of that binomial-like count (a sorted order has 4 changes).
  double same = 0;
  for (const auto& [v, share] : p) same += share * share;
  std::string scratch, previous;
  int64_t changes = 0;
  for (int64_t row = 0; row < n; ++row) {
    const std::string value(g.column("t", "c").value(static_cast<uint64_t>(row), scratch).text);
    changes += row > 0 && value != previous;
    previous = value;
  }
  const double expected = (n - 1) * (1 - same);
  EXPECT_NEAR(static_cast<double>(changes), expected, 4 * std::sqrt(expected * same));
}

TEST(Quota, RowsHaveTheSameValueInEveryBatchAndSeedChangesTheOrder) {
  const std::string yaml =
      one_table(5000, "      c: { type: integer, dist: weighted, values: { 1: 1, 2: 2, 3: 7 } }\n");
  const testing::GeneratedProfile a(yaml, 11), b(yaml, 11), other(yaml, 12);
  const auto& column = a.column("t", "c");
  // A slice filled as a batch (a shard of the table) holds the rows' own values.
  ColumnVector out;
  const Selection slice = Selection::range(1234, 2000);
  const Batch batch(1);
  column.fill(slice, batch, out);
  std::string scratch;
  int differ = 0;
  for (uint64_t i = 0; i < 2000; ++i) {
    const uint64_t row = 1234 + i;
    ASSERT_EQ(out.ints()[i], b.column("t", "c").value(row, scratch).i) << row;
    differ += other.column("t", "c").value(row, scratch).i != out.ints()[i];
  }
  EXPECT_GT(differ, 500) << "another seed should place the values elsewhere";
}

}  // namespace
}  // namespace pgshape

namespace pgshape {
namespace {

// dist: pattern with n_distinct (a LIKE / regex CHECK's pattern standing for
// production's values): exactly that many distinct values, each about as often.
TEST(PatternDistinct, RowsShareExactlyNDistinctCodes) {
  for (const auto& [nd, expected] : std::vector<std::pair<std::string, size_t>>{
           {"300", 300}, {"-0.25", 2500}, {"20000", 10000}}) {
    const testing::GeneratedProfile g(
        one_table(10000,
                  "      c: { type: text, dist: pattern, pattern: \"INV-******\", "
                  "n_distinct: " +
                      nd + " }\n"),
        5);
    std::map<std::string, int64_t> counts;
    std::string scratch;
    for (uint64_t row = 0; row < 10000; ++row) {
      const std::string v(g.column("t", "c").value(row, scratch).text);
      ASSERT_EQ(v.rfind("INV-", 0), 0u) << v;
      counts[v] += 1;
    }
    EXPECT_EQ(counts.size(), expected) << nd;
    int64_t most = 0, least = 10000;
    for (const auto& [v, n] : counts) most = std::max(most, n), least = std::min(least, n);
    EXPECT_LE(most - least, 1) << nd;  // the rows split evenly among the codes
  }
}

}  // namespace
}  // namespace pgshape
