// See mirror_judge.hpp.
#include "mirror_judge.hpp"

#include <gtest/gtest.h>
#include <pqxx/pqxx>

#include <fmt/format.h>
#include <algorithm>
#include <cstdio>
#include <map>
#include <vector>

#include <nlohmann/json.hpp>

#include "catalog_objects.hpp"

namespace pgshape::testing {
namespace {

struct ForeignKey {
  std::string table, name, definition, check;  // check: counts the orphans of the key
};

// Every foreign key of `schema` on `dsn` (on the partitioned table, not its
// leaves' clones), with a query counting the mirror's rows whose key has no
// parent (MATCH SIMPLE: a row with a NULL key column has none to miss).
std::vector<ForeignKey> foreign_keys(const std::string& dsn, const std::string& schema) {
  pqxx::connection conn(dsn);
  pqxx::read_transaction tx(conn);
  std::vector<ForeignKey> out;
  const std::string quoted = tx.quote_name(schema);
  for (const auto& row : tx.exec_params(
           "SELECT c.relname, k.conname, pg_get_constraintdef(k.oid), p.relname, "
           "  (SELECT string_agg(format('c.%I IS NOT NULL', a.attname), ' AND ') "
           "   FROM unnest(k.conkey) u(n) JOIN pg_attribute a ON a.attrelid = k.conrelid "
           "   AND a.attnum = u.n), "
           "  (SELECT string_agg(format('p.%I = c.%I', pa.attname, ca.attname), ' AND ') "
           "   FROM unnest(k.conkey, k.confkey) u(n, m) "
           "   JOIN pg_attribute ca ON ca.attrelid = k.conrelid AND ca.attnum = u.n "
           "   JOIN pg_attribute pa ON pa.attrelid = k.confrelid AND pa.attnum = u.m) "
           "FROM pg_constraint k JOIN pg_class c ON c.oid = k.conrelid "
           "JOIN pg_class p ON p.oid = k.confrelid JOIN pg_namespace n ON n.oid = c.relnamespace "
           "WHERE n.nspname = $1 AND k.contype = 'f' AND k.conparentid = 0 ORDER BY 1, 2",
           schema)) {
    out.push_back(ForeignKey{
        row[0].as<std::string>(), row[1].as<std::string>(), row[2].as<std::string>(),
        fmt::format("SELECT count(*) FROM {}.{} c WHERE {} AND NOT EXISTS (SELECT FROM {}.{} p "
                    "WHERE {})",
                    quoted, tx.quote_name(row[0].as<std::string>()), row[4].as<std::string>(),
                    quoted, tx.quote_name(row[3].as<std::string>()), row[5].as<std::string>())});
  }
  return out;
}

long count_rows(const std::string& dsn, const std::string& sql) {
  pqxx::connection conn(dsn);
  pqxx::read_transaction tx(conn);
  return tx.exec1(sql)[0].as<long>();
}

// The libpq variables of a user's shell, pointing at nothing, with PGPASSWORD
// `password`: pgshape's command line must win over every one of them.
std::map<std::string, std::string> hostile_environment(const std::string& password) {
  return {{"PGHOST", "/nonexistent/tryout"},
          {"PGPORT", "1"},
          {"PGUSER", "tryout_nobody"},
          {"PGDATABASE", "tryout_nowhere"},
          {"PGPASSWORD", password},
          {"PGOPTIONS", "-c search_path=nowhere -c DateStyle=SQL,DMY -c TimeZone=Asia/Kathmandu"}};
}

// Whether `pattern` names `key`, '*' standing for any run of characters.
bool gap_matches(const char* key, const char* pattern) {
  if (*pattern == '\0') return *key == '\0';
  if (*pattern == '*')
    return gap_matches(key, pattern + 1) || (*key && gap_matches(key + 1, pattern));
  return *key == *pattern && gap_matches(key + 1, pattern + 1);
}

}  // namespace

const KnownGap* known_gap(std::span<const KnownGap> gaps, const std::string& key) {
  for (const auto& g : gaps)
    if (gap_matches(key.c_str(), g.key)) return &g;
  return nullptr;
}

void print_stale_gaps(std::span<const KnownGap> gaps, const std::set<std::string>& failed) {
  for (const auto& g : gaps)
    if (std::none_of(failed.begin(), failed.end(),
                     [&](const std::string& key) { return gap_matches(key.c_str(), g.key); }))
      std::printf("known gap passes now, remove it: %s\n", g.key);
}

void build_vacuumed_source(const std::string& dsn, const std::string& sql_file,
                           const std::string& schema, std::chrono::seconds patience) {
  const std::string sql = read_all(sql_file);
  ASSERT_FALSE(sql.empty()) << "cannot read " << sql_file;
  pqxx::connection conn(dsn);
  {
    pqxx::work tx(conn);
    tx.exec(sql);
    tx.commit();
  }
  // VACUUM marks a page all-visible only when no snapshot is older than its rows,
  // and one can be, right after the load: vacuum again until every page is.
  pqxx::nontransaction tx(conn);
  const auto deadline = std::chrono::steady_clock::now() + patience;
  for (;;) {
    tx.exec0("VACUUM ANALYZE");
    const auto behind =
        tx.exec_params1(
              "SELECT count(*) FROM pg_catalog.pg_class c JOIN pg_catalog.pg_namespace n "
              "ON n.oid = c.relnamespace WHERE n.nspname = $1 AND c.relkind = 'r' "
              "AND c.relallvisible < c.relpages",
              schema)[0]
            .as<int>();
    if (behind == 0 || std::chrono::steady_clock::now() > deadline) break;
  }
}

void run_tryout(const Tryout& setup, const std::string& source_dsn, const std::string& mirror_dsn,
                TryoutRun& out) {
  out.tryout = setup;
  out.source_dsn = source_dsn;
  out.mirror_dsn = mirror_dsn;
  ASSERT_NO_FATAL_FAILURE(
      build_vacuumed_source(source_dsn, setup.source_sql, setup.schema, std::chrono::seconds(10)));
  out.built_seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - out.started).count();
  const auto env = hostile_environment(setup.password);
  out.dir = std::filesystem::temp_directory_path() / unique_name(setup.prefix);
  std::filesystem::create_directories(out.dir);
  out.profile = (out.dir / setup.profile_name).string();
  out.imported = run_pgshape(
      {"stats", "--source", source_dsn, "--source-schema", setup.schema, "-o", out.profile}, env);
  out.validated = run_pgshape({"validate", out.profile}, env);
  out.loaded = run_pgshape({"load", out.profile, "--jobs", "2", "--dsn", mirror_dsn}, env);
  out.fidelity = run_pgshape({"fidelity", "--source", source_dsn, "--source-schema", setup.schema,
                              "--dsn", mirror_dsn, "--queries", setup.workload, "--json"},
                             env);
  ASSERT_EQ(out.imported.exit_code, 0) << out.imported.err;
  ASSERT_EQ(out.validated.exit_code, 0) << out.validated.err << out.validated.out;
  ASSERT_EQ(out.loaded.exit_code, 0) << out.loaded.err << "\n" << out.loaded.out;
  ASSERT_EQ(out.fidelity.exit_code, 0) << out.fidelity.err << out.fidelity.out;
  const std::string written = read_all(out.profile);
  for (const std::string* text : std::vector<const std::string*>{
           &out.imported.out, &out.imported.err, &out.validated.out, &out.validated.err,
           &out.loaded.out, &out.loaded.err, &out.fidelity.out, &out.fidelity.err, &written})
    EXPECT_EQ(text->find(setup.password), std::string::npos) << "the password is printed:\n"
                                                             << *text;
  std::printf("stats notes:\n%s\n", out.imported.err.c_str());
}

