//===- slim/contract.h - Layout facts compiler and runtime share -*- C++
//-*-===//
//
// The compiler sizes the buffers that the runtime's kernels fill: a packed
// filter is a `slim.param` whose size slimc records in the model's tables,
// and `prepare` then packs into it with slim/kernels/pack.h. Both sides must
// agree to the float, so the sizes are defined once, here, as functions of
// the vector width, and both include this header: slimc with the target's
// width (dialects/Slim/IR/ShapeRules.cpp), the kernels with their compiled
// `kVec` (slim/kernels/pack.h).
//
// Plain C++17 constexpr on integers: no intrinsics, no LLVM, no runtime
// headers, so it compiles in the compiler, in generated code and in device
// code alike.
//
//===----------------------------------------------------------------------===//
#ifndef SLIM_CONTRACT_H
#define SLIM_CONTRACT_H

#include <cstdint>

namespace slim {
namespace contract {

/// Blocks of `vec` channels that hold `channels` channels (the `Cb` of the
/// blocked NCHWc layout; the last block's padding lanes are zero).
constexpr int64_t numBlocks(int64_t channels, int64_t vec) {
  return (channels + vec - 1) / vec;
}

/// Output columns per packed fully-connected panel: two vectors, so the
/// microkernel has two independent FMA chains per row even at M = 1.
constexpr int64_t fcPanelWidth(int64_t vec) { return 2 * vec; }

/// Panels that hold `n` output columns.
constexpr int64_t numFcPanels(int64_t n, int64_t vec) {
  return (n + fcPanelWidth(vec) - 1) / fcPanelWidth(vec);
}

/// Output blocks of packed conv2d weights: rounded up to even, because the
/// conv microkernel always computes pairs of output blocks.
constexpr int64_t conv2dPackedOutBlocks(int64_t outC, int64_t vec) {
  return (numBlocks(outC, vec) + 1) / 2 * 2;
}

/// Floats of packed conv2d weights, [OCb][ICb][kh][kw][vec ic][vec oc].
constexpr int64_t conv2dPackedSize(int64_t kh, int64_t kw, int64_t inC,
                                   int64_t outC, int64_t vec) {
  return conv2dPackedOutBlocks(outC, vec) * numBlocks(inC, vec) * kh * kw *
         vec * vec;
}

/// Floats of packed depthwise weights, [OCb][kh][kw][vec oc], where
/// outC = inC * depth multiplier.
constexpr int64_t depthwisePackedSize(int64_t kh, int64_t kw, int64_t outC,
                                      int64_t vec) {
  return numBlocks(outC, vec) * kh * kw * vec;
}

/// Floats of packed fully-connected weights with `kPacked` rows and `n`
/// output columns, [NP][K'][panel].
constexpr int64_t fullyConnectedPackedSize(int64_t kPacked, int64_t n,
                                           int64_t vec) {
  return numFcPanels(n, vec) * kPacked * fcPanelWidth(vec);
}

/// Rows K' of a fully-connected layer that reads a blocked [h, w, c]
/// activation directly: every block of every pixel, padding lanes included.
constexpr int64_t fullyConnectedBlockedK(int64_t h, int64_t w, int64_t c,
                                         int64_t vec) {
  return numBlocks(c, vec) * h * w * vec;
}

/// The packings of `slim.pack_filter` (its `kind` attribute spells them
/// "conv2d", "depthwise", "fc", "fc_blocked").
enum class PackKind {
  /// HWIO conv2d weights.
  Conv2D,
  /// [kh][kw][Cin][mult] depthwise weights.
  Depthwise,
  /// [K][N] weights of a fully-connected layer on a dense input.
  FullyConnected,
  /// HWIO weights whose kernel covers a whole blocked [h, w, c] input, read
  /// as a fully-connected layer (VGG's fc6, flatten + fc).
  FullyConnectedBlocked,
};

/// Floats of a filter of TF-Slim shape `dims` (`rank` entries) packed as
/// `kind` for vector width `vec`; -1 for a rank the kind does not take or a
/// width below 1.
constexpr int64_t packedFilterSize(PackKind kind, const int64_t *dims, int rank,
                                   int64_t vec) {
  if (vec < 1)
    return -1;
  switch (kind) {
  case PackKind::Conv2D:
    return rank == 4 ? conv2dPackedSize(dims[0], dims[1], dims[2], dims[3], vec)
                     : -1;
  case PackKind::Depthwise:
    return rank == 4
               ? depthwisePackedSize(dims[0], dims[1], dims[2] * dims[3], vec)
               : -1;
  case PackKind::FullyConnected:
    return rank == 2 ? fullyConnectedPackedSize(dims[0], dims[1], vec) : -1;
  case PackKind::FullyConnectedBlocked:
    return rank == 4
               ? fullyConnectedPackedSize(
                     fullyConnectedBlockedK(dims[0], dims[1], dims[2], vec),
                     dims[3], vec)
               : -1;
  }
  return -1;
}

} // namespace contract
} // namespace slim

#endif // SLIM_CONTRACT_H
