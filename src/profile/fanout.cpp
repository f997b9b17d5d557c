// The fan-out split (pgshape/fanout.hpp): sizes and parents from weights, exact.
#include "pgshape/fanout.hpp"

#include <fmt/format.h>
#include <algorithm>
#include <charconv>
#include <cmath>
#include <cstdint>
#include <map>
#include <numeric>

namespace pgshape {

bool fanout_weights(const Distribution& dist, std::vector<std::pair<int64_t, double>>& out,
                    std::string* why) {
  out.clear();
  auto fail = [&](std::string message) {
    if (why) *why = std::move(message);
    out.clear();
    return false;
  };
  std::map<int64_t, double> merged;
  if (!dist.values.empty()) {
    for (size_t i = 0; i < dist.values.size(); ++i) {
      const std::string& text = dist.values[i];
      int64_t size = 0;
      const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), size);
      if (ec != std::errc() || end != text.data() + text.size() || size < 1)
        return fail(fmt::format("fan-out size '{}' is no whole number >= 1", text));
      const double weight = i < dist.weights.size() ? dist.weights[i] : 1.0;
      if (!(weight > 0)) return fail(fmt::format("fan-out size {} has weight {}", size, weight));
      merged[size] += weight;
    }
  } else {
    const double lo = dist.min.value_or(1), hi = dist.max.value_or(lo);
    if (!(lo >= 1) || !(hi >= lo))
      return fail(fmt::format("fan-out sizes min {} .. max {} need 1 <= min <= max", lo, hi));
    if (hi - lo + 1 > static_cast<double>(kMaxFanoutSizes))
      return fail(
          fmt::format("fan-out sizes {} .. {} are more than {} sizes", lo, hi, kMaxFanoutSizes));
    for (auto k = static_cast<int64_t>(std::ceil(lo)); k <= static_cast<int64_t>(hi); ++k)
      merged[k] = 1.0;
    if (merged.empty()) return fail(fmt::format("no whole fan-out size in {} .. {}", lo, hi));
  }
  out.assign(merged.begin(), merged.end());
  return true;
}

int64_t fanout_max_size(const Distribution& dist) {
  std::vector<std::pair<int64_t, double>> weights;
  if (!fanout_weights(dist, weights) || weights.empty()) return 0;
  return weights.back().first;
}

double fanout_ideal_parents(const Distribution& dist, int64_t rows) {
  std::vector<std::pair<int64_t, double>> weights;
  if (rows <= 0 || !fanout_weights(dist, weights)) return 0;
  long double total = 0, mean = 0;
  for (const auto& [k, w] : weights) total += w;
  for (const auto& [k, w] : weights) mean += static_cast<long double>(k) * w / total;
  return static_cast<double>(static_cast<long double>(rows) / mean);
}

std::vector<FanoutSize> fanout_sizes(const Distribution& dist, int64_t rows, int64_t max_parents) {
  std::vector<std::pair<int64_t, double>> weights;
  if (rows <= 0 || !fanout_weights(dist, weights)) return {};
  long double total = 0, mean = 0;
  for (const auto& [k, w] : weights) total += w;
  for (const auto& [k, w] : weights) mean += static_cast<long double>(k) * w / total;
  // Parents per size: the weight's share of rows / mean size, rounded down;
  // that never takes more rows than there are.
  const long double parents = static_cast<long double>(rows) / mean;
  std::vector<int64_t> count(weights.size());
  std::vector<long double> cut(weights.size());
  int64_t used = 0;
  for (size_t i = 0; i < weights.size(); ++i) {
    const long double exact = parents * weights[i].second / total;
    count[i] = static_cast<int64_t>(std::floor(exact));
    cut[i] = exact - static_cast<long double>(count[i]);
    used += count[i] * weights[i].first;
  }
  if (used > rows) {  // rounding noise in long double: take parents back, largest first
    for (size_t i = weights.size(); i-- > 0 && used > rows;)
      while (count[i] > 0 && used > rows) --count[i], used -= weights[i].first;
  }
  int64_t rest = rows - used;
  // Whole parents for the rest, to the sizes rounding cut most (ties: smaller size).
  std::vector<size_t> order(weights.size());
  std::iota(order.begin(), order.end(), size_t{0});
  std::stable_sort(order.begin(), order.end(), [&](size_t a, size_t b) { return cut[a] > cut[b]; });
  for (bool added = true; rest > 0 && added;) {
    added = false;
    for (size_t i : order)
      if (weights[i].first <= rest) {
        ++count[i], rest -= weights[i].first;
        added = true;
      }
  }
  std::map<int64_t, int64_t> split;
  for (size_t i = 0; i < weights.size(); ++i)
    if (count[i] > 0) split[weights[i].first] += count[i];
  if (rest > 0) {
    // Smaller than every size: one parent of the smallest size takes it too
    // (or, with no parent at all, one parent takes every row).
    if (split.empty()) {
      split[rest] = 1;
    } else {
      auto smallest = split.begin();
      const int64_t grown = smallest->first + rest;
      if (--smallest->second == 0) split.erase(smallest);
      ++split[grown];
    }
  }
  // Too many parents: merge the smallest two into one, pairs of one size at once.
  int64_t used_parents = 0;
  for (const auto& [size, n] : split) used_parents += n;
  for (int64_t excess = used_parents - std::max<int64_t>(max_parents, 1); excess > 0;) {
    auto smallest = split.begin();
    const int64_t a = smallest->first;
    if (smallest->second >= 2) {
      const int64_t pairs = std::min(smallest->second / 2, excess);
      if ((smallest->second -= 2 * pairs) == 0) split.erase(smallest);
      split[2 * a] += pairs;
      excess -= pairs;
      continue;
    }
    split.erase(smallest);
    auto next = split.begin();  // another size exists: used_parents > 1
    const int64_t b = next->first;
    if (--next->second == 0) split.erase(next);
    ++split[a + b];
    --excess;
  }
  std::vector<FanoutSize> out;
  for (const auto& [size, n] : split) out.push_back({size, n});
  return out;
}

int64_t fanout_parents(const std::vector<FanoutSize>& sizes) {
  int64_t n = 0;
  for (const auto& s : sizes) n += s.parents;
  return n;
}

}  // namespace pgshape
