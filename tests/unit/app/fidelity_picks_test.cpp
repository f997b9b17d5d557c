// pick_from_stats: a profile query's picks resolved from one side's pg_stats row,
// as fidelity does on production (catalogs only, never its rows).
#include <gtest/gtest.h>

#include "pgshape/fidelity.hpp"

namespace pgshape {
namespace {

Pick pick(std::string_view text) {
  auto p = parse_pick(text);
  EXPECT_TRUE(p.has_value()) << text;
  return *p;
}

ColumnStats column() {
  ColumnStats c{.name = "category_id", .type = "integer"};
  c.has_stats = true;
  c.mcv = {"7", "3", "12"};
  c.mcf = {0.14, 0.07, 0.05};
  c.histogram = {"1", "100", "200", "300", "800"};
  return c;
}

using Values = std::vector<std::pair<std::string, std::string>>;

TEST(FidelityPicks, EachPickReadsTheStatisticsItNames) {
  const ColumnStats c = column();
  EXPECT_EQ(pick_from_stats(&c, pick("most_common"), 1), (Values{{"most_common", "7"}}));
  EXPECT_EQ(pick_from_stats(&c, pick("rank:2"), 1), (Values{{"rank:2", "3"}}));
  EXPECT_EQ(pick_from_stats(&c, pick("rank:3"), 1), (Values{{"rank:3", "12"}}));
  EXPECT_EQ(pick_from_stats(&c, pick("rare"), 1), (Values{{"rare", "200"}}));
  EXPECT_EQ(pick_from_stats(&c, pick("median"), 1), (Values{{"median", "200"}}));
  EXPECT_EQ(pick_from_stats(&c, pick("literal:42"), 1), (Values{{"literal:42", "42"}}));
}

TEST(FidelityPicks, WhatTheStatisticsLackResolvesToNothing) {
  const ColumnStats c = column();
  EXPECT_TRUE(pick_from_stats(&c, pick("rank:4"), 1).empty());
  EXPECT_TRUE(pick_from_stats(nullptr, pick("most_common"), 1).empty());
  ColumnStats unanalyzed = c;
  unanalyzed.has_stats = false;
  EXPECT_TRUE(pick_from_stats(&unanalyzed, pick("rare"), 1).empty());
  // A literal needs no statistics at all.
  EXPECT_EQ(pick_from_stats(nullptr, pick("literal:x"), 1).size(), 1u);
  // A unique column (no MCVs): most_common falls back to the first bound, rare to the middle.
  ColumnStats unique = c;
  unique.mcv.clear();
  unique.mcf.clear();
  EXPECT_EQ(pick_from_stats(&unique, pick("most_common"), 1), (Values{{"most_common", "1"}}));
  // Only MCVs (a small domain): rare is the least common of them.
  ColumnStats small = c;
  small.histogram.clear();
  EXPECT_EQ(pick_from_stats(&small, pick("rare"), 1), (Values{{"rare", "12"}}));
}

TEST(FidelityPicks, RandomIsDistinctValuesKeyedBySeed) {
  const ColumnStats c = column();
  const Values a = pick_from_stats(&c, pick("random:3"), 1);
  ASSERT_EQ(a.size(), 3u);
  EXPECT_EQ(a[0].first, "random:3#1");
  EXPECT_EQ(a[2].first, "random:3#3");
  EXPECT_NE(a[0].second, a[1].second);
  EXPECT_NE(a[1].second, a[2].second);
  EXPECT_NE(a[0].second, a[2].second);
  EXPECT_EQ(pick_from_stats(&c, pick("random:3"), 1), a);  // deterministic
  // 8 distinct values: asking for more gives each once.
  EXPECT_EQ(pick_from_stats(&c, pick("random:20"), 1).size(), 8u);
  // Some seed among a few orders them differently (8! orders: all equal is not chance).
  bool differs = false;
  for (uint64_t seed = 2; seed < 6; ++seed)
    differs = differs || pick_from_stats(&c, pick("random:3"), seed) != a;
  EXPECT_TRUE(differs);
}

}  // namespace
}  // namespace pgshape
