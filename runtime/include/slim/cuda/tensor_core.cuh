//===- slim/cuda/tensor_core.cuh - TF32/BF16/FP16 paths ---------*- C++ -*-===//
//
// The `--precision=tf32|bf16|fp16` paths of conv2d and fully connected:
//
//  - host side (both builds): Precision and the load-time conversion of
//    conv/FC weights, which a generated `prepare` runs once before upload;
//  - device side (nvcc only): conv2d as an implicit GEMM on the tensor cores
//    (nvcuda::wmma, FP32 accumulation), and FC as that GEMM above
//    kGemvMaxRows rows or as a GEMV that streams 16-bit weights below.
//
// The tensor-core kernels cannot run under the SIMT emulation (it has no
// tensor cores and no WMMA fragment layout to emulate), so with
// SLIM_CUDA_EMULATION this header provides the host-side conversion only;
// the kernels are compiled by test/cuda/nvcc_compile.sh and checked against
// an FP32 reference on a GPU only (test/cuda/tensor_core_gpu_test.cu).
//
//===----------------------------------------------------------------------===//
#ifndef SLIM_CUDA_TENSOR_CORE_CUH
#define SLIM_CUDA_TENSOR_CORE_CUH

#include "slim/cuda/conv2d.cuh"
#include "slim/cuda/fully_connected.cuh"

#include <cstddef>
#include <cstdint>
#include <cstring>
#include <type_traits>

#ifndef SLIM_CUDA_EMULATION
#include <cuda_bf16.h>
#include <cuda_fp16.h>
#include <mma.h>
#endif

