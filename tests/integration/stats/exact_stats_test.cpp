// `load --exact-stats`: production's planner statistics written onto the mirror
// with PostgreSQL 18's statistics import. On the test server when it is 18 or
// later: the mirror's pg_class and pg_stats equal the source's for every restored
// column, and its plans for the fixture's queries are reported against a mirror
// with the generated statistics alone. Before 18: refused, nothing written.
#include <gtest/gtest.h>

#include <fmt/format.h>
#include <algorithm>
#include <cmath>
#include <filesystem>
#include <fstream>
#include <map>
#include <regex>
#include <set>
#include <sstream>

#include <nlohmann/json.hpp>

#include "pgshape/pg.hpp"
#include "pgshape/plan.hpp"
#include "pgshape/stats.hpp"
#include "production_db.hpp"

namespace pgshape {
namespace {

namespace fs = std::filesystem;
using testing::build_production;
using testing::CommandResult;
using testing::run_pgshape;
using testing::ScratchDatabase;

// The heap's length in pages, as the planner reads it.
int64_t pages(const std::string& dsn, const std::string& schema, const std::string& table) {
  pqxx::connection conn(dsn);
  pqxx::read_transaction tx(conn);
  return tx
      .exec_params1(
          "SELECT pg_relation_size(format('%I.%I', $1::text, $2::text)::regclass) / "
          "current_setting('block_size')::bigint",
          schema, table)[0]
      .as<int64_t>();
}

int server_version_num(const std::string& dsn) {
  pqxx::connection conn(dsn);
  pqxx::nontransaction tx(conn);
  return tx.exec1("SELECT current_setting('server_version_num')::int")[0].as<int>();
}

// The error code of a failed --json run ("" when there is none).
std::string error_code(const CommandResult& r) {
  for (const std::string* text : {&r.out, &r.err}) {
    try {
      const auto j = nlohmann::json::parse(*text);
      if (j.contains("error")) return j["error"].value("code", "");
    } catch (const nlohmann::json::exception&) {
    }
  }
  return "";
}

std::string read_text(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

// The schemas of `dsn` whose name starts with `prefix`, with their COMMENTs.
std::map<std::string, std::string> schemas(const std::string& dsn, const std::string& prefix) {
  pqxx::connection conn(dsn);
  pqxx::read_transaction tx(conn);
  std::map<std::string, std::string> out;
  for (const auto& r :
       tx.exec_params("SELECT nspname::text, coalesce(obj_description(oid, 'pg_namespace'), '') "
                      "FROM pg_namespace WHERE starts_with(nspname, $1)",
                      prefix))
    out[r[0].as<std::string>()] = r[1].as<std::string>();
  return out;
}

std::map<std::string, PlanCapture> capture(const std::string& dsn, const std::string& schema) {
  pqxx::connection conn(dsn);
  {
    pqxx::nontransaction tx(conn);
    tx.exec0("SET search_path = " + quote_ident(schema));
  }
  ScaleContext context{schema, "production", table_row_counts(conn, schema)};
  std::map<std::string, PlanCapture> out;
  for (auto& c :
       capture_scale(conn, context, testing::production_workload(), {}, CaptureOptions{.runs = 1}))
    out[c.query + " [" + c.pick + "]"] = std::move(c);
  return out;
}

double median(std::vector<double> v) {
  if (v.empty()) return 0;
  std::sort(v.begin(), v.end());
  return v.size() % 2 ? v[v.size() / 2] : (v[v.size() / 2 - 1] + v[v.size() / 2]) / 2;
}

// How a mirror's plans compare with production's on the workload.
struct Agreement {
  int same_shape = 0;
  int pairs = 0;
  double median_estimate_q = 0;  // q-error of the mirror's root estimate vs production's
  double mean_estimate_q = 0;    // its geometric mean
  double max_estimate_q = 0;
  double median_worst_q = 0;  // the mirror's own worst estimate vs actual rows
};

Agreement agreement(const std::map<std::string, PlanCapture>& prod,
                    const std::map<std::string, PlanCapture>& mirror, std::string& report,
                    const char* label) {
  Agreement a;
  std::vector<double> estimate_q, worst_q;
  for (const auto& [key, p] : prod) {
    const auto it = mirror.find(key);
    if (it == mirror.end()) continue;
    ++a.pairs;
    const bool same = it->second.shape == p.shape;
    a.same_shape += same;
    estimate_q.push_back(q_error(it->second.root_estimated_rows, p.root_estimated_rows));
    worst_q.push_back(it->second.worst_q_error);
    report += fmt::format("  {:<9} {:<44} {} est {:>9.0f} (prod {:>9.0f}) worst q {:.1f}\n", label,
                          key, same ? "same" : "DIFF", it->second.root_estimated_rows,
                          p.root_estimated_rows, it->second.worst_q_error);
  }
  a.median_estimate_q = median(estimate_q);
  double log_sum = 0;
  for (double q : estimate_q) log_sum += std::log(q);
  a.mean_estimate_q = estimate_q.empty() ? 1 : std::exp(log_sum / estimate_q.size());
  a.max_estimate_q =
      estimate_q.empty() ? 1 : *std::max_element(estimate_q.begin(), estimate_q.end());
  a.median_worst_q = median(worst_q);
  return a;
}

class ExactStats : public ::testing::Test {
 protected:
  void SetUp() override {
    build_production(production_.dsn());
    dir_ = fs::temp_directory_path() / testing::unique_name("exact_stats");
    fs::create_directories(dir_);
    profile_ = (dir_ / "mirror.yaml").string();
    auto imported = run_pgshape({"stats", "--source", production_.dsn(), "-o", profile_});
    ASSERT_EQ(imported.exit_code, 0) << imported.err;
  }
  void TearDown() override { fs::remove_all(dir_); }

  CommandResult load(const std::string& dsn, std::vector<std::string> extra = {}) {
    // One job: indexes get their OIDs in the profile's (production's) order.
    // The profile's schema is the source's (public): the mirror's is named here.
    std::vector<std::string> args = {"load", profile_, "--jobs",   "1",     "--dsn",
                                     dsn,    "--json", "--schema", "mirror"};
    args.insert(args.end(), extra.begin(), extra.end());
    return run_pgshape(args);
  }

  ScratchDatabase production_{"exact_prod"};
  fs::path dir_;
  std::string profile_;
};

TEST_F(ExactStats, StatsWritesTheSnapshotBesideTheProfileAndValidateChecksIt) {
  EXPECT_TRUE(fs::is_regular_file(dir_ / "mirror.stats.json"));
  const std::string text = read_text(profile_);
  EXPECT_NE(text.find("statistics: \"mirror.stats.json\""), std::string::npos) << text;
  EXPECT_EQ(snapshot_from_json(read_text(dir_ / "mirror.stats.json")).tables.size(), 4u);
  auto validated = run_pgshape({"validate", profile_});
  EXPECT_EQ(validated.exit_code, 0) << validated.err;

  // A snapshot that is missing, or not a snapshot, is a positioned profile error.
  fs::remove(dir_ / "mirror.stats.json");
  auto missing = run_pgshape({"validate", profile_});
  EXPECT_EQ(missing.exit_code, 2) << missing.err;
  EXPECT_NE(missing.err.find("statistics file 'mirror.stats.json' does not exist"),
            std::string::npos)
      << missing.err;
  std::ofstream(dir_ / "mirror.stats.json") << "{\"tables\": 5}";
  auto bad = run_pgshape({"validate", profile_});
  EXPECT_EQ(bad.exit_code, 2);
  EXPECT_TRUE(std::regex_search(bad.err, std::regex("mirror\\.yaml:[0-9]+:[0-9]+: statistics "
                                                    "file 'mirror.stats.json' is not a pgshape")))
      << bad.err;
}

TEST_F(ExactStats, RefusedBeforeAnythingIsWrittenWithoutStatisticsOrAtAnotherScale) {
  ScratchDatabase mirror("exact_refused");
  // A profile that names no snapshot.
  const fs::path bare = dir_ / "bare.yaml";
  std::ofstream(bare) << std::regex_replace(read_text(profile_), std::regex("\nstatistics: [^\n]*"),
                                            "");
  auto none = run_pgshape({"load", bare.string(), "--exact-stats", "--dsn", mirror.dsn(), "--json",
                           "--schema", "mirror"});
  EXPECT_EQ(none.exit_code, 2) << none.err << none.out;
  EXPECT_EQ(error_code(none), "usage.exact-stats") << none.out << none.err;
  auto test_scale = load(mirror.dsn(), {"--exact-stats", "--scale", "test"});
  EXPECT_EQ(test_scale.exit_code, 2) << test_scale.err;
  EXPECT_EQ(error_code(test_scale), "usage.exact-stats") << test_scale.out << test_scale.err;
  EXPECT_TRUE(schemas(mirror.dsn(), "mirror").empty());
}

TEST_F(ExactStats, MirrorCarriesProductionsStatisticsOnServer18AndIsRefusedBefore) {
  ScratchDatabase generated("exact_gen");
  ScratchDatabase exact("exact_mirror");
  auto plain = load(generated.dsn());
  ASSERT_EQ(plain.exit_code, 0) << plain.err;

  if (server_version_num(exact.dsn()) < kStatsImportServerVersion) {
    // A dataset already in place stays exactly as it was.
    auto first = load(exact.dsn());
    ASSERT_EQ(first.exit_code, 0) << first.err;
    const auto before = schemas(exact.dsn(), "mirror");
    auto refused = load(exact.dsn(), {"--exact-stats"});
    EXPECT_EQ(refused.exit_code, 2) << refused.err << refused.out;
    EXPECT_EQ(error_code(refused), "db.exact-stats-unsupported") << refused.out << refused.err;
    EXPECT_NE((refused.out + refused.err).find("needs PostgreSQL 18 or later"), std::string::npos)
        << refused.out << refused.err;
    EXPECT_EQ(schemas(exact.dsn(), "mirror"), before);  // no staging schema, same comment
    return;
  }

  auto loaded = load(exact.dsn(), {"--exact-stats"});
  ASSERT_EQ(loaded.exit_code, 0) << loaded.err;
  const auto outcome = nlohmann::json::parse(loaded.out)["exact_stats"];
  std::printf("exact stats: %s\n", outcome.dump().c_str());

  // The mirror read back the way production was: every restored column's pg_stats
  // row, and pg_class, equal the source's.
  const StatsSnapshot source = read_stats(production_.dsn(), StatsOptions{});
  const StatsSnapshot mirror = read_stats(exact.dsn(), StatsOptions{.schema = "mirror"});
  std::set<std::string> skipped;
  for (const auto& s : outcome["skipped"]) skipped.insert(s["what"].get<std::string>());
  EXPECT_TRUE(skipped.empty()) << outcome.dump();  // same names and types on both sides
  int compared = 0, with_stats = 0;
  std::string report = "\ntable pages, production / mirror:";
  for (const TableStats& p : source.tables) {
    const TableStats* m = mirror.find_table(p.name);
    ASSERT_NE(m, nullptr) << p.name;
    EXPECT_EQ(m->reltuples, p.reltuples) << p.name;
    // relpages stays the mirror's real size (what the planner scales reltuples by).
    EXPECT_EQ(m->relpages, pages(exact.dsn(), "mirror", p.name)) << p.name;
    report += fmt::format(" {} {}/{}", p.name, p.relpages, m->relpages);
    for (const ColumnStats& pc : p.columns) {
      const std::string what = p.name + "." + pc.name;
      with_stats += pc.has_stats;
      if (!pc.has_stats || skipped.count(what)) continue;
      const ColumnStats* mc = m->find_column(pc.name);
      ASSERT_NE(mc, nullptr) << what;
      ASSERT_TRUE(mc->has_stats) << what;
      ++compared;
      EXPECT_EQ(mc->null_frac, pc.null_frac) << what;
      EXPECT_EQ(mc->avg_width, pc.avg_width) << what;
      EXPECT_EQ(mc->n_distinct, pc.n_distinct) << what;
      EXPECT_EQ(mc->mcv, pc.mcv) << what;
      EXPECT_EQ(mc->mcf, pc.mcf) << what;
      EXPECT_EQ(mc->histogram, pc.histogram) << what;
      EXPECT_EQ(mc->correlation, pc.correlation) << what;
    }
  }
  EXPECT_EQ(compared, outcome["columns"].get<int>());
  EXPECT_EQ(compared, with_stats);
  EXPECT_EQ(outcome["tables"].get<size_t>(), source.tables.size());

  // What it changes against the generated statistics alone, on the workload.
  const auto prod = capture(production_.dsn(), "public");
  report += "\nplans vs production:\n";
  const Agreement gen = agreement(prod, capture(generated.dsn(), "mirror"), report, "generated");
  const Agreement ex = agreement(prod, capture(exact.dsn(), "mirror"), report, "exact");
  report += fmt::format(
      "\n  same plan shape as production: generated {}/{}, exact {}/{}\n"
      "  q-error of the root estimate vs production's estimate, median / geometric mean / max: "
      "generated {:.2f} / {:.3f} / {:.2f}, exact {:.2f} / {:.3f} / {:.2f}\n"
      "  median worst q-error (estimate vs actual, per plan): generated {:.2f}, exact {:.2f}\n",
      gen.same_shape, gen.pairs, ex.same_shape, ex.pairs, gen.median_estimate_q,
      gen.mean_estimate_q, gen.max_estimate_q, ex.median_estimate_q, ex.mean_estimate_q,
      ex.max_estimate_q, gen.median_worst_q, ex.median_worst_q);
  std::printf("%s", report.c_str());
  RecordProperty("same_shape_generated", gen.same_shape);
  RecordProperty("same_shape_exact", ex.same_shape);
  RecordProperty("pairs", ex.pairs);
  ASSERT_GE(ex.pairs, 16);
  EXPECT_GE(ex.same_shape, gen.same_shape);
  // The planner's inputs are production's: its estimates are at least as close to
  // production's as with the generated statistics.
  EXPECT_LE(ex.mean_estimate_q, gen.mean_estimate_q);
}

TEST_F(ExactStats, RefreshRestoresTheSnapshotItHasJustRead) {
  ScratchDatabase target("exact_refresh");
  const std::string nightly = (dir_ / "nightly.yaml").string();
  auto refreshed = run_pgshape({"refresh", nightly, "--source", production_.dsn(), "--dsn",
                                target.dsn(), "--exact-stats", "--json", "--schema", "nightly"});
  if (server_version_num(target.dsn()) < kStatsImportServerVersion) {
    EXPECT_EQ(refreshed.exit_code, 2) << refreshed.err << refreshed.out;
    EXPECT_EQ(error_code(refreshed), "db.exact-stats-unsupported") << refreshed.out;
    EXPECT_TRUE(schemas(target.dsn(), "nightly").empty());
    EXPECT_FALSE(fs::exists(nightly));
    return;
  }
  ASSERT_EQ(refreshed.exit_code, 0) << refreshed.err;
  const auto outcome = nlohmann::json::parse(refreshed.out)["exact_stats"];
  EXPECT_EQ(outcome["tables"].get<int>(), 4) << outcome.dump();
  EXPECT_TRUE(outcome["skipped"].empty()) << outcome.dump();
  const StatsSnapshot source = read_stats(production_.dsn(), StatsOptions{});
  const StatsSnapshot mirror = read_stats(target.dsn(), StatsOptions{.schema = "nightly"});
  int equal = 0;
  for (const TableStats& p : source.tables)
    for (const ColumnStats& pc : p.columns) {
      const ColumnStats* mc = mirror.find_table(p.name)->find_column(pc.name);
      ASSERT_NE(mc, nullptr) << p.name << "." << pc.name;
      const bool same = mc->null_frac == pc.null_frac && mc->n_distinct == pc.n_distinct &&
                        mc->mcv == pc.mcv && mc->mcf == pc.mcf && mc->histogram == pc.histogram &&
                        mc->correlation == pc.correlation;
      EXPECT_TRUE(same) << p.name << "." << pc.name;
      equal += same;
    }
  EXPECT_EQ(equal, outcome["columns"].get<int>());
}

TEST(ExactStatsArrayLiteral, ServerReadsBackEveryElementAsItWas) {
  // What pg_restore_attribute_stats does with the literal: the text[] input parser.
  const std::vector<std::string> values = {"plain",      "a,b",    "{braces}", R"(say "hi")",
                                           R"(C:\dir\)", R"(\")",  "NULL",     "",
                                           " padded ",   "Zürich", "{1,2}",    "'single'"};
  pqxx::connection conn(testing::test_dsn());
  pqxx::read_transaction tx(conn);
  std::vector<std::string> back;
  for (const auto& r :
       tx.exec_params("SELECT e FROM unnest($1::text[]) WITH ORDINALITY AS u(e, n) ORDER BY n",
                      array_literal(values)))
    back.push_back(r[0].as<std::string>());
  EXPECT_EQ(back, values);
}

}  // namespace
}  // namespace pgshape
