#include "stats/implied_keys.hpp"

#include <fmt/format.h>
#include <algorithm>

#include "stats/object_writer.hpp"

namespace pgshape::stats {

const ForeignKeyStats* implied_by_composite(const StatsSnapshot& snap, const TableStats& t,
                                            const ForeignKeyStats& composite,
                                            const std::string& column, const KeptKey& kept) {
  if (composite.columns.size() < 2 || composite.columns.size() != composite.parent_columns.size())
    return nullptr;
  const auto at = std::find(composite.columns.begin(), composite.columns.end(), column);
  if (at == composite.columns.end()) return nullptr;
  const TableStats* parent = snap.find_table(composite.parent_table);
  if (!parent || parent == &t) return nullptr;
  const std::string& through =
      composite.parent_columns[static_cast<size_t>(at - composite.columns.begin())];
  const ColumnStats* via = parent->find_column(through);
  if (!via || !via->not_null) return nullptr;  // a NULL there would let an orphan through
  const std::vector<std::string> own{column}, parents{through};
  for (const auto& single : t.foreign_keys) {
    if (single.columns != own) continue;
    for (const auto& chain : parent->foreign_keys)
      if (chain.columns == parents && chain.parent_table == single.parent_table &&
          chain.parent_columns == single.parent_columns && kept(*parent, chain))
        return &single;
  }
  return nullptr;
}

void write_implied_keys(YAML::Emitter& out, const TableStats& t, bool& open,
                        const std::function<bool(const ForeignKeyStats&)>& implied) {
  for (const auto& fk : t.foreign_keys) {
    if (fk.columns.size() != 1 || !implied(fk)) continue;
    if (!open) out << YAML::Key << "foreign_keys" << YAML::Value << YAML::BeginSeq;
    open = true;
    out << YAML::Flow << YAML::BeginMap << YAML::Key << "columns" << YAML::Value << YAML::Flow
        << fk.columns << YAML::Key << "ref" << YAML::Value << YAML::DoubleQuoted
        << fmt::format("{}({})", fk.parent_table, fk.parent_columns[0]);
    ObjectWriter::write_fk_actions(out, fk.actions);
    out << YAML::EndMap;
  }
}

}  // namespace pgshape::stats
