// Whole-profile checks of table CHECKs over two or more columns: generation
// stays inside a column order (pgshape/column_order.hpp) by drawing one of
// its columns given the other, and inside no other, so the others are
// refused here rather than by the server half-way through a load.
#include <fmt/format.h>

#include "pgshape/column_order.hpp"
#include "profile/checker.hpp"

namespace pgshape::profile {

void check_column_orders(const CheckContext& ctx) {
  for (const Table& table : ctx.p.tables)
    for (const CheckSpec& check : table.checks) {
      const std::vector<std::string> columns = columns_named(table, check.expr);
      if (columns.size() < 2) continue;
      const std::string what = fmt::format("check '{}' of '{}' reads {}", check.expr, table.name,
                                           fmt::join(columns, ", "));
      std::string why;
      auto order = parse_column_order(check.expr, &why);
      if (!order) {
        ctx.r.error("profile.bad-check", check.pos,
                    fmt::format("{}: {}; generated rows could break it", what, why),
                    "a CHECK over two columns is kept as `a <op> b [+/- constant]`, op one of "
                    "< <= > >=, optionally after `a IS NULL OR`");
        continue;
      }
      if (columns.size() > 2) {
        ctx.r.error("profile.bad-check", check.pos,
                    fmt::format("{}: a column order reads exactly two columns", what));
        continue;
      }
      if (!plan_column_order(table, *order, &why))
        ctx.r.error("profile.bad-check", check.pos,
                    fmt::format("{}: {}; generated rows could break it", what, why));
    }
}

}  // namespace pgshape::profile
