// The fidelity check: how closely a mirror's planner statistics and plans match
// production's, as one 0..100 score a nightly job can gate on.
//
//   measure_fidelity  reads both sides' catalogs (read_stats: one read-only session
//                     each) and, for every statement of a query file, plain EXPLAIN
//                     (never ANALYZE) on both, the source's in READ ONLY transactions
//                     of a session with default_transaction_read_only = on
//   score_fidelity    the pure part: the snapshots and plans compared and scored
//   parse_query_file  a SQL file split into statements at top-level semicolons
//
// The score (documented in README "Fidelity score"; tests recompute it on their own):
//   per column   the mean of the closenesses that apply, each in [0, 1]:
//                n_distinct  min/max of the two absolute distinct counts
//                null_frac   max(0, 1 - |delta| / 0.2)
//                MCV         max(0, 1 - maxdelta / 0.2), maxdelta over the union of both
//                            lists' values (a value a list lacks has frequency 0); lists
//                            with no value in common (a redacted mirror) by rank instead
//                correlation max(0, 1 - |delta|) when both sides have one
//                histogram   1 - KS distance of the two bounds' CDFs (0 when only one side
//                            has a histogram)
//   per table    (min/max of reltuples + mean column score) / 2; a table or column the
//                mirror lacks, or has no statistics for, scores 0
//   per query    (shape equal ? 0.5 : 0) + 0.5 * min/max of the top node's row estimates
//   score        100 * mean table score, or with queries
//                100 * (mean table score + mean query score) / 2
// Owned by the app module: src/app/fidelity*.cpp (fidelity_internal.hpp names the parts).
#pragma once

#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "pgshape/profile.hpp"
#include "pgshape/stats.hpp"

