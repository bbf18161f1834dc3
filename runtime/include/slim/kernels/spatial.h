//===- slim/kernels/spatial.h - Pad, slice, resize, instance norm -*- C++ -*-=//
//
// The fast kernels of the memory-bound spatial ops, split over the thread
// pool. Each works on a dense row-major view whose innermost axis is
// contiguous, which serves both layouts: a blocked [N][Cb][H][W][kVec]
// tensor is the dense [N, Cb, H, W, kVec] (pads and slices of N, H and W)
// or, for resizing, [N * Cb, H, W, kVec] images of kVec channels. The
// generated code passes the view; the lanes past C of a blocked tensor are
// zero in and stay zero out (pads that fill with a non-zero constant
// re-zero them with zeroPaddingLanes).
//
//===----------------------------------------------------------------------===//
#ifndef SLIM_KERNELS_SPATIAL_H
#define SLIM_KERNELS_SPATIAL_H

#include "slim/kernels/spatial_common.h"
#include "slim/parallel.h"

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <cstring>

namespace slim {
namespace kernels {
namespace detail {

/// Work items of at least this many floats each.
inline constexpr int64_t kSpatialGrainFloats = 4096;

inline int64_t spatialGrain(int64_t rowFloats) {
  return std::max<int64_t>(1, kSpatialGrainFloats / std::max<int64_t>(
                                                        rowFloats, 1));
}

struct PadCtx {
  const float *x;
  float *y;
  int rank;
  const int64_t *dims, *padding;
  int64_t out[kMaxRank];
  int mode;
  float value;
};

/// Output rows (every index but the last) [begin, end).
inline void padTask(void *ctx, int64_t begin, int64_t end) {
  const PadCtx &c = *static_cast<const PadCtx *>(ctx);
  const int last = c.rank - 1;
  const int64_t n = c.dims[last], before = c.padding[2 * last];
  const int64_t outN = c.out[last];
  for (int64_t row = begin; row < end; ++row) {
    float *y = c.y + row * outN;
    int64_t rest = row, src = 0, stride = n;
    bool inside = true;
    for (int d = last - 1; d >= 0; --d) {
      int64_t o = rest % c.out[d];
      rest /= c.out[d];
      int64_t s = padSource(o, c.padding[2 * d], c.dims[d], c.mode);
      inside = inside && s >= 0;
      src += s * stride;
      stride *= c.dims[d];
    }
    if (!inside) {
      std::fill(y, y + outN, c.value);
      continue;
    }
    const float *x = c.x + src;
    for (int64_t o = 0; o < before; ++o) {
      int64_t s = padSource(o, before, n, c.mode);
      y[o] = s >= 0 ? x[s] : c.value;
    }
    std::memcpy(y + before, x, sizeof(float) * n);
    for (int64_t o = before + n; o < outN; ++o) {
      int64_t s = padSource(o, before, n, c.mode);
      y[o] = s >= 0 ? x[s] : c.value;
    }
  }
}

struct SliceCtx {
  const float *x;
  float *y;
  int rank;
  const int64_t *begin, *strides, *outDims;
  int64_t inStride[kMaxRank];
};

inline void sliceTask(void *ctx, int64_t begin, int64_t end) {
  const SliceCtx &c = *static_cast<const SliceCtx *>(ctx);
  const int last = c.rank - 1;
  const int64_t outN = c.outDims[last], step = c.strides[last];
  for (int64_t row = begin; row < end; ++row) {
    float *y = c.y + row * outN;
    int64_t rest = row, src = c.begin[last];
    for (int d = last - 1; d >= 0; --d) {
      int64_t o = rest % c.outDims[d];
      rest /= c.outDims[d];
      src += (c.begin[d] + o * c.strides[d]) * c.inStride[d];
    }
    const float *x = c.x + src;
    if (step == 1) {
      std::memcpy(y, x, sizeof(float) * outN);
      continue;
    }
    for (int64_t o = 0; o < outN; ++o)
      y[o] = x[o * step];
  }
}

struct ResizeCtx {
  const float *x;
  float *y;
  int64_t inH, inW, lanes, outH, outW;
  float scaleH, scaleW;
  bool bilinear, alignCorners, halfPixelCenters;
};

/// Output rows (plane, oy) [begin, end).
inline void resizeTask(void *ctx, int64_t begin, int64_t end) {
  const ResizeCtx &c = *static_cast<const ResizeCtx *>(ctx);
  const int64_t L = c.lanes;
  for (int64_t row = begin; row < end; ++row) {
    int64_t oy = row % c.outH, plane = row / c.outH;
    const float *img = c.x + plane * c.inH * c.inW * L;
    float *y = c.y + row * c.outW * L;
    if (!c.bilinear) {
      int64_t iy =
          nearestSource(oy, c.scaleH, c.inH, c.alignCorners, c.halfPixelCenters);
      const float *src = img + iy * c.inW * L;
      for (int64_t ox = 0; ox < c.outW; ++ox) {
        int64_t ix = nearestSource(ox, c.scaleW, c.inW, c.alignCorners,
                                   c.halfPixelCenters);
        std::memcpy(y + ox * L, src + ix * L, sizeof(float) * L);
      }
      continue;
    }
    int64_t y0, y1;
    float ly;
    bilinearSource(oy, c.scaleH, c.inH, c.halfPixelCenters, y0, y1, ly);
    const float *top = img + y0 * c.inW * L, *bottom = img + y1 * c.inW * L;
    for (int64_t ox = 0; ox < c.outW; ++ox) {
      int64_t x0, x1;
      float lx;
      bilinearSource(ox, c.scaleW, c.inW, c.halfPixelCenters, x0, x1, lx);
      const float *tl = top + x0 * L, *tr = top + x1 * L;
      const float *bl = bottom + x0 * L, *br = bottom + x1 * L;
      float *dst = y + ox * L;
      for (int64_t l = 0; l < L; ++l)
        dst[l] = bilinearBlend(tl[l], tr[l], bl[l], br[l], lx, ly);
    }
  }
}

/// Channels whose statistics one instance-norm work item gathers at once.
inline constexpr int64_t kNormLanes = 64;

struct InstanceNormCtx {
  const float *x;
  float *y;
  int64_t spatial, c, vec, cb, chunks;
  const float *beta, *gamma;
  float epsilon;
};

/// Items [begin, end) of (image, channel chunk): a dense image's channels
/// in chunks of kNormLanes, or one block of a blocked image.
inline void instanceNormTask(void *ctx, int64_t begin, int64_t end) {
  const InstanceNormCtx &c = *static_cast<const InstanceNormCtx *>(ctx);
  double sum[kNormLanes], sq[kNormLanes];
  float inv[kNormLanes], offset[kNormLanes];
  for (int64_t item = begin; item < end; ++item) {
    int64_t img = item / c.chunks, chunk = item % c.chunks;
    // The plane [spatial][stride] this item reads, its lanes [0, lanes),
    // and the channel of lane 0.
    const float *x;
    float *y;
    int64_t stride, lanes, c0;
    if (c.vec) {
      stride = c.vec;
      lanes = c.vec;
      c0 = chunk * c.vec;
      int64_t off = (img * c.cb + chunk) * c.spatial * c.vec;
      x = c.x + off;
      y = c.y + off;
    } else {
      stride = c.c;
      c0 = chunk * kNormLanes;
      lanes = std::min(kNormLanes, c.c - c0);
      x = c.x + img * c.spatial * c.c + c0;
      y = c.y + img * c.spatial * c.c + c0;
    }
    for (int64_t l = 0; l < lanes; ++l)
      sum[l] = sq[l] = 0.0;
    for (int64_t i = 0; i < c.spatial; ++i)
      for (int64_t l = 0; l < lanes; ++l)
        sum[l] += x[i * stride + l];
    for (int64_t l = 0; l < lanes; ++l)
      sum[l] /= static_cast<double>(c.spatial);
    for (int64_t i = 0; i < c.spatial; ++i)
      for (int64_t l = 0; l < lanes; ++l) {
        double d = x[i * stride + l] - sum[l];
        sq[l] += d * d;
      }
    for (int64_t l = 0; l < lanes; ++l) {
      int64_t ch = c0 + l;
      if (ch >= c.c) { // padding lane of a blocked tensor
        inv[l] = offset[l] = 0.0f;
        continue;
      }
      double variance = sq[l] / static_cast<double>(c.spatial);
      double s =
          (c.gamma ? c.gamma[ch] : 1.0) / std::sqrt(variance + c.epsilon);
      inv[l] = static_cast<float>(s);
      offset[l] = static_cast<float>((c.beta ? c.beta[ch] : 0.0) - sum[l] * s);
    }
    for (int64_t i = 0; i < c.spatial; ++i)
      for (int64_t l = 0; l < lanes; ++l)
        y[i * stride + l] = x[i * stride + l] * inv[l] + offset[l];
  }
}

} // namespace detail

/// tf.pad of a dense row-major tensor (rank <= kMaxRank): padding[2 d] and
/// padding[2 d + 1] elements before and after dimension d.
inline void padNd(const float *x, float *y, int rank, const int64_t *dims,
                  const int64_t *padding, PadMode mode, float value,
                  const slim_parallel *par) {
  detail::PadCtx c{x, y, rank, dims, padding, {}, static_cast<int>(mode),
                   value};
  int64_t rows = 1;
  for (int d = 0; d < rank; ++d) {
    c.out[d] = dims[d] + padding[2 * d] + padding[2 * d + 1];
    if (d < rank - 1)
      rows *= c.out[d];
  }
  slim_parallel_run(par, rows, detail::spatialGrain(c.out[rank - 1]),
                    detail::padTask, &c);
}

/// Strided slice of a dense row-major tensor: output element (i_d) is input
/// element (begin[d] + i_d * strides[d]).
inline void stridedSliceNd(const float *x, float *y, int rank,
                           const int64_t *dims, const int64_t *begin,
                           const int64_t *strides, const int64_t *outDims,
                           const slim_parallel *par) {
  detail::SliceCtx c{x, y, rank, begin, strides, outDims, {}};
  int64_t stride = 1, rows = 1;
  for (int d = rank - 1; d >= 0; --d) {
    c.inStride[d] = stride;
    stride *= dims[d];
    if (d < rank - 1)
      rows *= outDims[d];
  }
  slim_parallel_run(par, rows, detail::spatialGrain(outDims[rank - 1]),
                    detail::sliceTask, &c);
}

/// TF's ResizeNearestNeighbor / ResizeBilinear on `planes` images of
/// [inH][inW][lanes] (NHWC: planes = N, lanes = C; blocked: planes = N * Cb,
/// lanes = kVec).
inline void resizeImage(const float *x, float *y, int64_t planes, int64_t inH,
                        int64_t inW, int64_t lanes, int64_t outH, int64_t outW,
                        bool bilinear, bool alignCorners,
                        bool halfPixelCenters, const slim_parallel *par) {
  detail::ResizeCtx c{x,
                      y,
                      inH,
                      inW,
                      lanes,
                      outH,
                      outW,
                      resizeScale(inH, outH, alignCorners),
                      resizeScale(inW, outW, alignCorners),
                      bilinear,
                      alignCorners,
                      halfPixelCenters};
  slim_parallel_run(par, planes * outH, detail::spatialGrain(outW * lanes),
                    detail::resizeTask, &c);
}

/// TF-Slim instance_norm of n images of `spatial` pixels and c channels,
/// dense NHWC (vec = 0) or blocked [n][ceil(c/vec)][spatial][vec]; null
/// beta / gamma are 0 / 1. Statistics in double, as the reference.
inline void instanceNorm(const float *x, float *y, int64_t n, int64_t spatial,
                         int64_t c, int64_t vec, const float *beta,
                         const float *gamma, float epsilon,
                         const slim_parallel *par) {
  detail::InstanceNormCtx ctx;
  ctx.x = x;
  ctx.y = y;
  ctx.spatial = spatial;
  ctx.c = c;
  ctx.vec = vec;
  ctx.cb = vec ? (c + vec - 1) / vec : 0;
  ctx.chunks = vec ? ctx.cb : (c + detail::kNormLanes - 1) / detail::kNormLanes;
  ctx.beta = beta;
  ctx.gamma = gamma;
  ctx.epsilon = epsilon;
  slim_parallel_run(par, n * ctx.chunks, 1, detail::instanceNormTask, &ctx);
}

} // namespace kernels
} // namespace slim

#endif // SLIM_KERNELS_SPATIAL_H
