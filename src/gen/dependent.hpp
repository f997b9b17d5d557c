// Internal to the generator: a column drawn conditionally on another column of
// the same row (`given:` in a profile). The parent's value, already filled in
// the batch, picks one of the case generators (or the column's own); each is a
// plain value generator, so a value is still a pure function of (seed, table,
// column, row) and shards stay byte-identical.
#pragma once

#include <memory>

#include "gen/columns.hpp"

namespace pgshape::gen {

// Wraps `own` (the column's own distribution, the default case) with the cases
// of column.given; `parent` is the given column's index in the table.
std::unique_ptr<ColumnGenerator> make_dependent_generator(const ColumnContext& context,
                                                          std::unique_ptr<ColumnGenerator> own,
                                                          size_t parent);

}  // namespace pgshape::gen