namespace pgshape {

// One statement of a --queries file, with where it starts (1-based).
struct FidelityQuery {
  std::string name;  // "FILE:LINE"; a profile query's: "NAME [PICK]"
  std::string at;    // where an error points, "FILE:LINE:COLUMN"; empty: from name and column
  std::string sql;   // without the terminating semicolon
  int line = 0;
  int column = 0;
  int params = 0;  // the highest $n it uses: explained as a generic plan
};

// Splits `text` at semicolons outside quotes, dollar quotes and comments; empty
// statements are dropped. Throws UsageError fidelity.bad-query ("file:line:column:
// ...") for an unterminated quote or comment, or a statement plain EXPLAIN cannot
// take (it must start with SELECT, WITH, VALUES, TABLE, INSERT, UPDATE, DELETE or
// MERGE) — EXPLAIN, ANALYZE and anything else are refused before any connection.
std::vector<FidelityQuery> parse_query_file(const std::string& text, const std::string& file);
// The file at `path` parsed so; nothing for "". An unreadable file is fidelity.bad-query.
std::vector<FidelityQuery> read_query_file(const std::string& path);

struct FidelityOptions {
  std::string source_schema = "public";  // the source schema compared
  std::string schema;                    // the mirror's schema; empty: the same name
  std::vector<std::string> tables;       // empty: every table of the source schema
  std::vector<FidelityQuery> queries;    // explained on both sides; empty: statistics only
  // A profile's own queries, used when `queries` is empty: each explained once per
  // variant of its params' picks (as `explain` and `compare` pair them: "listing
  // [rank:50]"), each side's values read from its own statistics (see pick_from_stats).
  std::vector<Query> profile_queries;
  std::string profile_file;  // where profile_queries come from, for error positions
  uint64_t seed = 1;         // for random:k picks
};

// One pick of a profile query's param resolved from a side's statistics of the
// param's column, never from its rows (production is only read through its
// catalogs): most_common the first MCV (else the first histogram bound), rank:k the
// k-th MCV, rare the middle histogram bound (a value the planner estimates at the
// rare end; else the last MCV), median the middle histogram bound (else the first
// MCV), random:k k values of the MCVs and bounds in an order keyed by the seed
// (labels random:k#1..), a literal itself. Pairs of (label, value); empty when the
// statistics hold no such value (the variant is then skipped and named).
std::vector<std::pair<std::string, std::string>> pick_from_stats(const ColumnStats* column,
                                                                 const Pick& pick, uint64_t seed);

// Both sides of one measure, and how close they are.
struct FidelityMeasure {
  std::string measure;  // "rows", "n_distinct", "null_frac", "mcv", "correlation", "histogram"
  // The two sides' figures: the value itself; for mcv each side's top frequency, for
  // histogram each side's number of bounds (the gap and the KS distance are in closeness).
  double source = 0;
  double mirror = 0;
  double closeness = 0;  // in [0, 1]
};

struct ColumnFidelity {
  std::string table;
  std::string column;
  bool missing = false;  // the mirror lacks the column or its statistics
  std::vector<FidelityMeasure> measures;
  double score = 0;  // in [0, 1]
};

struct TableFidelity {
  std::string table;
  bool missing = false;
  FidelityMeasure rows;
  double score = 0;  // in [0, 1]
};

struct QueryFidelity {
  std::string name;  // FidelityQuery::name
  std::string sql;
  std::string source_shape;  // shape_signature of the plan; empty when not explained
  std::string mirror_shape;
  double source_rows = 0;  // the top node's estimate
  double mirror_rows = 0;
  bool same_shape = false;
  std::string error;  // why the mirror could not explain it (scores 0); else empty
  double score = 0;   // in [0, 1]
};

struct FidelityReport {
  std::string source_database;
  std::string mirror_database;
  std::string source_schema;
  std::string schema;
  std::vector<TableFidelity> tables;    // source order (by name)
  std::vector<ColumnFidelity> columns;  // by table, then attnum
  std::vector<QueryFidelity> queries;   // file order
  // Profile query variants not explained: "listing [rank:50]: no such value in the
  // mirror's statistics of products.category_id".
  std::vector<std::string> skipped;
  double stats_score = 0;             // mean table score, in [0, 1]
  std::optional<double> plans_score;  // mean query score; nullopt without queries
  double score = 0;                   // 0..100
};

// One explained plan, as score_fidelity needs it (or why it failed).
struct ExplainedPlan {
  std::string shape;
  double rows = 0;
  std::string error;  // the server's message when EXPLAIN failed
};

// The KS distance of two histograms' bounds: the largest gap between their CDFs
// (each bound i of n at i/(n-1)), evaluated at every bound of either. With
// `interpolate` (numeric bounds) the CDF is linear between bounds, else a value
// strictly between bounds i and i+1 is at (i+0.5)/(n-1). `a` and `b` are sort keys
// in one order (numbers, or ranks of the merged values). In [0, 1]; 1 when one is empty.
double histogram_distance(const std::vector<double>& a, const std::vector<double>& b,
                          bool interpolate);

// Sort keys for two lists of values of one type that are not all numbers: the
// caller's ranking of their merged values (equal values equal keys), or nullopt
// when they cannot be ordered (the histogram measure is then left out).
using HistogramRanker =
    std::function<std::optional<std::pair<std::vector<double>, std::vector<double>>>(
        const std::string& type, const std::vector<std::string>& a,
        const std::vector<std::string>& b)>;

// The score of `mirror` against `source` as the header describes; `source_plans`
// and `mirror_plans` are parallel to `queries`.
FidelityReport score_fidelity(const StatsSnapshot& source, const StatsSnapshot& mirror,
                              const std::vector<FidelityQuery>& queries,
                              const std::vector<ExplainedPlan>& source_plans,
                              const std::vector<ExplainedPlan>& mirror_plans,
                              const HistogramRanker& rank);

// Reads both sides and scores them. The source is only read: catalogs through
// read_stats, and plain EXPLAIN of each query in its own READ ONLY transaction with
// search_path set to the source schema (the mirror's: its schema). A statement with
// $n is PREPAREd and its generic plan explained (plan_cache_mode =
// force_generic_plan, EXPLAIN EXECUTE with NULLs): the plan cached for any values.
// When every $n is compared with a column (`col = $1`, `t.col = $1`) of exactly one
// table the statement names, it is also explained with a hot and a rare value
// ("FILE:LINE [hot]", "[rare]"), each side's from its own statistics: the first MCV,
// and the middle histogram bound (else the last MCV). Without queries, the
// profile_queries are explained instead, one custom plan per pick variant.
// A statement the source cannot explain is fidelity.bad-query; one only the
// mirror cannot explain scores 0 with the server's message. Throws
// UsageError (no such schema or table), DatabaseError.
FidelityReport measure_fidelity(const std::string& source_dsn, const std::string& mirror_dsn,
                                const FidelityOptions& options);

}  // namespace pgshape
