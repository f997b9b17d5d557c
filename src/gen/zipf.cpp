#include "pgshape/zipf.hpp"

#include <cmath>

#include "pgshape/error.hpp"

namespace pgshape {
namespace {

// log1p(x)/x, accurate near 0.
double helper1(double x) {
  return std::fabs(x) > 1e-8 ? std::log1p(x) / x : 1 - x * (0.5 - x * (1.0 / 3 - 0.25 * x));
}
// expm1(x)/x, accurate near 0.
double helper2(double x) {
  return std::fabs(x) > 1e-8 ? std::expm1(x) / x : 1 + x * 0.5 * (1 + x / 3 * (1 + 0.25 * x));
}

}  // namespace

ZipfDistribution::ZipfDistribution(int64_t n, double s) : n_(n), s_(s) {
  if (n < 1 || !(s > 0)) throw InternalError("ZipfDistribution needs n >= 1 and s > 0");
  h_integral_x1_ = h_integral(1.5) - 1.0;
  h_integral_n_ = h_integral(static_cast<double>(n) + 0.5);
  threshold_ = 2.0 - h_integral_inverse(h_integral(2.5) - h(2.0));
}

// h(x) = 1/x^s; H(x) is its integral, shifted so that H(1) = 0.
double ZipfDistribution::h(double x) const {
  return std::exp(-s_ * std::log(x));
}

double ZipfDistribution::h_integral(double x) const {
  const double log_x = std::log(x);
  return helper2((1.0 - s_) * log_x) * log_x;
}

double ZipfDistribution::h_integral_inverse(double x) const {
  double t = x * (1.0 - s_);
  if (t < -1.0) t = -1.0;  // guards rounding at the edge of the domain
  return std::exp(helper1(t) * x);
}

int64_t ZipfDistribution::operator()(CounterEngine& engine) const {
  while (true) {
    const double u = h_integral_n_ + engine.uniform01() * (h_integral_x1_ - h_integral_n_);
    const double x = h_integral_inverse(u);
    int64_t k = static_cast<int64_t>(x + 0.5);
    if (k < 1)
      k = 1;
    else if (k > n_)
      k = n_;
    const double kd = static_cast<double>(k);
    if (kd - x <= threshold_ || u >= h_integral(kd + 0.5) - h(kd)) return k;
  }
}

double ZipfDistribution::probability(int64_t k) const {
  if (k < 1 || k > n_) return 0;
  double normaliser = 0;  // H(n, s), summed smallest terms first for accuracy
  for (int64_t i = n_; i >= 1; --i) normaliser += h(static_cast<double>(i));
  return h(static_cast<double>(k)) / normaliser;
}

Permutation::Permutation(uint64_t n, uint64_t key) : n_(n), key_(key) {
  if (n == 0) throw InternalError("Permutation over an empty domain");
  int bits = 2;
  while (bits < 64 && (uint64_t{1} << bits) < n) ++bits;
  if (bits % 2) ++bits;
  half_bits_ = bits / 2;
  half_mask_ = (uint64_t{1} << half_bits_) - 1;
}

uint64_t Permutation::round(uint64_t half, int i) const {
  return mix64(half ^ mix64(key_ + static_cast<uint64_t>(i))) & half_mask_;
}

uint64_t Permutation::operator()(uint64_t x) const {
  // Cycle-walking: the Feistel network permutes [0, 4^half_bits); re-apply until
  // the value lands in [0, n). Since the domain is < 4n, that takes < 4 steps on average.
  do {
    uint64_t left = x >> half_bits_;
    uint64_t right = x & half_mask_;
    for (int i = 0; i < 4; ++i) {
      uint64_t next = left ^ round(right, i);
      left = right;
      right = next;
    }
    x = (left << half_bits_) | right;
  } while (x >= n_);
  return x;
}

}  // namespace pgshape
