//===- slim/kernels/reference3d.h - Oracle 3-D kernels ----------*- C++ -*-===//
//
// Plain loops over the user-visible layouts, as reference.h, for the ops of
// video nets: conv3d (NDHWC activations, DHWIO filters) and the 3-D pools.
// Sums in double; no threads.
//
//===----------------------------------------------------------------------===//
#ifndef SLIM_KERNELS_REFERENCE3D_H
#define SLIM_KERNELS_REFERENCE3D_H

#include "slim/kernels/params3d.h"

#include <algorithm>
#include <cstdint>
#include <limits>

namespace slim {
namespace kernels {
namespace ref {

/// out = act(conv3d(in, w) + bias + residual) with explicit pads and
/// dilation; the output is written at channels [outCOffset, outCOffset +
/// outC) of a tensor with outCTotal channels.
inline void conv3d(const Conv3DParams &p, const float *in, const float *w,
                   const float *bias, const float *residual, float *out) {
  const int64_t outCTotal = p.outCTotal ? p.outCTotal : p.outC;
  for (int64_t n = 0; n < p.batch; ++n)
    for (int64_t od = 0; od < p.outD; ++od)
      for (int64_t oh = 0; oh < p.outH; ++oh)
        for (int64_t ow = 0; ow < p.outW; ++ow)
          for (int64_t oc = 0; oc < p.outC; ++oc) {
            double acc = bias ? bias[oc] : 0.0;
            for (int kd = 0; kd < p.kernelD; ++kd) {
              int64_t id = od * p.strideD - p.padFront + kd * p.dilationD;
              if (id < 0 || id >= p.inD)
                continue;
              for (int kh = 0; kh < p.kernelH; ++kh) {
                int64_t ih = oh * p.strideH - p.padTop + kh * p.dilationH;
                if (ih < 0 || ih >= p.inH)
                  continue;
                for (int kw = 0; kw < p.kernelW; ++kw) {
                  int64_t iw = ow * p.strideW - p.padLeft + kw * p.dilationW;
                  if (iw < 0 || iw >= p.inW)
                    continue;
                  const float *x =
                      in +
                      (((n * p.inD + id) * p.inH + ih) * p.inW + iw) * p.inC;
                  const float *wk =
                      w +
                      ((static_cast<int64_t>(kd) * p.kernelH + kh) * p.kernelW +
                       kw) *
                          p.inC * p.outC;
                  for (int64_t ic = 0; ic < p.inC; ++ic)
                    acc += static_cast<double>(x[ic]) * wk[ic * p.outC + oc];
                }
              }
            }
            int64_t pix = ((n * p.outD + od) * p.outH + oh) * p.outW + ow;
            if (residual)
              acc += residual[pix * p.outC + oc];
            out[pix * outCTotal + p.outCOffset + oc] =
                activate(p.act, static_cast<float>(acc));
          }
}

/// TF max_pool3d (isMax) or avg_pool3d over the in-bounds part of each
/// window: the average divides by the number of in-bounds elements.
inline void pool3d(const Pool3DParams &p, const float *in, float *out,
                   bool isMax) {
  const int64_t outCTotal = p.outCTotal ? p.outCTotal : p.channels;
  for (int64_t n = 0; n < p.batch; ++n)
    for (int64_t od = 0; od < p.outD; ++od)
      for (int64_t oh = 0; oh < p.outH; ++oh)
        for (int64_t ow = 0; ow < p.outW; ++ow)
          for (int64_t c = 0; c < p.channels; ++c) {
            float best = -std::numeric_limits<float>::infinity();
            double sum = 0.0;
            int64_t count = 0;
            for (int kd = 0; kd < p.kernelD; ++kd) {
              int64_t id = od * p.strideD - p.padFront + kd;
              if (id < 0 || id >= p.inD)
                continue;
              for (int kh = 0; kh < p.kernelH; ++kh) {
                int64_t ih = oh * p.strideH - p.padTop + kh;
                if (ih < 0 || ih >= p.inH)
                  continue;
                for (int kw = 0; kw < p.kernelW; ++kw) {
                  int64_t iw = ow * p.strideW - p.padLeft + kw;
                  if (iw < 0 || iw >= p.inW)
                    continue;
                  float x = in[(((n * p.inD + id) * p.inH + ih) * p.inW + iw) *
                                   p.channels +
                               c];
                  best = std::max(best, x);
                  sum += x;
                  ++count;
                }
              }
            }
            float v =
                isMax ? best : (count ? static_cast<float>(sum / count) : 0.0f);
            out[(((n * p.outD + od) * p.outH + oh) * p.outW + ow) * outCTotal +
                p.outCOffset + c] = v;
          }
}

inline void maxPool3d(const Pool3DParams &p, const float *in, float *out) {
  pool3d(p, in, out, /*isMax=*/true);
}

inline void avgPool3d(const Pool3DParams &p, const float *in, float *out) {
  pool3d(p, in, out, /*isMax=*/false);
}

} // namespace ref
} // namespace kernels
} // namespace slim

#endif // SLIM_KERNELS_REFERENCE3D_H
