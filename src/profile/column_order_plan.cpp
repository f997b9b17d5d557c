// Which column of a two-column ordering CHECK the generator draws given the other
// (pgshape/column_order.hpp), and the orders it cannot keep.
#include <fmt/format.h>
#include <algorithm>
#include <cmath>

#include "pgshape/column_order.hpp"
#include "pgshape/pairs.hpp"

namespace pgshape {

std::optional<OrderPlan> plan_column_order(const Table& table, const ColumnOrder& order,
                                           std::string* why_out,
                                           const std::vector<std::string>* fixed) {
  auto refuse = [&](std::string reason) -> std::optional<OrderPlan> {
    if (why_out) *why_out = std::move(reason);
    return std::nullopt;
  };
  const int hi = table.column_index(order.high), lo = table.column_index(order.low);
  if (hi < 0 || lo < 0)
    return refuse(
        fmt::format("'{}' names no column of '{}'", hi < 0 ? order.high : order.low, table.name));
  const Column& h = table.columns[static_cast<size_t>(hi)];
  const Column& l = table.columns[static_cast<size_t>(lo)];
  const int fh = order_family(h.type), fl = order_family(l.type);
  if (fh == 0 || fl == 0)
    return refuse(fmt::format("{} is {}: only numbers, dates and timestamps are ordered",
                              fh == 0 ? h.name : l.name, (fh == 0 ? h.type : l.type).sql()));
  if (fh != fl || (fh == 2 && h.type.kind != l.type.kind))
    return refuse(fmt::format("{} ({}) and {} ({}) are of different kinds", h.name, h.type.sql(),
                              l.name, l.type.sql()));
  if (fh == 1 && order.interval) return refuse("numbers are offset by a number, not an interval");
  if (fh == 2 && !order.interval && order.number != 0 && h.type.kind != PgType::kDate)
    return refuse("a timestamp is offset by an interval, not a number");
  if (fh == 2 && h.type.kind == PgType::kDate && order.number != std::floor(order.number))
    return refuse("a date is offset by whole days");
  // A column can be drawn given the other (redrawn) when it has a distribution of its own that
  // reads nothing else of its row and promises no unique or paired values.
  std::vector<size_t> paired;
  for (const PairKey& key : pair_keys(table)) {
    paired.push_back(key.family);
    paired.insert(paired.end(), key.members.begin(), key.members.end());
  }
  auto why_fixed = [&](const Column& c, size_t index) -> std::string {
    if (fixed) return index < fixed->size() ? (*fixed)[index] : "is unknown";
    if (!c.generated.empty()) return "is computed by the server";
    if (c.ref) return "is a foreign key";
    if (c.given) return "is drawn given another column";
    if (c.unique || c.primary_key) return "is a key";
    switch (c.dist.kind) {
      case DistKind::kCopy:
      case DistKind::kChildNumber:
      case DistKind::kFanout:
      case DistKind::kSequence:
      case DistKind::kTimeline:
        return fmt::format("is a {} column", to_string(c.dist.kind));
      default:
        break;
    }
    for (const Column& reader : table.columns)
      if (reader.given && reader.given->column == c.name) return "is read by another's given:";
    if (std::find(paired.begin(), paired.end(), index) != paired.end())
      return "is part of a composite key built by pairing";
    return "";
  };
  const std::string fixed_h = why_fixed(h, static_cast<size_t>(hi));
  const std::string fixed_l = why_fixed(l, static_cast<size_t>(lo));
  OrderPlan plan{order, static_cast<size_t>(hi), static_cast<size_t>(lo), true};
  if (fixed_h.empty() && (!fixed_l.empty() || hi > lo)) return plan;
  if (fixed_l.empty()) {
    plan.dependent = static_cast<size_t>(lo);
    plan.other = static_cast<size_t>(hi);
    plan.dependent_is_high = false;
    return plan;
  }
  return refuse(
      fmt::format("neither column can be redrawn: {} {}, {} {}", h.name, fixed_h, l.name, fixed_l));
}

}  // namespace pgshape
