//===- slim/cuda/pool.cuh - Max / average pooling, FP32 ---------*- C++ -*-===//
//
// TF pooling on NHWC with channel slicing in and out: padded positions never
// win a max and are not counted in an average's divisor. One thread per
// output element, channel fastest, so warps read and write contiguous
// channels.
//
//===----------------------------------------------------------------------===//
#ifndef SLIM_CUDA_POOL_CUH
#define SLIM_CUDA_POOL_CUH

#include "slim/cuda/device.cuh"

namespace slim {
namespace cuda {

/// A 2-D pooling window over NHWC tensors; element (n, h, w, c) lives at
/// ((n * H + h) * W + w) * cStride + cOffset + c (stride 0 = channels).
struct Pool2dParams {
  int batch = 1;
  int inH = 0, inW = 0, channels = 0;
  int outH = 0, outW = 0;
  int kernelH = 1, kernelW = 1;
  int strideH = 1, strideW = 1;
  int padTop = 0, padLeft = 0;
  int inCOffset = 0, inCStride = 0;
  int outCOffset = 0, outCStride = 0;
};

template <bool kMax, typename T>
__global__ void __launch_bounds__(256)
    pool2dKernel(Pool2dParams p, const T *__restrict__ in, T *out) {
  const int64_t count =
      static_cast<int64_t>(p.batch) * p.outH * p.outW * p.channels;
  const int64_t inStride = p.inCStride ? p.inCStride : p.channels;
  const int64_t outStride = p.outCStride ? p.outCStride : p.channels;
  for (int64_t idx =
           static_cast<int64_t>(blockIdx.x) * blockDim.x + threadIdx.x;
       idx < count; idx += static_cast<int64_t>(gridDim.x) * blockDim.x) {
    int c = static_cast<int>(idx % p.channels);
    int64_t pixel = idx / p.channels;
    int ow = static_cast<int>(pixel % p.outW);
    int64_t rest = pixel / p.outW;
    int oh = static_cast<int>(rest % p.outH);
    int64_t n = rest / p.outH;
    float best = -INFINITY, sum = 0.0f;
    int valid = 0;
    for (int kh = 0; kh < p.kernelH; ++kh) {
      int ih = oh * p.strideH - p.padTop + kh;
      if (ih < 0 || ih >= p.inH)
        continue;
      for (int kw = 0; kw < p.kernelW; ++kw) {
        int iw = ow * p.strideW - p.padLeft + kw;
        if (iw < 0 || iw >= p.inW)
          continue;
        float v =
            in[((n * p.inH + ih) * p.inW + iw) * inStride + p.inCOffset + c];
        best = v > best ? v : best;
        sum += v;
        ++valid;
      }
    }
    out[pixel * outStride + p.outCOffset + c] =
        kMax ? best : (valid ? sum / static_cast<float>(valid) : 0.0f);
  }
}

inline bool isValid(const Pool2dParams &p) {
  return p.batch > 0 && p.inH > 0 && p.inW > 0 && p.channels > 0 &&
         p.outH > 0 && p.outW > 0 && p.kernelH > 0 && p.kernelW > 0 &&
         p.strideH > 0 && p.strideW > 0 && p.inCOffset >= 0 &&
         p.outCOffset >= 0;
}

template <bool kMax>
cudaError_t launchPool2d(const Pool2dParams &p, const float *in, float *out,
                         cudaStream_t stream) {
  if (!isValid(p) || !in || !out)
    return cudaErrorInvalidValue;
  int64_t count = static_cast<int64_t>(p.batch) * p.outH * p.outW * p.channels;
  unsigned blocks = blocksFor(count, 256);
  if (blocks > 65535u)
    blocks = 65535u; // grid-stride loop beyond
  return launch(pool2dKernel<kMax, float>, dim3(blocks), dim3(256), 0, stream,
                p, in, out);
}

/// TF max_pool: the max over the in-bounds part of each window.
inline cudaError_t maxPool2d(const Pool2dParams &p, const float *in, float *out,
                             cudaStream_t stream) {
  return launchPool2d<true>(p, in, out, stream);
}

/// TF avg_pool: the mean over the in-bounds part of each window.
inline cudaError_t avgPool2d(const Pool2dParams &p, const float *in, float *out,
                             cudaStream_t stream) {
  return launchPool2d<false>(p, in, out, stream);
}

} // namespace cuda
} // namespace slim

#endif // SLIM_CUDA_POOL_CUH
