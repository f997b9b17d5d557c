// Extended statistics, production to mirror (issue 16.5): `stats` reads the
// source's CREATE STATISTICS objects and what ANALYZE measured in them, the
// profile gets `statistics:` and `given:` for the strong dependencies, and
// `load` builds the same objects on the mirror before its ANALYZE. Checked:
// the objects exist on the mirror, every functional dependency degree of
// pg_stats_ext is within 0.1 of the source's, and the planner's estimate for
// WHERE a = x AND b = y is within 2x of the source's for pairs from the
// source's multivariate MCV list (a hot one and a rarer one).
#include <gtest/gtest.h>

#include <fmt/format.h>
#include <pqxx/pqxx>

#include <filesystem>
#include <map>
#include <string>

#include "mirror_steps.hpp"
#include "production_db.hpp"
#include "test_server.hpp"

namespace pgshape {
namespace {

using testing::run_pgshape;
using testing::ScratchDatabase;

// 100,000 addresses: country is a function of the city (degree 1); sub is a
// function of category for 70 % of the categories (degree about 0.7), random
// among five for the rest.
void build_source(const std::string& dsn) {
  pqxx::connection conn(dsn);
  pqxx::work tx(conn);
  tx.exec("SELECT setseed(0.16)");
  tx.exec0(R"(
    CREATE TABLE addresses (
      id bigint PRIMARY KEY,
      city_id integer NOT NULL,
      country text NOT NULL,
      category integer NOT NULL,
      sub integer NOT NULL))");
  tx.exec0(R"(
    INSERT INTO addresses
    SELECT g, c, 'country_' || (c % 23), k,
           CASE WHEN k <= 28 THEN k * 10 + k % 3 ELSE k * 10 + floor(random() * 5)::int END
    FROM (SELECT g, 1 + floor(300 * random() ^ 2)::int AS c, 1 + floor(40 * random())::int AS k
          FROM generate_series(1, 100000) g) s)");
  tx.exec0(
      "CREATE STATISTICS addresses_city_country (dependencies, mcv) ON city_id, country "
      "FROM addresses");
  tx.exec0(
      "CREATE STATISTICS addresses_category_sub (ndistinct, dependencies, mcv) ON category, sub "
      "FROM addresses");
  // On an expression: a profile cannot build it, so stats names it in a note.
  tx.exec0(
      "CREATE STATISTICS addresses_lower_country ON (lower(country)), category FROM addresses");
  tx.commit();
  pqxx::nontransaction(conn).exec0("ANALYZE addresses");
}

// pg_stats_ext's dependency degrees of `schema`, keyed "object: a => b" with
// column names (PostgreSQL 15-18 print attnums: {"2 => 3": 1.000000}).
std::map<std::string, double> dependencies(const std::string& dsn, const std::string& schema) {
  pqxx::connection conn(dsn);
  pqxx::nontransaction tx(conn);
  std::map<int, std::string> names;
  for (const auto& row : tx.exec_params(
           "SELECT a.attnum, a.attname FROM pg_attribute a JOIN pg_class c ON c.oid = a.attrelid "
           "JOIN pg_namespace n ON n.oid = c.relnamespace "
           "WHERE n.nspname = $1 AND c.relname = 'addresses' AND a.attnum > 0",
           schema))
    names[row[0].as<int>()] = row[1].as<std::string>();
  std::map<std::string, double> out;
  for (const auto& row :
       tx.exec_params("SELECT e.statistics_name, d.key, d.value::float8 FROM pg_stats_ext e, "
                      "json_each_text(e.dependencies::text::json) d WHERE e.schemaname = $1",
                      schema)) {
    std::string key = row[1].as<std::string>();
    int from = 0, to = 0;
    if (std::sscanf(key.c_str(), "%d => %d", &from, &to) != 2) continue;  // a, b => c
    out[fmt::format("{}: {} => {}", row[0].as<std::string>(), names[from], names[to])] =
        row[2].as<double>();
  }
  return out;
}

TEST(ExtendedStats, MirrorHasProductionsObjectsDegreesAndMultiColumnEstimates) {
  ScratchDatabase source("ext_src");
  ScratchDatabase mirror("ext_mirror");
  build_source(source.dsn());

  const std::string profile = testing::fresh_profile_path("ext_stats");
  auto imported = run_pgshape({"stats", "--source", source.dsn(), "-o", profile});
  ASSERT_EQ(imported.exit_code, 0) << imported.err;
  EXPECT_NE((imported.out + imported.err).find("statistics addresses_lower_country skipped"),
            std::string::npos)
      << imported.out << imported.err;
  const std::string yaml = testing::read_all(profile);
  EXPECT_NE(yaml.find("given: city_id"), std::string::npos) << yaml.substr(0, 4000);
  // sub determines category (degree 1) more strongly than the reverse (0.7).
  EXPECT_NE(yaml.find("given: sub"), std::string::npos) << yaml.substr(0, 4000);
  EXPECT_NE(yaml.find("name: addresses_category_sub"), std::string::npos);
  auto loaded = run_pgshape({"load", profile, "--scale", "production", "--schema", "mirror",
                             "--jobs", "1", "--dsn", mirror.dsn()});
  ASSERT_EQ(loaded.exit_code, 0) << loaded.err << loaded.out;

  {
    pqxx::connection conn(mirror.dsn());
    pqxx::nontransaction tx(conn);
    const auto objects = tx.exec(
        "SELECT s.stxname::text, pg_get_statisticsobjdef_columns(s.oid) FROM pg_statistic_ext s "
        "JOIN pg_namespace n ON n.oid = s.stxnamespace WHERE n.nspname = 'mirror' ORDER BY 1");
    ASSERT_EQ(objects.size(), 2u);
    EXPECT_EQ(objects[0][0].as<std::string>(), "addresses_category_sub");
    EXPECT_EQ(objects[0][1].as<std::string>(), "category, sub");
    EXPECT_EQ(objects[1][0].as<std::string>(), "addresses_city_country");
  }

  const auto prod = dependencies(source.dsn(), "public");
  const auto copy = dependencies(mirror.dsn(), "mirror");
  ASSERT_EQ(prod.size(), 3u);  // country => city_id has degree 0: not listed
  std::string report = "\ndependency                                    source  mirror\n";
  for (const auto& [key, degree] : prod) {
    auto it = copy.find(key);
    ASSERT_NE(it, copy.end()) << key << " missing on the mirror";
    report += fmt::format("{:<45} {:.3f}   {:.3f}\n", key, degree, it->second);
    EXPECT_NEAR(it->second, degree, 0.1) << key;
  }

  // Pairs from the source's MCV lists: the first (hot) and one further down.
  std::vector<std::string> wheres;
  {
    pqxx::connection conn(source.dsn());
    pqxx::nontransaction tx(conn);
    for (const auto& row : tx.exec(
             "SELECT e.statistics_name::text, e.most_common_vals[i][1], e.most_common_vals[i][2] "
             "FROM pg_stats_ext e, (VALUES (1), (21)) v(i) WHERE e.schemaname = 'public' "
             "AND e.statistics_name <> 'addresses_lower_country' "
             "ORDER BY 1, i")) {
      const std::string name = row[0].as<std::string>();
      const std::string a = row[1].as<std::string>(), b = row[2].as<std::string>();
      if (name == "addresses_city_country")
        wheres.push_back(fmt::format("city_id = {} AND country = '{}'", a, b));
      else
        wheres.push_back(fmt::format("category = {} AND sub = {}", a, b));
    }
  }
  ASSERT_EQ(wheres.size(), 4u);
  report += "\nWHERE                                         source  mirror\n";
  for (const auto& where : wheres) {
    const double p =
        testing::planned_rows(source.dsn(), "public", "SELECT * FROM addresses WHERE " + where);
    const double m =
        testing::planned_rows(mirror.dsn(), "mirror", "SELECT * FROM addresses WHERE " + where);
    report += fmt::format("{:<45} {:>6.0f}  {:>6.0f}\n", where, p, m);
    EXPECT_LE(m, 2 * p) << where;
    EXPECT_GE(m, p / 2) << where;
  }
  std::printf("%s", report.c_str());
  std::filesystem::remove_all(std::filesystem::path(profile).parent_path());
}

}  // namespace
}  // namespace pgshape
