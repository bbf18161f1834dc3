//===- slim/cuda/arith.cuh - Broadcasting arithmetic, LRN -------*- C++ -*-===//
//
// tf.add / subtract / multiply / divide / maximum / minimum with NumPy
// broadcasting, the same ops with a number, tf.tile and tf.nn.lrn, on dense
// NHWC tensors. The host plans a broadcast with the CPU's planBroadcast (merged
// dimensions and per-operand strides, slim/kernels/elementwise.h) and the
// kernel walks it one thread per output element in grid-stride loops, so
// consecutive threads write consecutive elements. LRN gives each element
// one thread that sums its channel window (2 * radius + 1 reads that the
// neighbouring threads share through the cache).
//
//===----------------------------------------------------------------------===//
#ifndef SLIM_CUDA_ARITH_CUH
#define SLIM_CUDA_ARITH_CUH

#include "slim/cuda/eltwise.cuh"
#include "slim/kernels/elementwise.h"

namespace slim {
namespace cuda {

using ::slim::contract::Binary;
using ::slim::kernels::BroadcastPlan;

/// One element of `k` (slim::kernels::applyBinary on the device).
__host__ __device__ __forceinline__ float binaryOp(Binary k, float a, float b) {
  switch (k) {
  case Binary::Add:
    return a + b;
  case Binary::Sub:
    return a - b;
  case Binary::Mul:
    return a * b;
  case Binary::Div:
    return a / b;
  case Binary::Max:
    return a < b ? b : a;
  case Binary::Min:
    return b < a ? b : a;
  }
  return a;
}

template <typename T>
__global__ void __launch_bounds__(kEltwiseThreads)
    binaryKernel(Binary k, BroadcastPlan p, const T *a, const T *b, T *y) {
  for (int64_t i = static_cast<int64_t>(blockIdx.x) * blockDim.x + threadIdx.x;
       i < p.count; i += static_cast<int64_t>(gridDim.x) * blockDim.x) {
    int64_t ia = 0, ib = 0, rest = i;
    for (int d = p.rank - 1; d >= 0; --d) {
      int64_t idx = rest % p.dims[d];
      rest /= p.dims[d];
      ia += idx * p.aStride[d];
      ib += idx * p.bStride[d];
    }
    y[i] = binaryOp(k, a[ia], b[ib]);
  }
}

/// y = a op b, NumPy broadcasting over shapes of equal rank (the shorter
/// one left-padded with 1s); y may alias an operand of y's shape.
inline cudaError_t binary(Binary k, const float *a, const int64_t *aShape,
                          const float *b, const int64_t *bShape, float *y,
                          const int64_t *yShape, int rank,
                          cudaStream_t stream) {
  BroadcastPlan plan;
  if (!a || !b || !y ||
      !::slim::kernels::planBroadcast(rank, aShape, bShape, yShape, plan))
    return cudaErrorInvalidValue;
  return launch(binaryKernel<float>, dim3(eltwiseBlocks(plan.count)),
                dim3(kEltwiseThreads), 0, stream, k, plan, a, b, y);
}

template <typename T>
__global__ void __launch_bounds__(kEltwiseThreads)
    binaryScalarKernel(Binary k, const T *x, float s, bool scalarFirst, T *y,
                       int64_t count) {
  for (int64_t i = static_cast<int64_t>(blockIdx.x) * blockDim.x + threadIdx.x;
       i < count; i += static_cast<int64_t>(gridDim.x) * blockDim.x)
    y[i] = scalarFirst ? binaryOp(k, s, x[i]) : binaryOp(k, x[i], s);
}

/// y = x op s (s op x when `scalarFirst`) over `count` floats; y may alias x.
inline cudaError_t binaryScalar(Binary k, const float *x, float s,
                                bool scalarFirst, float *y, int64_t count,
                                cudaStream_t stream) {
  if (count <= 0 || !x || !y)
    return cudaErrorInvalidValue;
  return launch(binaryScalarKernel<float>, dim3(eltwiseBlocks(count)),
                dim3(kEltwiseThreads), 0, stream, k, x, s, scalarFirst, y,
                count);
}

/// tf.tile of a dense tensor: up to kMaxTileRank axes.
constexpr int kMaxTileRank = 8;
struct TileParams {
  int rank = 0;
  int64_t in[kMaxTileRank] = {}, out[kMaxTileRank] = {};
  int64_t count = 0;
};

template <typename T>
__global__ void __launch_bounds__(kEltwiseThreads)
    tileKernel(TileParams p, const T *__restrict__ x, T *__restrict__ y) {
  for (int64_t i = static_cast<int64_t>(blockIdx.x) * blockDim.x + threadIdx.x;
       i < p.count; i += static_cast<int64_t>(gridDim.x) * blockDim.x) {
    int64_t rest = i, src = 0, scale = 1;
    for (int d = p.rank - 1; d >= 0; --d) {
      src += (rest % p.out[d] % p.in[d]) * scale;
      rest /= p.out[d];
      scale *= p.in[d];
    }
    y[i] = x[src];
  }
}

/// y = tf.tile(x, multiples) for x of shape `in` (rank `rank`).
inline cudaError_t tile(const float *x, const int64_t *in,
                        const int64_t *multiples, int rank, float *y,
                        cudaStream_t stream) {
  if (!x || !y || rank < 1 || rank > kMaxTileRank)
    return cudaErrorInvalidValue;
  TileParams p;
  p.rank = rank;
  p.count = 1;
  for (int d = 0; d < rank; ++d) {
    if (in[d] < 1 || multiples[d] < 1)
      return cudaErrorInvalidValue;
    p.in[d] = in[d];
    p.out[d] = in[d] * multiples[d];
    p.count *= p.out[d];
  }
  return launch(tileKernel<float>, dim3(eltwiseBlocks(p.count)),
                dim3(kEltwiseThreads), 0, stream, p, x, y);
}

/// tf.nn.lrn over the last axis of a dense [pixels][channels] tensor.
struct LrnParams {
  int64_t pixels = 0;
  int channels = 0;
  int depthRadius = 5;
  float bias = 1.0f, alpha = 1.0f, beta = 0.5f;
};

template <typename T>
__global__ void __launch_bounds__(kEltwiseThreads)
    lrnKernel(LrnParams p, const T *__restrict__ x, T *__restrict__ y) {
  const int64_t count = p.pixels * p.channels;
  for (int64_t i = static_cast<int64_t>(blockIdx.x) * blockDim.x + threadIdx.x;
       i < count; i += static_cast<int64_t>(gridDim.x) * blockDim.x) {
    int c = static_cast<int>(i % p.channels);
    const T *row = x + (i - c);
    int lo = c - p.depthRadius < 0 ? 0 : c - p.depthRadius;
    int hi =
        c + p.depthRadius >= p.channels ? p.channels - 1 : c + p.depthRadius;
    float s = 0.0f;
    for (int j = lo; j <= hi; ++j)
      s += row[j] * row[j];
    float t = p.bias + p.alpha * s;
    // TensorFlow's shortcuts for beta 1 and 0.5.
    float factor = p.beta == 1.0f   ? 1.0f / t
                   : p.beta == 0.5f ? 1.0f / sqrtf(t)
                                    : powf(t, -p.beta);
    y[i] = x[i] * factor;
  }
}

/// y = lrn(x) (see slim/kernels/lrn.h); y must not alias x.
inline cudaError_t lrn(const LrnParams &p, const float *x, float *y,
                       cudaStream_t stream) {
  if (p.pixels <= 0 || p.channels <= 0 || p.depthRadius < 0 || !x || !y)
    return cudaErrorInvalidValue;
  return launch(lrnKernel<float>, dim3(eltwiseBlocks(p.pixels * p.channels)),
                dim3(kEltwiseThreads), 0, stream, p, x, y);
}

} // namespace cuda
} // namespace slim

#endif // SLIM_CUDA_ARITH_CUH
