//===- slim/cuda/conv2d.cuh - Implicit-GEMM conv2d, FP32 SIMT ---*- C++ -*-===//
//
// conv2d on NHWC activations and HWIO filters as an implicit GEMM:
//   M = batch * outH * outW output pixels, N = outC, K = kernelH * kernelW *
//   inC, A[m][k] = the input pixel that filter tap k of output pixel m reads
//   (zero in the padding), B = the filter read as row-major [K][outC].
// A block computes a BM x BN tile of the output; it walks K in steps of BK,
// staging A (gathered im2col-style straight from the input) and B in shared
// memory, double buffered: the next step's global loads are issued into
// registers before the current step's FMAs, and stored to the other buffer
// after them, so one barrier per step suffices. Each thread owns a TM x TN
// register tile, strided by BM / TM rows and BN / TN columns so that the
// shared-memory reads of a warp are conflict-free and the stores of the
// epilogue are coalesced along channels.
//
//===----------------------------------------------------------------------===//
#ifndef SLIM_CUDA_CONV2D_CUH
#define SLIM_CUDA_CONV2D_CUH

#include "slim/cuda/device.cuh"

namespace slim {
namespace cuda {

/// A conv2d layer with its fused epilogue:
///   out = act(conv(in, filter) + bias[c] + residual).
/// Sizes are TF's logical sizes; pads are TF's explicit top/left pads (the
/// bottom/right pads follow from the output size). Element (n, h, w, c) of
/// each tensor lives at ((n * H + h) * W + w) * cStride + cOffset + c, so a
/// tensor may be a channel slice of a bigger one (concat as a view); a
/// stride of 0 means the tensor's own channel count.
struct Conv2dParams {
  /// Spatial dimensions of the window (Conv3dParams: 3).
  static constexpr int kDims = 2;
  int batch = 1;
  int inH = 0, inW = 0, inC = 0;
  int outH = 0, outW = 0, outC = 0;
  int kernelH = 1, kernelW = 1;
  int strideH = 1, strideW = 1;
  int dilationH = 1, dilationW = 1;
  int padTop = 0, padLeft = 0;
  /// Depthwise only: outC == inC * depthMultiplier.
  int depthMultiplier = 1;
  Activation act = Activation::None;
  int inCOffset = 0, inCStride = 0;
  int outCOffset = 0, outCStride = 0;
  int resCOffset = 0, resCStride = 0;
};

/// The block tile of the implicit GEMM.
///
/// Thread (tx, ty) (tx = tid % kThreadsN) owns a TM x TN register tile and
/// reads it from shared memory as vectors, per k: TM / 4 float4 of A and
/// TN / kBVec float4 (float2 for TN = 2) of B, i.e. 12 scalar loads per 32
/// FMAs become 3 vector loads for the 8 x 4 tile.
///  - A is stored k-major ([BK][kAStride], pixels contiguous): the thread
///    owns rows aRow(ty, i), groups of 4 consecutive rows 4 * kThreadsM
///    apart, so each group is one aligned float4.
///  - B keeps the column ownership of a scalar tile, tx + kThreadsN * j (the
///    epilogue's stores stay coalesced along channels), and instead permutes
///    the columns in shared memory (bSlot): a thread's kBVec columns of a
///    group are adjacent, and an XOR swizzle of the position within the
///    vector keeps a warp's stores (32 consecutive columns of one k) on 32
///    distinct banks.
/// Every layout property the kernel relies on (16-byte alignment of the
/// vectors, conflict-free stores and reads) is checked by static_asserts
/// (in launchConv2d, where the tile type is complete).
template <int BMv, int BNv, int BKv, int TMv, int TNv> struct ConvTile {
  static constexpr int BM = BMv, BN = BNv, BK = BKv, TM = TMv, TN = TNv;
  static constexpr int kThreadsM = BM / TM, kThreadsN = BN / TN;
  static constexpr int kThreads = kThreadsM * kThreadsN;
  static constexpr int kALoads = BM * BK / kThreads;
  static constexpr int kBLoads = BK * BN / kThreads;
  /// Vector widths of the register-tile reads (floats).
  static constexpr int kAVec = 4, kBVec = TN < 4 ? TN : 4;
  /// A is stored k-major ([BK][BM + 4]). A warp's transposing stores write
  /// 8 k's (aK = tid % BK) x 4 rows (tid / BK): with a row stride of 4 mod
  /// 32 banks they land on bank 4 * aK + row, all 32 distinct (BM + 2 would
  /// give 2 * aK + row: 2-way conflicts, and break the float4 alignment).
  static constexpr int kAStride = BM + 4;
  static constexpr int kAFloats = BK * kAStride, kBFloats = BK * BN;
  static constexpr size_t kSharedBytes =
      2 * (kAFloats + kBFloats) * sizeof(float);

  /// Tile row of register row i of thread row ty.
  __host__ __device__ static constexpr int aRow(int ty, int i) {
    return i / kAVec * (kAVec * kThreadsM) + kAVec * ty + i % kAVec;
  }
  /// The XOR applied to the position within a B vector for thread column c.
  __host__ __device__ static constexpr int bSwizzle(int c) {
    return c * kBVec / 32 * (32 / kThreadsN) % kBVec;
  }
  /// Position of tile column n in a row of the shared B tile.
  __host__ __device__ static constexpr int bSlot(int n) {
    return n / kThreadsN / kBVec * (kThreadsN * kBVec) + n % kThreadsN * kBVec +
           ((n / kThreadsN % kBVec) ^ bSwizzle(n % kThreadsN));
  }
  /// Tile column of register column j of thread column tx: element
  /// j % kBVec of B vector j / kBVec.
  __host__ __device__ static constexpr int bColumn(int tx, int j) {
    return tx + kThreadsN * (j / kBVec * kBVec + ((j % kBVec) ^ bSwizzle(tx)));
  }

  /// True when the word addresses addr(tid) of a warp-wide access of
  /// `width` floats are `width`-aligned and conflict-free: a 128-bit (64-bit)
  /// access is served a quarter (half) warp at a time, and within such a
  /// phase distinct addresses must fall on distinct banks.
  template <typename Addr>
  static constexpr bool conflictFree(Addr addr, int width) {
    const int phase = 32 / width;
    for (int t0 = 0; t0 < kThreads; t0 += phase)
      for (int a = t0; a < t0 + phase; ++a) {
        if (addr(a) % width != 0)
          return false;
        for (int b = t0; b < a; ++b)
          if (addr(a) != addr(b) &&
              addr(a) / width % phase == addr(b) / width % phase)
            return false;
      }
    return true;
  }
  static constexpr bool aStoresConflictFree() {
    for (int r = 0; r < kALoads; ++r)
      if (!conflictFree(
              [r](int t) {
                return t % BK * kAStride + t / BK + r * (kThreads / BK);
              },
              1))
        return false;
    return true;
  }
  static constexpr bool bStoresConflictFree() {
    for (int r = 0; r < kBLoads; ++r)
      if (!conflictFree(
              [r](int t) {
                return (t / BN + r * (kThreads / BN)) * BN + bSlot(t % BN);
              },
              1))
        return false;
    return true;
  }
  static constexpr bool vectorReadsConflictFree() {
    for (int g = 0; g < TM / kAVec; ++g)
      if (!conflictFree([g](int t) { return aRow(t / kThreadsN, g * kAVec); },
                        kAVec))
        return false;
    for (int g = 0; g < TN / kBVec; ++g)
      if (!conflictFree(
              [g](int t) { return bSlot(bColumn(t % kThreadsN, g * kBVec)); },
              kBVec))
        return false;
    return true;
  }
  /// bSlot is a permutation of a row, and register j of thread column tx
  /// reads bColumn(tx, j) (element j % kBVec of its vector j / kBVec).
  static constexpr bool bLayoutConsistent() {
    bool seen[BN] = {};
    for (int n = 0; n < BN; ++n) {
      int s = bSlot(n);
      if (s < 0 || s >= BN || seen[s])
        return false;
      seen[s] = true;
    }
    for (int tx = 0; tx < kThreadsN; ++tx)
      for (int j = 0; j < TN; ++j)
        if (bSlot(bColumn(tx, j)) !=
            j / kBVec * (kThreadsN * kBVec) + tx * kBVec + j % kBVec)
          return false;
    return true;
  }

  static_assert(BK == 8 && kAStride % 32 == 4,
                "the conflict-free A stores assume 8 k's x 4 rows per warp");
  /// Launched without cudaFuncAttributeMaxDynamicSharedMemorySize.
  static_assert(kSharedBytes <= 48 * 1024, "dynamic shared memory > 48 KiB");
  static_assert(kThreads % BK == 0 && kThreads % BN == 0,
                "loaders need whole rows of threads");
  static_assert(kALoads * kThreads == BM * BK && kBLoads * kThreads == BK * BN,
                "tiles must split evenly over the threads");
  static_assert(TM % kAVec == 0 && (kBVec == 2 || kBVec == 4) &&
                    TN % kBVec == 0,
                "register tiles are read as whole float4 / float2");
  // 16-byte alignment of every vector read: the dynamic shared memory is
  // 16-byte aligned, and so are both buffers of A and B and their rows.
  static_assert(kAStride % 4 == 0 && kAFloats % 4 == 0 && kBFloats % 4 == 0 &&
                    BN % 4 == 0,
                "shared tiles must keep float4 alignment");
};

/// 128 pixels x 64 channels, 8 x 4 per thread: the default.
using ConvTileLarge = ConvTile<128, 64, 8, 8, 4>;
/// 64 pixels x 32 channels, 4 x 2 per thread: layers with outC <= 32,
/// where a 64-wide tile would leave half the threads idle.
using ConvTileSmall = ConvTile<64, 32, 8, 4, 2>;

/// The conv2d kernel. Block (x, y, z) computes output tile (x, y) over the K
/// range [z * kPerSplit, min(K, (z + 1) * kPerSplit)). With `partial` null
/// (then gridDim.z is 1 and kPerSplit >= K) it applies the epilogue and
/// writes `out`; otherwise it writes its raw sums to
/// partial[(z * M + m) * N + n] (split-K: fully connected layers reduce them
/// afterwards, see fully_connected.cuh).
///
/// With P = Conv3dParams (conv3d.cuh) it is the 3-D convolution: M counts
/// output voxels (n, d, h, w), K runs over kd x kh x kw x inC (a DHWIO
/// filter read as [K][outC]); every 3-D-only line is under `if constexpr`,
/// so the 2-D kernel is unchanged.
template <typename Tile, typename P = Conv2dParams>
__global__ void __launch_bounds__(Tile::kThreads)
    conv2dKernel(P p, const float *__restrict__ in,
                 const float *__restrict__ filter, const float *bias,
                 const float *residual, float *out, int kPerSplit,
                 float *partial) {
  constexpr bool k3D = P::kDims == 3;
  constexpr int BM = Tile::BM, BN = Tile::BN, BK = Tile::BK;
  constexpr int TM = Tile::TM, TN = Tile::TN;
  constexpr int kAStride = Tile::kAStride;
  constexpr int kAVec = Tile::kAVec, kBVec = Tile::kBVec;
  constexpr int kARowStep = Tile::kThreads / BK;
  constexpr int kBRowStep = Tile::kThreads / BN;
  SLIM_DYNAMIC_SHARED(float, smem);
  // Buffers by arithmetic, not a pointer array: indexing a local array with
  // the runtime buffer number would put it in local memory.
  // Buffers by arithmetic, not a pointer array: indexing a local array with
  // the runtime buffer number would put it in local memory.
  auto aTile = [&](int buf) { return smem + buf * Tile::kAFloats; };
  auto bTile = [&](int buf) {
    return smem + 2 * Tile::kAFloats + buf * Tile::kBFloats;
  };

  const int tid = threadIdx.x;
  int outD = 1, kernelD = 1;
  if constexpr (k3D) {
    outD = p.outD;
    kernelD = p.kernelD;
  }
  const int pixels = outD * p.outH * p.outW;
  const int M = p.batch * pixels;
  const int N = p.outC;
  const int K = kernelD * p.kernelH * p.kernelW * p.inC;
  const int m0 = blockIdx.x * BM, n0 = blockIdx.y * BN;
  const int kBegin = blockIdx.z * kPerSplit;
  const int kEnd = K - kBegin < kPerSplit ? K : kBegin + kPerSplit;
  const int64_t inStride = p.inCStride ? p.inCStride : p.inC;

  // This thread gathers column aK of A for kALoads output pixels; their
  // coordinates are fixed for the whole K loop, so decode them once.
  const int aK = tid % BK, aRow = tid / BK;
  // 32-bit image row (n * inH): registers are what limits this kernel.
  // (3-D: aImage is the clip's first frame n * inD, aD the window's first
  // input frame.)
  int aImage[Tile::kALoads], aH[Tile::kALoads], aW[Tile::kALoads];
  int aD[k3D ? Tile::kALoads : 1];
  SLIM_UNROLL
  for (int r = 0; r < Tile::kALoads; ++r) {
    int m = m0 + aRow + r * kARowStep;
    if (m < M) {
      int n = m / pixels, rem = m % pixels;
      if constexpr (k3D) {
        int plane = p.outH * p.outW;
        aImage[r] = n * p.inD;
        aD[r] = (rem / plane) * p.strideD - p.padFront;
        rem %= plane;
      } else {
        aImage[r] = n * p.inH;
      }
      aH[r] = (rem / p.outW) * p.strideH - p.padTop;
      aW[r] = (rem % p.outW) * p.strideW - p.padLeft;
    } else {
      // Far enough below zero that every tap fails the bounds test.
      aImage[r] = 0;
      aH[r] = -(1 << 30);
      aW[r] = 0;
      if constexpr (k3D)
        aD[r] = 0;
    }
  }
  const int bN = tid % BN, bRow = tid / BN;
  const int bPos = Tile::bSlot(bN);

  float aNext[Tile::kALoads], bNext[Tile::kBLoads];
  auto loadGlobal = [&](int k0) {
    int k = k0 + aK;
    int ic = 0, kh = 0, kw = 0, kd = 0;
    bool kValid = k < kEnd;
    if (kValid) {
      ic = k % p.inC;
      int tap = k / p.inC;
      kw = tap % p.kernelW;
      kh = tap / p.kernelW;
      if constexpr (k3D) {
        kd = kh / p.kernelH;
        kh %= p.kernelH;
      }
    }
    SLIM_UNROLL
    for (int r = 0; r < Tile::kALoads; ++r) {
      int ih = aH[r] + kh * p.dilationH, iw = aW[r] + kw * p.dilationW;
      bool inside = kValid && ih >= 0 && ih < p.inH && iw >= 0 && iw < p.inW;
      int64_t row = aImage[r] + ih;
      if constexpr (k3D) {
        int id = aD[r] + kd * p.dilationD;
        inside = inside && id >= 0 && id < p.inD;
        row = (static_cast<int64_t>(aImage[r]) + id) * p.inH + ih;
      }
      aNext[r] =
          inside ? in[(row * p.inW + iw) * inStride + p.inCOffset + ic] : 0.0f;
    }
    SLIM_UNROLL
    for (int r = 0; r < Tile::kBLoads; ++r) {
      int kb = k0 + bRow + r * kBRowStep;
      int n = n0 + bN;
      bNext[r] =
          kb < kEnd && n < N ? filter[static_cast<int64_t>(kb) * N + n] : 0.0f;
    }
  };
  auto storeShared = [&](int buf) {
    SLIM_UNROLL
    for (int r = 0; r < Tile::kALoads; ++r)
      aTile(buf)[aK * kAStride + aRow + r * kARowStep] = aNext[r];
    SLIM_UNROLL
    for (int r = 0; r < Tile::kBLoads; ++r)
      bTile(buf)[(bRow + r * kBRowStep) * BN + bPos] = bNext[r];
  };

  const int tx = tid % Tile::kThreadsN, ty = tid / Tile::kThreadsN;
  float acc[TM][TN];
  SLIM_UNROLL
  for (int i = 0; i < TM; ++i)
    SLIM_UNROLL
  for (int j = 0; j < TN; ++j)
    acc[i][j] = 0.0f;

  const int steps = (kEnd - kBegin + BK - 1) / BK;
  loadGlobal(kBegin);
  storeShared(0);
  __syncthreads();
  for (int step = 0; step < steps; ++step) {
    const int cur = step & 1;
    if (step + 1 < steps)
      loadGlobal(kBegin + (step + 1) * BK);
    const float *a = aTile(cur) + kAVec * ty;
    const float *b = bTile(cur) + kBVec * tx;
    SLIM_UNROLL
    for (int kk = 0; kk < BK; ++kk) {
      float av[TM], bv[TN];
      SLIM_UNROLL
      for (int g = 0; g < TM / kAVec; ++g) {
        float4 v = load4(a + kk * kAStride + g * kAVec * Tile::kThreadsM);
        av[g * 4 + 0] = v.x;
        av[g * 4 + 1] = v.y;
        av[g * 4 + 2] = v.z;
        av[g * 4 + 3] = v.w;
      }
      SLIM_UNROLL
      for (int g = 0; g < TN / kBVec; ++g) {
        const float *bg = b + kk * BN + g * kBVec * Tile::kThreadsN;
        if constexpr (kBVec == 4) {
          float4 v = load4(bg);
          bv[g * 4 + 0] = v.x;
          bv[g * 4 + 1] = v.y;
          bv[g * 4 + 2] = v.z;
          bv[g * 4 + 3] = v.w;
        } else {
          float2 v = load2(bg);
          bv[g * 2 + 0] = v.x;
          bv[g * 2 + 1] = v.y;
        }
      }
      SLIM_UNROLL
      for (int i = 0; i < TM; ++i)
        SLIM_UNROLL
      for (int j = 0; j < TN; ++j)
        acc[i][j] += av[i] * bv[j];
    }
    // The other buffer was last read in the previous step, which ended with
    // the barrier below, so it can be refilled while others still compute.
    if (step + 1 < steps)
      storeShared(cur ^ 1);
    __syncthreads();
  }

  if (partial) {
    float *part = partial + static_cast<int64_t>(blockIdx.z) * M * N;
    SLIM_UNROLL
    for (int i = 0; i < TM; ++i) {
      int m = m0 + Tile::aRow(ty, i);
      SLIM_UNROLL
      for (int j = 0; j < TN; ++j) {
        int n = n0 + Tile::bColumn(tx, j);
        if (m < M && n < N)
          part[static_cast<int64_t>(m) * N + n] = acc[i][j];
      }
    }
    return;
  }
  const int64_t outStride = p.outCStride ? p.outCStride : p.outC;
  const int64_t resStride = p.resCStride ? p.resCStride : p.outC;
  SLIM_UNROLL
  for (int i = 0; i < TM; ++i) {
    int m = m0 + Tile::aRow(ty, i);
    if (m >= M)
      continue;
    SLIM_UNROLL
    for (int j = 0; j < TN; ++j) {
      int n = n0 + Tile::bColumn(tx, j);
      if (n >= N)
        continue;
      float v = acc[i][j];
      if (bias)
        v += bias[n];
      if (residual)
        v += residual[m * resStride + p.resCOffset + n];
      out[m * outStride + p.outCOffset + n] = activate(p.act, v);
    }
  }
}

/// True when the parameters describe a conv the kernel can run.
inline bool isValid(const Conv2dParams &p) {
  return p.batch > 0 && p.inH > 0 && p.inW > 0 && p.inC > 0 && p.outH > 0 &&
         p.outW > 0 && p.outC > 0 && p.kernelH > 0 && p.kernelW > 0 &&
         p.strideH > 0 && p.strideW > 0 && p.dilationH > 0 && p.dilationW > 0 &&
         p.inCOffset >= 0 && p.outCOffset >= 0 && p.resCOffset >= 0;
}

/// Launches conv2dKernel<Tile, P>. With `partial` set, K is split into
/// `splits` ranges of `kPerSplit` (splits * kPerSplit >= K, a multiple of
/// BK) whose raw sums go to `partial` ([splits][M][N]) instead of `out`.
template <typename Tile, typename P = Conv2dParams>
cudaError_t launchConv2d(const P &p, const float *in, const float *filter,
                         const float *bias, const float *residual, float *out,
                         cudaStream_t stream, int splits = 1, int kPerSplit = 0,
                         float *partial = nullptr) {
  // Checked here, where Tile is complete, for every tile that is launched.
  static_assert(Tile::bLayoutConsistent(),
                "B slots must match the register reads");
  static_assert(Tile::aStoresConflictFree() && Tile::bStoresConflictFree(),
                "shared-memory stores of A and B must be conflict-free");
  static_assert(Tile::vectorReadsConflictFree(),
                "register-tile vector reads must be aligned, conflict-free");
  int64_t depth = 1, kernelD = 1;
  if constexpr (P::kDims == 3) {
    depth = p.outD;
    kernelD = p.kernelD;
  }
  int64_t m = static_cast<int64_t>(p.batch) * depth * p.outH * p.outW;
  if (!partial) {
    splits = 1;
    kPerSplit = static_cast<int>(kernelD * p.kernelH * p.kernelW * p.inC);
  }
  dim3 grid(blocksFor(m, Tile::BM), blocksFor(p.outC, Tile::BN), splits);
  return launch(conv2dKernel<Tile, P>, grid, dim3(Tile::kThreads),
                Tile::kSharedBytes, stream, p, in, filter, bias, residual, out,
                kPerSplit, partial);
}

/// out = act(conv2d(in, filter) + bias + residual) on `stream`.
/// `filter` is HWIO [kernelH][kernelW][inC][outC] (dense); `bias` ([outC])
/// and `residual` (NHWC, sliced by resCOffset/resCStride) may be null.
/// `residual` may be `out` itself when both have the same slicing.
/// Returns cudaErrorInvalidValue for impossible parameters, otherwise the
/// launch's error.
inline cudaError_t conv2d(const Conv2dParams &p, const float *in,
                          const float *filter, const float *bias,
                          const float *residual, float *out,
                          cudaStream_t stream) {
  if (!isValid(p) || !in || !filter || !out)
    return cudaErrorInvalidValue;
  if (p.outC <= ConvTileSmall::BN)
    return launchConv2d<ConvTileSmall>(p, in, filter, bias, residual, out,
                                       stream);
  return launchConv2d<ConvTileLarge>(p, in, filter, bias, residual, out,
                                     stream);
}

} // namespace cuda
} // namespace slim

#endif // SLIM_CUDA_CONV2D_CUH
