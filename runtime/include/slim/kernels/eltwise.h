//===- slim/kernels/eltwise.h - Add, concat, softmax ------------*- C++ -*-===//
//
// The memory-bound leftovers of a fused graph: a residual add that could not
// be fused into a conv epilogue, channel concats whose pieces are not block
// aligned (aligned ones are free: producers write at outCbOffset), and the
// final softmax over the class axis.
//
//===----------------------------------------------------------------------===//
#ifndef SLIM_KERNELS_ELTWISE_H
#define SLIM_KERNELS_ELTWISE_H

#include "slim/kernels/common.h"
#include "slim/kernels/layout.h"
#include "slim/parallel.h"

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <limits>

namespace slim {
namespace kernels {
namespace detail {

struct AddCtx {
  const float *a, *b;
  float *y;
  Activation act;
};

inline void addTask(void *ctx, int64_t begin, int64_t end) {
  const AddCtx &c = *static_cast<const AddCtx *>(ctx);
  // Indices are in vectors; the caller handles the scalar tail.
  for (int64_t i = begin; i < end; ++i) {
    Vec v = vadd(vload(c.a + i * kVec), vload(c.b + i * kVec));
    vstore(c.y + i * kVec, activateVec(c.act, v));
  }
}

struct ConcatCtx {
  const float *src;
  float *dst;
  int64_t hw, srcC, srcCbOffset, srcCbTotal, dstCOffset, dstCbTotal;
  bool zeroTail;
};

inline void concatTask(void *ctx, int64_t begin, int64_t end) {
  const ConcatCtx &c = *static_cast<const ConcatCtx *>(ctx);
  const int64_t srcCb = numBlocks(c.srcC);
  for (int64_t i = begin; i < end; ++i) {
    int64_t n = i / srcCb, sb = i % srcCb;
    const float *src =
        c.src + (n * c.srcCbTotal + c.srcCbOffset + sb) * c.hw * kVec;
    int64_t lanes = std::min<int64_t>(kVec, c.srcC - sb * kVec);
    int64_t d0 = c.dstCOffset + sb * kVec;
    if (d0 % kVec == 0 && lanes == kVec) {
      float *dst = c.dst + (n * c.dstCbTotal + d0 / kVec) * c.hw * kVec;
      for (int64_t p = 0; p < c.hw; ++p)
        vstore(dst + p * kVec, vload(src + p * kVec));
    } else {
      // Unaligned or partial block: lanes land in one or two dst blocks.
      for (int64_t l = 0; l < lanes; ++l) {
        int64_t d = d0 + l;
        float *dst =
            c.dst + (n * c.dstCbTotal + d / kVec) * c.hw * kVec + d % kVec;
        for (int64_t p = 0; p < c.hw; ++p)
          dst[p * kVec] = src[p * kVec + l];
      }
    }
    if (c.zeroTail && sb == srcCb - 1) {
      int64_t endC = c.dstCOffset + c.srcC;
      float *dst = c.dst + (n * c.dstCbTotal + (endC - 1) / kVec) * c.hw * kVec;
      for (int64_t p = 0; p < c.hw; ++p)
        for (int64_t l = endC % kVec; l < kVec; ++l)
          dst[p * kVec + l] = 0.0f;
    }
  }
}

struct SoftmaxCtx {
  const float *x;
  float *y;
  int64_t cols;
};

inline void softmaxTask(void *ctx, int64_t begin, int64_t end) {
  const SoftmaxCtx &c = *static_cast<const SoftmaxCtx *>(ctx);
  for (int64_t r = begin; r < end; ++r) {
    const float *x = c.x + r * c.cols;
    float *y = c.y + r * c.cols;
    float mx = -std::numeric_limits<float>::infinity();
    for (int64_t j = 0; j < c.cols; ++j)
      mx = std::max(mx, x[j]);
    float sum = 0.0f;
    for (int64_t j = 0; j < c.cols; ++j) {
      y[j] = std::exp(x[j] - mx);
      sum += y[j];
    }
    float inv = 1.0f / sum;
    for (int64_t j = 0; j < c.cols; ++j)
      y[j] *= inv;
  }
}

} // namespace detail

/// y = act(a + b) over `count` floats (any layout, as long as a, b and y
/// share it). y may alias a or b.
inline void add(const float *a, const float *b, float *y, int64_t count,
                Activation act, const slim_parallel *par) {
  detail::AddCtx c{a, b, y, act};
  int64_t vecs = count / kVec;
  slim_parallel_run(par, vecs, 1024, detail::addTask, &c);
  for (int64_t i = vecs * kVec; i < count; ++i)
    y[i] = activate(act, a[i] + b[i]);
}

/// Copies a blocked tensor of `srcC` channels (read at block srcCbOffset of
/// srcCbTotal) into channels [dstCOffset, dstCOffset + srcC) of a blocked
/// tensor with dstCTotal channels. Needed only when dstCOffset is not a
/// multiple of kVec or the piece has a partial block; otherwise let the
/// producer write there directly. The piece that ends the destination also
/// zeroes its padding lanes.
inline void concatChannelsBlocked(const float *src, int64_t batch, int64_t h,
                                  int64_t w, int64_t srcC, float *dst,
                                  int64_t dstCOffset, int64_t dstCTotal,
                                  const slim_parallel *par,
                                  int64_t srcCbOffset = 0,
                                  int64_t srcCbTotal = 0) {
  detail::ConcatCtx c;
  c.src = src;
  c.dst = dst;
  c.hw = h * w;
  c.srcC = srcC;
  c.srcCbOffset = srcCbOffset;
  c.srcCbTotal = srcCbTotal ? srcCbTotal : numBlocks(srcC);
  c.dstCOffset = dstCOffset;
  c.dstCbTotal = numBlocks(dstCTotal);
  c.zeroTail = dstCOffset + srcC == dstCTotal && dstCTotal % kVec != 0;
  // Blocks that share a destination block must not race: unaligned pieces
  // run serially (they are small and rare).
  bool aligned = dstCOffset % kVec == 0;
  slim_parallel_run(aligned ? par : nullptr, batch * numBlocks(srcC), 1,
                    detail::concatTask, &c);
}

/// Softmax over the last axis of [rows, cols] (the logits of a classifier).
inline void softmax(const float *x, float *y, int64_t rows, int64_t cols,
                    const slim_parallel *par) {
  detail::SoftmaxCtx c{x, y, cols};
  slim_parallel_run(par, rows, 1, detail::softmaxTask, &c);
}

} // namespace kernels
} // namespace slim

#endif // SLIM_KERNELS_ELTWISE_H
