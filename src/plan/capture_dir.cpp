// Writing and reading a capture directory (summary.json + verbatim plan files).
// The layout is documented in include/pgshape/plan_capture.hpp.
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <set>
#include <sstream>

#include "pgshape/error.hpp"
#include "pgshape/plan.hpp"
#include "pgshape/util.hpp"

namespace pgshape {
namespace {

namespace fs = std::filesystem;
using nlohmann::json;
constexpr const char* kFormat = "pgshape-capture/1";

std::string path_part(const std::string& name) {
  std::string out;
  for (char c : name) {
    bool ok = std::isalnum(static_cast<unsigned char>(c)) || c == '.' || c == '_' || c == '-';
    out += ok ? c : '_';
  }
  if (out.empty() || out == "." || out == "..") out = "_" + out;
  return out;
}

json timing_json(const TimingStats& t) {
  return {{"median", t.median_ms}, {"min", t.min_ms}, {"max", t.max_ms}};
}

TimingStats timing_from(const json& j) {
  return {j.at("median").get<double>(), j.at("min").get<double>(), j.at("max").get<double>()};
}

json capture_json(const PlanCapture& c) {
  return {{"query", c.query},
          {"pick", c.pick},
          {"params", c.params},
          {"scale", c.scale},
          {"experiment", c.experiment},
          {"analyzed", c.analyzed},
          {"runs", c.runs},
          {"plan_file", c.plan_file},
          {"shape", c.shape},
          {"indexes", c.indexes},
          {"planning_ms", timing_json(c.planning)},
          {"execution_ms", timing_json(c.execution)},
          {"root_estimated_rows", c.root_estimated_rows},
          {"root_actual_rows", c.root_actual_rows},
          {"worst_q_error", c.worst_q_error},
          {"worst_node", c.worst_node},
          {"shared_hit", c.shared_hit},
          {"shared_read", c.shared_read},
          {"table_rows", c.table_rows}};
}

json pairs_json(const std::vector<std::pair<std::string, std::string>>& v) {
  json a = json::array();
  for (const auto& [name, sql] : v) a.push_back({{"name", name}, {"sql", sql}});
  return a;
}

void write_file(const fs::path& path, const std::string& text) {
  std::ofstream f(path, std::ios::binary | std::ios::trunc);
  f << text;
  f.close();
  if (!f) throw std::runtime_error("cannot write " + path.string());
}

}  // namespace

void write_capture_dir(const std::string& dir, CaptureSet& set) {
  fs::path root(dir);
  std::error_code ec;
  fs::create_directories(root / "plans", ec);
  if (ec)
    throw std::runtime_error("cannot create " + (root / "plans").string() + ": " + ec.message());
  std::set<std::string> taken;
  json captures = json::array();
  for (auto& c : set.captures) {
    fs::path rel = fs::path("plans") / path_part(c.scale) / path_part(c.experiment);
    std::string stem = path_part(c.query) + "__" + path_part(c.pick);
    std::string file = (rel / (stem + ".json")).generic_string();
    for (int n = 2; taken.count(file); ++n) {
      file = (rel / (stem + "~" + std::to_string(n) + ".json")).generic_string();
    }
    taken.insert(file);
    fs::create_directories(root / rel, ec);
    if (ec)
      throw std::runtime_error("cannot create " + (root / rel).string() + ": " + ec.message());
    write_file(root / file, c.explain_json);
    c.plan_file = file;
    captures.push_back(capture_json(c));
  }
  const auto& m = set.meta;
  json scales = json::array();
  for (const auto& [name, tables] : m.scales)
    scales.push_back({{"name", name}, {"tables", tables}});
  json doc = {{"format", kFormat},
              {"meta",
               {{"profile", m.profile},
                {"schema", m.schema},
                {"seed", m.seed},
                {"runs", m.runs},
                {"hypothetical", m.hypothetical},
                {"pgshape_version", m.pgshape_version},
                {"server_version", m.server_version},
                {"scales", scales},
                {"queries", pairs_json(m.queries)},
                {"experiments", pairs_json(m.experiments)}}},
              {"captures", captures}};
  write_file(root / "summary.json", doc.dump(2) + "\n");
}

CaptureSet read_capture_dir(const std::string& dir) {
  fs::path root(dir);
  const std::string hint = "give a directory written by `pgshape explain --out DIR`";
  if (!fs::is_directory(root))
    throw UsageError("capture.not-found", "capture directory " + dir + " does not exist", hint);
  fs::path summary = root / "summary.json";
  std::ifstream f(summary, std::ios::binary);
  if (!f)
    throw UsageError("capture.not-found",
                     summary.string() + ": missing; " + dir + " is not a capture directory", hint);
  std::ostringstream summary_text;
  summary_text << f.rdbuf();
  if (auto at = json_too_deep(summary_text.str()))
    throw UsageError("capture.malformed",
                     summary.string() + ": nested deeper than " + std::to_string(kMaxJsonDepth) +
                         " levels (at byte " + std::to_string(*at) + ")",
                     hint);
  json doc = json::parse(summary_text.str(), nullptr, false);
  if (doc.is_discarded())
    throw UsageError("capture.malformed", summary.string() + ": not valid JSON", hint);
  if (!doc.is_object() || doc.value("format", "") != kFormat) {
    throw UsageError("capture.malformed",
                     summary.string() + ": not a pgshape capture summary (expected \"format\": \"" +
                         kFormat + "\")",
                     hint);
  }
  CaptureSet set;
  try {
    const json& m = doc.at("meta");
    set.meta.profile = m.value("profile", "");
    set.meta.schema = m.value("schema", "");
    set.meta.seed = m.value("seed", uint64_t{0});
    set.meta.runs = m.value("runs", 0);
    set.meta.hypothetical = m.value("hypothetical", false);
    set.meta.pgshape_version = m.value("pgshape_version", "");
    set.meta.server_version = m.value("server_version", "");
    for (const auto& s : m.value("scales", json::array())) {
      set.meta.scales.emplace_back(s.at("name").get<std::string>(),
                                   s.value("tables", std::map<std::string, int64_t>{}));
    }
    for (const auto& q : m.value("queries", json::array())) {
      set.meta.queries.emplace_back(q.at("name").get<std::string>(), q.value("sql", ""));
    }
    for (const auto& e : m.value("experiments", json::array())) {
      set.meta.experiments.emplace_back(e.at("name").get<std::string>(), e.value("sql", ""));
    }
    for (const auto& j : doc.at("captures")) {
      PlanCapture c;
      c.query = j.at("query").get<std::string>();
      c.pick = j.at("pick").get<std::string>();
      c.params = j.value("params", std::vector<std::string>{});
      c.scale = j.at("scale").get<std::string>();
      c.experiment = j.at("experiment").get<std::string>();
      c.runs = j.value("runs", 0);
      c.plan_file = j.at("plan_file").get<std::string>();
      c.planning = timing_from(j.at("planning_ms"));
      c.execution = timing_from(j.at("execution_ms"));
      c.table_rows = j.value("table_rows", std::map<std::string, int64_t>{});
      if (c.plan_file.find("..") != std::string::npos) {
        throw UsageError("capture.malformed", summary.string() + ": plan_file '" + c.plan_file +
                                                  "' leaves the directory");
      }
      std::ifstream pf(root / c.plan_file, std::ios::binary);
      if (!pf)
        throw UsageError("capture.not-found", dir + ": plan file " + c.plan_file + " is missing",
                         hint);
      std::ostringstream text;
      text << pf.rdbuf();
      c.explain_json = text.str();
      try {
        summarize_plan(c);  // the plan file is the truth; summary.json is a convenience
      } catch (const std::runtime_error& e) {
        throw UsageError("capture.malformed", dir + "/" + c.plan_file + ": " + e.what());
      }
      set.captures.push_back(std::move(c));
    }
  } catch (const json::exception& e) {
    throw UsageError("capture.malformed", summary.string() + ": malformed: " + e.what(), hint);
  }
  return set;
}

}  // namespace pgshape
