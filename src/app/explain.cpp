// `pgshape explain PROFILE`: the scale-point sweep. For each scale point: load it
// (the loader ANALYZEs), capture every query × parameter choice without and with
// each experiment; then write the capture dir, compare smallest vs largest scale and
// baseline vs each experiment at every scale, and write report.md / report.html.
#include <fmt/format.h>
#include <algorithm>
#include <filesystem>
#include <functional>
#include <map>

#include "app/internal.hpp"
#include "pgshape/app.hpp"
#include "pgshape/util.hpp"

namespace pgshape {
namespace {

std::vector<std::string> chosen_scales(const Profile& p, const std::vector<std::string>& names) {
  std::vector<std::string> out;
  if (names.empty()) {
    for (const auto& s : p.scales) out.push_back(s.name);
    return out;
  }
  for (const auto& name : names) out.push_back(app::require_scale(p, name, "--scales").name);
  return out;
}

std::vector<PlanCapture> select(const std::vector<PlanCapture>& all, const std::string& scale,
                                const std::string& experiment) {
  std::vector<PlanCapture> out;
  for (const auto& c : all)
    if (c.scale == scale && c.experiment == experiment) out.push_back(c);
  return out;
}

CompareResult compared(const std::vector<PlanCapture>& all, const std::string& scale_a,
                       const std::string& exp_a, const std::string& scale_b,
                       const std::string& exp_b) {
  CompareResult r = compare_captures(select(all, scale_a, exp_a), select(all, scale_b, exp_b));
  r.label_a = scale_a + "/" + exp_a;
  r.label_b = scale_b + "/" + exp_b;
  return r;
}

// The comparisons that matter: how the plans change with the data (smallest vs
// largest scale point by rows), and what each experiment does at each scale point.
std::vector<CompareResult> sweep_comparisons(const Profile& profile, const CaptureSet& set,
                                             const std::vector<std::string>& scales,
                                             std::map<std::string, int64_t>& total_rows) {
  std::vector<CompareResult> out;
  if (scales.size() > 1) {
    auto by_rows = [&](const std::string& x, const std::string& y) {
      return total_rows[x] < total_rows[y];
    };
    const std::string small = *std::min_element(scales.begin(), scales.end(), by_rows);
    const std::string large = *std::max_element(scales.begin(), scales.end(), by_rows);
    if (small != large) out.push_back(compared(set.captures, small, kBaseline, large, kBaseline));
  }
  for (const auto& scale : scales)
    for (const auto& e : profile.experiments)
      out.push_back(compared(set.captures, scale, kBaseline, scale, e.name));
  return out;
}

CaptureSet new_capture_set(const Profile& profile, const ExplainCommand& c,
                           const std::string& schema, uint64_t seed) {
  CaptureSet set;
  set.meta.profile = profile.name;
  set.meta.schema = schema;
  set.meta.seed = seed;
  set.meta.runs = c.runs;
  set.meta.hypothetical = c.hypothetical;
  set.meta.pgshape_version = PGSHAPE_VERSION;
  for (const auto& q : profile.queries) set.meta.queries.emplace_back(q.name, q.sql);
  for (const auto& e : profile.experiments) set.meta.experiments.emplace_back(e.name, e.sql);
  return set;
}

using Progress = std::function<void(ExplainProgress::Step, const std::string&, const LoadResult*)>;

// Loads one scale point and captures its plans into `set`; returns its total rows.
int64_t sweep_scale(const Profile& profile, const ExplainCommand& c, const Target& target,
                    const std::string& scale, CaptureSet& set, const Progress& progress) {
  const std::string& schema = set.meta.schema;
  progress(ExplainProgress::Step::kLoading, scale, nullptr);
  LoadOptions options{.scale = scale, .schema = schema, .seed = set.meta.seed, .jobs = c.jobs};
  options.on_progress = c.on_load_progress;
  const LoadResult loaded = load_dataset(profile, target.dsn(), options);
  progress(ExplainProgress::Step::kLoaded, scale, &loaded);
  ScaleContext ctx{schema, scale, {}};
  int64_t total = 0;
  for (const auto& t : loaded.tables) {
    ctx.table_rows[t.table] = t.rows;
    total += t.rows;
  }
  set.meta.scales.emplace_back(scale, ctx.table_rows);
  progress(ExplainProgress::Step::kCapturing, scale, nullptr);
  auto conn = app::connect(target.dsn(), "the target database");
  if (set.meta.server_version.empty()) {
    pqxx::nontransaction tx(*conn);
    set.meta.server_version = tx.exec1("SHOW server_version")[0].c_str();
  }
  const auto caps = capture_scale(
      *conn, ctx, profile.queries, profile.experiments,
      CaptureOptions{.runs = c.runs, .hypothetical = c.hypothetical, .seed = set.meta.seed});
  set.captures.insert(set.captures.end(), caps.begin(), caps.end());
  return total;
}

ExplainOutcome explain(const ExplainCommand& c) {
  // Every check that needs no database comes first: a typo fails fast with exit 2.
  const std::vector<ChangeKind> gated = app::change_kinds(c.fail_on);
  if (c.runs < 1) throw UsageError("usage.bad-option", "--runs must be at least 1");
  const Profile profile = load_profile_with_overlay(c.profile, c.overlay);
  const std::vector<std::string> scales = chosen_scales(profile, c.scales);
  if (profile.queries.empty())
    throw UsageError("usage.no-queries", "profile " + c.profile + " declares no queries to explain",
                     "add a `queries:` section with the SQL to capture");
  const std::string schema = c.schema.empty() ? profile.schema : c.schema;
  const uint64_t seed = c.seed.value_or(profile.seed);
  ExplainOutcome outcome;
  outcome.capture_dir = c.out.empty() ? "pgshape-out/" + profile.name : c.out;
  auto progress = [&](ExplainProgress::Step step, const std::string& scale,
                      const LoadResult* loaded) {
    if (c.on_progress) c.on_progress(ExplainProgress{step, scale, schema, loaded});
  };

  const app::OpenedTarget opened = app::open_target(c.target);
  const Target& target = opened.target;
  CaptureSet set = new_capture_set(profile, c, schema, seed);
  std::map<std::string, int64_t> total_rows;  // per scale, to find the smallest and largest
  for (const auto& scale : scales)
    total_rows[scale] = sweep_scale(profile, c, target, scale, set, progress);
  app::writing_files([&] { write_capture_dir(outcome.capture_dir, set); });

  ReportInput& report = outcome.report;
  report.title = "pgshape explain — " + profile.name;
  report.notes = {
      "profile: " + c.profile, "server: PostgreSQL " + set.meta.server_version,
      fmt::format("seed {}, {} per capture after a warm-up", seed, plural(c.runs, "measured run")),
      "capture: " + outcome.capture_dir + "/summary.json"};
  report.comparisons = sweep_comparisons(profile, set, scales, total_rows);
  report.sets = {{profile.name, set.captures}};
  // The anchor counts the profile's scales are written in (12,000 / 340,000
  // products), which is how a reader knows the scale points.
  for (const auto& s : profile.scales) report.scale_rows[s.name] = s.anchor;
  outcome.report_html =
      app::writing_files([&] { return write_reports(outcome.capture_dir, report); });
  outcome.gate = app::gate_verdict("explain", gated, report.comparisons);
  outcome.schema = schema;
  outcome.target = app::describe_target(opened, c.target.keep);
  return outcome;
}

// "pg18", or "pg18-2" when two directories hold the same major version.
std::vector<std::string> server_labels(const std::vector<std::string>& bindirs) {
  std::vector<std::string> labels;
  std::map<std::string, int> seen;
  for (const auto& dir : bindirs) {
    const std::string version = server_binaries_version(dir);
    if (version.empty())
      throw DatabaseError("server.no-binaries", "cannot run " + dir + "/postgres --version",
                          "--pg-bin names the directory holding initdb, pg_ctl and postgres");
    const std::string label = "pg" + version.substr(0, version.find('.'));
    const int n = ++seen[label];
    labels.push_back(n == 1 ? label : label + "-" + std::to_string(n));
  }
  return labels;
}

// The upgrade question: the same profile and seed give the same rows on every
// server, so comparing the sweeps shows only what the planners do differently.
ExplainOutcome explain_across_servers(const ExplainCommand& c) {
  if (c.target.dsn.has_value())
    throw UsageError("usage.bad-option",
                     "--pg-bin picks embedded servers: it cannot be repeated with --dsn",
                     "drop --dsn to compare the servers --pg-bin names");
  const std::vector<std::string> labels = server_labels(c.pg_bins);
  const Profile profile = load_profile_with_overlay(c.profile, c.overlay);
  const std::string root = c.out.empty() ? "pgshape-out/" + profile.name : c.out;
  ExplainOutcome outcome;
  for (size_t i = 0; i < c.pg_bins.size(); ++i) {
    ExplainCommand one = c;
    one.pg_bins.clear();
    one.target.pg_bin = c.pg_bins[i];
    one.out = (std::filesystem::path(root) / labels[i]).string();
    outcome.servers.push_back(explain(one));
  }
  for (size_t i = 1; i < outcome.servers.size(); ++i) {
    outcome.across_servers.push_back(run_compare(CompareCommand{
        .dir_a = outcome.servers[0].capture_dir,
        .dir_b = outcome.servers[i].capture_dir,
        .out = (std::filesystem::path(root) / ("compare-" + labels[0] + "-" + labels[i])).string(),
        .fail_on = c.fail_on}));
  }
  const ExplainOutcome& first = outcome.servers.front();
  outcome.capture_dir = first.capture_dir;
  outcome.report_html = first.report_html;
  outcome.report = first.report;
  outcome.target = first.target;
  outcome.schema = first.schema;
  for (const auto& s : outcome.servers)
    if (outcome.gate.empty()) outcome.gate = s.gate;
  for (const auto& a : outcome.across_servers)
    if (outcome.gate.empty()) outcome.gate = a.gate;
  return outcome;
}

}  // namespace

ExplainOutcome run_explain(const ExplainCommand& command) {
  return app::translating_errors([&] {
    if (command.pg_bins.size() > 1) return explain_across_servers(command);
    ExplainCommand one = command;
    if (!one.pg_bins.empty()) one.target.pg_bin = one.pg_bins.front();
    return explain(one);
  });
}

}  // namespace pgshape
