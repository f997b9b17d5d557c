// A table's declarative partitioning: partition_by: (the PARTITION BY text) and
// partitions: (its leaves with their bounds). Both are SQL spliced into CREATE
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

}  // namespace

void ProfileParser::parse_partitions(const YAML::Node& node, Table& table) {
  const YAML::Node by = node["partition_by"];
  const YAML::Node leaves = node["partitions"];
  if (by) {
    table.partition_by_pos = Reader::pos(by);
    table.partition_by = r_.string(by, "partition_by").value_or("");
    const std::string method = upper_prefix(table.partition_by, 5);
    const bool known = method.rfind("RANGE", 0) == 0 || method.rfind("LIST", 0) == 0 ||
                       method.rfind("HASH", 0) == 0;
    if (!known || table.partition_by.find('(') == std::string::npos)
      r_.error("profile.bad-value", by,
               fmt::format("partition_by of '{}' must be RANGE (...), LIST (...) or HASH (...)",
                           table.name),
               "write the text after PARTITION BY, e.g. partition_by: \"RANGE (created_at)\"");
    else if (const std::string why = clause_problem(table.partition_by); !why.empty())
      r_.error("profile.bad-sql", by, fmt::format("partition_by of '{}': {}", table.name, why),
               "write the text after PARTITION BY, e.g. partition_by: \"RANGE (created_at)\"");
  }
  if (!leaves) {
    if (by)
      r_.error("profile.missing-key", by,
               fmt::format("table '{}' is partitioned but has no partitions", table.name),
               "add partitions: [{name: ..., bound: \"FOR VALUES ...\"}]; a partitioned table "
               "without leaves cannot hold a row");
    return;
  }
  if (!by) {
    r_.error("profile.missing-key", leaves,
             fmt::format("table '{}' has partitions but no partition_by", table.name),
             "add e.g. partition_by: \"RANGE (created_at)\"");
  }
  if (!leaves.IsSequence()) {
    r_.error("profile.bad-type", leaves,
             fmt::format("partitions of '{}' must be a list", table.name));
    return;
  }
  const bool hash = upper_prefix(table.partition_by, 4) == "HASH";
  std::string default_leaf;  // the DEFAULT leaf's name, once seen
  for (const auto& item : leaves) {
    PartitionSpec leaf{.pos = Reader::pos(item)};
    if (!r_.check_map(item, fmt::format("a partition of '{}'", table.name),
                      section_keys("partition")))
      continue;
    if (auto n = item["name"]) {
      leaf.name = r_.string(n, "partition name").value_or("");
      r_.identifier(n, leaf.name, "partition");
    } else {
      r_.error("profile.missing-key", item,
               fmt::format("a partition of '{}' has no name", table.name));
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
               fmt::format("partition '{}' of '{}' has no bound", leaf.name, table.name),
               "add bound: \"FOR VALUES ...\" or bound: DEFAULT");
    }
    if (auto n = item["rows"]) {
      auto rows = r_.integer(n, "rows of a partition");
      if (rows && (*rows < 0 || *rows > kMaxRows))
        r_.error("profile.out-of-range", n,
                 fmt::format("rows of partition '{}' must be between 0 and 2^40", leaf.name));
      leaf.rows = std::clamp<int64_t>(rows.value_or(0), 0, kMaxRows);
    }
    for (const auto& earlier : table.partitions)
      if (!leaf.name.empty() && earlier.name == leaf.name)
        r_.error("profile.conflict", item,
                 fmt::format("partition '{}' of '{}' is listed twice", leaf.name, table.name));
    if (leaf.name == table.name)
      r_.error("profile.conflict", item,
               fmt::format("partition '{}' has its table's own name", leaf.name));
    if (upper_prefix(leaf.bound, 7) == "DEFAULT" && leaf.bound.size() == 7) {
      if (!default_leaf.empty())
        r_.error("profile.conflict", item,
                 fmt::format("table '{}' has two DEFAULT partitions ('{}' and '{}')", table.name,
                             default_leaf, leaf.name));
      else
        default_leaf = leaf.name.empty() ? "(unnamed)" : leaf.name;
    }
    table.partitions.push_back(std::move(leaf));
  }
  if (table.partitions.empty() && leaves.IsSequence())
    r_.error("profile.missing-key", leaves, fmt::format("partitions of '{}' is empty", table.name));
}

}  // namespace pgshape::profile
