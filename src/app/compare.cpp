// `pgshape compare DIR_A DIR_B`: pairs the captures of two capture directories,
// says what changed, writes report.md / report.html and, with fail_on, says
// whether the gate tripped (the caller exits 3).
#include <filesystem>

#include "app/internal.hpp"
#include "pgshape/app.hpp"

namespace pgshape {
namespace {

std::string dir_name(const std::string& dir) {
  std::filesystem::path p(dir);
  if (p.filename().empty()) p = p.parent_path();  // "runs/a/" → "a"
  std::string name = p.filename().string();
  return name.empty() || name == "." ? "capture" : name;
}

// `dir` as seen from `from` (which may not exist yet), for links in the report;
// absolute when no relative path exists.
std::string relative_to(const std::string& dir, const std::string& from) {
  namespace fs = std::filesystem;
  std::error_code ec;
  fs::path target = fs::weakly_canonical(fs::absolute(dir), ec);
  fs::path base = fs::weakly_canonical(fs::absolute(from), ec);
  if (ec) return fs::absolute(dir).string();
  fs::path rel = target.lexically_relative(base);
  return rel.empty() ? target.string() : rel.string();
}

CompareOutcome compare(const CompareCommand& c) {
  // Checked before any file is read, so a typo fails fast with exit 2.
  const std::vector<ChangeKind> gated = app::change_kinds(c.fail_on);
  const CaptureSet a = read_capture_dir(c.dir_a);
  const CaptureSet b = read_capture_dir(c.dir_b);

  CompareOutcome outcome;
  CompareResult& result = outcome.result;
  result = compare_captures(a.captures, b.captures);
  result.label_a = dir_name(c.dir_a);
  result.label_b = dir_name(c.dir_b);
  if (result.label_a == result.label_b) {
    result.label_a = "A:" + result.label_a;
    result.label_b = "B:" + result.label_b;
  }

  ReportInput& report = outcome.report;
  report.title = "pgshape compare — " + result.label_a + " vs " + result.label_b;
  report.notes = {
      "A: " + c.dir_a + (a.meta.profile.empty() ? "" : " (profile " + a.meta.profile + ")"),
      "B: " + c.dir_b + (b.meta.profile.empty() ? "" : " (profile " + b.meta.profile + ")")};
  if (!a.meta.server_version.empty() || !b.meta.server_version.empty())
    report.notes.push_back("servers: " + a.meta.server_version + " / " + b.meta.server_version);
  report.sets = {{result.label_a, a.captures}, {result.label_b, b.captures}};
  report.comparisons = {result};

  const std::string out =
      c.out.empty() ? (std::filesystem::path(c.dir_b) / ("compare-" + dir_name(c.dir_a))).string()
                    : c.out;
  report.plan_dirs = {relative_to(c.dir_a, out), relative_to(c.dir_b, out)};
  outcome.report_html = app::writing_files([&] { return write_reports(out, report); });
  outcome.gate = app::gate_verdict("compare", gated, report.comparisons);
  return outcome;
}

}  // namespace

CompareOutcome run_compare(const CompareCommand& command) {
  return app::translating_errors([&] { return compare(command); });
}

}  // namespace pgshape
