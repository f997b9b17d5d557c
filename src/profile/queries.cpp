// The queries `explain` captures and the experiments applied between captures.
#include "profile/parser_impl.hpp"

namespace pgshape::detail {

// name + (sql | file): what queries and experiments share. `what` is "a query"
// or "an experiment"; messages name the kind without its article.
void ProfileParser::read_named_sql(const YAML::Node& item, std::string_view what, std::string& name,
                                   std::string& sql) {
  const std::string_view kind = what.substr(what.find(' ') + 1);
  if (auto n = item["name"]) name = r_.string(n, fmt::format("{} name", kind)).value_or("");
  if (name.empty()) r_.error(item, fmt::format("{} needs a 'name'", what));
  if (auto n = item["sql"]) sql = r_.string(n, "sql").value_or("");
  if (auto n = item["file"]) {
    if (item["sql"]) r_.error(n, fmt::format("{} takes 'sql' or 'file', not both", what));
    if (auto file = r_.string(n, "file")) sql = read_sql_file(n, *file);
  }
  if (sql.find_first_not_of(" \t\r\n") == std::string::npos && !item["file"])
    r_.error(item, fmt::format("{} '{}' has no SQL", kind, name), "add sql: or file:");
}

void ProfileParser::parse_queries(const YAML::Node& node, Profile& profile) {
  if (!node.IsSequence()) {
    r_.error(node, "queries must be a list");
    return;
  }
  for (const auto& item : node) {
    Query query{.pos = Reader::pos(item)};
    if (!r_.check_map(item, "a query", keys::section_keys("query"))) continue;
    read_named_sql(item, "a query", query.name, query.sql);
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
    read_named_sql(item, "an experiment", experiment.name, experiment.sql);
    profile.experiments.push_back(std::move(experiment));
  }
}

}  // namespace pgshape::detail
