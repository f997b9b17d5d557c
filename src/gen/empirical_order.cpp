// The order of the positions: the row number shuffled within windows whose
// length is solved for the source's correlation, as ANALYZE measures it (the
// model is described in empirical.cpp).
#include <algorithm>
#include <cmath>

#include "gen/empirical.hpp"
#include "gen/window_shuffle.hpp"

namespace pgshape::gen {
namespace {

// Tables up to this many rows search a few shuffles for the nearest correlation.
constexpr int64_t kSearchRows = 20000;

// Rank correlation of a shuffle within windows of length n / x (x >= 1 windows
// of the same length, the last one shorter): 1 - sum (len / n)^3.
double window_correlation(double x) {
  const double whole = std::floor(x);
  const double rest = 1 - whole / x;
  return 1 - whole / (x * x * x) - rest * rest * rest;
}

}  // namespace

// Correlation: a shuffle within windows has rank correlation w (negative:
// reversed), but ANALYZE breaks ties by heap position, so repeated values add
// to it (a column in random order shows the sum of squared frequencies, 0.65
// for an 80 % value) and a reversed order gets its tie groups ascending. So w
// is solved by measuring: ANALYZE's correlation over (a spread sample of) the
// rows, bisected. Small tables then try a few shuffle keys and keep the nearest:
// 3 rows hold only a few orders.
void Empirical::plan_order(const Distribution& d, const std::vector<double>& freqs) {
  if (rows_ < 3) return;
  const double r = std::clamp(d.correlation, -1.0, 1.0);
  auto apply = [&](double w) {
    reverse_ = w < 0;
    windows_ = solve_windows(std::fabs(w));
  };
  // First the closed form, r = w + (1 - |w|) r0 with r0 the sum of squared
  // frequencies; measured once, and bisected only when it misses.
  double r0 = 0;
  for (double f : freqs) r0 += f * f;
  apply(r >= r0 ? (r0 < 1 ? (r - r0) / (1 - r0) : 0) : -(r0 - r) / (1 + r0));
  if (std::fabs(measured_correlation() - r) > 0.01) {
    double lo = -1, hi = 1;
    for (int i = 0; i < 14; ++i) {
      const double mid = (lo + hi) / 2;
      apply(mid);
      (measured_correlation() < r ? lo : hi) = mid;
    }
    apply((lo + hi) / 2);
  }
  if (rows_ > kSearchRows) return;
  double best = std::fabs(measured_correlation() - r);
  const double base = windows_;
  const uint64_t base_key = order_key_;
  uint64_t best_key = base_key;
  double best_windows = base;
  // About a million rows drawn at most (48 tries of 3 rows, 10 of 20,000).
  const int64_t attempts = std::clamp<int64_t>(200000 / rows_, 10, 48);
  for (int64_t attempt = 1; attempt < attempts && best > 0.005; ++attempt) {
    order_key_ = mix64(base_key + static_cast<uint64_t>(attempt));
    const double factor = 1 + 0.1 * static_cast<double>((attempt % 5) - 2);
    windows_ = std::clamp(base * factor, 1.0, static_cast<double>(rows_));
    const double err = std::fabs(measured_correlation() - r);
    if (err < best) best = err, best_key = order_key_, best_windows = windows_;
  }
  order_key_ = best_key;
  windows_ = best_windows;
}

double Empirical::solve_windows(double w) const {
  const double n = static_cast<double>(rows_);
  if (w <= 0) return 1;
  if (w >= window_correlation(n)) return n;
  double lo = 1, hi = n;
  for (int i = 0; i < 80; ++i) {
    const double mid = std::sqrt(lo * hi);
    (window_correlation(mid) < w ? lo : hi) = mid;
  }
  return hi;
}

double Empirical::measured_correlation() const {
  std::vector<std::pair<uint64_t, uint64_t>> keys;  // (value order, row)
  // Large tables: an evenly spread sample, as ANALYZE measures on its sample.
  const uint64_t stride = std::max<uint64_t>(1, static_cast<uint64_t>(rows_) / kSearchRows);
  keys.reserve(static_cast<size_t>(rows_) / stride + 1);
  for (uint64_t row = 0; row < static_cast<uint64_t>(rows_); row += stride) {
    const Slot slot = locate(row);
    if (segments_[slot.segment].kind == SegKind::kNull) continue;
    keys.emplace_back((static_cast<uint64_t>(slot.segment) << 32) | (slot.value & 0xFFFFFFFF), row);
  }
  const size_t m = keys.size();
  if (m < 2) return 0;
  std::vector<uint64_t> heap_rank(static_cast<size_t>(rows_ / static_cast<int64_t>(stride)) + 1);
  for (size_t i = 0; i < m; ++i) heap_rank[keys[i].second / stride] = i;
  std::sort(keys.begin(), keys.end());
  double xy = 0;
  for (size_t i = 0; i < m; ++i)
    xy += static_cast<double>(i) * static_cast<double>(heap_rank[keys[i].second / stride]);
  const double mean = (static_cast<double>(m) - 1) / 2;
  const double var = (static_cast<double>(m) * static_cast<double>(m) - 1) / 12;
  return (xy / static_cast<double>(m) - mean * mean) / var;
}

uint64_t Empirical::position(uint64_t row) const {
  const auto n = static_cast<uint64_t>(rows_);
  if (n <= 1) return 0;
  uint64_t p = row;
  if (whole_) {
    p = (*whole_)(row);
  } else {
    p = shuffled_within_windows(row, n, windows_, order_key_);
  }
  return reverse_ ? n - 1 - p : p;
}

}  // namespace pgshape::gen
