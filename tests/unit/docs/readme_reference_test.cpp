// README's profile reference is generated from the parser's key table
// (`pgshape reference`); this keeps the two from drifting apart.
#include <gtest/gtest.h>

#include <fstream>
#include <sstream>

#include "pgshape/profile.hpp"

namespace pgshape {
namespace {

TEST(ReadmeReference, MatchesTheKeyTableTheParserUses) {
  std::ifstream in(std::string(PGSHAPE_SOURCE_DIR) + "/README.md");
  ASSERT_TRUE(in) << "README.md not found";
  std::stringstream text;
  text << in.rdbuf();
  const std::string readme = text.str();
  const std::string begin = "<!-- profile-reference:begin -->\n";
  const std::string end = "<!-- profile-reference:end -->";
  const auto from = readme.find(begin);
  const auto to = readme.find(end);
  ASSERT_NE(from, std::string::npos) << "README.md lacks the profile-reference markers";
  ASSERT_NE(to, std::string::npos);
  const std::string section = readme.substr(from + begin.size(), to - from - begin.size());
  EXPECT_EQ(section, profile_reference_markdown())
      << "regenerate it: ./build/pgshape reference, and paste between the markers";
}

TEST(ReadmeReference, NamesEveryDistribution) {
  const std::string reference = profile_reference_markdown();
  for (const char* dist :
       {"sequence", "uniform", "normal", "lognormal", "zipf", "hotset", "weighted", "bernoulli",
        "timeline", "words", "pattern", "uuid", "copy", "empirical"})
    EXPECT_NE(reference.find(std::string("| `") + dist + "` |"), std::string::npos) << dist;
}

}  // namespace
}  // namespace pgshape