PlanTally tally_plans(const std::string& fidelity_json, double bound, int name_width,
                      const std::function<void(const PlanCase&)>& judge) {
  const auto j = nlohmann::json::parse(fidelity_json);
  PlanTally tally{.bound = bound};
  std::printf("\n%-*s %10s %10s %7s  %s\n", name_width, "query", "source", "mirror", "ratio",
              "shape");
  for (const auto& q : j.at("queries")) {
    ++tally.cases;
    PlanCase c{.query = &q};
    c.name = q.at("name").get<std::string>();
    c.name = c.name.substr(c.name.rfind('/') + 1);  // "workload.sql:12 [hot]"
    c.source_rows = q.at("source_rows").get<double>();
    c.mirror_rows = q.at("mirror_rows").get<double>();
    c.ratio = std::max(c.source_rows, 1.0) / std::max(c.mirror_rows, 1.0);
    c.off = std::max(c.ratio, 1 / c.ratio);
    c.same_shape = q.at("same_shape").get<bool>() && q.at("error").get<std::string>().empty();
    tally.shapes_equal += c.same_shape;
    tally.within += c.off <= bound;
    if (c.off > tally.worst) tally.worst = c.off, tally.worst_case = c.name;
    std::printf("%-*s %10.0f %10.0f %7.2f  %s\n", name_width, c.name.c_str(), c.source_rows,
                c.mirror_rows, c.ratio, c.same_shape ? "same" : "DIFF");
    judge(c);
  }
  return tally;
}

void print_summary(const MirrorFigures& f) {
  std::printf("\nobjects identical %d/%zu, duplicate keys %ld", f.objects_same, f.objects,
              f.duplicates);
  if (f.orphans) std::printf(", orphans %ld", *f.orphans);
  std::printf(", plan shapes equal %d/%d, estimates within %gx %d/%d", f.plans.shapes_equal,
              f.plans.cases, f.plans.bound, f.plans.within, f.plans.cases);
  if (f.print_worst)
    std::printf(", worst ratio %.2f (%s)", f.plans.worst, f.plans.worst_case.c_str());
  if (f.built_seconds)
    std::printf("; source built in %.0f s, all in %.0f s\n", *f.built_seconds, f.seconds);
  else
    std::printf(", %.0f s\n", f.seconds);
}

