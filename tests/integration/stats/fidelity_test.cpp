// `pgshape fidelity` against real databases: the score of a stats-made mirror equals
// the score this file computes on its own from pg_stats and EXPLAIN (README
// "Fidelity score"), a bad mirror fails --min-score with exit 3, refresh
// --min-fidelity gates the same way, and on a server logging every statement the
// source sees only catalog reads and plain EXPLAIN in read-only sessions.
#include <gtest/gtest.h>

#include <fmt/format.h>
#include <algorithm>
#include <cmath>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <map>
#include <optional>
#include <regex>

#include <nlohmann/json.hpp>

#include "pgshape/pg.hpp"
#include "pgshape/plan.hpp"
#include "production_db.hpp"

namespace pgshape {
namespace {

using testing::build_production;
using testing::dsn_for_database;
using testing::run_pgshape;
using testing::ScratchDatabase;
namespace fs = std::filesystem;

// The fixture's queries: hot and rare values as literals, a join, a sort with a limit.
constexpr const char* kQueries = R"(-- the listing query
SELECT * FROM products WHERE category_id = 1 ORDER BY created_at DESC LIMIT 20;
SELECT * FROM products WHERE category_id = 700 ORDER BY created_at DESC LIMIT 20;
SELECT * FROM orders WHERE customer_id = 17;
SELECT * FROM orders WHERE status = 'refunded';
SELECT count(*) FROM order_items WHERE product_id = 7;
SELECT c.city, count(*) FROM orders o JOIN customers c ON c.id = o.customer_id
 WHERE o.status = 'pending' GROUP BY c.city;
SELECT id, email FROM customers WHERE vip;
SELECT * FROM orders o WHERE o.customer_id = $1 ORDER BY created_at DESC LIMIT 10;
)";
// The $1 statement's column, as this file knows it: its hot and rare values are
// picked from each side's own pg_stats row of it.
constexpr const char* kParamTable = "orders";
constexpr const char* kParamColumn = "customer_id";

// ---------------------------------------------------------------------------
// The independent measure: pg_stats read here, the README's formula coded here.

struct Column {
  std::string type;
  double null_frac = 0, n_distinct = 0;
  std::optional<double> correlation;
  std::map<std::string, double> mcv;
  std::vector<std::string> mcv_order;  // as pg_stats lists them, most common first
  std::vector<std::string> hist;
};
struct Side {
  std::map<std::string, double> rows;                         // table -> reltuples
  std::map<std::string, std::map<std::string, Column>> cols;  // table -> column
};

Side read_side(const std::string& dsn, const std::string& schema) {
  pqxx::connection conn(dsn);
  pqxx::read_transaction tx(conn);
  tx.exec0("SET LOCAL extra_float_digits = 3");
  Side s;
  for (const auto& r : tx.exec_params(
           "SELECT c.relname::text, c.reltuples::float8 FROM pg_class c JOIN pg_namespace n "
           "ON n.oid = c.relnamespace WHERE n.nspname = $1 AND c.relkind = 'r'",
           schema))
    s.rows[r[0].as<std::string>()] = r[1].as<double>();
  for (const auto& r : tx.exec_params(
           "SELECT st.tablename::text, st.attname::text, "
           "format_type(a.atttypid, a.atttypmod), st.null_frac::float8, st.n_distinct::float8, "
           "st.correlation::float8, coalesce(array_to_json(st.most_common_vals::text::text[]), "
           "'[]')::text, coalesce(array_to_json(st.most_common_freqs), '[]')::text, "
           "coalesce(array_to_json(st.histogram_bounds::text::text[]), '[]')::text "
           "FROM pg_stats st JOIN pg_attribute a ON a.attrelid = format('%I.%I', st.schemaname, "
           "st.tablename)::regclass AND a.attname = st.attname "
           "WHERE st.schemaname = $1 AND NOT st.inherited",
           schema)) {
    Column c{.type = r[2].as<std::string>(),
             .null_frac = r[3].as<double>(),
             .n_distinct = r[4].as<double>()};
    if (!r[5].is_null()) c.correlation = r[5].as<double>();
    const auto vals = nlohmann::json::parse(r[6].as<std::string>());
    const auto freqs = nlohmann::json::parse(r[7].as<std::string>());
    for (size_t i = 0; i < vals.size(); ++i) {
      c.mcv[vals[i].get<std::string>()] = freqs[i];
      c.mcv_order.push_back(vals[i].get<std::string>());
    }
    for (const auto& v : nlohmann::json::parse(r[8].as<std::string>()))
      c.hist.push_back(v.get<std::string>());
    s.cols[r[0].as<std::string>()][r[1].as<std::string>()] = c;
  }
  return s;
}

double min_over_max(double a, double b) {
  a = std::max(a, 0.0);
  b = std::max(b, 0.0);
  return a == b ? 1 : std::min(a, b) / std::max(a, b);
}

// Piecewise CDF of sorted bounds: bound i of n at i/(n-1), linear between bounds
// for numbers, the middle of the step for ranks.
double cdf_at(const std::vector<double>& h, double x, bool linear) {
  const double n1 = static_cast<double>(h.size() - 1);
  if (x < h.front()) return 0;
  if (x > h.back()) return 1;
  double below = 0, equal = 0;
  for (double b : h) {
    below += b < x;
    equal += b == x;
  }
  if (equal > 0) return (below + (equal - 1) / 2) / n1;
  const double lo = h[static_cast<size_t>(below) - 1], hi = h[static_cast<size_t>(below)];
  return (below - 1 + (linear ? (x - lo) / (hi - lo) : 0.5)) / n1;
}

double ks(const std::vector<double>& a, const std::vector<double>& b, bool linear) {
  double worst = 0;
  for (const auto* side : {&a, &b})
    for (double x : *side)
      worst = std::max(worst, std::fabs(cdf_at(a, x, linear) - cdf_at(b, x, linear)));
  return worst;
}

// Ranks of two bound lists in the type's order, by the mirror's server.
std::pair<std::vector<double>, std::vector<double>> ranks(pqxx::connection& conn,
                                                          const std::string& type,
                                                          const std::vector<std::string>& a,
                                                          const std::vector<std::string>& b) {
  pqxx::read_transaction tx(conn);
  std::map<std::string, double> rank;
  std::vector<std::string> all(a);
  all.insert(all.end(), b.begin(), b.end());
  for (const auto& r : tx.exec_params(
           "SELECT v FROM (SELECT DISTINCT v FROM unnest($1::text[]) v) d ORDER BY v::" + type,
           array_literal(all)))
    rank[r[0].as<std::string>()] = static_cast<double>(rank.size());
  std::pair<std::vector<double>, std::vector<double>> out;
  for (const auto& v : a) out.first.push_back(rank.at(v));
  for (const auto& v : b) out.second.push_back(rank.at(v));
  std::sort(out.first.begin(), out.first.end());
  std::sort(out.second.begin(), out.second.end());
  return out;
}

std::optional<std::vector<double>> as_numbers(const std::vector<std::string>& v) {
  std::vector<double> out;
  for (const auto& s : v) {
    size_t used = 0;
    try {
      out.push_back(std::stod(s, &used));
    } catch (...) {
      return std::nullopt;
    }
    if (used != s.size()) return std::nullopt;
  }
  std::sort(out.begin(), out.end());
  return out;
}

int rank_compared = 0;  // columns whose MCV lists share no value (compared by rank)

struct Measured {
  double score = 0;
  std::map<std::string, double> columns;  // "table.column" -> column score
  std::map<std::string, double> parts;    // "stats", "plans"
};

std::pair<std::string, double> explain(pqxx::connection& conn, const std::string& schema,
                                       std::string sql, const std::string* value = nullptr) {
  pqxx::read_transaction tx(conn);
  tx.exec0("SET LOCAL search_path = " + tx.quote_name(schema));
  std::string json;
  if (sql.find("$1") == std::string::npos) {
    json = tx.exec1("EXPLAIN (FORMAT JSON) " + sql)[0].as<std::string>();
  } else if (value) {  // the value written into the statement
    sql.replace(sql.find("$1"), 2, tx.quote(*value));
    json = tx.exec1("EXPLAIN (FORMAT JSON) " + sql)[0].as<std::string>();
  } else {  // the generic plan
    tx.exec0("SET LOCAL plan_cache_mode = force_generic_plan");
    tx.exec0("PREPARE generic AS " + sql);
    json = tx.exec1("EXPLAIN (FORMAT JSON) EXECUTE generic(NULL)")[0].as<std::string>();
    tx.exec0("DEALLOCATE generic");
  }
  const PlanNode root = parse_explain_json(json);
  return {shape_signature(root), root.estimated_rows};
}

Measured measure_independently(const std::string& source_dsn, const std::string& mirror_dsn,
                               const std::string& schema, const std::vector<std::string>& sqls) {
  const Side p = read_side(source_dsn, "public");
  const Side m = read_side(mirror_dsn, schema);
  pqxx::connection mirror(mirror_dsn);
  Measured out;
  double tables = 0;
  for (const auto& [table, rows] : p.rows) {
    const double rows_c = m.rows.count(table) ? min_over_max(rows, m.rows.at(table)) : 0;
    double sum = 0;
    int n = 0;
    for (const auto& [name, pc] : p.cols.at(table)) {
      double col = 0;
      if (m.cols.count(table) && m.cols.at(table).count(name)) {
        const Column& mc = m.cols.at(table).at(name);
        std::vector<double> c;
        const double dp = pc.n_distinct < 0 ? -pc.n_distinct * rows : pc.n_distinct;
        const double dm = mc.n_distinct < 0 ? -mc.n_distinct * m.rows.at(table) : mc.n_distinct;
        c.push_back(min_over_max(dp, dm));
        c.push_back(std::max(0.0, 1 - std::fabs(pc.null_frac - mc.null_frac) / 0.2));
        if (!pc.mcv.empty() || !mc.mcv.empty()) {
          double gap = 0;
          bool shared = false;
          for (const auto& [v, f] : pc.mcv) {
            shared = shared || mc.mcv.count(v);
            gap = std::max(gap, std::fabs(f - (mc.mcv.count(v) ? mc.mcv.at(v) : 0)));
          }
          for (const auto& [v, f] : mc.mcv)
            gap = std::max(gap, std::fabs(f - (pc.mcv.count(v) ? pc.mcv.at(v) : 0)));
          if (!shared && !pc.mcv.empty() && !mc.mcv.empty()) {  // rank by rank
            std::vector<double> a, b;
            for (const auto& [v, f] : pc.mcv) a.push_back(f);
            for (const auto& [v, f] : mc.mcv) b.push_back(f);
            std::sort(a.rbegin(), a.rend());
            std::sort(b.rbegin(), b.rend());
            gap = 0;
            for (size_t i = 0; i < std::max(a.size(), b.size()); ++i)
              gap = std::max(gap, std::fabs((i < a.size() ? a[i] : 0) - (i < b.size() ? b[i] : 0)));
            ++rank_compared;
          }
          c.push_back(std::max(0.0, 1 - gap / 0.2));
        }
        if (pc.correlation && mc.correlation)
          c.push_back(std::max(0.0, 1 - std::fabs(*pc.correlation - *mc.correlation)));
        if (!pc.hist.empty() || !mc.hist.empty()) {
          if (pc.hist.empty() || mc.hist.empty()) {
            c.push_back(0);
          } else if (auto a = as_numbers(pc.hist), b = as_numbers(mc.hist); a && b) {
            c.push_back(1 - ks(*a, *b, true));
          } else {
            auto [ra, rb] = ranks(mirror, mc.type, pc.hist, mc.hist);
            c.push_back(1 - ks(ra, rb, false));
          }
        }
        for (double x : c) col += x;
        col /= static_cast<double>(c.size());
      }
      out.columns[table + "." + name] = col;
      sum += col;
      ++n;
    }
    tables += n ? (rows_c + sum / n) / 2 : rows_c;
  }
  out.parts["stats"] = tables / static_cast<double>(p.rows.size());
  out.score = 100 * out.parts["stats"];
  if (!sqls.empty()) {
    pqxx::connection source(source_dsn);
    double plans = 0;
    size_t count = 0;
    auto score = [&](const std::string& sql, const std::string* pv, const std::string* mv) {
      const auto [ps, pr] = explain(source, "public", sql, pv);
      const auto [ms, mr] = explain(mirror, schema, sql, mv);
      plans += (ps == ms ? 0.5 : 0) + 0.5 * min_over_max(std::max(pr, 1.0), std::max(mr, 1.0));
      ++count;
    };
    for (const auto& sql : sqls) {
      score(sql, nullptr, nullptr);
      if (sql.find("$1") == std::string::npos) continue;
      const Column& pc = p.cols.at(kParamTable).at(kParamColumn);
      const Column& mc = m.cols.at(kParamTable).at(kParamColumn);
      // Hot: the first MCV; rare: the middle histogram bound, else the last MCV.
      auto hot = [](const Column& c) {
        return c.mcv_order.empty() ? nullptr : &c.mcv_order.front();
      };
      auto rare = [](const Column& c) {
        return !c.hist.empty()          ? &c.hist[c.hist.size() / 2]
               : c.mcv_order.size() > 1 ? &c.mcv_order.back()
                                        : nullptr;
      };
      if (hot(pc) && hot(mc)) score(sql, hot(pc), hot(mc));
      if (rare(pc) && rare(mc)) score(sql, rare(pc), rare(mc));
    }
    out.parts["plans"] = plans / static_cast<double>(count);
    out.score = 100 * (out.parts["stats"] + out.parts["plans"]) / 2;
  }
  return out;
}

std::vector<std::string> statements(const std::string& text) {
  std::vector<std::string> out;
  size_t start = 0;
  while (start < text.size()) {
    size_t end = text.find(';', start);
    if (end == std::string::npos) break;
    std::string s = text.substr(start, end - start);
    // Drop the leading comment line and blank space.
    while (s.rfind("--", 0) == 0 ||
           (!s.empty() && std::isspace(static_cast<unsigned char>(s[0])))) {
      if (s.rfind("--", 0) == 0)
        s = s.substr(s.find('\n') + 1);
      else
        s = s.substr(1);
    }
    if (!s.empty()) out.push_back(s);
    start = end + 1;
  }
  return out;
}

// ---------------------------------------------------------------------------

class Fidelity : public ::testing::Test {
 protected:
  void SetUp() override {
    build_production(production_.dsn(), 0.5);
    dir_ = fs::temp_directory_path() / testing::unique_name("stats_fidelity");
    fs::create_directories(dir_);
    profile_ = (dir_ / "mirror.yaml").string();
    queries_ = (dir_ / "queries.sql").string();
    std::ofstream(queries_) << kQueries;
    auto imported = run_pgshape({"stats", "--source", production_.dsn(), "-o", profile_});
    ASSERT_EQ(imported.exit_code, 0) << imported.err;
    auto loaded = run_pgshape({"load", profile_, "--scale", "production", "--schema", "mirror",
                               "--jobs", "1", "--dsn", mirror_.dsn(), "-q"});
    ASSERT_EQ(loaded.exit_code, 0) << loaded.err;
  }
  void TearDown() override { fs::remove_all(dir_); }

