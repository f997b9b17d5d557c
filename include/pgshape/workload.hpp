// The workload module: load tests that hit the data's own hot keys — parameter
// values drawn with the data's skew, and pgbench scripts with a campaign-burst
// driver. Nothing here touches a database.
#pragma once

#include <cstdint>
#include <filesystem>
#include <string>
#include <string_view>
#include <vector>

#include "pgshape/profile.hpp"

namespace pgshape {

// ---------------------------------------------------------------------------
// Parameter values for load tests, drawn with the data's own skew: each value
// of a parameter is its column's value at a row chosen uniformly at random, so
// a promoted product appears in the parameters exactly as often as in the
// table. Needs no database: the values come from the same generators as the data.

struct ParamFile {
  std::vector<std::string> names;              // one per source: "table.column" or "$n"
  std::vector<bool> integer;                   // per source: drawn from an integer column
  std::vector<std::vector<std::string>> rows;  // `count` rows of text values
};

// Draws `count` rows, one value per source. A source with a column draws from it
// (NULLs are skipped: `=` never matches them); one without takes its first
// literal pick. `stream` names the draw: the same stream, seed and count give
// the same rows, independent of every other stream and of the data's own.
// Throws UsageError when a source has neither a column nor a literal.
ParamFile draw_params(const Profile& profile, const Scale& scale, uint64_t seed,
                      std::string_view stream, const std::vector<QueryParam>& sources,
                      int64_t count);

// The parameters of one query ($1..$n), drawn on the query's own stream.
ParamFile draw_params(const Profile& profile, const Scale& scale, uint64_t seed, const Query& query,
                      int64_t count);

// A literal pick's value ("literal:x" or "x").
std::string literal_value(const QueryParam& param);

// RFC 4180 CSV with a header line. Empty strings are quoted ("") so that COPY's
// CSV format reads them as empty strings, not as NULL.
std::string to_csv(const ParamFile& file);
// A JSON array of objects keyed by `names`, ready for k6's SharedArray. Values
// of integer columns that fit a double exactly are numbers; all else strings.
std::string to_json(const ParamFile& file);

// ---------------------------------------------------------------------------
// `pgshape workload`: a pgbench load test whose parameters carry the data's
// skew. Writes a self-contained folder: one pgbench script per query and per
// profile transaction, the parameter rows each script draws from (looked up
// by a random row number at run time, so hot values come as often as in the
// data), the stages of a campaign-burst arrival-rate run, and the driver
// (run.sh) that loads the parameters, runs the stages with pgbench's own rate
// limiting and prints latency percentiles per stage. The folder is the output;
// nothing here touches a database.

struct WorkloadOptions {
  std::string scale;          // scale point whose data the parameters match
  std::string schema;         // the loaded data's schema (default: the profile's)
  uint64_t seed = 0;          // the seed the data was loaded with
  int64_t count = 10000;      // parameter rows per script
  std::filesystem::path out;  // created if missing; our files in it are replaced
};

// One pgbench script and the parameter table it reads.
struct WorkloadScript {
  std::string name;          // the query's or transaction's name
  std::string file_stem;     // scripts/<stem>.sql, params/<stem>.csv, table <data schema>__<stem>
  bool transaction = false;  // a profile transaction (else a single query)
  int64_t weight = 1;        // pgbench -f script@weight in the default mix
};

// A campaign stage: the arrival rate goes from `from_rate` to `to_rate`
// transactions per second, linearly, over `seconds`.
struct WorkloadStage {
  std::string name;
  double from_rate = 0;
  double to_rate = 0;
  double seconds = 0;
};

// The incident's evening campaign: a quiet baseline, the email blast's ramp
// from 10 to 800 tx/s in 90 s, 10 minutes at 400, 5 minutes at 100.
const std::vector<WorkloadStage>& campaign_burst_stages();

// Writes the workload folder and returns its scripts. Throws UsageError for a
// query pgbench cannot run as written (see pgbench_sql).
std::vector<WorkloadScript> write_workload(const Profile& profile, const WorkloadOptions& options);

// A query's SQL as a pgbench command: `$n` becomes `replacements[n-1]` (a
// `:variable` or a quoted literal); comments are dropped; a colon that pgbench
// would read as a variable is neutralised — inside a quoted literal or
// identifier by a U& escape of the same text, elsewhere (array slices) by a
// space — and the command ends with one `;`. Throws UsageError naming `query`
// when $n has no replacement or a dollar-quoted or E'' string holds such a colon.
std::string pgbench_sql(std::string_view sql, const std::vector<std::string>& replacements,
                        std::string_view query);

// A SQL string literal holding `value` that pgbench passes through unchanged.
std::string pgbench_literal(std::string_view value);

// [A-Za-z0-9_] only, lower case, never empty: for file names, pgbench
// variables and the parameter tables' names.
std::string safe_name(std::string_view name);

}  // namespace pgshape
