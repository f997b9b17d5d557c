// "did you mean": a swap of two adjacent letters is one typo, not two.
#include <gtest/gtest.h>

#include "pgshape/util.hpp"

namespace pgshape {
namespace {

TEST(ClosestMatch, AdjacentSwapsCountAsOneEdit) {
  EXPECT_EQ(closest_match("hepl", {"help", "load", "validate"}), "help");
  EXPECT_EQ(closest_match("dsit", {"dist", "type", "ref", "rows"}), "dist");
  EXPECT_EQ(closest_match("--verison", {"--help", "--version"}), "--version");
  EXPECT_EQ(closest_match("lod", {"load", "validate"}), "load");
}

TEST(ClosestMatch, FarWordsHaveNoSuggestion) {
  EXPECT_EQ(closest_match("xyz", {"help", "load"}), "");
  EXPECT_EQ(closest_match("", {"help"}), "");
}

TEST(Plural, CountsAndNouns) {
  EXPECT_EQ(plural(1, "run"), "1 run");
  EXPECT_EQ(plural(0, "run"), "0 runs");
  EXPECT_EQ(plural(2, "query", "queries"), "2 queries");
  EXPECT_EQ(plural(1, "query", "queries"), "1 query");
}

}  // namespace
}  // namespace pgshape
