// Elias-Fano keys (profile/elias_fano.hpp): every key read back as pushed,
// at every density from every integer taken to one key in 2^40, across the
// sample and word edges; out-of-order or excess keys refused.
#include <gtest/gtest.h>

#include <random>
#include <vector>

#include "pgshape/error.hpp"
#include "profile/elias_fano.hpp"

namespace pgshape {
namespace {

std::vector<uint64_t> ascending(std::mt19937_64& random, size_t n, uint64_t mean_gap) {
  std::vector<uint64_t> keys;
  std::geometric_distribution<uint64_t> gap(1.0 / static_cast<double>(mean_gap));
  uint64_t at = random() % 3;
  for (size_t i = 0; i < n; ++i) {
    keys.push_back(at);
    at += 1 + (mean_gap == 1 ? 0 : gap(random));
  }
  return keys;
}

TEST(EliasFano, EveryKeyReadsBackAtEveryDensity) {
  std::mt19937_64 random(41);
  for (uint64_t mean_gap :
       {uint64_t{1}, uint64_t{2}, uint64_t{3}, uint64_t{17}, uint64_t{1000}, uint64_t{1} << 40})
    for (size_t n :
         {size_t{1}, size_t{63}, size_t{64}, size_t{65}, size_t{1000}, size_t{100'003}}) {
      SCOPED_TRACE(testing::Message() << "gap " << mean_gap << " n " << n);
      const std::vector<uint64_t> keys = ascending(random, n, mean_gap);
      EliasFanoKeys ef(n, keys.back());
      for (uint64_t k : keys) ef.push(k);
      ASSERT_EQ(ef.size(), n);
      for (size_t i = 0; i < n; ++i) ASSERT_EQ(ef.key(i), keys[i]) << "key " << i;
    }
}

TEST(EliasFano, TakesAFewBitsAKey) {
  // 10^6 keys a mean 3 apart: 2 + log2(3) = 3.6 bits, a sample of 64 bits per 64 keys on top.
  std::mt19937_64 random(7);
  const std::vector<uint64_t> keys = ascending(random, 1'000'000, 3);
  EliasFanoKeys ef(keys.size(), keys.back());
  for (uint64_t k : keys) ef.push(k);
  EXPECT_LT(static_cast<double>(ef.bytes()) * 8 / static_cast<double>(keys.size()), 6.0);
}

TEST(EliasFano, RefusesKeysOutOfOrderOrPastItsRoom) {
  EliasFanoKeys ef(2, 100);
  ef.push(5);
  EXPECT_THROW(ef.push(5), InternalError);
  EXPECT_THROW(ef.push(101), InternalError);
  ef.push(100);
  EXPECT_THROW(ef.push(100), InternalError);
  EXPECT_THROW((void)ef.key(2), InternalError);
  EliasFanoKeys largest(1, UINT64_MAX);
  largest.push(UINT64_MAX);
  EXPECT_EQ(largest.key(0), UINT64_MAX);
}

}  // namespace
}  // namespace pgshape