namespace slim {
namespace cuda {

/// The arithmetic of conv2d and FC layers (`slimc --precision=`). Fp32 is
/// the SIMT path; the others multiply on tensor cores and accumulate in FP32.
/// The values are the ABI's: the compiler passes them through as ints.
enum class Precision : int { Fp32 = 0, Tf32 = 1, Bf16 = 2, Fp16 = 3 };

//===----------------------------------------------------------------------===//
// Load-time weight conversion (host, both builds)
//===----------------------------------------------------------------------===//

inline uint32_t floatToBits(float f) {
  uint32_t u;
  std::memcpy(&u, &f, sizeof(u));
  return u;
}

inline float bitsToFloat(uint32_t u) {
  float f;
  std::memcpy(&f, &u, sizeof(f));
  return f;
}

/// Rounds away the low `drop` bits of a finite float's pattern, to nearest
/// with ties to even. A carry out of the mantissa bumps the exponent, which
/// is exactly the next representable value (up to infinity).
inline uint32_t roundLowBits(uint32_t u, int drop) {
  uint32_t lsb = (u >> drop) & 1u;
  return (u + ((1u << (drop - 1)) - 1u) + lsb) >> drop << drop;
}

/// `f` rounded to TF32 (10 mantissa bits), still stored as a float. The
/// tensor cores ignore the low 13 bits of a TF32 operand, i.e. truncate;
/// rounding them here makes the weights the nearest TF32 values instead.
inline float roundToTf32(float f) {
  uint32_t u = floatToBits(f);
  if ((u & 0x7fffffffu) > 0x7f800000u) // NaN: keep it a (quiet) NaN
    return bitsToFloat((u & ~0x1fffu) | 0x00400000u);
  return bitsToFloat(roundLowBits(u, 13));
}

/// The bfloat16 bit pattern nearest to `f` (ties to even).
inline uint16_t floatToBf16Bits(float f) {
  uint32_t u = floatToBits(f);
  // Rounding a NaN whose payload sits in the low 16 bits would give Inf.
  if ((u & 0x7fffffffu) > 0x7f800000u)
    return static_cast<uint16_t>((u >> 16) | 0x0040u);
  return static_cast<uint16_t>(roundLowBits(u, 16) >> 16);
}

/// The IEEE binary16 bit pattern nearest to `f` (ties to even; overflow to
/// Inf, gradual underflow to subnormals and zero).
inline uint16_t floatToFp16Bits(float f) {
  uint32_t u = floatToBits(f);
  uint16_t sign = static_cast<uint16_t>((u >> 16) & 0x8000u);
  uint32_t mag = u & 0x7fffffffu;
  if (mag > 0x7f800000u) // NaN: quiet, keeping the payload's top bits
    return sign | 0x7e00u | static_cast<uint16_t>((mag >> 13) & 0x3ffu);
  // 65520 = 65504 (largest half) + half an ulp, which ties to Inf.
  if (mag >= 0x477ff000u)
    return sign | 0x7c00u;
  if (mag >= 0x38800000u) // 2^-14 and up: a normal half
    return sign |
           static_cast<uint16_t>(roundLowBits(mag - 0x38000000u, 13) >> 13);
  // A half subnormal counts units of 2^-24; below 2^-25 everything rounds
  // to zero (2^-25 itself is a tie and goes to the even 0).
  int exponent = static_cast<int>(mag >> 23);
  if (exponent < 102)
    return sign;
  uint32_t mantissa = (mag & 0x7fffffu) | 0x800000u; // value = m * 2^(e-150)
  int shift = 126 - exponent;                        // 14..24
  uint32_t units = mantissa >> shift;
  uint32_t rest = mantissa & ((1u << shift) - 1u), half = 1u << (shift - 1);
  if (rest > half || (rest == half && (units & 1u)))
    ++units; // 0x3ff + 1 is 0x400, the smallest normal: still correct
  return sign | static_cast<uint16_t>(units);
}

/// Bytes per converted weight: 4 for Fp32 and Tf32 (a float), 2 for Bf16
/// and Fp16 (a uint16_t bit pattern); 0 for an unknown precision.
inline size_t weightElementBytes(Precision p) {
  switch (p) {
  case Precision::Fp32:
  case Precision::Tf32:
    return 4;
  case Precision::Bf16:
  case Precision::Fp16:
    return 2;
  }
  return 0;
}

/// Converts `count` FP32 weights (conv HWIO or FC [K][N], layout unchanged)
/// into `dst` (count * weightElementBytes(p) bytes) for the kernels of
/// precision `p`. NaN and Inf are preserved.
inline void convertWeights(Precision p, const float *src, void *dst,
                           int64_t count) {
  switch (p) {
  case Precision::Fp32:
    std::memcpy(dst, src, static_cast<size_t>(count) * sizeof(float));
    return;
  case Precision::Tf32:
    for (int64_t i = 0; i < count; ++i)
      static_cast<float *>(dst)[i] = roundToTf32(src[i]);
    return;
  case Precision::Bf16:
    for (int64_t i = 0; i < count; ++i)
      static_cast<uint16_t *>(dst)[i] = floatToBf16Bits(src[i]);
    return;
  case Precision::Fp16:
    for (int64_t i = 0; i < count; ++i)
      static_cast<uint16_t *>(dst)[i] = floatToFp16Bits(src[i]);
    return;
  }
}

#ifndef SLIM_CUDA_EMULATION

//===----------------------------------------------------------------------===//
// Tiles and shared-memory layout
//===----------------------------------------------------------------------===//

/// WMMA's TF32 and BF16 shapes exist from sm_80 on. Below that the kernels
/// still compile (so an FP32 model can include this header) but trap.
#if !defined(__CUDA_ARCH__) || __CUDA_ARCH__ >= 800
#define SLIM_CUDA_TENSOR_CORES 1
#endif

/// A block computes BM x BN outputs with kWarpsM x kWarpsN warps, each
/// owning kFragsM x kFragsN 16 x 16 accumulator fragments.
template <int BMv, int BNv, int WarpsMv, int WarpsNv, int MinBlocksv>
struct TensorCoreTile {
  static constexpr int BM = BMv, BN = BNv;
  /// __launch_bounds__'s blocks per SM, i.e. a register cap; 0 leaves the
  /// count to ptxas. Chosen so that no precision spills on sm_80 or sm_90.
  static constexpr int kMinBlocks = MinBlocksv;
  static constexpr int kWarpsM = WarpsMv, kWarpsN = WarpsNv;
  static constexpr int kThreads = 32 * kWarpsM * kWarpsN;
  static constexpr int kFragsM = BM / kWarpsM / 16;
  static constexpr int kFragsN = BN / kWarpsN / 16;
  static_assert(kFragsM * 16 * kWarpsM == BM && kFragsN * 16 * kWarpsN == BN,
                "warps must split the tile into whole fragments");
  static_assert(kThreads % BM == 0, "A is loaded by whole threads per row");
};

/// 128 x 64 with 8 warps of 2 x 2 fragments: the default.
using TensorCoreTileLarge = TensorCoreTile<128, 64, 4, 2, 0>;
/// 64 x 32 with 4 warps of 2 x 1 fragments: layers with outC <= 32, where a
/// 64-wide tile would leave half the MMAs multiplying zeros.
using TensorCoreTileSmall = TensorCoreTile<64, 32, 2, 2, 6>;

/// Where a K stage of precision P lives in shared memory, and how the
/// threads load it. Host-visible: the launcher needs kSharedBytes.
template <Precision P, typename Tile> struct TensorCoreLayout {
  static constexpr int kBytes = P == Precision::Tf32 ? 4 : 2;
  /// WMMA's K: m16n16k8 for TF32, m16n16k16 for BF16/FP16.
  static constexpr int kMmaK = P == Precision::Tf32 ? 8 : 16;
  /// Two MMA steps (64 bytes of K) per stage: enough work per barrier while
  /// two stages plus their padding stay under the 48 KiB launch limit.
  static constexpr int BK = 2 * kMmaK;
  /// 16 bytes of padding per row: WMMA needs ldm to be a multiple of 16
  /// bytes, and the shift moves the 8 rows of a fragment load to distinct
  /// banks.
  static constexpr int kPad = 16 / kBytes;
  /// A is [BM][BK] row-major (k contiguous), B [BK][BN] row-major (n
  /// contiguous, as HWIO is), the accumulators C [BM][BN] in FP32.
  static constexpr int kALd = BK + kPad, kBLd = Tile::BN + kPad;
  static constexpr int kCLd = Tile::BN + 4;
  static constexpr int kABytes = Tile::BM * kALd * kBytes;
  static constexpr int kBBytes = BK * kBLd * kBytes;
  static constexpr int kStageBytes = kABytes + kBBytes;
  static constexpr int kCBytes = Tile::BM * kCLd * 4;
  /// Two stages (double buffering); C reuses them after the K loop.
  static constexpr size_t kSharedBytes =
      2 * kStageBytes > kCBytes ? 2 * kStageBytes : kCBytes;
  /// The launcher sets no cudaFuncAttributeMaxDynamicSharedMemorySize: a
  /// bigger tile would fail every launch with cudaErrorInvalidValue.
  static_assert(kSharedBytes <= 48 * 1024, "dynamic shared memory > 48 KiB");

  /// A: each row of the tile (an output pixel) is gathered by
  /// kAThreadsPerRow threads, each taking kAChunk consecutive k's, i.e.
  /// consecutive input channels of one tap when inC allows.
  static constexpr int kAThreadsPerRow = Tile::kThreads / Tile::BM;
  static constexpr int kAChunk = BK / kAThreadsPerRow;
  static constexpr int kAWords = kAChunk * kBytes / 4;
  /// B: 16 bytes (kBVec converted weights) per thread and pass.
  static constexpr int kBVec = 16 / kBytes;
  static constexpr int kBThreadsPerRow = Tile::BN / kBVec;
  static constexpr int kBRowsPerPass = Tile::kThreads / kBThreadsPerRow;
  static constexpr int kBPasses = BK / kBRowsPerPass;

  static_assert(kAWords % 4 == 0, "A chunks are stored as whole uint4s");
  static_assert(kAChunk % 4 == 0, "A chunks are read as whole float4s");
  static_assert(kBPasses * kBRowsPerPass == BK, "B splits over the threads");
  // WMMA loads and stores need 32-byte aligned pointers: every fragment
  // offset below is a multiple of 32 bytes given these.
  static_assert(kABytes % 32 == 0 && kBBytes % 32 == 0 &&
                    (16 * kALd * kBytes) % 32 == 0 &&
                    (kMmaK * kBLd * kBytes) % 32 == 0 &&
                    (16 * kCLd * 4) % 32 == 0,
                "fragment pointers must stay 32-byte aligned");
};

#ifdef SLIM_CUDA_TENSOR_CORES
/// The WMMA element types of each precision, and the conversion of FP32
/// activations while staging A (packed into 32-bit words, element 0 low).
template <Precision P> struct TensorCoreType;

template <> struct TensorCoreType<Precision::Tf32> {
  using Element = float;
  using Fragment = nvcuda::wmma::precision::tf32;
  static __device__ __forceinline__ uint32_t pack(const float *v) {
    return __float_as_uint(nvcuda::wmma::__float_to_tf32(v[0]));
  }
};

template <> struct TensorCoreType<Precision::Bf16> {
  using Element = __nv_bfloat16;
  using Fragment = __nv_bfloat16;
  static __device__ __forceinline__ uint32_t pack(const float *v) {
    return static_cast<uint32_t>(
               __bfloat16_as_ushort(__float2bfloat16_rn(v[0]))) |
           static_cast<uint32_t>(
               __bfloat16_as_ushort(__float2bfloat16_rn(v[1])))
               << 16;
  }
};

template <> struct TensorCoreType<Precision::Fp16> {
  using Element = __half;
  using Fragment = __half;
  static __device__ __forceinline__ uint32_t pack(const float *v) {
    return static_cast<uint32_t>(__half_as_ushort(__float2half_rn(v[0]))) |
           static_cast<uint32_t>(__half_as_ushort(__float2half_rn(v[1]))) << 16;
  }
};
#endif // SLIM_CUDA_TENSOR_CORES

//===----------------------------------------------------------------------===//
// conv2d on tensor cores
//===----------------------------------------------------------------------===//

/// Implicit GEMM as in conv2dKernel (M = pixels, N = outC, K = taps x inC),
/// with WMMA on the tiles. A is gathered from the FP32 input and converted
/// to P's type while it is staged; B is the filter as convertWeights made
/// it. Stages are double buffered with register prefetch, one barrier per
/// stage. `vectorA`/`vectorB`: the launcher proved 16-byte loads aligned.
template <Precision P, typename Tile>
__global__ void __launch_bounds__(Tile::kThreads, Tile::kMinBlocks)
    conv2dTensorCoreKernel(Conv2dParams p, const float *__restrict__ in,
                           const void *__restrict__ filter, const float *bias,
                           const float *residual, float *out, bool vectorA,
                           bool vectorB) {
#ifdef SLIM_CUDA_TENSOR_CORES
  namespace wmma = nvcuda::wmma;
  using L = TensorCoreLayout<P, Tile>;
  using Type = TensorCoreType<P>;
  using Element = typename Type::Element;
  using Bits = std::conditional_t<L::kBytes == 4, uint32_t, uint16_t>;
  constexpr int BM = Tile::BM, BN = Tile::BN, BK = L::BK;
  // Not SLIM_DYNAMIC_SHARED: WMMA needs 32-byte alignment, which this
  // declaration states (extern shared arrays all alias the same buffer).
  extern __shared__ __align__(128) unsigned char slimTensorCoreShared[];
  unsigned char *smem = slimTensorCoreShared;
  auto aTile = [&](int buf) {
    return reinterpret_cast<Element *>(smem + buf * L::kStageBytes);
  };
  auto bTile = [&](int buf) {
    return reinterpret_cast<Element *>(smem + buf * L::kStageBytes +
                                       L::kABytes);
  };

  const int tid = threadIdx.x;
  const int pixels = p.outH * p.outW;
  const int M = p.batch * pixels;
  const int N = p.outC;
  const int K = p.kernelH * p.kernelW * p.inC;
  const int m0 = blockIdx.x * BM, n0 = blockIdx.y * BN;
  const int64_t inStride = p.inCStride ? p.inCStride : p.inC;

  // This thread's row of A is one output pixel for the whole K loop.
  const int aRow = tid / L::kAThreadsPerRow, aPart = tid % L::kAThreadsPerRow;
  int64_t aImage = 0;
  int aH = -(1 << 30), aW = 0; // far enough out that every tap is padding
  if (m0 + aRow < M) {
    int m = m0 + aRow, n = m / pixels, rem = m % pixels;
    aImage = static_cast<int64_t>(n) * p.inH;
    aH = (rem / p.outW) * p.strideH - p.padTop;
    aW = (rem % p.outW) * p.strideW - p.padLeft;
  }
  uint32_t aNext[L::kAWords];
  auto loadA = [&](int k0) {
    float v[L::kAChunk];
    int k = k0 + aPart * L::kAChunk;
    int ic = 0, kw = 0, kh = 0;
    if (k < K) {
      ic = k % p.inC;
      int tap = k / p.inC;
      kw = tap % p.kernelW;
      kh = tap / p.kernelW;
    }
    if (k + L::kAChunk <= K && ic + L::kAChunk <= p.inC) {
      // The chunk is consecutive channels of one tap: one bounds test.
      int ih = aH + kh * p.dilationH, iw = aW + kw * p.dilationW;
      bool inside = ih >= 0 && ih < p.inH && iw >= 0 && iw < p.inW;
      const float *src = inside ? in + ((aImage + ih) * p.inW + iw) * inStride +
                                      p.inCOffset + ic
                                : nullptr;
      if (inside && vectorA) {
        SLIM_UNROLL
        for (int q = 0; q < L::kAChunk / 4; ++q) {
          float4 f = reinterpret_cast<const float4 *>(src)[q];
          v[4 * q] = f.x;
          v[4 * q + 1] = f.y;
          v[4 * q + 2] = f.z;
          v[4 * q + 3] = f.w;
        }
      } else {
        SLIM_UNROLL
        for (int j = 0; j < L::kAChunk; ++j)
          v[j] = inside ? src[j] : 0.0f;
      }
    } else {
      // Small inC (the chunk spans taps) or the end of K: element-wise,
      // stepping (ic, kw, kh) instead of dividing again.
      SLIM_UNROLL
      for (int j = 0; j < L::kAChunk; ++j) {
        int ih = aH + kh * p.dilationH, iw = aW + kw * p.dilationW;
        bool inside =
            k + j < K && ih >= 0 && ih < p.inH && iw >= 0 && iw < p.inW;
        v[j] =
            inside
                ? in[((aImage + ih) * p.inW + iw) * inStride + p.inCOffset + ic]
                : 0.0f;
        if (++ic == p.inC) {
          ic = 0;
          if (++kw == p.kernelW) {
            kw = 0;
            ++kh;
          }
        }
      }
    }
    SLIM_UNROLL
    for (int w = 0; w < L::kAWords; ++w)
      aNext[w] = Type::pack(v + w * (4 / L::kBytes));
  };

  // This thread's 16 bytes of each B row it loads.
  const int bRow = tid / L::kBThreadsPerRow;
  const int bCol = (tid % L::kBThreadsPerRow) * L::kBVec;
  const Bits *weights = static_cast<const Bits *>(filter);
  uint4 bNext[L::kBPasses];
  auto loadB = [&](int k0) {
    SLIM_UNROLL
    for (int r = 0; r < L::kBPasses; ++r) {
      int kb = k0 + bRow + r * L::kBRowsPerPass, n = n0 + bCol;
      uint32_t word[4] = {0, 0, 0, 0};
      if (kb < K && n < N) {
        const Bits *src = weights + static_cast<int64_t>(kb) * N + n;
        if (vectorB) {
          // N is a multiple of kBVec, so the whole vector is in bounds.
          bNext[r] = *reinterpret_cast<const uint4 *>(src);
          continue;
        }
        SLIM_UNROLL
        for (int e = 0; e < L::kBVec; ++e)
          if (n + e < N)
            word[e * L::kBytes / 4] |= static_cast<uint32_t>(src[e])
                                       << (8 * (e * L::kBytes % 4));
      }
      bNext[r] = make_uint4(word[0], word[1], word[2], word[3]);
    }
  };

  auto storeShared = [&](int buf) {
    uint4 *a = reinterpret_cast<uint4 *>(aTile(buf) + aRow * L::kALd +
                                         aPart * L::kAChunk);
    SLIM_UNROLL
    for (int q = 0; q < L::kAWords / 4; ++q)
      a[q] = make_uint4(aNext[4 * q], aNext[4 * q + 1], aNext[4 * q + 2],
                        aNext[4 * q + 3]);
    SLIM_UNROLL
    for (int r = 0; r < L::kBPasses; ++r)
      *reinterpret_cast<uint4 *>(
          bTile(buf) + (bRow + r * L::kBRowsPerPass) * L::kBLd + bCol) =
          bNext[r];
  };

  using FragA = wmma::fragment<wmma::matrix_a, 16, 16, L::kMmaK,
                               typename Type::Fragment, wmma::row_major>;
  using FragB = wmma::fragment<wmma::matrix_b, 16, 16, L::kMmaK,
                               typename Type::Fragment, wmma::row_major>;
  using FragC = wmma::fragment<wmma::accumulator, 16, 16, L::kMmaK, float>;
  const int warp = tid / 32;
  const int wRow = (warp % Tile::kWarpsM) * Tile::kFragsM * 16;
  const int wCol = (warp / Tile::kWarpsM) * Tile::kFragsN * 16;
  FragC acc[Tile::kFragsM][Tile::kFragsN];
  SLIM_UNROLL
  for (int i = 0; i < Tile::kFragsM; ++i)
    SLIM_UNROLL
  for (int j = 0; j < Tile::kFragsN; ++j)
    wmma::fill_fragment(acc[i][j], 0.0f);

  const int steps = (K + BK - 1) / BK;
  loadA(0);
  loadB(0);
  storeShared(0);
  __syncthreads();
  for (int step = 0; step < steps; ++step) {
    const int cur = step & 1;
    if (step + 1 < steps) {
      loadA((step + 1) * BK);
      loadB((step + 1) * BK);
    }
    const Element *a = aTile(cur);
    const Element *b = bTile(cur);
    SLIM_UNROLL
    for (int kk = 0; kk < BK; kk += L::kMmaK) {
      FragA fa[Tile::kFragsM];
      FragB fb[Tile::kFragsN];
      SLIM_UNROLL
      for (int i = 0; i < Tile::kFragsM; ++i)
        wmma::load_matrix_sync(fa[i], a + (wRow + 16 * i) * L::kALd + kk,
                               L::kALd);
      SLIM_UNROLL
      for (int j = 0; j < Tile::kFragsN; ++j)
        wmma::load_matrix_sync(fb[j], b + kk * L::kBLd + wCol + 16 * j,
                               L::kBLd);
      SLIM_UNROLL
      for (int i = 0; i < Tile::kFragsM; ++i)
        SLIM_UNROLL
      for (int j = 0; j < Tile::kFragsN; ++j)
        wmma::mma_sync(acc[i][j], fa[i], fb[j], acc[i][j]);
    }
    // The other buffer was last read in the previous step, which ended with
    // the barrier below, so it can be refilled while others still compute.
    if (step + 1 < steps)
      storeShared(cur ^ 1);
    __syncthreads();
  }

  // The fragment's element-to-thread mapping is unspecified, so the
  // epilogue goes through shared memory (the stages are free: the loop
  // ended with a barrier) and then runs with threads along channels, which
  // makes the bias/residual reads and the output stores coalesced.
  float *c = reinterpret_cast<float *>(smem);
  SLIM_UNROLL
  for (int i = 0; i < Tile::kFragsM; ++i)
    SLIM_UNROLL
  for (int j = 0; j < Tile::kFragsN; ++j)
    wmma::store_matrix_sync(c + (wRow + 16 * i) * L::kCLd + wCol + 16 * j,
                            acc[i][j], L::kCLd, wmma::mem_row_major);
  __syncthreads();
  const int64_t outStride = p.outCStride ? p.outCStride : p.outC;
  const int64_t resStride = p.resCStride ? p.resCStride : p.outC;
  for (int idx = tid; idx < BM * BN; idx += Tile::kThreads) {
    int row = idx / BN, col = idx % BN;
    int m = m0 + row, n = n0 + col;
    if (m >= M || n >= N)
      continue;
    float v = c[row * L::kCLd + col];
    if (bias)
      v += bias[n];
    if (residual)
      v += residual[m * resStride + p.resCOffset + n];
    out[m * outStride + p.outCOffset + n] = activate(p.act, v);
  }
#else
  __trap(); // unreachable: built for a GPU without TF32/BF16 WMMA
#endif
}

template <Precision P, typename Tile>
cudaError_t launchConv2dTensorCore(const Conv2dParams &p, const float *in,
                                   const void *filter, const float *bias,
                                   const float *residual, float *out,
                                   cudaStream_t stream) {
  using L = TensorCoreLayout<P, Tile>;
  int64_t m = static_cast<int64_t>(p.batch) * p.outH * p.outW;
  int64_t inStride = p.inCStride ? p.inCStride : p.inC;
  // float4 loads of A start at channel multiples of 4 only if every term of
  // the address is one; uint4 loads of B need whole vectors per row.
  bool vectorA = p.inC % 4 == 0 && inStride % 4 == 0 && p.inCOffset % 4 == 0 &&
                 reinterpret_cast<uintptr_t>(in) % 16 == 0;
  bool vectorB =
      p.outC % L::kBVec == 0 && reinterpret_cast<uintptr_t>(filter) % 16 == 0;
  dim3 grid(blocksFor(m, Tile::BM), blocksFor(p.outC, Tile::BN));
  return launch(conv2dTensorCoreKernel<P, Tile>, grid, dim3(Tile::kThreads),
                L::kSharedBytes, stream, p, in, filter, bias, residual, out,
                vectorA, vectorB);
}

template <Precision P>
cudaError_t conv2dTensorCoreTiled(const Conv2dParams &p, const float *in,
                                  const void *filter, const float *bias,
                                  const float *residual, float *out,
                                  cudaStream_t stream) {
  if (p.outC <= TensorCoreTileSmall::BN)
    return launchConv2dTensorCore<P, TensorCoreTileSmall>(
        p, in, filter, bias, residual, out, stream);
  return launchConv2dTensorCore<P, TensorCoreTileLarge>(p, in, filter, bias,
                                                        residual, out, stream);
}

/// conv2d (same parameters and epilogue as `conv2d`) in precision `prec`.
/// `filter` is HWIO converted by convertWeights(prec, ...): floats for Fp32
/// (the SIMT kernel runs) and Tf32, 16-bit patterns for Bf16 and Fp16.
/// Activations stay FP32 in memory and are rounded to `prec` on the way to
/// the tensor cores; products accumulate in FP32. Needs sm_80 or later.
/// Returns cudaErrorInvalidValue for impossible parameters or an unknown
/// precision, otherwise the launch's error.
inline cudaError_t conv2dTensorCore(Precision prec, const Conv2dParams &p,
                                    const float *in, const void *filter,
                                    const float *bias, const float *residual,
                                    float *out, cudaStream_t stream) {
  if (!isValid(p) || !in || !filter || !out)
    return cudaErrorInvalidValue;
  switch (prec) {
  case Precision::Fp32:
    return conv2d(p, in, static_cast<const float *>(filter), bias, residual,
                  out, stream);
  case Precision::Tf32:
    return conv2dTensorCoreTiled<Precision::Tf32>(p, in, filter, bias, residual,
                                                  out, stream);
  case Precision::Bf16:
    return conv2dTensorCoreTiled<Precision::Bf16>(p, in, filter, bias, residual,
                                                  out, stream);
  case Precision::Fp16:
    return conv2dTensorCoreTiled<Precision::Fp16>(p, in, filter, bias, residual,
                                                  out, stream);
  }
  return cudaErrorInvalidValue;
}

//===----------------------------------------------------------------------===//
// Fully connected with reduced-precision weights
//===----------------------------------------------------------------------===//

/// A 16-bit weight of precision P (Bf16 or Fp16) as a float.
template <Precision P>
__device__ __forceinline__ float widenWeight(uint32_t bits) {
  if constexpr (P == Precision::Bf16)
    return __uint_as_float(bits << 16);
  else
    return __half2float(__ushort_as_half(static_cast<unsigned short>(bits)));
}

/// The GEMV of fullyConnected for 16-bit weights: at batch 1..4 the layer is
/// bound by streaming W, so half the bytes is (up to) half the time. Lane j
/// of each warp reads columns 2j and 2j + 1 (`paired`: one aligned 32-bit
/// load), i.e. 128 contiguous bytes per warp and k as in the FP32 GEMV, so a
/// block covers 64 columns. x and the sums stay FP32.
template <Precision P>
__global__ void __launch_bounds__(32 * kGemvWarps)
    gemvReducedKernel(FullyConnectedParams p, const float *__restrict__ x,
                      const uint16_t *__restrict__ w, const float *bias,
                      const float *residual, float *y, float *partial,
                      int kPerSplit, bool paired) {
  SLIM_DYNAMIC_SHARED(float, sums); // [kGemvWarps][kGemvMaxRows][64]
  const int lane = threadIdx.x, warp = threadIdx.y;
  const int col = blockIdx.x * 64 + 2 * lane;
  const int split = blockIdx.y;
  const int kBegin = split * kPerSplit;
  const int kEnd = kBegin + kPerSplit < p.k ? kBegin + kPerSplit : p.k;
  const int64_t ldx = p.ldx ? p.ldx : p.k;
  float acc[kGemvMaxRows][2] = {};
  if (col < p.n)
    for (int k = kBegin + warp; k < kEnd; k += kGemvWarps) {
      const uint16_t *row = w + static_cast<int64_t>(k) * p.n + col;
      float w0, w1 = 0.0f;
      if (paired) {
        uint32_t two = *reinterpret_cast<const uint32_t *>(row);
        w0 = widenWeight<P>(two & 0xffffu);
        w1 = widenWeight<P>(two >> 16);
      } else {
        w0 = widenWeight<P>(row[0]);
        if (col + 1 < p.n)
          w1 = widenWeight<P>(row[1]);
      }
      SLIM_UNROLL
      for (int r = 0; r < kGemvMaxRows; ++r)
        if (r < p.m) {
          float xv = x[r * ldx + k];
          acc[r][0] += xv * w0;
          acc[r][1] += xv * w1;
        }
    }
  SLIM_UNROLL
  for (int r = 0; r < kGemvMaxRows; ++r) {
    sums[(warp * kGemvMaxRows + r) * 64 + 2 * lane] = acc[r][0];
    sums[(warp * kGemvMaxRows + r) * 64 + 2 * lane + 1] = acc[r][1];
  }
  __syncthreads();
  // Warp r adds up row r over the block's warps.
  if (warp >= p.m)
    return;
  SLIM_UNROLL
  for (int h = 0; h < 2; ++h) {
    if (col + h >= p.n)
      break;
    float v = 0.0f;
    for (int w8 = 0; w8 < kGemvWarps; ++w8)
      v += sums[(w8 * kGemvMaxRows + warp) * 64 + 2 * lane + h];
    fullyConnectedStore(p, warp, col + h, v, bias, residual, y, partial, split);
  }
}

template <Precision P>
cudaError_t launchGemvReduced(const FullyConnectedParams &p, const float *x,
                              const uint16_t *w, const float *bias,
                              const float *residual, float *y, float *workspace,
                              cudaStream_t stream) {
  // The FP32 GEMV's split count, so fullyConnectedWorkspaceSize fits.
  int splits = workspace ? fullyConnectedSplits(p) : 1;
  int kPerSplit = (p.k + splits - 1) / splits;
  splits = (p.k + kPerSplit - 1) / kPerSplit; // no empty split
  bool paired = p.n % 2 == 0 && reinterpret_cast<uintptr_t>(w) % 4 == 0;
  dim3 grid(blocksFor(p.n, 64), splits), block(32, kGemvWarps);
  size_t smem = kGemvWarps * kGemvMaxRows * 64 * sizeof(float);
  if (splits == 1)
    return launch(gemvReducedKernel<P>, grid, block, smem, stream, p, x, w,
                  bias, residual, y, static_cast<float *>(nullptr), kPerSplit,
                  paired);
  cudaError_t err = launch(gemvReducedKernel<P>, grid, block, smem, stream, p,
                           x, w, static_cast<const float *>(nullptr),
                           static_cast<const float *>(nullptr), y, workspace,
                           kPerSplit, paired);
  if (err != cudaSuccess)
    return err;
  return launch(splitKReduceKernel<float>,
                dim3(blocksFor(int64_t(p.m) * p.n, 256)), dim3(256), 0, stream,
                p, static_cast<const float *>(workspace), splits, bias,
                residual, y);
}

/// fullyConnected (same parameters, epilogue and workspace) in precision
/// `prec`, with `w` ([K][N]) converted by convertWeights(prec, ...). Above
/// kGemvMaxRows rows the layer is a 1x1 conv2dTensorCore. At or below it,
/// Bf16/Fp16 run a GEMV that reads the 16-bit weights (FP32 products and
/// sums); Fp32 and Tf32 run the FP32 GEMV on their float weights (a GEMV is
/// bound by memory, which tensor cores do not help).
inline cudaError_t
fullyConnectedTensorCore(Precision prec, const FullyConnectedParams &p,
                         const float *x, const void *w, const float *bias,
                         const float *residual, float *y, float *workspace,
                         cudaStream_t stream) {
  if (p.m <= 0 || p.k <= 0 || p.n <= 0 || !x || !w || !y ||
      (p.ldx && p.ldx < p.k) || (p.ldy && p.ldy < p.n) ||
      (p.ldr && p.ldr < p.n) || weightElementBytes(prec) == 0)
    return cudaErrorInvalidValue;
  if (prec == Precision::Fp32 ||
      (prec == Precision::Tf32 && p.m <= kGemvMaxRows))
    return fullyConnected(p, x, static_cast<const float *>(w), bias, residual,
                          y, workspace, stream);
  if (p.m > kGemvMaxRows) {
    // x is a 1 x m image with k channels (row stride as channel stride).
    Conv2dParams c;
    c.inH = c.outH = 1;
    c.inW = c.outW = p.m;
    c.inC = p.k;
    c.outC = p.n;
    c.act = p.act;
    c.inCStride = p.ldx;
    c.outCStride = p.ldy;
    c.resCStride = p.ldr;
    return conv2dTensorCore(prec, c, x, w, bias, residual, y, stream);
  }
  const uint16_t *w16 = static_cast<const uint16_t *>(w);
  if (prec == Precision::Bf16)
    return launchGemvReduced<Precision::Bf16>(p, x, w16, bias, residual, y,
                                              workspace, stream);
  return launchGemvReduced<Precision::Fp16>(p, x, w16, bias, residual, y,
                                            workspace, stream);
}

#endif // SLIM_CUDA_EMULATION

} // namespace cuda
} // namespace slim

#endif // SLIM_CUDA_TENSOR_CORE_CUH
