//===- slim/kernels/scratch.h - Grow-only scratch buffers -------*- C++ -*-===//
//
// Scratch memory that kernels keep between calls: a buffer grows to the
// largest request it has seen and is then reused, so the steady-state steps
// of a train step allocate (and page-fault) nothing. Kernels hold one per
// purpose in a thread_local of the calling thread; their pool workers only
// read and write what the caller hands them.
//
//===----------------------------------------------------------------------===//
#ifndef SLIM_KERNELS_SCRATCH_H
#define SLIM_KERNELS_SCRATCH_H

#include <cstddef>
#include <cstdint>
#include <cstdlib>

namespace slim {
namespace kernels {

/// A 64-byte aligned buffer of T that only grows; its contents are
/// undefined after get().
template <typename T> class ScratchBufferOf {
public:
  ScratchBufferOf() = default;
  ScratchBufferOf(const ScratchBufferOf &) = delete;
  ScratchBufferOf &operator=(const ScratchBufferOf &) = delete;
  ~ScratchBufferOf() { std::free(data); }
  T *get(int64_t count) {
    if (count > size) {
      std::free(data);
      size_t bytes = (static_cast<size_t>(count) * sizeof(T) + 63) / 64 * 64;
      data = static_cast<T *>(std::aligned_alloc(64, bytes));
      if (!data)
        std::abort(); // out of memory (generated code has no exceptions)
      size = count;
    }
    return data;
  }

private:
  T *data = nullptr;
  int64_t size = 0;
};

} // namespace kernels
} // namespace slim

#endif // SLIM_KERNELS_SCRATCH_H
