// Issue #15's acceptance: a production schema holding every structure real ones
// have (tests/fixtures/accept/shop.sql: composite and multi-column keys, a
// self-referencing foreign key, referential actions, RANGE/LIST/HASH partitions
// with a default, enums, domains, CHECKs, identity and generated columns, arrays
// and jsonb under GIN, uuid, inet, a range type, one index of every kind, a view),
// mirrored by `pgshape stats` + `pgshape load` as a user runs them, then:
//   - every table, column, constraint, index, type and view of the source is on
//     the mirror by definition (unique where production is unique),
//   - no unique key of the source has a duplicate on the mirror,
//   - every statement of its workload (tests/fixtures/accept/workload.sql, each $n
//     statement generic and at a hot and a rare value) plans to the same shape on
//     both sides, with the top row estimates within 2x.
// What pgshape does not reproduce yet is listed in kKnownGaps, each with why.
#include <gtest/gtest.h>

#include <fmt/format.h>
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <regex>
#include <set>
#include <sstream>

#include <nlohmann/json.hpp>

#include "catalog_objects.hpp"
#include "mirror_judge.hpp"
#include "mirror_steps.hpp"
#include "production_db.hpp"

namespace pgshape {
namespace {

using testing::run_pgshape;
using testing::ScratchDatabase;

constexpr const char* kSchema = "shop";
const std::string kFixtures = std::string(PGSHAPE_SOURCE_DIR) + "/tests/fixtures/accept";

// What fails on main: gaps of pgshape, each with why, listed so that the rest of
// the acceptance is asserted meanwhile (an entry that passes is printed, to remove).
// Keys name catalog objects ("index products.products_vendor_model_key"), duplicate
// counts ("duplicates TABLE.INDEX") and workload cases ("workload.sql:LINE [hot]",
// by the statement's line).
const std::vector<testing::KnownGap> kKnownGaps = {};

std::vector<std::string> lines_of_text(const std::string& text) {
  std::vector<std::string> out;
  std::istringstream in(text);
  for (std::string line; std::getline(in, line);) out.push_back(line);
  return out;
}

TEST(AllStructures, MirrorHoldsEveryObjectNoDuplicateKeyAndTheWorkloadsPlans) {
  const auto started = std::chrono::steady_clock::now();
  ScratchDatabase production("accept_prod");
  ScratchDatabase mirror("accept_mirror");
  ASSERT_NO_FATAL_FAILURE(testing::build_vacuumed_source(production.dsn(), kFixtures + "/shop.sql",
                                                         kSchema, std::chrono::seconds(20)));

  // The profile's defaults, as a user loads it: production scale, the source's
  // schema name. One job: indexes get their OIDs in production's order.
  testing::StatsMirror m;
  ASSERT_NO_FATAL_FAILURE(
      testing::stats_validate_load(production.dsn(), kSchema, mirror.dsn(), "accept", m));
  const auto& validated = m.validated;
  std::printf("stats notes:\n%s\n", m.imported.err.c_str());

  // 1. Every object on the mirror by definition.
  const auto source = testing::catalog_objects(production.dsn(), kSchema);
  const auto copy = testing::catalog_objects(mirror.dsn(), kSchema);
  // What validate names as left out is an object of the source: a foreign key to
  // a partitioned table is one key, not one per leaf (the catalog's clones).
  for (const std::regex named(R"(foreign key ([A-Za-z0-9_]+)\.([A-Za-z0-9_]+))");
       const auto& line : lines_of_text(validated.out)) {
    std::smatch m;
    if (std::regex_search(line, m, named)) {
      EXPECT_TRUE(source.count("constraint " + m[1].str() + "." + m[2].str()))
          << "validate names a foreign key the source does not have: " << line;
    }
  }
  int same = 0, awaited = 0;
  std::set<std::string> failed;
  std::string report;
  for (const auto& [key, definition] : source) {
    auto it = copy.find(key);
    const bool equal = it != copy.end() && it->second == definition;
    same += equal;
    if (equal) continue;
    const testing::KnownGap* p = testing::known_gap(kKnownGaps, key);
    if (p) {
      ++awaited;
      report += fmt::format("  {:<52} known gap ({})\n", key, p->why);
    } else {
      ADD_FAILURE() << key << " is not on the mirror by definition\n  source: " << definition
                    << "\n  mirror: " << (it == copy.end() ? "(missing)" : it->second);
      report += fmt::format("  {:<52} DIFF\n", key);
    }
    failed.insert(key);
  }
  for (const auto& [key, definition] : copy)
    if (!source.count(key)) report += fmt::format("  {:<52} only on the mirror\n", key);
  std::printf("catalog: %d of %zu objects identical, %d known gaps\n%s", same, source.size(),
              awaited, report.c_str());

  // 2. No duplicate on any unique key of the source (counted on the mirror's rows
  // whether or not the mirror made the key unique).
  long duplicates = 0;
  for (const auto& key : testing::unique_keys(production.dsn(), kSchema)) {
    const long n = testing::duplicate_keys(mirror.dsn(), kSchema, key);
    duplicates += n;
    const std::string what = "duplicates " + key.table + "." + key.index;
    if (n == 0) continue;
    failed.insert(what);
    if (const testing::KnownGap* p = testing::known_gap(kKnownGaps, what))
      std::printf("  %-52s %ld, known gap (%s)\n", what.c_str(), n, p->why);
    else
      ADD_FAILURE() << n << " duplicate keys of " << key.index << " on the mirror's " << key.table;
  }
  std::printf("duplicate keys on the mirror: %ld\n", duplicates);

  // 3. The workload's plans and estimates, as `pgshape fidelity` compares them.
  auto fidelity =
      run_pgshape({"fidelity", "--source", production.dsn(), "--source-schema", kSchema, "--dsn",
                   mirror.dsn(), "--queries", kFixtures + "/workload.sql", "--json"});
  ASSERT_EQ(fidelity.exit_code, 0) << fidelity.err << fidelity.out;
  const auto plans = testing::tally_plans(fidelity.out, 2.0, 34, [&](const testing::PlanCase& c) {
    if (c.same_shape && c.off <= 2) return;
    failed.insert(c.name);
    if (const testing::KnownGap* p = testing::known_gap(kKnownGaps, c.name)) {
      std::printf("    known gap (%s)\n", p->why);
      return;
    }
    const auto& q = *c.query;
    EXPECT_TRUE(c.same_shape) << c.name << ": " << q.at("sql").get<std::string>()
                              << "\n  source: " << q.at("source_shape").get<std::string>()
                              << "\n  mirror: " << q.at("mirror_shape").get<std::string>() << " "
                              << q.at("error").get<std::string>();
    EXPECT_LE(c.off, 2.0) << c.name << ": " << q.at("sql").get<std::string>() << "\n  estimates "
                          << c.source_rows << " on the source, " << c.mirror_rows
                          << " on the mirror";
  });
  testing::print_summary(
      {.objects_same = same,
       .objects = source.size(),
       .duplicates = duplicates,
       .plans = plans,
       .print_worst = true,
       .seconds =
           std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count()});
  EXPECT_GE(plans.cases, 60) << "the workload's hot and rare variants were not all explained";

  // A known gap that now passes is stale: printed, to remove it from the list.
  testing::print_stale_gaps(kKnownGaps, failed);
  std::filesystem::remove_all(std::filesystem::path(m.profile).parent_path());
}

}  // namespace
}  // namespace pgshape
