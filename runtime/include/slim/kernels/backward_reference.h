//===- slim/kernels/backward_reference.h - Plain-loop gradients -*- C++ -*-===//
//
// The backward (vector-Jacobian) kernels of the ops in reference.h and
// reference_spatial.h, for the training step of issue 15. Same conventions
// as the forward oracle: NHWC activations, HWIO conv weights, the same
// Conv2DParams / Pool2DParams (so the pads are the forward op's pads, TF's
// SAME split included, and dilation is honoured), sums in double, no
// threads, no blocking.
//
// Every kernel takes the gradient of the loss with respect to the forward
// op's output (`dy`, dense, the forward output's shape) and writes (or, for
// the `*Accumulate` ones, adds into) the gradient with respect to one input.
// A fused epilogue is not differentiated here: the caller first runs
// activationBackward on dy, then biasBackward, then the op's own backward.
// So these kernels require p.act == None and dense outputs (outCOffset 0,
// outCTotal 0 or outC); concat's split is concatChannelsBackward.
//
// Nothing calls these yet: they are the groundwork for the autodiff pass
// (docs/kernels.md, "Backward and optimizer kernels").
//
//===----------------------------------------------------------------------===//
#ifndef SLIM_KERNELS_BACKWARD_REFERENCE_H
#define SLIM_KERNELS_BACKWARD_REFERENCE_H

#include "slim/kernels/backward_reference3d.h"
#include "slim/kernels/backward_reference_layers.h"
#include "slim/kernels/common.h"
#include "slim/kernels/reduce.h"
#include "slim/kernels/sampling.h"
#include "slim/kernels/spatial_common.h"

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <limits>
#include <vector>

