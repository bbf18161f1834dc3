//===- slim/kernels/gemm.h - Fully connected with packed weights -*- C++ -*-=//
//
// y[M, N] = act(x[M, K] W[K, N] + bias + residual) with W packed into panels
// of kFcPanel columns ([NP][K][kFcPanel], see pack.h). M is the batch: small.
//
// At M = 1 each weight is used once, so the layer is a weight stream from
// DRAM (VGG fc6: 400 MB). The kernel reads each panel front to back in one
// pass, which the hardware prefetchers follow, 8 k-steps per iteration so
// FMA latency never throttles the stream. For larger M a register tile of
// kFcRows rows x 2 vectors reuses each weight load kFcRows times. K is cut into
// chunks whose slice of the panel fits L1, so a panel chunk is read from DRAM
// once and reused by every row group. Threads split the panels.
//
//===----------------------------------------------------------------------===//
#ifndef SLIM_KERNELS_GEMM_H
#define SLIM_KERNELS_GEMM_H

#include "slim/kernels/common.h"
#include "slim/kernels/pack.h"
#include "slim/parallel.h"

#include <algorithm>
#include <cstdint>

namespace slim {
namespace kernels {

/// Rows per register tile: kFcRows x 2 accumulators (12 of 16 ymm, 24 of 32
/// zmm).
inline constexpr int kFcRows = kVec == 16 ? 12 : 6;

namespace detail {

/// K rows per chunk: 256 x kFcPanel floats = 16 KiB (AVX2) of panel.
inline constexpr int64_t kFcKChunk = 256;
/// Rows of partial sums kept on the stack per pass over a panel.
inline constexpr int64_t kFcRowBlock = 120;

/// Partial sums of MR rows over k in [0, kLen): part[r][0:kFcPanel].
template <int MR>
inline void fcTile(const float *x, int64_t ldx, const float *wp, int64_t kLen,
                   float *part, bool first) {
  Vec acc[MR][2];
  for (int r = 0; r < MR; ++r)
    for (int b = 0; b < 2; ++b)
      acc[r][b] = first ? vzero() : vload(part + r * kFcPanel + b * kVec);
  for (int64_t k = 0; k < kLen; ++k) {
    Vec w0 = vload(wp + k * kFcPanel), w1 = vload(wp + k * kFcPanel + kVec);
    for (int r = 0; r < MR; ++r) {
      Vec xb = vbcast(x + r * ldx + k);
      acc[r][0] = vfma(xb, w0, acc[r][0]);
      acc[r][1] = vfma(xb, w1, acc[r][1]);
    }
  }
  for (int r = 0; r < MR; ++r)
    for (int b = 0; b < 2; ++b)
      vstore(part + r * kFcPanel + b * kVec, acc[r][b]);
}

#ifndef SLIM_FC_PREFETCH_BYTES
/// M = 1: how far ahead of the loads the weight stream is prefetched into
/// L1 (0: none, the hardware prefetchers alone).
#define SLIM_FC_PREFETCH_BYTES 0
#endif

/// One row (M = 1, a weight stream): 8 k-steps per iteration into 4 pairs
/// of accumulators, so FMA latency never throttles the stream, and one
/// software prefetch per cache line of the panel SLIM_FC_PREFETCH_BYTES
/// ahead (within this panel and on into the next one, which follows it in
/// memory), so the misses are in flight before the hardware prefetchers
/// would have issued them.
template <>
inline void fcTile<1>(const float *x, int64_t, const float *wp, int64_t kLen,
                      float *part, bool first) {
  constexpr int kLine = 64 / sizeof(float);
  constexpr int kStep = kFcPanel; // floats per k-step
  Vec a0 = first ? vzero() : vload(part),
      a1 = first ? vzero() : vload(part + kVec);
  Vec b0 = vzero(), b1 = vzero(), c0 = vzero(), c1 = vzero(), d0 = vzero(),
      d1 = vzero();
  int64_t k = 0;
  for (; k + 8 <= kLen; k += 8) {
    const float *w = wp + k * kStep;
    if constexpr (SLIM_FC_PREFETCH_BYTES > 0) {
      for (int l = 0; l < 8 * kStep; l += kLine)
        vprefetchL1(w + SLIM_FC_PREFETCH_BYTES / sizeof(float) + l);
    }
    Vec x0 = vbcast(x + k), x1 = vbcast(x + k + 1), x2 = vbcast(x + k + 2),
        x3 = vbcast(x + k + 3);
    a0 = vfma(x0, vload(w), a0);
    a1 = vfma(x0, vload(w + kVec), a1);
    b0 = vfma(x1, vload(w + kStep), b0);
    b1 = vfma(x1, vload(w + kStep + kVec), b1);
    c0 = vfma(x2, vload(w + 2 * kStep), c0);
    c1 = vfma(x2, vload(w + 2 * kStep + kVec), c1);
    d0 = vfma(x3, vload(w + 3 * kStep), d0);
    d1 = vfma(x3, vload(w + 3 * kStep + kVec), d1);
    x0 = vbcast(x + k + 4);
    x1 = vbcast(x + k + 5);
    x2 = vbcast(x + k + 6);
    x3 = vbcast(x + k + 7);
    a0 = vfma(x0, vload(w + 4 * kStep), a0);
    a1 = vfma(x0, vload(w + 4 * kStep + kVec), a1);
    b0 = vfma(x1, vload(w + 5 * kStep), b0);
    b1 = vfma(x1, vload(w + 5 * kStep + kVec), b1);
    c0 = vfma(x2, vload(w + 6 * kStep), c0);
    c1 = vfma(x2, vload(w + 6 * kStep + kVec), c1);
    d0 = vfma(x3, vload(w + 7 * kStep), d0);
    d1 = vfma(x3, vload(w + 7 * kStep + kVec), d1);
  }
  for (; k < kLen; ++k) {
    Vec xb = vbcast(x + k);
    a0 = vfma(xb, vload(wp + k * kStep), a0);
    a1 = vfma(xb, vload(wp + k * kStep + kVec), a1);
  }
  vstore(part, vadd(vadd(a0, b0), vadd(c0, d0)));
  vstore(part + kVec, vadd(vadd(a1, b1), vadd(c1, d1)));
}

template <int MR>
inline void fcTileDispatch(int rows, const float *x, int64_t ldx,
                           const float *wp, int64_t kLen, float *part,
                           bool first) {
  if (rows == MR)
    fcTile<MR>(x, ldx, wp, kLen, part, first);
  else if constexpr (MR > 1)
    fcTileDispatch<MR - 1>(rows, x, ldx, wp, kLen, part, first);
}

struct FcCtx {
  const FullyConnectedParams *p;
  const float *x, *w, *bias, *res;
  float *y;
  int64_t ldx, ldy, ldr, nStore;
};

inline void fcTask(void *ctx, int64_t begin, int64_t end) {
  const FcCtx &c = *static_cast<const FcCtx *>(ctx);
  const FullyConnectedParams &p = *c.p;
  alignas(64) float part[kFcRowBlock * kFcPanel];
  for (int64_t pn = begin; pn < end; ++pn) {
    const float *panel = c.w + pn * p.k * kFcPanel;
    int64_t col0 = pn * kFcPanel;
    int64_t cols = std::min<int64_t>(kFcPanel, c.nStore - col0);
    for (int64_t m0 = 0; m0 < p.m; m0 += kFcRowBlock) {
      int64_t rows = std::min(kFcRowBlock, p.m - m0);
      // One row reuses nothing: stream the whole panel in one pass.
      const int64_t kChunk = p.m == 1 ? std::max<int64_t>(1, p.k) : kFcKChunk;
      for (int64_t k0 = 0; k0 < p.k || k0 == 0; k0 += kChunk) {
        int64_t kLen = std::min(kChunk, p.k - k0);
        for (int64_t r = 0; r < rows; r += kFcRows) {
          int mr = static_cast<int>(std::min<int64_t>(kFcRows, rows - r));
          fcTileDispatch<kFcRows>(mr, c.x + (m0 + r) * c.ldx + k0, c.ldx,
                                  panel + k0 * kFcPanel, kLen,
                                  part + r * kFcPanel, k0 == 0);
        }
        if (p.k == 0)
          break;
      }
      for (int64_t r = 0; r < rows; ++r) {
        float *y = c.y + (m0 + r) * c.ldy + col0;
        const float *res = c.res ? c.res + (m0 + r) * c.ldr + col0 : nullptr;
        for (int64_t l = 0; l < cols; ++l) {
          int64_t col = col0 + l;
          if (col >= p.n) {
            y[l] = 0.0f;
            continue;
          }
          float v = part[r * kFcPanel + l] + (c.bias ? c.bias[col] : 0.0f);
          if (res)
            v += res[l];
          y[l] = activate(p.act, v);
        }
      }
    }
  }
}

} // namespace detail

/// Fully connected with weights from packFullyConnectedWeights (p.k = K) or
/// packFullyConnectedWeightsBlocked (p.k = fullyConnectedBlockedK(...), x is
/// then the blocked activation). `bias` has n floats or is null; `residual`
/// is [m, n] with row stride ldr, or null. Threads split the output panels.
inline void fullyConnected(const FullyConnectedParams &p, const float *x,
                           const float *packedW, const float *bias,
                           const float *residual, float *y,
                           const slim_parallel *par) {
  detail::FcCtx c;
  c.p = &p;
  c.x = x;
  c.w = packedW;
  c.bias = bias;
  c.res = residual;
  c.y = y;
  c.ldx = p.ldx ? p.ldx : p.k;
  c.ldy = p.ldy ? p.ldy : p.n;
  c.ldr = p.ldr ? p.ldr : p.n;
  c.nStore = p.padOutput ? roundUpToVec(p.n) : p.n;
  slim_parallel_run(par, numFcPanels(c.nStore), 1, detail::fcTask, &c);
}

} // namespace kernels
} // namespace slim

#endif // SLIM_KERNELS_GEMM_H
