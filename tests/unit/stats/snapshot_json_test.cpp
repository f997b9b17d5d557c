// The .stats.json snapshot keeps a table's extended statistics (pg_stats_ext):
// what --exact-stats and the drift report read back must be what was read.
#include <gtest/gtest.h>

#include "pgshape/error.hpp"
#include "pgshape/stats.hpp"

namespace pgshape {
namespace {

StatsSnapshot with_extended() {
  StatsSnapshot s{.database = "prod", .schema = "public", .server_version = "18.1"};
  TableStats t{.name = "addresses", .reltuples = 5000, .relpages = 40};
  t.columns.push_back(ColumnStats{.name = "city", .type = "text"});
  t.columns.push_back(ColumnStats{.name = "country", .type = "text"});
  ExtendedStats dep{.name = "addresses_city_country", .columns = {"city", "country"}};
  dep.kinds = {"ndistinct", "dependencies"};
  dep.dependencies.push_back({.from = {"city"}, .to = "country", .degree = 0.987});
  dep.dependencies.push_back({.from = {"country"}, .to = "city", .degree = 0.125});
  dep.ndistinct.push_back({.columns = {"city", "country"}, .n = 412});
  ExtendedStats mcv{.name = "addresses_mcv", .columns = {"country", "city"}, .expressions = true};
  mcv.kinds = {"mcv"};
  mcv.mcv.push_back({.values = {"FR", "Paris"}, .frequency = 0.25});
  mcv.mcv.push_back({.values = {"DE", std::nullopt}, .frequency = 0.0625});
  t.extended = {dep, mcv};
  s.tables.push_back(t);
  s.tables.push_back(TableStats{.name = "plain", .reltuples = 3});
  return s;
}

TEST(SnapshotJson, ExtendedStatisticsRoundTrip) {
  const StatsSnapshot before = with_extended();
  const StatsSnapshot after = snapshot_from_json(snapshot_to_json(before));
  ASSERT_EQ(after.tables.size(), 2u);
  const auto& ext = after.tables[0].extended;
  ASSERT_EQ(ext.size(), 2u);
  EXPECT_EQ(ext[0].name, "addresses_city_country");
  EXPECT_EQ(ext[0].columns, (std::vector<std::string>{"city", "country"}));
  EXPECT_FALSE(ext[0].expressions);
  EXPECT_EQ(ext[0].kinds, (std::vector<std::string>{"ndistinct", "dependencies"}));
  ASSERT_EQ(ext[0].dependencies.size(), 2u);
  EXPECT_EQ(ext[0].dependencies[0].from, std::vector<std::string>{"city"});
  EXPECT_EQ(ext[0].dependencies[0].to, "country");
  EXPECT_DOUBLE_EQ(ext[0].dependencies[0].degree, 0.987);
  EXPECT_DOUBLE_EQ(ext[0].dependencies[1].degree, 0.125);
  ASSERT_EQ(ext[0].ndistinct.size(), 1u);
  EXPECT_EQ(ext[0].ndistinct[0].columns, (std::vector<std::string>{"city", "country"}));
  EXPECT_DOUBLE_EQ(ext[0].ndistinct[0].n, 412);
  EXPECT_TRUE(ext[1].expressions);
  ASSERT_EQ(ext[1].mcv.size(), 2u);
  EXPECT_EQ(ext[1].mcv[0].values,
            (std::vector<std::optional<std::string>>{"FR", std::string("Paris")}));
  EXPECT_DOUBLE_EQ(ext[1].mcv[0].frequency, 0.25);
  // A NULL in a multivariate MCV item stays a NULL, not the text "null".
  ASSERT_EQ(ext[1].mcv[1].values.size(), 2u);
  EXPECT_EQ(ext[1].mcv[1].values[0], std::optional<std::string>("DE"));
  EXPECT_FALSE(ext[1].mcv[1].values[1].has_value());
  EXPECT_DOUBLE_EQ(ext[1].mcv[1].frequency, 0.0625);
  EXPECT_TRUE(after.tables[1].extended.empty());
  // Serialising what was read gives the same text: nothing lost either way.
  EXPECT_EQ(snapshot_to_json(after), snapshot_to_json(before));
}

TEST(SnapshotJson, OlderSnapshotsWithoutExtendedStatisticsStillRead) {
  const StatsSnapshot s = snapshot_from_json(
      R"({"format": "pgshape-stats/1", "tables": [{"name": "t", "reltuples": 10,
          "columns": [{"name": "a", "type": "integer"}]}]})");
  ASSERT_EQ(s.tables.size(), 1u);
  EXPECT_TRUE(s.tables[0].extended.empty());
}

TEST(SnapshotJson, MalformedExtendedStatisticsAreABadSnapshot) {
  EXPECT_THROW(snapshot_from_json(R"({"tables": [{"name": "t", "columns": [],
                   "extended": [{"columns": ["a"]}]}]})"),
               UsageError);
}

}  // namespace
}  // namespace pgshape
