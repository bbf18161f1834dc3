//===- slim/kernels/train_forward.h - NHWC training forward -*- C++ -*-===//
//
// The train step keeps its activations NHWC (the backward kernels read
// NHWC, and every value is kept for the backward pass), while the fast
// forward kernels run on the blocked layout with packed weights. These
// wrappers give the train step's forward the fast kernels with NHWC in and
// out (namespace slim::kernels::nhwc):
//
//  - conv2d, depthwiseConv2d, maxPool2d / avgPool2d: the input is copied
//    into the blocked layout, the weights (which change every step) are
//    packed, the blocked kernel runs, and its output is copied back to NHWC.
//    The copies are threaded and cost a few memory passes, against the
//    conv's compute; the blocked buffers are scratch of the calling thread,
//    kept between calls (they grow to the largest layer's, so steady-state
//    steps allocate nothing);
//  - fullyConnected: the [m, k] rows are the kernel's own input; only the
//    weights are packed;
//  - pointwise, biasAdd, add: the reference loops' arithmetic, split over
//    chunks on the thread pool.
//
// Every kernel here splits its work into items that do not depend on the
// thread count, and each output element is computed by one item in a
// fixed order, so the results are the same bits for any thread count
// (test: train_forward_test.cpp).
//
//===----------------------------------------------------------------------===//
#ifndef SLIM_KERNELS_TRAIN_FORWARD_H
#define SLIM_KERNELS_TRAIN_FORWARD_H

#include "slim/kernels/common.h"
#include "slim/kernels/conv.h"
#include "slim/kernels/depthwise.h"
#include "slim/kernels/eltwise.h"
#include "slim/kernels/gemm.h"
#include "slim/kernels/layout.h"
#include "slim/kernels/misc.h"
#include "slim/kernels/pack.h"
#include "slim/kernels/pool.h"
#include "slim/kernels/reference.h"
#include "slim/kernels/scratch.h"
#include "slim/parallel.h"

#include <algorithm>
#include <cstdint>
#include <cstdlib>
#include <cstring>

