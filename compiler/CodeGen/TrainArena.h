//===- TrainArena.h - The train step's arena plan ---------------*- C++ -*-===//
//
// The train step (TrainStepEmitter.cpp) writes C++ in which every arena
// slice is one `const` pointer local. Which statements use a slice is then
// in the text: liveness is computed on the emitted body (so a gradient rule
// added to the emitter needs no liveness bookkeeping of its own), and slices
// whose live intervals are disjoint share bytes.
//
// Liveness is per statement group: a top-level statement, or a braced block
// with everything in it, or a `for (...)` / `if (...)` header with the
// statement it controls. A slice is live from the first group that names it
// to the last; a pointer declared from slices (`float *const x = t3 + 8;`,
// `const float *const srcs[] = {t1, t2};`) extends their lives over its own
// uses. Two slices live in the same group never share bytes, so a kernel's
// inputs and outputs stay distinct.
//
//===----------------------------------------------------------------------===//
#ifndef SLIMC_COMPILER_CODEGEN_TRAINARENA_H
#define SLIMC_COMPILER_CODEGEN_TRAINARENA_H

#include "llvm/ADT/ArrayRef.h"
#include "llvm/ADT/StringMap.h"
#include "llvm/ADT/StringRef.h"

#include <cstdint>
#include <string>

namespace mlir {
namespace slim {
namespace codegen {

/// One slice of the train arena.
struct ArenaSlice {
  /// Size in bytes, a multiple of 64 (the planner keeps offsets aligned).
  uint64_t bytes = 64;
  /// The live interval in statement groups, inclusive; first < 0 when the
  /// body never names the slice (it gets no bytes).
  int64_t first = -1, last = -1;
  /// The byte offset the planner assigns.
  uint64_t offset = 0;
};

/// Sets `first` / `last` of every slice from `body`: `sliceOf` maps the
/// local's name to its index in `slices`.
void computeArenaLiveness(llvm::StringRef body,
                          const llvm::StringMap<unsigned> &sliceOf,
                          llvm::MutableArrayRef<ArenaSlice> slices);

/// Assigns offsets: slices by decreasing size, each at the lowest offset
/// where it overlaps no slice already placed whose interval intersects its
/// own (first fit). Returns the arena's size.
uint64_t planArena(llvm::MutableArrayRef<ArenaSlice> slices);

/// Empty when no two slices with intersecting live intervals share a byte
/// and every offset is 64-byte aligned, else what is wrong.
std::string checkArenaPlan(llvm::ArrayRef<ArenaSlice> slices);

} // namespace codegen
} // namespace slim
} // namespace mlir

#endif // SLIMC_COMPILER_CODEGEN_TRAINARENA_H
