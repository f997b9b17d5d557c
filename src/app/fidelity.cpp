// The fidelity check (pgshape/fidelity.hpp): both sides' planner statistics read
// with read_stats (the one reader of a source's catalogs), plain EXPLAIN of the
// query file on both, and the documented score. The source session is read-only
// at the session level and in every transaction; nothing here writes anywhere.
#include "pgshape/fidelity.hpp"

#include <pqxx/pqxx>

#include <fmt/format.h>
#include <algorithm>
#include <charconv>
#include <cmath>
#include <fstream>
#include <map>
#include <regex>
#include <set>
#include <sstream>

#include "app/internal.hpp"
#include "pgshape/app.hpp"
#include "pgshape/error.hpp"
#include "pgshape/pg.hpp"
#include "pgshape/plan.hpp"
#include "stats/internal.hpp"

namespace pgshape {
namespace {

// ---------------------------------------------------------------------------
// The query file.

[[noreturn]] void bad_query(const std::string& file, int line, int column,
                            const std::string& message, const std::string& hint) {
  throw UsageError("fidelity.bad-query", fmt::format("{}:{}:{}: {}", file, line, column, message),
                   hint);
}

bool ident_start(char c) {
  return std::isalpha(static_cast<unsigned char>(c)) || c == '_' ||
         static_cast<unsigned char>(c) >= 0x80;
}
bool ident_char(char c) {
  return ident_start(c) || std::isdigit(static_cast<unsigned char>(c));
}

std::string lower(std::string s) {
  for (auto& c : s) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return s;
}

// ---------------------------------------------------------------------------
// Scoring.

double ratio(double a, double b) {
  a = std::max(a, 0.0);
  b = std::max(b, 0.0);
  if (a == b) return 1;
  return std::min(a, b) / std::max(a, b);
}

double clamp01(double x) {
  return std::clamp(x, 0.0, 1.0);
}

// The largest MCV frequency gap: over the union of both lists' values (a value one
// list lacks is 0 there); when the lists share no value (a redacted mirror's tokens)
// rank by rank.
double mcv_delta(const ColumnStats& s, const ColumnStats& m) {
  std::map<std::string, std::pair<double, double>> by_value;
  for (size_t i = 0; i < s.mcv.size() && i < s.mcf.size(); ++i) by_value[s.mcv[i]].first = s.mcf[i];
  bool shared = false;
  for (size_t i = 0; i < m.mcv.size() && i < m.mcf.size(); ++i) {
    auto [it, added] = by_value.try_emplace(m.mcv[i]);
    shared = shared || !added;
    it->second.second = m.mcf[i];
  }
  double delta = 0;
  if (shared || s.mcv.empty() || m.mcv.empty()) {
    for (const auto& [value, f] : by_value) delta = std::max(delta, std::fabs(f.first - f.second));
    return delta;
  }
  std::vector<double> a = s.mcf, b = m.mcf;
  std::sort(a.rbegin(), a.rend());
  std::sort(b.rbegin(), b.rend());
  a.resize(std::max(a.size(), b.size()), 0);
  b.resize(a.size(), 0);
  for (size_t i = 0; i < a.size(); ++i) delta = std::max(delta, std::fabs(a[i] - b[i]));
  return delta;
}

bool parse_number(const std::string& text, double& out) {
  const char* end = text.data() + text.size();
  auto [ptr, ec] = std::from_chars(text.data(), end, out);
  return ec == std::errc() && ptr == end && std::isfinite(out);
}

std::optional<std::vector<double>> numbers(const std::vector<std::string>& values) {
  std::vector<double> out;
  out.reserve(values.size());
  for (const auto& v : values) {
    double x = 0;
    if (!parse_number(v, x)) return std::nullopt;
    out.push_back(x);
  }
  return out;
}

// The CDF of a histogram with sorted bounds `h` at x (see histogram_distance).
double cdf(const std::vector<double>& h, double x, bool interpolate) {
  const size_t n = h.size();
  if (n == 1) return x < h[0] ? 0 : 1;
  if (x < h.front()) return 0;
  if (x > h.back()) return 1;
  const auto lo = std::lower_bound(h.begin(), h.end(), x);
  const auto hi = std::upper_bound(h.begin(), h.end(), x);
  const double step = 1.0 / static_cast<double>(n - 1);
  if (lo != hi)  // x is a bound (several equal ones: their middle)
    return step * (static_cast<double>((lo - h.begin()) + (hi - h.begin()) - 1) / 2.0);
  const size_t i = static_cast<size_t>(lo - h.begin()) - 1;  // h[i] < x < h[i + 1]
  const double within = interpolate ? (x - h[i]) / (h[i + 1] - h[i]) : 0.5;
  return step * (static_cast<double>(i) + within);
}

FidelityMeasure measure(std::string name, double source, double mirror, double closeness) {
  return FidelityMeasure{.measure = std::move(name),
                         .source = source,
                         .mirror = mirror,
                         .closeness = clamp01(closeness)};
}

ColumnFidelity score_column(const TableStats& st, const ColumnStats& s, const TableStats* mt,
                            const HistogramRanker& rank) {
  ColumnFidelity out{.table = st.name, .column = s.name};
  const ColumnStats* m = mt ? mt->find_column(s.name) : nullptr;
  if (!m || !m->has_stats) {
    out.missing = true;
    return out;
  }
  const double ds = distinct_count(s, st.reltuples), dm = distinct_count(*m, mt->reltuples);
  out.measures.push_back(measure("n_distinct", ds, dm, ratio(ds, dm)));
  out.measures.push_back(measure("null_frac", s.null_frac, m->null_frac,
                                 1 - std::fabs(s.null_frac - m->null_frac) / 0.2));
  if (!s.mcv.empty() || !m->mcv.empty()) {
    const double delta = mcv_delta(s, *m);
    out.measures.push_back(measure("mcv", s.mcf.empty() ? 0 : s.mcf.front(),
                                   m->mcf.empty() ? 0 : m->mcf.front(), 1 - delta / 0.2));
  }
  if (s.correlation && m->correlation)
    out.measures.push_back(measure("correlation", *s.correlation, *m->correlation,
                                   1 - std::fabs(*s.correlation - *m->correlation)));
  if (!s.histogram.empty() || !m->histogram.empty()) {
    std::optional<double> ks;
    if (s.histogram.empty() || m->histogram.empty()) {
      ks = 1;
    } else if (auto a = numbers(s.histogram), b = numbers(m->histogram); a && b) {
      std::sort(a->begin(), a->end());
      std::sort(b->begin(), b->end());
      ks = histogram_distance(*a, *b, true);
    } else if (rank) {
      if (auto keys = rank(m->type, s.histogram, m->histogram))
        ks = histogram_distance(keys->first, keys->second, false);
    }
    if (ks)
      out.measures.push_back(measure("histogram", static_cast<double>(s.histogram.size()),
                                     static_cast<double>(m->histogram.size()), 1 - *ks));
  }
  double sum = 0;
  for (const auto& x : out.measures) sum += x.closeness;
  out.score = out.measures.empty() ? 1 : sum / static_cast<double>(out.measures.size());
  return out;
}

// ---------------------------------------------------------------------------
// The servers.

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

// The column each $1..$n of `q` is compared with (`col = $1`, `t.col = $1`), in a
// table of `snap` the statement names; nullopt unless every $n is placed, each in
// exactly one table. Words, not a parse: a statement it cannot place keeps only its
// generic plan.
std::optional<std::vector<const ColumnStats*>> bound_columns(const FidelityQuery& q,
                                                             const StatsSnapshot& snap) {
  std::set<std::string> words;
  for (size_t i = 0; i < q.sql.size();) {
    if (!ident_start(q.sql[i])) {
      ++i;
      continue;
    }
    size_t j = i;
    while (j < q.sql.size() && ident_char(q.sql[j])) ++j;
    words.insert(lower(q.sql.substr(i, j - i)));
    i = j;
  }
  std::vector<const TableStats*> named;
  for (const auto& t : snap.tables)
    if (words.count(lower(t.name))) named.push_back(&t);
  std::vector<const ColumnStats*> out(static_cast<size_t>(q.params), nullptr);
  static const std::regex kCompared(
      R"((?:([A-Za-z_][A-Za-z0-9_]*)\.)?([A-Za-z_][A-Za-z0-9_]*)\s*=\s*\$([0-9]{1,6}))");
  for (auto it = std::sregex_iterator(q.sql.begin(), q.sql.end(), kCompared);
       it != std::sregex_iterator(); ++it) {
    const std::string qualifier = lower((*it)[1]), column = lower((*it)[2]);
    const int n = std::stoi((*it)[3]);
    if (n < 1 || n > q.params || out[static_cast<size_t>(n - 1)]) continue;
    std::vector<const ColumnStats*> found;
    for (const TableStats* t : named) {
      if (!qualifier.empty() && lower(t->name) == qualifier) found.clear();
      for (const auto& c : t->columns)
        if (lower(c.name) == column && c.has_stats) found.push_back(&c);
      if (!qualifier.empty() && lower(t->name) == qualifier) break;
    }
    if (found.size() == 1) out[static_cast<size_t>(n - 1)] = found.front();
  }
  for (const ColumnStats* c : out)
    if (!c) return std::nullopt;
  return out;
}

// A hot value (the first MCV) or a rare one (the middle histogram bound: a value
// the planner estimates at the rare end; else the last MCV) from a side's statistics.
std::optional<std::string> pick(const ColumnStats& c, bool hot) {
  if (hot) {
    if (!c.mcv.empty()) return c.mcv.front();
  } else {
    if (!c.histogram.empty()) return c.histogram[c.histogram.size() / 2];
    if (c.mcv.size() > 1) return c.mcv.back();
  }
  return std::nullopt;
}

// The variants of a profile query: the cartesian product of its params' picks, in
// the order resolve_params gives them (the first param's picks outermost), each
// side's values from its own statistics. A variant a side cannot resolve is named
// in `skipped` instead.
void profile_variants(const Query& q, const std::string& file, const StatsSnapshot& source,
                      const StatsSnapshot& mirror, uint64_t seed,
                      std::vector<FidelityQuery>& queries,
                      std::vector<std::vector<std::string>>& source_values,
                      std::vector<std::vector<std::string>>& mirror_values,
                      std::vector<std::string>& skipped) {
  struct Variant {
    std::string label;
    std::vector<std::string> s, m;
    std::string missing;  // why it cannot be explained; empty: it can
  };
  auto column_of = [](const StatsSnapshot& snap, const QueryParam& p) -> const ColumnStats* {
    const TableStats* t = snap.find_table(p.table);
    return t ? t->find_column(p.column) : nullptr;
  };
  std::vector<Variant> variants{{}};
  for (const auto& p : q.params) {
    const ColumnStats* sc = column_of(source, p);
    const ColumnStats* mc = column_of(mirror, p);
    std::vector<Variant> next;
    for (const auto& pick : p.picks) {
      auto on_source = pick_from_stats(sc, pick, seed);
      auto on_mirror = pick_from_stats(mc, pick, seed);
      const std::string where = p.table + "." + p.column;
      std::string missing =
          on_source.empty()   ? "no such value in the source's statistics of " + where
          : on_mirror.empty() ? "no such value in the mirror's statistics of " + where
                              : "";
      // random:k may find fewer values on one side: pair as many as both have.
      const size_t n = missing.empty() ? std::min(on_source.size(), on_mirror.size()) : 1;
      for (size_t i = 0; i < n; ++i) {
        const std::string label = missing.empty() ? on_source[i].first : pick.label();
        for (const auto& v : variants) {
          Variant nv = v;
          nv.label += (nv.label.empty() ? "" : ",") + label;
          if (missing.empty()) {
            nv.s.push_back(on_source[i].second);
            nv.m.push_back(on_mirror[i].second);
          } else if (nv.missing.empty()) {
            nv.missing = missing;
          }
          next.push_back(std::move(nv));
        }
      }
    }
    variants = std::move(next);
  }
  for (auto& v : variants) {
    const std::string name = q.name + " [" + (q.params.empty() ? "none" : v.label) + "]";
    if (!v.missing.empty()) {
      skipped.push_back(name + ": " + v.missing);
      continue;
    }
    FidelityQuery fq{
        .name = name,
        .at = fmt::format("{}:{}:{}", file.empty() ? "profile" : file, q.pos.line, q.pos.column),
        .sql = q.sql,
        .line = q.pos.line,
        .column = q.pos.column,
        .params = static_cast<int>(q.params.size())};
    queries.push_back(std::move(fq));
    // A query without params is explained as it is (values empty: no PREPARE).
    source_values.push_back(std::move(v.s));
    mirror_values.push_back(std::move(v.m));
  }
}

}  // namespace

std::vector<std::pair<std::string, std::string>> pick_from_stats(const ColumnStats* c,
                                                                 const Pick& pick, uint64_t seed) {
  const std::string label = pick.label();
  if (pick.kind == Pick::Kind::kLiteral) return {{label, pick.literal}};
  if (!c || !c->has_stats) return {};
  const auto& mcv = c->mcv;
  const auto& hist = c->histogram;
  auto one = [&](const std::string& v) {
    return std::vector<std::pair<std::string, std::string>>{{label, v}};
  };
  switch (pick.kind) {
    case Pick::Kind::kMostCommon:
      if (!mcv.empty()) return one(mcv.front());
      if (!hist.empty()) return one(hist.front());
      return {};
    case Pick::Kind::kRank:
      // pg_stats lists MCVs most common first.
      if (pick.k >= 1 && static_cast<size_t>(pick.k) <= mcv.size())
        return one(mcv[static_cast<size_t>(pick.k - 1)]);
      return {};
    case Pick::Kind::kRare:
      if (!hist.empty()) return one(hist[hist.size() / 2]);
      if (mcv.size() > 1) return one(mcv.back());
      return {};
    case Pick::Kind::kMedian:
      if (!hist.empty()) return one(hist[hist.size() / 2]);
      if (!mcv.empty()) return one(mcv.front());
      return {};
    case Pick::Kind::kRandom: {
      // FNV-1a of "seed:value": the same draw on every run and platform.
      auto key = [&](const std::string& v) {
        uint64_t h = 1469598103934665603ull;
        for (const char ch : std::to_string(seed) + ":" + v) {
          h ^= static_cast<unsigned char>(ch);
          h *= 1099511628211ull;
        }
        return h;
      };
      std::set<std::string> distinct(mcv.begin(), mcv.end());
      distinct.insert(hist.begin(), hist.end());
      std::vector<std::pair<uint64_t, std::string>> keyed;
      for (const auto& v : distinct) keyed.emplace_back(key(v), v);
      std::sort(keyed.begin(), keyed.end());
      std::vector<std::pair<std::string, std::string>> out;
      for (size_t i = 0; i < keyed.size() && i < static_cast<size_t>(pick.k); ++i)
        out.emplace_back(label + "#" + std::to_string(i + 1), keyed[i].second);
      return out;
    }
    case Pick::Kind::kLiteral:
      break;
  }
  return {};
}

std::vector<FidelityQuery> parse_query_file(const std::string& text, const std::string& file) {
  static const std::set<std::string> kExplainable = {"select", "with",   "values", "table",
                                                     "insert", "update", "delete", "merge"};
  const SqlScan scan = scan_sql(text);
  std::vector<FidelityQuery> out;
  // The statements before an unterminated quote or comment are checked first: a
  // refused statement is reported where it stands, whatever follows it.
  for (const SqlStatement& statement : scan.statements) {
    const TextPos at = text_position(text, statement.offset);
    size_t w = 0;
    while (w < statement.text.size() && ident_char(statement.text[w])) ++w;
    const std::string word = lower(std::string(statement.text.substr(0, w)));
    if (!kExplainable.count(word))
      bad_query(file, at.line, at.column,
                word.empty() ? "a statement must start with a keyword"
                             : fmt::format("'{}' is not a statement fidelity explains", word),
                "give queries (SELECT, WITH, VALUES, TABLE, INSERT, UPDATE, DELETE, MERGE); "
                "fidelity adds the plain EXPLAIN itself and never runs ANALYZE");
    out.push_back(FidelityQuery{.name = fmt::format("{}:{}", file, at.line),
                                .sql = std::string(statement.text),
                                .line = at.line,
                                .column = at.column,
                                .params = statement.max_param});
  }
  if (!scan.error.empty()) {
    const TextPos at = text_position(text, scan.error_offset);
    if (scan.error == "a /* comment")
      bad_query(file, at.line, at.column, "unterminated /* comment", "close it with */");
    if (scan.error == "a dollar-quoted string") {
      const size_t close = text.find('$', scan.error_offset + 1);
      bad_query(file, at.line, at.column,
                fmt::format("unterminated dollar quote {}",
                            text.substr(scan.error_offset, close + 1 - scan.error_offset)),
                "close it with the same tag");
    }
    bad_query(file, at.line, at.column,
              scan.error == "a quoted identifier" ? "unterminated quoted identifier"
                                                  : "unterminated string literal",
              "close it, or end the statement with ;");
  }
  return out;
}

double histogram_distance(const std::vector<double>& a, const std::vector<double>& b,
                          bool interpolate) {
  if (a.empty() || b.empty()) return 1;
  double worst = 0;
  for (const auto* points : {&a, &b})
    for (double x : *points)
      worst = std::max(worst, std::fabs(cdf(a, x, interpolate) - cdf(b, x, interpolate)));
  return clamp01(worst);
}

FidelityReport score_fidelity(const StatsSnapshot& source, const StatsSnapshot& mirror,
                              const std::vector<FidelityQuery>& queries,
                              const std::vector<ExplainedPlan>& source_plans,
                              const std::vector<ExplainedPlan>& mirror_plans,
                              const HistogramRanker& rank) {
  FidelityReport r{.source_database = source.database,
                   .mirror_database = mirror.database,
                   .source_schema = source.schema,
                   .schema = mirror.schema};
  double tables_sum = 0;
  for (const auto& st : source.tables) {
    const TableStats* mt = mirror.find_table(st.name);
    TableFidelity t{.table = st.name, .missing = mt == nullptr};
    const double ms = mt ? std::max(mt->reltuples, 0.0) : 0;
    t.rows = measure("rows", std::max(st.reltuples, 0.0), ms, mt ? ratio(st.reltuples, ms) : 0);
    double columns_sum = 0;
    size_t scored = 0;
    for (const auto& sc : st.columns) {
      if (!sc.has_stats) continue;  // never analyzed, or hidden from the reading role
      ColumnFidelity c = score_column(st, sc, mt, rank);
      columns_sum += c.score;
      ++scored;
      r.columns.push_back(std::move(c));
    }
    t.score = !mt           ? 0
              : scored == 0 ? t.rows.closeness
                            : (t.rows.closeness + columns_sum / static_cast<double>(scored)) / 2;
    tables_sum += t.score;
    r.tables.push_back(std::move(t));
  }
  r.stats_score = r.tables.empty() ? 1 : tables_sum / static_cast<double>(r.tables.size());

  double plans_sum = 0;
  for (size_t i = 0; i < queries.size(); ++i) {
    const ExplainedPlan& s = source_plans.at(i);
    const ExplainedPlan& m = mirror_plans.at(i);
    QueryFidelity q{.name = queries[i].name,
                    .sql = queries[i].sql,
                    .source_shape = s.shape,
                    .mirror_shape = m.shape,
                    .source_rows = s.rows,
                    .mirror_rows = m.rows,
                    .error = m.error};
    if (!m.error.empty()) {
      q.score = 0;
    } else {
      q.same_shape = s.shape == m.shape;
      q.score =
          (q.same_shape ? 0.5 : 0) + 0.5 * ratio(std::max(s.rows, 1.0), std::max(m.rows, 1.0));
    }
    plans_sum += q.score;
    r.queries.push_back(std::move(q));
  }
  if (!queries.empty()) r.plans_score = plans_sum / static_cast<double>(queries.size());
  r.score = 100 * (r.plans_score ? (r.stats_score + *r.plans_score) / 2 : r.stats_score);
  return r;
}

FidelityReport measure_fidelity(const std::string& source_dsn, const std::string& mirror_dsn,
                                const FidelityOptions& options) {
  const std::string schema = options.schema.empty() ? options.source_schema : options.schema;
  app::connect(source_dsn, "--source (production, read-only)");
  auto mirror = app::connect(mirror_dsn, "--dsn (the mirror database)");
  stats::make_session_read_only(*mirror, "pgshape fidelity");

  const StatsSnapshot source = read_stats(
      source_dsn, StatsOptions{.schema = options.source_schema, .tables = options.tables});
  const StatsSnapshot copy = read_stats(mirror_dsn, StatsOptions{.schema = schema});

  // Every statement, and after a $n statement its hot and rare variants: each side
  // picks its values from its own statistics, as it would plan them.
  std::vector<FidelityQuery> queries;
  std::vector<std::vector<std::string>> source_values, mirror_values;
  for (const auto& q : options.queries) {
    queries.push_back(q);
    source_values.emplace_back();
    mirror_values.emplace_back();
    if (q.params == 0) continue;
    const auto on_source = bound_columns(q, source), on_mirror = bound_columns(q, copy);
    if (!on_source || !on_mirror) continue;
    for (const bool hot : {true, false}) {
      std::vector<std::string> sv, mv;
      for (size_t i = 0; i < on_source->size(); ++i) {
        auto a = pick(*(*on_source)[i], hot), b = pick(*(*on_mirror)[i], hot);
        if (!a || !b) break;
        sv.push_back(*a);
        mv.push_back(*b);
      }
      if (sv.size() != on_source->size()) continue;
      FidelityQuery variant = q;
      variant.name += hot ? " [hot]" : " [rare]";
      queries.push_back(std::move(variant));
      source_values.push_back(std::move(sv));
      mirror_values.push_back(std::move(mv));
    }
  }
  std::vector<std::string> skipped;
  if (options.queries.empty())
    for (const auto& q : options.profile_queries)
      profile_variants(q, options.profile_file, source, copy, options.seed, queries, source_values,
                       mirror_values, skipped);

  std::vector<ExplainedPlan> source_plans, mirror_plans;
  if (!queries.empty()) {
    auto conn = app::connect(source_dsn, "--source (production, read-only)");
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

std::vector<FidelityQuery> read_query_file(const std::string& path) {
  if (path.empty()) return {};
  std::ifstream in(path, std::ios::binary);
  if (!in || std::filesystem::is_directory(path))
    throw UsageError("fidelity.bad-query", fmt::format("{}: cannot read the query file", path),
                     "--queries takes a SQL file, statements separated by ;");
  std::stringstream text;
  text << in.rdbuf();
  return parse_query_file(text.str(), path);
}

std::string fidelity_gate(const FidelityReport& report, std::optional<double> min,
                          std::string_view flag) {
  if (!min || report.score >= *min) return "";
  struct Item {
    double closeness;
    std::string what;
  };
  std::vector<Item> items;
  for (const auto& t : report.tables) {
    if (t.missing)
      items.push_back({0, t.table + " missing on the mirror"});
    else
      items.push_back({t.rows.closeness, t.table + " rows"});
  }
  for (const auto& c : report.columns) {
    if (c.missing) items.push_back({0, c.table + "." + c.column + " missing"});
    for (const auto& m : c.measures)
      items.push_back({m.closeness, c.table + "." + c.column + " " + m.measure});
  }
  for (const auto& q : report.queries)
    items.push_back({q.score, q.name + (q.same_shape ? " estimate" : " plan")});
  std::stable_sort(items.begin(), items.end(),
                   [](const Item& a, const Item& b) { return a.closeness < b.closeness; });
  std::string worst;
  for (size_t i = 0; i < items.size() && i < 3 && items[i].closeness < 1; ++i)
    worst += fmt::format("{}{} {:.2f}", i ? ", " : "", items[i].what, items[i].closeness);
  return fmt::format("fidelity {:.1f} is below {} {:g}{}{}", report.score, flag, *min,
                     worst.empty() ? "" : "; worst: ", worst);
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
