// The queries `explain` captures, the experiments applied between captures and
// the transactions `workload` builds from the queries.
#include "profile/parser_impl.hpp"

namespace pgshape::profile {

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
    if (!r_.check_map(item, "a query", section_keys("query"))) continue;
    read_named_sql(item, "a query", query.name, query.sql);
    if (auto params = item["params"]) {
      if (!params.IsSequence()) {
        r_.error(params, "params must be a list, one entry per $n");
      } else {
        for (const auto& p : params) {
          QueryParam param{.pos = Reader::pos(p)};
          if (!r_.check_map(p, "a query parameter", section_keys("param"))) continue;
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
    if (!r_.check_map(item, "an experiment", section_keys("experiment"))) continue;
    read_named_sql(item, "an experiment", experiment.name, experiment.sql);
    profile.experiments.push_back(std::move(experiment));
  }
}

void ProfileParser::parse_transactions(const YAML::Node& node, Profile& profile) {
  if (!node.IsSequence()) {
    r_.error(node, "transactions must be a list");
    return;
  }
  std::vector<std::string_view> query_names;
  for (const auto& q : profile.queries) query_names.push_back(q.name);
  for (const auto& item : node) {
    Transaction txn{.pos = Reader::pos(item)};
    if (!r_.check_map(item, "a transaction", section_keys("transaction"))) continue;
    if (auto n = item["name"]) txn.name = r_.string(n, "transaction name").value_or("");
    if (txn.name.empty()) {
      r_.error(item, "a transaction needs a 'name'");
    } else if (profile.find_query(txn.name)) {
      r_.error(item["name"], fmt::format("transaction '{}' has the name of a query", txn.name),
               "workload writes one script per query and per transaction: rename one");
    } else {
      for (const auto& other : profile.transactions)
        if (other.name == txn.name)
          r_.error(item["name"], fmt::format("transaction '{}' is declared twice", txn.name),
                   fmt::format("the first is at line {}", other.pos.line));
    }
    const YAML::Node steps = item["steps"];
    if (!steps) {
      r_.error(item, fmt::format("transaction '{}' has no steps", txn.name),
               "add steps: [query, ...]");
    } else {
      txn.steps = string_list(steps, "steps");
      if (steps.IsSequence() && steps.size() == 0)
        r_.error(steps, fmt::format("transaction '{}' has no steps", txn.name),
                 "add steps: [query, ...]");
      for (size_t i = 0; i < txn.steps.size(); ++i) {
        if (profile.find_query(txn.steps[i])) continue;
        const std::string best = closest_match(txn.steps[i], query_names);
        r_.error(steps.IsSequence() && steps.size() == txn.steps.size() ? steps[i] : steps,
                 fmt::format("transaction step '{}' is not a query", txn.steps[i]),
                 !best.empty()         ? fmt::format("did you mean '{}'?", best)
                 : query_names.empty() ? std::string("declare it under queries:")
                                       : fmt::format("queries: {}", fmt::join(query_names, ", ")));
      }
    }
    if (auto n = item["weight"]) {
      auto weight = r_.integer(n, "weight");
      if (weight && (*weight < 1 || *weight > 1000000))
        r_.error(n, "weight must be between 1 and 1000000");
      txn.weight = weight.value_or(1);
    }
    profile.transactions.push_back(std::move(txn));
  }
}

}  // namespace pgshape::profile
