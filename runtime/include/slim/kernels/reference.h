//===- slim/kernels/reference.h - Plain-loop oracle kernels -----*- C++ -*-===//
//
// Straight transcriptions of the TensorFlow / TF-Slim definitions on the
// user-visible layouts: activations NHWC, conv weights HWIO
// [kh, kw, Cin, Cout], depthwise weights [kh, kw, Cin, multiplier],
// fully_connected weights [Cin, Cout]. No blocking, no threads, sums in
// double. They are the oracle of the kernel tests and what
// `slimc --kernels=reference` emits calls to.
//
//===----------------------------------------------------------------------===//
#ifndef SLIM_KERNELS_REFERENCE_H
#define SLIM_KERNELS_REFERENCE_H

#include "slim/kernels/common.h"
#include "slim/kernels/elementwise.h"
#include "slim/kernels/reduce.h"

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <limits>
#include <vector>

namespace slim {
namespace kernels {
namespace ref {

/// out = act(conv(in, w) + bias + residual), TF conv2d with explicit pads
/// and dilation (TF's `rate`). `bias` and `residual` may be null; the
/// residual is dense NHWC with outC channels; the output is written at
/// channels [outCOffset, outCOffset + outC) of a tensor with outCTotal
/// channels.
inline void conv2d(const Conv2DParams &p, const float *in, const float *w,
                   const float *bias, const float *residual, float *out) {
  int64_t outCTotal = p.outCTotal ? p.outCTotal : p.outC;
  for (int64_t n = 0; n < p.batch; ++n)
    for (int64_t oh = 0; oh < p.outH; ++oh)
      for (int64_t ow = 0; ow < p.outW; ++ow)
        for (int64_t oc = 0; oc < p.outC; ++oc) {
          double acc = bias ? bias[oc] : 0.0;
          for (int kh = 0; kh < p.kernelH; ++kh) {
            int64_t ih = oh * p.strideH - p.padTop + kh * p.dilationH;
            if (ih < 0 || ih >= p.inH)
              continue;
            for (int kw = 0; kw < p.kernelW; ++kw) {
              int64_t iw = ow * p.strideW - p.padLeft + kw * p.dilationW;
              if (iw < 0 || iw >= p.inW)
                continue;
              const float *x = in + ((n * p.inH + ih) * p.inW + iw) * p.inC;
              const float *wk = w + (kh * p.kernelW + kw) * p.inC * p.outC;
              for (int64_t ic = 0; ic < p.inC; ++ic)
                acc += static_cast<double>(x[ic]) * wk[ic * p.outC + oc];
            }
          }
          int64_t pix = (n * p.outH + oh) * p.outW + ow;
          if (residual)
            acc += residual[pix * p.outC + oc];
          out[pix * outCTotal + p.outCOffset + oc] =
              activate(p.act, static_cast<float>(acc));
        }
}

/// TF depthwise_conv2d: output channel c * multiplier + m reads input
/// channel c with filter w[kh, kw, c, m].
inline void depthwiseConv2d(const Conv2DParams &p, const float *in,
                            const float *w, const float *bias,
                            const float *residual, float *out) {
  int64_t mult = p.depthMultiplier;
  int64_t outCTotal = p.outCTotal ? p.outCTotal : p.outC;
  for (int64_t n = 0; n < p.batch; ++n)
    for (int64_t oh = 0; oh < p.outH; ++oh)
      for (int64_t ow = 0; ow < p.outW; ++ow)
        for (int64_t oc = 0; oc < p.inC * mult; ++oc) {
          int64_t ic = oc / mult, m = oc % mult;
          double acc = bias ? bias[oc] : 0.0;
          for (int kh = 0; kh < p.kernelH; ++kh) {
            int64_t ih = oh * p.strideH - p.padTop + kh * p.dilationH;
            if (ih < 0 || ih >= p.inH)
              continue;
            for (int kw = 0; kw < p.kernelW; ++kw) {
              int64_t iw = ow * p.strideW - p.padLeft + kw * p.dilationW;
              if (iw < 0 || iw >= p.inW)
                continue;
              acc += static_cast<double>(
                         in[((n * p.inH + ih) * p.inW + iw) * p.inC + ic]) *
                     w[((kh * p.kernelW + kw) * p.inC + ic) * mult + m];
            }
          }
          int64_t pix = (n * p.outH + oh) * p.outW + ow;
          if (residual)
            acc += residual[pix * p.outC + oc];
          out[pix * outCTotal + p.outCOffset + oc] =
              activate(p.act, static_cast<float>(acc));
        }
}

/// TF-Slim fully_connected on the last axis: y = act(x W + bias + residual),
/// x [m, k] (row stride ldx), W [k, n], y [m, n] (row stride ldy).
inline void fullyConnected(const FullyConnectedParams &p, const float *x,
                           const float *w, const float *bias,
                           const float *residual, float *y) {
  int64_t ldx = p.ldx ? p.ldx : p.k, ldy = p.ldy ? p.ldy : p.n;
  int64_t ldr = p.ldr ? p.ldr : p.n;
  for (int64_t i = 0; i < p.m; ++i)
    for (int64_t j = 0; j < p.n; ++j) {
      double acc = bias ? bias[j] : 0.0;
      for (int64_t l = 0; l < p.k; ++l)
        acc += static_cast<double>(x[i * ldx + l]) * w[l * p.n + j];
      if (residual)
        acc += residual[i * ldr + j];
      y[i * ldy + j] = activate(p.act, static_cast<float>(acc));
    }
}

/// TF max_pool: the max over the in-bounds part of each window.
inline void maxPool2d(const Pool2DParams &p, const float *in, float *out) {
  int64_t outCTotal = p.outCTotal ? p.outCTotal : p.channels;
  for (int64_t n = 0; n < p.batch; ++n)
    for (int64_t oh = 0; oh < p.outH; ++oh)
      for (int64_t ow = 0; ow < p.outW; ++ow)
        for (int64_t c = 0; c < p.channels; ++c) {
          float best = -std::numeric_limits<float>::infinity();
          for (int kh = 0; kh < p.kernelH; ++kh) {
            int64_t ih = oh * p.strideH - p.padTop + kh;
            if (ih < 0 || ih >= p.inH)
              continue;
            for (int kw = 0; kw < p.kernelW; ++kw) {
              int64_t iw = ow * p.strideW - p.padLeft + kw;
              if (iw < 0 || iw >= p.inW)
                continue;
              best = std::max(
                  best, in[((n * p.inH + ih) * p.inW + iw) * p.channels + c]);
            }
          }
          out[((n * p.outH + oh) * p.outW + ow) * outCTotal + p.outCOffset +
              c] = best;
        }
}

/// TF avg_pool: the mean over the in-bounds part of each window, i.e. the
/// divisor counts valid elements only (with SAME padding the border windows
/// divide by less than kh * kw).
inline void avgPool2d(const Pool2DParams &p, const float *in, float *out) {
  int64_t outCTotal = p.outCTotal ? p.outCTotal : p.channels;
  for (int64_t n = 0; n < p.batch; ++n)
    for (int64_t oh = 0; oh < p.outH; ++oh)
      for (int64_t ow = 0; ow < p.outW; ++ow)
        for (int64_t c = 0; c < p.channels; ++c) {
          double sum = 0.0;
          int count = 0;
          for (int kh = 0; kh < p.kernelH; ++kh) {
            int64_t ih = oh * p.strideH - p.padTop + kh;
            if (ih < 0 || ih >= p.inH)
              continue;
            for (int kw = 0; kw < p.kernelW; ++kw) {
              int64_t iw = ow * p.strideW - p.padLeft + kw;
              if (iw < 0 || iw >= p.inW)
                continue;
              sum += in[((n * p.inH + ih) * p.inW + iw) * p.channels + c];
              ++count;
            }
          }
          out[((n * p.outH + oh) * p.outW + ow) * outCTotal + p.outCOffset +
              c] = count ? static_cast<float>(sum / count) : 0.0f;
        }
}

/// reduce_mean over H and W (TF-Slim nets' global pool): [n,h,w,c] -> [n,c].
inline void globalAvgPool(int64_t batch, int64_t h, int64_t w, int64_t c,
                          const float *in, float *out) {
  for (int64_t n = 0; n < batch; ++n)
    for (int64_t ch = 0; ch < c; ++ch) {
      double sum = 0.0;
      for (int64_t i = 0; i < h * w; ++i)
        sum += in[(n * h * w + i) * c + ch];
      out[n * c + ch] = static_cast<float>(sum / static_cast<double>(h * w));
    }
}

/// y = act(a + b), elementwise over `count` floats.
inline void add(const float *a, const float *b, float *y, int64_t count,
                Activation act = Activation::None) {
  for (int64_t i = 0; i < count; ++i)
    y[i] = activate(act, a[i] + b[i]);
}

/// y = act(x + bias[c]) on a tensor whose last axis has `c` channels.
inline void biasActivation(const float *x, const float *bias, float *y,
                           int64_t outer, int64_t c, Activation act) {
  for (int64_t i = 0; i < outer; ++i)
    for (int64_t ch = 0; ch < c; ++ch)
      y[i * c + ch] = activate(act, x[i * c + ch] + (bias ? bias[ch] : 0.0f));
}

/// TF-Slim batch_norm at inference (moving statistics), unfolded:
/// y = gamma * (x - mean) / sqrt(var + eps) + beta. Null gamma means
/// scale=False (gamma = 1), null beta means center=False (beta = 0).
inline void batchNorm(const float *x, float *y, int64_t outer, int64_t c,
                      const float *gamma, const float *beta, const float *mean,
                      const float *variance, float epsilon) {
  for (int64_t i = 0; i < outer; ++i)
    for (int64_t ch = 0; ch < c; ++ch) {
      float inv = 1.0f / std::sqrt(variance[ch] + epsilon);
      float v = (x[i * c + ch] - mean[ch]) * inv;
      y[i * c + ch] = v * (gamma ? gamma[ch] : 1.0f) + (beta ? beta[ch] : 0.0f);
    }
}

/// tf.concat along the last axis: `outer` rows, source s contributes
/// srcC[s] channels per row.
inline void concatChannels(int64_t outer, int numSrc, const float *const *srcs,
                           const int64_t *srcC, float *dst) {
  int64_t total = 0;
  for (int s = 0; s < numSrc; ++s)
    total += srcC[s];
  for (int64_t i = 0; i < outer; ++i) {
    int64_t off = 0;
    for (int s = 0; s < numSrc; ++s) {
      for (int64_t ch = 0; ch < srcC[s]; ++ch)
        dst[i * total + off + ch] = srcs[s][i * srcC[s] + ch];
      off += srcC[s];
    }
  }
}

/// Softmax over the last axis of a [rows, cols] tensor, with the max
/// subtracted first as tf.nn.softmax does.
inline void softmax(const float *x, float *y, int64_t rows, int64_t cols) {
  for (int64_t r = 0; r < rows; ++r) {
    const float *xr = x + r * cols;
    float *yr = y + r * cols;
    float mx = -std::numeric_limits<float>::infinity();
    for (int64_t j = 0; j < cols; ++j)
      mx = std::max(mx, xr[j]);
    double sum = 0.0;
    for (int64_t j = 0; j < cols; ++j)
      sum += std::exp(static_cast<double>(xr[j]) - mx);
    for (int64_t j = 0; j < cols; ++j)
      yr[j] =
          static_cast<float>(std::exp(static_cast<double>(xr[j]) - mx) / sum);
  }
}

/// TF binary arithmetic with NumPy broadcasting: y = a op b for shapes of
/// equal rank (the shorter left-padded with 1s), each dimension of a and b
/// 1 or y's. Element by element through the multi-index.
inline void binary(Binary k, const float *a, const int64_t *aShape,
                   const float *b, const int64_t *bShape, float *y,
                   const int64_t *yShape, int rank) {
  int64_t count = 1;
  for (int d = 0; d < rank; ++d)
    count *= yShape[d];
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
    y[i] = applyBinary(k, a[ia], b[ib]);
  }
}

/// y = x op s, or s op x when `scalarFirst`, over `count` floats.
inline void binaryScalar(Binary k, const float *x, float s, bool scalarFirst,
                         float *y, int64_t count) {
  for (int64_t i = 0; i < count; ++i)
    y[i] = scalarFirst ? applyBinary(k, s, x[i]) : applyBinary(k, x[i], s);
}

/// A standalone activation (tf.nn.*) over `count` floats; `alpha` is
/// leaky_relu's slope.
inline void pointwise(Pointwise f, float alpha, const float *x, float *y,
                      int64_t count) {
  for (int64_t i = 0; i < count; ++i)
    y[i] = applyPointwise(f, alpha, x[i]);
}

/// tf.nn.lrn over the last axis of [outer, c]: y = x * (bias + alpha *
/// sum of squares over [c - r, c + r]) ^ -beta, the sum in double.
inline void lrn(const float *x, float *y, int64_t outer, int64_t c,
                int64_t radius, float bias, float alpha, float beta) {
  for (int64_t i = 0; i < outer; ++i)
    for (int64_t ch = 0; ch < c; ++ch) {
      double sum = 0.0;
      for (int64_t j = std::max<int64_t>(0, ch - radius);
           j <= std::min<int64_t>(c - 1, ch + radius); ++j) {
        double v = x[i * c + j];
        sum += v * v;
      }
      double t = static_cast<double>(bias) + static_cast<double>(alpha) * sum;
      y[i * c + ch] = static_cast<float>(
          x[i * c + ch] * std::pow(t, -static_cast<double>(beta)));
    }
}

/// tf.tile: y's axis d has in[d] * multiples[d] elements, element i being
/// x's i % in[d]; element by element through the multi-index.
inline void tile(const float *x, const int64_t *in, const int64_t *multiples,
                 int rank, float *y) {
  int64_t count = 1;
  for (int d = 0; d < rank; ++d)
    count *= in[d] * multiples[d];
  for (int64_t i = 0; i < count; ++i) {
    int64_t rest = i, src = 0, scale = 1;
    for (int d = rank - 1; d >= 0; --d) {
      int64_t outDim = in[d] * multiples[d];
      src += (rest % outDim % in[d]) * scale;
      rest /= outDim;
      scale *= in[d];
    }
    y[i] = x[src];
  }
}

/// tf.reduce_sum / mean / max over the axes with a nonzero `reduced` entry
/// of a [shape] tensor (rank `rank`); y holds the kept axes in order.
/// Every input element is added into its output through the multi-index.
inline void reduce(Reduce kind, const float *x, const int64_t *shape,
                   const int *reduced, int rank, float *y) {
  int64_t count = 1, outputs = 1;
  for (int d = 0; d < rank; ++d) {
    count *= shape[d];
    if (!reduced[d])
      outputs *= shape[d];
  }
  int64_t perOutput = outputs ? count / outputs : 0;
  std::vector<double> acc(
      outputs,
      kind == Reduce::Max ? -std::numeric_limits<double>::infinity() : 0.0);
  for (int64_t i = 0; i < count; ++i) {
    int64_t rest = i, o = 0, scale = 1;
    for (int d = rank - 1; d >= 0; --d) {
      int64_t idx = rest % shape[d];
      rest /= shape[d];
      if (!reduced[d]) {
        o += idx * scale;
        scale *= shape[d];
      }
    }
    if (kind == Reduce::Max)
      acc[o] = std::max<double>(acc[o], x[i]);
    else
      acc[o] += x[i];
  }
  for (int64_t o = 0; o < outputs; ++o)
    y[o] = static_cast<float>(kind == Reduce::Mean
                                  ? acc[o] / static_cast<double>(perOutput)
                                  : acc[o]);
}

} // namespace ref
} // namespace kernels
} // namespace slim

#endif // SLIM_KERNELS_REFERENCE_H
