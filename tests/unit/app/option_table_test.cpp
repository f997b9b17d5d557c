// The option table is the truth about pgshape's command line: every flag once,
// help in one style, defaults that agree with the options structs, and no flag
// registered or read anywhere else.
#include <gtest/gtest.h>

#include <cctype>
#include <filesystem>
#include <fstream>
#include <map>
#include <regex>
#include <set>
#include <sstream>

#include "pgshape/app.hpp"

namespace pgshape {
namespace {

namespace fs = std::filesystem;

std::string read_source(const fs::path& path) {
  std::ifstream in(path);
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

// "--scale" -> kScale as the sources spell it: "Opt::kScale".
std::string opt_name(const OptionSpec& spec) {
  std::string word(spec.positional() ? spec.names : spec.long_name().substr(2));
  std::string name = "Opt::k";
  bool upper = true;
  for (char c : word) {
    if (c == '-' || c == '_') {
      upper = true;
      continue;
    }
    name += upper ? static_cast<char>(std::toupper(static_cast<unsigned char>(c)))
                  : static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    upper = false;
  }
  return name;
}

TEST(OptionTable, EveryOptHasExactlyOneRow) {
  std::set<Opt> seen;
  for (const auto& spec : option_specs()) EXPECT_TRUE(seen.insert(spec.id).second) << spec.names;
  for (int i = 0; i <= static_cast<int>(Opt::kMinFidelity); ++i)
    EXPECT_TRUE(seen.count(static_cast<Opt>(i))) << "Opt " << i << " has no row";
}

TEST(OptionTable, EveryFlagNameIsDeclaredOnce) {
  std::map<std::string, std::string_view> owner;
  for (const auto& spec : option_specs()) {
    std::vector<std::string> names = split_list(spec.names);
    for (auto& alias : split_list(spec.aliases)) names.push_back(alias);
    for (const auto& name : names)
      EXPECT_TRUE(owner.emplace(name, spec.names).second)
          << name << " is declared by " << owner[name] << " and " << spec.names;
  }
}

TEST(OptionTable, EveryCommandHasOneRowAndTakesEachFlagOnce) {
  std::set<Cmd> commands;
  for (const auto& command : command_specs()) {
    EXPECT_TRUE(commands.insert(command.id).second) << command.name;
    std::set<Opt> uses;
    for (const auto& use : command.options)
      EXPECT_TRUE(uses.insert(use.id).second)
          << command.name << " lists " << option_spec(use.id).names << " twice";
    EXPECT_TRUE(uses.count(Opt::kHelp)) << command.name << " has no --help";
  }
  EXPECT_EQ(commands.size(), static_cast<size_t>(Cmd::kFidelity) + 1);
}

// One style: lowercase (acronyms and SQL may stay upper case), no trailing period.
void expect_style(std::string_view text, const std::string& what) {
  ASSERT_FALSE(text.empty()) << what;
  EXPECT_NE(text.back(), '.') << what << ": '" << text << "'";
  const bool capitalised = std::isupper(static_cast<unsigned char>(text[0])) && text.size() > 1 &&
                           std::islower(static_cast<unsigned char>(text[1]));
  EXPECT_FALSE(capitalised) << what << ": '" << text << "'";
}

TEST(OptionTable, HelpIsLowercaseWithoutATrailingPeriod) {
  for (const auto& spec : option_specs()) expect_style(spec.help, std::string(spec.names));
  for (const auto& command : command_specs()) {
    expect_style(command.summary, std::string(command.name));
    for (const auto& use : command.options)
      if (!use.help.empty())
        expect_style(use.help,
                     std::string(command.name) + " " + std::string(option_spec(use.id).names));
  }
}

std::string default_of(Cmd command, Opt option) {
  const CommandSpec& c = command_spec(command);
  const OptionUse* use = find_use(c, option);
  return use ? std::string(resolve(c, *use).default_text) : "(not taken)";
}

TEST(OptionTable, DefaultsSaidInHelpAreTheStructsDefaults) {
  EXPECT_EQ(default_of(Cmd::kLoad, Opt::kJobs), std::to_string(LoadOptions{}.jobs));
  EXPECT_EQ(default_of(Cmd::kExplain, Opt::kJobs), std::to_string(ExplainCommand{}.jobs));
  EXPECT_EQ(default_of(Cmd::kRefresh, Opt::kJobs), std::to_string(RefreshCommand{}.jobs));
  EXPECT_EQ(default_of(Cmd::kExplain, Opt::kRuns), std::to_string(ExplainCommand{}.runs));
  EXPECT_EQ(default_of(Cmd::kRefresh, Opt::kRuns), std::to_string(RefreshCommand{}.runs));
  EXPECT_EQ(default_of(Cmd::kParams, Opt::kCount), std::to_string(ParamsCommand{}.count));
  EXPECT_EQ(default_of(Cmd::kWorkload, Opt::kCount), std::to_string(WorkloadCommand{}.count));
  EXPECT_EQ(default_of(Cmd::kStats, Opt::kSeed), std::to_string(StatsCommand{}.seed));
  EXPECT_EQ(std::stod(default_of(Cmd::kStats, Opt::kTestFraction)), StatsCommand{}.test_fraction);
  EXPECT_EQ(default_of(Cmd::kStats, Opt::kSourceSchema), StatsOptions{}.schema);
  EXPECT_EQ(default_of(Cmd::kRefresh, Opt::kSourceSchema), RefreshCommand{}.source_schema);
  EXPECT_EQ(default_of(Cmd::kRefresh, Opt::kScale), RefreshCommand{}.scale);
  EXPECT_EQ(default_of(Cmd::kLoad, Opt::kCopyFormat) == "binary", LoadOptions{}.binary_copy);
}

bool takes(Cmd command, Opt option) {
  return find_use(command_spec(command), option) != nullptr;
}

TEST(OptionTable, CommandsOfferOnlyFlagsTheyUse) {
  // The issue's examples: compare and generate need no database.
  for (Opt o : {Opt::kDsn, Opt::kKeep, Opt::kJobs, Opt::kSeed, Opt::kSchema})
    EXPECT_FALSE(takes(Cmd::kCompare, o)) << option_spec(o).names;
  for (Opt o : {Opt::kDsn, Opt::kKeep, Opt::kSchema}) EXPECT_FALSE(takes(Cmd::kGenerate, o));
  // A target schema is never the source: stats reads --source-schema only.
  EXPECT_FALSE(takes(Cmd::kStats, Opt::kSchema));
  EXPECT_TRUE(takes(Cmd::kStats, Opt::kSourceSchema));
  // refresh never loads into an embedded server, so there is nothing to --keep.
  EXPECT_FALSE(takes(Cmd::kRefresh, Opt::kKeep));
}

// Each command's file reads every flag its row lists, and no other: a flag the
// table offers that the command ignores would be a lie in --help.
TEST(OptionTable, EachCommandFileReadsExactlyTheFlagsItsRowLists) {
  const fs::path cli = fs::path(PGSHAPE_SOURCE_DIR) / "src/cli";
  std::map<std::string, std::string> by_name;
  for (const auto& spec : option_specs()) by_name[opt_name(spec)] = std::string(spec.names);
  for (const auto& command : command_specs()) {
    const std::string source = read_source(cli / ("cmd_" + std::string(command.name) + ".cpp"));
    ASSERT_FALSE(source.empty()) << command.name;
    std::set<std::string> listed;
    for (const auto& use : command.options) {
      const OptionSpec& spec = option_spec(use.id);
      listed.insert(opt_name(spec));
      if (use.id == Opt::kHelp) continue;  // main answers --help from the table
      std::string reads = opt_name(spec);
      if (use.id == Opt::kQuiet || use.id == Opt::kVerbose) reads = "verbosity()";
      if (use.id == Opt::kSeed) reads = "seed()";
      EXPECT_NE(source.find(reads), std::string::npos)
          << "cmd_" << command.name << ".cpp never reads " << spec.names;
    }
    const std::regex mention(R"(Opt::k[A-Za-z]+)");
    for (auto it = std::sregex_iterator(source.begin(), source.end(), mention);
         it != std::sregex_iterator(); ++it)
      EXPECT_TRUE(listed.count(it->str()))
          << "cmd_" << command.name << ".cpp reads " << it->str() << ", which its row lacks";
  }
}

TEST(OptionTable, NoFlagIsRegisteredOutsideTheTable) {
  const fs::path cli = fs::path(PGSHAPE_SOURCE_DIR) / "src/cli";
  for (const auto& entry : fs::directory_iterator(cli)) {
    if (entry.path().filename() == "args.cpp") continue;  // registers the table's rows
    const std::string source = read_source(entry.path());
    for (const char* call : {"add_option", "add_flag", "add_subcommand", "set_version_flag"})
      EXPECT_EQ(source.find(call), std::string::npos)
          << entry.path().filename() << " calls " << call << ": declare the flag in the table";
  }
}

TEST(SplitList, DropsEmptyItemsAndKeepsOrder) {
  EXPECT_EQ(split_list("a,b,,c,"), (std::vector<std::string>{"a", "b", "c"}));
  EXPECT_EQ(split_list(""), std::vector<std::string>{});
  EXPECT_EQ(split_list("only"), std::vector<std::string>{"only"});
}

// The names a help text lists: lines "  -t, --table NAME   help..." give -t and --table.
std::set<std::string> listed_names(const std::string& help) {
  std::set<std::string> names;
  std::istringstream lines(help);
  const std::regex entry(R"(^  (\S.*?)(  .*)?$)");
  for (std::string line; std::getline(lines, line);) {
    std::smatch m;
    if (!std::regex_match(line, m, entry)) continue;
    std::istringstream words(m[1].str());
    for (std::string word; words >> word;) {
      if (!word.empty() && word.back() == ',') word.pop_back();
      if (word.front() == '-' || std::isupper(static_cast<unsigned char>(word.front())))
        names.insert(word);
    }
  }
  return names;
}

TEST(CommandHelp, ListsEveryFlagOfTheCommandAndNoOther) {
  for (const auto& command : command_specs()) {
    const std::set<std::string> listed = listed_names(command_help(command));
    for (const auto& spec : option_specs()) {
      const bool taken = find_use(command, spec.id) != nullptr;
      for (const auto& name : split_list(spec.names))
        EXPECT_EQ(listed.count(name) == 1, taken) << command.name << " --help and " << name;
      for (const auto& alias : split_list(spec.aliases))
        EXPECT_FALSE(listed.count(alias)) << command.name << " --help lists the old " << alias;
    }
  }
}

}  // namespace
}  // namespace pgshape
