//===- slim/cuda/fully_connected.cuh - FC as GEMV or GEMM, FP32 -*- C++ -*-===//
//
// y[i][j] = act(x[i][:] . W[:, j] + bias[j] + residual[i][j]), W row-major
// [K][N] (TF-Slim's layout).
//
// Up to kGemvMaxRows rows (batch 1..4) the layer is a matrix-vector product
// bound by reading W once: a block of 32 x 8 threads covers 32 columns; lane
// j of every warp reads W[k][n0 + j], so each warp reads 128 contiguous
// bytes per k; the 8 warps of a block take every 8th k, and when there are
// too few column blocks to fill the GPU, gridDim.y splits K further. Warps
// reduce through shared memory; split-K partials go to a caller-provided
// workspace and a second kernel adds them up and applies the epilogue (no
// atomics, so results are deterministic).
//
// Above that, the layer is a 1 x m "image" convolved with a 1x1 filter: the
// conv2d implicit-GEMM kernel with x's row stride as the channel stride.
// When its output tiles are too few for the GPU's SMs (large K, small m and
// n: VGG fc6/fc7 at batch 8..64), K is split over gridDim.z into the same
// kind of workspace, and the same reduction kernel applies the epilogue.
//
//===----------------------------------------------------------------------===//
#ifndef SLIM_CUDA_FULLY_CONNECTED_CUH
#define SLIM_CUDA_FULLY_CONNECTED_CUH

#include "slim/contract.h"
#include "slim/cuda/conv2d.cuh"

