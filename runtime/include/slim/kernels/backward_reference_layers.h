//===- slim/kernels/backward_reference_layers.h - More gradients -*- C++ -*-=//
//
// The backward (vector-Jacobian) kernels of the remaining layer ops of
// reference.h and reference_spatial.h: broadcasting arithmetic, softmax,
// reduce_max, frozen batch norm, lrn, tile, strided slice, resize,
// conv2d_transpose, instance and group norm. Same conventions as
// backward_reference.h (which includes this file): plain loops, NHWC, sums
// in double, no threads; each kernel takes the gradient `dy` of the forward
// op's output and writes (not adds) the gradient of one input. Each follows
// the gradient TensorFlow 2.12 registers for the op (math_grad.py,
// nn_grad.py, array_grad.py, image_grad.py), including its tie rules.
//
//===----------------------------------------------------------------------===//
#ifndef SLIM_KERNELS_BACKWARD_REFERENCE_LAYERS_H
#define SLIM_KERNELS_BACKWARD_REFERENCE_LAYERS_H

#include "slim/kernels/common.h"
#include "slim/kernels/elementwise.h"
#include "slim/kernels/reduce.h"
#include "slim/kernels/sampling.h"
#include "slim/kernels/spatial_common.h"

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <vector>

namespace slim {
namespace kernels {
namespace ref {

//===----------------------------------------------------------------------===//
// Elementwise arithmetic
//===----------------------------------------------------------------------===//

/// The two partial derivatives of `a k b` at (a, b), as TF's gradients of
/// Add, Sub, Mul, RealDiv, Maximum and Minimum take them: Maximum's gradient
/// goes to `a` where a >= b (Minimum: a <= b), to `b` elsewhere, so a tie
/// goes wholly to the first operand, as the forward returns it; Div's
/// d/db is (-a / b) / b, in that order.
inline void binaryPartials(Binary k, double a, double b, double &da,
                           double &db) {
  switch (k) {
  case Binary::Add:
    da = 1.0, db = 1.0;
    return;
  case Binary::Sub:
    da = 1.0, db = -1.0;
    return;
  case Binary::Mul:
    da = b, db = a;
    return;
  case Binary::Div:
    da = 1.0 / b, db = -a / b / b;
    return;
  case Binary::Max:
    da = a >= b ? 1.0 : 0.0, db = 1.0 - da;
    return;
  case Binary::Min:
    da = a <= b ? 1.0 : 0.0, db = 1.0 - da;
    return;
  }
  da = db = 0.0;
}

/// ref::binary's backward: da (aShape's size) and db (bShape's) of y = a k b
/// with NumPy broadcasting, each summed over the axes its operand
/// broadcasts along (TF's BroadcastGradientArgs + reduce_sum). Shapes as
/// ref::binary takes them (equal rank, left-padded with 1s). Either output
/// may be null to skip it.
inline void binaryBackward(Binary k, const float *a, const int64_t *aShape,
                           const float *b, const int64_t *bShape,
                           const float *dy, const int64_t *yShape, int rank,
                           float *da, float *db) {
  int64_t count = 1, aCount = 1, bCount = 1;
  for (int d = 0; d < rank; ++d) {
    count *= yShape[d];
    aCount *= aShape[d];
    bCount *= bShape[d];
  }
  std::vector<double> accA(aCount, 0.0), accB(bCount, 0.0);
  for (int64_t i = 0; i < count; ++i) {
    int64_t rest = i, ia = 0, ib = 0, sa = 1, sb = 1;
    for (int d = rank - 1; d >= 0; --d) {
      int64_t idx = rest % yShape[d];
      rest /= yShape[d];
      if (aShape[d] != 1)
        ia += idx * sa;
      if (bShape[d] != 1)
        ib += idx * sb;
      sa *= aShape[d];
      sb *= bShape[d];
    }
    double pa, pb;
    binaryPartials(k, a[ia], b[ib], pa, pb);
    accA[ia] += dy[i] * pa;
    accB[ib] += dy[i] * pb;
  }
  if (da)
    for (int64_t i = 0; i < aCount; ++i)
      da[i] = static_cast<float>(accA[i]);
  if (db)
    for (int64_t i = 0; i < bCount; ++i)
      db[i] = static_cast<float>(accB[i]);
}

/// ref::binaryScalar's backward: dx of y = x k s (s k x when `scalarFirst`)
/// over `count` floats; the number gets no gradient.
inline void binaryScalarBackward(Binary k, const float *x, float s,
                                 bool scalarFirst, const float *dy, float *dx,
                                 int64_t count) {
  for (int64_t i = 0; i < count; ++i) {
    double pa, pb;
    if (scalarFirst) {
      binaryPartials(k, s, x[i], pa, pb);
      dx[i] = static_cast<float>(dy[i] * pb);
    } else {
      binaryPartials(k, x[i], s, pa, pb);
      dx[i] = static_cast<float>(dy[i] * pa);
    }
  }
}

//===----------------------------------------------------------------------===//
// Softmax, reduce_max, tile
//===----------------------------------------------------------------------===//

/// ref::softmax's backward from its output y (TF's SoftmaxGrad):
/// dx = (dy - sum_j dy_j y_j) * y, row by row over [rows, cols].
inline void softmaxBackward(const float *y, const float *dy, int64_t rows,
                            int64_t cols, float *dx) {
  for (int64_t r = 0; r < rows; ++r) {
    const float *yr = y + r * cols, *gr = dy + r * cols;
    double dot = 0.0;
    for (int64_t j = 0; j < cols; ++j)
      dot += static_cast<double>(gr[j]) * yr[j];
    for (int64_t j = 0; j < cols; ++j)
      dx[r * cols + j] = static_cast<float>((gr[j] - dot) * yr[j]);
  }
}

/// ref::reduce's backward for Reduce::Max, from the input x and the output
/// y (TF's _MaxGrad): the elements equal to their output's maximum share
/// its dy equally (dy / number of ties), the others get 0.
inline void reduceMaxBackward(const float *x, const float *y, const float *dy,
                              const int64_t *shape, const int *reduced,
                              int rank, float *dx) {
  int64_t count = 1, outputs = 1;
  for (int d = 0; d < rank; ++d) {
    count *= shape[d];
    if (!reduced[d])
      outputs *= shape[d];
  }
  std::vector<int64_t> out(count), ties(outputs, 0);
  for (int64_t i = 0; i < count; ++i) {
    int64_t rest = i, o = 0, s = 1;
    for (int d = rank - 1; d >= 0; --d) {
      int64_t idx = rest % shape[d];
      rest /= shape[d];
      if (!reduced[d]) {
        o += idx * s;
        s *= shape[d];
      }
    }
    out[i] = o;
    if (x[i] == y[o])
      ++ties[o];
  }
  for (int64_t i = 0; i < count; ++i) {
    int64_t o = out[i];
    dx[i] = x[i] == y[o] ? static_cast<float>(static_cast<double>(dy[o]) /
                                              static_cast<double>(ties[o]))
                         : 0.0f;
  }
}

/// ref::tile's backward: each input element sums the dy of its copies.
inline void tileBackward(const float *dy, const int64_t *in,
                         const int64_t *multiples, int rank, float *dx) {
  int64_t count = 1, inCount = 1;
  for (int d = 0; d < rank; ++d) {
    count *= in[d] * multiples[d];
    inCount *= in[d];
  }
  std::vector<double> acc(inCount, 0.0);
  for (int64_t i = 0; i < count; ++i) {
    int64_t rest = i, src = 0, scale = 1;
    for (int d = rank - 1; d >= 0; --d) {
      int64_t outDim = in[d] * multiples[d];
      src += (rest % outDim % in[d]) * scale;
      rest /= outDim;
      scale *= in[d];
    }
    acc[src] += dy[i];
  }
  for (int64_t i = 0; i < inCount; ++i)
    dx[i] = static_cast<float>(acc[i]);
}

/// ref::stridedSlice's backward (TF's StridedSliceGrad): dy scattered back
/// to the elements it was read from, 0 elsewhere.
inline void stridedSliceBackward(const float *dy, float *dx, int rank,
                                 const int64_t *dims, const int64_t *begin,
                                 const int64_t *strides,
                                 const int64_t *outDims) {
  int64_t total = 1, inTotal = 1;
  for (int d = 0; d < rank; ++d) {
    total *= outDims[d];
    inTotal *= dims[d];
  }
  std::fill(dx, dx + inTotal, 0.0f);
  for (int64_t i = 0; i < total; ++i) {
    int64_t rest = i, src = 0, stride = 1;
    for (int d = rank - 1; d >= 0; --d) {
      int64_t o = rest % outDims[d];
      rest /= outDims[d];
      src += (begin[d] + o * strides[d]) * stride;
      stride *= dims[d];
    }
    dx[src] += dy[i];
  }
}

//===----------------------------------------------------------------------===//
// Normalizations
//===----------------------------------------------------------------------===//

/// ref::batchNorm's backward (batch norm with is_training=False, the moving
/// statistics constants; TF's FusedBatchNormGrad with is_training=False):
/// with inv = 1 / sqrt(variance + eps),
///   dx = dy * gamma * inv,  dgamma = sum dy * (x - mean) * inv,
///   dbeta = sum dy.
/// dx, dgamma, dbeta may each be null; null gamma means 1.
inline void batchNormInferenceBackward(const float *x, const float *dy,
                                       int64_t outer, int64_t c,
                                       const float *gamma, const float *mean,
                                       const float *variance, float epsilon,
                                       float *dx, float *dgamma, float *dbeta) {
  for (int64_t ch = 0; ch < c; ++ch) {
    double inv = 1.0 / std::sqrt(static_cast<double>(variance[ch]) + epsilon);
    double g = gamma ? gamma[ch] : 1.0;
    double sumDy = 0.0, sumDyXhat = 0.0;
    for (int64_t i = 0; i < outer; ++i) {
      double d = dy[i * c + ch];
      sumDy += d;
      sumDyXhat += d * (x[i * c + ch] - static_cast<double>(mean[ch])) * inv;
      if (dx)
        dx[i * c + ch] = static_cast<float>(d * g * inv);
    }
    if (dgamma)
      dgamma[ch] = static_cast<float>(sumDyXhat);
    if (dbeta)
      dbeta[ch] = static_cast<float>(sumDy);
  }
}

/// ref::groupNorm's backward (arguments as the forward's): the statistics
/// are recomputed from x as the forward computes them, then, per statistic
/// with M elements, xhat = (x - mean) * rstd and g = dy * gamma[c],
///   dx = rstd / M * (M g - sum g - xhat * sum g xhat)
/// (mean and variance differentiated; `onePass` is the same function of x,
/// so the same formula), dgamma[c] = sum dy * xhat, dbeta[c] = sum dy over
/// the elements of channel c. dx, dgamma, dbeta may each be null.
inline void groupNormBackward(const float *x, const float *dy, int rank,
                              const int64_t *dims, int channelAxis,
                              unsigned reducedMask, int64_t groups,
                              const float *gamma, float epsilon, bool onePass,
                              float *dx, float *dgamma, float *dbeta) {
  int64_t total = 1, kept = 1;
  for (int a = 0; a < rank; ++a) {
    total *= dims[a];
    if (a != channelAxis && !((reducedMask >> a) & 1u))
      kept *= dims[a];
  }
  const int64_t channels = dims[channelAxis], perGroup = channels / groups;
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
  const int64_t stats = kept * groups;
  const double m = static_cast<double>(total / stats);
  std::vector<double> mean(stats, 0.0), sq(stats, 0.0);
  for (int64_t e = 0; e < total; ++e) {
    mean[stat[e]] += x[e];
    sq[stat[e]] += static_cast<double>(x[e]) * x[e];
  }
  for (double &v : mean)
    v /= m;
  if (!onePass) {
    std::fill(sq.begin(), sq.end(), 0.0);
    for (int64_t e = 0; e < total; ++e) {
      double d = x[e] - mean[stat[e]];
      sq[stat[e]] += d * d;
    }
  }
  std::vector<double> rstd(stats);
  for (int64_t s = 0; s < stats; ++s) {
    double variance = onePass ? sq[s] / m - mean[s] * mean[s] : sq[s] / m;
    rstd[s] = 1.0 / std::sqrt(variance + epsilon);
  }
  std::vector<double> sumG(stats, 0.0), sumGXhat(stats, 0.0);
  std::vector<double> dGamma(channels, 0.0), dBeta(channels, 0.0);
  for (int64_t e = 0; e < total; ++e) {
    int64_t s = stat[e], c = chan[e];
    double xhat = (x[e] - mean[s]) * rstd[s];
    double g = dy[e] * (gamma ? gamma[c] : 1.0);
    sumG[s] += g;
    sumGXhat[s] += g * xhat;
    dGamma[c] += dy[e] * xhat;
    dBeta[c] += dy[e];
  }
  if (dx)
    for (int64_t e = 0; e < total; ++e) {
      int64_t s = stat[e];
      double xhat = (x[e] - mean[s]) * rstd[s];
      double g = dy[e] * (gamma ? gamma[chan[e]] : 1.0);
      dx[e] = static_cast<float>(rstd[s] / m *
                                 (m * g - sumG[s] - xhat * sumGXhat[s]));
    }
  for (int64_t c = 0; c < channels; ++c) {
    if (dgamma)
      dgamma[c] = static_cast<float>(dGamma[c]);
    if (dbeta)
      dbeta[c] = static_cast<float>(dBeta[c]);
  }
}

/// ref::instanceNorm's backward on [n, spatial, c]: group norm with one
/// group per channel over the spatial axis (the same function).
inline void instanceNormBackward(const float *x, const float *dy, int64_t n,
                                 int64_t spatial, int64_t c, const float *gamma,
                                 float epsilon, float *dx, float *dgamma,
                                 float *dbeta) {
  const int64_t dims[3] = {n, spatial, c};
  ref::groupNormBackward(x, dy, 3, dims, 2, 2u, c, gamma, epsilon, false, dx,
                         dgamma, dbeta);
}

/// ref::lrn's backward (TF's LRNGrad): with N_i = bias + alpha * (sum of
/// x_j^2 over the window of i), y_i = x_i N_i^-beta and windows symmetric,
///   dx_k = dy_k N_k^-beta
///          - 2 alpha beta x_k sum_{i in window(k)} dy_i x_i N_i^(-beta-1).
inline void lrnBackward(const float *x, const float *dy, int64_t outer,
                        int64_t c, int64_t radius, float bias, float alpha,
                        float beta, float *dx) {
  std::vector<double> norm(c), t(c);
  for (int64_t i = 0; i < outer; ++i) {
    const float *xr = x + i * c, *gr = dy + i * c;
    for (int64_t ch = 0; ch < c; ++ch) {
      double sum = 0.0;
      for (int64_t j = std::max<int64_t>(0, ch - radius);
           j <= std::min<int64_t>(c - 1, ch + radius); ++j)
        sum += static_cast<double>(xr[j]) * xr[j];
      norm[ch] = static_cast<double>(bias) + static_cast<double>(alpha) * sum;
      // dy_i x_i N_i^(-beta-1), shared by the window's sums below.
      t[ch] = gr[ch] * static_cast<double>(xr[ch]) *
              std::pow(norm[ch], -static_cast<double>(beta) - 1.0);
    }
    for (int64_t k = 0; k < c; ++k) {
      double sum = 0.0;
      for (int64_t j = std::max<int64_t>(0, k - radius);
           j <= std::min<int64_t>(c - 1, k + radius); ++j)
        sum += t[j];
      dx[i * c + k] = static_cast<float>(
          gr[k] * std::pow(norm[k], -static_cast<double>(beta)) -
          2.0 * alpha * beta * xr[k] * sum);
    }
  }
}

//===----------------------------------------------------------------------===//
// Resize and transposed convolution
//===----------------------------------------------------------------------===//

/// ref::resize's backward (TF's ResizeNearestNeighborGrad /
/// ResizeBilinearGrad): each output's dy goes back to the input pixel(s) it
/// read, bilinear ones weighted by the forward's blend weights
/// ((1 - ly)(1 - lx) to the top left, ...), overlapping reads summed.
inline void resizeBackward(const float *dy, float *dx, int64_t n, int64_t inH,
                           int64_t inW, int64_t c, int64_t outH, int64_t outW,
                           bool bilinear, bool alignCorners,
                           bool halfPixelCenters) {
  float sh = resizeScale(inH, outH, alignCorners);
  float sw = resizeScale(inW, outW, alignCorners);
  std::vector<double> acc(n * inH * inW * c, 0.0);
  for (int64_t b = 0; b < n; ++b)
    for (int64_t oy = 0; oy < outH; ++oy)
      for (int64_t ox = 0; ox < outW; ++ox) {
        const float *g = dy + ((b * outH + oy) * outW + ox) * c;
        if (!bilinear) {
          int64_t iy =
              nearestSource(oy, sh, inH, alignCorners, halfPixelCenters);
          int64_t ix =
              nearestSource(ox, sw, inW, alignCorners, halfPixelCenters);
          double *d = acc.data() + ((b * inH + iy) * inW + ix) * c;
          for (int64_t ch = 0; ch < c; ++ch)
            d[ch] += g[ch];
          continue;
        }
        int64_t y0, y1, x0, x1;
        float ly, lx;
        bilinearSource(oy, sh, inH, halfPixelCenters, y0, y1, ly);
        bilinearSource(ox, sw, inW, halfPixelCenters, x0, x1, lx);
        const double wy[2] = {1.0 - ly, ly}, wx[2] = {1.0 - lx, lx};
        const int64_t ys[2] = {y0, y1}, xs[2] = {x0, x1};
        for (int r = 0; r < 2; ++r)
          for (int s = 0; s < 2; ++s) {
            double wgt = wy[r] * wx[s];
            double *d = acc.data() + ((b * inH + ys[r]) * inW + xs[s]) * c;
            for (int64_t ch = 0; ch < c; ++ch)
              d[ch] += g[ch] * wgt;
          }
      }
  for (size_t i = 0; i < acc.size(); ++i)
    dx[i] = static_cast<float>(acc[i]);
}

/// ref::conv2dTranspose's data gradient (p.act None, no epilogue): the
/// forward convolution of dy with the same filter, dx[n, iy, ix, ic] = sum
/// over the taps (ky, kx) and output channels oc of dy[n, iy * strideH -
/// padTop + ky, ix * strideW - padLeft + kx, oc] * w[ky, kx, oc, ic] (taps
/// outside the output contribute nothing).
inline void conv2dTransposeBackwardData(const Conv2DTransposeParams &p,
                                        const float *dy, const float *w,
                                        float *dx) {
  for (int64_t n = 0; n < p.batch; ++n)
    for (int64_t iy = 0; iy < p.inH; ++iy)
      for (int64_t ix = 0; ix < p.inW; ++ix) {
        std::vector<double> acc(p.inC, 0.0);
        for (int ky = 0; ky < p.kernelH; ++ky) {
          int64_t oy = iy * p.strideH - p.padTop + ky;
          if (oy < 0 || oy >= p.outH)
            continue;
          for (int kx = 0; kx < p.kernelW; ++kx) {
            int64_t ox = ix * p.strideW - p.padLeft + kx;
            if (ox < 0 || ox >= p.outW)
              continue;
            const float *g = dy + ((n * p.outH + oy) * p.outW + ox) * p.outC;
            const float *wk = w + (ky * p.kernelW + kx) * p.outC * p.inC;
            for (int64_t oc = 0; oc < p.outC; ++oc)
              for (int64_t ic = 0; ic < p.inC; ++ic)
                acc[ic] += static_cast<double>(g[oc]) * wk[oc * p.inC + ic];
          }
        }
        float *d = dx + ((n * p.inH + iy) * p.inW + ix) * p.inC;
        for (int64_t ic = 0; ic < p.inC; ++ic)
          d[ic] = static_cast<float>(acc[ic]);
      }
}

/// ref::conv2dTranspose's filter gradient: dw[ky, kx, oc, ic] = sum over
/// (n, iy, ix) of x[n, iy, ix, ic] * dy[n, oy, ox, oc] with (oy, ox) as in
/// conv2dTransposeBackwardData.
inline void conv2dTransposeBackwardFilter(const Conv2DTransposeParams &p,
                                          const float *in, const float *dy,
                                          float *dw) {
  std::vector<double> acc(
      static_cast<size_t>(p.kernelH) * p.kernelW * p.outC * p.inC, 0.0);
  for (int64_t n = 0; n < p.batch; ++n)
    for (int64_t iy = 0; iy < p.inH; ++iy)
      for (int64_t ix = 0; ix < p.inW; ++ix) {
        const float *xv = in + ((n * p.inH + iy) * p.inW + ix) * p.inC;
        for (int ky = 0; ky < p.kernelH; ++ky) {
          int64_t oy = iy * p.strideH - p.padTop + ky;
          if (oy < 0 || oy >= p.outH)
            continue;
          for (int kx = 0; kx < p.kernelW; ++kx) {
            int64_t ox = ix * p.strideW - p.padLeft + kx;
            if (ox < 0 || ox >= p.outW)
              continue;
            const float *g = dy + ((n * p.outH + oy) * p.outW + ox) * p.outC;
            double *d = acc.data() + (ky * p.kernelW + kx) * p.outC * p.inC;
            for (int64_t oc = 0; oc < p.outC; ++oc)
              for (int64_t ic = 0; ic < p.inC; ++ic)
                d[oc * p.inC + ic] += static_cast<double>(g[oc]) * xv[ic];
          }
        }
      }
  for (size_t i = 0; i < acc.size(); ++i)
    dw[i] = static_cast<float>(acc[i]);
}

} // namespace ref
} // namespace kernels
} // namespace slim

#endif // SLIM_KERNELS_BACKWARD_REFERENCE_LAYERS_H
