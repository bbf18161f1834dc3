//===- slim/kernels/backward_reference3d.h - 3-D gradients ------*- C++ -*-===//
//
// The backward kernels of reference3d.h (conv3d, max / avg pool3d) for the
// train step, with backward_reference.h's conventions (which includes this
// file): NDHWC, DHWIO filters, sums in double, no threads, p.act None and
// dense outputs, `dy` in, the gradient of one input written (not added).
//
//===----------------------------------------------------------------------===//
#ifndef SLIM_KERNELS_BACKWARD_REFERENCE3D_H
#define SLIM_KERNELS_BACKWARD_REFERENCE3D_H

#include "slim/kernels/params3d.h"

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <limits>
#include <vector>

namespace slim {
namespace kernels {
namespace ref {

/// Calls f(inputIndex) for each in-bounds tap of output (n, od, oh, ow) of a
/// 3-D window (the element index without the channel: multiply by the
/// channel count), in row-major window order (kd, kh, kw).
template <typename Params, typename F>
inline void forEachTap3d(const Params &p, int dilationD, int dilationH,
                         int dilationW, int64_t n, int64_t od, int64_t oh,
                         int64_t ow, F &&f) {
  for (int kd = 0; kd < p.kernelD; ++kd) {
    int64_t id = od * p.strideD - p.padFront + kd * dilationD;
    if (id < 0 || id >= p.inD)
      continue;
    for (int kh = 0; kh < p.kernelH; ++kh) {
      int64_t ih = oh * p.strideH - p.padTop + kh * dilationH;
      if (ih < 0 || ih >= p.inH)
        continue;
      for (int kw = 0; kw < p.kernelW; ++kw) {
        int64_t iw = ow * p.strideW - p.padLeft + kw * dilationW;
        if (iw < 0 || iw >= p.inW)
          continue;
        f(((n * p.inD + id) * p.inH + ih) * p.inW + iw,
          (static_cast<int64_t>(kd) * p.kernelH + kh) * p.kernelW + kw);
      }
    }
  }
}

/// TF Conv3DBackpropInputV2 for ref::conv3d: dx[.., ic] = sum over the taps
/// reaching it and oc of dy[.., oc] * w[kd, kh, kw, ic, oc].
inline void conv3dBackwardData(const Conv3DParams &p, const float *dy,
                               const float *w, float *dx) {
  std::vector<double> acc(p.batch * p.inD * p.inH * p.inW * p.inC, 0.0);
  for (int64_t n = 0; n < p.batch; ++n)
    for (int64_t od = 0; od < p.outD; ++od)
      for (int64_t oh = 0; oh < p.outH; ++oh)
        for (int64_t ow = 0; ow < p.outW; ++ow) {
          const float *g =
              dy + (((n * p.outD + od) * p.outH + oh) * p.outW + ow) * p.outC;
          forEachTap3d(p, p.dilationD, p.dilationH, p.dilationW, n, od, oh, ow,
                       [&](int64_t pix, int64_t tap) {
                         double *d = acc.data() + pix * p.inC;
                         const float *wk = w + tap * p.inC * p.outC;
                         for (int64_t ic = 0; ic < p.inC; ++ic)
                           for (int64_t oc = 0; oc < p.outC; ++oc)
                             d[ic] += static_cast<double>(g[oc]) *
                                      wk[ic * p.outC + oc];
                       });
        }
  for (size_t i = 0; i < acc.size(); ++i)
    dx[i] = static_cast<float>(acc[i]);
}

/// TF Conv3DBackpropFilterV2 for ref::conv3d: dw[kd, kh, kw, ic, oc] = sum
/// over (n, od, oh, ow) of x[.., ic] * dy[.., oc]; padded taps add nothing.
inline void conv3dBackwardFilter(const Conv3DParams &p, const float *in,
                                 const float *dy, float *dw) {
  std::vector<double> acc(static_cast<size_t>(p.kernelD) * p.kernelH *
                              p.kernelW * p.inC * p.outC,
                          0.0);
  for (int64_t n = 0; n < p.batch; ++n)
    for (int64_t od = 0; od < p.outD; ++od)
      for (int64_t oh = 0; oh < p.outH; ++oh)
        for (int64_t ow = 0; ow < p.outW; ++ow) {
          const float *g =
              dy + (((n * p.outD + od) * p.outH + oh) * p.outW + ow) * p.outC;
          forEachTap3d(p, p.dilationD, p.dilationH, p.dilationW, n, od, oh, ow,
                       [&](int64_t pix, int64_t tap) {
                         const float *x = in + pix * p.inC;
                         double *d = acc.data() + tap * p.inC * p.outC;
                         for (int64_t ic = 0; ic < p.inC; ++ic)
                           for (int64_t oc = 0; oc < p.outC; ++oc)
                             d[ic * p.outC + oc] +=
                                 static_cast<double>(x[ic]) * g[oc];
                       });
        }
  for (size_t i = 0; i < acc.size(); ++i)
    dw[i] = static_cast<float>(acc[i]);
}

/// TF MaxPool3DGrad (CPU) for ref::maxPool3d: unlike the 2-D pool, every
/// in-bounds element of the window within 1e-5 of the window's maximum
/// (|x - max| < 1e-5: ties and near-ties) receives the whole dy, as
/// TensorFlow 2.12's kernel does (checked with tf.nn.max_pool3d's gradient:
/// a tied window gives both elements dy). Overlapping windows add up.
inline void maxPool3dBackward(const Pool3DParams &p, const float *in,
                              const float *dy, float *dx) {
  const int64_t c = p.channels;
  std::vector<double> acc(p.batch * p.inD * p.inH * p.inW * c, 0.0);
  for (int64_t n = 0; n < p.batch; ++n)
    for (int64_t od = 0; od < p.outD; ++od)
      for (int64_t oh = 0; oh < p.outH; ++oh)
        for (int64_t ow = 0; ow < p.outW; ++ow)
          for (int64_t ch = 0; ch < c; ++ch) {
            float best = -std::numeric_limits<float>::infinity();
            forEachTap3d(p, 1, 1, 1, n, od, oh, ow, [&](int64_t pix, int64_t) {
              best = std::max(best, in[pix * c + ch]);
            });
            float g =
                dy[(((n * p.outD + od) * p.outH + oh) * p.outW + ow) * c + ch];
            forEachTap3d(p, 1, 1, 1, n, od, oh, ow, [&](int64_t pix, int64_t) {
              if (std::fabs(in[pix * c + ch] - best) < 1e-5f)
                acc[pix * c + ch] += g;
            });
          }
  for (size_t i = 0; i < acc.size(); ++i)
    dx[i] = static_cast<float>(acc[i]);
}

/// TF AvgPool3DGrad for ref::avgPool3d: each dy spread evenly over the
/// in-bounds part of its window (the forward's divisor; padding is not
/// counted).
inline void avgPool3dBackward(const Pool3DParams &p, const float *dy,
                              float *dx) {
  const int64_t c = p.channels;
  std::vector<double> acc(p.batch * p.inD * p.inH * p.inW * c, 0.0);
  for (int64_t n = 0; n < p.batch; ++n)
    for (int64_t od = 0; od < p.outD; ++od)
      for (int64_t oh = 0; oh < p.outH; ++oh)
        for (int64_t ow = 0; ow < p.outW; ++ow) {
          int64_t count = 0;
          forEachTap3d(p, 1, 1, 1, n, od, oh, ow,
                       [&](int64_t, int64_t) { ++count; });
          if (!count)
            continue;
          const float *g =
              dy + (((n * p.outD + od) * p.outH + oh) * p.outW + ow) * c;
          forEachTap3d(p, 1, 1, 1, n, od, oh, ow, [&](int64_t pix, int64_t) {
            for (int64_t ch = 0; ch < c; ++ch)
              acc[pix * c + ch] +=
                  static_cast<double>(g[ch]) / static_cast<double>(count);
          });
        }
  for (size_t i = 0; i < acc.size(); ++i)
    dx[i] = static_cast<float>(acc[i]);
}

} // namespace ref
} // namespace kernels
} // namespace slim

#endif // SLIM_KERNELS_BACKWARD_REFERENCE3D_H
