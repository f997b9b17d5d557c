// Running plan captures on a live server: parameter resolution, EXPLAIN runs,
// experiments in rolled-back transactions, hypothetical indexes. See plan_capture.hpp.
#include "pgshape/plan.hpp"

#include <algorithm>
#include <cctype>
#include <nlohmann/json.hpp>
#include <numeric>

#include <fmt/format.h>

#include "pgshape/error.hpp"
#include "pgshape/pg.hpp"
#include "pgshape/util.hpp"

namespace pgshape {
namespace {

bool starts_with_keyword(std::string_view text, std::string_view keyword) {
  if (text.size() < keyword.size()) return false;
  for (size_t i = 0; i < keyword.size(); ++i) {
    if (std::tolower(static_cast<unsigned char>(text[i])) != keyword[i]) return false;
  }
  return true;
}

// The statements of an experiment, as PostgreSQL's lexer cuts them (empty when a
// quote or comment is not closed: exec_script then says so).
std::vector<std::string> statements_of(const std::string& sql) {
  const SqlScan scan = scan_sql(sql);
  std::vector<std::string> out;
  if (scan.error.empty())
    for (const auto& statement : scan.statements) out.emplace_back(statement.text);
  return out;
}

bool all_create_index(const std::string& sql) {
  auto stmts = statements_of(sql);
  return !stmts.empty() && std::all_of(stmts.begin(), stmts.end(), [](const std::string& s) {
    return starts_with_keyword(s, "create index") || starts_with_keyword(s, "create unique index");
  });
}

double median_of(std::vector<double> v) {
  std::sort(v.begin(), v.end());
  size_t n = v.size();
  return n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
}

// Resolves one pick of one param to its values (several for random:k). The
// pick was parsed (and its k checked) when the profile was read.
std::vector<std::pair<std::string, std::string>> resolve_pick(pqxx::work& tx,
                                                              const std::string& rel,
                                                              const std::string& col,
                                                              const Pick& pick, uint64_t seed) {
  auto one = [&](const std::string& sql) -> std::string {
    auto r = tx.exec(sql);
    if (r.empty() || r[0][0].is_null())
      throw UsageError("plan.no-values", "no values in " + rel + "." + col);
    return r[0][0].c_str();
  };
  const std::string label = pick.label();
  const std::string base = " FROM " + rel + " WHERE " + col + " IS NOT NULL";
  switch (pick.kind) {
    case Pick::Kind::kMostCommon:
      return {{label, one("SELECT " + col + "::text" + base + " GROUP BY " + col +
                          " ORDER BY count(*) DESC, " + col + " LIMIT 1")}};
    case Pick::Kind::kRare:
      return {{label, one("SELECT " + col + "::text" + base + " GROUP BY " + col +
                          " ORDER BY count(*) ASC, " + col + " LIMIT 1")}};
    case Pick::Kind::kRank: {
      // The k-th most common value: between the head and the tail is where a
      // planner's estimate (MCV list vs n_distinct) is most often wrong.
      auto r = tx.exec_params("SELECT " + col + "::text" + base + " GROUP BY " + col +
                                  " ORDER BY count(*) DESC, " + col + " LIMIT 1 OFFSET $1",
                              pick.k - 1);
      if (r.empty())
        throw UsageError("plan.bad-pick", "pick '" + label + "': " + rel + "." + col +
                                              " has fewer than " + std::to_string(pick.k) +
                                              " distinct values");
      return {{label, r[0][0].c_str()}};
    }
    case Pick::Kind::kMedian:
      // percentile_disc returns a value that exists, and works for any sortable type.
      return {{label, one("SELECT (percentile_disc(0.5) WITHIN GROUP (ORDER BY " + col +
                          "))::text" + base)}};
    case Pick::Kind::kRandom: {
      // Hashing seed:value orders the distinct values the same way on every run and
      // server, whatever the physical row order: the draw depends on the data alone.
      auto r = tx.exec_params("SELECT t.v::text FROM (SELECT DISTINCT " + col + " AS v" + base +
                                  ") t ORDER BY md5($1 || ':' || t.v::text), t.v::text LIMIT $2",
                              std::to_string(seed), pick.k);
      if (r.empty()) throw UsageError("plan.no-values", "no values in " + rel + "." + col);
      std::vector<std::pair<std::string, std::string>> out;
      for (size_t i = 0; i < r.size(); ++i)
        out.emplace_back(label + "#" + std::to_string(i + 1), r[i][0].c_str());
      return out;
    }
    case Pick::Kind::kLiteral:
      break;
  }
  return {{label, pick.literal}};
}

struct Run {
  std::string json;
  double planning_ms = 0;
  double execution_ms = 0;
};

Run explain_once(pqxx::transaction_base& tx, const std::string& explain_sql,
                 const std::vector<std::string>& values) {
  // Parameters go over the extended protocol with no declared types, so the server
  // infers each $n from its use, exactly as PREPARE would; the planner sees the bound
  // values, so the plan is the custom plan for these values (a PREPARE + EXECUTE loop
  // would switch to a generic plan after five runs and hide the skew we measure).
  auto r = tx.exec_params(explain_sql, pqxx::prepare::make_dynamic_params(values));
  Run run;
  for (const auto& row : r) {
    if (!run.json.empty()) run.json += '\n';
    run.json += row[0].c_str();
  }
  auto doc = nlohmann::json::parse(run.json, nullptr, false);
  if (doc.is_array() && !doc.empty()) {
    run.planning_ms = doc[0].value("Planning Time", 0.0);
    run.execution_ms = doc[0].value("Execution Time", 0.0);
  }
  return run;
}

// The capture transaction's settings: the dataset first on the search path, and
// a bound on lock waits, so a capture behind another session's lock fails
// (db.lock-timeout) instead of hanging.
void prepare_capture(pqxx::work& tx, const std::string& schema, int lock_timeout_ms) {
  tx.exec_params("SELECT pg_catalog.set_config('search_path', $1, true)",
                 tx.conn().quote_name(schema));
  tx.exec_params("SELECT pg_catalog.set_config('lock_timeout', $1, true)",
                 std::to_string(std::max(0, lock_timeout_ms)));
}

[[noreturn]] void throw_lock_timeout(const std::string& what, const pqxx::sql_error& e,
                                     int lock_timeout_ms) {
  throw DatabaseError("db.lock-timeout",
                      fmt::format("{}: waited {:.1f} s for a lock held by another session: {}",
                                  what, lock_timeout_ms / 1000.0, e.what()),
                      "rerun when the other session is done (pg_stat_activity shows it)",
                      e.sqlstate());
}

}  // namespace

std::vector<ParamVariant> resolve_params(pqxx::connection& conn, const std::string& schema,
                                         const Query& query, uint64_t seed) {
  pqxx::work tx(conn);
  std::vector<ParamVariant> variants{{"", {}}};
  for (const auto& p : query.params) {
    auto found = tx.exec_params(
        "SELECT 1 FROM pg_catalog.pg_attribute a JOIN pg_catalog.pg_class c ON c.oid = a.attrelid "
        "JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace "
        "WHERE n.nspname = $1 AND c.relname = $2 AND a.attname = $3 AND NOT a.attisdropped",
        schema, p.table, p.column);
    const bool literal_only = std::none_of(p.picks.begin(), p.picks.end(),
                                           [](const Pick& pick) { return pick.needs_column(); });
    if (found.empty() && !literal_only) {
      throw UsageError("plan.no-values", "query '" + query.name + "': no column " + p.table + "." +
                                             p.column + " in schema " + schema +
                                             " to draw parameter values from");
    }
    std::string rel = conn.quote_name(schema) + "." + conn.quote_name(p.table);
    std::vector<ParamVariant> next;
    for (const auto& pick : p.picks) {
      for (const auto& [label, value] :
           resolve_pick(tx, rel, conn.quote_name(p.column), pick, seed)) {
        for (const auto& v : variants) {
          ParamVariant nv = v;
          nv.label += (nv.label.empty() ? "" : ",") + label;
          nv.values.push_back(value);
          next.push_back(std::move(nv));
        }
      }
    }
    variants = std::move(next);
  }
  if (query.params.empty()) variants.front().label = "none";
  tx.abort();
  return variants;
}

PlanCapture capture_query(pqxx::transaction_base& tx, const ScaleContext& scale, const Query& query,
                          const ParamVariant& variant, const std::string& experiment,
                          const CaptureOptions& options, bool explain_only) {
  PlanCapture c;
  c.query = query.name;
  c.pick = variant.label;
  c.params = variant.values;
  c.scale = scale.scale;
  c.experiment = experiment;
  c.table_rows = scale.table_rows;
  try {
    if (explain_only) {
      Run run = explain_once(tx, "EXPLAIN (SETTINGS, FORMAT JSON) " + query.sql, variant.values);
      c.runs = 1;
      c.explain_json = std::move(run.json);
      summarize_plan(c);
      c.planning = {run.planning_ms, run.planning_ms, run.planning_ms};
      return c;
    }
    const std::string sql = "EXPLAIN (ANALYZE, BUFFERS, SETTINGS, FORMAT JSON) " + query.sql;
    explain_once(tx, sql, variant.values);  // warm-up: caches, catalog lookups
    int n = std::max(options.runs, 1);
    std::vector<Run> runs;
    for (int i = 0; i < n; ++i) runs.push_back(explain_once(tx, sql, variant.values));
    std::vector<size_t> order(runs.size());
    std::iota(order.begin(), order.end(), 0);
    std::stable_sort(order.begin(), order.end(), [&](size_t x, size_t y) {
      return runs[x].execution_ms < runs[y].execution_ms;
    });
    std::vector<double> plan_ms, exec_ms;
    for (const auto& r : runs) {
      plan_ms.push_back(r.planning_ms);
      exec_ms.push_back(r.execution_ms);
    }
    c.runs = n;
    c.explain_json = runs[order[(order.size() - 1) / 2]].json;  // the (lower) median run
    summarize_plan(c);
    c.planning = {median_of(plan_ms), *std::min_element(plan_ms.begin(), plan_ms.end()),
                  *std::max_element(plan_ms.begin(), plan_ms.end())};
    c.execution = {median_of(exec_ms), *std::min_element(exec_ms.begin(), exec_ms.end()),
                   *std::max_element(exec_ms.begin(), exec_ms.end())};
  } catch (const pqxx::sql_error& e) {
    const std::string what = "query '" + query.name + "' [" + variant.label + "] at scale " +
                             scale.scale + " (" + experiment + ")";
    if (e.sqlstate() == "55P03") throw_lock_timeout(what, e, options.lock_timeout_ms);
    throw DatabaseError("plan.query-failed", what + ": " + e.what(), {}, e.sqlstate());
  }
  return c;
}

std::vector<PlanCapture> capture_scale(pqxx::connection& conn, const ScaleContext& scale,
                                       const std::vector<Query>& queries,
                                       const std::vector<Experiment>& experiments,
                                       const CaptureOptions& options) {
  std::vector<std::vector<ParamVariant>> variants;
  for (const auto& q : queries)
    variants.push_back(resolve_params(conn, scale.schema, q, options.seed));

  if (options.hypothetical) {
    pqxx::work tx(conn);
    auto r = tx.exec("SELECT 1 FROM pg_catalog.pg_available_extensions WHERE name = 'hypopg'");
    if (r.empty()) {
      throw UsageError("plan.no-hypopg",
                       "--hypothetical needs the hypopg extension, which this server lacks",
                       "install it (Debian: postgresql-15-hypopg) or drop --hypothetical");
    }
  }

  std::vector<PlanCapture> out;
  auto run_all = [&](const Experiment* exp) {
    const std::string label = exp ? exp->name : kBaseline;
    bool hypo = exp && options.hypothetical && all_create_index(exp->sql);
    // Everything happens in one transaction that is rolled back: CREATE INDEX, SET
    // (even without LOCAL) and writes by the queries are undone, so the next
    // experiment starts from the loaded dataset. An index built in this transaction
    // is usable by its own queries (a freshly loaded table has no broken HOT chains);
    // btree indexes on plain columns need no ANALYZE, but an expression index's
    // statistics only exist after ANALYZE — put ANALYZE in the experiment for those.
    pqxx::work tx(conn);
    prepare_capture(tx, scale.schema, options.lock_timeout_ms);
    std::string hypopg;  // the schema hypopg's functions live in
    if (exp && hypo) {
      tx.exec("CREATE EXTENSION IF NOT EXISTS hypopg");
      hypopg =
          tx.exec(
                "SELECT n.nspname FROM pg_catalog.pg_extension e JOIN pg_catalog.pg_namespace n "
                "ON n.oid = e.extnamespace WHERE e.extname = 'hypopg'")[0][0]
              .c_str();
      hypopg = conn.quote_name(hypopg);
      for (const auto& stmt : statements_of(exp->sql)) {
        tx.exec_params("SELECT * FROM " + hypopg + ".hypopg_create_index($1)", stmt);
      }
    } else if (exp) {
      // Statement by statement inside this transaction, which is rolled back: an
      // experiment cannot COMMIT its way out of it (refused before it runs).
      const std::string what = "experiment '" + exp->name + "' at scale " + scale.scale;
      try {
        exec_script(tx, exp->sql, what);
      } catch (const pqxx::sql_error& e) {
        if (e.sqlstate() == "55P03") throw_lock_timeout(what, e, options.lock_timeout_ms);
        throw DatabaseError("plan.query-failed", what + " failed: " + e.what(),
                            "experiments run inside a transaction: CREATE INDEX CONCURRENTLY "
                            "and VACUUM cannot be used there",
                            e.sqlstate());
      }
    }
    for (size_t i = 0; i < queries.size(); ++i) {
      for (const auto& v : variants[i]) {
        out.push_back(capture_query(tx, scale, queries[i], v, label, options, hypo));
      }
    }
    // hypopg's indexes live in the backend, not in the transaction: reset them by hand.
    if (hypo) tx.exec("SELECT " + hypopg + ".hypopg_reset()");
    tx.abort();
  };
  run_all(nullptr);
  for (const auto& e : experiments) run_all(&e);
  return out;
}

std::map<std::string, int64_t> table_row_counts(pqxx::connection& conn, const std::string& schema) {
  pqxx::read_transaction tx(conn);
  auto r = tx.exec_params(
      "SELECT c.relname::text, greatest(c.reltuples, 0)::bigint FROM pg_catalog.pg_class c "
      "JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace "
      "WHERE n.nspname = $1 AND c.relkind IN ('r', 'p') ORDER BY 1",
      schema);
  std::map<std::string, int64_t> out;
  for (const auto& row : r) out[row[0].c_str()] = row[1].as<int64_t>();
  return out;
}

}  // namespace pgshape
