//===- slim/kernels/eltwise.h - Add, arithmetic, concat, softmax -*- C++ -*-=//
//
// The memory-bound leftovers of a fused graph: a residual add that could not
// be fused into a conv epilogue, broadcasting arithmetic on blocked maps (a
// squeeze-excite gate [N,1,1,C] times its [N,H,W,C] map), channel concats
// whose pieces are not block aligned (aligned ones are free: producers write
// at outCbOffset), and the final softmax over the class axis.
//
//===----------------------------------------------------------------------===//
#ifndef SLIM_KERNELS_ELTWISE_H
#define SLIM_KERNELS_ELTWISE_H

#include "slim/kernels/common.h"
#include "slim/kernels/elementwise.h"
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

/// Shapes of y = a op b on blocked 4-D maps: the logical [n, h, w, c] of
/// the result, and of each operand, whose n, h and w are the result's or 1
/// (broadcast); all three have `c` channels.
struct BlockedBinaryParams {
  int64_t n = 1, h = 1, w = 1, c = 0;
  int64_t an = 1, ah = 1, aw = 1;
  int64_t bn = 1, bh = 1, bw = 1;
};

namespace detail {

template <Binary K>
inline void blockedBinaryRow(const float *a, int64_t sa, const float *b,
                             int64_t sb, float *y, int64_t w) {
  for (int64_t x = 0; x < w; ++x)
    for (int l = 0; l < kVec; ++l)
      y[x * kVec + l] = applyBinary(K, a[x * sa + l], b[x * sb + l]);
}

struct BlockedBinaryCtx {
  Binary kind;
  const BlockedBinaryParams *p;
  const float *a, *b;
  float *y;
};

/// Rows [begin, end) of the result, a row being one image row of one channel
/// block.
inline void blockedBinaryTask(void *ctx, int64_t begin, int64_t end) {
  const BlockedBinaryCtx &c = *static_cast<const BlockedBinaryCtx *>(ctx);
  const BlockedBinaryParams &p = *c.p;
  const int64_t cb = numBlocks(p.c);
  const int64_t tail = p.c % kVec;
  const int64_t sa = p.aw == 1 ? 0 : kVec, sb = p.bw == 1 ? 0 : kVec;
  for (int64_t row = begin; row < end; ++row) {
    int64_t hh = row % p.h, blk = (row / p.h) % cb, nn = row / (p.h * cb);
    const float *a = c.a + (((p.an == 1 ? 0 : nn) * cb + blk) * p.ah +
                            (p.ah == 1 ? 0 : hh)) *
                               p.aw * kVec;
    const float *b = c.b + (((p.bn == 1 ? 0 : nn) * cb + blk) * p.bh +
                            (p.bh == 1 ? 0 : hh)) *
                               p.bw * kVec;
    float *y = c.y + row * p.w * kVec;
    switch (c.kind) {
    case Binary::Add:
      blockedBinaryRow<Binary::Add>(a, sa, b, sb, y, p.w);
      break;
    case Binary::Sub:
      blockedBinaryRow<Binary::Sub>(a, sa, b, sb, y, p.w);
      break;
    case Binary::Mul:
      blockedBinaryRow<Binary::Mul>(a, sa, b, sb, y, p.w);
      break;
    case Binary::Div:
      blockedBinaryRow<Binary::Div>(a, sa, b, sb, y, p.w);
      break;
    case Binary::Max:
      blockedBinaryRow<Binary::Max>(a, sa, b, sb, y, p.w);
      break;
    case Binary::Min:
      blockedBinaryRow<Binary::Min>(a, sa, b, sb, y, p.w);
      break;
    }
    // Padding lanes hold zeros in both operands, but 0 / 0 is not zero.
    if (tail && blk == cb - 1)
      for (int64_t x = 0; x < p.w; ++x)
        for (int64_t l = tail; l < kVec; ++l)
          y[x * kVec + l] = 0.0f;
  }
}

} // namespace detail

/// y = a op b on blocked maps of one channel count, broadcasting a and b
/// along N, H and W (see BlockedBinaryParams); y may alias an operand of its
/// shape. Padding lanes of y are zero.
inline void binaryBlocked(Binary k, const float *a, const float *b, float *y,
                          const BlockedBinaryParams &p,
                          const slim_parallel *par) {
  detail::BlockedBinaryCtx c{k, &p, a, b, y};
  int64_t rows = p.n * numBlocks(p.c) * p.h;
  int64_t rowFloats = p.w * kVec;
  slim_parallel_run(par, rows, rowFloats >= 8192 ? 1 : 8192 / rowFloats,
                    detail::blockedBinaryTask, &c);
}

/// y = x op s (s op x when `scalarFirst`) on a blocked [n, hw, c] map,
/// padding lanes of y left zero (x + 3 would not keep them so).
inline void binaryScalarBlocked(Binary k, const float *x, float s,
                                bool scalarFirst, float *y, int64_t n,
                                int64_t hw, int64_t c,
                                const slim_parallel *par) {
  const int64_t cb = numBlocks(c);
  binaryScalar(k, x, s, scalarFirst, y, n * cb * hw * kVec, par);
  if (int64_t tail = c % kVec)
    for (int64_t b = 0; b < n; ++b) {
      float *last = y + ((b * cb + cb - 1) * hw) * kVec;
      for (int64_t i = 0; i < hw; ++i)
        for (int64_t l = tail; l < kVec; ++l)
          last[i * kVec + l] = 0.0f;
    }
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
