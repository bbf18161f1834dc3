//===- slim/kernels/conv_exact.h - Training forward convs, exact -*- C++
//-*-===//
//
// The train step's forward convolutions: the same bits as ref::conv2d and
// ref::depthwiseConv2d (each output a double sum of exact float products,
// taps in (kh, kw, input channel) order, padded taps skipped, rounded to
// float once), vectorized over output channels and threaded over output
// rows (namespace slim::kernels::exact).
//
// Why not the blocked float kernels: the training conformance checks hold
// slimc's gradients and 10-step state to TensorFlow's, and a gradient is
// discontinuous where a max-pool window's top two values or a ReLU's input
// tie: any float difference in the forward can route a gradient to a
// different pixel there (docs/training.md, "Discontinuities"). The double
// sums keep the forward within one rounding of the exact value, so the
// checks see the rare ties TensorFlow's own float sums decide, not ours.
//
// Bitwise equality with the reference loops: a float times a float is exact
// in double, so the vector FMA adds the same value the reference's multiply
// then add does, in the same order for every output (skipping a padded tap
// and adding its +0 product differ only for infinite weights, and the
// vector path never adds padded taps). Any thread count gives the same bits
// (each output is computed by one item). Test: conv_exact_test.cpp.
//
//===----------------------------------------------------------------------===//
#ifndef SLIM_KERNELS_CONV_EXACT_H
#define SLIM_KERNELS_CONV_EXACT_H

#include "slim/kernels/common.h"
#include "slim/kernels/train_forward.h"
#include "slim/kernels/vec.h"
#include "slim/parallel.h"

#include <algorithm>
#include <cstdint>

