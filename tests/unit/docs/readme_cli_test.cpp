// README's command reference and error codes are generated from the option
// table and kErrorCodes (`pgshape reference --commands`, `--errors`); these keep
// them from drifting apart. Regenerate with scripts/update-readme.sh.
#include <gtest/gtest.h>

#include <fstream>
#include <sstream>

#include "pgshape/app.hpp"
#include "pgshape/error.hpp"

namespace pgshape {
namespace {

std::string readme_section(const std::string& marker) {
  std::ifstream in(std::string(PGSHAPE_SOURCE_DIR) + "/README.md");
  std::stringstream text;
  text << in.rdbuf();
  const std::string readme = text.str();
  const std::string begin = "<!-- " + marker + ":begin -->\n";
  const std::string end = "<!-- " + marker + ":end -->";
  const auto from = readme.find(begin);
  const auto to = readme.find(end);
  if (from == std::string::npos || to == std::string::npos || to < from) return "(no markers)";
  return readme.substr(from + begin.size(), to - from - begin.size());
}

TEST(ReadmeCommandReference, MatchesTheOptionTable) {
  EXPECT_EQ(readme_section("command-reference"), command_reference_markdown())
      << "regenerate it: scripts/update-readme.sh";
}

TEST(ReadmeCommandReference, NamesEveryCommandAndEveryFlag) {
  const std::string reference = command_reference_markdown();
  for (const auto& command : command_specs())
    EXPECT_NE(reference.find("#### `pgshape " + std::string(command.name)), std::string::npos)
        << command.name;
  for (const auto& spec : option_specs()) {
    if (spec.id == Opt::kHelp) continue;
    EXPECT_NE(reference.find(std::string(spec.long_name())), std::string::npos) << spec.names;
  }
}

TEST(ReadmeErrorCodes, MatchKErrorCodes) {
  EXPECT_EQ(readme_section("error-codes"), error_codes_markdown())
      << "regenerate it: scripts/update-readme.sh";
  for (const auto& info : kErrorCodes)
    EXPECT_NE(error_codes_markdown().find("| `" + std::string(info.code) + "` | " +
                                          std::to_string(static_cast<int>(info.exit)) + " |"),
              std::string::npos)
        << info.code;
}

}  // namespace
}  // namespace pgshape
