#include "gen/quota.hpp"

#include <algorithm>
#include <numeric>

#include "pgshape/util.hpp"

namespace pgshape::gen {

std::vector<uint64_t> largest_remainder(const std::vector<double>& weights, uint64_t rows) {
  std::vector<uint64_t> counts(weights.size(), 0);
  long double total = 0;
  for (double w : weights) total += w > 0 ? w : 0;
  if (weights.empty() || !(total > 0)) return counts;
  std::vector<long double> remainder(weights.size(), 0);
  uint64_t given = 0;
  for (size_t i = 0; i < weights.size(); ++i) {
    if (!(weights[i] > 0)) continue;
    const long double share = static_cast<long double>(weights[i]) / total * rows;
    counts[i] = std::min<uint64_t>(rows - given, static_cast<uint64_t>(share));
    given += counts[i];
    remainder[i] = share - static_cast<long double>(counts[i]);
  }
  std::vector<size_t> order(weights.size());
  std::iota(order.begin(), order.end(), size_t{0});
  std::stable_sort(order.begin(), order.end(),
                   [&](size_t a, size_t b) { return remainder[a] > remainder[b]; });
  // At most one row per value is left over, but long double rounding may leave
  // more for a huge table: keep going round until every row has a value.
  while (given < rows) {
    bool any = false;
    for (size_t i : order) {
      if (given == rows) break;
      if (!(weights[i] > 0)) continue;
      ++counts[i], ++given, any = true;
    }
    if (!any) break;
  }
  return counts;
}

QuotaPicker::QuotaPicker(const std::vector<double>& weights, int64_t rows, uint64_t key)
    : rows_(static_cast<uint64_t>(std::max<int64_t>(rows, 1))) {
  const std::vector<uint64_t> counts = largest_remainder(weights, rows_);
  uint64_t sum = 0;
  for (uint64_t c : counts) ends_.push_back(sum += c);
  if (rows_ > 1) order_.emplace(rows_, mix64(key ^ 0x71756f7461ULL));  // "quota"
}

size_t QuotaPicker::operator()(uint64_t row) const {
  if (ends_.empty()) return 0;
  const uint64_t r = row % rows_;
  const uint64_t position = order_ ? (*order_)(r) : r;
  const auto it = std::upper_bound(ends_.begin(), ends_.end(), position);
  return std::min<size_t>(static_cast<size_t>(it - ends_.begin()), ends_.size() - 1);
}

}  // namespace pgshape::gen
