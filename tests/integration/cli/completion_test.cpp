// Shell completion and the man page are generated from the option table; these
// run them in the real programs — bash's completion function, zsh's completion
// system in a pseudo-terminal, man and groff — not just read them.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>

#include "test_server.hpp"

namespace pgshape {
namespace {

namespace fs = std::filesystem;
using testing::CommandResult;

class Generated : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() / testing::unique_name("cli_completion");
    fs::create_directories(dir_);
  }
  void TearDown() override { fs::remove_all(dir_); }
  fs::path write(const std::vector<std::string>& args, const std::string& name) {
    const CommandResult r = testing::run_pgshape(args);
    EXPECT_EQ(r.exit_code, 0) << r.err;
    std::ofstream(dir_ / name) << r.out;
    return dir_ / name;
  }
  fs::path dir_;
};

// What bash's completion function offers for `line` (its last word is completed).
std::string bash_complete(const fs::path& script, const std::string& line) {
  const std::string program = "source '" + script.string() +
                              "'; read -ra COMP_WORDS <<<\"$LINE\"; "
                              "[[ \"$LINE\" == *' ' ]] && COMP_WORDS+=(''); "
                              "COMP_CWORD=$((${#COMP_WORDS[@]} - 1)); _pgshape; "
                              "printf '%s\\n' \"${COMPREPLY[@]}\"";
  const CommandResult r = testing::run_command({"bash", "-c", program}, "/", {{"LINE", line}});
  EXPECT_EQ(r.exit_code, 0) << r.err;
  return r.out;
}

TEST_F(Generated, BashCompletesCommandsFlagsAndChoices) {
  const fs::path script = write({"reference", "--completion", "bash"}, "pgshape.bash");
  EXPECT_EQ(bash_complete(script, "pgshape lo"), "load\n");
  EXPECT_EQ(bash_complete(script, "pgshape help wor"), "workload\n");
  EXPECT_EQ(bash_complete(script, "pgshape load x --copy-format "), "binary\ntext\n");
  EXPECT_EQ(bash_complete(script, "pgshape compare a b --fail-on r"), "regression\n");
  const std::string compare = bash_complete(script, "pgshape compare a b --");
  EXPECT_NE(compare.find("--fail-on\n"), std::string::npos) << compare;
  EXPECT_EQ(compare.find("--dsn"), std::string::npos) << "compare takes no --dsn:\n" << compare;
  const std::string load = bash_complete(script, "pgshape load x --s");
  EXPECT_NE(load.find("--scale\n"), std::string::npos) << load;
  EXPECT_NE(load.find("--shard\n"), std::string::npos) << load;
  EXPECT_EQ(load.find("--source"), std::string::npos) << load;
}

// Drives zsh's own completion system (compinit + our _pgshape from $fpath) in a
// pseudo-terminal: types `line`, presses TAB, and returns what zsh echoed back.
std::string zsh_complete(const fs::path& dir, const std::string& line) {
  const std::string driver =
      "zmodload zsh/zpty\n"
      "zpty -b z zsh -f -i\n"
      "zpty -w z \"PS1='> '; fpath=(" +
      dir.string() +
      " \\$fpath); autoload -U compinit; compinit -u -D; pgshape() { :; }\"\n"
      "zpty -w z \"print -r -- RE''ADY\"\n"
      "zpty -r z line '*READY*'\n"
      "zpty -n -w z \"$LINE\"$'\\t'\n"
      "sleep 2\n"
      "out=''\n"
      "while zpty -r -t z chunk; do out+=$chunk; done\n"
      "print -r -- \"$out\"\n"
      "zpty -d z\n";
  std::ofstream(dir / "drive.zsh") << driver;
  const CommandResult r =
      testing::run_command({"zsh", "-f", (dir / "drive.zsh").string()}, "/", {{"LINE", line}});
  EXPECT_EQ(r.exit_code, 0) << r.err;
  return r.out;
}

TEST_F(Generated, ZshCompletesCommandsFlagsAndChoices) {
  write({"reference", "--completion", "zsh"}, "_pgshape");
  const CommandResult syntax =
      testing::run_command({"zsh", "-n", (dir_ / "_pgshape").string()}, "/");
  ASSERT_EQ(syntax.exit_code, 0) << syntax.err;
  EXPECT_NE(zsh_complete(dir_, "pgshape lo").find("pgshape lo\aad"), std::string::npos)
      << "TAB did not complete 'lo' to 'load'";
  EXPECT_NE(zsh_complete(dir_, "pgshape load x --copy-f").find("pgshape load x --copy-format"),
            std::string::npos);
  EXPECT_NE(zsh_complete(dir_, "pgshape load x --copy-format b")
                .find("pgshape load x --copy-format binary"),
            std::string::npos);
  // compare takes --fail-on and not --force: "--f" has one completion there.
  EXPECT_NE(zsh_complete(dir_, "pgshape compare x y --f").find("pgshape compare x y --fail-on"),
            std::string::npos);
}

TEST_F(Generated, ManPageRendersWithoutWarningsAndNamesEveryCommand) {
  const fs::path page = write({"reference", "--man"}, "pgshape.1");
  const CommandResult groff =
      testing::run_command({"groff", "-man", "-Tutf8", "-ww", "-z", page.string()}, "/");
  EXPECT_EQ(groff.exit_code, 0) << groff.err;
  EXPECT_EQ(groff.err, "") << "groff warnings";
  const CommandResult man = testing::run_command({"man", "-l", page.string()}, "/",
                                                 {{"MANPAGER", "cat"}, {"MANWIDTH", "80"}});
  ASSERT_EQ(man.exit_code, 0) << man.err;
  for (const char* text : {"pgshape load PROFILE", "--copy-format FORMAT", "EXIT STATUS",
                           "db.connect-failed", "pgshape compare DIR_A DIR_B"})
    EXPECT_NE(man.out.find(text), std::string::npos) << text;
}

}  // namespace
}  // namespace pgshape
