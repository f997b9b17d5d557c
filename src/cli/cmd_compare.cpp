// `pgshape compare DIR_A DIR_B`: pairs the captures of two capture directories,
// reports what changed (terminal table, report.md, report.html) and, with --fail-on,
// exits 3 when a gated kind of change is found.
#include <unistd.h>

#include <fmt/format.h>
#include <cstdlib>
#include <filesystem>
#include <memory>

#include "commands.hpp"
#include "pgshape/error.hpp"
#include "pgshape/plan.hpp"

namespace pgshape::cli {
namespace {

struct CompareOptions {
  std::string dir_a;
  std::string dir_b;
  std::string out;      // empty: DIR_B/compare-<name of A>
  std::string fail_on;  // comma-separated ChangeKind names
};

std::string dir_name(const std::string& dir) {
  std::filesystem::path p(dir);
  if (p.filename().empty()) p = p.parent_path();  // "runs/a/" → "a"
  std::string name = p.filename().string();
  return name.empty() || name == "." ? "capture" : name;
}

int run_compare(const CompareOptions& o, const GlobalOptions& global) {
  // Checked before any file is read, so a typo fails fast with exit 2.
  std::vector<ChangeKind> gated = parse_change_kinds(o.fail_on);
  CaptureSet a = read_capture_dir(o.dir_a);
  CaptureSet b = read_capture_dir(o.dir_b);

  CompareResult result = compare_captures(a.captures, b.captures);
  result.label_a = dir_name(o.dir_a);
  result.label_b = dir_name(o.dir_b);
  if (result.label_a == result.label_b) {
    result.label_a = "A:" + result.label_a;
    result.label_b = "B:" + result.label_b;
  }

  ReportInput report;
  report.title = "pgshape compare — " + result.label_a + " vs " + result.label_b;
  report.notes = {
      "A: " + o.dir_a + (a.meta.profile.empty() ? "" : " (profile " + a.meta.profile + ")"),
      "B: " + o.dir_b + (b.meta.profile.empty() ? "" : " (profile " + b.meta.profile + ")")};
  if (!a.meta.server_version.empty() || !b.meta.server_version.empty()) {
    report.notes.push_back("servers: " + a.meta.server_version + " / " + b.meta.server_version);
  }
  report.sets = {{result.label_a, a.captures}, {result.label_b, b.captures}};
  report.comparisons = {result};

  std::string out =
      o.out.empty() ? (std::filesystem::path(o.dir_b) / ("compare-" + dir_name(o.dir_a))).string()
                    : o.out;
  std::string html = write_reports(out, report);

  if (global.json) {
    fmt::print("{}\n", render_json(result));
  } else if (global.verbosity > 0) {
    bool color = isatty(STDOUT_FILENO) && std::getenv("NO_COLOR") == nullptr;
    fmt::print("{}", render_terminal(report, color));
    if (result.pairs.empty()) fmt::print("no captures paired up\n");
    for (const auto& u : result.unmatched_a) fmt::print("only in {}: {}\n", result.label_a, u);
    for (const auto& u : result.unmatched_b) fmt::print("only in {}: {}\n", result.label_b, u);
    fmt::print("\nreport: {}\n", html);
  }

  std::string tripped;
  for (auto k : gated) {
    size_t n = 0;
    for (const auto& p : result.pairs) n += p.has(k);
    if (n > 0)
      tripped += fmt::format("{}{} ({} of {} pairs)", tripped.empty() ? "" : ", ", to_string(k), n,
                             result.pairs.size());
  }
  if (!tripped.empty()) throw GateTripped("compare: --fail-on gate tripped: " + tripped);
  return 0;
}

}  // namespace

void add_compare_command(CLI::App& app, GlobalOptions& global, Action& action) {
  auto opts = std::make_shared<CompareOptions>();
  CLI::App* cmd = app.add_subcommand(
      "compare",
      "Diff two plan captures (two scales, before/after an experiment, mirror vs "
      "production); --fail-on for CI");
  cmd->add_option("DIR_A", opts->dir_a, "The reference capture directory")->required();
  cmd->add_option("DIR_B", opts->dir_b, "The capture directory compared against it")->required();
  cmd->add_option("--out", opts->out,
                  "Where to write report.md and report.html "
                  "(default: DIR_B/compare-<name of DIR_A>)");
  cmd->add_option("--fail-on", opts->fail_on,
                  "Exit 3 when any pair shows one of these kinds of change: "
                  "shape-change,index-change,regression,estimate");
  add_global_options(*cmd, global);
  cmd->callback([opts, &global, &action] {
    action = [opts, &global] { return run_compare(*opts, global); };
  });
}

}  // namespace pgshape::cli