  testing::CommandResult fidelity(const std::string& schema, std::vector<std::string> extra) {
    std::vector<std::string> args = {
        "fidelity", "--source", production_.dsn(), "--dsn", mirror_.dsn(), "--schema", schema};
    args.insert(args.end(), extra.begin(), extra.end());
    return run_pgshape(args);
  }

  ScratchDatabase production_{"stats_fprod"};
  ScratchDatabase mirror_{"stats_fmirror"};
  fs::path dir_;
  std::string profile_;
  std::string queries_;
};

TEST_F(Fidelity, ScoreEqualsTheTestsOwnMeasureAndABadMirrorFailsTheGate) {
  auto run = fidelity("mirror", {"--queries", queries_, "--json"});
  ASSERT_EQ(run.exit_code, 0) << run.err << run.out;
  const auto j = nlohmann::json::parse(run.out);
  const Measured own =
      measure_independently(production_.dsn(), mirror_.dsn(), "mirror", statements(kQueries));
  std::printf(
      "fidelity: pgshape %.3f, measured here %.3f (statistics %.3f / %.3f, plans %.3f / "
      "%.3f)\n",
      j["score"].get<double>(), own.score, 100 * j["stats_score"].get<double>(),
      100 * own.parts.at("stats"), 100 * j["plans_score"].get<double>(),
      100 * own.parts.at("plans"));
  std::printf("%d column(s) with MCV lists sharing no value\n", rank_compared);
  for (const auto& q : j["queries"])
    if (q["score"].get<double>() < 0.95)
      std::printf("  %s: %.2f (rows %.0f / %.0f)\n    %s\n    %s\n",
                  q["name"].get<std::string>().c_str(), q["score"].get<double>(),
                  q["source_rows"].get<double>(), q["mirror_rows"].get<double>(),
                  q["source_shape"].get<std::string>().c_str(),
                  q["mirror_shape"].get<std::string>().c_str());
  EXPECT_NEAR(j["score"].get<double>(), own.score, 0.01);
  EXPECT_NEAR(j["stats_score"].get<double>(), own.parts.at("stats"), 1e-4);
  EXPECT_NEAR(j["plans_score"].get<double>(), own.parts.at("plans"), 1e-4);
  ASSERT_EQ(j["columns"].size(), own.columns.size());
  for (const auto& c : j["columns"]) {
    const std::string key = c["table"].get<std::string>() + "." + c["column"].get<std::string>();
    ASSERT_TRUE(own.columns.count(key)) << key;
    EXPECT_NEAR(c["score"].get<double>(), own.columns.at(key), 1e-6) << key;
  }
  // 8 statements, and the $1 one also with its hot and rare value.
  ASSERT_EQ(j["queries"].size(), 10u);
  EXPECT_EQ(j["queries"][8]["name"], queries_ + ":10 [hot]");
  EXPECT_EQ(j["queries"][9]["name"], queries_ + ":10 [rare]");
  for (const auto& q : j["queries"]) EXPECT_EQ(q["error"], "") << q.dump();
  // A mirror made from these statistics is close, not perfect.
  EXPECT_GT(j["score"].get<double>(), 75);

  // The same profile at its 1 % test scale: rows, distinct counts and plans all off.
  auto small = run_pgshape(
      {"load", profile_, "--scale", "test", "--schema", "small", "--dsn", mirror_.dsn(), "-q"});
  ASSERT_EQ(small.exit_code, 0) << small.err;
  const double good = j["score"].get<double>();
  auto bad =
      fidelity("small", {"--queries", queries_, "--min-score", fmt::format("{:.0f}", good - 5)});
  EXPECT_EQ(bad.exit_code, 3) << bad.err << bad.out;
  EXPECT_NE(bad.err.find("is below --min-score"), std::string::npos) << bad.err;
  EXPECT_NE(bad.out.find("statistics that differ"), std::string::npos) << bad.out;
  const Measured own_bad =
      measure_independently(production_.dsn(), mirror_.dsn(), "small", statements(kQueries));
  auto bad_json = fidelity("small", {"--queries", queries_, "--json", "--min-score", "99"});
  EXPECT_EQ(bad_json.exit_code, 3);
  const auto bj = nlohmann::json::parse(bad_json.out);
  std::printf("bad mirror: pgshape %.3f, measured here %.3f\n", bj["score"].get<double>(),
              own_bad.score);
  EXPECT_NEAR(bj["score"].get<double>(), own_bad.score, 0.01);
  EXPECT_LT(bj["score"].get<double>(), good - 5);
  EXPECT_TRUE(bj["gate"]["tripped"].get<bool>());
  // The good mirror passes the same threshold.
  auto pass = fidelity(
      "mirror", {"--queries", queries_, "--min-score", fmt::format("{:.0f}", good - 5), "-q"});
  EXPECT_EQ(pass.exit_code, 0) << pass.err;
}

TEST_F(Fidelity, RefreshMinFidelityScoresTheNewMirrorAndGates) {
  const std::string nightly = (dir_ / "nightly.yaml").string();
  auto ok = run_pgshape({"refresh", nightly, "--schema", "nightly", "--source", production_.dsn(),
                         "--dsn", mirror_.dsn(), "--min-fidelity", "50", "--queries", queries_,
                         "--json"});
  ASSERT_EQ(ok.exit_code, 0) << ok.err << ok.out;
  const auto j = nlohmann::json::parse(ok.out);
  ASSERT_TRUE(j.contains("fidelity"));
  const double score = j["fidelity"]["score"].get<double>();
  EXPECT_GT(score, 50);
  EXPECT_EQ(j["fidelity"]["mirror"]["schema"], "nightly");
  const Measured own =
      measure_independently(production_.dsn(), mirror_.dsn(), "nightly", statements(kQueries));
  EXPECT_NEAR(score, own.score, 0.01);
  auto gated = run_pgshape({"refresh", nightly, "--schema", "nightly", "--source",
                            production_.dsn(), "--dsn", mirror_.dsn(), "--min-fidelity", "100"});
  EXPECT_EQ(gated.exit_code, 3) << gated.err;
  EXPECT_NE(gated.err.find("--min-fidelity 100"), std::string::npos) << gated.err;
  // A bad query file is refused before anything is written: exit 2.
  const std::string bad_file = (dir_ / "bad.sql").string();
  std::ofstream(bad_file) << "SELECT 1;\nEXPLAIN ANALYZE SELECT 1;\n";
  auto refused =
      run_pgshape({"refresh", nightly, "--schema", "nightly", "--source", production_.dsn(),
                   "--dsn", mirror_.dsn(), "--min-fidelity", "10", "--queries", bad_file});
  EXPECT_EQ(refused.exit_code, 2) << refused.err;
  EXPECT_NE(refused.err.find(bad_file + ":2:1:"), std::string::npos) << refused.err;
  // --queries means nothing without the score it feeds: refused, not ignored.
  auto alone = run_pgshape({"refresh", nightly, "--schema", "nightly", "--source",
                            production_.dsn(), "--dsn", mirror_.dsn(), "--queries", queries_});
  EXPECT_EQ(alone.exit_code, 2) << alone.err;
  EXPECT_NE(alone.err.find("only with --min-fidelity"), std::string::npos) << alone.err;
}

// The profile's own queries: without --queries, `fidelity PROFILE` and refresh
// --min-fidelity explain each of the overlay's queries once per pick, each side's
// value from its own statistics, and name the picks a side has no value for.
constexpr const char* kOverlayQueries = R"(queries:
  - name: by_customer
    sql: SELECT * FROM orders WHERE customer_id = $1 ORDER BY created_at DESC LIMIT 10
    params:
      - { column: orders.customer_id, pick: [most_common, rare, "rank:100000"] }
  - name: refunded
    sql: SELECT count(*) FROM orders WHERE status = 'refunded'
)";

