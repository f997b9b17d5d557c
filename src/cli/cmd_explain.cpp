// `pgshape explain PROFILE`: the scale-point sweep. For each scale point: load it
// (the loader ANALYZEs), capture every query × parameter choice without and with
// each experiment; then write the capture dir, compare smallest vs largest scale and
// baseline vs each experiment, and write report.md / report.html covering it all.
#include <unistd.h>

#include <fmt/format.h>
#include <cstdlib>
#include <filesystem>
#include <memory>
#include <nlohmann/json.hpp>
#include <pqxx/pqxx>

#include "commands.hpp"
#include "pgshape/error.hpp"
#include "pgshape/load.hpp"
#include "pgshape/pg.hpp"
#include "pgshape/plan.hpp"
#include "pgshape/profile.hpp"
#include "pgshape/stats.hpp"

namespace pgshape::cli {
namespace {

struct ExplainOptions {
  std::string profile;
  std::string scales;  // comma-separated scale point names; empty: all, in profile order
  std::string out;     // empty: pgshape-out/<profile name>
  int runs = 5;        // measured EXPLAIN ANALYZE runs per capture, after one warm-up
  bool hypothetical = false;
  std::string fail_on;  // as compare --fail-on, over the sweep's own comparisons
};

std::vector<std::string> chosen_scales(const Profile& p, const std::string& list) {
  std::vector<std::string> out;
  if (list.empty()) {
    for (const auto& s : p.scales) out.push_back(s.name);
    return out;
  }
  std::string known;
  for (const auto& s : p.scales) known += (known.empty() ? "" : ", ") + s.name;
  size_t start = 0;
  while (start <= list.size()) {
    size_t end = std::min(list.find(',', start), list.size());
    std::string name = list.substr(start, end - start);
    if (!name.empty()) {
      if (!p.find_scale(name)) {
        throw UsageError("usage.unknown-scale",
                         "--scales: profile " + p.name + " has no scale point '" + name + "'",
                         "its scale points are: " + known);
      }
      out.push_back(name);
    }
    start = end + 1;
  }
  if (out.empty())
    throw UsageError("usage.unknown-scale", "--scales: no scale point named",
                     "its scale points are: " + known);
  return out;
}

std::vector<PlanCapture> select(const std::vector<PlanCapture>& all, const std::string& scale,
                                const std::string& experiment) {
  std::vector<PlanCapture> out;
  for (const auto& c : all) {
    if (c.scale == scale && c.experiment == experiment) out.push_back(c);
  }
  return out;
}

int run_explain(const ExplainOptions& o, const GlobalOptions& global) {
  std::vector<ChangeKind> gated = parse_change_kinds(o.fail_on);
  if (o.runs < 1) throw UsageError("usage.bad-option", "--runs must be at least 1");
  Profile profile = load_profile_with_overlay(o.profile);
  std::vector<std::string> scales = chosen_scales(profile, o.scales);
  if (profile.queries.empty()) {
    throw UsageError("usage.no-queries", "profile " + o.profile + " declares no queries to explain",
                     "add a `queries:` section with the SQL to capture");
  }
  std::string schema = global.schema.empty() ? profile.schema : global.schema;
  uint64_t seed = global.seed.value_or(profile.seed);
  std::string out_dir = o.out.empty() ? "pgshape-out/" + profile.name : o.out;
  auto say = [&](const std::string& line) {
    if (global.verbosity > 0 && !global.json) fmt::print(stderr, "{}\n", line);
  };

  EmbeddedOptions embedded;
  embedded.keep = global.keep;
  Target target = Target::open(global.dsn, embedded);
  CaptureSet set;
  set.meta.profile = profile.name;
  set.meta.schema = schema;
  set.meta.seed = seed;
  set.meta.runs = o.runs;
  set.meta.hypothetical = o.hypothetical;
  set.meta.pgshape_version = PGSHAPE_VERSION;
  for (const auto& q : profile.queries) set.meta.queries.emplace_back(q.name, q.sql);
  for (const auto& e : profile.experiments) set.meta.experiments.emplace_back(e.name, e.sql);

  std::map<std::string, int64_t> total_rows;  // per scale, to find the smallest and largest
  for (const auto& scale : scales) {
    say(fmt::format("loading scale {} into schema {} ...", scale, schema));
    LoadOptions lo;
    lo.scale = scale;
    lo.schema = schema;
    lo.seed = seed;
    lo.jobs = global.jobs;
    LoadResult loaded = load_dataset(profile, target.dsn(), lo);
    ScaleContext ctx{schema, scale, {}};
    for (const auto& t : loaded.tables) {
      ctx.table_rows[t.table] = t.rows;
      total_rows[scale] += t.rows;
    }
    set.meta.scales.emplace_back(scale, ctx.table_rows);
    say(fmt::format("capturing plans at scale {} ({} runs each) ...", scale, o.runs));
    pqxx::connection conn(target.dsn());
    if (set.meta.server_version.empty()) {
      pqxx::nontransaction tx(conn);
      set.meta.server_version = tx.exec("SHOW server_version")[0][0].c_str();
    }
    auto caps =
        capture_scale(conn, ctx, profile.queries, profile.experiments,
                      CaptureOptions{.runs = o.runs, .hypothetical = o.hypothetical, .seed = seed});
    set.captures.insert(set.captures.end(), caps.begin(), caps.end());
  }
  write_capture_dir(out_dir, set);

  // The comparisons that matter: how the plans change with the data, and what each
  // experiment does at each scale point.
  ReportInput report;
  report.title = "pgshape explain — " + profile.name;
  report.notes = {
      "profile: " + o.profile, "server: PostgreSQL " + set.meta.server_version,
      fmt::format("seed {}, {} measured runs per capture after a warm-up", seed, o.runs),
      "capture: " + out_dir + "/summary.json"};
  if (scales.size() > 1) {
    auto by_rows = [&](const std::string& x, const std::string& y) {
      return total_rows[x] < total_rows[y];
    };
    std::string small = *std::min_element(scales.begin(), scales.end(), by_rows);
    std::string large = *std::max_element(scales.begin(), scales.end(), by_rows);
    if (small != large) {
      CompareResult r = compare_captures(select(set.captures, small, kBaseline),
                                         select(set.captures, large, kBaseline));
      r.label_a = small + "/" + kBaseline;
      r.label_b = large + "/" + kBaseline;
      report.comparisons.push_back(std::move(r));
    }
  }
  for (const auto& scale : scales) {
    for (const auto& e : profile.experiments) {
      CompareResult r = compare_captures(select(set.captures, scale, kBaseline),
                                         select(set.captures, scale, e.name));
      r.label_a = scale + "/" + kBaseline;
      r.label_b = scale + "/" + e.name;
      report.comparisons.push_back(std::move(r));
    }
  }
  report.sets = {{profile.name, set.captures}};
  std::string html = write_reports(out_dir, report);

  if (global.json) {
    nlohmann::json j = {
        {"capture_dir", out_dir}, {"report", html}, {"comparisons", nlohmann::json::array()}};
    for (const auto& r : report.comparisons)
      j["comparisons"].push_back(nlohmann::json::parse(render_json(r)));
    fmt::print("{}\n", j.dump(2));
  } else if (global.verbosity > 0) {
    bool color = isatty(STDOUT_FILENO) && std::getenv("NO_COLOR") == nullptr;
    fmt::print("{}\ncaptures: {}/summary.json\nreport: {}\n", render_terminal(report, color),
               out_dir, html);
  }
  for (auto k : gated) {
    for (const auto& r : report.comparisons) {
      if (r.has(k)) {
        throw GateTripped(fmt::format("explain: --fail-on gate tripped: {} in {} → {}",
                                      to_string(k), r.label_a, r.label_b));
      }
    }
  }
  return 0;
}

}  // namespace

void add_explain_command(CLI::App& app, GlobalOptions& global, Action& action) {
  auto opts = std::make_shared<ExplainOptions>();
  CLI::App* cmd =
      app.add_subcommand("explain",
                         "Load each scale point, capture every query plan (with and without each "
                         "experiment), write the plans and a report");
  cmd->add_option("PROFILE", opts->profile, "The profile (YAML)")->required();
  cmd->add_option("--scales", opts->scales,
                  "Scale points to sweep, comma-separated (default: all)");
  cmd->add_option("--out", opts->out,
                  "Capture and report directory (default: pgshape-out/<profile>)");
  cmd->add_option("--runs", opts->runs, "Measured EXPLAIN ANALYZE runs per plan, median kept")
      ->capture_default_str();
  cmd->add_flag("--hypothetical", opts->hypothetical,
                "Try CREATE INDEX experiments as hypopg hypothetical indexes (EXPLAIN only)");
  cmd->add_option("--fail-on", opts->fail_on,
                  "Exit 3 when the sweep's comparisons show one of these kinds of change: "
                  "shape-change,index-change,regression,estimate");
  add_global_options(*cmd, global);
  cmd->callback([opts, &global, &action] {
    action = [opts, &global] { return run_explain(*opts, global); };
  });
}

}  // namespace pgshape::cli