namespace slim {
namespace cuda {

/// A fully connected layer on row-major matrices: x [m][k] (row stride
/// ldx), y and residual [m][n] (row strides ldy, ldr); 0 strides mean k or
/// n. A column offset into a wider output (concat) goes in the pointer.
struct FullyConnectedParams {
  int m = 1, k = 0, n = 0;
  int ldx = 0, ldy = 0, ldr = 0;
  Activation act = Activation::None;
};

// The split choices size the workspace slimc reserves in the arena, so
// their arithmetic lives in slim/contract.h, which the compiler includes too.
namespace fc = ::slim::contract::cuda;
static_assert(fc::kLargeTileM == ConvTileLarge::BM &&
                  fc::kLargeTileN == ConvTileLarge::BN &&
                  fc::kSmallTileM == ConvTileSmall::BM &&
                  fc::kSmallTileN == ConvTileSmall::BN &&
                  fc::kTileK == ConvTileLarge::BK &&
                  fc::kTileK == ConvTileSmall::BK,
              "slim/contract.h must describe conv2d.cuh's tiles");

/// Rows handled by the GEMV path.
constexpr int kGemvMaxRows = static_cast<int>(fc::kGemvMaxRows);
constexpr int kGemvWarps = 8;
static_assert(fc::kGemvColumnsPerBlock == 32, "one column per lane");
constexpr int kGemmMaxSmCount = static_cast<int>(fc::kGemmMaxSmCount);

/// Number of K splits the GEMV uses for `p` (1 for the GEMM path).
inline int fullyConnectedSplits(const FullyConnectedParams &p) {
  return static_cast<int>(fc::fcGemvSplits(p.m, p.k, p.n));
}

/// The conv2d tile the GEMM path runs on (conv2d's choice for outC = n).
inline bool fullyConnectedGemmUsesSmallTile(const FullyConnectedParams &p) {
  return p.n <= ConvTileSmall::BN;
}

/// K's per split of the GEMM path for `splits` splits: rounded up to the
/// tile's BK (which both tiles share).
inline int fullyConnectedGemmKPerSplit(const FullyConnectedParams &p,
                                       int splits) {
  return static_cast<int>(fc::fcGemmKPerSplit(p.k, splits));
}

/// The number of K splits of the GEMM path for `p` on a device with
/// `smCount` SMs (1: no split; always 1 for the GEMV path); see
/// slim::contract::cuda::fcGemmSplits.
inline int fullyConnectedGemmSplits(const FullyConnectedParams &p,
                                    int smCount) {
  return static_cast<int>(fc::fcGemmSplits(p.m, p.k, p.n, smCount));
}

/// Bytes of device workspace `fullyConnected` can use for `p`: 0 when it
/// needs none. A null workspace is allowed and disables split-K. Depends on
/// `p` only (not on the device); see slim::contract::cuda::fcWorkspaceBytes.
inline size_t fullyConnectedWorkspaceSize(const FullyConnectedParams &p) {
  return static_cast<size_t>(fc::fcWorkspaceBytes(p.m, p.k, p.n));
}

/// Applies bias, residual and the activation to one output, or stores the
/// raw partial sum of split `split`.
__device__ __forceinline__ void
fullyConnectedStore(const FullyConnectedParams &p, int row, int col, float v,
                    const float *bias, const float *residual, float *y,
                    float *partial, int split) {
  if (partial) {
    partial[(static_cast<int64_t>(split) * p.m + row) * p.n + col] = v;
    return;
  }
  int64_t ldy = p.ldy ? p.ldy : p.n, ldr = p.ldr ? p.ldr : p.n;
  if (bias)
    v += bias[col];
  if (residual)
    v += residual[row * ldr + col];
  y[row * ldy + col] = activate(p.act, v);
}

template <typename T>
__global__ void __launch_bounds__(32 * kGemvWarps)
    gemvKernel(FullyConnectedParams p, const T *__restrict__ x,
               const T *__restrict__ w, const T *bias, const T *residual, T *y,
               T *partial, int kPerSplit) {
  SLIM_DYNAMIC_SHARED(float, sums); // [kGemvWarps][kGemvMaxRows][32]
  const int lane = threadIdx.x, warp = threadIdx.y;
  const int col = blockIdx.x * 32 + lane;
  const int split = blockIdx.y;
  const int kBegin = split * kPerSplit;
  const int kEnd = kBegin + kPerSplit < p.k ? kBegin + kPerSplit : p.k;
  const int64_t ldx = p.ldx ? p.ldx : p.k;
  float acc[kGemvMaxRows] = {0.0f, 0.0f, 0.0f, 0.0f};
  if (col < p.n)
    for (int k = kBegin + warp; k < kEnd; k += kGemvWarps) {
      float wv = w[static_cast<int64_t>(k) * p.n + col];
      SLIM_UNROLL
      for (int r = 0; r < kGemvMaxRows; ++r)
        if (r < p.m)
          acc[r] += x[r * ldx + k] * wv;
    }
  SLIM_UNROLL
  for (int r = 0; r < kGemvMaxRows; ++r)
    sums[(warp * kGemvMaxRows + r) * 32 + lane] = acc[r];
  __syncthreads();
  // Warp r adds up row r over the block's warps.
  if (warp < p.m && col < p.n) {
    float v = 0.0f;
    for (int w8 = 0; w8 < kGemvWarps; ++w8)
      v += sums[(w8 * kGemvMaxRows + warp) * 32 + lane];
    fullyConnectedStore(p, warp, col, v, bias, residual, y, partial, split);
  }
}

template <typename T>
__global__ void __launch_bounds__(256)
    splitKReduceKernel(FullyConnectedParams p, const T *partial, int splits,
                       const T *bias, const T *residual, T *y) {
  int64_t idx = static_cast<int64_t>(blockIdx.x) * blockDim.x + threadIdx.x;
  if (idx >= static_cast<int64_t>(p.m) * p.n)
    return;
  int row = static_cast<int>(idx / p.n), col = static_cast<int>(idx % p.n);
  float v = 0.0f;
  for (int s = 0; s < splits; ++s)
    v += partial[(static_cast<int64_t>(s) * p.m + row) * p.n + col];
  fullyConnectedStore(p, row, col, v, bias, residual, y, nullptr, 0);
}

inline bool isValid(const FullyConnectedParams &p) {
  return p.m > 0 && p.k > 0 && p.n > 0 && (!p.ldx || p.ldx >= p.k) &&
         (!p.ldy || p.ldy >= p.n) && (!p.ldr || p.ldr >= p.n);
}

/// The GEMM path (any m, meant for m > kGemvMaxRows) with exactly `splits`
/// K splits (fullyConnected chooses them with fullyConnectedGemmSplits;
/// tests force them): the layer as a 1 x m image convolved with a 1x1
/// filter (x's row stride as the channel stride) on the conv2d tile. With
/// splits > 1, `workspace` must hold splits * m * n floats: split z writes
/// its raw sums to workspace[z][m][n], and splitKReduceKernel adds them up
/// in split order and applies the epilogue (deterministic, no atomics).
/// `splits` is lowered to the number of non-empty splits of
/// fullyConnectedGemmKPerSplit(p, splits) k's (at most ceil(K / BK), and
/// gridDim.z's 65535), so it never uses more workspace than asked for. A null
/// workspace or splits <= 1 runs unsplit, with the epilogue fused.
inline cudaError_t fullyConnectedGemm(const FullyConnectedParams &p,
                                      const float *x, const float *w,
                                      const float *bias, const float *residual,
                                      float *y, float *workspace, int splits,
                                      cudaStream_t stream) {
  if (!isValid(p) || !x || !w || !y)
    return cudaErrorInvalidValue;
  Conv2dParams c;
  c.inH = c.outH = 1;
  c.inW = c.outW = p.m;
  c.inC = p.k;
  c.outC = p.n;
  c.act = p.act;
  c.inCStride = p.ldx;
  c.outCStride = p.ldy;
  c.resCStride = p.ldr;
  int kPerSplit = p.k;
  if (splits > 65535) // gridDim.z
    splits = 65535;
  if (workspace && splits > 1) {
    kPerSplit = fullyConnectedGemmKPerSplit(p, splits);
    splits = (p.k + kPerSplit - 1) / kPerSplit;
  }
  if (!workspace || splits <= 1)
    return conv2d(c, x, w, bias, residual, y, stream);
  cudaError_t err =
      fullyConnectedGemmUsesSmallTile(p)
          ? launchConv2d<ConvTileSmall>(c, x, w, nullptr, nullptr, y, stream,
                                        splits, kPerSplit, workspace)
          : launchConv2d<ConvTileLarge>(c, x, w, nullptr, nullptr, y, stream,
                                        splits, kPerSplit, workspace);
  if (err != cudaSuccess)
    return err;
  return launch(splitKReduceKernel<float>,
                dim3(blocksFor(int64_t(p.m) * p.n, 256)), dim3(256), 0, stream,
                p, static_cast<const float *>(workspace), splits, bias,
                residual, y);
}

/// y = act(x W + bias + residual) on `stream`. `bias` ([n]) and `residual`
/// may be null. `workspace` is null or fullyConnectedWorkspaceSize(p) bytes
/// of device memory: the GEMV (m <= kGemvMaxRows) and the GEMM above split
/// K through it when the layer has too few output blocks to fill the GPU
/// (the GEMM's split count depends on the device's SM count, queried once
/// per device; results are deterministic for a given device). A null
/// workspace disables split-K.
inline cudaError_t fullyConnected(const FullyConnectedParams &p, const float *x,
                                  const float *w, const float *bias,
                                  const float *residual, float *y,
                                  float *workspace, cudaStream_t stream) {
  if (!isValid(p) || !x || !w || !y)
    return cudaErrorInvalidValue;
  if (p.m > kGemvMaxRows) {
    int splits =
        workspace ? fullyConnectedGemmSplits(p, multiprocessorCount()) : 1;
    return fullyConnectedGemm(p, x, w, bias, residual, y, workspace, splits,
                              stream);
  }
  int splits = workspace ? fullyConnectedSplits(p) : 1;
  int kPerSplit = (p.k + splits - 1) / splits;
  splits = (p.k + kPerSplit - 1) / kPerSplit; // no empty split
  dim3 grid(blocksFor(p.n, 32), splits), block(32, kGemvWarps);
  size_t smem = kGemvWarps * kGemvMaxRows * 32 * sizeof(float);
  if (splits == 1)
    return launch(gemvKernel<float>, grid, block, smem, stream, p, x, w, bias,
                  residual, y, static_cast<float *>(nullptr), kPerSplit);
  cudaError_t err =
      launch(gemvKernel<float>, grid, block, smem, stream, p, x, w,
             static_cast<const float *>(nullptr),
             static_cast<const float *>(nullptr), y, workspace, kPerSplit);
  if (err != cudaSuccess)
    return err;
  return launch(splitKReduceKernel<float>,
                dim3(blocksFor(int64_t(p.m) * p.n, 256)), dim3(256), 0, stream,
                p, static_cast<const float *>(workspace), splits, bias,
                residual, y);
}

} // namespace cuda
} // namespace slim

#endif // SLIM_CUDA_FULLY_CONNECTED_CUH
