// JSON files pgshape reads (capture dirs, statistics snapshots) may be hostile:
// nesting deep enough to overflow the stack is refused as malformed (exit 2),
// never a crash.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <string>

#include "fixtures.hpp"
#include "pgshape/error.hpp"
#include "pgshape/plan.hpp"
#include "pgshape/stats.hpp"
#include "pgshape/util.hpp"
#include "test_server.hpp"

namespace pgshape {
namespace {

namespace fs = std::filesystem;

const std::string kDeep = std::string(150000, '[');

// A capture dir with one real plan, then `file` (relative) overwritten by `text`.
std::string capture_dir_with(const std::string& file, const std::string& text) {
  const fs::path dir = fs::temp_directory_path() / testing::unique_name("pgshape-deep");
  CaptureSet set;
  set.captures.push_back(testing::plan_fixture("12k_category_idx_hot", "test", 12000));
  write_capture_dir(dir.string(), set);
  const std::string target = file.empty() ? set.captures[0].plan_file : file;
  std::ofstream(dir / target, std::ios::binary | std::ios::trunc) << text;
  return dir.string();
}

void expect_malformed(const std::string& dir) {
  try {
    read_capture_dir(dir);
    ADD_FAILURE() << "read";
  } catch (const UsageError& e) {
    EXPECT_EQ(e.code(), "capture.malformed") << e.what();
    EXPECT_NE(std::string(e.what()).find("nested deeper than 1000 levels"), std::string::npos)
        << e.what();
  }
  fs::remove_all(dir);
}

TEST(DeepJson, PlanFileNestedTooDeepIsMalformed) {
  expect_malformed(capture_dir_with("", kDeep));
  // Deep objects too, and closed ones: the depth counts, not the balance.
  std::string objects;
  for (int i = 0; i < 5000; ++i) objects += "{\"Plans\": [";
  expect_malformed(capture_dir_with("", objects));
  expect_malformed(capture_dir_with("", std::string(2000, '[') + std::string(2000, ']')));
}

TEST(DeepJson, SummaryNestedTooDeepIsMalformed) {
  expect_malformed(capture_dir_with("summary.json", kDeep));
}

TEST(DeepJson, ExplainTextNestedTooDeepIsAnError) {
  EXPECT_THROW(parse_explain_json(kDeep), std::runtime_error);
  // Real plans are far below the bound.
  EXPECT_NO_THROW(parse_explain_json(testing::plan_fixture_text("12k_join_left")));
}

TEST(DeepJson, StatisticsSnapshotNestedTooDeepIsBad) {
  try {
    snapshot_from_json("{\"tables\": " + kDeep);
    ADD_FAILURE() << "parsed";
  } catch (const UsageError& e) {
    EXPECT_EQ(e.code(), "stats.bad-snapshot") << e.what();
  }
}

}  // namespace
}  // namespace pgshape
