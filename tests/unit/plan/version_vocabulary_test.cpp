// Plans of the same shop queries on the same rows (profile seed), captured on
// PostgreSQL 15.20 and 18.4 (tests/fixtures/plans/versions/): 18 adds EXPLAIN
// fields 15 does not have ("Disabled", "Index Searches"), and none of them may
// count as a change of shape or index when the two captures are compared.
#include <gtest/gtest.h>

#include <filesystem>
#include <nlohmann/json.hpp>
#include <set>
#include <string>

#include "fixtures.hpp"
#include "pgshape/plan.hpp"

namespace pgshape {
namespace {

namespace fs = std::filesystem;

const fs::path kDir = fs::path(PGSHAPE_SOURCE_DIR) / "tests/fixtures/plans/versions";

std::vector<std::string> fixture_names() {
  std::vector<std::string> names;
  for (const auto& entry : fs::directory_iterator(kDir / "pg15"))
    names.push_back(entry.path().stem().string());
  std::sort(names.begin(), names.end());
  return names;
}

void collect_keys(const nlohmann::json& node, std::set<std::string>& keys) {
  for (const auto& [key, value] : node.items()) {
    if (key == "Plans") {
      for (const auto& child : value) collect_keys(child, keys);
    } else {
      keys.insert(key);
    }
  }
}

std::set<std::string> plan_keys(const std::string& version, const std::string& name) {
  std::set<std::string> keys;
  collect_keys(nlohmann::json::parse(testing::plan_fixture_text("versions/" + version + "/" + name))
                   .at(0)
                   .at("Plan"),
               keys);
  return keys;
}

PlanCapture capture(const std::string& version, const std::string& name) {
  PlanCapture c = testing::plan_fixture("versions/" + version + "/" + name, "test", 12000);
  c.query = name;  // pairs the two versions' captures of one query
  return c;
}

TEST(VersionVocabulary, TheFixturesReallyDifferInVocabulary) {
  ASSERT_GE(fixture_names().size(), 5u);
  std::set<std::string> only_18;
  for (const auto& name : fixture_names()) {
    std::set<std::string> k15 = plan_keys("pg15", name), k18 = plan_keys("pg18", name);
    for (const auto& k : k18)
      if (!k15.count(k)) only_18.insert(k);
  }
  EXPECT_TRUE(only_18.count("Disabled"));
  EXPECT_TRUE(only_18.count("Index Searches"));
}

TEST(VersionVocabulary, SamePlansOn15And18AreTheSameShape) {
  std::vector<PlanCapture> a, b;
  for (const auto& name : fixture_names()) {
    a.push_back(capture("pg15", name));
    b.push_back(capture("pg18", name));
    EXPECT_EQ(a.back().shape, b.back().shape) << name;
    EXPECT_EQ(a.back().indexes, b.back().indexes) << name;
  }
  const CompareResult result = compare_captures(a, b);
  ASSERT_EQ(result.pairs.size(), a.size());
  EXPECT_FALSE(result.has(ChangeKind::kShapeChange));
  EXPECT_FALSE(result.has(ChangeKind::kIndexChange));
  for (const auto& pair : result.pairs) EXPECT_FALSE(pair.shape_changed) << pair.shape_words;
}

TEST(VersionVocabulary, AChangedPlanAcrossVersionsIsStillReported) {
  // The same query without and with the listing index: a real change of shape,
  // whichever version each side ran on.
  std::vector<PlanCapture> a = {capture("pg15", "baseline_listing__rank_50")};
  std::vector<PlanCapture> b = {capture("pg18", "listing_index_listing__rank_50")};
  b.front().query = a.front().query;
  const CompareResult result = compare_captures(a, b);
  ASSERT_EQ(result.pairs.size(), 1u);
  EXPECT_TRUE(result.pairs.front().shape_changed);
  EXPECT_TRUE(result.has(ChangeKind::kIndexChange));
}

}  // namespace
}  // namespace pgshape
