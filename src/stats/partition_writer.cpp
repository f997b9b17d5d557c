// A partitioned table's partition_by: and partitions: in the profile stats
// writes, at every level of sub-partitioning: production's bounds (as
// pg_get_expr prints them) and each partition's rows, so the mirror gets the
// same leaves and partition pruning picks the same ones.
#include <fmt/format.h>
#include <yaml-cpp/yaml.h>

#include <algorithm>
#include <cmath>

#include "stats/internal.hpp"

namespace pgshape::stats {
namespace {

std::string level_problem(const std::vector<PartitionStats>& partitions, bool redacted) {
  for (const auto& leaf : partitions) {
    if (leaf.bound.empty()) return fmt::format("partition {} has no bound", leaf.name);
    if (redacted && leaf.bound.find('\'') != std::string::npos)
      return fmt::format("the bound of partition {} holds string literals that --redact hides",
                         leaf.name);
    if (leaf.partitioned && leaf.partition_by.empty())
      return fmt::format("partition {} is partitioned by a key stats could not read", leaf.name);
    if (leaf.partitioned && leaf.partitions.empty())
      return fmt::format("partition {} is partitioned but has no partitions", leaf.name);
    if (leaf.partitioned)
      if (std::string why = level_problem(leaf.partitions, redacted); !why.empty()) return why;
  }
  return "";
}

void write_level(YAML::Emitter& out, const std::vector<PartitionStats>& partitions) {
  out << YAML::Key << "partitions" << YAML::Value << YAML::BeginSeq;
  for (const auto& leaf : partitions) {
    // A leaf on one line; a sub-partitioned partition as a block, its own
    // partitions under it.
    if (!leaf.partitioned) out << YAML::Flow;
    out << YAML::BeginMap << YAML::Key << "name" << YAML::Value << YAML::DoubleQuoted << leaf.name
        << YAML::Key << "bound" << YAML::Value << YAML::DoubleQuoted << leaf.bound << YAML::Key
        << "rows" << YAML::Value << std::llround(std::max(0.0, leaf.reltuples));
    if (leaf.partitioned) {
      out << YAML::Key << "partition_by" << YAML::Value << YAML::DoubleQuoted << leaf.partition_by;
      write_level(out, leaf.partitions);
    }
    out << YAML::EndMap;
  }
  out << YAML::EndSeq;
}

void add_names(const std::string& owner, const std::vector<PartitionStats>& partitions,
               std::set<std::string>& out) {
  for (const auto& leaf : partitions) {
    out.insert(fmt::format("partition {} (of {})", leaf.name, owner));
    add_names(leaf.name, leaf.partitions, out);
  }
}

}  // namespace

std::string partitions_problem(const TableStats& t, bool redacted) {
  if (t.partitions.empty()) return "it has no partitions";
  return level_problem(t.partitions, redacted);
}

void write_partitions(YAML::Emitter& out, const TableStats& t) {
  out << YAML::Key << "partition_by" << YAML::Value << YAML::DoubleQuoted << t.partition_by;
  write_level(out, t.partitions);
}

void rebuilt_partition_names(const TableStats& t, std::set<std::string>& out) {
  add_names(t.name, t.partitions, out);
}

}  // namespace pgshape::stats
