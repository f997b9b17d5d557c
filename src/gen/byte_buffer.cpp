#include "pgshape/gen.hpp"

#include <algorithm>
#include <cstring>

namespace pgshape {

void ByteBuffer::reserve(size_t n) {
  if (n <= capacity_) return;
  // Geometric growth keeps a run of appends linear; make_unique_for_overwrite
  // leaves the new storage uninitialized, which is this class's point.
  const size_t capacity = std::max(n, capacity_ * 2);
  auto bigger = std::make_unique_for_overwrite<char[]>(capacity);
  if (size_ > 0) std::memcpy(bigger.get(), data_.get(), size_);
  data_ = std::move(bigger);
  capacity_ = capacity;
}

void ByteBuffer::append(std::string_view bytes) {
  reserve(size_ + bytes.size());
  if (!bytes.empty()) std::memcpy(data_.get() + size_, bytes.data(), bytes.size());
  size_ += bytes.size();
}

}  // namespace pgshape
