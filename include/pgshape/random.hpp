// Counter-based randomness: every generated value is a pure function of
// (seed, table, column, row), so any row range can be generated on its own —
// by any thread, process or machine — and the bytes come out the same.
//
// CounterEngine satisfies the UniformRandomBitGenerator requirements, so
// Boost.Random's distributions (whose output is fixed by Boost's source, unlike
// std::'s) draw from it directly.
#pragma once

#include <cstdint>
#include <limits>
#include <string_view>

namespace pgshape {

// SplitMix64's finaliser: a bijective, well-mixing 64-bit hash.
constexpr uint64_t mix64(uint64_t x) {
  x += 0x9E3779B97F4A7C15ULL;
  x = (x ^ (x >> 30)) * 0xBF58476D1CE4E5B9ULL;
  x = (x ^ (x >> 27)) * 0x94D049BB133111EBULL;
  return x ^ (x >> 31);
}

// A fixed 64-bit hash of a name (FNV-1a, then mixed). Never std::hash, whose
// values differ between standard libraries and runs.
constexpr uint64_t hash_name(std::string_view name) {
  uint64_t h = 0xCBF29CE484222325ULL;
  for (char c : name) {
    h ^= static_cast<unsigned char>(c);
    h *= 0x100000001B3ULL;
  }
  return mix64(h);
}

// The key of one random stream: seed x table x column x purpose.
constexpr uint64_t stream_key(uint64_t seed, std::string_view table, std::string_view column,
                              std::string_view purpose = {}) {
  return mix64(mix64(mix64(seed) ^ hash_name(table)) ^ hash_name(column)) ^ hash_name(purpose);
}

// A tiny engine positioned at (key, counter): the stream for one value of one row.
class CounterEngine {
 public:
  using result_type = uint64_t;
  // One mix of key + counter * an odd constant (Weyl-sequence spacing, as
  // SplitMix64 walks its own state): distinct counters of one key start at
  // unrelated states, and the key's random offset keeps columns apart.
  constexpr CounterEngine(uint64_t key, uint64_t counter)
      : state_(mix64(key + counter * 0xD1B54A32D192ED03ULL)) {}
  static constexpr result_type min() { return 0; }
  static constexpr result_type max() { return std::numeric_limits<uint64_t>::max(); }
  constexpr result_type operator()() {
    state_ += 0x9E3779B97F4A7C15ULL;
    uint64_t z = state_;
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
    return z ^ (z >> 31);
  }
  // A double in [0, 1) with 53 random bits.
  constexpr double uniform01() { return static_cast<double>((*this)() >> 11) * 0x1.0p-53; }
  // An integer in [0, bound) (Lemire's multiply-shift; bias < bound / 2^64).
  constexpr uint64_t below(uint64_t bound) {
    return static_cast<uint64_t>((static_cast<unsigned __int128>((*this)()) * bound) >> 64);
  }

 private:
  uint64_t state_;
};

}  // namespace pgshape
