// A table CHECK that orders two columns of a row, `high <op> low + offset`
// (ends_at > starts_at, shipped_at >= ordered_at + '1 day'::interval,
// discount <= price), optionally guarded by `x IS NULL OR`. Profiles keep such
// CHECKs, validation refuses one generation cannot stay inside of, and the
// generator draws one column of the pair given the other: at the quantile the
// other's value holds (both keep their distributions), or, for a column whose
// distribution has no quantile function, redrawn where a row would break it.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "pgshape/profile.hpp"

namespace pgshape {

struct ColumnOrder {
  std::string high, low;  // column names, unquoted
  bool strict = false;    // high > low + offset; else >=
  // The offset, normalised onto the low side: a number, or an interval.
  bool interval = false;
  double number = 0;                // !interval
  int64_t micros = 0;               // interval: days, hours, ... as microseconds
  bool interval_days = false;       // interval: it holds a days part (DST-dependent on timestamptz)
  std::vector<std::string> guards;  // columns named in an `x IS NULL OR` guard
};

// The CHECK expression (as pg_get_constraintdef or a profile writes it) as a
// column order; nullopt, with `why` set, when it is not of that form.
std::optional<ColumnOrder> parse_column_order(std::string_view expr, std::string* why = nullptr);

// How the generator keeps a table's rows inside an order: `dependent` (a
// column index) is drawn given `other`'s value in the row.
struct OrderPlan {
  ColumnOrder order;
  size_t dependent = 0, other = 0;
  bool dependent_is_high = true;
};

// The plan for `order` on `table`; nullopt, with `why` set, when the columns'
// types cannot be compared this way or neither column can be redrawn.
// `fixed`, when given, says per column why it cannot be redrawn ("" when it
// can), for a caller whose table has no distributions yet (stats).
std::optional<OrderPlan> plan_column_order(const Table& table, const ColumnOrder& order,
                                           std::string* why = nullptr,
                                           const std::vector<std::string>* fixed = nullptr);

// What a column order compares a type as: 1 numbers, 2 dates and timestamps
// (each kind only with itself), 0 nothing it can order.
int order_family(const ColumnType& type);

// The distinct columns of `table` an expression names (outside string literals).
std::vector<std::string> columns_named(const Table& table, std::string_view expr);

}  // namespace pgshape
