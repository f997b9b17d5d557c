// Internal to the generator: a column kept inside the table CHECKs that order
// it against another column of its row (pgshape/column_order.hpp). Where the
// column's own distribution has a quantile function (gen/quantile.hpp), the
// row's value is drawn at the quantile its partner's value holds among the
// partner's values, so both columns keep their distributions; a value still
// outside (sampling noise, the upper end of a window) goes to the nearest
// allowed value. Other columns draw from their own distribution and a row
// that would break an order redraws at other rows' counters until the value
// lands on the allowed side. Either way a value is a pure function of (seed,
// table, column, row), so shards and single rows agree.
#pragma once

#include <memory>
#include <vector>

#include "gen/columns.hpp"
#include "pgshape/column_order.hpp"

namespace pgshape::gen {

// Wraps `own` (a generator that reads no other column) with the orders whose
// dependent column is context.column. `table` (which will own the result)
// fills the partner columns once, at the first fill, for their distributions.
std::unique_ptr<ColumnGenerator> make_ordered_generator(const ColumnContext& context,
                                                        std::unique_ptr<ColumnGenerator> own,
                                                        const std::vector<OrderPlan>& plans,
                                                        const TableGenerator& table);

}  // namespace pgshape::gen
