// array_literal: the '{...}' text exact statistics hand to pg_restore_attribute_stats.
// The server-side round trip (what PostgreSQL parses back) is in
// tests/integration/stats/exact_stats_test.cpp; here, the exact text.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "pgshape/pg.hpp"

namespace pgshape {
namespace {

TEST(ArrayLiteral, EmptyListIsEmptyBraces) {
  EXPECT_EQ(array_literal({}), "{}");
}

TEST(ArrayLiteral, EveryElementIsQuoted) {
  EXPECT_EQ(array_literal({"1", "2.5", "-3"}), R"({"1","2.5","-3"})");
}

TEST(ArrayLiteral, CommasBracesAndSpacesStayInsideTheElement) {
  EXPECT_EQ(array_literal({"a,b", "{x}", " padded "}), R"({"a,b","{x}"," padded "})");
}

TEST(ArrayLiteral, QuotesAndBackslashesAreEscaped) {
  EXPECT_EQ(array_literal({R"(say "hi")", R"(C:\dir\)", R"(\")"}),
            R"({"say \"hi\"","C:\\dir\\","\\\""})");
}

TEST(ArrayLiteral, TheWordNullAndTheEmptyStringAreValues) {
  // Unquoted, NULL would be a null element and "" a syntax error.
  EXPECT_EQ(array_literal({"NULL", "", "null"}), R"({"NULL","","null"})");
}

TEST(ArrayLiteral, NestedArrayTextIsOneElement) {
  // An MCV of an int[] column prints as "{1,2}": it must stay one element.
  EXPECT_EQ(array_literal({"{1,2}", "{}"}), R"({"{1,2}","{}"})");
}

TEST(ArrayLiteral, MultibyteTextIsKeptByteForByte) {
  EXPECT_EQ(array_literal({"Zürich", "東京"}), R"({"Zürich","東京"})");
}

}  // namespace
}  // namespace pgshape
