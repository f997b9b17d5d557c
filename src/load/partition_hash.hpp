// PostgreSQL's hash partitioning computed in the client, bit for bit, so that
// load can route rows to HASH leaves itself (leaf_router.cpp). A row's hash is
// the key columns' extended hash functions (their default hash operator class)
// under HASH_PARTITION_SEED, combined by hash_combine64, NULLs skipped; a leaf
// WITH (MODULUS m, REMAINDER r) takes the rows whose hash % m == r
// (partbounds.c, compute_partition_hash_value). Internal to src/load.
#pragma once

#include <cstdint>
#include <string_view>

namespace pgshape::load {

// HASH_PARTITION_SEED (partition.h).
inline constexpr uint64_t kHashPartitionSeed = 0x7A5B22367996DCFDULL;

// hash_bytes_uint32_extended: hashint4extended for int4, and for int2, date
// and bool (hashint2extended, hashcharextended) on the value widened to 32 bits.
uint64_t hash_uint32_extended(uint32_t k, uint64_t seed);
// hashint8extended: int8, timestamp, timestamptz.
uint64_t hash_int8_extended(int64_t v, uint64_t seed);
// hash_bytes_extended: hashtextextended under a deterministic collation (the
// text's bytes in the server's encoding), uuid_hash_extended (its 16 bytes).
uint64_t hash_bytes_extended(std::string_view bytes, uint64_t seed);

// hash_combine64 (hashfn.h): one key column's hash into the row's.
inline uint64_t hash_combine64(uint64_t a, uint64_t b) {
  a ^= b + 0x49a0f4dd15e5a8e3ULL + (a << 54) + (a >> 7);
  return a;
}

}  // namespace pgshape::load
