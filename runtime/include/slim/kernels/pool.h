//===- slim/kernels/pool.h - Pooling on the blocked layout ------*- C++ -*-===//
//
// One vector covers kVec channels of a pixel, so pooling is kVec-wide max/add
// over the window with the window clipped to the input: padded positions
// never win a max and are not counted in an average (TF semantics).
//
//===----------------------------------------------------------------------===//
#ifndef SLIM_KERNELS_POOL_H
#define SLIM_KERNELS_POOL_H

#include "slim/kernels/common.h"
#include "slim/kernels/conv.h"
#include "slim/parallel.h"

#include <cstdint>
#include <limits>

namespace slim {
namespace kernels {
namespace detail {

struct PoolCtx {
  const Pool2DParams *p;
  const float *in;
  float *out;
  int64_t inCbTotal, outCbTotal;
  bool isMax;
};

inline void poolTask(void *ctx, int64_t begin, int64_t end) {
  const PoolCtx &c = *static_cast<const PoolCtx *>(ctx);
  const Pool2DParams &p = *c.p;
  for (int64_t i = begin; i < end; ++i) {
    int64_t oh = i % p.outH, t = i / p.outH;
    int64_t n = t % p.batch, cb = t / p.batch;
    const float *in =
        c.in + (n * c.inCbTotal + p.inCbOffset + cb) * p.inH * p.inW * kVec;
    float *out =
        c.out +
        ((n * c.outCbTotal + p.outCbOffset + cb) * p.outH + oh) * p.outW * kVec;
    int64_t ih0 = oh * p.strideH - p.padTop;
    int khLo, khHi;
    validTaps(ih0, 1, p.kernelH, p.inH, khLo, khHi);
    for (int64_t ow = 0; ow < p.outW; ++ow) {
      int64_t iw0 = ow * p.strideW - p.padLeft;
      int kwLo, kwHi;
      validTaps(iw0, 1, p.kernelW, p.inW, kwLo, kwHi);
      Vec acc =
          c.isMax ? vset1(-std::numeric_limits<float>::infinity()) : vzero();
      for (int kh = khLo; kh < khHi; ++kh) {
        const float *row = in + ((ih0 + kh) * p.inW + iw0) * kVec;
        for (int kw = kwLo; kw < kwHi; ++kw) {
          Vec x = vload(row + kw * kVec);
          acc = c.isMax ? vmax(acc, x) : vadd(acc, x);
        }
      }
      int count = (khHi - khLo) * (kwHi - kwLo);
      if (!c.isMax)
        acc = vmul(acc, vset1(count ? 1.0f / static_cast<float>(count) : 0.0f));
      else if (!count)
        acc = vzero();
      vstore(out + ow * kVec, acc);
    }
  }
}

inline void pool2d(const Pool2DParams &p, const float *in, float *out,
                   bool isMax, const slim_parallel *par) {
  PoolCtx c;
  c.p = &p;
  c.in = in;
  c.out = out;
  c.inCbTotal = p.inCbTotal ? p.inCbTotal : numBlocks(p.channels);
  c.outCbTotal = p.outCbTotal ? p.outCbTotal : numBlocks(p.channels);
  c.isMax = isMax;
  slim_parallel_run(par, numBlocks(p.channels) * p.batch * p.outH, 4, poolTask,
                    &c);
}

struct GapCtx {
  const float *in;
  float *out;
  int64_t hw;
};

inline void gapTask(void *ctx, int64_t begin, int64_t end) {
  const GapCtx &c = *static_cast<const GapCtx *>(ctx);
  for (int64_t i = begin; i < end; ++i) {
    const float *in = c.in + i * c.hw * kVec;
    // Four partial sums: independent add chains, and a shorter summation.
    Vec s0 = vzero(), s1 = vzero(), s2 = vzero(), s3 = vzero();
    int64_t j = 0;
    for (; j + 4 <= c.hw; j += 4) {
      s0 = vadd(s0, vload(in + (j + 0) * kVec));
      s1 = vadd(s1, vload(in + (j + 1) * kVec));
      s2 = vadd(s2, vload(in + (j + 2) * kVec));
      s3 = vadd(s3, vload(in + (j + 3) * kVec));
    }
    for (; j < c.hw; ++j)
      s0 = vadd(s0, vload(in + j * kVec));
    Vec s = vadd(vadd(s0, s1), vadd(s2, s3));
    vstore(c.out + i * kVec, vmul(s, vset1(1.0f / static_cast<float>(c.hw))));
  }
}

} // namespace detail

/// TF max_pool on blocked tensors (placement fields as for conv2d).
inline void maxPool2d(const Pool2DParams &p, const float *in, float *out,
                      const slim_parallel *par) {
  detail::pool2d(p, in, out, /*isMax=*/true, par);
}

/// TF avg_pool on blocked tensors: divides by the number of in-bounds
/// window elements.
inline void avgPool2d(const Pool2DParams &p, const float *in, float *out,
                      const slim_parallel *par) {
  detail::pool2d(p, in, out, /*isMax=*/false, par);
}

/// reduce_mean over H, W: blocked [batch][Cb][h][w][kVec] ->
/// [batch][Cb][kVec], which is both a blocked 1x1 tensor and the K' layout
/// a fully-connected layer packed with fullyConnectedBlockedK(1, 1, c) reads.
inline void globalAvgPool(int64_t batch, int64_t h, int64_t w, int64_t c,
                          const float *in, float *out,
                          const slim_parallel *par) {
  detail::GapCtx ctx{in, out, h * w};
  slim_parallel_run(par, batch * numBlocks(c), 8, detail::gapTask, &ctx);
}

} // namespace kernels
} // namespace slim

#endif // SLIM_KERNELS_POOL_H
