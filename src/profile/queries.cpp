// The queries `explain` captures and the experiments applied between captures.
#include "profile/parser_impl.hpp"

namespace pgshape::detail {

void ProfileParser::parse_queries(const YAML::Node& node, Profile& profile) {
  if (!node.IsSequence()) {
    r_.error(node, "queries must be a list");
    return;
  }
  for (const auto& item : node) {
    Query query{.pos = Reader::pos(item)};
    if (!r_.check_map(item, "a query", keys::section_keys("query"))) continue;
    if (auto n = item["name"]) query.name = r_.string(n, "query name").value_or("");
    if (query.name.empty()) r_.error(item, "a query needs a 'name'");
    if (auto n = item["sql"]) query.sql = r_.string(n, "sql").value_or("");
    if (auto n = item["file"]) {
      if (item["sql"]) r_.error(n, "a query takes 'sql' or 'file', not both");
      if (auto file = r_.string(n, "file")) query.sql = read_sql_file(n, *file);
    }
    if (query.sql.find_first_not_of(" \t\r\n") == std::string::npos && !item["file"])
      r_.error(item, fmt::format("query '{}' has no SQL", query.name), "add sql: or file:");
    if (auto params = item["params"]) {
      if (!params.IsSequence()) {
        r_.error(params, "params must be a list, one entry per $n");
      } else {
        for (const auto& p : params) {
          QueryParam param{.pos = Reader::pos(p)};
          if (!r_.check_map(p, "a query parameter", keys::section_keys("param"))) continue;
          if (auto c = p["column"]) {
            auto text = r_.string(c, "column").value_or("");
            auto dot = text.find('.');
            if (dot == std::string::npos)
              r_.error(c, fmt::format("column '{}' must be table.column", text));
            else
              param.table = text.substr(0, dot), param.column = text.substr(dot + 1);
          }
          if (auto pick = p["pick"]) param.picks = string_list(pick, "pick");
          if (param.picks.empty()) param.picks = {"most_common"};
          if (param.table.empty())
            for (const auto& pick : param.picks)
              if (pick == "most_common" || pick == "median" || pick == "rare" ||
                  pick.rfind("random:", 0) == 0 || pick.rfind("rank:", 0) == 0)
                r_.error(p, fmt::format("pick '{}' needs a column to draw from", pick),
                         "add column: table.column");
          query.params.push_back(std::move(param));
        }
      }
    }
    profile.queries.push_back(std::move(query));
  }
}

void ProfileParser::parse_experiments(const YAML::Node& node, Profile& profile) {
  if (!node.IsSequence()) {
    r_.error(node, "experiments must be a list");
    return;
  }
  for (const auto& item : node) {
    Experiment experiment{.pos = Reader::pos(item)};
    if (!r_.check_map(item, "an experiment", keys::section_keys("experiment"))) continue;
    if (auto n = item["name"]) experiment.name = r_.string(n, "experiment name").value_or("");
    if (experiment.name.empty()) r_.error(item, "an experiment needs a 'name'");
    if (auto n = item["sql"]) experiment.sql = r_.string(n, "sql").value_or("");
    if (auto n = item["file"]) {
      if (item["sql"]) r_.error(n, "an experiment takes 'sql' or 'file', not both");
      if (auto file = r_.string(n, "file")) experiment.sql = read_sql_file(n, *file);
    }
    if (experiment.sql.find_first_not_of(" \t\r\n") == std::string::npos && !item["file"])
      r_.error(item, fmt::format("experiment '{}' has no SQL", experiment.name));
    profile.experiments.push_back(std::move(experiment));
  }
}

}  // namespace pgshape::detail
