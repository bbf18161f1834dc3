//===- slim/kernels/backward_spatial.h - Depthwise and pool gradients -*- C++
//-*-//
//
// The fast versions of backward_reference.h's depthwise and pooling
// gradients: the same signatures plus a trailing thread pool, NHWC in and
// out. These ops do one or two flops per element loaded, so they are
// written for memory traffic, not FMA throughput:
//
//  - depthwiseConv2dBackwardData: a work item is one dx row. Stride 1 and
//    multiplier 1 (MobileNet's stride-1 layers): each dx pixel sums its
//    taps in registers, 8 pixels at a time in the interior, pixels outer
//    and channel vectors inner (a walk down one channel column at a stride
//    of C floats lands in a few cache sets and reloads every tap from L2).
//    Otherwise every tap adds dy row * w[tap] into the row, a vector
//    multiply-add over the channels of each pixel (multipliers > 1 sum
//    their products per channel in scalar code).
//  - depthwiseConv2dBackwardFilter: a work item is a block of output rows
//    of one image, summed into its own partial dw; the partials are added
//    in item order at the end (so the bits do not depend on the thread
//    count). 3x3 with multiplier 1 keeps the nine tap sums of a channel
//    vector in registers across a row's interior; elsewhere (borders, other
//    kernels) per tap and channel vector it sums x * dy along the row with
//    4 independent accumulators.
//  - maxPool2dBackward / avgPool2dBackward: a work item is (image, group of
//    channels), which owns its slice of dx, so overlapping windows add up
//    without races. Max pool finds, per channel, the first maximum of each
//    window in row-major window order (TF's tie-break, as ref) and adds dy
//    where the tap is that argmax, as compare-and-select loops the compiler
//    vectorizes.
//
//===----------------------------------------------------------------------===//
#ifndef SLIM_KERNELS_BACKWARD_SPATIAL_H
#define SLIM_KERNELS_BACKWARD_SPATIAL_H

#include "slim/kernels/backward_conv.h"
#include "slim/kernels/common.h"
#include "slim/parallel.h"

#include <algorithm>
#include <cstdint>
#include <vector>

