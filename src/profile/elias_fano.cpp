// Elias-Fano keys (profile/elias_fano.hpp).
#include "profile/elias_fano.hpp"

#include <bit>

#include "pgshape/error.hpp"

namespace pgshape {

namespace {

// The position of the r-th (0-based) one in `word` (r < popcount(word)):
// bytes skipped by their counts, then the ones below it cleared.
inline unsigned select_in_word(uint64_t word, unsigned r) {
  unsigned shift = 0;
  for (;;) {
    const auto ones = static_cast<unsigned>(std::popcount(word & 0xFF));
    if (r < ones) break;
    r -= ones;
    word >>= 8;
    shift += 8;
  }
  for (; r > 0; --r) word &= word - 1;
  return shift + static_cast<unsigned>(std::countr_zero(word));
}

// The bit position of the r-th one at or after the one at bit `from`.
inline uint64_t find_one(const uint64_t* upper, uint64_t from, unsigned r) {
  uint64_t word = from / 64;
  uint64_t bits = upper[word] & (~uint64_t{0} << (from % 64));
  for (;;) {
    const auto ones = static_cast<unsigned>(std::popcount(bits));
    if (r < ones) break;
    r -= ones;
    bits = upper[++word];
  }
  return word * 64 + select_in_word(bits, r);
}

#if PGSHAPE_POPCNT_DISPATCH
// The same with the popcnt instruction, which Debian's x86-64 baseline does
// not assume: a software count was a tenth of a dense key's generation.
__attribute__((target("popcnt"))) uint64_t find_one_popcnt(const uint64_t* upper, uint64_t from,
                                                           unsigned r) {
  return find_one(upper, from, r);
}
#endif

}  // namespace

EliasFanoKeys::EliasFanoKeys(uint64_t n, uint64_t last) : capacity_(n), last_(last) {
#if PGSHAPE_POPCNT_DISPATCH
  popcnt_ = __builtin_cpu_supports("popcnt");
#endif
  // floor(log2(universe / n)) low bits balance the two halves at their smallest.
  const uint64_t per_key = n == 0 ? 0 : (last / n);
  low_bits_ = per_key == 0 ? 0 : static_cast<unsigned>(std::bit_width(per_key) - 1);
  const unsigned __int128 low_total = static_cast<unsigned __int128>(n) * low_bits_;
  low_.assign(static_cast<size_t>((low_total + 63) / 64), 0);
  const uint64_t upper_bits = n + (last >> low_bits_) + 1;
  upper_.assign(static_cast<size_t>((upper_bits + 63) / 64), 0);
  samples_.reserve(static_cast<size_t>((n + kSampleEvery - 1) / kSampleEvery));
}

void EliasFanoKeys::push(uint64_t key) {
  if (size_ >= capacity_ || key > last_ || (size_ > 0 && key <= previous_))
    throw InternalError("an Elias-Fano key out of order or past its room");
  previous_ = key;
  if (low_bits_ > 0) {
    const uint64_t low = key & ((uint64_t{1} << low_bits_) - 1);
    const uint64_t at = size_ * low_bits_;
    low_[at / 64] |= low << (at % 64);
    if (at % 64 + low_bits_ > 64) low_[at / 64 + 1] |= low >> (64 - at % 64);
  }
  const uint64_t bit = (key >> low_bits_) + size_;
  upper_[bit / 64] |= uint64_t{1} << (bit % 64);
  if (size_ % kSampleEvery == 0) samples_.push_back(bit);
  ++size_;
}

uint64_t EliasFanoKeys::key(uint64_t i) const {
  if (i >= size_) throw InternalError("an Elias-Fano index past its keys");
  const uint64_t at_one = samples_[i / kSampleEvery];
  const auto r = static_cast<unsigned>(i % kSampleEvery);
#if PGSHAPE_POPCNT_DISPATCH
  const uint64_t one =
      popcnt_ ? find_one_popcnt(upper_.data(), at_one, r) : find_one(upper_.data(), at_one, r);
#else
  const uint64_t one = find_one(upper_.data(), at_one, r);
#endif
  const uint64_t high = one - i;
  if (low_bits_ == 0) return high;
  const uint64_t at = i * low_bits_;
  uint64_t low = low_[at / 64] >> (at % 64);
  if (at % 64 + low_bits_ > 64) low |= low_[at / 64 + 1] << (64 - at % 64);
  return high << low_bits_ | (low & ((uint64_t{1} << low_bits_) - 1));
}

size_t EliasFanoKeys::bytes() const {
  return (low_.capacity() + upper_.capacity() + samples_.capacity()) * sizeof(uint64_t);
}

}  // namespace pgshape
