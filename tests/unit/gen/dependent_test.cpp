// Dependent columns (`given:`): per-case distributions against their declared
// weights, ranges of the parent, the functional-dependency degree, NULL
// parents, and that a value is still a function of its row alone (so shards
// and batch boundaries cannot change it).
//
// Seeds are fixed. "4 sigma" bounds: a correct generator fails them for a new
// seed with probability < 1e-4.
#include <gtest/gtest.h>

#include <cmath>
#include <cstdio>
#include <map>
#include <set>
#include <string>
#include <vector>

#include "generated_profile.hpp"
#include "pgshape/gen.hpp"
#include "pgshape/profile.hpp"

namespace pgshape {
namespace {

using testing::GeneratedProfile;

std::string one_table(int64_t rows, const std::string& columns) {
  return "name: t\nscales: { s: " + std::to_string(rows) + " }\ntables:\n  t:\n    rows: 1x\n" +
         "    columns:\n" + columns;
}

// Every row of table t, one Datum text per column, in batches of `batch` rows.
std::vector<std::vector<std::string>> rows_of(const GeneratedProfile& g, size_t batch = 4096) {
  const TableGenerator& t = g.table("t");
  const uint64_t n = static_cast<uint64_t>(t.rows());
  std::vector<std::vector<std::string>> out(n);
  Batch b(t.column_count());
  for (uint64_t begin = 0; begin < n; begin += batch) {
    const size_t size = static_cast<size_t>(std::min<uint64_t>(batch, n - begin));
    t.fill(Selection::range(begin, size), b);
    for (size_t i = 0; i < size; ++i)
      for (size_t c = 0; c < t.column_count(); ++c) {
        const Datum d = b.column(c).datum(i);
        out[begin + i].push_back(d.kind == Datum::Kind::kNull
                                     ? std::string("NULL")
                                     : value_text(d, t.table().columns[c].type));
      }
  }
  return out;
}

void expect_share(int64_t hits, int64_t n, double p, const std::string& what) {
  ASSERT_GT(n, 0) << what;
  const double sigma = std::sqrt(p * (1 - p) / static_cast<double>(n));
  EXPECT_NEAR(static_cast<double>(hits) / static_cast<double>(n), p, 4 * sigma) << what;
}

const char* kRegions =
    "      region: { type: text, dist: weighted, values: { eu: 1, us: 1, apac: 1 }, "
    "null_fraction: 0.1 }\n"
    "      status:\n"
    "        type: text\n"
    "        dist: weighted\n"
    "        values: { a: 0.5, b: 0.5 }\n"
    "        given: region\n"
    "        cases:\n"
    "          eu: { values: { a: 0.9, b: 0.1 } }\n"
    "          us: { dist: weighted, values: { c: 1 } }\n";

TEST(Given, EachCaseDrawsFromItsOwnDistributionAndOthersFromTheColumns) {
  const GeneratedProfile g(one_table(60000, kRegions), 7);
  std::map<std::string, std::map<std::string, int64_t>> counts;
  for (const auto& row : rows_of(g)) ++counts[row[0]][row[1]];
  auto total = [&](const std::string& region) {
    int64_t n = 0;
    for (const auto& [_, k] : counts[region]) n += k;
    return n;
  };
  expect_share(counts["eu"]["a"], total("eu"), 0.9, "eu: a");
  EXPECT_EQ(counts["us"]["c"], total("us")) << "us takes only c";
  expect_share(counts["apac"]["a"], total("apac"), 0.5, "apac: the column's own dist");
  // A NULL parent matches no case: the column's own dist.
  expect_share(counts["NULL"]["a"], total("NULL"), 0.5, "NULL region: own dist");
  EXPECT_EQ(counts["eu"].count("c"), 0u);
}

TEST(Given, ValuesDoNotDependOnBatchBoundaries) {
  const GeneratedProfile g(one_table(20000, kRegions), 7);
  const auto whole = rows_of(g, 4096);
  const auto small = rows_of(g, 97);  // batches that start mid-way, as shards do
  EXPECT_EQ(whole, small);
  // The batch of one (value(row)) too.
  const ColumnGenerator& status = g.column("t", "status");
  std::string scratch;
  for (uint64_t row : {0u, 1u, 4095u, 4096u, 19999u}) {
    const Datum d = status.value(row, scratch);
    EXPECT_EQ(value_text(d, ColumnType{PgType::kText}), whole[row][1]) << row;
  }
}

TEST(Given, RangesOfANumberParentPickTheirCase) {
  const GeneratedProfile g(
      one_table(30000,
                "      category_id: { type: integer, dist: uniform, min: 1, max: 100 }\n"
                "      created_at:\n"
                "        type: timestamptz\n"
                "        dist: uniform\n"
                "        min: \"2017-01-01\"\n"
                "        max: \"2024-06-01\"\n"
                "        given: category_id\n"
                "        cases:\n"
                "          \"1..20\": { max: \"2018-01-01\" }\n"
                "          \"50\": { dist: uniform, min: \"2024-01-01\", max: \"2024-06-01\" }\n"),
      11);
  int64_t old = 0, recent = 0, other_before_2018 = 0, other = 0;
  for (const auto& row : rows_of(g)) {
    const int category = std::stoi(row[0]);
    const std::string& at = row[1];
    if (category <= 20) {
      ++old;
      EXPECT_LT(at, "2018-01-01 00:00:01") << category;
    } else if (category == 50) {
      ++recent;
      EXPECT_GE(at, "2024-01-01") << category;
    } else {
      ++other;
      other_before_2018 += at < "2018-01-01";
    }
  }
  EXPECT_GT(old, 5000);
  EXPECT_GT(recent, 200);
  // The rest keeps the column's own range: 2017..2024.06, a year of 7.42 in it.
  expect_share(other_before_2018, other, 365.0 / 2708.0, "others before 2018");
}

// pg_stats_ext's degree of "city => country": the share of rows whose city
// group has one country only (statext_dependencies counts supporting rows).
double degree(const std::vector<std::vector<std::string>>& rows) {
  std::map<std::string, std::set<std::string>> countries;
  std::map<std::string, int64_t> size;
  for (const auto& row : rows) countries[row[0]].insert(row[1]), ++size[row[0]];
  int64_t supporting = 0;
  for (const auto& [city, set] : countries)
    if (set.size() == 1) supporting += size[city];
  return static_cast<double>(supporting) / static_cast<double>(rows.size());
}

std::string cities(double degree) {
  return one_table(
      50000,
      "      city: { type: integer, dist: uniform, min: 1, max: 2000 }\n"
      "      country: { type: integer, dist: uniform, min: 1, max: 200, given: city, degree: " +
          std::to_string(degree) + " }\n");
}

TEST(Given, DegreeOneMakesTheParentDetermineTheColumn) {
  const GeneratedProfile g(cities(1.0), 3);
  const auto rows = rows_of(g);
  EXPECT_DOUBLE_EQ(degree(rows), 1.0);
  // The values are still spread as the column's own dist: 200 countries.
  std::set<std::string> distinct;
  for (const auto& row : rows) distinct.insert(row[1]);
  EXPECT_GT(distinct.size(), 180u);
}

TEST(Given, DegreeIsReproducedWithinATenth) {
  for (double d : {0.3, 0.7, 0.9}) {
    const GeneratedProfile g(cities(d), 3);
    const double measured = degree(rows_of(g));
    std::printf("degree %.2f: measured %.3f\n", d, measured);
    EXPECT_NEAR(measured, d, 0.1) << d;
  }
  const GeneratedProfile none(cities(0), 3);
  EXPECT_LT(degree(rows_of(none)), 0.05);
}

TEST(Given, ProfileKeepsCasesAndStatistics) {
  const Profile p = parse_profile(
      one_table(100, std::string(kRegions) + "    statistics:\n"
                                             "      - { columns: [region, status] }\n"
                                             "      - { name: s2, columns: [status, "
                                             "region], kinds: [mcv, dependencies] }\n"),
      "t.yaml");
  const Table& t = p.tables[0];
  ASSERT_TRUE(t.columns[1].given);
  EXPECT_EQ(t.columns[1].given->column, "region");
  ASSERT_EQ(t.columns[1].given->cases.size(), 2u);
  EXPECT_EQ(t.columns[1].given->cases[0].dist.values, (std::vector<std::string>{"a", "b"}));
  ASSERT_EQ(t.statistics.size(), 2u);
  EXPECT_EQ(statistics_name(t, t.statistics[0]), "t_region_status_stat");
  EXPECT_TRUE(t.statistics[0].kinds.empty());
  EXPECT_EQ(t.statistics[1].kinds, (std::vector<std::string>{"mcv", "dependencies"}));
}

}  // namespace
}  // namespace pgshape