namespace slim {
namespace kernels {
namespace exact {
namespace detail {

#ifndef SLIM_UNROLL
#if defined(__clang__)
#define SLIM_UNROLL _Pragma("unroll")
#elif defined(__GNUC__)
#define SLIM_UNROLL _Pragma("GCC unroll 32")
#else
#define SLIM_UNROLL
#endif
#endif

/// Output channels per tile: kVecD-double vectors, 4 of them on AVX-512
/// (16 accumulators of 4 pixels x 4 vectors in 32 registers), 2 otherwise.
inline constexpr int kTileVecs = kVec == 16 ? 4 : 2;
inline constexpr int kTile = kTileVecs * kVecD;
/// Pixels of one output row per fast-path step.
inline constexpr int kPixels = 4;

struct ConvCtx {
  const Conv2DParams *p;
  const double *x; // NHWC input as double
  const double *w; // [tile][kh][kw][ic][kTile], zero lanes past outC
  float *out;      // NHWC
  int64_t tiles;   // output-channel tiles
  bool depthwise;
};

/// Stores `lanes` (<= kTile) of the tile's accumulators as floats.
SLIM_INLINE void storeTile(const VecD (&acc)[kTileVecs], float *y,
                           int64_t lanes) {
  if (lanes == kTile) {
    SLIM_UNROLL
    for (int v = 0; v < kTileVecs; ++v)
      vdstoreFloat(y + v * kVecD, acc[v]);
    return;
  }
  float tmp[kTile];
  SLIM_UNROLL
  for (int v = 0; v < kTileVecs; ++v)
    vdstoreFloat(tmp + v * kVecD, acc[v]);
  std::copy(tmp, tmp + lanes, y);
}

/// kPixels outputs of one row at stride `pixStride` (input doubles between
/// neighbouring outputs' windows) whose every tap is inside the input:
/// taps kh in [kh0, kh1), all kw, all input channels.
SLIM_INLINE void denseFast(const ConvCtx &c, const double *x0,
                           int64_t pixStride, int kh0, int kh1,
                           const double *wt, float *y, int64_t lanes) {
  const Conv2DParams &p = *c.p;
  VecD acc[kPixels][kTileVecs];
  SLIM_UNROLL
  for (int i = 0; i < kPixels; ++i)
    SLIM_UNROLL
  for (int v = 0; v < kTileVecs; ++v)
    acc[i][v] = vdzero();
  int64_t rowStride = p.inW * p.inC * p.dilationH;
  for (int kh = kh0; kh < kh1; ++kh)
    for (int kw = 0; kw < p.kernelW; ++kw) {
      const double *xk =
          x0 + (kh - kh0) * rowStride + int64_t(kw) * p.dilationW * p.inC;
      const double *wk = wt + (int64_t(kh) * p.kernelW + kw) * p.inC * kTile;
      for (int64_t ic = 0; ic < p.inC; ++ic) {
        VecD wv[kTileVecs];
        SLIM_UNROLL
        for (int v = 0; v < kTileVecs; ++v)
          wv[v] = vdload(wk + ic * kTile + v * kVecD);
        SLIM_UNROLL
        for (int i = 0; i < kPixels; ++i) {
          VecD b = vdbcast(xk + i * pixStride + ic);
          SLIM_UNROLL
          for (int v = 0; v < kTileVecs; ++v)
            acc[i][v] = vdfma(b, wv[v], acc[i][v]);
        }
      }
    }
  SLIM_UNROLL
  for (int i = 0; i < kPixels; ++i)
    storeTile(acc[i], y + i * p.outC, lanes);
}

/// Calls tap(kh, kw, x) for output (n, oh, ow)'s taps inside the input, in
/// the reference's (kh, kw) order; x is the tap's input pixel.
template <typename TapFn>
SLIM_INLINE void forEachInsideTap(const ConvCtx &c, int64_t n, int64_t oh,
                                  int64_t ow, TapFn &&tap) {
  const Conv2DParams &p = *c.p;
  for (int kh = 0; kh < p.kernelH; ++kh) {
    int64_t ih = oh * p.strideH - p.padTop + int64_t(kh) * p.dilationH;
    if (ih < 0 || ih >= p.inH)
      continue;
    for (int kw = 0; kw < p.kernelW; ++kw) {
      int64_t iw = ow * p.strideW - p.padLeft + int64_t(kw) * p.dilationW;
      if (iw >= 0 && iw < p.inW)
        tap(kh, kw, c.x + ((n * p.inH + ih) * p.inW + iw) * p.inC);
    }
  }
}

/// One output of a dense conv, taps outside the input skipped.
inline void denseOne(const ConvCtx &c, int64_t n, int64_t oh, int64_t ow,
                     const double *wt, float *y, int64_t lanes) {
  const Conv2DParams &p = *c.p;
  VecD acc[kTileVecs];
  SLIM_UNROLL
  for (int v = 0; v < kTileVecs; ++v)
    acc[v] = vdzero();
  forEachInsideTap(c, n, oh, ow, [&](int kh, int kw, const double *xk) {
    const double *wk = wt + (int64_t(kh) * p.kernelW + kw) * p.inC * kTile;
    for (int64_t ic = 0; ic < p.inC; ++ic) {
      VecD b = vdbcast(xk + ic);
      SLIM_UNROLL
      for (int v = 0; v < kTileVecs; ++v)
        acc[v] = vdfma(b, vdload(wk + ic * kTile + v * kVecD), acc[v]);
    }
  });
  storeTile(acc, y, lanes);
}

/// One output of a depthwise conv: lane j of the tile is output channel
/// t * kTile + j, which reads input channel (t * kTile + j) / multiplier:
/// the input's own channels for multiplier 1 (whole tiles), else gathered.
inline void depthwiseOne(const ConvCtx &c, int64_t n, int64_t oh, int64_t ow,
                         int64_t tile, const double *wt, float *y,
                         int64_t lanes) {
  const Conv2DParams &p = *c.p;
  int64_t mult = p.depthMultiplier;
  int64_t oc0 = tile * kTile;
  VecD acc[kTileVecs];
  SLIM_UNROLL
  for (int v = 0; v < kTileVecs; ++v)
    acc[v] = vdzero();
  alignas(64) double xs[kTile];
  forEachInsideTap(c, n, oh, ow, [&](int kh, int kw, const double *xk) {
    const double *wk = wt + (int64_t(kh) * p.kernelW + kw) * kTile;
    const double *xv = xk + oc0; // multiplier 1: lanes are input channels
    if (mult != 1 || lanes < kTile) {
      for (int64_t j = 0; j < kTile; ++j)
        xs[j] = j < lanes ? xk[(oc0 + j) / mult] : 0.0;
      xv = xs;
    }
    SLIM_UNROLL
    for (int v = 0; v < kTileVecs; ++v)
      acc[v] = vdfma(vdload(xv + v * kVecD), vdload(wk + v * kVecD), acc[v]);
  });
  storeTile(acc, y, lanes);
}

/// Item (tile, image, output row).
inline void convRowTask(void *ctx, int64_t begin, int64_t end) {
  const ConvCtx &c = *static_cast<const ConvCtx *>(ctx);
  const Conv2DParams &p = *c.p;
  int64_t outC = c.depthwise ? p.inC * p.depthMultiplier : p.outC;
  int64_t taps = int64_t(p.kernelH) * p.kernelW;
  int64_t tileFloats = (c.depthwise ? taps : taps * p.inC) * kTile;
  for (int64_t item = begin; item < end; ++item) {
    int64_t oh = item % p.outH;
    int64_t n = item / p.outH % p.batch;
    int64_t tile = item / (p.outH * p.batch);
    int64_t lanes = std::min<int64_t>(kTile, outC - tile * kTile);
    const double *wt = c.w + tile * tileFloats;
    float *yRow = c.out + ((n * p.outH + oh) * p.outW) * outC + tile * kTile;
    if (c.depthwise) {
      for (int64_t ow = 0; ow < p.outW; ++ow)
        depthwiseOne(c, n, oh, ow, tile, wt, yRow + ow * outC, lanes);
      continue;
    }
    // Rows of taps inside the input, the same for the whole output row; the
    // taps outside are skipped, as the reference skips them.
    int kh0 = 0, kh1 = p.kernelH;
    int64_t ihBase = oh * p.strideH - p.padTop;
    while (kh0 < kh1 && ihBase + int64_t(kh0) * p.dilationH < 0)
      ++kh0;
    while (kh1 > kh0 && ihBase + int64_t(kh1 - 1) * p.dilationH >= p.inH)
      --kh1;
    // Outputs whose every kw tap is inside the input row.
    int64_t firstIn = 0;
    while (firstIn < p.outW && firstIn * p.strideW - p.padLeft < 0)
      ++firstIn;
    int64_t lastIn = p.outW; // one past
    while (lastIn > firstIn && (lastIn - 1) * p.strideW - p.padLeft +
                                       int64_t(p.kernelW - 1) * p.dilationW >=
                                   p.inW)
      --lastIn;
    int64_t ow = 0;
    for (; ow < firstIn; ++ow)
      denseOne(c, n, oh, ow, wt, yRow + ow * outC, lanes);
    if (kh0 < kh1) {
      int64_t pixStride = p.strideW * p.inC;
      for (; ow + kPixels <= lastIn; ow += kPixels) {
        const double *x0 =
            c.x + ((n * p.inH + ihBase + int64_t(kh0) * p.dilationH) * p.inW +
                   ow * p.strideW - p.padLeft) *
                      p.inC;
        denseFast(c, x0, pixStride, kh0, kh1, wt, yRow + ow * outC, lanes);
      }
    }
    for (; ow < p.outW; ++ow)
      denseOne(c, n, oh, ow, wt, yRow + ow * outC, lanes);
  }
}

struct ToDoubleCtx {
  const float *src;
  double *dst;
  int64_t count;
};

inline constexpr int64_t kToDoubleChunk = 1 << 14;

inline void toDoubleTask(void *ctx, int64_t begin, int64_t end) {
  const ToDoubleCtx &c = *static_cast<const ToDoubleCtx *>(ctx);
  int64_t lo = begin * kToDoubleChunk;
  int64_t hi = std::min(c.count, end * kToDoubleChunk);
  for (int64_t i = lo; i < hi; ++i)
    c.dst[i] = c.src[i];
}

inline void toDouble(const float *src, double *dst, int64_t count,
                     const slim_parallel *par) {
  ToDoubleCtx c{src, dst, count};
  slim_parallel_run(par, (count + kToDoubleChunk - 1) / kToDoubleChunk, 1,
                    toDoubleTask, &c);
}

inline void run(const Conv2DParams &p, const float *in, const double *wPacked,
                float *out, bool depthwise, int64_t outC,
                const slim_parallel *par) {
  if (p.batch <= 0 || p.outH <= 0 || p.outW <= 0 || outC <= 0)
    return;
  nhwc::detail::Scratch &s = nhwc::detail::scratch();
  int64_t inCount = p.batch * p.inH * p.inW * p.inC;
  double *x = s.exactIn.get(std::max<int64_t>(inCount, 1));
  toDouble(in, x, inCount, par);
  ConvCtx c{&p, x, wPacked, out, (outC + kTile - 1) / kTile, depthwise};
  slim_parallel_run(par, c.tiles * p.batch * p.outH, 1, convRowTask, &c);
}

} // namespace detail

namespace detail {

/// The weights as double tiles for convRowTask: [tile][row][kTile] from the
/// [rows, cols] matrix `w` (column = output channel), lanes past cols zero.
/// Kept in the calling thread's scratch.
inline const double *packTiles(const float *w, int64_t rows, int64_t cols) {
  int64_t tiles = (cols + kTile - 1) / kTile;
  double *d = nhwc::detail::scratch().exactWeights.get(
      std::max<int64_t>(tiles * rows * kTile, 1));
  for (int64_t t = 0; t < tiles; ++t)
    for (int64_t r = 0; r < rows; ++r)
      for (int64_t j = 0; j < kTile; ++j) {
        int64_t col = t * kTile + j;
        d[(t * rows + r) * kTile + j] = col < cols ? w[r * cols + col] : 0.0;
      }
  return d;
}

} // namespace detail

/// ref::conv2d(p, in, hwio, nullptr, nullptr, out)'s bits (NHWC in and out,
/// HWIO weights; p.act, p.outCTotal and p.outCOffset are ignored: no
/// activation, a dense output).
inline void conv2d(const Conv2DParams &p, const float *in, const float *hwio,
                   float *out, const slim_parallel *par) {
  int64_t rows = int64_t(p.kernelH) * p.kernelW * p.inC;
  detail::run(p, in, detail::packTiles(hwio, rows, p.outC), out,
              /*depthwise=*/false, p.outC, par);
}

/// ref::depthwiseConv2d(p, in, w, nullptr, nullptr, out)'s bits (w [kh, kw,
/// inC, multiplier], i.e. [tap][output channel c * multiplier + m]).
inline void depthwiseConv2d(const Conv2DParams &p, const float *in,
                            const float *w, float *out,
                            const slim_parallel *par) {
  int64_t outC = p.inC * p.depthMultiplier;
  int64_t taps = int64_t(p.kernelH) * p.kernelW;
  detail::run(p, in, detail::packTiles(w, taps, outC), out,
              /*depthwise=*/true, outC, par);
}

} // namespace exact
} // namespace kernels
} // namespace slim

#endif // SLIM_KERNELS_CONV_EXACT_H
