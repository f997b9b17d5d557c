// Internal to the generator: a column kept inside the table CHECKs that order
// it against another column of its row (pgshape/column_order.hpp). The column
// draws from its own distribution; a row that would break an order redraws it
// from the same distribution at other rows' counters until the value lands on
// the allowed side, so a value is still a pure function of (seed, table,
// column, row) and shards and single rows agree.
#pragma once

#include <memory>
#include <vector>

#include "gen/columns.hpp"
#include "pgshape/column_order.hpp"

namespace pgshape::gen {

// Wraps `own` (a generator that reads no other column) with the orders whose
// dependent column is context.column.
std::unique_ptr<ColumnGenerator> make_ordered_generator(const ColumnContext& context,
                                                        std::unique_ptr<ColumnGenerator> own,
                                                        const std::vector<OrderPlan>& plans);

}  // namespace pgshape::gen
