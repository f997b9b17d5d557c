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

// A keyed permutation of [0, n). Maps popularity ranks to row numbers so hot
// parents are spread over the table, and row numbers to unique values without
// storing them.
//
// A bijection of k-bit values (2^k >= n, k >= 2), cycle-walked back into range
// (fewer than 2 steps on average): three rounds of xor with a key, multiply by
// an odd constant, xorshift by half the width, as in SplitMix's finalizer. The
// value is held in the top k bits of a word, so each step maps k-bit values to
// k-bit values with no masking after the multiply and one shift count for the
// whole permutation: half the instructions of the Feistel network it replaced.
class Permutation {
 public:
  Permutation(uint64_t n, uint64_t key);
  uint64_t operator()(uint64_t x) const {  // precondition: x < n
    uint64_t y = x << down_;
    do {
      for (int i = 0; i < kRounds; ++i) {
        y = (y ^ round_keys_[i]) * kMultipliers[i];
        y ^= (y >> shift_) & mask_;
      }
    } while (y > last_);
    return y >> down_;
  }
  uint64_t size() const { return n_; }

 private:
  static constexpr int kRounds = 3;
  static constexpr uint64_t kMultipliers[kRounds] = {0x9E3779B97F4A7C15ULL, 0xBF58476D1CE4E5B9ULL,
                                                     0x94D049BB133111EBULL};
  uint64_t n_;
  int down_;       // 64 - k: a value x is held as x << down_
  int shift_;      // the xorshift: ceil(k / 2), so the top half reaches the bottom
  uint64_t mask_;  // the top k bits
  uint64_t last_;  // n - 1, held the same way
  uint64_t round_keys_[kRounds];
};

}  // namespace pgshape
