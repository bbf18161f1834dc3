//===- slim/cuda/conv3d.cuh - conv3d and 3-D pooling, FP32 ------*- C++ -*-===//
//
// The ops of video nets on NDHWC activations: conv3d as the implicit GEMM of
// conv2d.cuh with M = output voxels and K = kd x kh x kw x inC (DHWIO
// filters), the 3-D pools (one thread per output element, channel fastest,
// as pool.cuh). Channel slices in and out (concat as a view)
// work as in conv2d.cuh: element (n, d, h, w, c) lives at
// (((n * D + d) * H + h) * W + w) * cStride + cOffset + c.
//
//===----------------------------------------------------------------------===//
#ifndef SLIM_CUDA_CONV3D_CUH
#define SLIM_CUDA_CONV3D_CUH

#include "slim/cuda/conv2d.cuh"
#include "slim/cuda/pool.cuh"

namespace slim {
namespace cuda {

/// A conv3d layer with its fused epilogue; the 2-D fields are H and W,
/// `padFront` the temporal front pad (the back pad follows from outD).
struct Conv3dParams : Conv2dParams {
  static constexpr int kDims = 3;
  int inD = 1, outD = 1;
  int kernelD = 1, strideD = 1, dilationD = 1;
  int padFront = 0;
};

inline bool isValid(const Conv3dParams &p) {
  return isValid(static_cast<const Conv2dParams &>(p)) && p.inD > 0 &&
         p.outD > 0 && p.kernelD > 0 && p.strideD > 0 && p.dilationD > 0;
}

/// out = act(conv3d(in, filter) + bias + residual) on `stream`. `filter` is
/// DHWIO [kd][kh][kw][inC][outC]; `bias` and `residual` may be null.
/// A layer with one temporal tap, stride 1 and no temporal padding runs as
/// the conv2d of the batch * D frames.
inline cudaError_t conv3d(const Conv3dParams &p, const float *in,
                          const float *filter, const float *bias,
                          const float *residual, float *out,
                          cudaStream_t stream) {
  if (!isValid(p) || !in || !filter || !out)
    return cudaErrorInvalidValue;
  if (p.kernelD == 1 && p.strideD == 1 && p.padFront == 0 && p.inD == p.outD) {
    Conv2dParams q = p;
    q.batch = p.batch * p.inD;
    return conv2d(q, in, filter, bias, residual, out, stream);
  }
  if (p.outC <= ConvTileSmall::BN)
    return launchConv2d<ConvTileSmall>(p, in, filter, bias, residual, out,
                                       stream);
  return launchConv2d<ConvTileLarge>(p, in, filter, bias, residual, out,
                                     stream);
}

/// A 3-D pooling window over NDHWC tensors (channel slices as Pool2dParams).
struct Pool3dParams : Pool2dParams {
  int inD = 1, outD = 1;
  int kernelD = 1, strideD = 1;
  int padFront = 0;
};

template <bool kMax>
__global__ void __launch_bounds__(256)
    pool3dKernel(Pool3dParams p, const float *__restrict__ in, float *out) {
  const int64_t count =
      static_cast<int64_t>(p.batch) * p.outD * p.outH * p.outW * p.channels;
  const int64_t inStride = p.inCStride ? p.inCStride : p.channels;
  const int64_t outStride = p.outCStride ? p.outCStride : p.channels;
  for (int64_t idx =
           static_cast<int64_t>(blockIdx.x) * blockDim.x + threadIdx.x;
       idx < count; idx += static_cast<int64_t>(gridDim.x) * blockDim.x) {
    // One 64-bit division for the clip, 32-bit ones within it (64-bit
    // division is a long subroutine on the GPU: it made this kernel spill).
    const int vol = p.outD * p.outH * p.outW;
    int64_t voxel = idx / p.channels;
    int c = static_cast<int>(idx - voxel * p.channels);
    int64_t n = voxel / vol;
    int rem = static_cast<int>(voxel - n * vol);
    int ow = rem % p.outW;
    rem /= p.outW;
    int oh = rem % p.outH;
    int od = rem / p.outH;
    float best = -INFINITY, sum = 0.0f;
    int valid = 0;
    for (int kd = 0; kd < p.kernelD; ++kd) {
      int id = od * p.strideD - p.padFront + kd;
      if (id < 0 || id >= p.inD)
        continue;
      for (int kh = 0; kh < p.kernelH; ++kh) {
        int ih = oh * p.strideH - p.padTop + kh;
        if (ih < 0 || ih >= p.inH)
          continue;
        for (int kw = 0; kw < p.kernelW; ++kw) {
          int iw = ow * p.strideW - p.padLeft + kw;
          if (iw < 0 || iw >= p.inW)
            continue;
          float v =
              in[(((n * p.inD + id) * p.inH + ih) * p.inW + iw) * inStride +
                 p.inCOffset + c];
          best = v > best ? v : best;
          sum += v;
          ++valid;
        }
      }
    }
    out[voxel * outStride + p.outCOffset + c] =
        kMax ? best : (valid ? sum / static_cast<float>(valid) : 0.0f);
  }
}

inline bool isValid(const Pool3dParams &p) {
  return isValid(static_cast<const Pool2dParams &>(p)) && p.inD > 0 &&
         p.outD > 0 && p.kernelD > 0 && p.strideD > 0;
}

template <bool kMax>
cudaError_t launchPool3d(const Pool3dParams &p, const float *in, float *out,
                         cudaStream_t stream) {
  if (!isValid(p) || !in || !out)
    return cudaErrorInvalidValue;
  int64_t count =
      static_cast<int64_t>(p.batch) * p.outD * p.outH * p.outW * p.channels;
  unsigned blocks = blocksFor(count, 256);
  if (blocks > 65535u)
    blocks = 65535u; // grid-stride loop beyond
  return launch(pool3dKernel<kMax>, dim3(blocks), dim3(256), 0, stream, p, in,
                out);
}

/// TF max_pool3d: the max over the in-bounds part of each window.
inline cudaError_t maxPool3d(const Pool3dParams &p, const float *in, float *out,
                             cudaStream_t stream) {
  return launchPool3d<true>(p, in, out, stream);
}

/// TF avg_pool3d: the mean over the in-bounds part of each window.
inline cudaError_t avgPool3d(const Pool3dParams &p, const float *in, float *out,
                             cudaStream_t stream) {
  return launchPool3d<false>(p, in, out, stream);
}

} // namespace cuda
} // namespace slim

#endif // SLIM_CUDA_CONV3D_CUH
