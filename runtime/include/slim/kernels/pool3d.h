//===- slim/kernels/pool3d.h - 3-D pooling on the blocked layout -*- C++ -*-=//
//
// max_pool3d / avg_pool3d on [N][D][Cb][H][W][kVec]: as pool.h, one vector
// covers kVec channels of a pixel, and the window is clipped to the input in
// all three dimensions (padded positions never win a max and are not
// counted in an average, as in TensorFlow).
//
//===----------------------------------------------------------------------===//
#ifndef SLIM_KERNELS_POOL3D_H
#define SLIM_KERNELS_POOL3D_H

#include "slim/kernels/conv.h"
#include "slim/kernels/params3d.h"
#include "slim/parallel.h"

#include <cstdint>
#include <limits>

namespace slim {
namespace kernels {
namespace detail {

struct Pool3DCtx {
  const Pool3DParams *p;
  const float *in;
  float *out;
  int64_t inCbTotal, outCbTotal;
  bool isMax;
};

/// Items are (channel block, clip, output frame, output row).
inline void pool3dTask(void *ctx, int64_t begin, int64_t end) {
  const Pool3DCtx &c = *static_cast<const Pool3DCtx *>(ctx);
  const Pool3DParams &p = *c.p;
  const int64_t inPlane = p.inH * p.inW * kVec;
  for (int64_t i = begin; i < end; ++i) {
    int64_t oh = i % p.outH, t = i / p.outH;
    int64_t od = t % p.outD;
    t /= p.outD;
    int64_t n = t % p.batch, cb = t / p.batch;
    float *out =
        c.out +
        (((n * p.outD + od) * c.outCbTotal + p.outCbOffset + cb) * p.outH +
         oh) *
            p.outW * kVec;
    int64_t id0 = od * p.strideD - p.padFront;
    int64_t ih0 = oh * p.strideH - p.padTop;
    int kdLo, kdHi, khLo, khHi;
    validTaps(id0, 1, p.kernelD, p.inD, kdLo, kdHi);
    validTaps(ih0, 1, p.kernelH, p.inH, khLo, khHi);
    for (int64_t ow = 0; ow < p.outW; ++ow) {
      int64_t iw0 = ow * p.strideW - p.padLeft;
      int kwLo, kwHi;
      validTaps(iw0, 1, p.kernelW, p.inW, kwLo, kwHi);
      Vec acc =
          c.isMax ? vset1(-std::numeric_limits<float>::infinity()) : vzero();
      for (int kd = kdLo; kd < kdHi; ++kd) {
        const float *frame =
            c.in + ((n * p.inD + id0 + kd) * c.inCbTotal + p.inCbOffset + cb) *
                       inPlane;
        for (int kh = khLo; kh < khHi; ++kh) {
          const float *row = frame + ((ih0 + kh) * p.inW + iw0) * kVec;
          for (int kw = kwLo; kw < kwHi; ++kw) {
            Vec x = vload(row + kw * kVec);
            acc = c.isMax ? vmax(acc, x) : vadd(acc, x);
          }
        }
      }
      int count = (kdHi - kdLo) * (khHi - khLo) * (kwHi - kwLo);
      if (!c.isMax)
        acc = vmul(acc, vset1(count ? 1.0f / static_cast<float>(count) : 0.0f));
      else if (!count)
        acc = vzero();
      vstore(out + ow * kVec, acc);
    }
  }
}

inline void pool3d(const Pool3DParams &p, const float *in, float *out,
                   bool isMax, const slim_parallel *par) {
  Pool3DCtx c;
  c.p = &p;
  c.in = in;
  c.out = out;
  c.inCbTotal = p.inCbTotal ? p.inCbTotal : numBlocks(p.channels);
  c.outCbTotal = p.outCbTotal ? p.outCbTotal : numBlocks(p.channels);
  c.isMax = isMax;
  slim_parallel_run(par, numBlocks(p.channels) * p.batch * p.outD * p.outH, 4,
                    pool3dTask, &c);
}

} // namespace detail

/// TF max_pool3d on blocked NDHWC tensors (placement fields as for conv3d).
inline void maxPool3d(const Pool3DParams &p, const float *in, float *out,
                      const slim_parallel *par) {
  detail::pool3d(p, in, out, /*isMax=*/true, par);
}

/// TF avg_pool3d on blocked NDHWC tensors: divides by the number of
/// in-bounds window elements.
inline void avgPool3d(const Pool3DParams &p, const float *in, float *out,
                      const slim_parallel *par) {
  detail::pool3d(p, in, out, /*isMax=*/false, par);
}

} // namespace kernels
} // namespace slim

#endif // SLIM_KERNELS_POOL3D_H
