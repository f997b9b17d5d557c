// Fidelity of a mirror built from statistics alone: import a production-shaped
// database's pg_stats with `pgshape stats`, load the mirror at production scale,
// ANALYZE, and compare what the planner sees on both sides — per column and in
// the plans it picks for hot and rare parameters.
#include <gtest/gtest.h>

#include <fmt/format.h>
#include <algorithm>
#include <cmath>
#include <filesystem>
#include <map>

#include <nlohmann/json.hpp>

#include "load/sql.hpp"
#include "mirror_steps.hpp"
#include "pgshape/plan.hpp"
#include "pgshape/profile.hpp"
#include "production_db.hpp"

namespace pgshape {
namespace {

using testing::build_production;
using testing::run_pgshape;
using testing::ScratchDatabase;

struct ColumnFigures {
  double null_frac = 0, avg_width = 0, distinct = 0, correlation = 0;
  std::vector<double> freqs;  // sorted descending
};

using Figures = std::map<std::string, ColumnFigures>;  // "table.column"

Figures read_figures(const std::string& dsn, const std::string& schema,
                     std::map<std::string, double>& rows) {
  pqxx::connection conn(dsn);
  pqxx::read_transaction tx(conn);
  for (const auto& r : tx.exec_params(
           "SELECT c.relname::text, c.reltuples::float8 FROM pg_class c "
           "JOIN pg_namespace n ON n.oid = c.relnamespace WHERE n.nspname = $1 AND c.relkind = 'r'",
           schema))
    rows[r[0].as<std::string>()] = r[1].as<double>();
  Figures out;
  for (const auto& r : tx.exec_params(
           "SELECT tablename::text, attname::text, null_frac::float8, avg_width::float8, "
           "n_distinct::float8, coalesce(correlation, 0)::float8, "
           "coalesce(array_to_json(most_common_freqs)::text, '[]') "
           "FROM pg_stats WHERE schemaname = $1",
           schema)) {
    ColumnFigures f;
    f.null_frac = r[2].as<double>();
    f.avg_width = r[3].as<double>();
    const double nd = r[4].as<double>();
    f.distinct = nd < 0 ? -nd * rows[r[0].as<std::string>()] : nd;
    f.correlation = r[5].as<double>();
    for (const auto& v : nlohmann::json::parse(r[6].as<std::string>())) f.freqs.push_back(v);
    std::sort(f.freqs.rbegin(), f.freqs.rend());
    out[r[0].as<std::string>() + "." + r[1].as<std::string>()] = f;
  }
  return out;
}

double l1(std::vector<double> a, std::vector<double> b) {
  a.resize(std::max(a.size(), b.size()), 0);
  b.resize(a.size(), 0);
  double sum = 0;
  for (size_t i = 0; i < a.size(); ++i) sum += std::fabs(a[i] - b[i]);
  return sum;
}

std::map<std::string, std::string> shapes(const std::string& dsn, const std::string& schema,
                                          const std::vector<Query>& queries) {
  pqxx::connection conn(dsn);
  {
    pqxx::nontransaction tx(conn);
    tx.exec0("SET search_path = " + quote_ident(schema));
  }
  ScaleContext context{schema, "production", table_row_counts(conn, schema)};
  std::map<std::string, std::string> out;
  for (const auto& c : capture_scale(conn, context, queries, {}, CaptureOptions{.runs = 1}))
    out[c.query + " [" + c.pick + "]"] = c.shape;
  return out;
}

TEST(MirrorFidelity, MirrorFromStatisticsMatchesProductionPerColumnAndInPlans) {
  ScratchDatabase production("stats_prod");
  ScratchDatabase mirror("stats_mirror");
  build_production(production.dsn());

  const std::string profile = testing::fresh_profile_path("stats_fid");
  auto imported = run_pgshape({"stats", "--source", production.dsn(), "-o", profile});
  ASSERT_EQ(imported.exit_code, 0) << imported.err;
  auto validated = run_pgshape({"validate", profile});
  ASSERT_EQ(validated.exit_code, 0) << validated.err << validated.out;
  // One job: indexes get their OIDs in the profile's (production's) order.
  auto loaded = run_pgshape({"load", profile, "--scale", "production", "--jobs", "1", "--dsn",
                             mirror.dsn(), "--schema", "mirror"});
  ASSERT_EQ(loaded.exit_code, 0) << loaded.err;

  std::map<std::string, double> prod_rows, mirror_rows;
  const Figures prod = read_figures(production.dsn(), "public", prod_rows);
  const Figures copy = read_figures(mirror.dsn(), "mirror", mirror_rows);

  for (const auto& [table, rows] : prod_rows) {
    ASSERT_TRUE(mirror_rows.count(table)) << table;
    EXPECT_NEAR(mirror_rows[table], rows, rows * 0.01) << table << " row count";
  }
  std::string report =
      "\ncolumn                      null_frac      n_distinct        MCV L1  "
      "correlation        avg_width\n";
  for (const auto& [column, p] : prod) {
    auto it = copy.find(column);
    ASSERT_NE(it, copy.end()) << column << " missing on the mirror";
    const ColumnFigures& m = it->second;
    report += fmt::format(
        "{:<26} {:.3f}/{:.3f} {:>8.0f}/{:<8.0f} {:>6.3f}  {:>6.3f}/{:<6.3f} "
        "{:>6.1f}/{:<6.1f}\n",
        column, p.null_frac, m.null_frac, p.distinct, m.distinct, l1(p.freqs, m.freqs),
        p.correlation, m.correlation, p.avg_width, m.avg_width);
    EXPECT_NEAR(m.null_frac, p.null_frac, 0.02) << column << " null_frac";
    if (p.distinct < 100)
      EXPECT_NEAR(m.distinct, p.distinct, 0.5) << column << " n_distinct (small domain)";
    else
      EXPECT_TRUE(m.distinct <= 2 * p.distinct && m.distinct >= p.distinct / 2)
          << column << " n_distinct " << m.distinct << " vs " << p.distinct;
    EXPECT_LE(l1(p.freqs, m.freqs), 0.1) << column << " MCV frequencies";
    EXPECT_NEAR(m.correlation, p.correlation, 0.2) << column << " correlation";
    EXPECT_NEAR(m.avg_width, p.avg_width, 0.2 * p.avg_width) << column << " avg_width";
  }
  std::printf("%s", report.c_str());

  const auto queries = testing::production_workload();
  const auto prod_shapes = shapes(production.dsn(), "public", queries);
  const auto mirror_shapes = shapes(mirror.dsn(), "mirror", queries);
  ASSERT_GE(prod_shapes.size(), 16u);
  int equal = 0;
  for (const auto& [key, shape] : prod_shapes) {
    auto it = mirror_shapes.find(key);
    ASSERT_NE(it, mirror_shapes.end()) << key;
    EXPECT_EQ(it->second, shape) << key;
    equal += it->second == shape;
    std::printf("%-44s %s %s\n", key.c_str(), it->second == shape ? "same" : "DIFF", shape.c_str());
  }
  EXPECT_GE(equal, 8);
  std::filesystem::remove_all(std::filesystem::path(profile).parent_path());
}

}  // namespace
}  // namespace pgshape
