// Bounded Zipf ranks in O(1) time and memory: P(k) ~ 1 / k^s for k in [1, n].
//
// Rejection-inversion sampling (W. Hörmann, G. Derflinger, "Rejection-inversion
// to generate variates from monotone discrete distributions", ACM TOMACS 6(3),
// 1996): no table, any exponent s > 0 (including s = 1 and s < 1), and on
// average fewer than ~1.1 uniform draws per rank. Up to kTableLimit ranks an
// alias table (Walker/Vose) replaces it: one draw and no exp/log per rank,
// the same law.
#pragma once

#include <cstdint>
#include <utility>
#include <vector>

#include "pgshape/random.hpp"

namespace pgshape {

class ZipfDistribution {
 public:
  // Preconditions: n >= 1, s > 0 (checked by profile validation; violated = InternalError).
  ZipfDistribution(int64_t n, double s);

  // Domains up to this many ranks sample from an alias table (12 bytes a rank).
  static constexpr int64_t kTableLimit = 1 << 16;

  // A rank in [1, n]; rank 1 is the most frequent.
  int64_t operator()(CounterEngine& engine) const;

  int64_t n() const { return n_; }
  double s() const { return s_; }
  // P(rank == k), exactly; O(n) per call, for tests and expected shares.
  double probability(int64_t k) const;

 private:
  void build_alias_table();
  double h(double x) const;
  double h_integral(double x) const;
  double h_integral_inverse(double x) const;

  int64_t n_;
  double s_;
  double h_integral_x1_;
  double h_integral_n_;
  double threshold_;
  // Alias table (n <= kTableLimit): rank i + 1 is kept when the draw's low 64
  // bits fall below keep_[i], else alias_[i] + 1 is taken.
  std::vector<uint64_t> keep_;
  std::vector<uint32_t> alias_;
};

// A keyed permutation of [0, n): a 4-round (unbalanced) Feistel network over
// the next power of two (>= 4), cycle-walked back into range (fewer than 2 steps
// on average). Maps popularity ranks to row numbers so hot parents are spread
// over the table, and row numbers to unique values without storing them.
class Permutation {
 public:
  Permutation(uint64_t n, uint64_t key);
  uint64_t operator()(uint64_t x) const {  // precondition: x < n
    do x = step(x);
    while (x >= n_);
    return x;
  }
  uint64_t size() const { return n_; }

 private:
  static constexpr int kRounds = 4;
  // One pass of the network over [0, 2^bits). A round splits x into a high part
  // of `a` bits and a low part of `b` bits and yields (low, high ^ F(low)): the
  // low part moves up, so the widths alternate (a, b), (b, a), ...
  uint64_t step(uint64_t x) const {
    int a = high_bits_, b = low_bits_;
    for (int i = 0; i < kRounds; ++i) {
      const uint64_t high = x >> b, low = x & ((uint64_t{1} << b) - 1);
      // F: the top `a` bits of a keyed multiply-xorshift-multiply hash of low.
      uint64_t t = (low ^ round_keys_[i]) * 0xBF58476D1CE4E5B9ULL;
      t = (t ^ (t >> 32)) * 0x94D049BB133111EBULL;
      const uint64_t f = t >> (64 - a);
      x = (low << a) | (high ^ f);
      std::swap(a, b);
    }
    return x;
  }
  uint64_t n_;
  int high_bits_, low_bits_;
  uint64_t round_keys_[kRounds];
};

}  // namespace pgshape
