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

/// Floats of packed conv3d weights, [OCb][kd][ICb][kh][kw][vec ic][vec oc]:
/// the conv2d packing of a filter whose input channels are the kd frames'
/// blocks in turn, so the taps of consecutive input frames are consecutive
/// input-channel blocks.
constexpr int64_t conv3dPackedSize(int64_t kd, int64_t kh, int64_t kw,
                                   int64_t inC, int64_t outC, int64_t vec) {
  return conv2dPackedOutBlocks(outC, vec) * kd * numBlocks(inC, vec) * kh * kw *
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
/// "conv2d", "depthwise", "fc", "fc_blocked", "conv2d_transpose", "conv3d").
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
  /// [kh][kw][Cout][Cin] conv2d_transpose weights: the conv2d packing of the
  /// filter with its channel axes swapped.
  Conv2DTranspose,
  /// DHWIO conv3d weights.
  Conv3D,
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
  case PackKind::Conv2DTranspose:
    return rank == 4 ? conv2dPackedSize(dims[0], dims[1], dims[3], dims[2], vec)
                     : -1;
  case PackKind::Conv3D:
    return rank == 5 ? conv3dPackedSize(dims[0], dims[1], dims[2], dims[3],
                                        dims[4], vec)
                     : -1;
  case PackKind::FullyConnectedBlocked:
    return rank == 4
               ? fullyConnectedPackedSize(
                     fullyConnectedBlockedK(dims[0], dims[1], dims[2], vec),
                     dims[3], vec)
               : -1;
  }
  return -1;
}

