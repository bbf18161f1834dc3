//===- slim/cuda/reduce.cuh - Softmax, spatial mean, reductions -*- C++ -*-===//
//
// The two reductions of the classifier heads, and tf.reduce_* over any axes.
// Softmax gives each row to one warp (rows are ~1000 wide: a block per row
// would idle most of its warps on the reductions), reducing with butterfly
// shuffles so every lane ends with the row's max and sum. The spatial mean
// gives each (image, channel) to one thread, consecutive threads on
// consecutive channels, so each step of the H * W loop is one coalesced row
// read. The general reduction does the same for any axes: one thread per
// output element walks the reduced runs the host planned (planReduce of
// slim/kernels/reduce.h), summing in double as the CPU kernels do.
//
//===----------------------------------------------------------------------===//
#ifndef SLIM_CUDA_REDUCE_CUH
#define SLIM_CUDA_REDUCE_CUH

#include "slim/cuda/device.cuh"
#include "slim/kernels/reduce.h"

namespace slim {
namespace cuda {

constexpr int kSoftmaxWarps = 8;

template <typename T>
__global__ void __launch_bounds__(32 * kSoftmaxWarps)
    softmaxKernel(const T *__restrict__ x, T *__restrict__ y, int rows,
                  int cols) {
  const int lane = threadIdx.x % 32;
  const int row = blockIdx.x * kSoftmaxWarps + threadIdx.x / 32;
  if (row >= rows)
    return; // the whole warp leaves: no shuffle is left half-done
  const T *xr = x + static_cast<int64_t>(row) * cols;
  T *yr = y + static_cast<int64_t>(row) * cols;
  float mx = -INFINITY;
  for (int j = lane; j < cols; j += 32)
    mx = xr[j] > mx ? xr[j] : mx;
  for (int offset = 16; offset > 0; offset /= 2) {
    float other = __shfl_xor_sync(0xffffffffu, mx, offset);
    mx = other > mx ? other : mx;
  }
  float sum = 0.0f;
  for (int j = lane; j < cols; j += 32)
    sum += expf(xr[j] - mx);
  for (int offset = 16; offset > 0; offset /= 2)
    sum += __shfl_xor_sync(0xffffffffu, sum, offset);
  const float inv = 1.0f / sum;
  for (int j = lane; j < cols; j += 32)
    yr[j] = expf(xr[j] - mx) * inv;
}

/// tf.nn.softmax over the last axis of a dense [rows][cols] tensor, max
/// subtracted first. y must not alias x.
inline cudaError_t softmax(const float *x, float *y, int rows, int cols,
                           cudaStream_t stream) {
  if (rows <= 0 || cols <= 0 || !x || !y)
    return cudaErrorInvalidValue;
  return launch(softmaxKernel<float>, dim3(blocksFor(rows, kSoftmaxWarps)),
                dim3(32 * kSoftmaxWarps), 0, stream, x, y, rows, cols);
}

template <typename T>
__global__ void __launch_bounds__(256)
    spatialMeanKernel(const T *__restrict__ in, int batch, int hw, int channels,
                      T *__restrict__ out) {
  int64_t idx = static_cast<int64_t>(blockIdx.x) * blockDim.x + threadIdx.x;
  if (idx >= static_cast<int64_t>(batch) * channels)
    return;
  int64_t n = idx / channels;
  int c = static_cast<int>(idx % channels);
  const T *base = in + n * hw * channels + c;
  float sum = 0.0f;
  for (int i = 0; i < hw; ++i)
    sum += base[static_cast<int64_t>(i) * channels];
  out[idx] = sum / static_cast<float>(hw);
}

/// reduce_mean over H and W of a dense NHWC tensor: [n][h][w][c] -> [n][c].
inline cudaError_t spatialMean(const float *in, int batch, int h, int w,
                               int channels, float *out, cudaStream_t stream) {
  if (batch <= 0 || h <= 0 || w <= 0 || channels <= 0 || !in || !out)
    return cudaErrorInvalidValue;
  return launch(spatialMeanKernel<float>,
                dim3(blocksFor(int64_t(batch) * channels, 256)), dim3(256), 0,
                stream, in, batch, h * w, channels, out);
}

using ::slim::contract::Reduce;
using ::slim::kernels::ReducePlan;

template <typename T>
__global__ void __launch_bounds__(256)
    reduceKernel(Reduce kind, ReducePlan p, const T *__restrict__ x,
                 T *__restrict__ y) {
  int64_t o = static_cast<int64_t>(blockIdx.x) * blockDim.x + threadIdx.x;
  if (o >= p.outputs)
    return;
  // The kept runs' indices (innermost fastest) give this output's base.
  int64_t base = 0, rest = o;
  for (int d = p.rank - 1; d >= 0; --d) {
    if (p.reduced[d])
      continue;
    base += (rest % p.dims[d]) * p.stride[d];
    rest /= p.dims[d];
  }
  double sum = 0.0;
  float best = -INFINITY;
  for (int64_t r = 0; r < p.reduceN; ++r) {
    int64_t off = base, k = r;
    for (int d = p.rank - 1; d >= 0; --d) {
      if (!p.reduced[d])
        continue;
      off += (k % p.dims[d]) * p.stride[d];
      k /= p.dims[d];
    }
    float v = x[off];
    sum += v;
    best = v > best ? v : best;
  }
  y[o] = kind == Reduce::Max    ? best
         : kind == Reduce::Mean ? static_cast<float>(sum / p.reduceN)
                                : static_cast<float>(sum);
}

/// tf.reduce_sum / mean / max of a dense [shape] tensor over the axes with a
/// nonzero `reduced` entry; y holds the kept axes in order.
inline cudaError_t reduce(Reduce kind, const float *x, const int64_t *shape,
                          const int *reduced, int rank, float *y,
                          cudaStream_t stream) {
  ReducePlan plan;
  if (!x || !y || !::slim::kernels::planReduce(rank, shape, reduced, plan))
    return cudaErrorInvalidValue;
  return launch(reduceKernel<float>, dim3(blocksFor(plan.outputs, 256)),
                dim3(256), 0, stream, kind, plan, x, y);
}

} // namespace cuda
} // namespace slim

#endif // SLIM_CUDA_REDUCE_CUH
