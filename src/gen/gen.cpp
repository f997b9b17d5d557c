// What a table generator does once wired (dataset.cpp wires it): fill a batch
// of rows, or one column, in dependency order; and finding a table's generator.
#include <fmt/format.h>

#include "pgshape/error.hpp"
#include "pgshape/gen.hpp"

namespace pgshape {

const TableGenerator& DatasetGenerator::table(std::string_view name) const {
  for (const auto& t : tables_)
    if (t.table().name == name) return t;
  throw InternalError(fmt::format("no generator for table '{}'", name));
}

void TableGenerator::fill(const Selection& rows, Batch& batch) const {
  if (batch.column_count() != columns_.size())
    throw InternalError("a batch with the wrong number of columns for table " + table_->name);
  batch.set_rows(rows);
  for (size_t c : order_) columns_[c]->fill(rows, batch, batch.column(c));
}

void TableGenerator::fill_column(size_t column, const Selection& rows, ColumnVector& out) const {
  const std::vector<size_t>& needs = needs_[column];
  if (needs.empty()) {
    columns_[column]->fill(rows, Batch(0), out);
    return;
  }
  Batch inputs(columns_.size());
  inputs.set_rows(rows);
  for (size_t c : needs) columns_[c]->fill(rows, inputs, inputs.column(c));
  columns_[column]->fill(rows, inputs, out);
}

}  // namespace pgshape
