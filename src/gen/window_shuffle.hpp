// Internal to the generator: a heap order that follows a sorted order only
// roughly, as production's rows often do. The n rows are cut into `windows`
// equal runs and shuffled within each (keyed, so a row's place depends on the
// row alone); fewer windows, lower correlation. Empirical columns
// (empirical_order.cpp) and clustered pair keys (pair_order.cpp) share it.
#pragma once

#include <algorithm>
#include <cmath>
#include <cstdint>

#include "pgshape/gen.hpp"

namespace pgshape::gen {

// The place in sorted order of `row` (< n): itself when windows >= n.
inline uint64_t shuffled_within_windows(uint64_t row, uint64_t n, double windows, uint64_t key) {
  if (windows >= static_cast<double>(n)) return row;
  const double length = static_cast<double>(n) / windows;
  auto start_of = [&](uint64_t i) {
    return std::min<uint64_t>(n,
                              static_cast<uint64_t>(std::floor(static_cast<double>(i) * length)));
  };
  uint64_t i = static_cast<uint64_t>(static_cast<double>(row) / length);
  while (i > 0 && start_of(i) > row) --i;
  while (start_of(i + 1) <= row) ++i;
  const uint64_t start = start_of(i), end = start_of(i + 1);
  if (end - start <= 1) return row;
  return start + Permutation(end - start, mix64(key ^ i))(row - start);
}

}  // namespace pgshape::gen
