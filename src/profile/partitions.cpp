// A table's declarative partitioning: partition_by: (the PARTITION BY text) and
// partitions: (its leaves with their bounds; a partition with a partition_by:
// of its own holds sub-partitions the same way). Both are SQL spliced into CREATE
// TABLE, so they are checked here to be one clause each with balanced
// parentheses, and the leaves to be a set PostgreSQL can create.
#include <fmt/format.h>
#include <algorithm>
#include <cctype>

#include "profile/parser_impl.hpp"

namespace pgshape::profile {
namespace {

std::string upper_prefix(std::string_view text, size_t n) {
  std::string out;
  for (size_t i = 0; i < text.size() && i < n; ++i)
    out += static_cast<char>(std::toupper(static_cast<unsigned char>(text[i])));
  return out;
}

// "" when `sql` is one clause with balanced parentheses, else what is wrong.
std::string clause_problem(std::string_view sql) {
  const SqlScan scan = scan_sql(sql);
  if (!scan.error.empty()) return scan.error + " is not closed";
  if (scan.statements.size() != 1) return "it must be one clause, without ';'";
  if (!scan.statements[0].balanced_parens) return "its parentheses do not balance";
  return "";
}

// The generated column `by` (a PARTITION BY text) names, or "". PostgreSQL
// refuses one in a key, as a column or in an expression ("cannot use generated
// column in partition key"); a bare name folds to lower case, a quoted one not.
std::string generated_in_key(const Table& table, std::string_view by) {
  for (size_t at = by.find('('); at != std::string_view::npos && at < by.size();) {
    const char ch = by[at];
    std::string name;
    if (ch == '\'') {  // a literal in an expression
      at = by.find('\'', at + 1);
      at = at == std::string_view::npos ? at : at + 1;
      continue;
    }
    if (ch == '"') {
      const size_t end = by.find('"', at + 1);
      if (end == std::string_view::npos) break;
      name = std::string(by.substr(at + 1, end - at - 1));
      at = end + 1;
    } else if (std::isalpha(static_cast<unsigned char>(ch)) || ch == '_') {
      while (at < by.size() &&
             (std::isalnum(static_cast<unsigned char>(by[at])) || by[at] == '_' || by[at] == '$'))
        name += static_cast<char>(std::tolower(static_cast<unsigned char>(by[at++])));
    } else {
      ++at;
      continue;
    }
    for (const auto& column : table.columns)
      if (!column.generated.empty() && column.name == name) return name;
  }
  return "";
}

void refuse_generated_keys(Reader& r, const Table& table, const std::string& by, SourcePos pos,
                           const std::vector<PartitionSpec>& partitions) {
  if (const std::string name = generated_in_key(table, by); !name.empty())
    r.error("profile.bad-value", pos,
            fmt::format("partition_by of '{}' uses the generated column '{}': PostgreSQL "
                        "cannot partition by a generated column",
                        table.name, name),
            "partition by the columns it is computed from, or make it a plain column");
  for (const auto& spec : partitions)
    if (!spec.partition_by.empty())
      refuse_generated_keys(r, table, spec.partition_by, spec.partition_by_pos, spec.partitions);
}

}  // namespace

void ProfileParser::parse_partitions(const YAML::Node& node, Table& table) {
  parse_partition_level(node, table.name, table.partition_by, table.partition_by_pos,
                        table.partitions, 0);
  refuse_generated_keys(r_, table, table.partition_by, table.partition_by_pos, table.partitions);
}

void ProfileParser::parse_partition_level(const YAML::Node& node, const std::string& owner,
                                          std::string& partition_by, SourcePos& by_pos,
                                          std::vector<PartitionSpec>& partitions, int depth) {
  const YAML::Node by = node["partition_by"];
  const YAML::Node leaves = node["partitions"];
  const std::string what = depth == 0 ? "table" : "partition";
  if (by) {
    by_pos = Reader::pos(by);
    partition_by = r_.string(by, "partition_by").value_or("");
    const std::string method = upper_prefix(partition_by, 5);
    const bool known = method.rfind("RANGE", 0) == 0 || method.rfind("LIST", 0) == 0 ||
                       method.rfind("HASH", 0) == 0;
    if (!known || partition_by.find('(') == std::string::npos)
      r_.error(
          "profile.bad-value", by,
          fmt::format("partition_by of '{}' must be RANGE (...), LIST (...) or HASH (...)", owner),
          "write the text after PARTITION BY, e.g. partition_by: \"RANGE (created_at)\"");
    else if (const std::string why = clause_problem(partition_by); !why.empty())
      r_.error("profile.bad-sql", by, fmt::format("partition_by of '{}': {}", owner, why),
               "write the text after PARTITION BY, e.g. partition_by: \"RANGE (created_at)\"");
  }
  if (!leaves) {
    if (by)
      r_.error("profile.missing-key", by,
               fmt::format("{} '{}' is partitioned but has no partitions", what, owner),
               "add partitions: [{name: ..., bound: \"FOR VALUES ...\"}]; a partitioned table "
               "without leaves cannot hold a row");
    return;
  }
  if (!by) {
    r_.error("profile.missing-key", leaves,
             fmt::format("{} '{}' has partitions but no partition_by", what, owner),
             "add e.g. partition_by: \"RANGE (created_at)\"");
  }
  if (!leaves.IsSequence()) {
    r_.error("profile.bad-type", leaves, fmt::format("partitions of '{}' must be a list", owner));
    return;
  }
  // PostgreSQL itself has no limit; a profile deeper than this is a mistake.
  constexpr int kMaxDepth = 8;
  if (depth >= kMaxDepth) {
    r_.error(
        "profile.out-of-range", leaves,
        fmt::format("partitions of '{}' are nested more than {} levels deep", owner, kMaxDepth));
    return;
  }
  const bool hash = upper_prefix(partition_by, 4) == "HASH";
  std::string default_leaf;  // the DEFAULT leaf's name, once seen
  for (const auto& item : leaves) {
    PartitionSpec leaf{.pos = Reader::pos(item)};
    if (!r_.check_map(item, fmt::format("a partition of '{}'", owner), section_keys("partition")))
      continue;
    if (auto n = item["name"]) {
      leaf.name = r_.string(n, "partition name").value_or("");
      r_.identifier(n, leaf.name, "partition");
    } else {
      r_.error("profile.missing-key", item, fmt::format("a partition of '{}' has no name", owner));
    }
    if (auto n = item["bound"]) {
      leaf.bound = r_.string(n, "bound").value_or("");
      const std::string head = upper_prefix(leaf.bound, 10);
      if (head == "DEFAULT" && leaf.bound.size() == 7) {
        if (hash)
          r_.error("profile.bad-value", n,
                   fmt::format("partition '{}': a HASH partitioned table has no DEFAULT leaf",
                               leaf.name));
      } else if (head != "FOR VALUES") {
        r_.error("profile.bad-value", n,
                 fmt::format("partition '{}': bound must be FOR VALUES ... or DEFAULT, not '{}'",
                             leaf.name, leaf.bound),
                 "write it as pg_get_expr(relpartbound) prints it: FOR VALUES FROM ('a') TO "
                 "('b'), FOR VALUES IN (1, 2), FOR VALUES WITH (modulus 4, remainder 0)");
      } else if (const std::string why = clause_problem(leaf.bound); !why.empty()) {
        r_.error("profile.bad-sql", n, fmt::format("partition '{}': bound: {}", leaf.name, why));
      }
    } else {
      r_.error("profile.missing-key", item,
               fmt::format("partition '{}' of '{}' has no bound", leaf.name, owner),
               "add bound: \"FOR VALUES ...\" or bound: DEFAULT");
    }
    if (auto n = item["rows"]) {
      auto rows = r_.integer(n, "rows of a partition");
      if (rows && (*rows < 0 || *rows > kMaxRows))
        r_.error("profile.out-of-range", n,
                 fmt::format("rows of partition '{}' must be between 0 and 2^40", leaf.name));
      leaf.rows = std::clamp<int64_t>(rows.value_or(0), 0, kMaxRows);
    }
    for (const auto& earlier : partitions)
      if (!leaf.name.empty() && earlier.name == leaf.name)
        r_.error("profile.conflict", item,
                 fmt::format("partition '{}' of '{}' is listed twice", leaf.name, owner));
    if (leaf.name == owner)
      r_.error("profile.conflict", item,
               fmt::format("partition '{}' has its {}'s own name", leaf.name, what));
    if (upper_prefix(leaf.bound, 7) == "DEFAULT" && leaf.bound.size() == 7) {
      if (!default_leaf.empty())
        r_.error("profile.conflict", item,
                 fmt::format("{} '{}' has two DEFAULT partitions ('{}' and '{}')", what, owner,
                             default_leaf, leaf.name));
      else
        default_leaf = leaf.name.empty() ? "(unnamed)" : leaf.name;
    }
    // A sub-partitioned partition: its own partition_by: and partitions:.
    parse_partition_level(item, leaf.name, leaf.partition_by, leaf.partition_by_pos,
                          leaf.partitions, depth + 1);
    partitions.push_back(std::move(leaf));
  }
  if (partitions.empty() && leaves.IsSequence())
    r_.error("profile.missing-key", leaves, fmt::format("partitions of '{}' is empty", owner));
}

}  // namespace pgshape::profile