namespace slim {
namespace kernels {

namespace detail {

/// dst[0:n] += a[0:n] * b[0:n].
SLIM_INLINE void mulAddRow(float *dst, const float *a, const float *b,
                           int64_t n) {
  int64_t c = 0;
  for (; c + kVec <= n; c += kVec)
    vstore(dst + c, vfma(vload(a + c), vload(b + c), vload(dst + c)));
  for (; c < n; ++c)
    dst[c] += a[c] * b[c];
}

struct DwBwdCtx {
  const Conv2DParams *p;
  const float *x, *dy, *w;
  float *dx, *part;
  int64_t rowsPerItem, itemsPerImage;
};

/// Stride 1, multiplier 1: each dx pixel gathers its taps in registers,
/// dx[iw] = sum over valid (kh, kw) of dy[oh(kh)][iw + padLeft - kw *
/// dilationW] * w[kh, kw], in (kh, kw) order. In the interior (every kw
/// valid) 8 pixels per step (one weight load serves 8 FMAs; 8 independent
/// sums cover the FMA latency of two pipes); the rest pixel by pixel, four
/// channel vectors at a time, with a check per tap at the borders; scalar
/// only for a channel tail. One store of dx per element instead of a load
/// and store per tap.
inline void dwBwdDataGatherTask(void *ctx, int64_t begin, int64_t end) {
  const DwBwdCtx &c = *static_cast<const DwBwdCtx *>(ctx);
  const Conv2DParams &p = *c.p;
  const int64_t C = p.inC;
  constexpr int kMaxKh = 16;
  for (int64_t item = begin; item < end; ++item) {
    int64_t n = item / p.inH, ih = item % p.inH;
    float *row = c.dx + (n * p.inH + ih) * p.inW * C;
    // Valid kernel rows: their dy rows and weight rows.
    const float *dyRow[kMaxKh];
    const float *wRow[kMaxKh];
    int rows = 0;
    for (int kh = 0; kh < p.kernelH && rows < kMaxKh; ++kh) {
      int64_t oh = ih + p.padTop - int64_t(kh) * p.dilationH;
      if (oh < 0 || oh >= p.outH)
        continue;
      dyRow[rows] = c.dy + (n * p.outH + oh) * p.outW * C;
      wRow[rows++] = c.w + int64_t(kh) * p.kernelW * C;
    }
    int64_t iwA = std::min<int64_t>(
        p.inW,
        std::max<int64_t>(0, int64_t(p.kernelW - 1) * p.dilationW - p.padLeft));
    int64_t iwB = std::max(iwA, std::min<int64_t>(p.inW, p.outW - p.padLeft));
    const int64_t tapStep = int64_t(p.dilationW) * C;
    const int64_t cFull = C / kVec * kVec;
    // One pixel, every full channel block: taps checked against the map's
    // edges (`checked`) or not (interior). Four channel blocks at a time,
    // so four independent sums hide the FMA latency.
    auto pixel = [&](int64_t iw, bool checked) {
      int64_t c0 = 0;
      for (; c0 + 4 * kVec <= cFull; c0 += 4 * kVec) {
        Vec a0 = vzero(), a1 = vzero(), a2 = vzero(), a3 = vzero();
        for (int r = 0; r < rows; ++r)
          for (int kw = 0; kw < p.kernelW; ++kw) {
            int64_t ow = iw + p.padLeft - int64_t(kw) * p.dilationW;
            if (checked && (ow < 0 || ow >= p.outW))
              continue;
            const float *g = dyRow[r] + ow * C + c0;
            const float *wt = wRow[r] + kw * C + c0;
            a0 = vfma(vload(g), vload(wt), a0);
            a1 = vfma(vload(g + kVec), vload(wt + kVec), a1);
            a2 = vfma(vload(g + 2 * kVec), vload(wt + 2 * kVec), a2);
            a3 = vfma(vload(g + 3 * kVec), vload(wt + 3 * kVec), a3);
          }
        float *d = row + iw * C + c0;
        vstore(d, a0);
        vstore(d + kVec, a1);
        vstore(d + 2 * kVec, a2);
        vstore(d + 3 * kVec, a3);
      }
      for (; c0 < cFull; c0 += kVec) {
        Vec acc = vzero();
        for (int r = 0; r < rows; ++r)
          for (int kw = 0; kw < p.kernelW; ++kw) {
            int64_t ow = iw + p.padLeft - int64_t(kw) * p.dilationW;
            if (checked && (ow < 0 || ow >= p.outW))
              continue;
            acc = vfma(vload(dyRow[r] + ow * C + c0),
                       vload(wRow[r] + kw * C + c0), acc);
          }
        vstore(row + iw * C + c0, acc);
      }
    };
    // Pixels outer, channel blocks inner: a step's dy rows stay in L1 (with
    // channels outer, the column walk at a stride of C floats maps onto a
    // few cache sets and every tap reloads from L2).
    int64_t iw = 0;
    for (; iw < iwA; ++iw)
      pixel(iw, true);
    for (; iw + 8 <= iwB; iw += 8)
      for (int64_t c0 = 0; c0 < cFull; c0 += kVec) {
        Vec a[8];
        for (Vec &v : a)
          v = vzero();
        for (int r = 0; r < rows; ++r) {
          const float *wt = wRow[r] + c0;
          const float *g = dyRow[r] + (iw + p.padLeft) * C + c0;
          for (int kw = 0; kw < p.kernelW; ++kw, wt += C, g -= tapStep) {
            Vec wv = vload(wt);
            for (int j = 0; j < 8; ++j)
              a[j] = vfma(vload(g + j * C), wv, a[j]);
          }
        }
        for (int j = 0; j < 8; ++j)
          vstore(row + (iw + j) * C + c0, a[j]);
      }
    for (; iw < iwB; ++iw)
      pixel(iw, false);
    for (; iw < p.inW; ++iw)
      pixel(iw, true);
    const int64_t c0 = cFull;
    if (c0 == C)
      continue;
    // The channel tail, scalar, in the same tap order.
    for (int64_t px = 0; px < p.inW; ++px) {
      float acc[kVec] = {};
      for (int r = 0; r < rows; ++r)
        for (int kw = 0; kw < p.kernelW; ++kw) {
          int64_t ow = px + p.padLeft - int64_t(kw) * p.dilationW;
          if (ow < 0 || ow >= p.outW)
            continue;
          const float *g = dyRow[r] + ow * C + c0;
          const float *wt = wRow[r] + kw * C + c0;
          for (int64_t l = 0; l < C - c0; ++l)
            acc[l] += g[l] * wt[l];
        }
      std::copy(acc, acc + (C - c0), row + px * C + c0);
    }
  }
}

inline void dwBwdDataTask(void *ctx, int64_t begin, int64_t end) {
  const DwBwdCtx &c = *static_cast<const DwBwdCtx *>(ctx);
  const Conv2DParams &p = *c.p;
  int64_t mult = p.depthMultiplier, outC = p.inC * mult;
  for (int64_t item = begin; item < end; ++item) {
    int64_t n = item / p.inH, ih = item % p.inH;
    float *row = c.dx + (n * p.inH + ih) * p.inW * p.inC;
    std::fill(row, row + p.inW * p.inC, 0.0f);
    for (int kh = 0; kh < p.kernelH; ++kh) {
      int64_t t = ih + p.padTop - int64_t(kh) * p.dilationH;
      if (t < 0 || t % p.strideH)
        continue;
      int64_t oh = t / p.strideH;
      if (oh >= p.outH)
        continue;
      for (int kw = 0; kw < p.kernelW; ++kw) {
        int64_t off = int64_t(kw) * p.dilationW - p.padLeft, lo, hi;
        tapRange(0, p.inW, off, p.strideW, 0, p.outW, lo, hi);
        const float *wt = c.w + (int64_t(kh) * p.kernelW + kw) * outC;
        for (int64_t ow = lo; ow < hi; ++ow) {
          float *d = row + (ow * p.strideW + off) * p.inC;
          const float *g = c.dy + ((n * p.outH + oh) * p.outW + ow) * outC;
          if (mult == 1) {
            mulAddRow(d, g, wt, p.inC);
            continue;
          }
          for (int64_t ic = 0; ic < p.inC; ++ic) {
            float s = 0.0f;
            for (int64_t m = 0; m < mult; ++m)
              s += g[ic * mult + m] * wt[ic * mult + m];
            d[ic] += s;
          }
        }
      }
    }
  }
}

/// acc[0:kVec] += sum_j x[j * xStep + 0:kVec] * d[j * dStep + 0:kVec].
SLIM_INLINE void dotColumns(const float *x, int64_t xStep, const float *d,
                            int64_t dStep, int64_t count, float *acc) {
  Vec a0 = vload(acc), a1 = vzero(), a2 = vzero(), a3 = vzero();
  int64_t j = 0;
  for (; j + 4 <= count; j += 4) {
    a0 = vfma(vload(x), vload(d), a0);
    a1 = vfma(vload(x + xStep), vload(d + dStep), a1);
    a2 = vfma(vload(x + 2 * xStep), vload(d + 2 * dStep), a2);
    a3 = vfma(vload(x + 3 * xStep), vload(d + 3 * dStep), a3);
    x += 4 * xStep;
    d += 4 * dStep;
  }
  for (; j < count; ++j, x += xStep, d += dStep)
    a0 = vfma(vload(x), vload(d), a0);
  vstore(acc, vadd(vadd(a0, a1), vadd(a2, a3)));
}

/// The interior of one output row of a 3x3 depthwise filter gradient
/// (multiplier 1, all three kernel rows inside the map, every kw valid for
/// ow in [owA, owB)): per channel vector the nine tap sums stay in
/// registers while the row streams by, ten loads per nine FMAs (the
/// per-tap walk of dotColumns loads x and dy for every FMA).
inline void dw3x3FilterRowInterior(const Conv2DParams &p, const float *const *x,
                                   const float *dy, int64_t owA, int64_t owB,
                                   int64_t cFull, float *part) {
  const int64_t C = p.inC;
  const int64_t step = int64_t(p.strideW) * C, tap = int64_t(p.dilationW) * C;
  const int64_t first = (owA * p.strideW - p.padLeft) * C;
  for (int64_t c0 = 0; c0 < cFull; c0 += kVec) {
    Vec a[9];
    for (int t = 0; t < 9; ++t)
      a[t] = vload(part + t * C + c0);
    const float *x0 = x[0] + first + c0, *x1 = x[1] + first + c0,
                *x2 = x[2] + first + c0;
    const float *g = dy + owA * C + c0;
    for (int64_t ow = owA; ow < owB;
         ++ow, x0 += step, x1 += step, x2 += step, g += C) {
      Vec d = vload(g);
      a[0] = vfma(vload(x0), d, a[0]);
      a[1] = vfma(vload(x0 + tap), d, a[1]);
      a[2] = vfma(vload(x0 + 2 * tap), d, a[2]);
      a[3] = vfma(vload(x1), d, a[3]);
      a[4] = vfma(vload(x1 + tap), d, a[4]);
      a[5] = vfma(vload(x1 + 2 * tap), d, a[5]);
      a[6] = vfma(vload(x2), d, a[6]);
      a[7] = vfma(vload(x2 + tap), d, a[7]);
      a[8] = vfma(vload(x2 + 2 * tap), d, a[8]);
    }
    for (int t = 0; t < 9; ++t)
      vstore(part + t * C + c0, a[t]);
  }
}

inline void dwBwdFilterTask(void *ctx, int64_t begin, int64_t end) {
  const DwBwdCtx &c = *static_cast<const DwBwdCtx *>(ctx);
  const Conv2DParams &p = *c.p;
  int64_t mult = p.depthMultiplier, outC = p.inC * mult;
  int64_t taps = int64_t(p.kernelH) * p.kernelW;
  const int64_t cFull = mult == 1 ? outC / kVec * kVec : 0;
  const bool is3x3 = mult == 1 && p.kernelH == 3 && p.kernelW == 3 && cFull > 0;
  for (int64_t item = begin; item < end; ++item) {
    int64_t n = item / c.itemsPerImage;
    int64_t oh0 = item % c.itemsPerImage * c.rowsPerItem;
    int64_t oh1 = std::min(p.outH, oh0 + c.rowsPerItem);
    float *part = c.part + item * taps * outC;
    std::fill(part, part + taps * outC, 0.0f);
    for (int64_t oh = oh0; oh < oh1; ++oh) {
      // [owA, owB): the output columns where every kw is inside the map;
      // the 3x3 register kernel takes them when all three rows are too.
      int64_t owA = 0, owB = p.outW;
      for (int kw = 0; kw < p.kernelW; ++kw) {
        int64_t lo, hi;
        tapRange(0, p.inW, int64_t(kw) * p.dilationW - p.padLeft, p.strideW, 0,
                 p.outW, lo, hi);
        owA = std::max(owA, lo);
        owB = std::min(owB, hi);
      }
      const float *xRow[3] = {};
      bool tiled = is3x3 && owA < owB;
      for (int kh = 0; kh < p.kernelH && tiled; ++kh) {
        int64_t ih = oh * p.strideH - p.padTop + int64_t(kh) * p.dilationH;
        tiled = ih >= 0 && ih < p.inH;
        xRow[kh] = c.x + (n * p.inH + ih) * p.inW * p.inC;
      }
      if (!tiled)
        owA = owB = 0;
      for (int kh = 0; kh < p.kernelH; ++kh) {
        int64_t ih = oh * p.strideH - p.padTop + int64_t(kh) * p.dilationH;
        if (ih < 0 || ih >= p.inH)
          continue;
        for (int kw = 0; kw < p.kernelW; ++kw) {
          int64_t off = int64_t(kw) * p.dilationW - p.padLeft, lo, hi;
          tapRange(0, p.inW, off, p.strideW, 0, p.outW, lo, hi);
          if (lo >= hi)
            continue;
          const float *x =
              c.x + ((n * p.inH + ih) * p.inW + lo * p.strideW + off) * p.inC;
          const float *d = c.dy + ((n * p.outH + oh) * p.outW + lo) * outC;
          float *acc = part + (int64_t(kh) * p.kernelW + kw) * outC;
          if (mult == 1) {
            const int64_t xStep = int64_t(p.strideW) * p.inC;
            // Full channel vectors outside [owA, owB) (all of [lo, hi) when
            // the row is not tiled), then the scalar channel tail.
            int64_t cut = std::clamp(owA, lo, hi), resume = std::max(owB, cut);
            resume = std::min(resume, hi);
            for (int64_t ch = 0; ch < cFull; ch += kVec) {
              if (cut > lo)
                dotColumns(x + ch, xStep, d + ch, outC, cut - lo, acc + ch);
              if (hi > resume)
                dotColumns(x + (resume - lo) * xStep + ch, xStep,
                           d + (resume - lo) * outC + ch, outC, hi - resume,
                           acc + ch);
            }
            for (int64_t ch = cFull; ch < outC; ++ch)
              for (int64_t j = 0; j < hi - lo; ++j)
                acc[ch] += x[j * xStep + ch] * d[j * outC + ch];
            continue;
          }
          for (int64_t j = 0; j < hi - lo; ++j)
            for (int64_t oc = 0; oc < outC; ++oc)
              acc[oc] +=
                  x[j * p.strideW * p.inC + oc / mult] * d[j * outC + oc];
        }
      }
      if (tiled)
        dw3x3FilterRowInterior(p, xRow,
                               c.dy + (n * p.outH + oh) * p.outW * outC, owA,
                               owB, cFull, part);
    }
  }
}

/// Channels per pooling work item (a multiple of every kVec).
inline constexpr int64_t kPoolBwChannels = 64;

struct PoolBwdCtx {
  const Pool2DParams *p;
  const float *x, *dy;
  float *dx;
  int64_t groups;
};

inline void maxPoolBwdTask(void *ctx, int64_t begin, int64_t end) {
  const PoolBwdCtx &c = *static_cast<const PoolBwdCtx *>(ctx);
  const Pool2DParams &p = *c.p;
  const int64_t C = p.channels;
  float best[kPoolBwChannels];
  int32_t arg[kPoolBwChannels];
  for (int64_t item = begin; item < end; ++item) {
    int64_t n = item / c.groups, c0 = item % c.groups * kPoolBwChannels;
    int64_t cn = std::min(kPoolBwChannels, C - c0);
    float *dx = c.dx + n * p.inH * p.inW * C + c0;
    for (int64_t i = 0; i < p.inH * p.inW; ++i)
      std::fill(dx + i * C, dx + i * C + cn, 0.0f);
    const float *x = c.x + n * p.inH * p.inW * C + c0;
    for (int64_t oh = 0; oh < p.outH; ++oh) {
      int64_t h0 = std::max<int64_t>(0, oh * p.strideH - p.padTop);
      int64_t h1 =
          std::min<int64_t>(p.inH, oh * p.strideH - p.padTop + p.kernelH);
      for (int64_t ow = 0; ow < p.outW; ++ow) {
        int64_t w0 = std::max<int64_t>(0, ow * p.strideW - p.padLeft);
        int64_t w1 =
            std::min<int64_t>(p.inW, ow * p.strideW - p.padLeft + p.kernelW);
        if (h0 >= h1 || w0 >= w1)
          continue;
        int32_t t = 0;
        for (int64_t ih = h0; ih < h1; ++ih)
          for (int64_t iw = w0; iw < w1; ++iw, ++t) {
            const float *v = x + (ih * p.inW + iw) * C;
            if (t == 0) {
              for (int64_t ch = 0; ch < cn; ++ch) {
                best[ch] = v[ch];
                arg[ch] = 0;
              }
              continue;
            }
            for (int64_t ch = 0; ch < cn; ++ch) {
              bool greater = v[ch] > best[ch];
              best[ch] = greater ? v[ch] : best[ch];
              arg[ch] = greater ? t : arg[ch];
            }
          }
        const float *g = c.dy + ((n * p.outH + oh) * p.outW + ow) * C + c0;
        t = 0;
        for (int64_t ih = h0; ih < h1; ++ih)
          for (int64_t iw = w0; iw < w1; ++iw, ++t) {
            float *d = dx + (ih * p.inW + iw) * C;
            for (int64_t ch = 0; ch < cn; ++ch)
              d[ch] += arg[ch] == t ? g[ch] : 0.0f;
          }
      }
    }
  }
}

inline void avgPoolBwdTask(void *ctx, int64_t begin, int64_t end) {
  const PoolBwdCtx &c = *static_cast<const PoolBwdCtx *>(ctx);
  const Pool2DParams &p = *c.p;
  const int64_t C = p.channels;
  float share[kPoolBwChannels];
  for (int64_t item = begin; item < end; ++item) {
    int64_t n = item / c.groups, c0 = item % c.groups * kPoolBwChannels;
    int64_t cn = std::min(kPoolBwChannels, C - c0);
    float *dx = c.dx + n * p.inH * p.inW * C + c0;
    for (int64_t i = 0; i < p.inH * p.inW; ++i)
      std::fill(dx + i * C, dx + i * C + cn, 0.0f);
    for (int64_t oh = 0; oh < p.outH; ++oh) {
      int64_t h0 = std::max<int64_t>(0, oh * p.strideH - p.padTop);
      int64_t h1 =
          std::min<int64_t>(p.inH, oh * p.strideH - p.padTop + p.kernelH);
      for (int64_t ow = 0; ow < p.outW; ++ow) {
        int64_t w0 = std::max<int64_t>(0, ow * p.strideW - p.padLeft);
        int64_t w1 =
            std::min<int64_t>(p.inW, ow * p.strideW - p.padLeft + p.kernelW);
        int64_t count = (h1 - h0) * (w1 - w0);
        if (h0 >= h1 || w0 >= w1)
          continue;
        const float *g = c.dy + ((n * p.outH + oh) * p.outW + ow) * C + c0;
        float inv = 1.0f / static_cast<float>(count);
        for (int64_t ch = 0; ch < cn; ++ch)
          share[ch] = g[ch] * inv;
        for (int64_t ih = h0; ih < h1; ++ih)
          for (int64_t iw = w0; iw < w1; ++iw) {
            float *d = dx + (ih * p.inW + iw) * C;
            for (int64_t ch = 0; ch < cn; ++ch)
              d[ch] += share[ch];
          }
      }
    }
  }
}

struct GapBwdCtx {
  const float *dy;
  float *dx;
  int64_t hw, c;
  double inv;
};
inline void gapBwdTask(void *ctx, int64_t begin, int64_t end) {
  const GapBwdCtx &c = *static_cast<const GapBwdCtx *>(ctx);
  std::vector<float> row(c.c);
  int64_t lastN = -1;
  for (int64_t r = begin; r < end; ++r) {
    int64_t n = r / c.hw;
    if (n != lastN) {
      for (int64_t ch = 0; ch < c.c; ++ch)
        row[ch] = static_cast<float>(c.dy[n * c.c + ch] * c.inv);
      lastN = n;
    }
    std::copy(row.begin(), row.end(), c.dx + r * c.c);
  }
}

} // namespace detail

/// DepthwiseConv2dNativeBackpropInput (ref::depthwiseConv2dBackwardData's
/// contract: NHWC dy with inC * depthMultiplier channels, [kh][kw][inC][mult]
/// w, NHWC dx). Threads split dx rows.
inline void depthwiseConv2dBackwardData(const Conv2DParams &p, const float *dy,
                                        const float *w, float *dx,
                                        const slim_parallel *par = nullptr) {
  detail::DwBwdCtx c{&p, nullptr, dy, w, dx, nullptr, 0, 0};
  bool gather = p.strideH == 1 && p.strideW == 1 && p.depthMultiplier == 1 &&
                p.kernelH <= 16;
  slim_parallel_run(
      par, p.batch * p.inH, 1,
      gather ? detail::dwBwdDataGatherTask : detail::dwBwdDataTask, &c);
}

/// DepthwiseConv2dNativeBackpropFilter (ref::depthwiseConv2dBackwardFilter's
/// contract; dw [kh][kw][inC][mult] is overwritten). Threads split blocks of
/// output rows into per-item partial sums (kh * kw * outC floats each, at
/// most ~64 + batch items), added in a fixed order.
inline void depthwiseConv2dBackwardFilter(const Conv2DParams &p,
                                          const float *in, const float *dy,
                                          float *dw,
                                          const slim_parallel *par = nullptr) {
  int64_t outC = p.inC * p.depthMultiplier;
  int64_t size = int64_t(p.kernelH) * p.kernelW * outC;
  if (size <= 0)
    return;
  if (p.batch * p.outH * p.outW <= 0) {
    std::fill(dw, dw + size, 0.0f);
    return;
  }
  detail::DwBwdCtx c{&p, in, dy, nullptr, nullptr, nullptr, 0, 0};
  c.rowsPerItem = std::min(p.outH, std::max<int64_t>(1, p.batch * p.outH / 64));
  c.itemsPerImage = (p.outH + c.rowsPerItem - 1) / c.rowsPerItem;
  int64_t items = p.batch * c.itemsPerImage;
  // Each item zeroes its own slice first; the buffer is the conv kernels'
  // per-thread scratch (not in use by them during this call).
  c.part = detail::backwardScratch().filterParts.get(items * size);
  slim_parallel_run(par, items, 1, detail::dwBwdFilterTask, &c);
  detail::SumPartsCtx s{c.part, dw, items, size};
  slim_parallel_run(par, (size + 255) / 256, 1, detail::sumPartsTask, &s);
}

/// TF MaxPoolGrad (ref::maxPool2dBackward's contract and tie-break). Threads
/// split (image, group of 64 channels).
inline void maxPool2dBackward(const Pool2DParams &p, const float *in,
                              const float *dy, float *dx,
                              const slim_parallel *par = nullptr) {
  detail::PoolBwdCtx c{&p, in, dy, dx,
                       (p.channels + detail::kPoolBwChannels - 1) /
                           detail::kPoolBwChannels};
  slim_parallel_run(par, p.batch * c.groups, 1, detail::maxPoolBwdTask, &c);
}

/// TF AvgPoolGrad (ref::avgPool2dBackward's contract: the divisor is the
/// in-bounds part of each window). Threads split (image, group of 64
/// channels).
inline void avgPool2dBackward(const Pool2DParams &p, const float *dy, float *dx,
                              const slim_parallel *par = nullptr) {
  detail::PoolBwdCtx c{&p, nullptr, dy, dx,
                       (p.channels + detail::kPoolBwChannels - 1) /
                           detail::kPoolBwChannels};
  slim_parallel_run(par, p.batch * c.groups, 1, detail::avgPoolBwdTask, &c);
}

/// ref::globalAvgPoolBackward (the same rounding: dy * (1 / (h * w)) in
/// double, so the result equals ref's). Threads split pixels.
inline void globalAvgPoolBackward(int64_t batch, int64_t h, int64_t w,
                                  int64_t c, const float *dy, float *dx,
                                  const slim_parallel *par = nullptr) {
  if (h * w <= 0)
    return;
  detail::GapBwdCtx ctx{dy, dx, h * w, c, 1.0 / static_cast<double>(h * w)};
  slim_parallel_run(par, batch * h * w, 256, detail::gapBwdTask, &ctx);
}

} // namespace kernels
} // namespace slim

#endif // SLIM_KERNELS_BACKWARD_SPATIAL_H
