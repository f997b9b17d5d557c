// StatsSnapshot <-> JSON: what refresh keeps of each import so the next one can
// report how production's statistics drifted in between.
#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include <cstdlib>

#include "pgshape/error.hpp"
#include "pgshape/stats.hpp"
#include "pgshape/util.hpp"

namespace pgshape {
namespace {

// Extended statistics (pg_stats_ext) go with the table, so a refresh's snapshot
// and a profile's statistics file keep the multi-column knowledge --exact-stats
// and the drift report need. Absent in older snapshots: read as none.
nlohmann::json extended_to_json(const std::vector<ExtendedStats>& all) {
  using nlohmann::json;
  json out = json::array();
  for (const auto& e : all) {
    json deps = json::array();
    for (const auto& d : e.dependencies)
      deps.push_back({{"from", d.from}, {"to", d.to}, {"degree", d.degree}});
    json nd = json::array();
    for (const auto& n : e.ndistinct) nd.push_back({{"columns", n.columns}, {"n", n.n}});
    json mcv = json::array();
    for (const auto& item : e.mcv) {
      json values = json::array();
      for (const auto& v : item.values) values.push_back(v ? json(*v) : json(nullptr));
      mcv.push_back({{"values", values}, {"frequency", item.frequency}});
    }
    out.push_back({{"name", e.name},
                   {"columns", e.columns},
                   {"expressions", e.expressions},
                   {"kinds", e.kinds},
                   {"dependencies", deps},
                   {"ndistinct", nd},
                   {"mcv", mcv}});
  }
  return out;
}

std::vector<ExtendedStats> extended_from_json(const nlohmann::json& all) {
  std::vector<ExtendedStats> out;
  for (const auto& je : all) {
    ExtendedStats e;
    e.name = je.at("name");
    e.columns = je.value("columns", std::vector<std::string>{});
    e.expressions = je.value("expressions", false);
    e.kinds = je.value("kinds", std::vector<std::string>{});
    for (const auto& jd : je.value("dependencies", nlohmann::json::array()))
      e.dependencies.push_back({.from = jd.at("from").get<std::vector<std::string>>(),
                                .to = jd.at("to"),
                                .degree = jd.value("degree", 0.0)});
    for (const auto& jn : je.value("ndistinct", nlohmann::json::array()))
      e.ndistinct.push_back(
          {.columns = jn.at("columns").get<std::vector<std::string>>(), .n = jn.value("n", 0.0)});
    for (const auto& jm : je.value("mcv", nlohmann::json::array())) {
      ExtendedStats::McvItem item{.frequency = jm.value("frequency", 0.0)};
      for (const auto& v : jm.at("values"))
        item.values.push_back(v.is_null() ? std::nullopt
                                          : std::optional<std::string>(v.get<std::string>()));
      e.mcv.push_back(std::move(item));
    }
    out.push_back(std::move(e));
  }
  return out;
}

}  // namespace

std::string snapshot_to_json(const StatsSnapshot& s) {
  using nlohmann::json;
  json tables = json::array();
  for (const auto& t : s.tables) {
    json columns = json::array();
    for (const auto& c : t.columns) {
      json col = {{"name", c.name},
                  {"type", c.type},
                  {"not_null", c.not_null},
                  {"has_stats", c.has_stats},
                  {"null_frac", c.null_frac},
                  {"avg_width", c.avg_width},
                  {"n_distinct", c.n_distinct},
                  {"mcv", c.mcv},
                  {"mcf", c.mcf},
                  {"histogram", c.histogram}};
      if (c.correlation) col["correlation"] = *c.correlation;
      if (!c.elem_counts.empty())
        col["elements"] = {{"mce", c.mce}, {"mcef", c.mcef}, {"counts", c.elem_counts}};
      if (c.range_empty) {  // lengths as text: JSON has no infinity
        std::vector<std::string> lengths;
        for (double l : c.range_lengths) lengths.push_back(fmt::format("{}", l));
        col["ranges"] = {
            {"bounds", c.range_bounds}, {"lengths", lengths}, {"empty", *c.range_empty}};
      }
      columns.push_back(std::move(col));
    }
    json table = {{"name", t.name},
                  {"reltuples", t.reltuples},
                  {"relpages", t.relpages},
                  {"columns", columns}};
    if (!t.extended.empty()) table["extended"] = extended_to_json(t.extended);
    tables.push_back(std::move(table));
  }
  return json{{"format", "pgshape-stats/1"},
              {"database", s.database},
              {"schema", s.schema},
              {"server_version", s.server_version},
              {"taken_at", s.taken_at},
              {"redacted", s.redacted},
              {"tables", tables}}
      .dump(1);
}

StatsSnapshot snapshot_from_json(const std::string& text) {
  StatsSnapshot s;
  // nlohmann::json destroys nested values recursively: bound the depth first.
  if (auto at = json_too_deep(text))
    throw UsageError("stats.bad-snapshot",
                     fmt::format("malformed statistics snapshot: nested deeper than {} levels (at "
                                 "byte {})",
                                 kMaxJsonDepth, *at),
                     "delete the refresh state directory to start afresh");
  try {
    auto j = nlohmann::json::parse(text);
    s.database = j.value("database", "");
    s.schema = j.value("schema", "");
    s.server_version = j.value("server_version", "");
    s.taken_at = j.value("taken_at", "");
    s.redacted = j.value("redacted", false);
    for (const auto& jt : j.at("tables")) {
      TableStats t{.name = jt.at("name"),
                   .reltuples = jt.value("reltuples", 0.0),
                   .relpages = jt.value("relpages", int64_t{0})};
      for (const auto& jc : jt.at("columns")) {
        ColumnStats c{.name = jc.at("name"), .type = jc.value("type", "")};
        c.not_null = jc.value("not_null", false);
        c.has_stats = jc.value("has_stats", false);
        c.null_frac = jc.value("null_frac", 0.0);
        c.avg_width = jc.value("avg_width", 0.0);
        c.n_distinct = jc.value("n_distinct", 0.0);
        c.mcv = jc.value("mcv", std::vector<std::string>{});
        c.mcf = jc.value("mcf", std::vector<double>{});
        c.histogram = jc.value("histogram", std::vector<std::string>{});
        if (jc.contains("correlation")) c.correlation = jc.at("correlation").get<double>();
        if (jc.contains("elements")) {
          const auto& je = jc.at("elements");
          c.mce = je.value("mce", std::vector<std::string>{});
          c.mcef = je.value("mcef", std::vector<double>{});
          c.elem_counts = je.value("counts", std::vector<double>{});
        }
        if (jc.contains("ranges")) {
          const auto& jr = jc.at("ranges");
          c.range_bounds = jr.value("bounds", std::vector<std::string>{});
          for (const auto& l : jr.value("lengths", std::vector<std::string>{}))
            c.range_lengths.push_back(std::strtod(l.c_str(), nullptr));
          c.range_empty = jr.value("empty", 0.0);
        }
        t.columns.push_back(std::move(c));
      }
      if (jt.contains("extended")) t.extended = extended_from_json(jt.at("extended"));
      s.tables.push_back(std::move(t));
    }
  } catch (const nlohmann::json::exception& e) {
    throw UsageError("stats.bad-snapshot",
                     std::string("malformed statistics snapshot: ") + e.what(),
                     "delete the refresh state directory to start afresh");
  }
  return s;
}

}  // namespace pgshape
