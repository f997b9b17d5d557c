// Bounded Zipf ranks in O(1) time and memory: P(k) ~ 1 / k^s for k in [1, n].
//
// Rejection-inversion sampling (W. Hörmann, G. Derflinger, "Rejection-inversion
// to generate variates from monotone discrete distributions", ACM TOMACS 6(3),
// 1996): no table, any exponent s > 0 (including s = 1 and s < 1), and on
// average fewer than ~1.1 uniform draws per rank.
#pragma once

#include <cstdint>

#include "pgshape/random.hpp"

namespace pgshape {

class ZipfDistribution {
 public:
  // Preconditions: n >= 1, s > 0 (checked by profile validation; violated = InternalError).
  ZipfDistribution(int64_t n, double s);

  // A rank in [1, n]; rank 1 is the most frequent.
  int64_t operator()(CounterEngine& engine) const;

  int64_t n() const { return n_; }
  double s() const { return s_; }
  // P(rank == k), exactly; O(n) per call, for tests and expected shares.
  double probability(int64_t k) const;

 private:
  double h(double x) const;
  double h_integral(double x) const;
  double h_integral_inverse(double x) const;

  int64_t n_;
  double s_;
  double h_integral_x1_;
  double h_integral_n_;
  double threshold_;
};

// A keyed permutation of [0, n): a 4-round Feistel network over the next even
// power of two, cycle-walked back into range. Maps popularity ranks to row
// numbers so hot parents are spread over the table, and row numbers to unique
// values without storing them.
class Permutation {
 public:
  Permutation(uint64_t n, uint64_t key);
  uint64_t operator()(uint64_t x) const;  // precondition: x < n
  uint64_t size() const { return n_; }

 private:
  uint64_t round(uint64_t half, int i) const;
  uint64_t n_;
  uint64_t key_;
  int half_bits_;
  uint64_t half_mask_;
};

}  // namespace pgshape
