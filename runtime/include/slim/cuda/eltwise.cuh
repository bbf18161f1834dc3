//===- slim/cuda/eltwise.cuh - Elementwise and copy kernels -----*- C++ -*-===//
//
// The memory-bound ops between the convolutions: per-channel affine +
// activation (unfolded batch norm, bias, softplus), add and the copy of a
// piece into a concat's channel slice (tf.pad is in spatial.cuh). One thread per element
// in grid-stride loops, the fastest index along memory, so every warp access
// is contiguous.
//
//===----------------------------------------------------------------------===//
#ifndef SLIM_CUDA_ELTWISE_CUH
#define SLIM_CUDA_ELTWISE_CUH

#include "slim/cuda/device.cuh"

namespace slim {
namespace cuda {

constexpr int kEltwiseThreads = 256;

/// Blocks for a grid-stride loop over `count` items; capped so that the
/// grid stays within every architecture's limits.
inline unsigned eltwiseBlocks(int64_t count) {
  unsigned blocks = blocksFor(count, kEltwiseThreads);
  return blocks > 65535u ? 65535u : (blocks ? blocks : 1u);
}

/// y = act(x * scale[c] + shift[c]) over `pixels` rows of `channels`, with
/// the conv kernels' channel slicing of x and y (stride 0 = channels).
struct ChannelOpParams {
  int64_t pixels = 0;
  int channels = 0;
  int inCOffset = 0, inCStride = 0;
  int outCOffset = 0, outCStride = 0;
  Activation act = Activation::None;
  /// leaky_relu's slope.
  float alpha = 0.0f;
};

template <typename T>
__global__ void __launch_bounds__(kEltwiseThreads)
    channelOpKernel(ChannelOpParams p, const T *x, const T *scale,
                    const T *shift, T *y) {
  const int64_t count = p.pixels * p.channels;
  const int64_t inStride = p.inCStride ? p.inCStride : p.channels;
  const int64_t outStride = p.outCStride ? p.outCStride : p.channels;
  for (int64_t i = static_cast<int64_t>(blockIdx.x) * blockDim.x + threadIdx.x;
       i < count; i += static_cast<int64_t>(gridDim.x) * blockDim.x) {
    int c = static_cast<int>(i % p.channels);
    int64_t pixel = i / p.channels;
    float v = x[pixel * inStride + p.inCOffset + c];
    if (scale)
      v *= scale[c];
    if (shift)
      v += shift[c];
    y[pixel * outStride + p.outCOffset + c] = activate(p.act, v, p.alpha);
  }
}

/// y = act(x * scale + shift) per channel; `scale` and `shift` ([channels])
/// may be null (1 and 0). In place (x == y, same slicing) is allowed.
inline cudaError_t channelOp(const ChannelOpParams &p, const float *x,
                             const float *scale, const float *shift, float *y,
                             cudaStream_t stream) {
  if (p.pixels <= 0 || p.channels <= 0 || p.inCOffset < 0 || p.outCOffset < 0 ||
      !x || !y)
    return cudaErrorInvalidValue;
  return launch(channelOpKernel<float>,
                dim3(eltwiseBlocks(p.pixels * p.channels)),
                dim3(kEltwiseThreads), 0, stream, p, x, scale, shift, y);
}

template <typename T>
__global__ void __launch_bounds__(kEltwiseThreads)
    addKernel(const T *a, const T *b, T *y, int64_t count, Activation act) {
  for (int64_t i = static_cast<int64_t>(blockIdx.x) * blockDim.x + threadIdx.x;
       i < count; i += static_cast<int64_t>(gridDim.x) * blockDim.x)
    y[i] = activate(act, a[i] + b[i]);
}

/// y = act(a + b) over `count` dense floats; y may alias a or b.
inline cudaError_t add(const float *a, const float *b, float *y, int64_t count,
                       Activation act, cudaStream_t stream) {
  if (count <= 0 || !a || !b || !y)
    return cudaErrorInvalidValue;
  return launch(addKernel<float>, dim3(eltwiseBlocks(count)),
                dim3(kEltwiseThreads), 0, stream, a, b, y, count, act);
}

template <typename T>
__global__ void __launch_bounds__(kEltwiseThreads)
    concatCopyKernel(const T *__restrict__ src, int64_t pixels, int channels,
                     T *__restrict__ dst, int dstCOffset, int dstCStride) {
  const int64_t count = pixels * channels;
  for (int64_t i = static_cast<int64_t>(blockIdx.x) * blockDim.x + threadIdx.x;
       i < count; i += static_cast<int64_t>(gridDim.x) * blockDim.x) {
    int64_t pixel = i / channels;
    int c = static_cast<int>(i % channels);
    dst[pixel * dstCStride + dstCOffset + c] = src[i];
  }
}

/// Copies a dense [pixels][channels] tensor to channels [dstCOffset,
/// dstCOffset + channels) of a [pixels][dstCStride] tensor: the concat of a
/// producer that could not write into the concat's buffer itself.
inline cudaError_t concatCopy(const float *src, int64_t pixels, int channels,
                              float *dst, int dstCOffset, int dstCStride,
                              cudaStream_t stream) {
  if (pixels <= 0 || channels <= 0 || dstCOffset < 0 ||
      dstCOffset + channels > dstCStride || !src || !dst)
    return cudaErrorInvalidValue;
  return launch(concatCopyKernel<float>, dim3(eltwiseBlocks(pixels * channels)),
                dim3(kEltwiseThreads), 0, stream, src, pixels, channels, dst,
                dstCOffset, dstCStride);
}

} // namespace cuda
} // namespace slim

#endif // SLIM_CUDA_ELTWISE_CUH