TEST_F(Fidelity, WithoutQueriesTheProfilesOwnQueriesAreComparedPickByPick) {
  std::ofstream(dir_ / "mirror.overlay.yaml") << kOverlayQueries;
  auto run = run_pgshape({"fidelity", profile_, "--source", production_.dsn(), "--dsn",
                          mirror_.dsn(), "--schema", "mirror", "--json"});
  ASSERT_EQ(run.exit_code, 0) << run.err << run.out;
  const auto j = nlohmann::json::parse(run.out);
  ASSERT_EQ(j["queries"].size(), 3u) << j["queries"].dump(1);
  EXPECT_EQ(j["queries"][0]["name"], "by_customer [most_common]");
  EXPECT_EQ(j["queries"][1]["name"], "by_customer [rare]");
  EXPECT_EQ(j["queries"][2]["name"], "refunded [none]");
  ASSERT_EQ(j["skipped"].size(), 1u);
  EXPECT_EQ(j["skipped"][0].get<std::string>().rfind("by_customer [rank:100000]: no such value", 0),
            0u)
      << j["skipped"][0];
  for (const auto& q : j["queries"]) EXPECT_EQ(q["error"], "") << q.dump();
  // The source's most_common is its own first MCV: its estimate, taken here, is the one
  // pgshape reports for the source side.
  pqxx::connection prod(production_.dsn());
  pqxx::read_transaction tx(prod);
  const std::string hot =
      tx.exec1(
            "SELECT (most_common_vals::text::text[])[1] FROM pg_stats WHERE schemaname = "
            "'public' AND tablename = 'orders' AND attname = 'customer_id'")[0]
          .as<std::string>();
  const auto plan = nlohmann::json::parse(
      tx.exec1("EXPLAIN (FORMAT JSON) SELECT * FROM orders WHERE customer_id = " + tx.quote(hot) +
               " ORDER BY created_at DESC LIMIT 10")[0]
          .as<std::string>());
  EXPECT_DOUBLE_EQ(j["queries"][0]["source_rows"].get<double>(),
                   plan[0]["Plan"]["Plan Rows"].get<double>());
  // Each query's score is the documented one; the plans part is their mean.
  double sum = 0;
  for (const auto& q : j["queries"]) {
    const double a = std::max(q["source_rows"].get<double>(), 1.0),
                 b = std::max(q["mirror_rows"].get<double>(), 1.0);
    const double expected =
        (q["same_shape"].get<bool>() ? 0.5 : 0) + 0.5 * std::min(a, b) / std::max(a, b);
    EXPECT_NEAR(q["score"].get<double>(), expected, 1e-9) << q.dump();
    sum += expected;
  }
  EXPECT_NEAR(j["plans_score"].get<double>(), sum / 3, 1e-9);
  // --queries wins over the profile's.
  auto file = run_pgshape({"fidelity", profile_, "--source", production_.dsn(), "--dsn",
                           mirror_.dsn(), "--schema", "mirror", "--queries", queries_, "--json"});
  ASSERT_EQ(file.exit_code, 0) << file.err;
  EXPECT_EQ(nlohmann::json::parse(file.out)["queries"].size(), 10u);

  // refresh has its profile at hand: the overlay's queries are scored the same way.
  const std::string nightly = (dir_ / "nightly.yaml").string();
  std::ofstream(dir_ / "nightly.overlay.yaml") << kOverlayQueries;
  auto refreshed =
      run_pgshape({"refresh", nightly, "--schema", "nightly", "--source", production_.dsn(),
                   "--dsn", mirror_.dsn(), "--min-fidelity", "0", "--json"});
  ASSERT_EQ(refreshed.exit_code, 0) << refreshed.err << refreshed.out;
  const auto r = nlohmann::json::parse(refreshed.out);
  ASSERT_EQ(r["fidelity"]["queries"].size(), 3u) << r["fidelity"].dump(1);
  EXPECT_EQ(r["fidelity"]["queries"][1]["name"], "by_customer [rare]");
  EXPECT_EQ(r["fidelity"]["skipped"].size(), 1u);
}

