// pgshape's copy of PostgreSQL's hash partitioning functions gives the server's
// values: each expected value below is what PostgreSQL 15 returned for
// hashint4extended / hashint8extended / hashtextextended / uuid_hash_extended
// (value, 8816678312871386365), that seed being HASH_PARTITION_SEED. Texts of
// 0 to 27 bytes cover every tail case of the byte hash after none, one and two
// 12-byte blocks. The routing over many generated rows is checked against the
// server's own in tests/integration/stats/leaves_test.cpp.
#include <gtest/gtest.h>

#include <string>

#include "load/partition_hash.hpp"

namespace pgshape::load {
namespace {

constexpr uint64_t kSeed = kHashPartitionSeed;

uint64_t as_u64(int64_t v) {
  return static_cast<uint64_t>(v);
}

TEST(PartitionHash, IntegersHashAsTheServersExtendedFunctions) {
  EXPECT_EQ(kHashPartitionSeed, 8816678312871386365ULL);
  EXPECT_EQ(hash_uint32_extended(0, kSeed), as_u64(-4403592609991167795));
  EXPECT_EQ(hash_uint32_extended(1, kSeed), as_u64(5968994663651403477));
  EXPECT_EQ(hash_uint32_extended(static_cast<uint32_t>(-1), kSeed), as_u64(-5017072347659237694));
  EXPECT_EQ(hash_uint32_extended(42, kSeed), as_u64(7363975540656877951));
  EXPECT_EQ(hash_uint32_extended(123456789, kSeed), as_u64(-922921598128084246));
  EXPECT_EQ(hash_int8_extended(0, kSeed), as_u64(-4403592609991167795));
  EXPECT_EQ(hash_int8_extended(-5, kSeed), as_u64(5466844944386338076));
  EXPECT_EQ(hash_int8_extended(5000000000, kSeed), as_u64(-2799505259769899283));
  EXPECT_EQ(hash_int8_extended(-5000000000, kSeed), as_u64(-4482100988868492312));
  // A value of 32 bits hashes alike as int4 and int8 (cross-type hash joins).
  EXPECT_EQ(hash_int8_extended(-1, kSeed), hash_uint32_extended(static_cast<uint32_t>(-1), kSeed));
}

TEST(PartitionHash, BytesHashAsHashtextextendedAndUuidHashExtended) {
  // left('0123456789abcdefghijklmnopq', n) for n = 0 .. 27.
  const int64_t prefixes[] = {
      -5700645584453517373, 975037833717148454,   -928625072279119053,  403315980077333697,
      7976238964164896993,  7711626954224950514,  3279890223744433497,  -699988181687392923,
      -8159670688527339694, -4767849859721184055, -2946740099199930882, -8543623091807989628,
      -5633321544240525495, 9136706884384298968,  -57570771990088159,   -1868159200586174842,
      -4129830718427646609, 2758607870558557014,  -8119274159375551237, -7858802138903205805,
      5611283756790189599,  8869938980723406898,  9071070509583110137,  6089599561744788867,
      6456741853667060770,  -8663449055034787390, -7231150353764239506, 7049488040799802979,
  };
  const std::string text = "0123456789abcdefghijklmnopq";
  for (size_t n = 0; n <= text.size(); ++n)
    EXPECT_EQ(hash_bytes_extended(std::string_view(text).substr(0, n), kSeed), as_u64(prefixes[n]))
        << n;
  EXPECT_EQ(hash_bytes_extended("\xc3\xbc"
                                "n\xc3\xaf"
                                "code",
                                kSeed),  // "ünïcode" in UTF-8
            as_u64(1415161289009274433));
  // A uuid's 16 bytes in order: a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11.
  const unsigned char uuid[] = {0xa0, 0xee, 0xbc, 0x99, 0x9c, 0x0b, 0x4e, 0xf8,
                                0xbb, 0x6d, 0x6b, 0xb9, 0xbd, 0x38, 0x0a, 0x11};
  EXPECT_EQ(hash_bytes_extended(std::string_view(reinterpret_cast<const char*>(uuid), 16), kSeed),
            as_u64(424513190990560493));
}

}  // namespace
}  // namespace pgshape::load
