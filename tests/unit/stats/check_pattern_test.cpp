// LIKE / regex CHECKs as dist: pattern: the forms a pattern can be proven inside
// are translated (and values written from the pattern match the check), the
// others are refused so the column keeps production's sampled values.
#include <gtest/gtest.h>

#include <regex>
#include <string>

#include "stats/check_pattern.hpp"

namespace pgshape {
namespace {

// Values a pattern writes: each placeholder as one of its characters, `pick`
// choosing which (first, last, middle of its alphabet).
std::string realise(const std::string& pattern, int pick) {
  static const std::string digits = "0123456789", letters = "ABCDEFGHIJKLMNOPQRSTUVWXYZ",
                           alnum = digits + letters;
  auto choose = [&](const std::string& set) {
    return set[pick == 0 ? 0 : pick == 1 ? set.size() - 1 : set.size() / 2];
  };
  std::string out;
  for (size_t i = 0; i < pattern.size(); ++i) {
    const char c = pattern[i];
    if (c == '\\' && i + 1 < pattern.size())
      out += pattern[++i];
    else
      out += c == '#' ? choose(digits) : c == '?' ? choose(letters) : c == '*' ? choose(alnum) : c;
  }
  return out;
}

// SQL LIKE (no escape clause; \ escapes), for checking realised values.
bool like(const std::string& s, const std::string& p, size_t i = 0, size_t j = 0) {
  if (j == p.size()) return i == s.size();
  if (p[j] == '%') return like(s, p, i, j + 1) || (i < s.size() && like(s, p, i + 1, j));
  if (i == s.size()) return false;
  if (p[j] == '\\' && j + 1 < p.size()) return s[i] == p[j + 1] && like(s, p, i + 1, j + 2);
  return (p[j] == '_' || p[j] == s[i]) && like(s, p, i + 1, j + 1);
}

TEST(CheckPattern, LikeFormsBecomePatternsWhoseValuesPass) {
  struct Case {
    std::string expr, like, pattern;
  };
  for (const Case& c : std::vector<Case>{
           {"(VALUE ~~ '%_@_%'::text)", "%_@_%", "*********@*"},
           {"(VALUE ~~ 'INV-%'::text)", "INV-%", "INV-********"},
           {"(VALUE ~~* '%.com'::text)", "%.com", "********.com"},
           {"(VALUE ~~ 'a#b_'::text)", "a#b_", "a\\#b*"},
           {"(VALUE ~~ 'it''s %'::text)", "it's %", "it's ********"},
       }) {
    const auto p = check_pattern(c.expr, "VALUE", 0);
    ASSERT_TRUE(p) << c.expr;
    EXPECT_EQ(*p, c.pattern) << c.expr;
    for (int pick = 0; pick < 3; ++pick)
      EXPECT_TRUE(like(realise(*p, pick), c.like)) << realise(*p, pick) << " vs " << c.like;
  }
  // A varchar(6): the free part shrinks to fit; no room at all is refused.
  EXPECT_EQ(check_pattern("((ref)::text ~~ 'INV-%'::text)", "ref", 6), "INV-**");
  EXPECT_FALSE(check_pattern("((ref)::text ~~ 'INVOICE-%'::text)", "ref", 6));
}

TEST(CheckPattern, RegexFormsBecomePatternsWhoseValuesMatch) {
  struct Case {
    std::string expr, regex, pattern;
  };
  for (const Case& c : std::vector<Case>{
           {"(code ~ '^[A-Z]{3}$'::text)", "^[A-Z]{3}$", "???"},
           {"(code ~ '^[A-Z]{3}-[0-9]{4}$'::text)", "^[A-Z]{3}-[0-9]{4}$",
            "???"
            "-####"},
           {"(code ~ '^SKU\\d+$'::text)", "^SKU\\d+$", "SKU#"},
           {"(code ~* '^[A-Z0-9]{2}\\.x$'::text)", "^[A-Z0-9]{2}\\.x$", "**.x"},
       }) {
    const auto p = check_pattern(c.expr, "code", 0);
    ASSERT_TRUE(p) << c.expr;
    EXPECT_EQ(*p, c.pattern) << c.expr;
    for (int pick = 0; pick < 3; ++pick)
      EXPECT_TRUE(std::regex_search(realise(*p, pick), std::regex(c.regex)))
          << realise(*p, pick) << " vs " << c.regex;
  }
}

TEST(CheckPattern, FormsNotProvenInsideAreRefused) {
  for (const char* expr : {
           "(code ~ '^[a-z]+$'::text)",      // lowercase: the pattern writes capitals
           "(code ~ '^(AB|CD)$'::text)",     // alternation
           "(code ~ '^A.B$'::text)",         // any character
           "(code ~ '^[A-Z]{2,4}$'::text)",  // a range of counts
           "(code !~ '^X'::text)",           // negated
           "(NOT (code ~~ 'X%'::text))",     // negated
           "((code ~~ 'A%'::text) AND (length(code) < 5))",  // more than the pattern
           "(other ~~ 'A%'::text)",                          // another column
       })
    EXPECT_FALSE(check_pattern(expr, "code", 0)) << expr;
  EXPECT_EQ(domain_pattern({"CHECK ((VALUE ~~ '%_@_%'::text))"}, 0), "*********@*");
  EXPECT_FALSE(domain_pattern({"CHECK ((VALUE ~~ '%_@_%'::text))", "CHECK ((VALUE ~~ 'a%'))"}, 0));
}

}  // namespace
}  // namespace pgshape
