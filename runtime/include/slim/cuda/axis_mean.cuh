//===- slim/cuda/axis_mean.cuh - Mean over consecutive axes -----*- C++ -*-===//
//
// tf.reduce_mean over a run of consecutive axes of a dense tensor viewed as
// [outer][mid][inner] (a video net's mean over time): one thread per output
// element, inner fastest, so a warp reads contiguous floats of each row.
//
//===----------------------------------------------------------------------===//
#ifndef SLIM_CUDA_AXIS_MEAN_CUH
#define SLIM_CUDA_AXIS_MEAN_CUH

#include "slim/cuda/device.cuh"

namespace slim {
namespace cuda {

template <typename T>
__global__ void __launch_bounds__(256)
    meanOverAxesKernel(const T *__restrict__ in, int64_t outer, int64_t mid,
                       int64_t inner, T *out) {
  const int64_t count = outer * inner;
  for (int64_t idx =
           static_cast<int64_t>(blockIdx.x) * blockDim.x + threadIdx.x;
       idx < count; idx += static_cast<int64_t>(gridDim.x) * blockDim.x) {
    int64_t o = idx / inner, i = idx % inner;
    const T *src = in + o * mid * inner + i;
    float sum = 0.0f;
    for (int64_t m = 0; m < mid; ++m)
      sum += src[m * inner];
    out[idx] = sum / static_cast<float>(mid);
  }
}

/// out[o][i] = mean over m of in[o][m][i] on `stream`.
inline cudaError_t meanOverAxes(const float *in, int64_t outer, int64_t mid,
                                int64_t inner, float *out,
                                cudaStream_t stream) {
  if (!in || !out || outer < 1 || mid < 1 || inner < 1)
    return cudaErrorInvalidValue;
  unsigned blocks = blocksFor(outer * inner, 256);
  if (blocks > 65535u)
    blocks = 65535u; // grid-stride loop beyond
  return launch(meanOverAxesKernel<float>, dim3(blocks), dim3(256), 0, stream,
                in, outer, mid, inner, out);
}

} // namespace cuda
} // namespace slim

#endif // SLIM_CUDA_AXIS_MEAN_CUH
