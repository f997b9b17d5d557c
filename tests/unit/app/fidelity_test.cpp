// The fidelity check's pure parts: the query file splitter (what reaches EXPLAIN,
// and what is refused before any connection), the histogram distance, and the
// score formula on hand-made snapshots whose figures are worked out here.
#include <gtest/gtest.h>

#include <cmath>

#include "app/fidelity_internal.hpp"
#include "pgshape/error.hpp"
#include "pgshape/fidelity.hpp"

namespace pgshape {
namespace {

TEST(FidelityQueryFile, SplitsAtTopLevelSemicolonsOnly) {
  const auto q = parse_query_file(
      "-- listing; hot category\n"
      "SELECT ';' AS a, \"x;y\" FROM t WHERE b = $1;\n"
      "\n  /* a; /* nested; */ comment */ WITH x AS (SELECT $$;$$) SELECT * FROM x;"
      "select E'it\\'s;' ;;\n",
      "q.sql");
  ASSERT_EQ(q.size(), 3u);
  EXPECT_EQ(q[0].sql, "SELECT ';' AS a, \"x;y\" FROM t WHERE b = $1");
  EXPECT_EQ(q[0].line, 2);
  EXPECT_EQ(q[0].column, 1);
  EXPECT_EQ(q[0].params, 1);
  EXPECT_EQ(q[0].name, "q.sql:2");
  EXPECT_EQ(q[1].sql, "WITH x AS (SELECT $$;$$) SELECT * FROM x");
  EXPECT_EQ(q[1].line, 4);
  EXPECT_EQ(q[1].column, 34);
  EXPECT_EQ(q[1].params, 0);
  EXPECT_EQ(q[2].sql, "select E'it\\'s;'");
}

TEST(FidelityQueryFile, RefusesWhatPlainExplainMustNotRun) {
  for (const char* text :
       {"SELECT 1;\nEXPLAIN ANALYZE SELECT 1;", "SELECT 1;\n  analyze t",
        "SELECT 1; SET default_transaction_read_only = off", "SELECT 1;\nCOMMIT; DROP TABLE t"}) {
    try {
      parse_query_file(text, "q.sql");
      ADD_FAILURE() << text << " was accepted";
    } catch (const UsageError& e) {
      EXPECT_EQ(e.code(), "fidelity.bad-query");
      EXPECT_EQ(std::string(e.what()).rfind("q.sql:", 0), 0u) << e.what();
    }
  }
  try {
    parse_query_file("SELECT 1;\nSELECT 'open", "q.sql");
    ADD_FAILURE();
  } catch (const UsageError& e) {
    EXPECT_EQ(std::string(e.what()), "q.sql:2:8: unterminated string literal");
  }
}

TEST(FidelityQueryFile, NamesWhatIsLeftOpenWhereItStarts) {
  const std::pair<const char*, const char*> cases[] = {
      {"SELECT 1;\n  SELECT /* a /* b */ 1", "q.sql:2:10: unterminated /* comment"},
      {"SELECT \"open FROM t", "q.sql:1:8: unterminated quoted identifier"},
      {"SELECT 1;\nSELECT $body$ x; $bod$", "q.sql:2:8: unterminated dollar quote $body$"},
      {"SELECT E'it\\'s", "q.sql:1:9: unterminated string literal"},
      // A refused statement is named even when something after it is left open.
      {"VACUUM t;\nSELECT 'open", "q.sql:1:1: 'vacuum' is not a statement fidelity explains"},
      {"SELECT 1;\n (SELECT 2)", "q.sql:2:2: a statement must start with a keyword"}};
  for (const auto& [text, message] : cases) {
    try {
      parse_query_file(text, "q.sql");
      ADD_FAILURE() << text << " was accepted";
    } catch (const UsageError& e) {
      EXPECT_EQ(e.code(), "fidelity.bad-query");
      EXPECT_EQ(std::string(e.what()), message) << text;
    }
  }
}

TEST(FidelityQueryFile, CountsParamsOutsideQuotesAndComments) {
  const auto q = parse_query_file(
      "SELECT '$9', $q$ $8 $q$, \"$7\" /* $6 */ FROM t WHERE a = $2 AND b = $1 -- $5\n;"
      "SELECT a$3 FROM t;",
      "q.sql");
  ASSERT_EQ(q.size(), 2u);
  EXPECT_EQ(q[0].params, 2);
  EXPECT_EQ(q[1].params, 0);
}

TEST(FidelityQueryFile, FindsEachColumnComparedWithAParam) {
  auto read = [](std::string_view sql) {
    std::string out;
    for (const auto& c : fidelity_internal::compared_params(sql))
      out += (c.qualifier.empty() ? "" : c.qualifier + ".") + c.column + "=" + std::to_string(c.n) +
             ";";
    return out;
  };
  EXPECT_EQ(read("SELECT * FROM t WHERE a = $1 AND t.b=$2 AND c =\n\t$3"), "a=1;t.b=2;c=3;");
  // The last qualifier counts; a match may start after digits; at most 6 digits of n.
  EXPECT_EQ(read("x.y.z = $4 OR 9col = $5 OR d = $1234567"), "y.z=4;col=5;d=123456;");
  EXPECT_EQ(read("a = 1 AND b = $x AND a. = $1 AND $1 = e AND f <= $2"), "");
}

TEST(FidelityHistogram, DistanceIsTheLargestCdfGap) {
  // Uniform on [0, 100] against uniform on [0, 50]: at 50 the CDFs are 0.5 and 1.
  EXPECT_NEAR(histogram_distance({0, 25, 50, 75, 100}, {0, 12.5, 25, 37.5, 50}, true), 0.5, 1e-12);
  EXPECT_NEAR(histogram_distance({0, 50, 100}, {0, 50, 100}, true), 0, 1e-12);
  // Disjoint: 1.
  EXPECT_NEAR(histogram_distance({0, 1, 2}, {10, 11, 12}, true), 1, 1e-12);
  // Ordinal: b's middle bound falls strictly between a's bounds 0 and 1 -> 0.25 vs 0.5.
  EXPECT_NEAR(histogram_distance({1, 3, 5}, {1, 2, 5}, false), 0.25, 1e-12);
  EXPECT_EQ(histogram_distance({}, {1, 2}, true), 1);
}

ColumnStats column(std::string name, double nd, double null_frac, std::vector<std::string> mcv,
                   std::vector<double> mcf, std::vector<std::string> hist,
                   std::optional<double> corr) {
  return ColumnStats{.name = std::move(name),
                     .type = "integer",
                     .has_stats = true,
                     .null_frac = null_frac,
                     .n_distinct = nd,
                     .mcv = std::move(mcv),
                     .mcf = std::move(mcf),
                     .histogram = std::move(hist),
                     .correlation = corr};
}

TEST(FidelityScore, FollowsTheDocumentedFormula) {
  StatsSnapshot source{.database = "prod", .schema = "public"};
  source.tables.push_back(
      TableStats{.name = "t",
                 .reltuples = 1000,
                 .columns = {column("a", -1, 0, {}, {}, {"0", "50", "100"}, 1.0),
                             column("b", 10, 0.1, {"1", "2"}, {0.5, 0.3}, {}, 0.2)}});
  source.tables.push_back(TableStats{.name = "gone", .reltuples = 5});
  StatsSnapshot mirror{.database = "copy", .schema = "m"};
  mirror.tables.push_back(
      TableStats{.name = "t",
                 .reltuples = 800,
                 .columns = {column("a", -1, 0, {}, {}, {"0", "25", "50"}, 0.9),
                             column("b", 5, 0.15, {"1", "3"}, {0.45, 0.3}, {}, std::nullopt)}});

  const std::vector<FidelityQuery> queries = {{.name = "q:1", .sql = "SELECT 1"},
                                              {.name = "q:2", .sql = "SELECT 2"}};
  const std::vector<ExplainedPlan> src = {{.shape = "Seq Scan on t", .rows = 100},
                                          {.shape = "Seq Scan on t", .rows = 10}};
  const std::vector<ExplainedPlan> mir = {{.shape = "Seq Scan on t", .rows = 50},
                                          {.shape = "Index Scan using i on t", .rows = 10}};
  const FidelityReport r = score_fidelity(source, mirror, queries, src, mir, nullptr);

  // a: n_distinct 1000 vs 800 -> 0.8; null 1; correlation 1 - 0.1; histogram KS 0.5.
  const double a = (0.8 + 1 + 0.9 + 0.5) / 4;
  // b: n_distinct 0.5; null 1 - 0.05/0.2; MCV: value 2 vs 0 is the largest gap (0.3).
  const double b = (0.5 + 0.75 + (1 - 0.3 / 0.2 < 0 ? 0 : 1 - 0.3 / 0.2)) / 3;
  ASSERT_EQ(r.columns.size(), 2u);
  EXPECT_NEAR(r.columns[0].score, a, 1e-12);
  EXPECT_NEAR(r.columns[1].score, b, 1e-12);
  const double t = (0.8 + (a + b) / 2) / 2;
  ASSERT_EQ(r.tables.size(), 2u);
  EXPECT_NEAR(r.tables[0].score, t, 1e-12);
  EXPECT_TRUE(r.tables[1].missing);
  EXPECT_EQ(r.tables[1].score, 0);
  EXPECT_NEAR(r.stats_score, t / 2, 1e-12);
  const double plans = ((0.5 + 0.5 * 0.5) + (0 + 0.5)) / 2;
  ASSERT_TRUE(r.plans_score);
  EXPECT_NEAR(*r.plans_score, plans, 1e-12);
  EXPECT_NEAR(r.score, 100 * (t / 2 + plans) / 2, 1e-9);
  EXPECT_FALSE(r.queries[1].same_shape);
}

TEST(FidelityScore, IdenticalSnapshotsScore100) {
  StatsSnapshot s{.database = "prod", .schema = "public"};
  s.tables.push_back(
      TableStats{.name = "t",
                 .reltuples = 10,
                 .columns = {column("a", 3, 0.2, {"x", "y"}, {0.5, 0.3}, {"a", "b", "c"}, -0.3)}});
  s.tables[0].columns[0].type = "text";
  const FidelityReport r = score_fidelity(
      s, s, {}, {}, {},
      [](const std::string&, const std::vector<std::string>&, const std::vector<std::string>&) {
        return std::optional<std::pair<std::vector<double>, std::vector<double>>>(
            {{1, 2, 3}, {1, 2, 3}});
      });
  EXPECT_DOUBLE_EQ(r.score, 100);
  EXPECT_FALSE(r.plans_score);
  EXPECT_EQ(r.columns[0].measures.size(), 5u);
}

}  // namespace
}  // namespace pgshape
