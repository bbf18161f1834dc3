//===- slim/cuda/spatial.cuh - Spatial ops of image-to-image nets -*- C++ -*-=//
//
// conv2d_transpose, tf.pad's three modes, strided slices, TF's nearest and
// bilinear resizing and instance normalization on dense NHWC (row-major)
// tensors. The index arithmetic of pad and resize is slim/kernels/
// sampling.h, the one the CPU kernels use, so both pick the same pixels as
// TensorFlow. Copies and resizes run one thread per output element with the
// innermost axis fastest (coalesced); the transposed convolution gathers
// per output element from weights transposed at load time to
// [kh][kw][Cin][Cout], so a warp's threads (consecutive output channels)
// read consecutive weights; instance norm gives a block to 32 channels of
// one image and reduces its 8 warps' partial sums in shared memory.
//
//===----------------------------------------------------------------------===//
#ifndef SLIM_CUDA_SPATIAL_CUH
#define SLIM_CUDA_SPATIAL_CUH

#include "slim/cuda/device.cuh"
#include "slim/cuda/eltwise.cuh"
#include "slim/kernels/sampling.h"

namespace slim {
namespace cuda {

/// The most dimensions pad and strided slice take.
constexpr int kMaxSpatialRank = 8;

//===----------------------------------------------------------------------===//
// Transposed convolution
//===----------------------------------------------------------------------===//

/// conv2d_transpose + epilogue y = act((sum + bias) * scale + shift). The
/// pads are those of the forward convolution (negative: output the taps do
/// not reach). Filter [kernelH][kernelW][inC][outC] (TF's [.., outC, inC]
/// with the channel axes swapped, see slim::kernels::swapFilterChannels).
struct ConvTranspose2dParams {
  int batch = 1;
  int inH = 0, inW = 0, inC = 0;
  int outH = 0, outW = 0, outC = 0;
  int kernelH = 1, kernelW = 1;
  int strideH = 1, strideW = 1;
  int padTop = 0, padLeft = 0;
  Activation act = Activation::None;
};

template <typename T>
__global__ void __launch_bounds__(kEltwiseThreads)
    convTranspose2dKernel(ConvTranspose2dParams p, const T *__restrict__ x,
                          const T *__restrict__ w, const T *bias,
                          const T *scale, const T *shift, T *__restrict__ y) {
  const int64_t count =
      static_cast<int64_t>(p.batch) * p.outH * p.outW * p.outC;
  for (int64_t i = static_cast<int64_t>(blockIdx.x) * blockDim.x + threadIdx.x;
       i < count; i += static_cast<int64_t>(gridDim.x) * blockDim.x) {
    int oc = static_cast<int>(i % p.outC);
    int64_t pixel = i / p.outC;
    int ox = static_cast<int>(pixel % p.outW);
    int64_t rest = pixel / p.outW;
    int oy = static_cast<int>(rest % p.outH);
    int64_t n = rest / p.outH;
    float acc = 0.0f;
    for (int ky = 0; ky < p.kernelH; ++ky) {
      int ty = oy + p.padTop - ky;
      if (ty < 0 || ty % p.strideH || ty / p.strideH >= p.inH)
        continue;
      int iy = ty / p.strideH;
      for (int kx = 0; kx < p.kernelW; ++kx) {
        int tx = ox + p.padLeft - kx;
        if (tx < 0 || tx % p.strideW || tx / p.strideW >= p.inW)
          continue;
        int ix = tx / p.strideW;
        const T *xp = x + ((n * p.inH + iy) * p.inW + ix) * p.inC;
        const T *wp = w + (static_cast<int64_t>(ky * p.kernelW + kx) * p.inC) *
                              p.outC +
                      oc;
        for (int ic = 0; ic < p.inC; ++ic)
          acc += static_cast<float>(xp[ic]) *
                 static_cast<float>(wp[static_cast<int64_t>(ic) * p.outC]);
      }
    }
    if (bias)
      acc += bias[oc];
    if (scale)
      acc = acc * scale[oc] + shift[oc];
    y[i] = activate(p.act, acc);
  }
}

/// TF conv2d_transpose with its fused epilogue; `bias`, `scale` and `shift`
/// ([outC]) may be null (scale and shift together).
inline cudaError_t convTranspose2d(const ConvTranspose2dParams &p,
                                   const float *x, const float *w,
                                   const float *bias, const float *scale,
                                   const float *shift, float *y,
                                   cudaStream_t stream) {
  if (p.batch <= 0 || p.inH <= 0 || p.inW <= 0 || p.inC <= 0 || p.outH <= 0 ||
      p.outW <= 0 || p.outC <= 0 || p.kernelH <= 0 || p.kernelW <= 0 ||
      p.strideH <= 0 || p.strideW <= 0 || !x || !w || !y ||
      (!scale != !shift))
    return cudaErrorInvalidValue;
  int64_t count = static_cast<int64_t>(p.batch) * p.outH * p.outW * p.outC;
  return launch(convTranspose2dKernel<float>, dim3(eltwiseBlocks(count)),
                dim3(kEltwiseThreads), 0, stream, p, x, w, bias, scale, shift,
                y);
}

//===----------------------------------------------------------------------===//
// Pad and strided slice
//===----------------------------------------------------------------------===//

/// tf.pad of a dense tensor of `rank` dimensions: mode 0 constant (`value`),
/// 1 reflect, 2 symmetric (slim::kernels::PadMode).
struct PadParams {
  int rank = 0;
  int64_t dims[kMaxSpatialRank] = {};
  int64_t before[kMaxSpatialRank] = {};
  int64_t after[kMaxSpatialRank] = {};
  int mode = 0;
  float value = 0.0f;
};

template <typename T>
__global__ void __launch_bounds__(kEltwiseThreads)
    padKernel(PadParams p, const T *__restrict__ x, T *__restrict__ y,
              int64_t count) {
  for (int64_t i = static_cast<int64_t>(blockIdx.x) * blockDim.x + threadIdx.x;
       i < count; i += static_cast<int64_t>(gridDim.x) * blockDim.x) {
    int64_t rest = i, src = 0, stride = 1;
    bool inside = true;
    for (int d = p.rank - 1; d >= 0; --d) {
      int64_t out = p.dims[d] + p.before[d] + p.after[d];
      int64_t s = slim::kernels::padSource(rest % out, p.before[d], p.dims[d],
                                           p.mode);
      rest /= out;
      inside = inside && s >= 0;
      src += s * stride;
      stride *= p.dims[d];
    }
    y[i] = inside ? x[src] : static_cast<T>(p.value);
  }
}

inline cudaError_t pad(const PadParams &p, const float *x, float *y,
                       cudaStream_t stream) {
  if (p.rank < 1 || p.rank > kMaxSpatialRank || p.mode < 0 || p.mode > 2 ||
      !x || !y)
    return cudaErrorInvalidValue;
  int64_t count = 1;
  for (int d = 0; d < p.rank; ++d) {
    if (p.dims[d] <= 0 || p.before[d] < 0 || p.after[d] < 0 ||
        (p.mode == 1 && (p.before[d] >= p.dims[d] || p.after[d] >= p.dims[d])) ||
        (p.mode == 2 && (p.before[d] > p.dims[d] || p.after[d] > p.dims[d])))
      return cudaErrorInvalidValue;
    count *= p.dims[d] + p.before[d] + p.after[d];
  }
  return launch(padKernel<float>, dim3(eltwiseBlocks(count)),
                dim3(kEltwiseThreads), 0, stream, p, x, y, count);
}

/// Output element (i_d) of a strided slice is input element
/// (begin[d] + i_d * strides[d]).
struct StridedSliceParams {
  int rank = 0;
  int64_t dims[kMaxSpatialRank] = {};
  int64_t begin[kMaxSpatialRank] = {};
  int64_t strides[kMaxSpatialRank] = {};
  int64_t out[kMaxSpatialRank] = {};
};

template <typename T>
__global__ void __launch_bounds__(kEltwiseThreads)
    stridedSliceKernel(StridedSliceParams p, const T *__restrict__ x,
                       T *__restrict__ y, int64_t count) {
  for (int64_t i = static_cast<int64_t>(blockIdx.x) * blockDim.x + threadIdx.x;
       i < count; i += static_cast<int64_t>(gridDim.x) * blockDim.x) {
    int64_t rest = i, src = 0, stride = 1;
    for (int d = p.rank - 1; d >= 0; --d) {
      src += (p.begin[d] + (rest % p.out[d]) * p.strides[d]) * stride;
      rest /= p.out[d];
      stride *= p.dims[d];
    }
    y[i] = x[src];
  }
}

inline cudaError_t stridedSlice(const StridedSliceParams &p, const float *x,
                                float *y, cudaStream_t stream) {
  if (p.rank < 1 || p.rank > kMaxSpatialRank || !x || !y)
    return cudaErrorInvalidValue;
  int64_t count = 1;
  for (int d = 0; d < p.rank; ++d) {
    int64_t last = p.begin[d] + (p.out[d] - 1) * p.strides[d];
    if (p.out[d] <= 0 || p.begin[d] < 0 || p.begin[d] >= p.dims[d] ||
        last < 0 || last >= p.dims[d])
      return cudaErrorInvalidValue;
    count *= p.out[d];
  }
  return launch(stridedSliceKernel<float>, dim3(eltwiseBlocks(count)),
                dim3(kEltwiseThreads), 0, stream, p, x, y, count);
}

//===----------------------------------------------------------------------===//
// Resize
//===----------------------------------------------------------------------===//

/// TF's ResizeNearestNeighbor (bilinear = false) / ResizeBilinear on NHWC.
struct ResizeParams {
  int batch = 1;
  int inH = 0, inW = 0, channels = 0;
  int outH = 0, outW = 0;
  bool bilinear = false;
  bool alignCorners = false;
  bool halfPixelCenters = false;
};

template <typename T>
__global__ void __launch_bounds__(kEltwiseThreads)
    resizeKernel(ResizeParams p, float scaleH, float scaleW,
                 const T *__restrict__ x, T *__restrict__ y) {
  namespace k = slim::kernels;
  const int64_t count =
      static_cast<int64_t>(p.batch) * p.outH * p.outW * p.channels;
  for (int64_t i = static_cast<int64_t>(blockIdx.x) * blockDim.x + threadIdx.x;
       i < count; i += static_cast<int64_t>(gridDim.x) * blockDim.x) {
    int c = static_cast<int>(i % p.channels);
    int64_t pixel = i / p.channels;
    int ox = static_cast<int>(pixel % p.outW);
    int64_t rest = pixel / p.outW;
    int oy = static_cast<int>(rest % p.outH);
    int64_t n = rest / p.outH;
    const T *img = x + n * p.inH * p.inW * p.channels + c;
    if (!p.bilinear) {
      int64_t iy = k::nearestSource(oy, scaleH, p.inH, p.alignCorners,
                                    p.halfPixelCenters);
      int64_t ix = k::nearestSource(ox, scaleW, p.inW, p.alignCorners,
                                    p.halfPixelCenters);
      y[i] = img[(iy * p.inW + ix) * p.channels];
      continue;
    }
    int64_t y0, y1, x0, x1;
    float ly, lx;
    k::bilinearSource(oy, scaleH, p.inH, p.halfPixelCenters, y0, y1, ly);
    k::bilinearSource(ox, scaleW, p.inW, p.halfPixelCenters, x0, x1, lx);
    y[i] = k::bilinearBlend(img[(y0 * p.inW + x0) * p.channels],
                            img[(y0 * p.inW + x1) * p.channels],
                            img[(y1 * p.inW + x0) * p.channels],
                            img[(y1 * p.inW + x1) * p.channels], lx, ly);
  }
}

inline cudaError_t resize(const ResizeParams &p, const float *x, float *y,
                          cudaStream_t stream) {
  if (p.batch <= 0 || p.inH <= 0 || p.inW <= 0 || p.channels <= 0 ||
      p.outH <= 0 || p.outW <= 0 || (p.alignCorners && p.halfPixelCenters) ||
      !x || !y)
    return cudaErrorInvalidValue;
  int64_t count = static_cast<int64_t>(p.batch) * p.outH * p.outW * p.channels;
  return launch(resizeKernel<float>, dim3(eltwiseBlocks(count)),
                dim3(kEltwiseThreads), 0, stream, p,
                slim::kernels::resizeScale(p.inH, p.outH, p.alignCorners),
                slim::kernels::resizeScale(p.inW, p.outW, p.alignCorners), x,
                y);
}

//===----------------------------------------------------------------------===//
// Instance norm
//===----------------------------------------------------------------------===//

/// Channels per block (a warp's lanes) and warps splitting the pixels.
constexpr int kNormChannels = 32, kNormWarps = 8;

/// Sums the block's kNormWarps partial sums of each channel (lane) through
/// shared memory; every thread gets its channel's total.
__device__ __forceinline__ float blockChannelSum(float partial, float *smem) {
  const int lane = threadIdx.x % 32, warp = threadIdx.x / 32;
  smem[warp * kNormChannels + lane] = partial;
  __syncthreads();
  float total = 0.0f;
  for (int w = 0; w < kNormWarps; ++w)
    total += smem[w * kNormChannels + lane];
  __syncthreads(); // smem is reused by the next sum
  return total;
}

template <typename T>
__global__ void __launch_bounds__(32 * kNormWarps)
    instanceNormKernel(const T *__restrict__ x, T *__restrict__ y,
                       int64_t spatial, int channels, const T *beta,
                       const T *gamma, float epsilon) {
  SLIM_DYNAMIC_SHARED(float, smem);
  const int lane = threadIdx.x % 32, warp = threadIdx.x / 32;
  const int64_t n = blockIdx.y;
  const int c = blockIdx.x * kNormChannels + lane;
  const bool real = c < channels;
  const T *xp = x + n * spatial * channels + c;
  T *yp = y + n * spatial * channels + c;
  float sum = 0.0f;
  if (real)
    for (int64_t i = warp; i < spatial; i += kNormWarps)
      sum += static_cast<float>(xp[i * channels]);
  const float mean = blockChannelSum(sum, smem) / static_cast<float>(spatial);
  float sq = 0.0f;
  if (real)
    for (int64_t i = warp; i < spatial; i += kNormWarps) {
      float d = static_cast<float>(xp[i * channels]) - mean;
      sq += d * d;
    }
  const float variance =
      blockChannelSum(sq, smem) / static_cast<float>(spatial);
  if (!real)
    return;
  float inv = (gamma ? static_cast<float>(gamma[c]) : 1.0f) *
              (1.0f / sqrtf(variance + epsilon));
  float offset = (beta ? static_cast<float>(beta[c]) : 0.0f) - mean * inv;
  for (int64_t i = warp; i < spatial; i += kNormWarps)
    yp[i * channels] = static_cast<float>(xp[i * channels]) * inv + offset;
}

/// TF-Slim instance_norm of `batch` images of `spatial` pixels x `channels`
/// (NHWC); beta / gamma ([channels]) may be null (0 / 1).
inline cudaError_t instanceNorm(const float *x, float *y, int batch,
                                int64_t spatial, int channels,
                                const float *beta, const float *gamma,
                                float epsilon, cudaStream_t stream) {
  if (batch <= 0 || batch > 65535 || spatial <= 0 || channels <= 0 || !x ||
      !y || !(epsilon > 0.0f))
    return cudaErrorInvalidValue;
  dim3 grid(blocksFor(channels, kNormChannels), batch);
  return launch(instanceNormKernel<float>, grid, dim3(32 * kNormWarps),
                sizeof(float) * kNormChannels * kNormWarps, stream, x, y,
                spatial, channels, beta, gamma, epsilon);
}

} // namespace cuda
} // namespace slim

#endif // SLIM_CUDA_SPATIAL_CUH
