// The queries `explain` captures, the experiments applied between captures and
// the transactions `workload` builds from the queries.
#include <algorithm>
#include <charconv>
#include <limits>

#include "profile/checker.hpp"
#include "profile/parser_impl.hpp"

namespace pgshape::profile {

// name + (sql | file): what queries and experiments share. `what` is "a query"
// or "an experiment"; messages name the kind without its article.
void ProfileParser::read_named_sql(const YAML::Node& item, std::string_view what, std::string& name,
                                   std::string& sql) {
  const std::string_view kind = what.substr(what.find(' ') + 1);
  if (auto n = item["name"]) name = r_.string(n, fmt::format("{} name", kind)).value_or("");
  if (name.empty()) r_.error("profile.missing-key", item, fmt::format("{} needs a 'name'", what));
  if (auto n = item["sql"]) sql = r_.string(n, "sql").value_or("");
  if (auto n = item["file"]) {
    if (item["sql"])
      r_.error("profile.conflict", n, fmt::format("{} takes 'sql' or 'file', not both", what));
    if (auto file = r_.string(n, "file")) sql = read_sql_file(n, *file);
  }
  if (sql.find_first_not_of(" \t\r\n") == std::string::npos && !item["file"])
    r_.error("profile.missing-key", item, fmt::format("{} '{}' has no SQL", kind, name),
             "add sql: or file:");
}

QueryParam ProfileParser::parse_param(const YAML::Node& p, const Profile& profile) {
  QueryParam param{.pos = Reader::pos(p)};
  if (!r_.check_map(p, "a query parameter", section_keys("param"))) return param;
  if (auto c = p["column"]) {
    auto text = r_.string(c, "column").value_or("");
    auto parts = split_qualified(text, [&](const std::string& t, const std::string& col) {
      const Table* table = profile.find_table(t);
      return table && table->find_column(col);
    });
    if (!parts)
      r_.error("profile.bad-value", c, fmt::format("column '{}' must be table.column", text),
               "quote a name with a dot: '\"my.table\".col'");
    else
      param.table = parts->first, param.column = parts->second;
  }
  bool picks_written = false;
  if (auto pick = p["pick"]) {
    const auto texts = string_list(pick, "pick");
    picks_written = !texts.empty();
    for (size_t i = 0; i < texts.size(); ++i) {
      const YAML::Node at = pick.IsSequence() && pick.size() == texts.size() ? pick[i] : pick;
      std::string why;
      auto parsed = parse_pick(texts[i], &why);
      if (!parsed) {
        r_.error("profile.bad-pick", at, fmt::format("pick '{}' needs {}", texts[i], why),
                 "picks: most_common, rank:k, median, rare, random:k, literal:v");
        continue;
      }
      if (param.table.empty() && parsed->needs_column())
        r_.error("profile.bad-pick", at,
                 fmt::format("pick '{}' needs a column to draw from", texts[i]),
                 "add column: table.column");
      param.picks.push_back(std::move(*parsed));
    }
  }
  if (!picks_written) {
    param.picks = {Pick{}};  // most_common
    if (param.table.empty())
      r_.error("profile.bad-pick", p, "pick 'most_common' needs a column to draw from",
               "add column: table.column, or a literal pick");
  }
  return param;
}

// Every $n of the SQL has its params entry and every entry its $n: the server
// would refuse a mismatch at the first EXPLAIN, after the whole load.
void ProfileParser::check_placeholders(const YAML::Node& item, const Query& query) {
  if (query.sql.empty()) return;
  std::vector<int> used = placeholders(query.sql);
  std::sort(used.begin(), used.end());
  const int entries = static_cast<int>(query.params.size());
  const YAML::Node at = item["params"] ? item["params"] : item["sql"] ? item["sql"] : item;
  std::vector<int> missing;
  for (int n = 1; n <= entries; ++n)
    if (!std::binary_search(used.begin(), used.end(), n)) missing.push_back(n);
  const int highest = used.empty() ? 0 : used.back();
  if (highest > entries)
    r_.error("profile.query-params", at,
             fmt::format("query '{}' uses ${} but has {} params {}", query.name, highest, entries,
                         entries == 1 ? "entry" : "entries"),
             "give params one entry per $n, in order ($1 first)");
  else if (!missing.empty())
    r_.error("profile.query-params", at,
             fmt::format("query '{}' has {} params {} but its SQL never uses ${}", query.name,
                         entries, entries == 1 ? "entry" : "entries", missing.front()),
             "remove the extra entry, or use it in the SQL; the server needs every $n used");
}

void ProfileParser::parse_queries(const YAML::Node& node, Profile& profile) {
  if (!node.IsSequence()) {
    r_.error("profile.bad-type", node, "queries must be a list");
    return;
  }
  for (const auto& item : node) {
    Query query{.pos = Reader::pos(item)};
    if (!r_.check_map(item, "a query", section_keys("query"))) continue;
    read_named_sql(item, "a query", query.name, query.sql);
    if (const Query* first = profile.find_query(query.name); first && !query.name.empty())
      r_.error("profile.duplicate-name", item["name"],
               fmt::format("query '{}' is declared twice", query.name),
               fmt::format("the first is at line {}; params and workload would each use a "
                           "different one",
                           first->pos.line));
    if (auto params = item["params"]) {
      if (!params.IsSequence()) {
        r_.error("profile.bad-type", params, "params must be a list, one entry per $n");
      } else {
        for (const auto& p : params) query.params.push_back(parse_param(p, profile));
      }
    }
    check_placeholders(item, query);
    profile.queries.push_back(std::move(query));
  }
}

void ProfileParser::parse_experiments(const YAML::Node& node, Profile& profile) {
  if (!node.IsSequence()) {
    r_.error("profile.bad-type", node, "experiments must be a list");
    return;
  }
  for (const auto& item : node) {
    Experiment experiment{.pos = Reader::pos(item)};
    if (!r_.check_map(item, "an experiment", section_keys("experiment"))) continue;
    read_named_sql(item, "an experiment", experiment.name, experiment.sql);
    if (!experiment.sql.empty() && !placeholders(experiment.sql).empty())
      r_.error("profile.query-params", item["sql"] ? item["sql"] : item,
               fmt::format("experiment '{}' uses ${}, but experiments take no parameters",
                           experiment.name, placeholders(experiment.sql).front()),
               "write the values into the experiment's SQL");
    for (const auto& other : profile.experiments)
      if (other.name == experiment.name && !experiment.name.empty())
        r_.error("profile.duplicate-name", item["name"],
                 fmt::format("experiment '{}' is declared twice", experiment.name),
                 fmt::format("the first is at line {}", other.pos.line));
    profile.experiments.push_back(std::move(experiment));
  }
}

void ProfileParser::parse_transactions(const YAML::Node& node, Profile& profile) {
  if (!node.IsSequence()) {
    r_.error("profile.bad-type", node, "transactions must be a list");
    return;
  }
  std::vector<std::string_view> query_names;
  for (const auto& q : profile.queries) query_names.push_back(q.name);
  for (const auto& item : node) {
    Transaction txn{.pos = Reader::pos(item)};
    if (!r_.check_map(item, "a transaction", section_keys("transaction"))) continue;
    if (auto n = item["name"]) txn.name = r_.string(n, "transaction name").value_or("");
    if (txn.name.empty()) {
      r_.error("profile.missing-key", item, "a transaction needs a 'name'");
    } else if (profile.find_query(txn.name)) {
      r_.error("profile.duplicate-name", item["name"],
               fmt::format("transaction '{}' has the name of a query", txn.name),
               "workload writes one script per query and per transaction: rename one");
    } else {
      for (const auto& other : profile.transactions)
        if (other.name == txn.name)
          r_.error("profile.duplicate-name", item["name"],
                   fmt::format("transaction '{}' is declared twice", txn.name),
                   fmt::format("the first is at line {}", other.pos.line));
    }
    const YAML::Node steps = item["steps"];
    if (!steps) {
      r_.error("profile.missing-key", item, fmt::format("transaction '{}' has no steps", txn.name),
               "add steps: [query, ...]");
    } else {
      txn.steps = string_list(steps, "steps");
      if (steps.IsSequence() && steps.size() == 0)
        r_.error("profile.missing-key", steps,
                 fmt::format("transaction '{}' has no steps", txn.name), "add steps: [query, ...]");
      for (size_t i = 0; i < txn.steps.size(); ++i) {
        if (profile.find_query(txn.steps[i])) continue;
        const std::string best = closest_match(txn.steps[i], query_names);
        r_.error("profile.unknown-query",
                 steps.IsSequence() && steps.size() == txn.steps.size() ? steps[i] : steps,
                 fmt::format("transaction step '{}' is not a query", txn.steps[i]),
                 !best.empty()         ? fmt::format("did you mean '{}'?", best)
                 : query_names.empty() ? std::string("declare it under queries:")
                                       : fmt::format("queries: {}", fmt::join(query_names, ", ")));
      }
    }
    if (auto n = item["weight"]) {
      auto weight = r_.integer(n, "weight");
      if (weight && (*weight < 1 || *weight > 1000000))
        r_.error("profile.out-of-range", n, "weight must be between 1 and 1000000");
      txn.weight = weight.value_or(1);
    }
    profile.transactions.push_back(std::move(txn));
  }
}

}  // namespace pgshape::profile

