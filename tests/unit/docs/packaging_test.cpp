// What the packaging promises a user, checked in the files that make it: the
// image the examples name is the one the Dockerfile builds, the compose server
// is reachable from this machine only, and `scripts/run.sh` installs only
// what running needs, never the `postgresql` metapackage (issue #17).
#include <gtest/gtest.h>
#include <yaml-cpp/yaml.h>

#include <fstream>
#include <regex>
#include <set>
#include <sstream>

#include "test_server.hpp"

namespace pgshape {
namespace {

const std::string kRoot = PGSHAPE_SOURCE_DIR;
const std::string kImage = std::string("pgshape:") + PGSHAPE_VERSION;

std::string read(const std::string& relative) {
  std::ifstream in(kRoot + "/" + relative);
  EXPECT_TRUE(in) << relative;
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

// The words of a bash array in scripts/setup.sh, as bash itself reads them.
std::set<std::string> setup_array(const std::string& name) {
  const testing::CommandResult r = testing::run_command(
      {"bash", "-c", "source scripts/setup.sh && printf '%s\\n' \"${" + name + "[@]}\""}, kRoot);
  EXPECT_EQ(r.exit_code, 0) << r.err;
  std::set<std::string> words;
  std::istringstream lines(r.out);
  for (std::string line; std::getline(lines, line);) words.insert(line);
  return words;
}

TEST(Packaging, EveryPgshapeImageTheExamplesNameIsTheOneTheDockerfileBuilds) {
  const std::string dockerfile = read("Dockerfile");
  EXPECT_NE(dockerfile.find("docker build -t " + kImage + " ."), std::string::npos);
  const std::regex image(R"(image:\s*"?([^\s"#]+))");
  int named = 0;
  for (const char* file :
       {"docker-compose.yml", "examples/scheduling/cronjob.yaml", "docs/scale-out.md"}) {
    const std::string text = read(file);
    for (std::sregex_iterator m(text.begin(), text.end(), image), end; m != end; ++m) {
      const std::string name = (*m)[1];
      if (name.find("pgshape") == std::string::npos) continue;
      ++named;
      EXPECT_EQ(name, kImage) << file;
    }
  }
  EXPECT_EQ(named, 3) << "compose, the CronJob and the scale-out Job each name the image";
}

TEST(Packaging, TheImageRunsPgshapeAsANonRootUserOnDebian12) {
  const std::string dockerfile = read("Dockerfile");
  EXPECT_NE(dockerfile.find("\nFROM debian:12\n"), std::string::npos);
  EXPECT_NE(dockerfile.find("ENTRYPOINT [\"pgshape\"]"), std::string::npos);
  std::smatch user;
  ASSERT_TRUE(std::regex_search(dockerfile, user, std::regex(R"(\nUSER (\d+):(\d+)\n)")));
  EXPECT_NE(user[1], "0");
  EXPECT_NE(dockerfile.find("postgresql-15 "), std::string::npos) << "the embedded mode";
}

TEST(Packaging, ComposePublishesPostgresqlOnLoopbackOnly) {
  const YAML::Node compose = YAML::LoadFile(kRoot + "/docker-compose.yml");
  int ports = 0;
  for (const auto& service : compose["services"]) {
    for (const auto& port : service.second["ports"]) {
      ++ports;
      EXPECT_EQ(port.as<std::string>().rfind("127.0.0.1:", 0), 0u) << port.as<std::string>();
    }
  }
  EXPECT_EQ(ports, 1);
}

TEST(Packaging, RunInstallsOnlyWhatRunningNeedsAndNeverTheClusterMetapackage) {
  const std::set<std::string> run = setup_array("RUN_PACKAGES");
  const std::set<std::string> test = setup_array("TEST_PACKAGES");
  for (const char* needed : {"postgresql-15", "libpqxx-dev", "cmake"})
    EXPECT_TRUE(run.count(needed)) << needed;
  for (const char* test_only : {"googletest", "libgtest-dev", "clang", "zsh", "man-db"}) {
    EXPECT_FALSE(run.count(test_only)) << test_only;
    EXPECT_TRUE(test.count(test_only)) << test_only;
  }
  EXPECT_FALSE(run.count("postgresql") || test.count("postgresql"))
      << "the metapackage creates and starts a cluster on 5432";
  const std::string run_sh = read("scripts/run.sh");
  EXPECT_NE(run_sh.find("scripts/setup.sh --run"), std::string::npos);
}

}  // namespace
}  // namespace pgshape
