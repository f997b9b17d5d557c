#include <gtest/gtest.h>
#include <unistd.h>

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>

#include "pg/process.hpp"
#include "test_server.hpp"

namespace pgshape::pg {
namespace {

using pgshape::testing::read_all;

std::string temp_path() {
  std::string p = (std::filesystem::temp_directory_path() / "pgshape-process-XXXXXX").string();
  int fd = ::mkstemp(p.data());
  ::close(fd);
  return p;
}

TEST(RunProcess, CapturesOutputAndExitStatus) {
  std::string out = temp_path();
  ProcessSpec spec;
  spec.argv = {"echo", "hello world"};
  spec.stdout_path = out;
  EXPECT_EQ(run_process(spec), 0);
  EXPECT_EQ(read_all(out), "hello world\n");
  std::filesystem::remove(out);

  ProcessSpec failing;
  failing.argv = {"false"};
  EXPECT_EQ(run_process(failing), 1);
}

TEST(RunProcess, MissingProgramIs127) {
  ProcessSpec spec;
  spec.argv = {"/nonexistent/program"};
  EXPECT_EQ(run_process(spec), 127);
}

TEST(RunProcess, EnvironmentOverridesAndUnsets) {
  ::setenv("PGSHAPE_PROCESS_TEST_DROP", "x", 1);
  std::string out = temp_path();
  ProcessSpec spec;
  spec.argv = {"env"};
  spec.stdout_path = out;
  spec.env = {{"PGSHAPE_PROCESS_TEST_ADD", "added"}, {"PGSHAPE_PROCESS_TEST_DROP", ""}};
  ASSERT_EQ(run_process(spec), 0);
  std::string env = read_all(out);
  EXPECT_NE(env.find("PGSHAPE_PROCESS_TEST_ADD=added\n"), std::string::npos);
  EXPECT_EQ(env.find("PGSHAPE_PROCESS_TEST_DROP"), std::string::npos);
  std::filesystem::remove(out);
  ::unsetenv("PGSHAPE_PROCESS_TEST_DROP");
}

TEST(CaptureStdout, ReturnsOutputOrNothingOnFailure) {
  EXPECT_EQ(capture_stdout({"echo", "-n", "abc"}).value_or("?"), "abc");
  EXPECT_FALSE(capture_stdout({"false"}).has_value());
  EXPECT_FALSE(capture_stdout({"/nonexistent/program"}).has_value());
}

TEST(TailOfFile, KeepsTheLastLines) {
  std::string path = temp_path();
  {
    std::ofstream f(path);
    for (int i = 1; i <= 30; ++i) f << "line " << i << "\n";
  }
  EXPECT_EQ(tail_of_file(path, 3), "line 28\nline 29\nline 30");
  EXPECT_EQ(tail_of_file(path, 100).substr(0, 7), "line 1\n");
  EXPECT_EQ(tail_of_file("/nonexistent/file"), "");
  std::filesystem::remove(path);
}

}  // namespace
}  // namespace pgshape::pg