/// The CUDA kernels' choices that size buffers slimc reserves: the split-K
/// workspace of fully connected layers lives in the activation arena, which
/// the compiler sizes and slim/cuda/fully_connected.cuh fills. Tile sizes
/// here are those of slim/cuda/conv2d.cuh (it static_asserts them).
namespace cuda {

/// The conv2d tiles the fully connected GEMM path (m > kGemvMaxRows) runs
/// on: the small one for n <= kSmallTileN.
constexpr int64_t kLargeTileM = 128, kLargeTileN = 64;
constexpr int64_t kSmallTileM = 64, kSmallTileN = 32;
/// K step of both tiles; GEMM splits cover a multiple of it.
constexpr int64_t kTileK = 8;

/// Rows handled by the GEMV path, which reads the weights once at memory
/// bandwidth; more rows run as a GEMM.
constexpr int64_t kGemvMaxRows = 4;
/// GEMV column blocks x K splits aimed for: enough warps in flight to
/// saturate the memory of a GPU with ~100-150 SMs.
constexpr int64_t kGemvTargetBlocks = 512;
constexpr int64_t kGemvColumnsPerBlock = 32;
/// Each GEMV split gets at least this many k's (32 per warp).
constexpr int64_t kGemvMinSplitK = 256;

/// GEMM split-K: without it a layer with few output tiles (VGG fc6 at batch
/// 64: one 128-row tile x 64 column tiles) leaves most SMs idle while each
/// block walks all of K. K is split until the grid has kGemmTargetWaves
/// blocks per SM, each split covering at least kGemmMinSplitK k's, at most
/// kGemmMaxSplits splits.
constexpr int64_t kGemmTargetWaves = 2;
constexpr int64_t kGemmMinSplitK = 256;
constexpr int64_t kGemmMaxSplits = 16;
/// The workspace is sized for devices of up to this many SMs (H100/H200:
/// 132, B200: 148); a bigger device splits as if it had this many, so that
/// the workspace size depends on the layer only.
constexpr int64_t kGemmMaxSmCount = 160;

constexpr int64_t ceilDiv(int64_t a, int64_t b) { return (a + b - 1) / b; }

/// K splits of the GEMV path (m <= kGemvMaxRows) for an m x k by k x n
/// layer; 1 for the GEMM path.
constexpr int64_t fcGemvSplits(int64_t m, int64_t k, int64_t n) {
  if (m > kGemvMaxRows || k <= 0 || n <= 0)
    return 1;
  int64_t wanted = ceilDiv(kGemvTargetBlocks, ceilDiv(n, kGemvColumnsPerBlock));
  int64_t most = ceilDiv(k, kGemvMinSplitK);
  int64_t splits = wanted < most ? wanted : most;
  return splits < 1 ? 1 : splits;
}

/// K's per split of the GEMM path for `splits` splits, rounded up to
/// kTileK.
constexpr int64_t fcGemmKPerSplit(int64_t k, int64_t splits) {
  return ceilDiv(ceilDiv(k, splits), kTileK) * kTileK;
}

/// K splits of the GEMM path (m > kGemvMaxRows) on a device of `smCount`
/// SMs (1: no split). Exact: fcGemmKPerSplit(k, result) * result covers K
/// with no empty split. Non-decreasing in smCount (clamped to
/// [1, kGemmMaxSmCount]).
constexpr int64_t fcGemmSplits(int64_t m, int64_t k, int64_t n,
                               int64_t smCount) {
  if (m <= kGemvMaxRows || k <= 0 || n <= 0)
    return 1;
  smCount =
      smCount < 1 ? 1 : (smCount > kGemmMaxSmCount ? kGemmMaxSmCount : smCount);
  bool small = n <= kSmallTileN;
  int64_t tiles = ceilDiv(m, small ? kSmallTileM : kLargeTileM) *
                  ceilDiv(n, small ? kSmallTileN : kLargeTileN);
  int64_t target = kGemmTargetWaves * smCount;
  if (tiles >= target)
    return 1;
  int64_t splits = ceilDiv(target, tiles);
  if (splits > k / kGemmMinSplitK)
    splits = k / kGemmMinSplitK;
  if (splits > kGemmMaxSplits)
    splits = kGemmMaxSplits;
  if (splits <= 1)
    return 1;
  return ceilDiv(k, fcGemmKPerSplit(k, splits));
}

/// Bytes of device workspace slim::cuda::fullyConnected can use for an
/// m x k by k x n layer: 0 when it needs none (a null workspace is always
/// allowed and disables split-K). splits x m x n floats, with the GEMV's
/// splits or the GEMM's for kGemmMaxSmCount SMs: the layer's size alone
/// decides, so slimc reserves it in the arena at compile time.
constexpr int64_t fcWorkspaceBytes(int64_t m, int64_t k, int64_t n) {
  int64_t splits = m > kGemvMaxRows ? fcGemmSplits(m, k, n, kGemmMaxSmCount)
                                    : fcGemvSplits(m, k, n);
  return splits > 1 ? splits * m * n * 4 : 0;
}

} // namespace cuda

/// The elementwise binary ops (slim.binary, slim.binary_scalar) and the
/// reductions, as the compiler spells them in generated code
/// (`Binary::Mul`) and both kernel sets take them. Defined here, outside
/// the kernels' namespaces, so that an argument of these types does not
/// make argument-dependent lookup offer the CPU kernels to a CUDA call.
enum class Binary : int { Add, Sub, Mul, Div, Max, Min };
enum class Reduce : int { Sum, Mean, Max };

/// Size limits both sides enforce. The runtime refuses a model whose tensor,
/// parameter or scratch is larger (a corrupt or hostile table), and slimc
/// refuses to compile one, so that everything slimc builds loads. 2^48
/// bytes is far above any real model and far below what overflows the size
/// arithmetic (int64 products of a shape that obeys it cannot wrap).
constexpr int64_t kMaxTensorBytes = int64_t(1) << 48;
/// One derived parameter (a packed filter) or the prepare scratch.
constexpr int64_t kMaxParamBytes = int64_t(1) << 48;
/// The activation arena of one context.
constexpr int64_t kMaxArenaBytes = int64_t(1) << 48;

} // namespace contract
} // namespace slim

#endif // SLIM_CONTRACT_H
