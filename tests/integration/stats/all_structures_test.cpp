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
#include <algorithm>
#include <chrono>
#include <filesystem>
#include <map>
#include <regex>
#include <set>
#include <sstream>

#include <nlohmann/json.hpp>

#include "catalog_objects.hpp"
#include "production_db.hpp"

namespace pgshape {
namespace {

using testing::run_pgshape;
using testing::ScratchDatabase;

constexpr const char* kSchema = "shop";
const std::string kFixtures = std::string(PGSHAPE_SOURCE_DIR) + "/tests/fixtures/accept";

// Catalog keys ("index products.products_vendor_model_key"), duplicate counts
// ("duplicates TABLE.INDEX") and workload cases ("workload.sql:LINE [hot]", by the
// statement's line) that fail today, with why.
struct Pending {
  const char* key;
  const char* why;
};

// What fails on main: gaps of pgshape, each with why, listed so that the rest of
// the acceptance is asserted meanwhile (an entry that passes is printed, to remove).
const std::vector<Pending> kKnownGaps = {};

std::vector<std::string> lines_of_text(const std::string& text) {
  std::vector<std::string> out;
  std::istringstream in(text);
  for (std::string line; std::getline(in, line);) out.push_back(line);
  return out;
}

const Pending* pending(const std::string& key) {
  for (const auto& p : kKnownGaps)
    if (key == p.key) return &p;
  return nullptr;
}

// Production is vacuumed: all-visible pages, as on a mirror loaded with COPY FREEZE.
void vacuum_analyze(const std::string& dsn) {
  pqxx::connection conn(dsn);
  pqxx::nontransaction tx(conn);
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(20);
  for (;;) {
    tx.exec0("VACUUM ANALYZE");
    const auto behind =
        tx.exec1(
              "SELECT count(*) FROM pg_catalog.pg_class c JOIN pg_catalog.pg_namespace n "
              "ON n.oid = c.relnamespace WHERE n.nspname = 'shop' AND c.relkind = 'r' "
              "AND c.relallvisible < c.relpages")[0]
            .as<int>();
    if (behind == 0 || std::chrono::steady_clock::now() > deadline) break;
  }
}

void build_source(const std::string& dsn) {
  const std::string sql = testing::read_all(kFixtures + "/shop.sql");
  ASSERT_FALSE(sql.empty()) << "cannot read " << kFixtures << "/shop.sql";
  {
    pqxx::connection conn(dsn);
    pqxx::work tx(conn);
    tx.exec(sql);
    tx.commit();
  }
  vacuum_analyze(dsn);
}

TEST(AllStructures, MirrorHoldsEveryObjectNoDuplicateKeyAndTheWorkloadsPlans) {
  const auto started = std::chrono::steady_clock::now();
  ScratchDatabase production("accept_prod");
  ScratchDatabase mirror("accept_mirror");
  ASSERT_NO_FATAL_FAILURE(build_source(production.dsn()));

  const auto dir = std::filesystem::temp_directory_path() / testing::unique_name("accept");
  std::filesystem::create_directories(dir);
  const std::string profile = (dir / "mirror.yaml").string();
  auto imported = run_pgshape(
      {"stats", "--source", production.dsn(), "--source-schema", kSchema, "-o", profile});
  ASSERT_EQ(imported.exit_code, 0) << imported.err;
  auto validated = run_pgshape({"validate", profile});
  ASSERT_EQ(validated.exit_code, 0) << validated.err << validated.out;
  // The profile's defaults, as a user loads it: production scale, the source's
  // schema name. One job: indexes get their OIDs in production's order.
  auto loaded = run_pgshape({"load", profile, "--jobs", "1", "--dsn", mirror.dsn()});
  ASSERT_EQ(loaded.exit_code, 0) << loaded.err << "\n" << loaded.out;
  std::printf("stats notes:\n%s\n", imported.err.c_str());

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
    const Pending* p = pending(key);
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
    if (const Pending* p = pending(what))
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
  const auto j = nlohmann::json::parse(fidelity.out);
  int shapes_equal = 0, within = 0, cases = 0;
  double worst = 1;
  std::string worst_case;
  std::printf("\n%-34s %10s %10s %7s  %s\n", "query", "source", "mirror", "ratio", "shape");
  for (const auto& q : j.at("queries")) {
    ++cases;
    std::string name = q.at("name").get<std::string>();
    name = name.substr(name.rfind('/') + 1);  // "workload.sql:12 [hot]"
    const double s = q.at("source_rows").get<double>(), m = q.at("mirror_rows").get<double>();
    const double ratio = std::max(s, 1.0) / std::max(m, 1.0);
    const double off = std::max(ratio, 1 / ratio);
    const bool shape = q.at("same_shape").get<bool>() && q.at("error").get<std::string>().empty();
    shapes_equal += shape;
    within += off <= 2;
    if (off > worst) worst = off, worst_case = name;
    std::printf("%-34s %10.0f %10.0f %7.2f  %s\n", name.c_str(), s, m, ratio,
                shape ? "same" : "DIFF");
    if (shape && off <= 2) continue;
    failed.insert(name);
    if (const Pending* p = pending(name)) {
      std::printf("    known gap (%s)\n", p->why);
      continue;
    }
    EXPECT_TRUE(shape) << name << ": " << q.at("sql").get<std::string>()
                       << "\n  source: " << q.at("source_shape").get<std::string>()
                       << "\n  mirror: " << q.at("mirror_shape").get<std::string>() << " "
                       << q.at("error").get<std::string>();
    EXPECT_LE(off, 2.0) << name << ": " << q.at("sql").get<std::string>() << "\n  estimates " << s
                        << " on the source, " << m << " on the mirror";
  }
  const double seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
  std::printf(
      "\nobjects identical %d/%zu, duplicate keys %ld, plan shapes equal %d/%d, estimates "
      "within 2x %d/%d, worst ratio %.2f (%s), %.0f s\n",
      same, source.size(), duplicates, shapes_equal, cases, within, cases, worst,
      worst_case.c_str(), seconds);
  EXPECT_GE(cases, 60) << "the workload's hot and rare variants were not all explained";

  // A known gap that now passes is stale: printed, to remove it from the list.
  for (const auto& p : kKnownGaps)
    if (!failed.count(p.key)) std::printf("known gap passes now, remove it: %s\n", p.key);
  std::filesystem::remove_all(dir);
}

}  // namespace
}  // namespace pgshape
