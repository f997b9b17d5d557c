#include "pgshape/gen.hpp"

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
  if (n > 1 && n <= kTableLimit) build_alias_table();
}

// Vose's alias method over P(k) ~ k^-s: every column of the table holds mass 1/n,
// split between its own rank (keep_, as a 64-bit threshold) and one alias.
void ZipfDistribution::build_alias_table() {
  const auto count = static_cast<size_t>(n_);
  std::vector<double> scaled(count);
  double total = 0;
  for (size_t i = count; i-- > 0;) total += scaled[i] = h(static_cast<double>(i + 1));
  for (auto& p : scaled) p *= static_cast<double>(count) / total;
  keep_.assign(count, ~uint64_t{0});
  alias_.resize(count);
  std::vector<uint32_t> small, large;
  for (size_t i = 0; i < count; ++i)
    (scaled[i] < 1 ? small : large).push_back(static_cast<uint32_t>(i));
  while (!small.empty() && !large.empty()) {
    const uint32_t s = small.back(), l = large.back();
    small.pop_back();
    alias_[s] = l;
    keep_[s] = scaled[s] >= 1 ? ~uint64_t{0} : static_cast<uint64_t>(std::ldexp(scaled[s], 64));
    scaled[l] -= 1 - scaled[s];
    if (scaled[l] < 1) {
      large.pop_back();
      small.push_back(l);
    }
  }
  // Leftovers hold mass 1 up to rounding: they keep their own rank.
  for (uint32_t i : small) alias_[i] = i, keep_[i] = ~uint64_t{0};
  for (uint32_t i : large) alias_[i] = i, keep_[i] = ~uint64_t{0};
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
  if (!keep_.empty()) {
    // One draw: its high bits (times n) pick the column, its low bits decide
    // between the column's rank and its alias.
    const auto product = static_cast<unsigned __int128>(engine()) * static_cast<uint64_t>(n_);
    const auto column = static_cast<size_t>(product >> 64);
    return 1 + (static_cast<uint64_t>(product) < keep_[column] ? static_cast<int64_t>(column)
                                                               : alias_[column]);
  }
  if (n_ == 1) return 1;
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

Permutation::Permutation(uint64_t n, uint64_t key) : n_(n) {
  if (n == 0) throw InternalError("Permutation over an empty domain");
  int bits = 2;  // the xorshift needs a bottom half of at least one bit
  while (bits < 64 && (uint64_t{1} << bits) < n) ++bits;
  down_ = 64 - bits;
  shift_ = (bits + 1) / 2;
  mask_ = ~uint64_t{0} << down_;
  last_ = (n - 1) << down_;
  for (int i = 0; i < kRounds; ++i) round_keys_[i] = mix64(key + static_cast<uint64_t>(i)) & mask_;
}

}  // namespace pgshape
