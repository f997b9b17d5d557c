// Issue #15 items 4 and 5 (GIN) on a real server: a source whose text[] and
// integer[] columns hold skewed elements and whose jsonb column holds objects
// of skewed keys and values, with GIN indexes (jsonb_ops and jsonb_path_ops),
// is imported with `pgshape stats`, loaded, ANALYZEd and compared:
//   - every most common element of frequency >= 0.01 within 0.01 + 15 % of
//     production's, the average distinct elements per row within 10 %, at
//     least half as many distinct arrays as production;
//   - EXPLAIN row estimates of @>, &&, = ANY and jsonb @> for hot and rare
//     values within 2x of production's, and the same plan shape (a bitmap
//     scan of the GIN index, or a sequential scan) as production's where its
//     choice is no near tie (the other plan 20 % dearer).
#include <gtest/gtest.h>

#include <fmt/format.h>
#include <cmath>
#include <filesystem>
#include <map>

#include <nlohmann/json.hpp>

#include "mirror_steps.hpp"
#include "production_db.hpp"

namespace pgshape {
namespace {

using testing::run_pgshape;
using testing::ScratchDatabase;

void build_source(const std::string& dsn) {
  pqxx::connection conn(dsn);
  pqxx::work tx(conn);
  tx.exec("SELECT setseed(0.2727)");
  tx.exec0(R"(
    CREATE TABLE posts (
      id bigint PRIMARY KEY,
      tags text[],
      codes integer[] NOT NULL,
      attrs jsonb))");
  // 120,000 rows. tags: 0..7 distinct words of a 3,000-word vocabulary, skewed
  // (log-uniform: w0 in ~27 % of the rows, w2990 in ~0.01 %), 8 % NULL. codes: 1..4 of 800
  // numbers, the low ones hot. attrs: objects with a color (red 45 %, blue 30 %,
  // ..., rare ones), a size most of the time, a promo flag on 12 %, and a
  // near-unique serial, so no document repeats (pg_stats holds no MCVs for it).
  tx.exec0(R"(
    INSERT INTO posts
    SELECT g,
           CASE WHEN random() < 0.08 THEN NULL ELSE
             ARRAY(SELECT DISTINCT 'w' || (floor(power(3000, random()))::int - 1)
                   FROM generate_series(1, (g * 7919) % 8)) END,
           ARRAY(SELECT DISTINCT floor(800 * power(random(), 3))::int
                 FROM generate_series(0, (g / 3) % 4)),
           CASE WHEN random() < 0.05 THEN NULL ELSE
             jsonb_build_object('color',
               (ARRAY['red', 'red', 'red', 'red', 'red', 'red', 'red', 'red', 'red',
                      'blue', 'blue', 'blue', 'blue', 'blue', 'blue',
                      'green', 'green', 'black', 'white', 'teal'])[1 + (random() * 19.999)::int],
               'serial', g)
             || CASE WHEN random() < 0.8 THEN jsonb_build_object('size', 1 + (random() * 4)::int)
                     ELSE '{}' END
             || CASE WHEN random() < 0.12 THEN '{"promo": true}'::jsonb ELSE '{}' END END
    FROM generate_series(1, 120000) g)");
  tx.exec0("CREATE INDEX posts_tags_gin ON posts USING gin (tags)");
  tx.exec0("CREATE INDEX posts_codes_gin ON posts USING gin (codes)");
  tx.exec0("CREATE INDEX posts_attrs_gin ON posts USING gin (attrs)");
  tx.exec0("CREATE INDEX posts_attrs_path ON posts USING gin (attrs jsonb_path_ops)");
  tx.commit();
  pqxx::nontransaction(conn).exec0("VACUUM ANALYZE posts");
}

struct Elements {
  std::map<std::string, double> freqs;
  double average = 0;
};

Elements read_elements(const std::string& dsn, const std::string& schema,
                       const std::string& column) {
  pqxx::connection conn(dsn);
  pqxx::read_transaction tx(conn);
  const auto r = tx.exec_params1(
      "SELECT coalesce(array_to_json(most_common_elems::text::text[])::text, '[]'), "
      "coalesce(array_to_json(most_common_elem_freqs)::text, '[]'), "
      "coalesce(array_to_json(elem_count_histogram)::text, '[]') "
      "FROM pg_stats WHERE schemaname = $1 AND tablename = 'posts' AND attname = $2",
      schema, column);
  Elements out;
  const auto elems = nlohmann::json::parse(r[0].as<std::string>());
  const auto freqs = nlohmann::json::parse(r[1].as<std::string>());
  const auto counts = nlohmann::json::parse(r[2].as<std::string>());
  for (size_t i = 0; i < elems.size() && i < freqs.size(); ++i)
    out.freqs[elems[i].get<std::string>()] = freqs[i].get<double>();
  if (!counts.empty()) out.average = counts.back().get<double>();
  return out;
}

std::string schema_of(const std::string& dsn) {
  pqxx::connection conn(dsn);
  pqxx::read_transaction tx(conn);
  return tx
      .exec1(
          "SELECT schemaname::text FROM pg_tables WHERE tablename = 'posts' "
          "AND schemaname NOT IN ('pg_catalog', 'information_schema')")[0]
      .as<std::string>();
}

struct Estimate {
  double rows = 0;
  double cost = 0;
  std::string shape;  // the plan's top node, and the index it scans if any
};

std::string index_of(const nlohmann::json& node) {
  if (node.contains("Index Name")) return node["Index Name"].get<std::string>();
  for (const auto& child : node.value("Plans", nlohmann::json::array()))
    if (auto name = index_of(child); !name.empty()) return name;
  return "";
}

// `avoid`: a plan kind turned off ("seqscan", "bitmapscan"), to cost the other.
Estimate explain(const std::string& dsn, const std::string& schema, const std::string& where,
                 const std::string& avoid = "") {
  pqxx::connection conn(dsn);
  pqxx::nontransaction tx(conn);
  tx.exec0("SET search_path = " + tx.quote_name(schema));
  tx.exec0("SET max_parallel_workers_per_gather = 0");
  if (!avoid.empty()) tx.exec0("SET enable_" + avoid + " = off");
  const auto plan = nlohmann::json::parse(
      tx.exec1("EXPLAIN (FORMAT JSON) SELECT * FROM posts WHERE " + where)[0].as<std::string>());
  const auto& top = plan[0]["Plan"];
  const std::string index = index_of(top);
  return {top["Plan Rows"].get<double>(), top["Total Cost"].get<double>(),
          top["Node Type"].get<std::string>() + (index.empty() ? "" : " on " + index)};
}

TEST(ElementsFidelity, ArrayElementsAndJsonbContainmentPlanLikeProduction) {
  ScratchDatabase source("elem_src");
  ScratchDatabase mirror("elem_mirror");
  build_source(source.dsn());
  const std::string profile = testing::fresh_profile_path("elem_fid");
  auto imported = run_pgshape({"stats", "--source", source.dsn(), "-o", profile});
  ASSERT_EQ(imported.exit_code, 0) << imported.err;
  const std::string text = testing::read_all(profile);
  EXPECT_NE(text.find("dist: array"), std::string::npos) << text;
  EXPECT_NE(text.find("dist: document"), std::string::npos) << text;
  EXPECT_EQ(text.find("values of column posts.tags"), std::string::npos) << text;
  EXPECT_EQ(text.find("values of column posts.attrs"), std::string::npos) << text;
  auto loaded = run_pgshape({"load", profile, "--scale", "production", "--schema", "mirror",
                             "--jobs", "2", "--dsn", mirror.dsn()});
  ASSERT_EQ(loaded.exit_code, 0) << loaded.err;
  std::filesystem::remove_all(std::filesystem::path(profile).parent_path());
  const std::string schema = schema_of(mirror.dsn());

  std::printf(
      "\ncolumn  elements src/mirror  avg src/mirror  worst |delta| (element, src, mirror)\n");
  for (const std::string column : {"tags", "codes"}) {
    const Elements p = read_elements(source.dsn(), "public", column);
    const Elements m = read_elements(mirror.dsn(), schema, column);
    ASSERT_FALSE(p.freqs.empty()) << column;
    double worst = 0;
    std::string worst_element;
    for (const auto& [e, f] : p.freqs) {
      if (f < 0.01) continue;
      const auto it = m.freqs.find(e);
      const double got = it == m.freqs.end() ? 0 : it->second;
      EXPECT_LE(std::fabs(got - f), 0.01 + 0.15 * f) << column << " element " << e;
      if (std::fabs(got - f) > worst) worst = std::fabs(got - f), worst_element = e;
    }
    const double wf = p.freqs.count(worst_element) ? p.freqs.at(worst_element) : 0;
    const double wm = m.freqs.count(worst_element) ? m.freqs.at(worst_element) : 0;
    std::printf("%-7s %8zu/%-8zu %6.3f/%-6.3f  %.4f (%s, %.4f, %.4f)\n", column.c_str(),
                p.freqs.size(), m.freqs.size(), p.average, m.average, worst, worst_element.c_str(),
                wf, wm);
    EXPECT_NEAR(m.average, p.average, 0.1 * p.average) << column;
  }
  // Distinct arrays: drawn whole from the ~200 values pg_stats holds, the
  // mirror had at most 201; made element by element, at least half of
  // production's.
  auto distinct = [](const std::string& dsn, const std::string& schema) {
    pqxx::connection c(dsn);
    pqxx::read_transaction t(c);
    const auto r =
        t.exec1("SELECT count(DISTINCT tags)::float8, count(DISTINCT codes)::float8 FROM " +
                t.quote_name(schema) + ".posts");
    return std::pair{r[0].as<double>(), r[1].as<double>()};
  };
  const auto [src_tags, src_codes] = distinct(source.dsn(), "public");
  const auto [dst_tags, dst_codes] = distinct(mirror.dsn(), schema);
  std::printf("distinct arrays: tags %.0f/%.0f, codes %.0f/%.0f (source/mirror)\n", src_tags,
              dst_tags, src_codes, dst_codes);
  EXPECT_GE(dst_tags, 0.5 * src_tags);
  EXPECT_GE(dst_codes, 0.5 * src_codes);

  // Hot and rare values of each operator. "w2990", "w2500" and "w9999" are
  // outside tags' most common elements (estimated from their least
  // frequency). Not a word near rank 1,000: most_common_elems holds 10 x the
  // statistics target, and whether such a word is listed is decided by each
  // side's own random 30,000-row ANALYZE sample (w900 estimated 24 or 52 on
  // the same source, run to run; w700 beside w2950 106 or 48).
  // PostgreSQL estimates jsonb @> and ? by running them over the ~100 sampled
  // documents (matchingsel), on both sides: a value in under ~10 % of the rows
  // is noise-bound there (a Poisson count of a few), so those are reported,
  // not checked. A serial matches no sampled document: 1 row, the GIN index.
  struct Query {
    std::string where;
    bool checked = true;
  };
  const std::vector<Query> queries = {
      {"tags @> '{w0}'"},
      {"tags @> '{w40}'"},
      {"tags @> '{w2990}'"},
      {"tags @> '{w9999}'"},
      {"tags @> '{w0, w1}'"},
      {"tags && '{w3, w40}'"},
      {"tags && '{w300, w2950}'"},
      {"'w5' = ANY (tags)"},
      {"'w2500' = ANY (tags)"},
      {"codes @> '{0}'"},
      {"codes @> '{600}'"},
      {"codes && '{1, 2, 3}'"},
      {"attrs @> '{\"color\": \"red\"}'"},
      {"attrs @> '{\"color\": \"blue\"}'"},
      {"attrs @> '{\"promo\": true}'"},
      {"attrs ? 'size'"},
      {"attrs @> '{\"serial\": 777}'"},
      {"attrs @> '{\"color\": \"green\"}'", false},
      {"attrs @> '{\"color\": \"red\", \"size\": 3}'", false},
  };
  std::printf("\n%-46s %10s %10s %6s  plan src / mirror\n", "query", "src rows", "mirror", "ratio");
  for (const auto& q : queries) {
    const Estimate p = explain(source.dsn(), "public", q.where);
    const Estimate m = explain(mirror.dsn(), schema, q.where);
    const double ratio = std::max(m.rows, 1.0) / std::max(p.rows, 1.0);
    std::printf("%-46s %10.0f %10.0f %6.2f  %s / %s%s\n", q.where.c_str(), p.rows, m.rows, ratio,
                p.shape.c_str(), m.shape.c_str(), q.checked ? "" : "  (reported)");
    if (!q.checked) continue;
    EXPECT_LE(std::max(ratio, 1 / ratio), 2.0) << q.where;
    // The shape is compared where production's choice is no near tie: the
    // plan it did not choose costs at least 20 % more there.
    const bool seq = p.shape.rfind("Seq Scan", 0) == 0;
    const Estimate other = explain(source.dsn(), "public", q.where, seq ? "seqscan" : "bitmapscan");
    if (other.cost >= 1.2 * p.cost) {
      EXPECT_EQ(m.shape, p.shape) << q.where;
    } else {
      std::printf("  (plan shape not compared: the other plan costs %.0f, the chosen %.0f)\n",
                  other.cost, p.cost);
    }
  }
}

}  // namespace
}  // namespace pgshape
