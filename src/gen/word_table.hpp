// Internal to the text family (text.cpp): uniform digits taken several at a
// time from one draw, and vocabularies laid out so a word is one fixed-size
// copy. Header-only: these are the inner loops of words columns.
#pragma once

#include <algorithm>
#include <bit>
#include <cstring>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "gen/encode.hpp"
#include "pgshape/gen.hpp"

namespace pgshape::gen {

// Uniform digits in [0, n) taken several at a time from one 64-bit draw: each
// digit is the high word of r * n and leaves the low word as the next r (the
// base-n digits of r read as a fraction). A digit costs bit_width(n - 1) bits;
// a fresh draw comes when fewer than 32 spare bits would remain, so any digit's
// bias stays below n / 2^32.
class Digits {
 public:
  explicit Digits(CounterEngine& engine) : engine_(engine) {}
  uint64_t below(uint64_t n, int bits) {
    if (left_ < bits + 32) r_ = engine_(), left_ = 64;
    const auto product = static_cast<unsigned __int128>(r_) * n;
    r_ = static_cast<uint64_t>(product);
    left_ -= bits;
    return static_cast<uint64_t>(product >> 64);
  }

 private:
  CounterEngine& engine_;
  uint64_t r_ = 0;
  int left_ = 0;
};

inline int digit_bits(uint64_t n) {
  return std::max(1, static_cast<int>(std::bit_width(n > 0 ? n - 1 : 0)));
}

// A vocabulary laid out for copying: word i and a space at slot i, each slot
// padded to a multiple of 16 bytes, so a word is one fixed-size copy.
class WordTable {
 public:
  WordTable() = default;
  explicit WordTable(std::span<const std::string_view> words) {
    size_t longest = 0;
    for (auto w : words) longest = std::max(longest, w.size());
    slot_ = (longest + 1 + 15) / 16 * 16;
    bytes_.assign(words.size() * slot_, ' ');
    for (size_t i = 0; i < words.size(); ++i) {
      std::memcpy(&bytes_[i * slot_], words[i].data(), words[i].size());
      lengths_.push_back(static_cast<uint16_t>(words[i].size() + 1));
      plain_ = plain_ && plain_text(words[i]);
    }
    bits_ = digit_bits(words.size());
    // Small vocabularies (lorem: 62 words, 123 KB) also get every ordered pair
    // "a b " in a 32-byte slot: two words for one multiply and one copy.
    const size_t n = words.size();
    if (slot_ == 16 && n > 0 && n <= kPairLimit) {
      pairs_.assign(n * n * 32, ' ');
      for (size_t a = 0; a < n; ++a) {
        for (size_t b = 0; b < n; ++b) {
          char* to = &pairs_[(a * n + b) * 32];
          std::memcpy(to, words[a].data(), words[a].size());
          std::memcpy(to + lengths_[a], words[b].data(), words[b].size());
          pair_lengths_.push_back(static_cast<uint8_t>(lengths_[a] + lengths_[b]));
        }
      }
    }
  }
  size_t size() const { return lengths_.size(); }
  int bits() const { return bits_; }
  size_t slot() const { return slot_; }
  bool plain() const { return plain_; }
  // Writes word i and a space at p, and up to a slot's padding beyond; returns
  // the end of the space.
  [[gnu::always_inline]] char* put(char* p, size_t i) const {
    const char* from = &bytes_[i * slot_];
    if (slot_ == 16)
      std::memcpy(p, from, 16);
    else
      std::memcpy(p, from, slot_);
    return p + lengths_[i];
  }
  [[gnu::always_inline]] char* put_random(char* p, Digits& digits) const {
    return size() == 0 ? p : put(p, digits.below(size(), bits_));
  }
  // Writes `count` random words, each followed by a space (and up to 32 bytes
  // of padding beyond the last); returns the end. Indices come from 32-bit
  // halves of the engine's draws by multiply-shift (bias < n / 2^32), so the
  // draws and the multiplies are independent of each other, unlike a chain of
  // digits taken from one draw.
  [[gnu::always_inline]] char* put_random(char* p, CounterEngine& engine, int count) const {
    const uint64_t n = size();
    if (n == 0 || count <= 0) return p;
    if (n > kHalfDrawLimit) {
      for (int i = 0; i < count; ++i) p = put(p, engine.below(n));
      return p;
    }
    // The tables in locals: stores through char* may alias any member, which
    // would reload them after every word.
    const char* const words = bytes_.data();
    const uint16_t* const lengths = lengths_.data();
    const size_t slot = slot_;
    auto word = [&](char* to, size_t i) {
      if (slot == 16)
        std::memcpy(to, words + i * 16, 16);
      else
        std::memcpy(to, words + i * slot, slot);
      return to + lengths[i];
    };
    if (!pairs_.empty()) {
      const char* const pairs = pairs_.data();
      const uint8_t* const pair_lengths = pair_lengths_.data();
      auto pair = [&](char* to, size_t i) {
        std::memcpy(to, pairs + i * 32, 32);
        return to + pair_lengths[i];
      };
      const uint64_t square = n * n;
      for (; count >= 4; count -= 4) {
        const uint64_t r = engine();
        p = pair(p, half(r, square));
        p = pair(p, half(r >> 32, square));
      }
      if (count == 0) return p;
      uint64_t r = engine();
      if (count >= 2) {
        p = pair(p, half(r, square));
        r >>= 32;
        count -= 2;
      }
      return count > 0 ? word(p, half(r, n)) : p;
    }
    for (; count >= 2; count -= 2) {
      const uint64_t r = engine();
      p = word(p, half(r, n));
      p = word(p, half(r >> 32, n));
    }
    return count > 0 ? word(p, half(engine(), n)) : p;
  }

 private:
  static constexpr size_t kPairLimit = 64;
  static constexpr uint64_t kHalfDrawLimit = uint64_t{1} << 20;
  // An index in [0, n) from the low 32 bits of r.
  static size_t half(uint64_t r, uint64_t n) {
    return static_cast<size_t>(((r & 0xFFFFFFFFULL) * n) >> 32);
  }
  std::string bytes_;
  std::vector<uint16_t> lengths_;
  std::string pairs_;
  std::vector<uint8_t> pair_lengths_;
  size_t slot_ = 16;
  int bits_ = 1;
  bool plain_ = true;
};

}  // namespace pgshape::gen
