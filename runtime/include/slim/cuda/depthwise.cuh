//===- slim/cuda/depthwise.cuh - Depthwise conv2d, FP32 ---------*- C++ -*-===//
//
// TF depthwise_conv2d on NHWC: output channel c * multiplier + j reads input
// channel c with filter[kh][kw][c][j]. One thread per output element with
// the channel fastest, so a warp's filter and input reads and its output
// writes are all contiguous along channels; each input element is reused
// from L1/L2 by the kh * kw outputs around it (the op is memory bound).
//
//===----------------------------------------------------------------------===//
#ifndef SLIM_CUDA_DEPTHWISE_CUH
#define SLIM_CUDA_DEPTHWISE_CUH

#include "slim/cuda/conv2d.cuh"

namespace slim {
namespace cuda {

template <typename T>
__global__ void __launch_bounds__(256)
    depthwiseConv2dKernel(Conv2dParams p, const T *__restrict__ in,
                          const T *__restrict__ filter, const T *bias,
                          const T *residual, T *out) {
  const int64_t count =
      static_cast<int64_t>(p.batch) * p.outH * p.outW * p.outC;
  const int64_t inStride = p.inCStride ? p.inCStride : p.inC;
  const int64_t outStride = p.outCStride ? p.outCStride : p.outC;
  const int64_t resStride = p.resCStride ? p.resCStride : p.outC;
  const int mult = p.depthMultiplier;
  for (int64_t idx =
           static_cast<int64_t>(blockIdx.x) * blockDim.x + threadIdx.x;
       idx < count; idx += static_cast<int64_t>(gridDim.x) * blockDim.x) {
    int oc = static_cast<int>(idx % p.outC);
    int64_t pixel = idx / p.outC;
    int ow = static_cast<int>(pixel % p.outW);
    int64_t rest = pixel / p.outW;
    int oh = static_cast<int>(rest % p.outH);
    int64_t n = rest / p.outH;
    int ic = oc / mult;
    float acc = bias ? bias[oc] : 0.0f;
    for (int kh = 0; kh < p.kernelH; ++kh) {
      int ih = oh * p.strideH - p.padTop + kh * p.dilationH;
      if (ih < 0 || ih >= p.inH)
        continue;
      for (int kw = 0; kw < p.kernelW; ++kw) {
        int iw = ow * p.strideW - p.padLeft + kw * p.dilationW;
        if (iw < 0 || iw >= p.inW)
          continue;
        float x =
            in[((n * p.inH + ih) * p.inW + iw) * inStride + p.inCOffset + ic];
        // filter[kh][kw][ic][j] with oc = ic * mult + j is filter[tap][oc].
        acc += x * filter[(kh * p.kernelW + kw) * p.outC + oc];
      }
    }
    if (residual)
      acc += residual[pixel * resStride + p.resCOffset + oc];
    out[pixel * outStride + p.outCOffset + oc] = activate(p.act, acc);
  }
}

/// Depthwise conv2d with the conv2d epilogue (bias, residual, activation)
/// and the same tensor slicing; `filter` is [kernelH][kernelW][inC]
/// [depthMultiplier] and p.outC must be inC * depthMultiplier.
inline cudaError_t depthwiseConv2d(const Conv2dParams &p, const float *in,
                                   const float *filter, const float *bias,
                                   const float *residual, float *out,
                                   cudaStream_t stream) {
  if (!isValid(p) || p.depthMultiplier <= 0 ||
      p.outC != p.inC * p.depthMultiplier || !in || !filter || !out)
    return cudaErrorInvalidValue;
  constexpr int kThreads = 256;
  int64_t count = static_cast<int64_t>(p.batch) * p.outH * p.outW * p.outC;
  // A grid-stride loop past 2^16 blocks keeps launches within the limits of
  // every architecture for any tensor size.
  unsigned blocks = blocksFor(count, kThreads);
  if (blocks > 65535u)
    blocks = 65535u;
  return launch(depthwiseConv2dKernel<float>, dim3(blocks), dim3(kThreads), 0,
                stream, p, in, filter, bias, residual, out);
}

} // namespace cuda
} // namespace slim

#endif // SLIM_CUDA_DEPTHWISE_CUH
