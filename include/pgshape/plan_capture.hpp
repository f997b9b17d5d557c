// Capturing query plans on a live server, and the capture directory that holds them.
//
// The capture functions take a connection the caller owns; they run everything in
// one transaction per experiment and ROLL IT BACK, so an experiment's CREATE INDEX,
// SET and anything a captured query writes leave no trace for the next one.
//
// Capture directory layout (what `explain --out DIR` writes and `compare` reads):
//
//   DIR/summary.json      {"format": "pgshape-capture/1",
//                          "meta": {profile, schema, seed, runs, hypothetical,
//                                   pgshape_version, server_version,
//                                   scales: [{name, tables: {table: rows}}],
//                                   queries: [{name, sql}], experiments: [{name, sql}]},
//                          "captures": [{query, pick, params, scale, experiment, analyzed,
//                                        runs, plan_file, shape, indexes,
//                                        planning_ms: {median, min, max}, execution_ms: {...},
//                                        root_estimated_rows, root_actual_rows,
//                                        worst_q_error, worst_node, shared_hit, shared_read,
//                                        table_rows: {table: rows}}]}
//   DIR/plans/<scale>/<experiment or "baseline">/<query>__<pick>.json
//                         the kept run's EXPLAIN output, verbatim (opens in PEV2 & co.)
//
// Path parts are the names with every character outside [A-Za-z0-9._-] turned into '_'
// (a collision gets a "~2" suffix); plan_file records the exact relative path.
// Everything in summary.json but plan_file can be recomputed from the plan files.
#pragma once

#include <pqxx/pqxx>

#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "pgshape/plan.hpp"
#include "pgshape/profile.hpp"

namespace pgshape {

inline constexpr const char* kBaseline = "baseline";  // the experiment label of no experiment

// One way to fill a query's parameters: the label names the picks, the values are
// what they resolved to at this scale point (text; the server infers the types).
struct ParamVariant {
  std::string label;                // picks joined by ',', e.g. "most_common,literal:true"
  std::vector<std::string> values;  // in $n order
};

// Resolves every pick of `query` against the data in `schema` and returns the
// cartesian product of the params' picks (a single-param query with picks
// [most_common, rare, random:2] gives 4 variants). Picks:
//   most_common  the value with the highest count, ties → smallest value
//   rare         the least common value present, ties → smallest value
//   median       the median (percentile_disc 0.5) of the non-null values
//   random:k     k distinct values, chosen by md5(seed:value) order — deterministic
//                per seed and independent of the heap order → labels random:k#1..#k
//   literal:<v>  <v>; any other string is taken as a literal as well
// Throws UsageError when a param's table/column does not exist or has no values,
// DatabaseError/pqxx errors for database failures.
std::vector<ParamVariant> resolve_params(pqxx::connection& conn, const std::string& schema,
                                         const Query& query, uint64_t seed);

struct CaptureOptions {
  int runs = 5;               // measured runs after one warm-up; the median one is kept
  bool hypothetical = false;  // index experiments as hypopg indexes, EXPLAIN without ANALYZE
  uint64_t seed = 1;          // for random:k picks
};

// What a capture is of: the dataset schema, the scale point's name and its row counts.
struct ScaleContext {
  std::string schema;
  std::string scale;
  std::map<std::string, int64_t> table_rows;
};

// Captures one query × variant in `tx` (search_path must already point at the schema):
// one warm-up, then options.runs measured EXPLAIN (ANALYZE, BUFFERS, SETTINGS, FORMAT
// JSON) runs, keeping the median-execution-time run verbatim. With `explain_only`,
// a single EXPLAIN (SETTINGS, FORMAT JSON) without ANALYZE (hypothetical indexes).
PlanCapture capture_query(pqxx::transaction_base& tx, const ScaleContext& scale, const Query& query,
                          const ParamVariant& variant, const std::string& experiment,
                          const CaptureOptions& options, bool explain_only = false);

// Captures every query × variant at one scale point: the baseline, then each
// experiment, each in its own rolled-back transaction. Variants are resolved once
// (on the baseline data) so every experiment sees the same values.
// Throws UsageError when --hypothetical is asked for but hypopg is not available.
std::vector<PlanCapture> capture_scale(pqxx::connection& conn, const ScaleContext& scale,
                                       const std::vector<Query>& queries,
                                       const std::vector<Experiment>& experiments,
                                       const CaptureOptions& options);

// Row counts of the ordinary tables in `schema` from pg_class.reltuples (exact
// enough after ANALYZE on the sizes pgshape loads; the loader's counts are better).
std::map<std::string, int64_t> table_row_counts(pqxx::connection& conn, const std::string& schema);

// What summary.json says about the sweep as a whole.
struct CaptureMeta {
  std::string profile;
  std::string schema;
  uint64_t seed = 0;
  int runs = 0;
  bool hypothetical = false;
  std::string pgshape_version;
  std::string server_version;
  std::vector<std::pair<std::string, std::map<std::string, int64_t>>> scales;  // in order
  std::vector<std::pair<std::string, std::string>> queries;                    // name, sql
  std::vector<std::pair<std::string, std::string>> experiments;                // name, sql
};

struct CaptureSet {
  CaptureMeta meta;
  std::vector<PlanCapture> captures;
};

// Writes `set` as the layout above into `dir` (created if needed; files it writes are
// replaced, others left alone). Sets each capture's plan_file. Throws
// std::runtime_error naming the path when a file cannot be written.
void write_capture_dir(const std::string& dir, CaptureSet& set);

// Reads a capture dir back; plans are re-parsed from the plan files. Throws
// UsageError naming the directory and the problem when it is missing, has no or a
// malformed summary.json, or a plan file is missing or not EXPLAIN JSON.
CaptureSet read_capture_dir(const std::string& dir);

}  // namespace pgshape
