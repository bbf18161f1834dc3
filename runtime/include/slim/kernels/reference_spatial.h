//===- slim/kernels/reference_spatial.h - Oracle spatial kernels -*- C++ -*-=//
//
// The reference (plain loop, NHWC, sums in double) kernels of the spatial
// ops: transposed convolution, tf.pad's three modes, resizing, strided
// slicing, instance and group normalization. Like reference.h, they transcribe
// the TensorFlow definitions and are the oracle of the fast and CUDA kernels'
// tests and what `slimc --kernels=reference` calls.
//
//===----------------------------------------------------------------------===//
#ifndef SLIM_KERNELS_REFERENCE_SPATIAL_H
#define SLIM_KERNELS_REFERENCE_SPATIAL_H

#include "slim/kernels/spatial_common.h"

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <vector>

namespace slim {
namespace kernels {
namespace ref {

/// TF conv2d_transpose: each output element sums input pixel x tap over the
/// taps that reach it, then the fused epilogue (null bias/scale/shift: none).
inline void conv2dTranspose(const Conv2DTransposeParams &p, const float *in,
                            const float *w, const float *bias,
                            const float *scale, const float *shift,
                            float *out) {
  for (int64_t n = 0; n < p.batch; ++n)
    for (int64_t oy = 0; oy < p.outH; ++oy)
      for (int64_t ox = 0; ox < p.outW; ++ox)
        for (int64_t oc = 0; oc < p.outC; ++oc) {
          double acc = 0.0;
          for (int ky = 0; ky < p.kernelH; ++ky) {
            int64_t ty = oy + p.padTop - ky;
            if (ty < 0 || ty % p.strideH || ty / p.strideH >= p.inH)
              continue;
            int64_t iy = ty / p.strideH;
            for (int kx = 0; kx < p.kernelW; ++kx) {
              int64_t tx = ox + p.padLeft - kx;
              if (tx < 0 || tx % p.strideW || tx / p.strideW >= p.inW)
                continue;
              int64_t ix = tx / p.strideW;
              const float *x = in + ((n * p.inH + iy) * p.inW + ix) * p.inC;
              const float *wk =
                  w + ((ky * p.kernelW + kx) * p.outC + oc) * p.inC;
              for (int64_t ic = 0; ic < p.inC; ++ic)
                acc += static_cast<double>(x[ic]) * wk[ic];
            }
          }
          float v = static_cast<float>(acc);
          if (bias)
            v += bias[oc];
          if (scale)
            v = v * scale[oc] + shift[oc];
          out[((n * p.outH + oy) * p.outW + ox) * p.outC + oc] =
              activate(p.act, v);
        }
}

/// tf.pad of a dense row-major tensor of `rank` <= kMaxRank dimensions
/// `dims`; padding[2 d] / padding[2 d + 1] elements before / after
/// dimension d; `value` fills Constant padding.
inline void pad(const float *x, float *y, int rank, const int64_t *dims,
                const int64_t *padding, PadMode mode, float value) {
  int64_t out[kMaxRank], total = 1;
  for (int d = 0; d < rank; ++d) {
    out[d] = dims[d] + padding[2 * d] + padding[2 * d + 1];
    total *= out[d];
  }
  for (int64_t i = 0; i < total; ++i) {
    int64_t rest = i, src = 0, stride = 1;
    bool inside = true;
    for (int d = rank - 1; d >= 0; --d) {
      int64_t o = rest % out[d];
      rest /= out[d];
      int64_t s = padSource(o, padding[2 * d], dims[d], static_cast<int>(mode));
      inside = inside && s >= 0;
      src += s * stride;
      stride *= dims[d];
    }
    y[i] = inside ? x[src] : value;
  }
}

/// TF's ResizeNearestNeighbor (bilinear = false) or ResizeBilinear on
/// NHWC [n, inH, inW, c] -> [n, outH, outW, c].
inline void resize(const float *x, float *y, int64_t n, int64_t inH,
                   int64_t inW, int64_t c, int64_t outH, int64_t outW,
                   bool bilinear, bool alignCorners, bool halfPixelCenters) {
  float sh = resizeScale(inH, outH, alignCorners);
  float sw = resizeScale(inW, outW, alignCorners);
  for (int64_t b = 0; b < n; ++b)
    for (int64_t oy = 0; oy < outH; ++oy)
      for (int64_t ox = 0; ox < outW; ++ox) {
        float *dst = y + ((b * outH + oy) * outW + ox) * c;
        if (!bilinear) {
          int64_t iy =
              nearestSource(oy, sh, inH, alignCorners, halfPixelCenters);
          int64_t ix =
              nearestSource(ox, sw, inW, alignCorners, halfPixelCenters);
          const float *src = x + ((b * inH + iy) * inW + ix) * c;
          for (int64_t ch = 0; ch < c; ++ch)
            dst[ch] = src[ch];
          continue;
        }
        int64_t y0, y1, x0, x1;
        float ly, lx;
        bilinearSource(oy, sh, inH, halfPixelCenters, y0, y1, ly);
        bilinearSource(ox, sw, inW, halfPixelCenters, x0, x1, lx);
        const float *tl = x + ((b * inH + y0) * inW + x0) * c;
        const float *tr = x + ((b * inH + y0) * inW + x1) * c;
        const float *bl = x + ((b * inH + y1) * inW + x0) * c;
        const float *br = x + ((b * inH + y1) * inW + x1) * c;
        for (int64_t ch = 0; ch < c; ++ch)
          dst[ch] = bilinearBlend(tl[ch], tr[ch], bl[ch], br[ch], lx, ly);
      }
}

/// Strided slice of a dense row-major tensor: output element (i_0, ...)
/// is input element (begin[d] + i_d * strides[d])_d.
inline void stridedSlice(const float *x, float *y, int rank,
                         const int64_t *dims, const int64_t *begin,
                         const int64_t *strides, const int64_t *outDims) {
  int64_t total = 1;
  for (int d = 0; d < rank; ++d)
    total *= outDims[d];
  for (int64_t i = 0; i < total; ++i) {
    int64_t rest = i, src = 0, stride = 1;
    for (int d = rank - 1; d >= 0; --d) {
      int64_t o = rest % outDims[d];
      rest /= outDims[d];
      src += (begin[d] + o * strides[d]) * stride;
      stride *= dims[d];
    }
    y[i] = x[src];
  }
}

/// TF-Slim instance_norm on [n, spatial, c] (every axis between the first
/// and the last flattened): nn.moments over the spatial axis, then
/// nn.batch_normalization's x * inv + (beta - mean * inv) with
/// inv = gamma / sqrt(variance + epsilon). Null beta / gamma: 0 / 1.
inline void instanceNorm(const float *x, float *y, int64_t n, int64_t spatial,
                         int64_t c, const float *beta, const float *gamma,
                         float epsilon) {
  for (int64_t b = 0; b < n; ++b)
    for (int64_t ch = 0; ch < c; ++ch) {
      const float *xc = x + b * spatial * c + ch;
      double sum = 0.0;
      for (int64_t i = 0; i < spatial; ++i)
        sum += xc[i * c];
      double mean = sum / static_cast<double>(spatial);
      double sq = 0.0;
      for (int64_t i = 0; i < spatial; ++i) {
        double d = xc[i * c] - mean;
        sq += d * d;
      }
      double variance = sq / static_cast<double>(spatial);
      double inv = (gamma ? gamma[ch] : 1.0) / std::sqrt(variance + epsilon);
      double offset = (beta ? beta[ch] : 0.0) - mean * inv;
      float *yc = y + b * spatial * c + ch;
      for (int64_t i = 0; i < spatial; ++i)
        yc[i * c] = static_cast<float>(xc[i * c] * inv + offset);
    }
}

/// TF-Slim group_norm of a row-major tensor of `rank` `dims`: element e's
/// statistic is its index on the axes neither reduced (bit a of
/// `reducedMask`) nor `channelAxis`, and its channel's group; mean and
/// variance as nn.moments (or, `onePass`, nn.sufficient_statistics and
/// nn.normalize_moments), then x * inv + (beta - mean * inv) with
/// inv = gamma / sqrt(variance + epsilon). Null beta / gamma: 0 / 1.
inline void groupNorm(const float *x, float *y, int rank, const int64_t *dims,
                      int channelAxis, unsigned reducedMask, int64_t groups,
                      const float *beta, const float *gamma, float epsilon,
                      bool onePass) {
  int64_t total = 1, kept = 1;
  for (int a = 0; a < rank; ++a) {
    total *= dims[a];
    if (a != channelAxis && !((reducedMask >> a) & 1u))
      kept *= dims[a];
  }
  const int64_t perGroup = dims[channelAxis] / groups;
  // Statistic and channel of each element, by decoding its index.
  std::vector<int64_t> stat(total), chan(total);
  for (int64_t e = 0; e < total; ++e) {
    int64_t rest = e, k = 0, kScale = 1, c = 0;
    for (int a = rank - 1; a >= 0; --a) {
      int64_t i = rest % dims[a];
      rest /= dims[a];
      if (a == channelAxis) {
        c = i;
      } else if (!((reducedMask >> a) & 1u)) {
        k += i * kScale;
        kScale *= dims[a];
      }
    }
    chan[e] = c;
    stat[e] = k * groups + c / perGroup;
  }
  std::vector<double> sum(kept * groups, 0.0), sq(kept * groups, 0.0);
  const double count = static_cast<double>(total / (kept * groups));
  for (int64_t e = 0; e < total; ++e) {
    sum[stat[e]] += x[e];
    sq[stat[e]] += static_cast<double>(x[e]) * x[e];
  }
  for (double &m : sum)
    m /= count;
  if (!onePass) {
    std::fill(sq.begin(), sq.end(), 0.0);
    for (int64_t e = 0; e < total; ++e) {
      double d = x[e] - sum[stat[e]];
      sq[stat[e]] += d * d;
    }
  }
  for (int64_t e = 0; e < total; ++e) {
    double mean = sum[stat[e]];
    double variance =
        onePass ? sq[stat[e]] / count - mean * mean : sq[stat[e]] / count;
    double inv = (gamma ? gamma[chan[e]] : 1.0) / std::sqrt(variance + epsilon);
    double offset = (beta ? beta[chan[e]] : 0.0) - mean * inv;
    y[e] = static_cast<float>(x[e] * inv + offset);
  }
}

} // namespace ref
} // namespace kernels
} // namespace slim

#endif // SLIM_KERNELS_REFERENCE_SPATIAL_H