namespace pgshape {

std::string Pick::label() const {
  switch (kind) {
    case Kind::kMostCommon:
      return "most_common";
    case Kind::kRank:
      return fmt::format("rank:{}", k);
    case Kind::kMedian:
      return "median";
    case Kind::kRare:
      return "rare";
    case Kind::kRandom:
      return fmt::format("random:{}", k);
    case Kind::kLiteral:
      return "literal:" + literal;
  }
  return literal;
}

std::optional<Pick> parse_pick(std::string_view text, std::string* why) {
  auto counted = [&](Pick::Kind kind, std::string_view digits, int most) -> std::optional<Pick> {
    int k = 0;
    auto [end, ec] = std::from_chars(digits.data(), digits.data() + digits.size(), k);
    if (ec == std::errc() && end == digits.data() + digits.size() && k >= 1 && k <= most)
      return Pick{.kind = kind, .k = k};
    if (why)
      *why = kind == Pick::Kind::kRandom ? "1 <= k <= 100 (random:k)" : "a whole k >= 1 (rank:k)";
    return std::nullopt;
  };
  if (text == "most_common") return Pick{.kind = Pick::Kind::kMostCommon};
  if (text == "median") return Pick{.kind = Pick::Kind::kMedian};
  if (text == "rare") return Pick{.kind = Pick::Kind::kRare};
  if (text.starts_with("rank:"))
    return counted(Pick::Kind::kRank, text.substr(5), std::numeric_limits<int>::max());
  if (text.starts_with("random:")) return counted(Pick::Kind::kRandom, text.substr(7), 100);
  if (text.starts_with("literal:"))
    return Pick{.kind = Pick::Kind::kLiteral, .literal = std::string(text.substr(8))};
  return Pick{.kind = Pick::Kind::kLiteral, .literal = std::string(text)};
}

}  // namespace pgshape
