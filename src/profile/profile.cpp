// Lookups and derived facts over a validated Profile.
#include <algorithm>
#include <cmath>

#include "pgshape/error.hpp"
#include "pgshape/profile.hpp"

namespace pgshape {

std::string_view to_string(DistKind kind) {
  switch (kind) {
    case DistKind::kSequence:
      return "sequence";
    case DistKind::kUniform:
      return "uniform";
    case DistKind::kNormal:
      return "normal";
    case DistKind::kLognormal:
      return "lognormal";
    case DistKind::kZipf:
      return "zipf";
    case DistKind::kHotset:
      return "hotset";
    case DistKind::kWeighted:
      return "weighted";
    case DistKind::kBernoulli:
      return "bernoulli";
    case DistKind::kTimeline:
      return "timeline";
    case DistKind::kWords:
      return "words";
    case DistKind::kPattern:
      return "pattern";
    case DistKind::kUuid:
      return "uuid";
    case DistKind::kCopy:
      return "copy";
    case DistKind::kEmpirical:
      return "empirical";
    case DistKind::kFanout:
      return "fanout";
    case DistKind::kChildNumber:
      return "child_number";
    case DistKind::kArray:
      return "array";
    case DistKind::kDocument:
      return "document";
    case DistKind::kRange:
      return "range";
  }
  return "?";
}

const Column* Table::find_column(std::string_view name) const {
  for (const auto& column : columns)
    if (column.name == name) return &column;
  return nullptr;
}

const ForeignKeySpec* Table::composite_foreign_key(std::string_view column) const {
  for (const auto& fk : foreign_keys)
    if (fk.columns.size() > 1 && fk.columns.front() == column) return &fk;
  return nullptr;
}

int Table::column_index(std::string_view name) const {
  for (size_t i = 0; i < columns.size(); ++i)
    if (columns[i].name == name) return static_cast<int>(i);
  return -1;
}

const Table* Profile::find_table(std::string_view name) const {
  for (const auto& table : tables)
    if (table.name == name) return &table;
  return nullptr;
}

const Scale* Profile::find_scale(std::string_view name) const {
  for (const auto& scale : scales)
    if (scale.name == name) return &scale;
  return nullptr;
}

const Query* Profile::find_query(std::string_view name) const {
  for (const auto& query : queries)
    if (query.name == name) return &query;
  return nullptr;
}

int64_t Profile::rows(const Table& table, const Scale& scale) const {
  auto it = table.rows_at.find(scale.name);
  const RowSpec& spec = it != table.rows_at.end() ? it->second : table.rows;
  if (spec.per_anchor > 0)
    return std::max<int64_t>(1, std::llround(spec.per_anchor * static_cast<double>(scale.anchor)));
  return spec.fixed;
}

std::vector<size_t> Profile::load_order() const {
  // Kahn's algorithm over non-nullable edges; ties keep profile order so the
  // order is stable and predictable for users reading `validate`.
  const size_t n = tables.size();
  std::vector<std::vector<size_t>> children(n);
  std::vector<int> pending(n, 0);
  for (size_t i = 0; i < n; ++i) {
    for (const auto& column : tables[i].columns) {
      if (!column.ref || column.nullable) continue;
      for (size_t j = 0; j < n; ++j) {
        if (tables[j].name == column.ref->table && j != i) {
          children[j].push_back(i);
          ++pending[i];
        }
      }
    }
  }
  std::vector<size_t> order;
  std::vector<bool> done(n, false);
  while (order.size() < n) {
    bool progressed = false;
    for (size_t i = 0; i < n; ++i) {
      if (done[i] || pending[i] > 0) continue;
      done[i] = true;
      order.push_back(i);
      for (size_t child : children[i]) --pending[child];
      progressed = true;
      break;
    }
    if (!progressed) throw InternalError("load_order: foreign keys form a cycle");
  }
  return order;
}

}  // namespace pgshape
