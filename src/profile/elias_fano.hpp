// Internal to value domains (pgshape/value_counts.hpp): an ascending sequence
// of keys in Elias-Fano form, about 2 + log2(universe / n) bits a key, with
// key(i) in a few word reads. A zipf's head has one such sequence per count
// (the ranks that get that many rows), so listing it costs a few bits a rank
// where a plain list costs 16 bytes.
#pragma once

#include <cstdint>
#include <vector>

#include "pgshape/value_counts.hpp"

#if defined(__x86_64__) && (defined(__GNUC__) || defined(__clang__))
#define PGSHAPE_POPCNT_DISPATCH 1
#else
#define PGSHAPE_POPCNT_DISPATCH 0
#endif

namespace pgshape {

class EliasFanoKeys : public RunKeys {
 public:
  // Room for `n` strictly ascending keys, none above `last`.
  EliasFanoKeys(uint64_t n, uint64_t last);
  // Appends the next key (above the previous one, at most `last`, at most n in all).
  void push(uint64_t key);
  uint64_t size() const { return size_; }
  uint64_t key(uint64_t i) const override;
  size_t bytes() const;  // what the sequence holds on the heap

 private:
  // A sample of the upper half's ones: where every kSampleEvery-th one is.
  static constexpr uint64_t kSampleEvery = 64;
  uint64_t capacity_, last_;
  unsigned low_bits_;
  uint64_t size_ = 0;
  uint64_t previous_ = 0;
  std::vector<uint64_t> low_;    // key i's low bits at bit i * low_bits_
  std::vector<uint64_t> upper_;  // key i's high part h as a one at bit h + i
  std::vector<uint64_t> samples_;
  bool popcnt_ = false;  // the CPU counts bits in one instruction
};

}  // namespace pgshape
