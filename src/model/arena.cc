#include "model/arena.h"

namespace kspm {

void* Arena::allocateSlow(size_t bytes, size_t align) {
  // Big requests get a block of their own so the current block keeps serving small ones.
  if (bytes + align > block_size_ / 4) {
    blocks_.emplace_back(new char[bytes + align]);
    reserved_ += bytes + align;
    uintptr_t p = (reinterpret_cast<uintptr_t>(blocks_.back().get()) + (align - 1)) & ~(uintptr_t(align) - 1);
    return reinterpret_cast<void*>(p);
  }
  // Blocks grow geometrically up to 1 MiB so that a small arena stays small.
  size_t size = block_size_;
  if (!blocks_.empty() && block_size_ < (1u << 20)) block_size_ *= 2;
  blocks_.emplace_back(new char[size]);
  reserved_ += size;
  cur_ = blocks_.back().get();
  end_ = cur_ + size;
  uintptr_t p = (reinterpret_cast<uintptr_t>(cur_) + (align - 1)) & ~(uintptr_t(align) - 1);
  cur_ = reinterpret_cast<char*>(p + bytes);
  return reinterpret_cast<void*>(p);
}

}  // namespace kspm