namespace slim {
namespace kernels {
namespace nhwc {
namespace detail {

using ScratchBuffer = ScratchBufferOf<float>;

struct Scratch {
  ScratchBuffer in, out, weights;
  // The exact conv's double copies of its input and weights (conv_exact.h).
  ScratchBufferOf<double> exactIn, exactWeights;
};

/// The calling thread's scratch (the train step runs on one thread; its
/// kernels' workers only read and write what it hands them).
inline Scratch &scratch() {
  static thread_local Scratch s;
  return s;
}

struct RelayoutCtx {
  const float *src;
  float *dst;
  int64_t hw, c, cb;
};

/// Item (image, channel block): NHWC -> blocked, padding lanes zeroed.
inline void toBlockedTask(void *ctx, int64_t begin, int64_t end) {
  const RelayoutCtx &r = *static_cast<const RelayoutCtx *>(ctx);
  for (int64_t i = begin; i < end; ++i) {
    int64_t b = i / r.cb, blk = i % r.cb, c0 = blk * kVec;
    int64_t lanes = std::min<int64_t>(kVec, r.c - c0);
    float *dst = r.dst + i * r.hw * kVec;
    const float *src = r.src + b * r.hw * r.c + c0;
    if (lanes == kVec) {
      for (int64_t p = 0; p < r.hw; ++p)
        std::memcpy(dst + p * kVec, src + p * r.c, kVec * sizeof(float));
      continue;
    }
    for (int64_t p = 0; p < r.hw; ++p) {
      int64_t l = 0;
      for (; l < lanes; ++l)
        dst[p * kVec + l] = src[p * r.c + l];
      for (; l < kVec; ++l)
        dst[p * kVec + l] = 0.0f;
    }
  }
}

/// Item (image, channel block): blocked -> NHWC.
inline void toNhwcTask(void *ctx, int64_t begin, int64_t end) {
  const RelayoutCtx &r = *static_cast<const RelayoutCtx *>(ctx);
  for (int64_t i = begin; i < end; ++i) {
    int64_t b = i / r.cb, blk = i % r.cb, c0 = blk * kVec;
    int64_t lanes = std::min<int64_t>(kVec, r.c - c0);
    const float *src = r.src + i * r.hw * kVec;
    float *dst = r.dst + b * r.hw * r.c + c0;
    for (int64_t p = 0; p < r.hw; ++p)
      std::memcpy(dst + p * r.c, src + p * kVec, lanes * sizeof(float));
  }
}

/// Elements per item of the elementwise wrappers.
inline constexpr int64_t kChunk = 16384;

struct PointwiseCtx {
  const float *x;
  float *y;
  int64_t n;
  Pointwise f;
  float alpha;
};

inline void pointwiseTask(void *ctx, int64_t begin, int64_t end) {
  const PointwiseCtx &c = *static_cast<const PointwiseCtx *>(ctx);
  for (int64_t i = begin; i < end; ++i) {
    int64_t lo = i * kChunk, len = std::min(kChunk, c.n - lo);
    if (c.x != c.y)
      std::memcpy(c.y + lo, c.x + lo, len * sizeof(float));
    kernels::detail::pointwiseRow(c.f, c.alpha, c.y + lo, len);
  }
}

struct BiasCtx {
  const float *x, *bias;
  float *y;
  int64_t rows, c;
};

inline void biasTask(void *ctx, int64_t begin, int64_t end) {
  const BiasCtx &c = *static_cast<const BiasCtx *>(ctx);
  ref::biasActivation(c.x + begin * c.c, c.bias, c.y + begin * c.c, end - begin,
                      c.c, Activation::None);
}

} // namespace detail

/// NHWC [n, h, w, c] -> blocked (threaded nhwcToBlocked).
inline void toBlocked(const float *in, int64_t n, int64_t h, int64_t w,
                      int64_t c, float *out, const slim_parallel *par) {
  detail::RelayoutCtx r{in, out, h * w, c, numBlocks(c)};
  slim_parallel_run(par, n * r.cb, 1, detail::toBlockedTask, &r);
}

/// Blocked -> NHWC [n, h, w, c] (threaded blockedToNhwc).
inline void toNhwc(const float *in, int64_t n, int64_t h, int64_t w, int64_t c,
                   float *out, const slim_parallel *par) {
  detail::RelayoutCtx r{in, out, h * w, c, numBlocks(c)};
  slim_parallel_run(par, n * r.cb, 1, detail::toNhwcTask, &r);
}

/// ref::conv2d's contract (NHWC in and out, HWIO weights; no bias,
/// residual or activation) on the blocked direct conv.
inline void conv2d(const Conv2DParams &params, const float *in,
                   const float *hwio, float *out, const slim_parallel *par) {
  Conv2DParams p = params;
  p.act = Activation::None;
  detail::Scratch &s = detail::scratch();
  float *bin = s.in.get(blockedSize(p.batch, p.inH, p.inW, p.inC));
  float *bout = s.out.get(blockedSize(p.batch, p.outH, p.outW, p.outC));
  float *w =
      s.weights.get(conv2dPackedSize(p.kernelH, p.kernelW, p.inC, p.outC));
  toBlocked(in, p.batch, p.inH, p.inW, p.inC, bin, par);
  packConv2dWeights(hwio, p.kernelH, p.kernelW, p.inC, p.outC, w);
  kernels::conv2d(p, bin, w, nullptr, nullptr, bout, par);
  toNhwc(bout, p.batch, p.outH, p.outW, p.outC, out, par);
}

/// ref::depthwiseConv2d's contract on the blocked depthwise kernel.
inline void depthwiseConv2d(const Conv2DParams &params, const float *in,
                            const float *w, float *out,
                            const slim_parallel *par) {
  Conv2DParams p = params;
  p.act = Activation::None;
  detail::Scratch &s = detail::scratch();
  float *bin = s.in.get(blockedSize(p.batch, p.inH, p.inW, p.inC));
  float *bout = s.out.get(blockedSize(p.batch, p.outH, p.outW, p.outC));
  float *pw = s.weights.get(depthwisePackedSize(p.kernelH, p.kernelW, p.outC));
  toBlocked(in, p.batch, p.inH, p.inW, p.inC, bin, par);
  packDepthwiseWeights(w, p.kernelH, p.kernelW, p.outC, pw);
  kernels::depthwiseConv2d(p, bin, pw, nullptr, nullptr, bout, par);
  toNhwc(bout, p.batch, p.outH, p.outW, p.outC, out, par);
}

/// ref::maxPool2d / ref::avgPool2d's contract on the blocked pooling.
inline void pool2d(const Pool2DParams &p, const float *in, float *out,
                   bool isMax, const slim_parallel *par) {
  detail::Scratch &s = detail::scratch();
  float *bin = s.in.get(blockedSize(p.batch, p.inH, p.inW, p.channels));
  float *bout = s.out.get(blockedSize(p.batch, p.outH, p.outW, p.channels));
  toBlocked(in, p.batch, p.inH, p.inW, p.channels, bin, par);
  if (isMax)
    kernels::maxPool2d(p, bin, bout, par);
  else
    kernels::avgPool2d(p, bin, bout, par);
  toNhwc(bout, p.batch, p.outH, p.outW, p.channels, out, par);
}

inline void maxPool2d(const Pool2DParams &p, const float *in, float *out,
                      const slim_parallel *par) {
  pool2d(p, in, out, /*isMax=*/true, par);
}

inline void avgPool2d(const Pool2DParams &p, const float *in, float *out,
                      const slim_parallel *par) {
  pool2d(p, in, out, /*isMax=*/false, par);
}

/// ref::fullyConnected's contract (x [m, k], W [k, n], y [m, n]; no bias,
/// residual or activation) on the packed-weight GEMM.
inline void fullyConnected(const FullyConnectedParams &params, const float *x,
                           const float *w, float *y, const slim_parallel *par) {
  FullyConnectedParams p = params;
  p.act = Activation::None;
  p.ldx = p.ldy = p.ldr = 0;
  p.padOutput = false;
  float *pw = detail::scratch().weights.get(fullyConnectedPackedSize(p.k, p.n));
  packFullyConnectedWeights(w, p.k, p.n, pw);
  kernels::fullyConnected(p, x, pw, nullptr, nullptr, y, par);
}

/// ref::pointwise, threaded (y may be x).
inline void pointwise(Pointwise f, float alpha, const float *x, float *y,
                      int64_t count, const slim_parallel *par) {
  detail::PointwiseCtx c{x, y, count, f, alpha};
  slim_parallel_run(par, (count + detail::kChunk - 1) / detail::kChunk, 1,
                    detail::pointwiseTask, &c);
}

/// ref::biasActivation with no activation, threaded over rows.
inline void biasAdd(const float *x, const float *bias, float *y, int64_t outer,
                    int64_t c, const slim_parallel *par) {
  detail::BiasCtx b{x, bias, y, outer, c};
  int64_t grain =
      std::max<int64_t>(1, detail::kChunk / std::max<int64_t>(c, 1));
  slim_parallel_run(par, outer, grain, detail::biasTask, &b);
}

/// ref::add, threaded.
inline void add(const float *a, const float *b, float *y, int64_t count,
                const slim_parallel *par) {
  kernels::add(a, b, y, count, Activation::None, par);
}

} // namespace nhwc
} // namespace kernels
} // namespace slim

#endif // SLIM_KERNELS_TRAIN_FORWARD_H
