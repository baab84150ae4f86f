// A bump allocator for document trees: large blocks, no per-node heap allocation, freed at once.
//
// One Arena may be shared by many Documents (all documents loaded from one chunk of a stream), so
// that thousands of tiny documents do not each waste a partly used block. Not thread-safe: one
// builder thread allocates; readers only read what was allocated.
#pragma once

#include <cstddef>
#include <cstdint>
#include <cstring>
#include <memory>
#include <string_view>
#include <vector>

namespace kspm {

class Arena {
 public:
  explicit Arena(size_t block_size = 64 * 1024) : block_size_(block_size) {}
  Arena(const Arena&) = delete;
  Arena& operator=(const Arena&) = delete;

  /** `bytes` bytes aligned to `align` (a power of two, at most 16). Never returns nullptr. */
  void* allocate(size_t bytes, size_t align = alignof(std::max_align_t)) {
    uintptr_t p = (reinterpret_cast<uintptr_t>(cur_) + (align - 1)) & ~(uintptr_t(align) - 1);
    if (cur_ == nullptr || p + bytes > reinterpret_cast<uintptr_t>(end_)) return allocateSlow(bytes, align);
    cur_ = reinterpret_cast<char*>(p + bytes);
    return reinterpret_cast<void*>(p);
  }

  /** Uninitialised storage for `n` trivially copyable T. */
  template <typename T>
  T* allocateArray(size_t n) {
    return static_cast<T*>(allocate(sizeof(T) * (n == 0 ? 1 : n), alignof(T)));
  }

  /** A copy of `s` owned by the arena (not NUL-terminated). */
  std::string_view copyString(std::string_view s) {
    if (s.empty()) return std::string_view();
    char* p = static_cast<char*>(allocate(s.size(), 1));
    std::memcpy(p, s.data(), s.size());
    return std::string_view(p, s.size());
  }

  /** Bytes reserved from the heap (all blocks). */
  size_t bytesReserved() const { return reserved_; }

 private:
  void* allocateSlow(size_t bytes, size_t align);

  size_t block_size_;
  char* cur_ = nullptr;
  char* end_ = nullptr;
  size_t reserved_ = 0;
  std::vector<std::unique_ptr<char[]>> blocks_;
};

}  // namespace kspm
