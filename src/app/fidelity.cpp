// The fidelity command (pgshape/fidelity.hpp): both sides' planner statistics read
// with read_stats (the one reader of a source's catalogs), plain EXPLAIN of the
// queries on both, and the documented score (fidelity_report.cpp). The source
// session is read-only at the session level and in every transaction; nothing
// here writes anywhere.
#include "pgshape/fidelity.hpp"

#include <pqxx/pqxx>

#include <fmt/format.h>
#include <algorithm>

#include "app/fidelity_internal.hpp"
#include "app/internal.hpp"
#include "pgshape/app.hpp"
#include "pgshape/error.hpp"
#include "pgshape/pg.hpp"
#include "pgshape/plan.hpp"
#include "stats/internal.hpp"

namespace pgshape {
namespace {

// Sort keys for histogram bounds of a non-numeric type, from the mirror's own
// ordering of the type (its default collation for text). Each ranking runs in its
// own transaction, so a value the type refuses costs only that measure.
HistogramRanker mirror_ranker(pqxx::connection& mirror) {
  return [&mirror](const std::string& type, const std::vector<std::string>& a,
                   const std::vector<std::string>& b)
             -> std::optional<std::pair<std::vector<double>, std::vector<double>>> {
    try {
      pqxx::read_transaction tx(mirror);
      // The type is format_type()'s text from the mirror's catalog, already quoted as SQL needs.
      const auto rows = tx.exec_params(
          "SELECT s, i::int, dense_rank() OVER (ORDER BY v::" + type +
              ")::float8 FROM (SELECT 0 AS s, i, v FROM pg_catalog.unnest($1::text[]) "
              "WITH ORDINALITY u(v, i) UNION ALL SELECT 1, i, v FROM "
              "pg_catalog.unnest($2::text[]) WITH ORDINALITY u(v, i)) x",
          array_literal(a), array_literal(b));
      std::pair<std::vector<double>, std::vector<double>> keys;
      keys.first.resize(a.size());
      keys.second.resize(b.size());
      for (const auto& row : rows) {
        auto& side = row[0].as<int>() == 0 ? keys.first : keys.second;
        side.at(static_cast<size_t>(row[1].as<int>() - 1)) = row[2].as<double>();
      }
      std::sort(keys.first.begin(), keys.first.end());
      std::sort(keys.second.begin(), keys.second.end());
      return keys;
    } catch (const pqxx::sql_error&) {
      return std::nullopt;
    }
  };
}

// Plain EXPLAIN of every query, each in its own transaction (READ ONLY on the
// source by the session's default) with search_path at `schema`. A statement with
// $n is PREPAREd and explained through EXECUTE: with `values[i]` empty as its
// generic plan (NULL arguments: the plan the server would cache for it, whatever
// the values), else with those values, quoted as literals, as a custom plan.
std::vector<ExplainedPlan> explain_all(pqxx::connection& conn, const std::string& schema,
                                       const std::vector<FidelityQuery>& queries,
                                       const std::vector<std::vector<std::string>>& values) {
  std::vector<ExplainedPlan> plans;
  for (size_t k = 0; k < queries.size(); ++k) {
    const FidelityQuery& q = queries[k];
    ExplainedPlan plan;
    try {
      pqxx::read_transaction tx(conn);
      tx.exec0("SET LOCAL search_path = " + quote_ident(schema));
      std::string json;
      if (q.params == 0) {
        json = tx.exec_params1("EXPLAIN (FORMAT JSON) " + q.sql)[0].as<std::string>();
      } else {
        const bool generic = values[k].empty();
        tx.exec0(generic ? "SET LOCAL plan_cache_mode = force_generic_plan"
                         : "SET LOCAL plan_cache_mode = force_custom_plan");
        tx.exec0("PREPARE pgshape_fidelity AS " + q.sql);
        std::string args;
        for (int i = 0; i < q.params; ++i)
          args += (i ? ", " : "") +
                  (generic ? std::string("NULL") : tx.quote(values[k][static_cast<size_t>(i)]));
        json = tx.exec1("EXPLAIN (FORMAT JSON) EXECUTE pgshape_fidelity(" + args + ")")[0]
                   .as<std::string>();
        tx.exec0("DEALLOCATE pgshape_fidelity");
      }
      tx.commit();
      const PlanNode root = parse_explain_json(json);
      plan.shape = shape_signature(root);
      plan.rows = root.estimated_rows;
    } catch (const pqxx::sql_error& e) {
      plan.error = e.what();
      // A failed transaction still leaves the prepared statement behind.
      try {
        pqxx::nontransaction tx(conn);
        tx.exec0("DEALLOCATE ALL");
      } catch (const pqxx::sql_error&) {
      }
    }
    while (!plan.error.empty() && (plan.error.back() == '\n' || plan.error.back() == ' '))
      plan.error.pop_back();
    plans.push_back(std::move(plan));
  }
  return plans;
}

}  // namespace

FidelityReport measure_fidelity(const std::string& source_dsn, const std::string& mirror_dsn,
                                const FidelityOptions& options) {
  const std::string schema = options.schema.empty() ? options.source_schema : options.schema;
  app::connect(source_dsn, "--source (production, read-only)", SessionKind::kSource);
  auto mirror = app::connect(mirror_dsn, "--dsn (the mirror database)");
  stats::make_session_read_only(*mirror, "pgshape fidelity");

  const StatsSnapshot source = read_stats(
      source_dsn, StatsOptions{.schema = options.source_schema, .tables = options.tables});
  const StatsSnapshot copy = read_stats(mirror_dsn, StatsOptions{.schema = schema});

  // Every statement, and after a $n statement its hot and rare variants.
  std::vector<FidelityQuery> queries;
  std::vector<std::vector<std::string>> source_values, mirror_values;
  fidelity_internal::query_file_variants(options.queries, source, copy, queries, source_values,
                                         mirror_values);
  std::vector<std::string> skipped;
  if (options.queries.empty())
    for (const auto& q : options.profile_queries)
      fidelity_internal::profile_variants(q, options.profile_file, source, copy, options.seed,
                                          queries, source_values, mirror_values, skipped);

  std::vector<ExplainedPlan> source_plans, mirror_plans;
  if (!queries.empty()) {
    auto conn = app::connect(source_dsn, "--source (production, read-only)", SessionKind::kSource);
    stats::make_session_read_only(*conn, "pgshape fidelity");
    source_plans = explain_all(*conn, options.source_schema, queries, source_values);
    for (size_t i = 0; i < queries.size(); ++i)
      if (!source_plans[i].error.empty()) {
        const FidelityQuery& q = queries[i];
        if (!q.at.empty())
          throw UsageError("fidelity.bad-query",
                           fmt::format("{}: the source cannot explain {}: {}", q.at, q.name,
                                       source_plans[i].error),
                           "every query of the profile must run on the source schema, or give "
                           "--queries");
        // A variant's name is "FILE:LINE [hot]": the position first, the variant after.
        const size_t variant = std::min(q.name.find(" ["), q.name.size());
        throw UsageError("fidelity.bad-query",
                         fmt::format("{}:{}: the source cannot explain this statement{}: {}",
                                     q.name.substr(0, variant), q.column, q.name.substr(variant),
                                     source_plans[i].error),
                         "every statement of --queries must run on the source schema");
      }
    mirror_plans = explain_all(*mirror, schema, queries, mirror_values);
  }
  FidelityReport report =
      score_fidelity(source, copy, queries, source_plans, mirror_plans, mirror_ranker(*mirror));
  report.skipped = std::move(skipped);
  return report;
}

namespace {

FidelityOutcome fidelity(const FidelityCommand& c) {
  if (c.source.empty())
    throw UsageError("usage.missing-argument",
                     "fidelity needs --source DSN (the production database to compare with)");
  // Before any connection: a bad file is exit 2 with nothing touched.
  const std::vector<FidelityQuery> queries = read_query_file(c.queries_file);
  // The profile's queries stand in for a missing --queries: the plans its users care about.
  std::vector<Query> profile_queries;
  uint64_t seed = 1;
  if (!c.profile.empty() && queries.empty()) {
    const Profile profile = load_profile_with_overlay(c.profile, c.overlay);
    profile_queries = profile.queries;
    seed = profile.seed;
  }
  const std::optional<UserTarget> user = user_target(c.target);
  if (!user)
    throw UsageError("usage.no-target",
                     "fidelity needs the mirror: --dsn, DATABASE_URL or the PG* variables "
                     "(PGHOST, PGDATABASE, PGSERVICE, ...)",
                     "an embedded throwaway server holds no mirror to compare");
  FidelityOutcome outcome;
  outcome.target.source = user->source;
  outcome.target.label = describe_dsn(user->dsn);
  outcome.target.place = app::place_of(*app::connect(user->dsn, "--dsn (the mirror database)"));
  outcome.report = measure_fidelity(c.source, user->dsn,
                                    FidelityOptions{.source_schema = c.source_schema,
                                                    .schema = c.schema,
                                                    .tables = c.tables,
                                                    .queries = queries,
                                                    .profile_queries = profile_queries,
                                                    .profile_file = c.profile,
                                                    .seed = seed});
  outcome.gate = fidelity_gate(outcome.report, c.min_score, "--min-score");
  return outcome;
}

}  // namespace

FidelityOutcome run_fidelity(const FidelityCommand& command) {
  return app::translating_errors([&] { return fidelity(command); });
}

}  // namespace pgshape
