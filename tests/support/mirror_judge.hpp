// Judging a mirror of a whole production schema against its source, for the
// tests that mirror one (tests/integration/stats/tryout_*_test.cpp,
// all_structures_test.cpp): their named known gaps, the source's build, the run
// of stats, validate, load and fidelity as a new user runs them, the object, key
// and plan checks, and the summary line. One copy, so each test states only its
// fixture, its known gaps and its bounds.
#pragma once

#include <chrono>
#include <cstddef>
#include <filesystem>
#include <functional>
#include <optional>
#include <set>
#include <span>
#include <string>

#include <nlohmann/json_fwd.hpp>

#include "test_server.hpp"

namespace pgshape::testing {

// A check that fails today, with why, listed so that the rest is asserted
// meanwhile. `key` names the check: "index T.NAME", "constraint T.NAME",
// "duplicates T.INDEX", "orphans T.FK", "workload.sql:LINE [hot]", ...; a '*' in
// it stands for any run of characters.
struct KnownGap {
  const char* key;
  const char* why;
};

// The first of `gaps` that names `key`, else nullptr.
const KnownGap* known_gap(std::span<const KnownGap> gaps, const std::string& key);

// Prints "known gap passes now, remove it: KEY" for each of `gaps` that names no
// key of `failed`: a stale entry would hide the check's next regression.
void print_stale_gaps(std::span<const KnownGap> gaps, const std::set<std::string>& failed);

// Runs the SQL file `sql_file` on `dsn` in one transaction, then VACUUM ANALYZE
// until every table of `schema` is all-visible (as on a vacuumed production, and
// on a mirror loaded with COPY FREEZE) or `patience` has passed. An unreadable
// file is a fatal failure: call it in ASSERT_NO_FATAL_FAILURE.
void build_vacuumed_source(const std::string& dsn, const std::string& sql_file,
                           const std::string& schema, std::chrono::seconds patience);

// A tryout's fixture, and how its new user names things.
struct Tryout {
  std::string schema;
  std::string source_sql;    // the SQL file that builds the source schema
  std::string password;      // in the environment only; must never be printed or written
  std::string prefix;        // names the temporary directory
  std::string profile_name;  // the profile's file name in it, "billing.yaml"
  std::string workload;      // the SQL file fidelity explains
};

// What run_tryout leaves. `dir` holds the profile; judge_tryout removes it.
struct TryoutRun {
  std::chrono::steady_clock::time_point started = std::chrono::steady_clock::now();
  Tryout tryout;
  std::string source_dsn, mirror_dsn;
  double built_seconds = 0;  // from `started` until the source was built
  std::filesystem::path dir;
  std::string profile;
  CommandResult imported, validated, loaded, fidelity;
};

// build_vacuumed_source of the source at `source_dsn` (10 s of patience); then,
// in a fresh directory, with the libpq variables of a user's shell pointing at
// nothing (PGPASSWORD the tryout's password), as a new user runs them: `pgshape
// stats` of the source schema into the profile, `validate`, `load --jobs 2` into
// `mirror_dsn` and `fidelity --json` of the workload. Each must exit 0, else a
// fatal failure (call it in ASSERT_NO_FATAL_FAILURE); none may print the password
// or write it into the profile (a non-fatal failure each). Prints stats' notes.
void run_tryout(const Tryout& tryout, const std::string& source_dsn, const std::string& mirror_dsn,
                TryoutRun& out);

// One statement of `pgshape fidelity --json`, as the plan checks read it.
struct PlanCase {
  std::string name;  // "workload.sql:12 [hot]": the file's name, the line, the value
  double source_rows = 0, mirror_rows = 0;  // the top plan node's estimates
  double ratio = 0;                         // source over mirror, each taken as at least 1
  double off = 0;                           // max(ratio, 1 / ratio)
  bool same_shape = false;                  // the same plan shape and no error
  const nlohmann::json* query = nullptr;    // its whole entry: sql, source_shape, ...
};

struct PlanTally {
  int cases = 0, shapes_equal = 0;
  int within = 0;    // cases with off <= bound
  double bound = 2;  // the estimates' bound, as the test states it
  double worst = 1;  // the largest off, and its case
  std::string worst_case;
};

// Prints the workload's table (query, source and mirror rows, ratio, shape), names
// `name_width` wide, a row per statement of `fidelity_json`; hands each case to
// `judge` after its row is printed. Returns the counts.
PlanTally tally_plans(const std::string& fidelity_json, double bound, int name_width,
                      const std::function<void(const PlanCase&)>& judge);

// The figures the summary line prints.
struct MirrorFigures {
  int objects_same = 0;
  std::size_t objects = 0;
  long duplicates = 0;
  std::optional<long> orphans;  // printed when counted
  PlanTally plans;
  bool print_worst = false;             // the worst ratio and its case
  std::optional<double> built_seconds;  // the source's build, then "all in"
  double seconds = 0;                   // the whole test
};

// Prints "objects identical N/M, duplicate keys D, ..., plan shapes equal ..."
// with the parts `figures` holds.
void print_summary(const MirrorFigures& figures);

// What a tryout's mirror must reach beyond its known gaps.
struct TryoutBounds {
  double estimates;  // every plan's row estimate within this factor of production's
  int min_cases;     // statements fidelity must explain (hot and rare variants each count)
};

// Judges a tryout's mirror check by check, each failing check that one of `gaps`
// names printed as a known gap, any other a test failure with its detail: every
// object of the schema on the mirror by definition (catalog_objects); no duplicate
// on a unique key of the source, no orphan of a foreign key of the source, counted
// on the mirror's rows; every workload statement of the same shape with estimates
// within bounds.estimates (tally_plans). Then print_summary, timed from
// run.started; at least bounds.min_cases statements; print_stale_gaps; and
// removes run.dir. Returns the figures.
MirrorFigures judge_tryout(const TryoutRun& run, std::span<const KnownGap> gaps,
                           TryoutBounds bounds);

}  // namespace pgshape::testing