// On a server of its own that logs every statement of the source database (with the
// application and database in each line), a fidelity run leaves only reads there.
TEST(FidelitySource, LogStatementAllShowsOnlyCatalogReadsAndPlainExplain) {
  auto server = EmbeddedServer::start(EmbeddedOptions{});
  const std::string log = fs::path(server->data_dir()).parent_path() / "server.log";
  {
    pqxx::connection admin(server->dsn());
    pqxx::nontransaction tx(admin);
    tx.exec0("ALTER SYSTEM SET log_line_prefix = '[%d|%c] '");
    tx.exec("SELECT pg_reload_conf()");
    tx.exec0("CREATE DATABASE prod");
  }
  const std::string prod = dsn_for_database(server->dsn(), "prod");
  build_production(prod, 0.5);  // its hot ids need 0.5 or more
  {
    pqxx::connection admin(server->dsn());
    pqxx::nontransaction tx(admin);
    // The mirror: a copy, so every plan matches; made before logging starts.
    tx.exec0("CREATE DATABASE copy TEMPLATE prod");
    tx.exec0("ALTER DATABASE prod SET log_statement = 'all'");
  }
  const auto dir = fs::temp_directory_path() / testing::unique_name("stats_fidlog");
  fs::create_directories(dir);
  const std::string queries = (dir / "q.sql").string();
  std::ofstream(queries) << kQueries << "SELECT * FROM orders WHERE customer_id = $1;\n"
                         << "DELETE FROM orders WHERE status = 'pending';\n";
  const size_t before = fs::file_size(log);
  auto run =
      run_pgshape({"fidelity", "--source", prod, "--dsn", dsn_for_database(server->dsn(), "copy"),
                   "--schema", "public", "--queries", queries, "--json"});
  ASSERT_EQ(run.exit_code, 0) << run.err << run.out;
  const auto j = nlohmann::json::parse(run.out);
  // 10 statements; the two with $1 also with a hot and a rare value each.
  EXPECT_EQ(j["queries"].size(), 14u);
  for (const auto& q : j["queries"]) {
    EXPECT_TRUE(q["same_shape"].get<bool>()) << q.dump();
    EXPECT_EQ(q["error"], "") << q.dump();
  }
  EXPECT_GT(j["score"].get<double>(), 95);

  std::ifstream in(log);
  in.seekg(static_cast<std::streamoff>(before));
  std::string line;
  const std::regex logged(R"(^\[prod\|([^\]]*)\] LOG:  (statement|execute [^:]*): (.*)$)");
  const std::regex allowed(
      R"(^(SELECT |SET |BEGIN|COMMIT|ROLLBACK|EXPLAIN \(FORMAT JSON\) |PREPARE pgshape_fidelity AS SELECT |DEALLOCATE ))");
  int statements = 0, explains = 0;
  std::map<std::string, std::string> first;  // session -> its first statement
  while (std::getline(in, line)) {
    std::smatch m;
    if (!std::regex_search(line, m, logged)) continue;
    const std::string session = m[1], sql = m[3];
    ++statements;
    first.try_emplace(session, sql);
    EXPECT_TRUE(std::regex_search(sql, allowed)) << "the source saw: " << line;
    EXPECT_EQ(sql.find("ANALYZE"), std::string::npos) << line;
    explains += sql.rfind("EXPLAIN", 0) == 0;
  }
  std::printf("source log: %d statements (%d EXPLAIN) in %zu sessions\n", statements, explains,
              first.size());
  EXPECT_EQ(explains, 14);
  EXPECT_GT(statements, 10);
  // Every session that ran anything made itself read-only first.
  for (const auto& [session, sql] : first)
    EXPECT_EQ(sql, "SET default_transaction_read_only = on") << "session " << session;
  {
    pqxx::connection conn(prod);
    pqxx::read_transaction tx(conn);
    EXPECT_GT(tx.exec1("SELECT count(*) FROM orders WHERE status = 'pending'")[0].as<int64_t>(), 0)
        << "the DELETE in the query file was only explained";
  }
  fs::remove_all(dir);
}

}  // namespace
}  // namespace pgshape
