// Bob Jenkins' lookup3 hash as PostgreSQL's common/hashfn.c uses it, on a
// little-endian machine (the byte order pgshape builds for; partition_hash.hpp).
#include "load/partition_hash.hpp"

#include <algorithm>
#include <bit>

namespace pgshape::load {
namespace {

static_assert(std::endian::native == std::endian::little,
              "hash routing mirrors PostgreSQL's little-endian hashes");

struct State {
  uint32_t a, b, c;

  void mix() {
    a -= c, a ^= std::rotl(c, 4), c += b;
    b -= a, b ^= std::rotl(a, 6), a += c;
    c -= b, c ^= std::rotl(b, 8), b += a;
    a -= c, a ^= std::rotl(c, 16), c += b;
    b -= a, b ^= std::rotl(a, 19), a += c;
    c -= b, c ^= std::rotl(b, 4), b += a;
  }
  void final() {
    c ^= b, c -= std::rotl(b, 14);
    a ^= c, a -= std::rotl(c, 11);
    b ^= a, b -= std::rotl(a, 25);
    c ^= b, c -= std::rotl(b, 16);
    a ^= c, a -= std::rotl(c, 4);
    b ^= a, b -= std::rotl(a, 14);
    c ^= b, c -= std::rotl(b, 24);
  }
  // The seed as a first 12-byte chunk whose last four bytes are zero.
  State(uint32_t length, uint64_t seed) {
    a = b = c = 0x9e3779b9u + length + 3923095u;
    if (seed != 0) {
      a += static_cast<uint32_t>(seed >> 32);
      b += static_cast<uint32_t>(seed);
      mix();
    }
  }
  uint64_t result() const { return (static_cast<uint64_t>(b) << 32) | c; }
};

// Bytes [at, at + n) of `s`, n <= 4, as a little-endian word.
uint32_t word(std::string_view s, size_t at, size_t n) {
  uint32_t w = 0;
  for (size_t i = 0; i < n; ++i)
    w |= static_cast<uint32_t>(static_cast<unsigned char>(s[at + i])) << (8 * i);
  return w;
}

}  // namespace

uint64_t hash_uint32_extended(uint32_t k, uint64_t seed) {
  State s(sizeof(uint32_t), seed);
  s.a += k;
  s.final();
  return s.result();
}

uint64_t hash_int8_extended(int64_t v, uint64_t seed) {
  // Equal to hashint4extended's for a value that fits in 32 bits (cross-type
  // hash joins): the high half folds into the low, complemented when negative.
  auto low = static_cast<uint32_t>(v);
  const auto high = static_cast<uint32_t>(static_cast<uint64_t>(v) >> 32);
  low ^= v >= 0 ? high : ~high;
  return hash_uint32_extended(low, seed);
}

uint64_t hash_bytes_extended(std::string_view bytes, uint64_t seed) {
  State s(static_cast<uint32_t>(bytes.size()), seed);
  size_t at = 0, left = bytes.size();
  for (; left >= 12; at += 12, left -= 12) {
    s.a += word(bytes, at, 4);
    s.b += word(bytes, at + 4, 4);
    s.c += word(bytes, at + 8, 4);
    s.mix();
  }
  // The last 11 bytes at most; c's lowest byte is left for the length.
  s.a += word(bytes, at, std::min<size_t>(left, 4));
  if (left > 4) s.b += word(bytes, at + 4, std::min<size_t>(left - 4, 4));
  if (left > 8) s.c += word(bytes, at + 8, left - 8) << 8;
  s.final();
  return s.result();
}

}  // namespace pgshape::load
