//===- slim/cuda/group_norm.cuh - TF-Slim group_norm (CUDA) ------*- C++ -*-=//
//
// slim.group_norm on a dense row-major tensor: one block per statistic
// (kept index, group) walks slim/kernels/group_norm_layout.h's plan, the
// plan the CPU kernel walks, with consecutive threads on consecutive
// elements of the statistic (the contiguous channels of a group for NHWC),
// and reduces its threads' partial sums in shared memory.
//
//===----------------------------------------------------------------------===//
#ifndef SLIM_CUDA_GROUP_NORM_CUH
#define SLIM_CUDA_GROUP_NORM_CUH

#include "slim/cuda/device.cuh"
#include "slim/kernels/group_norm_layout.h"

namespace slim {
namespace cuda {

/// Threads of a group norm block (a power of two, for the tree sum).
constexpr int kGroupNormThreads = 256;

/// The block's sum of `partial` (every thread gets it).
__device__ __forceinline__ float groupNormBlockSum(float partial, float *smem) {
  smem[threadIdx.x] = partial;
  __syncthreads();
  for (int half = kGroupNormThreads / 2; half > 0; half /= 2) {
    if (static_cast<int>(threadIdx.x) < half)
      smem[threadIdx.x] += smem[threadIdx.x + half];
    __syncthreads();
  }
  float total = smem[0];
  __syncthreads(); // smem is reused by the next sum
  return total;
}

template <typename T>
__global__ void __launch_bounds__(kGroupNormThreads)
    groupNormKernel(const T *__restrict__ x, T *__restrict__ y,
                    slim::kernels::GroupNormPlan p, const T *beta,
                    const T *gamma, float epsilon, bool onePass) {
  SLIM_DYNAMIC_SHARED(float, smem);
  int64_t c0;
  const int64_t base = slim::kernels::groupNormBase(p, blockIdx.x, c0);
  const T *xs = x + base;
  T *ys = y + base;
  float sum = 0.0f, sq = 0.0f;
  for (int64_t j = threadIdx.x; j < p.count; j += kGroupNormThreads) {
    int64_t ch;
    float v = static_cast<float>(xs[slim::kernels::groupNormElement(p, j, ch)]);
    sum += v;
    sq += v * v;
  }
  const float count = static_cast<float>(p.count);
  const float mean = groupNormBlockSum(sum, smem) / count;
  float variance;
  if (onePass) {
    // nn.sufficient_statistics + nn.normalize_moments.
    variance = groupNormBlockSum(sq, smem) / count - mean * mean;
  } else {
    sq = 0.0f;
    for (int64_t j = threadIdx.x; j < p.count; j += kGroupNormThreads) {
      int64_t ch;
      float d =
          static_cast<float>(xs[slim::kernels::groupNormElement(p, j, ch)]) -
          mean;
      sq += d * d;
    }
    variance = groupNormBlockSum(sq, smem) / count;
  }
  const float inv = 1.0f / sqrtf(variance + epsilon);
  for (int64_t j = threadIdx.x; j < p.count; j += kGroupNormThreads) {
    int64_t ch;
    int64_t off = slim::kernels::groupNormElement(p, j, ch);
    const int64_t c = c0 + ch;
    float g = gamma ? static_cast<float>(gamma[c]) * inv : inv;
    float b = (beta ? static_cast<float>(beta[c]) : 0.0f) - mean * g;
    ys[off] = static_cast<float>(xs[off]) * g + b;
  }
}

/// TF-Slim group_norm of a dense row-major tensor of `rank` (<=
/// kGroupNormMaxRank) `dims`: the channels of `channelAxis` in `groups`
/// groups, statistics over the axes of `reducedMask` (bit a: axis a) and
/// each group's channels; beta / gamma ([channels]) may be null (0 / 1);
/// `onePass` is mean_close_to_zero.
inline cudaError_t groupNorm(const float *x, float *y, int rank,
                             const int64_t *dims, int channelAxis,
                             unsigned reducedMask, int64_t groups,
                             const float *beta, const float *gamma,
                             float epsilon, bool onePass, cudaStream_t stream) {
  if (rank < 1 || rank > slim::kernels::kGroupNormMaxRank || !dims || !x ||
      !y || channelAxis < 0 || channelAxis >= rank ||
      ((reducedMask >> channelAxis) & 1u) || groups <= 0 ||
      dims[channelAxis] % groups != 0 || !(epsilon > 0.0f))
    return cudaErrorInvalidValue;
  slim::kernels::GroupNormPlan p = slim::kernels::planGroupNorm(
      rank, dims, channelAxis, reducedMask, groups);
  if (p.stats <= 0 || p.stats > 0x7fffffff || p.count <= 0)
    return cudaErrorInvalidValue;
  return launch(groupNormKernel<float>, dim3(static_cast<unsigned>(p.stats)),
                dim3(kGroupNormThreads), sizeof(float) * kGroupNormThreads,
                stream, x, y, p, beta, gamma, epsilon, onePass);
}

} // namespace cuda
} // namespace slim

#endif // SLIM_CUDA_GROUP_NORM_CUH