namespace slim {
namespace kernels {
namespace ref {

//===----------------------------------------------------------------------===//
// Activations
//===----------------------------------------------------------------------===//

/// dx = dy * f'(x) for the standalone activation `f` (and, through the equal
/// enum values, the epilogue Activation), from the pre-activation input x.
/// At the kinks it follows TF's gradient kernels: ReluGrad passes where
/// x > 0 (0 at x == 0), Relu6Grad where 0 < x < 6, LeakyReluGrad uses
/// alpha where x <= 0, EluGrad / SeluGrad take the x > 0 branch only for
/// x > 0 (their x <= 0 branch is continuous there for elu: exp(0) = 1).
/// Sigmoid and tanh use y(1 - y) and 1 - y^2 of the recomputed output, as
/// TF's SigmoidGrad / TanhGrad do from the forward output.
inline void pointwiseBackward(Pointwise f, float alpha, const float *x,
                              const float *dy, float *dx, int64_t count) {
  for (int64_t i = 0; i < count; ++i) {
    double v = x[i], d = 1.0;
    switch (f) {
    case Pointwise::None:
      break;
    case Pointwise::Relu:
      d = v > 0.0 ? 1.0 : 0.0;
      break;
    case Pointwise::Relu6:
      d = v > 0.0 && v < 6.0 ? 1.0 : 0.0;
      break;
    case Pointwise::Sigmoid: {
      double y = 1.0 / (1.0 + std::exp(-v));
      d = y * (1.0 - y);
      break;
    }
    case Pointwise::Tanh: {
      double y = std::tanh(v);
      d = 1.0 - y * y;
      break;
    }
    case Pointwise::Elu:
      d = v > 0.0 ? 1.0 : std::exp(v);
      break;
    case Pointwise::Softplus:
      d = 1.0 / (1.0 + std::exp(-v)); // sigmoid(x)
      break;
    case Pointwise::LeakyRelu:
      d = v > 0.0 ? 1.0 : alpha;
      break;
    case Pointwise::Selu: {
      constexpr double kScale = 1.0507009873554804934193349852946;
      constexpr double kAlpha = 1.6732632423543772848170429916717;
      d = v > 0.0 ? kScale : kScale * kAlpha * std::exp(v);
      break;
    }
    }
    dx[i] = static_cast<float>(dy[i] * d);
  }
}

/// The epilogue activation's backward: pointwiseBackward on the equal enum.
inline void activationBackward(Activation act, const float *x, const float *dy,
                               float *dx, int64_t count) {
  ref::pointwiseBackward(static_cast<Pointwise>(act), 0.0f, x, dy, dx, count);
}

//===----------------------------------------------------------------------===//
// Bias, add, mean
//===----------------------------------------------------------------------===//

/// TF BiasAddGrad: db[c] = sum over the `outer` rows of dy[row, c].
inline void biasBackward(const float *dy, int64_t outer, int64_t c, float *db) {
  for (int64_t ch = 0; ch < c; ++ch) {
    double sum = 0.0;
    for (int64_t i = 0; i < outer; ++i)
      sum += dy[i * c + ch];
    db[ch] = static_cast<float>(sum);
  }
}

/// The gradient of one operand of a broadcasting add (ref::binary with
/// Binary::Add; also of the bias in biasActivation): dy of shape yShape
/// summed over every axis where the operand's dimension is 1 and y's is
/// not, as TF's BroadcastGradientArgs + reduce_sum do. `xShape` has the
/// same rank as yShape (left-padded with 1s); dx has xShape's size.
inline void broadcastBackward(const float *dy, const int64_t *yShape,
                              const int64_t *xShape, int rank, float *dx) {
  int64_t count = 1, xCount = 1;
  for (int d = 0; d < rank; ++d) {
    count *= yShape[d];
    xCount *= xShape[d];
  }
  std::vector<double> acc(xCount, 0.0);
  for (int64_t i = 0; i < count; ++i) {
    int64_t rest = i, ix = 0, sx = 1;
    for (int d = rank - 1; d >= 0; --d) {
      int64_t idx = rest % yShape[d];
      rest /= yShape[d];
      if (xShape[d] != 1)
        ix += idx * sx;
      sx *= xShape[d];
    }
    acc[ix] += dy[i];
  }
  for (int64_t i = 0; i < xCount; ++i)
    dx[i] = static_cast<float>(acc[i]);
}

/// globalAvgPool's backward (reduce_mean over H and W): every input pixel
/// of channel c gets dy[n, c] / (h * w). dx is [n, h, w, c].
inline void globalAvgPoolBackward(int64_t batch, int64_t h, int64_t w,
                                  int64_t c, const float *dy, float *dx) {
  double inv = 1.0 / static_cast<double>(h * w);
  for (int64_t n = 0; n < batch; ++n)
    for (int64_t i = 0; i < h * w; ++i)
      for (int64_t ch = 0; ch < c; ++ch)
        dx[(n * h * w + i) * c + ch] = static_cast<float>(dy[n * c + ch] * inv);
}

/// ref::reduce's backward for Reduce::Sum and Reduce::Mean: each input
/// element gets the dy of the output it was added into, divided by the
/// number of elements per output for Mean. (Reduce::Max is not covered.)
inline void reduceBackward(Reduce kind, const float *dy, const int64_t *shape,
                           const int *reduced, int rank, float *dx) {
  int64_t count = 1, outputs = 1;
  for (int d = 0; d < rank; ++d) {
    count *= shape[d];
    if (!reduced[d])
      outputs *= shape[d];
  }
  double scale = kind == Reduce::Mean && outputs
                     ? static_cast<double>(outputs) / static_cast<double>(count)
                     : 1.0;
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
    dx[i] = static_cast<float>(dy[o] * scale);
  }
}

//===----------------------------------------------------------------------===//
// Convolutions and fully connected
//===----------------------------------------------------------------------===//

/// TF Conv2DBackpropInput for ref::conv2d: dx[n, ih, iw, ic] = sum over the
/// (oh, ow, kh, kw, oc) with ih = oh * strideH - padTop + kh * dilationH
/// (likewise w) of dy[n, oh, ow, oc] * w[kh, kw, ic, oc]. Input pixels no
/// window reaches (VALID with a stride that skips the tail) get 0.
inline void conv2dBackwardData(const Conv2DParams &p, const float *dy,
                               const float *w, float *dx) {
  std::vector<double> acc(p.batch * p.inH * p.inW * p.inC, 0.0);
  for (int64_t n = 0; n < p.batch; ++n)
    for (int64_t oh = 0; oh < p.outH; ++oh)
      for (int64_t ow = 0; ow < p.outW; ++ow) {
        const float *g = dy + ((n * p.outH + oh) * p.outW + ow) * p.outC;
        for (int kh = 0; kh < p.kernelH; ++kh) {
          int64_t ih = oh * p.strideH - p.padTop + kh * p.dilationH;
          if (ih < 0 || ih >= p.inH)
            continue;
          for (int kw = 0; kw < p.kernelW; ++kw) {
            int64_t iw = ow * p.strideW - p.padLeft + kw * p.dilationW;
            if (iw < 0 || iw >= p.inW)
              continue;
            double *d = acc.data() + ((n * p.inH + ih) * p.inW + iw) * p.inC;
            const float *wk = w + (kh * p.kernelW + kw) * p.inC * p.outC;
            for (int64_t ic = 0; ic < p.inC; ++ic)
              for (int64_t oc = 0; oc < p.outC; ++oc)
                d[ic] += static_cast<double>(g[oc]) * wk[ic * p.outC + oc];
          }
        }
      }
  for (size_t i = 0; i < acc.size(); ++i)
    dx[i] = static_cast<float>(acc[i]);
}

/// TF Conv2DBackpropFilter for ref::conv2d: dw[kh, kw, ic, oc] = sum over
/// (n, oh, ow) of x[n, ih, iw, ic] * dy[n, oh, ow, oc], with (ih, iw) as in
/// conv2dBackwardData; padded taps contribute nothing.
inline void conv2dBackwardFilter(const Conv2DParams &p, const float *in,
                                 const float *dy, float *dw) {
  std::vector<double> acc(
      static_cast<size_t>(p.kernelH) * p.kernelW * p.inC * p.outC, 0.0);
  for (int64_t n = 0; n < p.batch; ++n)
    for (int64_t oh = 0; oh < p.outH; ++oh)
      for (int64_t ow = 0; ow < p.outW; ++ow) {
        const float *g = dy + ((n * p.outH + oh) * p.outW + ow) * p.outC;
        for (int kh = 0; kh < p.kernelH; ++kh) {
          int64_t ih = oh * p.strideH - p.padTop + kh * p.dilationH;
          if (ih < 0 || ih >= p.inH)
            continue;
          for (int kw = 0; kw < p.kernelW; ++kw) {
            int64_t iw = ow * p.strideW - p.padLeft + kw * p.dilationW;
            if (iw < 0 || iw >= p.inW)
              continue;
            const float *x = in + ((n * p.inH + ih) * p.inW + iw) * p.inC;
            double *d = acc.data() + (kh * p.kernelW + kw) * p.inC * p.outC;
            for (int64_t ic = 0; ic < p.inC; ++ic)
              for (int64_t oc = 0; oc < p.outC; ++oc)
                d[ic * p.outC + oc] += static_cast<double>(x[ic]) * g[oc];
          }
        }
      }
  for (size_t i = 0; i < acc.size(); ++i)
    dw[i] = static_cast<float>(acc[i]);
}

/// DepthwiseConv2dNativeBackpropInput for ref::depthwiseConv2d: input
/// channel c collects dy of output channels c * multiplier + m through
/// w[kh, kw, c, m].
inline void depthwiseConv2dBackwardData(const Conv2DParams &p, const float *dy,
                                        const float *w, float *dx) {
  int64_t mult = p.depthMultiplier, outC = p.inC * mult;
  std::vector<double> acc(p.batch * p.inH * p.inW * p.inC, 0.0);
  for (int64_t n = 0; n < p.batch; ++n)
    for (int64_t oh = 0; oh < p.outH; ++oh)
      for (int64_t ow = 0; ow < p.outW; ++ow)
        for (int kh = 0; kh < p.kernelH; ++kh) {
          int64_t ih = oh * p.strideH - p.padTop + kh * p.dilationH;
          if (ih < 0 || ih >= p.inH)
            continue;
          for (int kw = 0; kw < p.kernelW; ++kw) {
            int64_t iw = ow * p.strideW - p.padLeft + kw * p.dilationW;
            if (iw < 0 || iw >= p.inW)
              continue;
            for (int64_t oc = 0; oc < outC; ++oc) {
              int64_t ic = oc / mult, m = oc % mult;
              acc[((n * p.inH + ih) * p.inW + iw) * p.inC + ic] +=
                  static_cast<double>(
                      dy[((n * p.outH + oh) * p.outW + ow) * outC + oc]) *
                  w[((kh * p.kernelW + kw) * p.inC + ic) * mult + m];
            }
          }
        }
  for (size_t i = 0; i < acc.size(); ++i)
    dx[i] = static_cast<float>(acc[i]);
}

/// DepthwiseConv2dNativeBackpropFilter for ref::depthwiseConv2d:
/// dw[kh, kw, c, m] = sum over (n, oh, ow) of x[.., c] * dy[.., c * mult + m].
inline void depthwiseConv2dBackwardFilter(const Conv2DParams &p,
                                          const float *in, const float *dy,
                                          float *dw) {
  int64_t mult = p.depthMultiplier, outC = p.inC * mult;
  std::vector<double> acc(static_cast<size_t>(p.kernelH) * p.kernelW * outC,
                          0.0);
  for (int64_t n = 0; n < p.batch; ++n)
    for (int64_t oh = 0; oh < p.outH; ++oh)
      for (int64_t ow = 0; ow < p.outW; ++ow)
        for (int kh = 0; kh < p.kernelH; ++kh) {
          int64_t ih = oh * p.strideH - p.padTop + kh * p.dilationH;
          if (ih < 0 || ih >= p.inH)
            continue;
          for (int kw = 0; kw < p.kernelW; ++kw) {
            int64_t iw = ow * p.strideW - p.padLeft + kw * p.dilationW;
            if (iw < 0 || iw >= p.inW)
              continue;
            for (int64_t oc = 0; oc < outC; ++oc)
              acc[(kh * p.kernelW + kw) * outC + oc] +=
                  static_cast<double>(
                      in[((n * p.inH + ih) * p.inW + iw) * p.inC + oc / mult]) *
                  dy[((n * p.outH + oh) * p.outW + ow) * outC + oc];
          }
        }
  for (size_t i = 0; i < acc.size(); ++i)
    dw[i] = static_cast<float>(acc[i]);
}

/// ref::fullyConnected's backward (MatMul's two gradients) on dense rows
/// (p.ldx, p.ldy 0 or k, n): dx = dy W^T [m, k] and dW = x^T dy [k, n].
/// Either output may be null to skip it.
inline void fullyConnectedBackward(const FullyConnectedParams &p,
                                   const float *x, const float *w,
                                   const float *dy, float *dx, float *dw) {
  if (dx)
    for (int64_t i = 0; i < p.m; ++i)
      for (int64_t l = 0; l < p.k; ++l) {
        double acc = 0.0;
        for (int64_t j = 0; j < p.n; ++j)
          acc += static_cast<double>(dy[i * p.n + j]) * w[l * p.n + j];
        dx[i * p.k + l] = static_cast<float>(acc);
      }
  if (dw)
    for (int64_t l = 0; l < p.k; ++l)
      for (int64_t j = 0; j < p.n; ++j) {
        double acc = 0.0;
        for (int64_t i = 0; i < p.m; ++i)
          acc += static_cast<double>(x[i * p.k + l]) * dy[i * p.n + j];
        dw[l * p.n + j] = static_cast<float>(acc);
      }
}

//===----------------------------------------------------------------------===//
// Pooling
//===----------------------------------------------------------------------===//

/// TF MaxPoolGrad for ref::maxPool2d: each dy[n, oh, ow, c] goes, whole, to
/// one input element of its window: the first maximum in row-major window
/// order (kh outer, kw inner), padded positions never chosen. That is TF's
/// CPU tie-break (its argmax helper replaces only on a strictly greater
/// value; checked against tf.raw_ops.MaxPoolGrad 2.12 in
/// backward_test.cpp). Overlapping windows add up.
inline void maxPool2dBackward(const Pool2DParams &p, const float *in,
                              const float *dy, float *dx) {
  std::vector<double> acc(p.batch * p.inH * p.inW * p.channels, 0.0);
  for (int64_t n = 0; n < p.batch; ++n)
    for (int64_t oh = 0; oh < p.outH; ++oh)
      for (int64_t ow = 0; ow < p.outW; ++ow)
        for (int64_t c = 0; c < p.channels; ++c) {
          float best = -std::numeric_limits<float>::infinity();
          int64_t arg = -1;
          for (int kh = 0; kh < p.kernelH; ++kh) {
            int64_t ih = oh * p.strideH - p.padTop + kh;
            if (ih < 0 || ih >= p.inH)
              continue;
            for (int kw = 0; kw < p.kernelW; ++kw) {
              int64_t iw = ow * p.strideW - p.padLeft + kw;
              if (iw < 0 || iw >= p.inW)
                continue;
              int64_t idx = ((n * p.inH + ih) * p.inW + iw) * p.channels + c;
              if (arg < 0 || in[idx] > best) {
                best = in[idx];
                arg = idx;
              }
            }
          }
          if (arg >= 0)
            acc[arg] += dy[((n * p.outH + oh) * p.outW + ow) * p.channels + c];
        }
  for (size_t i = 0; i < acc.size(); ++i)
    dx[i] = static_cast<float>(acc[i]);
}

/// TF AvgPoolGrad for ref::avgPool2d: each dy is spread evenly over the
/// in-bounds part of its window, divided by that part's size (the same
/// divisor the forward used, so SAME border windows give more per element).
inline void avgPool2dBackward(const Pool2DParams &p, const float *dy,
                              float *dx) {
  std::vector<double> acc(p.batch * p.inH * p.inW * p.channels, 0.0);
  for (int64_t n = 0; n < p.batch; ++n)
    for (int64_t oh = 0; oh < p.outH; ++oh)
      for (int64_t ow = 0; ow < p.outW; ++ow) {
        int64_t h0 = std::max<int64_t>(0, oh * p.strideH - p.padTop);
        int64_t h1 =
            std::min<int64_t>(p.inH, oh * p.strideH - p.padTop + p.kernelH);
        int64_t w0 = std::max<int64_t>(0, ow * p.strideW - p.padLeft);
        int64_t w1 =
            std::min<int64_t>(p.inW, ow * p.strideW - p.padLeft + p.kernelW);
        int64_t count = (h1 - h0) * (w1 - w0);
        if (count <= 0)
          continue;
        const float *g = dy + ((n * p.outH + oh) * p.outW + ow) * p.channels;
        for (int64_t ih = h0; ih < h1; ++ih)
          for (int64_t iw = w0; iw < w1; ++iw)
            for (int64_t c = 0; c < p.channels; ++c)
              acc[((n * p.inH + ih) * p.inW + iw) * p.channels + c] +=
                  static_cast<double>(g[c]) / static_cast<double>(count);
      }
  for (size_t i = 0; i < acc.size(); ++i)
    dx[i] = static_cast<float>(acc[i]);
}

//===----------------------------------------------------------------------===//
// Concat and pad
//===----------------------------------------------------------------------===//

/// ref::concatChannels' backward: source s's gradient is its srcC[s]
/// channels of each dy row (dy has sum(srcC) channels per row).
inline void concatChannelsBackward(int64_t outer, int numSrc,
                                   const int64_t *srcC, const float *dy,
                                   float *const *dsrcs) {
  int64_t total = 0;
  for (int s = 0; s < numSrc; ++s)
    total += srcC[s];
  for (int64_t i = 0; i < outer; ++i) {
    int64_t off = 0;
    for (int s = 0; s < numSrc; ++s) {
      for (int64_t ch = 0; ch < srcC[s]; ++ch)
        dsrcs[s][i * srcC[s] + ch] = dy[i * total + off + ch];
      off += srcC[s];
    }
  }
}

/// ref::pad's backward (TF's PadGrad = slice for Constant, MirrorPadGrad
/// for Reflect / Symmetric): every output element inside the source adds
/// its dy into the element it copied, so mirrored borders sum into the
/// elements they reflect; constant padding gets no gradient.
inline void padBackward(const float *dy, float *dx, int rank,
                        const int64_t *dims, const int64_t *padding,
                        PadMode mode) {
  int64_t out[kMaxRank], total = 1, inTotal = 1;
  for (int d = 0; d < rank; ++d) {
    out[d] = dims[d] + padding[2 * d] + padding[2 * d + 1];
    total *= out[d];
    inTotal *= dims[d];
  }
  std::vector<double> acc(inTotal, 0.0);
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
    if (inside)
      acc[src] += dy[i];
  }
  for (int64_t i = 0; i < inTotal; ++i)
    dx[i] = static_cast<float>(acc[i]);
}

//===----------------------------------------------------------------------===//
// Batch norm in training mode
//===----------------------------------------------------------------------===//

/// TF-Slim batch_norm with is_training=True on [outer, c] (outer = N*H*W):
/// the batch statistics mean[c] = sum x / outer and the biased variance
/// var[c] = sum (x - mean)^2 / outer (tf.nn.moments; also what
/// FusedBatchNorm normalizes with), then y = gamma (x - mean) / sqrt(var +
/// eps) + beta. Writes batchMean / batchVar (what the moving averages are
/// fed, see movingAverageUpdate) and invStd[c] = 1 / sqrt(var + eps) for
/// the backward. Null gamma / beta mean scale=False / center=False.
inline void batchNormTraining(const float *x, float *y, int64_t outer,
                              int64_t c, const float *gamma, const float *beta,
                              float epsilon, float *batchMean, float *batchVar,
                              float *invStd) {
  for (int64_t ch = 0; ch < c; ++ch) {
    double sum = 0.0;
    for (int64_t i = 0; i < outer; ++i)
      sum += x[i * c + ch];
    double mean = sum / static_cast<double>(outer);
    double sq = 0.0;
    for (int64_t i = 0; i < outer; ++i) {
      double d = x[i * c + ch] - mean;
      sq += d * d;
    }
    double var = sq / static_cast<double>(outer);
    double inv = 1.0 / std::sqrt(var + static_cast<double>(epsilon));
    double g = gamma ? gamma[ch] : 1.0, b = beta ? beta[ch] : 0.0;
    for (int64_t i = 0; i < outer; ++i)
      y[i * c + ch] = static_cast<float>((x[i * c + ch] - mean) * inv * g + b);
    batchMean[ch] = static_cast<float>(mean);
    batchVar[ch] = static_cast<float>(var);
    invStd[ch] = static_cast<float>(inv);
  }
}

/// batchNormTraining's backward, the batch statistics differentiated too
/// (TF's FusedBatchNormGrad with is_training=True). With xhat = (x - mean)
/// * invStd, g = dy * gamma and M = outer:
///   dbeta[c]  = sum dy
///   dgamma[c] = sum dy * xhat
///   dx        = invStd / M * (M g - sum g - xhat * sum g * xhat)
/// dgamma / dbeta may be null (scale / center off); null gamma means 1.
inline void batchNormTrainingBackward(const float *x, const float *dy,
                                      int64_t outer, int64_t c,
                                      const float *gamma,
                                      const float *batchMean,
                                      const float *invStd, float *dx,
                                      float *dgamma, float *dbeta) {
  double m = static_cast<double>(outer);
  for (int64_t ch = 0; ch < c; ++ch) {
    double inv = invStd[ch], mean = batchMean[ch];
    double g = gamma ? gamma[ch] : 1.0;
    double sumDy = 0.0, sumDyXhat = 0.0;
    for (int64_t i = 0; i < outer; ++i) {
      double xhat = (x[i * c + ch] - mean) * inv;
      sumDy += dy[i * c + ch];
      sumDyXhat += dy[i * c + ch] * xhat;
    }
    if (dbeta)
      dbeta[ch] = static_cast<float>(sumDy);
    if (dgamma)
      dgamma[ch] = static_cast<float>(sumDyXhat);
    for (int64_t i = 0; i < outer; ++i) {
      double xhat = (x[i * c + ch] - mean) * inv;
      dx[i * c + ch] = static_cast<float>(
          g * inv / m * (m * dy[i * c + ch] - sumDy - xhat * sumDyXhat));
    }
  }
}

/// TF's assign_moving_average with zero_debias=False (what TF-Slim's
/// batch_norm uses for the moving mean by default and always for the
/// moving variance): moving -= (moving - value) * (1 - decay), in that
/// order, in float, with (1 - decay) computed in double and rounded once
/// (the Python float `1.0 - decay` becomes a float32 tensor). Algebraically
/// moving * decay + value * (1 - decay).
inline void movingAverageUpdate(float *moving, const float *value,
                                int64_t count, double decay) {
  float complement = static_cast<float>(1.0 - decay);
  for (int64_t i = 0; i < count; ++i)
    moving[i] -= (moving[i] - value[i]) * complement;
}

/// The value TF-Slim's batch_norm (its default fused path for 4-D inputs,
/// graph mode) feeds the moving variance: the batch variance with Bessel's
/// correction, var * M / (M - 1) (M = outer; M == 1 leaves it as is). The
/// moving mean is fed the batch mean as is.
inline void besselCorrectVariance(const float *batchVar, int64_t outer,
                                  int64_t c, float *out) {
  double f = outer > 1 ? static_cast<double>(outer) / (outer - 1) : 1.0;
  for (int64_t ch = 0; ch < c; ++ch)
    out[ch] = static_cast<float>(batchVar[ch] * f);
}

//===----------------------------------------------------------------------===//
// Losses and regularizers
//===----------------------------------------------------------------------===//

/// tf.nn.softmax_cross_entropy_with_logits on [rows, cols] with dense
/// labels, after tf.losses.softmax_cross_entropy's label smoothing
/// (labels * (1 - ls) + ls / cols; ls = 0 leaves them as they are):
///   loss[r]        = sum_j t[r, j] * (logsumexp(z[r]) - z[r, j])
///   dlogits[r, j]  = dloss[r] * (softmax(z[r])_j - t[r, j])
/// computed with the row max subtracted (stable for any logits). dlogits
/// (and dloss) may be null for the forward only; the reduction over rows
/// (tf.losses' mean over the batch) is the caller's, through dloss.
/// dlogits is TF's backprop output, the exact gradient when each label row
/// sums to 1 (as smoothing preserves); for other rows it is what TF's
/// SoftmaxCrossEntropyWithLogits returns, not the derivative.
inline void softmaxCrossEntropy(const float *logits, const float *labels,
                                int64_t rows, int64_t cols,
                                float labelSmoothing, float *loss,
                                const float *dloss, float *dlogits) {
  std::vector<double> t(cols), e(cols);
  for (int64_t r = 0; r < rows; ++r) {
    const float *z = logits + r * cols;
    double mx = -std::numeric_limits<double>::infinity();
    for (int64_t j = 0; j < cols; ++j)
      mx = std::max<double>(mx, z[j]);
    double sum = 0.0;
    for (int64_t j = 0; j < cols; ++j) {
      e[j] = std::exp(static_cast<double>(z[j]) - mx);
      sum += e[j];
      t[j] = static_cast<double>(labels[r * cols + j]) *
                 (1.0 - static_cast<double>(labelSmoothing)) +
             static_cast<double>(labelSmoothing) / static_cast<double>(cols);
    }
    double lse = std::log(sum);
    double l = 0.0;
    for (int64_t j = 0; j < cols; ++j)
      l += t[j] * (lse - (static_cast<double>(z[j]) - mx));
    if (loss)
      loss[r] = static_cast<float>(l);
    if (dlogits)
      for (int64_t j = 0; j < cols; ++j)
        dlogits[r * cols + j] =
            static_cast<float>(dloss[r] * (e[j] / sum - t[j]));
  }
}

/// tf.nn.sparse_softmax_cross_entropy_with_logits: label[r] in [0, cols)
/// is the class index; loss[r] = logsumexp(z[r]) - z[r, label[r]] and
/// dlogits[r, j] = dloss[r] * (softmax(z[r])_j - [j == label[r]]). A label
/// out of range gives NaN loss and gradient row (TF's CPU kernel does too;
/// its GPU kernel is not matched).
inline void sparseSoftmaxCrossEntropy(const float *logits, const int64_t *label,
                                      int64_t rows, int64_t cols, float *loss,
                                      const float *dloss, float *dlogits) {
  for (int64_t r = 0; r < rows; ++r) {
    const float *z = logits + r * cols;
    bool valid = label[r] >= 0 && label[r] < cols;
    double mx = -std::numeric_limits<double>::infinity();
    for (int64_t j = 0; j < cols; ++j)
      mx = std::max<double>(mx, z[j]);
    double sum = 0.0;
    for (int64_t j = 0; j < cols; ++j)
      sum += std::exp(static_cast<double>(z[j]) - mx);
    double lse = std::log(sum) + mx;
    double nan = std::numeric_limits<double>::quiet_NaN();
    if (loss)
      loss[r] = static_cast<float>(valid ? lse - z[label[r]] : nan);
    if (dlogits)
      for (int64_t j = 0; j < cols; ++j) {
        double p = std::exp(static_cast<double>(z[j]) - lse);
        double v = valid ? p - (j == label[r] ? 1.0 : 0.0) : nan;
        dlogits[r * cols + j] = static_cast<float>(dloss[r] * v);
      }
  }
}

/// slim.l2_regularizer(scale): loss = scale * sum(w^2) / 2 (tf.nn.l2_loss);
/// adds its gradient scale * w into dw (dw may be null).
inline float l2Regularizer(const float *w, int64_t count, float scale,
                           float *dw) {
  double sum = 0.0;
  for (int64_t i = 0; i < count; ++i) {
    sum += static_cast<double>(w[i]) * w[i];
    if (dw)
      dw[i] += scale * w[i];
  }
  return static_cast<float>(static_cast<double>(scale) * sum * 0.5);
}

/// slim.l1_regularizer(scale): loss = scale * sum |w|; adds scale *
/// sign(w) into dw (0 at w == 0, TF's Sign, as its Abs gradient uses).
inline float l1Regularizer(const float *w, int64_t count, float scale,
                           float *dw) {
  double sum = 0.0;
  for (int64_t i = 0; i < count; ++i) {
    sum += std::fabs(static_cast<double>(w[i]));
    if (dw)
      dw[i] += w[i] > 0.0f ? scale : (w[i] < 0.0f ? -scale : 0.0f);
  }
  return static_cast<float>(static_cast<double>(scale) * sum);
}

} // namespace ref
} // namespace kernels
} // namespace slim

#endif // SLIM_KERNELS_BACKWARD_REFERENCE_H