namespace {

// A tryout's checks, each failing one a known gap or a test failure.
class MirrorJudge {
 public:
  explicit MirrorJudge(std::span<const KnownGap> gaps) : gaps_(gaps) {}

  // Nothing when `ok`; else `key` counts as failed and is printed as a known gap
  // (followed by `detail` when `show_detail`) or added as a failure.
  void judge(const std::string& key, bool ok, const std::string& detail, bool show_detail = false);
  void objects(const TryoutRun& run, MirrorFigures& figures);
  void keys(const TryoutRun& run, MirrorFigures& figures);
  void plans(const TryoutRun& run, double bound, MirrorFigures& figures);
  const std::set<std::string>& failed() const { return failed_; }

 private:
  std::span<const KnownGap> gaps_;
  std::set<std::string> failed_;
};

void MirrorJudge::judge(const std::string& key, bool ok, const std::string& detail,
                        bool show_detail) {
  if (ok) return;
  failed_.insert(key);
  if (const KnownGap* g = known_gap(gaps_, key))
    std::printf("  %-50s known gap (%s)\n%s", key.c_str(), g->why,
                show_detail ? (detail + "\n").c_str() : "");
  else
    ADD_FAILURE() << key << ": " << detail;
}

void MirrorJudge::objects(const TryoutRun& run, MirrorFigures& f) {
  const auto source = catalog_objects(run.source_dsn, run.tryout.schema);
  const auto copy = catalog_objects(run.mirror_dsn, run.tryout.schema);
  f.objects_same = 0;
  f.objects = source.size();
  for (const auto& [key, definition] : source) {
    auto it = copy.find(key);
    const bool equal = it != copy.end() && it->second == definition;
    f.objects_same += equal;
    judge(key, equal,
          "not on the mirror by definition\n  source: " + definition +
              "\n  mirror: " + (it == copy.end() ? "(missing)" : it->second));
  }
  for (const auto& [key, definition] : copy)
    if (!source.count(key)) std::printf("  %-50s only on the mirror\n", key.c_str());
  std::printf("catalog: %d of %zu objects identical\n", f.objects_same, f.objects);
}

void MirrorJudge::keys(const TryoutRun& run, MirrorFigures& f) {
  const std::string& source_dsn = run.source_dsn;
  const std::string& mirror_dsn = run.mirror_dsn;
  const std::string& schema = run.tryout.schema;
  long duplicates = 0, orphans = 0;
  for (const auto& key : unique_keys(source_dsn, schema)) {
    const long n = duplicate_keys(mirror_dsn, schema, key);
    duplicates += n;
    judge("duplicates " + key.table + "." + key.index, n == 0, std::to_string(n) + " duplicates");
  }
  for (const auto& fk : foreign_keys(source_dsn, schema)) {
    const long n = count_rows(mirror_dsn, fk.check);
    orphans += n;
    judge("orphans " + fk.table + "." + fk.name, n == 0,
          fmt::format("{} rows without a parent ({})", n, fk.definition));
  }
  f.duplicates = duplicates;
  f.orphans = orphans;
  std::printf("duplicate keys on the mirror: %ld, orphans: %ld\n", duplicates, orphans);
}

void MirrorJudge::plans(const TryoutRun& run, double bound, MirrorFigures& f) {
  f.plans = tally_plans(run.fidelity.out, bound, 30, [&](const PlanCase& c) {
    const auto& q = *c.query;
    judge(c.name, c.same_shape && c.off <= bound,
          fmt::format("{}\n  source: {} ({} rows)\n  mirror: {} ({} rows) {}",
                      q.at("sql").get<std::string>(), q.at("source_shape").get<std::string>(),
                      c.source_rows, q.at("mirror_shape").get<std::string>(), c.mirror_rows,
                      q.at("error").get<std::string>()),
          /*show_detail=*/true);
  });
}

}  // namespace

MirrorFigures judge_tryout(const TryoutRun& run, std::span<const KnownGap> gaps,
                           TryoutBounds bounds) {
  MirrorJudge judge(gaps);
  MirrorFigures figures;
  judge.objects(run, figures);
  judge.keys(run, figures);
  judge.plans(run, bounds.estimates, figures);
  figures.built_seconds = run.built_seconds;
  figures.seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - run.started).count();
  print_summary(figures);
  EXPECT_GE(figures.plans.cases, bounds.min_cases)
      << "the workload's hot and rare variants were not all explained";
  print_stale_gaps(gaps, judge.failed());
  std::filesystem::remove_all(run.dir);
  return figures;
}

}  // namespace pgshape::testing
