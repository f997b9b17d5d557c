// ByteBuffer: what the encoders rely on when it grows under them.
#include "pgshape/gen.hpp"

#include <gtest/gtest.h>

#include <string>

namespace pgshape {
namespace {

TEST(ByteBuffer, GrowingKeepsEveryByteWritten) {
  ByteBuffer buffer;
  std::string expected;
  for (int i = 0; i < 5000; ++i) {
    const std::string piece = std::to_string(i * 7919) + ",";
    buffer.append(piece);
    expected += piece;
  }
  EXPECT_EQ(buffer.view(), expected);
  EXPECT_GE(buffer.capacity(), buffer.size());
}

TEST(ByteBuffer, WritesThroughDataBecomeContentWithSetSize) {
  ByteBuffer buffer;
  buffer.append("head:");
  buffer.reserve(buffer.size() + 3);
  char* p = buffer.data() + buffer.size();
  p[0] = 'a', p[1] = 'b', p[2] = 'c';
  buffer.set_size(buffer.size() + 3);
  buffer.reserve(buffer.capacity() + 1);  // a reallocation keeps them
  EXPECT_EQ(buffer.view(), "head:abc");
  buffer.clear();
  EXPECT_TRUE(buffer.empty());
  buffer.append("x");
  EXPECT_EQ(buffer.view(), "x");
}

TEST(ByteBuffer, MovingHandsOverTheBytes) {
  ByteBuffer from;
  from.append("payload");
  ByteBuffer to = std::move(from);
  EXPECT_EQ(to.view(), "payload");
}

}  // namespace
}  // namespace pgshape
