// The gen module's entry: wiring a profile's column generators together at one scale point.
#include <fmt/format.h>

#include "pgshape/gen.hpp"

#include "gen/columns.hpp"
#include "pgshape/error.hpp"

namespace pgshape {

DatasetGenerator::DatasetGenerator(const Profile& profile, const Scale& scale, uint64_t seed)
    : seed_(seed) {
  tables_.reserve(profile.tables.size());  // generators point into tables_: no reallocation
  for (const auto& table : profile.tables) tables_.emplace_back(table, profile.rows(table, scale));

  // Pass 1: every column's own generator. Pass 2: link foreign keys and copies to
  // their parents, which may be any table (nullable cycles included).
  for (auto& tg : tables_) {
    for (const auto& column : tg.table().columns) {
      gen::ColumnContext context{seed, &tg.table(), &column, tg.rows()};
      if (column.ref) {
        const Table* parent = profile.find_table(column.ref->table);
        if (!parent) throw InternalError("unvalidated foreign key " + column.name);
        tg.columns_.push_back(
            std::make_unique<gen::ForeignKeyGenerator>(context, profile.rows(*parent, scale)));
      } else if (column.dist.kind == DistKind::kCopy) {
        tg.columns_.push_back(std::make_unique<gen::CopyGenerator>(context));
      } else {
        tg.columns_.push_back(
            gen::with_nulls(gen::make_value_generator(context), context, column.null_fraction));
      }
    }
  }
  for (auto& tg : tables_) {
    const Table& table = tg.table();
    for (size_t i = 0; i < table.columns.size(); ++i) {
      const Column& column = table.columns[i];
      if (column.ref) {
        const TableGenerator& parent = this->table(column.ref->table);
        const int index = parent.table().column_index(column.ref->column);
        static_cast<gen::ForeignKeyGenerator&>(*tg.columns_[i])
            .link(&parent.column(static_cast<size_t>(index)));
      }
    }
  }
  for (auto& tg : tables_) {
    const Table& table = tg.table();
    for (size_t i = 0; i < table.columns.size(); ++i) {
      const Column& column = table.columns[i];
      if (column.dist.kind != DistKind::kCopy || column.ref) continue;
      const int fk_index = table.column_index(column.dist.copy_from_fk);
      const Column& fk = table.columns[static_cast<size_t>(fk_index)];
      const TableGenerator& parent = this->table(fk.ref->table);
      const int source = parent.table().column_index(column.dist.copy_parent_column);
      auto* fk_gen = dynamic_cast<gen::ForeignKeyGenerator*>(tg.columns_[fk_index].get());
      auto* copy = dynamic_cast<gen::CopyGenerator*>(tg.columns_[i].get());
      if (!fk_gen || !copy || fk_index < 0 || source < 0)
        throw InternalError(fmt::format("cannot link copy column {}.{}", table.name, column.name));
      copy->link(fk_gen, &parent.column(static_cast<size_t>(source)));
      fk_gen->copied();
    }
  }
}

const TableGenerator& DatasetGenerator::table(std::string_view name) const {
  for (const auto& t : tables_)
    if (t.table().name == name) return t;
  throw InternalError(fmt::format("no generator for table '{}'", name));
}

}  // namespace pgshape
