// `pgshape compare` on a plan file of 150,000 nested '[' exits 2 with a
// message naming the file, instead of dying of a stack overflow (SIGSEGV).
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <string>

#include "pgshape/plan.hpp"
#include "test_server.hpp"

namespace pgshape {
namespace {

namespace fs = std::filesystem;

TEST(DeepJsonCli, CompareRefusesAPlanNestedTooDeep) {
  const fs::path root = fs::temp_directory_path() / testing::unique_name("pgshape-deep-cli");
  PlanCapture c;
  c.query = "listing";
  c.pick = "most_common";
  c.scale = "test";
  c.experiment = "baseline";
  c.runs = 1;
  c.explain_json = testing::read_all(fs::path(PGSHAPE_SOURCE_DIR) /
                                     "tests/fixtures/plans/12k_category_idx_hot.json");
  summarize_plan(c);
  for (const char* side : {"a", "b"}) {
    CaptureSet set;
    set.captures.push_back(c);
    write_capture_dir((root / side).string(), set);
  }
  CaptureSet b = read_capture_dir((root / "b").string());
  std::ofstream(root / "b" / b.captures[0].plan_file, std::ios::trunc) << std::string(150000, '[');

  const testing::CommandResult r =
      testing::run_pgshape({"compare", (root / "a").string(), (root / "b").string()});
  EXPECT_EQ(r.exit_code, 2) << r.err;
  EXPECT_NE(r.err.find(b.captures[0].plan_file), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("nested deeper than"), std::string::npos) << r.err;
  fs::remove_all(root);
}

}  // namespace
}  // namespace pgshape
