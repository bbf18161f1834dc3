//===- slim/kernels/conv.h - Direct conv2d on the blocked layout -*- C++ -*-=//
//
// Direct convolution in the spirit of "Anatomy of High-Performance Deep
// Learning Convolutions on SIMD Architectures" (Georganas et al., SC'18):
// activations [N][Cb][H][W][kVec], weights [OCb][ICb][kh][kw][ic][oc].
//
// The microkernel keeps a tile of kConvTileW consecutive output pixels x RB
// = 2 output-channel blocks in registers. Each step broadcasts one input
// channel of each pixel and multiplies it by RB vectors of weights: per input
// channel RB weight loads + W broadcasts feed W*RB independent FMAs, which
// covers the FMA latency (4 cycles x 2 pipes = 8 chains needed).
//
// AVX2: W = 6 (12 accumulators + 2 weights + 1 broadcast = 15 of 16 ymm),
// the shape of the usual AVX2 SGEMM kernel. Every loop over the accumulators
// is fully unrolled (SLIM_UNROLL) and the epilogue runs on the stored tile,
// because anything else made GCC keep the whole tile in memory (it stored 12
// accumulators after every kernel tap; issue 5). Clang spills the 6-wide
// tile, so it gets W = 5. AVX-512 uses 10 x 2 = 20 of 32 zmm and loops over
// the input channels of a block in groups of 4 unrolled steps, so the tile
// variants a row alternates between fit the op cache (Zen 5); the portable
// path 3 x 2.
//
// Input channels are processed in chunks sized so the chunk's weights stay in
// L1 while the tiles sweep the output rows of a work item; partial sums go
// through the output rows between chunks. Only the last chunk applies the
// epilogue (bias, residual, activation), so the output is written exactly
// once in its final form.
//
// Tiling of the output (see convRow, convRun, conv2d):
//  - rows are cut into near-equal tiles of W or W - 1 pixels; kernel rows
//    outside the input are skipped per output row, and tiles that touch the
//    left or right edge read a block of zeros for the taps that fall outside
//    (kClip), so wide maps never copy their input;
//  - narrow maps (14x14, 7x7: rows that would need tiles of W - 2 pixels or
//    fewer) copy each work item's input rows, zero padding included, into a
//    stack buffer per input-channel chunk and run tiles across row ends
//    (kRun);
//  - a strided 1x1 conv (no padding) gathers the sampled pixels of a block
//    of output pixels densely, once per input-channel chunk, and runs the
//    1x1 stride-1 GEMM tiles over the copy for a group of 8 output block
//    pairs (convGather);
//  - a 1x1 stride-1 conv is a GEMM over the pixels of a plane, tiled as one
//    long row;
//  - a layer with fewer input channels than a block (RGB first layers)
//    copies its rows densely ([rows][cols][inC], zero padding included) and
//    reduces over (kw, ic) as one run of kw * inC floats per kernel row
//    (convSmallCItem).
//
// Design notes and measurements: docs/kernels.md, "The conv microkernel".
//
//===----------------------------------------------------------------------===//
#ifndef SLIM_KERNELS_CONV_H
#define SLIM_KERNELS_CONV_H

#include "slim/kernels/common.h"
#include "slim/kernels/layout.h"
#include "slim/kernels/pack.h"
#include "slim/parallel.h"

#include <algorithm>
#include <cstdint>
#include <utility>

namespace slim {
namespace kernels {

/// Output pixels per microkernel tile (x 2 output-channel blocks); see the
/// file comment. The portable path's vectors are pairs of SSE registers, so
/// it gets a tile that fits 16 of those.
#if defined(SLIM_CONV_TILE_W) // for tuning experiments
inline constexpr int kConvTileW = SLIM_CONV_TILE_W;
#elif defined(__AVX512F__)
inline constexpr int kConvTileW = 10;
#elif defined(__AVX2__) && defined(__FMA__) && defined(__clang__)
inline constexpr int kConvTileW = 5;
#elif defined(__AVX2__) && defined(__FMA__)
inline constexpr int kConvTileW = 6;
#else
inline constexpr int kConvTileW = 3;
#endif

#ifndef SLIM_CONV_WEIGHT_CHUNK_BYTES
/// Target bytes of weights per input-channel chunk (per pair of output
/// blocks): about half of a 32 KiB L1d, the rest is for input and output.
#define SLIM_CONV_WEIGHT_CHUNK_BYTES 16384
#endif

#ifndef SLIM_CONV_ROW_PIXELS
/// Output pixels per work item (whole rows): enough tiles to reuse each
/// weight chunk many times once it is in L1.
#define SLIM_CONV_ROW_PIXELS 112
#endif

#ifndef SLIM_CONV_L2_WEIGHT_BYTES
/// Weights up to this size are treated as L2-resident (half of a 1 MiB L2).
#define SLIM_CONV_L2_WEIGHT_BYTES (512 * 1024)
#endif

#ifndef SLIM_CONV_GATHER_PIXELS
/// Strided 1x1 convs: output pixels per work item (gathered densely).
#define SLIM_CONV_GATHER_PIXELS 120
#endif

#ifndef SLIM_CONV_GATHER_PAIRS
/// Strided 1x1 convs: output block pairs per work item, which share one
/// copy of the item's sampled input pixels.
#define SLIM_CONV_GATHER_PAIRS 8
#endif

#ifndef SLIM_CONV_SMALL_C
/// Layers with fewer than kVec input channels (RGB first layers) reduce
/// over (kw, ic) on a dense copy of their input rows (convSmallC); 0 turns
/// this off (for measurements).
#define SLIM_CONV_SMALL_C 1
#endif

#ifndef SLIM_CONV_SMALL_C_PIXELS
/// Small-channel layers: output pixels per work item (whole rows), so the
/// copy of the kernel's extra rows is amortized over several output rows.
#define SLIM_CONV_SMALL_C_PIXELS 2048
#endif

/// Output pixels ahead of the current small-channel tile whose cache lines
/// the tile prefetches for writing (0: none); see convSmallCTile.
#ifndef SLIM_CONV_SMALL_C_PREFETCH
#define SLIM_CONV_SMALL_C_PREFETCH 20
#endif

#ifndef SLIM_CONV_IC_UNROLL
/// Input-channel steps unrolled per iteration of a tile's channel loop; kVec
/// or more unrolls the whole block. AVX-512: 4, so the 4 tile variants a
/// row alternates between fit the op cache (fully unrolled they ran at
/// ~80% of peak on Zen 5 where one variant alone ran at 95%). AVX2: the
/// whole block (8 steps); rolled, GCC spills 4 of the 12 accumulators.
#if defined(__AVX512F__)
#define SLIM_CONV_IC_UNROLL 4
#else
#define SLIM_CONV_IC_UNROLL 16
#endif
#endif

#ifndef SLIM_CONV_WEIGHT_PREFETCH
/// kRun tiles (narrow maps) prefetch the next input-channel chunk's
/// weights into L2; 0 turns this off (for measurements).
#define SLIM_CONV_WEIGHT_PREFETCH 1
#endif

#ifndef SLIM_CONV_RUN_TILES
/// Narrow maps (rows that would need tiles narrower than kConvTileW - 1)
/// use tiles that span rows; 0 turns this off (for measurements).
#define SLIM_CONV_RUN_TILES 1
#endif

namespace detail {

/// Full unrolling of the loops over accumulators: any loop left rolled there
/// indexes the tile with a variable, and GCC then keeps the whole tile in
/// memory (it stored all 12 accumulators after every kernel tap).
#if defined(__clang__)
#define SLIM_UNROLL _Pragma("unroll")
#define SLIM_NO_UNROLL _Pragma("nounroll")
#elif defined(__GNUC__)
#define SLIM_UNROLL _Pragma("GCC unroll 32")
#define SLIM_NO_UNROLL _Pragma("GCC unroll 1")
#else
#define SLIM_UNROLL
#define SLIM_NO_UNROLL
#endif

/// Taps t in [lo, hi) of a k-tap window with dilation `dil` that start at
/// `start` and land inside [0, size).
SLIM_INLINE void validTaps(int64_t start, int dil, int k, int64_t size, int &lo,
                           int &hi) {
  lo = 0;
  hi = k;
  if (start < 0)
    lo = static_cast<int>((-start + dil - 1) / dil);
  if (start + static_cast<int64_t>(k - 1) * dil >= size) {
    int64_t room = size - start;
    hi = room <= 0 ? 0 : static_cast<int>((room + dil - 1) / dil);
  }
  if (hi < lo)
    hi = lo;
}

/// Everything a row of tiles needs; pointers are already offset to the
/// image, output block pair and row being computed.
struct ConvRowArgs {
  const float *in; // (n, first ic block of the chunk), row/col 0
  const float *w;  // (first oc block, first ic block of the chunk)
  float *out;      // (n, first oc block, oh), col 0
  const float *res;
  const float *bias; // RB * kVec floats
  int storeBlocks;   // output blocks that exist: RB, or 1 for an odd tail
  int64_t inCbStride, inRowStride;
  int64_t wOcbStride, wIcbStride;
  int64_t outCbStride, resCbStride;
  int64_t nIcb;
  int lastSteps; // input-channel steps of the chunk's last block (see below)
  int64_t ih0;
  int khLo, khHi, kernelH, kernelW, dilH, dilW, strideH, strideW;
  int64_t padLeft, inW, inH;
  int64_t outW; // kRun tiles
  bool first, last;
  Activation act;
  /// The next input-channel chunk's weights (first output block) and their
  /// floats per block, which kRun tiles ask L2 for (see convRun); null for
  /// the last chunk.
  const float *wNext = nullptr;
  int64_t wNextFloats = 0;
};

/// Zeros that clipped taps of border tiles read instead of padding.
alignas(64) inline constexpr float kZeroBlock[kVec] = {};

/// One input channel step: RB weight vectors times RW broadcast pixels, into
/// accumulator set `set`. Pixel r of the tile is at px(r).
template <int NS, int RW, int RB, typename PixelFn>
SLIM_INLINE void convStep(Vec (&acc)[NS][RW][RB], int set, PixelFn px,
                          const float *wp, int64_t wOcbStride, int ic) {
  Vec wv[RB];
  SLIM_UNROLL
  for (int b = 0; b < RB; ++b)
    wv[b] = vload(wp + b * wOcbStride + ic * kVec);
  SLIM_UNROLL
  for (int r = 0; r < RW; ++r) {
    Vec x = vbcast(px(r) + ic);
    SLIM_UNROLL
    for (int b = 0; b < RB; ++b)
      acc[set][r][b] = vfma(x, wv[b], acc[set][r][b]);
  }
}

/// The first NIC input channels of one block, unrolled by a fold so every
/// accumulator index is a compile-time constant (which is what lets GCC and
/// Clang keep the tile in registers).
template <int NS, int RW, int RB, typename PixelFn, int... IC>
SLIM_INLINE void convTapSteps(std::integer_sequence<int, IC...>,
                              Vec (&acc)[NS][RW][RB], PixelFn px,
                              const float *wp, int64_t wOcbStride) {
  constexpr int NIC = sizeof...(IC);
  constexpr int U = SLIM_CONV_IC_UNROLL;
  if constexpr (NS == 1 && U < NIC && NIC % U == 0) {
    // One accumulator set: the channel index is only an address offset,
    // so the channels can loop in groups of U unrolled steps. This keeps
    // the tile variants a row alternates between small enough for the
    // op cache (see SLIM_CONV_IC_UNROLL).
    SLIM_NO_UNROLL
    for (int ic0 = 0; ic0 < NIC; ic0 += U)
      convTapSteps<NS, RW, RB>(
          std::make_integer_sequence<int, U>(), acc,
          [&](int r) { return px(r) + ic0; }, wp + ic0 * kVec, wOcbStride);
  } else {
    (convStep<NS, RW, RB>(acc, IC % NS, px, wp, wOcbStride, IC), ...);
  }
}

/// How a tile finds its input pixels.
enum TileMode : int {
  /// Every tap of every pixel is inside the input: pixel r is at
  /// base + r * stride.
  kInterior = 0,
  /// Pixels of one output row, some taps outside the input on the left or
  /// right: one pointer per pixel and tap, kZeroBlock for those outside.
  kClip = 1,
  /// Consecutive pixels of the output plane that may span rows, read from
  /// a zero-padded copy of the input rows (narrow maps, strided 1x1): every
  /// tap is inside, pixel r is at base + off[r].
  kRun = 2,
};

/// Offsets (floats) of the pixels of a kRun tile in the padded copy.
template <int RW> struct RunGeometry { int64_t off[RW]; };

/// All taps of one input-channel block, NIC channel steps per tap, kernel
/// rows [khLo, khHi).
template <int NIC, int NS, int RW, int RB, int Mode, int SW>
SLIM_INLINE void convBlock(const ConvRowArgs &a, Vec (&acc)[NS][RW][RB],
                           const float *inB, const float *wB, int64_t iw0,
                           int sw, int khLo, int khHi,
                           const RunGeometry<RW> &g) {
  if constexpr (Mode == kRun) {
    // One pointer per pixel, stepped from tap to tap: loop-carried, so the
    // compiler cannot hoist (offset + channel) sums for every pixel and
    // channel out of the loops (it did, and spilled all 48 of them).
    const float *pr[RW];
    SLIM_UNROLL
    for (int r = 0; r < RW; ++r)
      pr[r] = inB + g.off[r] + khLo * a.dilH * a.inRowStride;
    const int64_t kwStep = static_cast<int64_t>(a.dilW) * kVec;
    const int64_t khStep = a.dilH * a.inRowStride - a.kernelW * kwStep;
    const float *wp = wB + khLo * a.kernelW * kVec * kVec;
    for (int kh = khLo; kh < khHi; ++kh) {
      for (int kw = 0; kw < a.kernelW; ++kw) {
        convTapSteps<NS, RW, RB>(
            std::make_integer_sequence<int, NIC>(), acc,
            [&](int r) { return pr[r]; }, wp, a.wOcbStride);
        wp += kVec * kVec;
        SLIM_UNROLL
        for (int r = 0; r < RW; ++r)
          pr[r] += kwStep;
      }
      SLIM_UNROLL
      for (int r = 0; r < RW; ++r)
        pr[r] += khStep;
    }
    return;
  }
  for (int kh = khLo; kh < khHi; ++kh) {
    const float *inR = inB + (a.ih0 + kh * a.dilH) * a.inRowStride;
    const float *wR = wB + kh * a.kernelW * kVec * kVec;
    for (int kw = 0; kw < a.kernelW; ++kw) {
      const float *wp = wR + kw * kVec * kVec;
      if constexpr (Mode == kClip) {
        const float *pix[RW];
        SLIM_UNROLL
        for (int r = 0; r < RW; ++r) {
          int64_t iw = iw0 + static_cast<int64_t>(r) * sw + kw * a.dilW;
          pix[r] = iw >= 0 && iw < a.inW ? inR + iw * kVec : kZeroBlock;
        }
        convTapSteps<NS, RW, RB>(
            std::make_integer_sequence<int, NIC>(), acc,
            [&](int r) { return pix[r]; }, wp, a.wOcbStride);
      } else if constexpr (SW > 0) {
        // Known stride: pixel offsets are immediates of one base pointer.
        const float *ip = inR + (iw0 + kw * a.dilW) * kVec;
        convTapSteps<NS, RW, RB>(
            std::make_integer_sequence<int, NIC>(), acc,
            [=](int r) { return ip + r * SW * kVec; }, wp, a.wOcbStride);
      } else {
        const float *ip = inR + (iw0 + kw * a.dilW) * kVec;
        convTapSteps<NS, RW, RB>(
            std::make_integer_sequence<int, NIC>(), acc,
            [=](int r) { return ip + r * sw * kVec; }, wp, a.wOcbStride);
      }
    }
  }
}

/// The chunk's last block may hold fewer than kVec real channels (3 for an
/// RGB image). Its padding lanes are zero in the input and in the weights,
/// so any number of steps >= the real channels is exact: run the smallest
/// power of two >= 4 that covers them (4 steps for RGB instead of 8),
/// unrolled. (1 and 2 steps would be two more copies of every tile, for
/// one- and two-channel inputs only.)
template <int NIC, int NS, int RW, int RB, int Mode, int SW>
SLIM_INLINE void convLastBlock(const ConvRowArgs &a, Vec (&acc)[NS][RW][RB],
                               const float *inB, const float *wB, int64_t iw0,
                               int sw, int khLo, int khHi,
                               const RunGeometry<RW> &g) {
  if constexpr (NIC > 4) {
    if (a.lastSteps <= NIC / 2) {
      convLastBlock<NIC / 2, NS, RW, RB, Mode, SW>(a, acc, inB, wB, iw0, sw,
                                                   khLo, khHi, g);
      return;
    }
  }
  convBlock<NIC, NS, RW, RB, Mode, SW>(a, acc, inB, wB, iw0, sw, khLo, khHi, g);
}

/// Epilogue of a finished tile, on the stored sums (L1-resident): + bias,
/// + residual, activation. Kept out of the register tile on purpose: a call
/// or a runtime loop over the accumulators there would make the compiler
/// keep the whole tile in memory.
inline void convEpilogue(const ConvRowArgs &a, float *o, int64_t ow0, int rw) {
  for (int b = 0; b < a.storeBlocks; ++b) {
    const Vec bias = vload(a.bias + b * kVec);
    float *ob = o + b * a.outCbStride;
    const float *rb = a.res ? a.res + b * a.resCbStride + ow0 * kVec : nullptr;
    for (int r = 0; r < rw; ++r) {
      Vec v = vadd(vload(ob + r * kVec), bias);
      if (rb)
        v = vadd(v, vload(rb + r * kVec));
      vstore(ob + r * kVec, activateVec(a.act, v));
    }
  }
}

/// RW output pixels starting at ow0 (kRun: at pixel ow0 of the plane).
///
/// Interior tiles have every tap of every pixel inside the input and
/// address pixel r as base + r * stride (SW > 0: the stride is a
/// compile-time constant). Border tiles (kClip, kRun) compute, per tap, one
/// pointer per pixel that is either the input pixel or kZeroBlock, so the
/// edges run the same full-width tile as the interior instead of narrow
/// single-pixel ones; kClip tiles clip the kernel rows per output row, for
/// free.
///
/// Narrow tiles (maps narrower than a tile) have too few accumulators to
/// hide the FMA latency, so they rotate input channels over NS accumulator
/// sets and add the sets at the end.
template <int RW, int RB, int Mode, int SW>
inline void convTile(const ConvRowArgs &a, int64_t ow0) {
  constexpr int NS = RW >= 4 ? 1 : (RW == 1 ? 4 : 2);
  const int sw = SW > 0 ? SW : a.strideW;
  Vec acc[NS][RW][RB];
  float *o = a.out + ow0 * kVec;
  SLIM_UNROLL
  for (int s = 0; s < NS; ++s)
    SLIM_UNROLL
  for (int r = 0; r < RW; ++r)
    SLIM_UNROLL
  for (int b = 0; b < RB; ++b)
    acc[s][r][b] = s == 0 && !a.first && b < a.storeBlocks
                       ? vload(o + b * a.outCbStride + r * kVec)
                       : vzero();
  RunGeometry<RW> g;
  const int khLo = a.khLo, khHi = a.khHi;
  if constexpr (Mode == kRun) {
    SLIM_UNROLL
    for (int r = 0; r < RW; ++r) {
      int64_t oh = (ow0 + r) / a.outW, ow = (ow0 + r) - oh * a.outW;
      g.off[r] = oh * a.strideH * a.inRowStride + ow * sw * kVec;
    }
  }
  const int64_t iw0 = ow0 * sw - a.padLeft;
  const float *inB = a.in;
  const float *wB = a.w;
  for (int64_t cb = 0; cb + 1 < a.nIcb; ++cb) {
    convBlock<kVec, NS, RW, RB, Mode, SW>(a, acc, inB, wB, iw0, sw, khLo, khHi,
                                          g);
    inB += a.inCbStride;
    wB += a.wIcbStride;
  }
  convLastBlock<kVec, NS, RW, RB, Mode, SW>(a, acc, inB, wB, iw0, sw, khLo,
                                            khHi, g);
  SLIM_UNROLL
  for (int s = 1; s < NS; ++s)
    SLIM_UNROLL
  for (int r = 0; r < RW; ++r)
    SLIM_UNROLL
  for (int b = 0; b < RB; ++b)
    acc[0][r][b] = vadd(acc[0][r][b], acc[s][r][b]);
  SLIM_UNROLL
  for (int r = 0; r < RW; ++r)
    SLIM_UNROLL
  for (int b = 0; b < RB; ++b)
    if (b < a.storeBlocks)
      vstore(o + b * a.outCbStride + r * kVec, acc[0][r][b]);
  if (a.last)
    convEpilogue(a, o, ow0, RW);
}

/// One tile of width w at ow. Only the two widest widths (all tiles of rows
/// and runs long enough) get the interior and kRun variants, the interior
/// ones with a compile-time stride; narrower tiles (short rows the kRun path
/// does not take) always use the kClip variant, which is also exact for
/// interior pixels. This keeps the instantiations (compile time of every
/// generated model) down.
template <int RW, int RB, int SW>
inline void convTileNarrow(const ConvRowArgs &a, int64_t ow, int w) {
  if constexpr (RW > 1) {
    if (w < RW) {
      convTileNarrow<RW - 1, RB, SW>(a, ow, w);
      return;
    }
  }
  convTile<RW, RB, kClip, 0>(a, ow);
}

template <int RB, int SW>
inline void convTileW(const ConvRowArgs &a, int64_t ow, int w, int mode) {
  constexpr int TW = kConvTileW;
  if (w == TW || (TW > 1 && w == TW - 1)) {
    constexpr int TW1 = TW > 1 ? TW - 1 : 1;
    const bool wide = w == TW;
    if (mode == kRun) {
      wide ? convTile<TW, RB, kRun, 0>(a, ow)
           : convTile<TW1, RB, kRun, 0>(a, ow);
    } else if (mode == kClip) {
      wide ? convTile<TW, RB, kClip, 0>(a, ow)
           : convTile<TW1, RB, kClip, 0>(a, ow);
    } else {
      wide ? convTile<TW, RB, kInterior, SW>(a, ow)
           : convTile<TW1, RB, kInterior, SW>(a, ow);
    }
    return;
  }
  if constexpr (TW > 2)
    convTileNarrow<TW - 2, RB, SW>(a, ow, w);
}

/// Cuts n pixels into the fewest tiles of at most kConvTileW pixels, of
/// near-equal widths: `tiles` tiles, the first `tiles - wide` of them
/// `base` wide and the others base + 1.
struct TileSplit {
  int64_t tiles, base, wide;
  explicit TileSplit(int64_t n) {
    tiles = (n + kConvTileW - 1) / kConvTileW;
    base = tiles ? n / tiles : 0;
    wide = tiles ? n % tiles : 0;
  }
  int width(int64_t t) const {
    return static_cast<int>(base + (t >= tiles - wide ? 1 : 0));
  }
};

/// Pixels [p0, p1) of the output plane in kRun tiles (maps too narrow for
/// full-width tiles within a row: 14 pixels would be 5 + 5 + 4, 7 would be
/// 4 + 3, and tiles below 5 pixels run at ~60% of the 5- and 6-wide ones).
template <int RB>
inline void convRun(const ConvRowArgs &a, int64_t p0, int64_t p1) {
  TileSplit split(p1 - p0);
  // Narrow maps have few work items per output block pair, so a chunk's
  // weights mostly come from L3 (VGG conv5: 576 KiB per pair, 2 items).
  // Each tile asks L2 for its share of the next chunk's weights, so the
  // next chunk's first tile does not wait on them.
  constexpr int64_t kLine = 64 / sizeof(float);
  const int64_t lines =
      SLIM_CONV_WEIGHT_PREFETCH && a.wNext ? a.wNextFloats / kLine : 0;
  int64_t p = p0;
  for (int64_t t = 0; t < split.tiles; ++t) {
    for (int64_t l = lines * t / split.tiles,
                 l1 = lines * (t + 1) / split.tiles;
         l < l1; ++l)
      for (int b = 0; b < RB; ++b)
        vprefetchL2(a.wNext + b * a.wOcbStride + l * kLine);
    const int w = split.width(t);
    convTileW<RB, 0>(a, p, w, kRun); // w >= kConvTileW - 1, see conv2d
    p += w;
  }
}

/// Output columns [ow0, ow1) of one row.
///
/// The row is cut into the fewest tiles of at most kConvTileW pixels, of
/// near-equal widths (56 pixels on AVX2: 6 x 6 + 4 x 5, rather than 9 x 6 +
/// a 2-wide tile at a third of the speed; 14: 5 + 5 + 4). Tiles whose window
/// leaves the input on the left or right ([fullLo, fullHi) is the interior)
/// read zeros for the missing taps; interior tiles address pixels with the
/// stride SW.
template <int RB, int SW>
inline void convRow(const ConvRowArgs &a, int64_t ow0, int64_t ow1,
                    int64_t fullLo, int64_t fullHi) {
  TileSplit split(ow1 - ow0);
  // Each interior tile also asks L2 for its slice of the one input row that
  // the next output row adds, so that row is not fetched from L3 on demand
  // in short per-block bursts the hardware prefetchers miss.
  const int64_t nextRow =
      a.ih0 + static_cast<int64_t>(a.kernelH - 1) * a.dilH + a.strideH;
  const bool prefetch = nextRow < a.inH;
  int64_t ow = ow0;
  for (int64_t t = 0; t < split.tiles; ++t) {
    const int w = split.width(t);
    const bool clip = ow < fullLo || ow + w > fullHi;
    if (prefetch && !clip) {
      const float *pf =
          a.in + nextRow * a.inRowStride + (ow * a.strideW - a.padLeft) * kVec;
      for (int64_t cb = 0; cb < a.nIcb; ++cb)
        for (int l = 0; l < w * a.strideW * kVec; l += 64 / 4)
          vprefetchL2(pf + cb * a.inCbStride + l);
    }
    convTileW<RB, SW>(a, ow, w, clip ? kClip : kInterior);
    ow += w;
  }
}

struct ConvCtx {
  Conv2DParams p; // possibly a flattened view (1x1 convs), see conv2d
  const float *in, *w, *bias, *res;
  float *out;
  int64_t icb, ocb, groups;
  int64_t inCbTotal, outCbTotal, resCbTotal;
  int64_t icbChunk, rowsPerItem, colsPerItem, rowBlocks, colBlocks;
  bool groupsInner;
  /// 0: tiles along rows; kRunPadded: narrow map, kRun tiles on a padded
  /// copy of the item's input rows; kRunGather: strided 1x1, the sampled
  /// pixels of a pixel block copied densely once per input-channel chunk
  /// and run as a 1x1 stride-1 GEMM for `pairsPerItem` output block pairs
  /// (items are then (image, pixel block, group of pairs); see convGather).
  int run;
  int64_t pairsPerItem, gatherChunk;
  /// kRunSmallC: columns of the dense padded row copy (see convSmallC).
  int64_t smallCols;
  int64_t fullLo, fullHi;
};

enum RunKind : int { kRunPadded = 1, kRunGather = 2, kRunSmallC = 3 };

/// Floats of the per-item copy the kRun paths make of one input-channel
/// chunk of their input rows (on the stack, 64 KiB).
inline constexpr int64_t kRunBufFloats = 16384;

/// Rows of the padded copy, and its row length in pixels (kRunPadded).
SLIM_INLINE int64_t runPaddedRows(const Conv2DParams &p, int64_t rows) {
  return (rows - 1) * p.strideH +
         static_cast<int64_t>(p.kernelH - 1) * p.dilationH + 1;
}
SLIM_INLINE int64_t runPaddedCols(const Conv2DParams &p) {
  return (p.outW - 1) * p.strideW +
         static_cast<int64_t>(p.kernelW - 1) * p.dilationW + 1;
}

/// Floats of the copy of one chunk of output rows [oh0, oh0 + rows).
inline int64_t runBufFloats(const Conv2DParams &p, int64_t rows,
                            int64_t icbChunk) {
  return icbChunk * runPaddedRows(p, rows) * runPaddedCols(p) * kVec;
}

/// One input-channel chunk of a kRun item: copy the chunk's input rows
/// (zeros for padding), then run tiles over the output pixels of rows
/// [oh0, oh1) as one sequence, so no tile is narrow and no tap needs a
/// bounds check. The copy is ~1% of the work of the tiles that read it.
template <int RB>
void convRunChunk(const ConvCtx &c, const ConvRowArgs &a, int64_t oh0,
                  int64_t oh1, float *out, const float *res) {
  const Conv2DParams &p = c.p;
  const int64_t rows = oh1 - oh0;
  alignas(64) float buf[kRunBufFloats];
  ConvRowArgs b = a;
  b.in = buf;
  b.ih0 = 0;
  b.padLeft = 0;
  b.out = out + oh0 * p.outW * kVec;
  b.res = res ? res + oh0 * p.outW * kVec : nullptr;
  const int64_t ihStart = oh0 * p.strideH - p.padTop;
  float *dst = buf;
  const int64_t prows = runPaddedRows(p, rows), pcols = runPaddedCols(p);
  for (int64_t cb = 0; cb < a.nIcb; ++cb) {
    const float *src = a.in + cb * a.inCbStride;
    for (int64_t r = 0; r < prows; ++r) {
      const int64_t ih = ihStart + r;
      const bool rowOk = ih >= 0 && ih < p.inH;
      for (int64_t col = 0; col < pcols; ++col, dst += kVec) {
        const int64_t iw = col - p.padLeft;
        vstore(dst, rowOk && iw >= 0 && iw < p.inW
                        ? vload(src + (ih * p.inW + iw) * kVec)
                        : vzero());
      }
    }
  }
  b.inCbStride = prows * pcols * kVec;
  b.inRowStride = pcols * kVec;
  b.inH = prows;
  b.inW = pcols;
  b.khLo = 0;
  b.khHi = p.kernelH;
  convRun<RB>(b, 0, rows * p.outW);
}

/// The row arguments every item of the layer shares, for the output block
/// pair starting at block ocb0; `bias` (2 * kVec floats) receives the
/// pair's bias lanes.
inline void convItemArgs(const ConvCtx &c, int64_t ocb0, ConvRowArgs &a,
                         float *bias) {
  const Conv2DParams &p = c.p;
  const int64_t inPlane = p.inH * p.inW * kVec;
  const int64_t outPlane = p.outH * p.outW * kVec;
  for (int64_t l = 0; l < 2 * kVec; ++l) {
    int64_t oc = ocb0 * kVec + l;
    bias[l] = c.bias && oc < p.outC ? c.bias[oc] : 0.0f;
  }
  a.inCbStride = inPlane;
  a.inRowStride = p.inW * kVec;
  a.wIcbStride = static_cast<int64_t>(p.kernelH) * p.kernelW * kVec * kVec;
  a.wOcbStride = c.icb * a.wIcbStride;
  a.outCbStride = outPlane;
  a.resCbStride = outPlane;
  a.kernelW = p.kernelW;
  a.kernelH = p.kernelH;
  a.strideH = p.strideH;
  a.inH = p.inH;
  a.dilH = p.dilationH;
  a.dilW = p.dilationW;
  a.strideW = p.strideW;
  a.padLeft = p.padLeft;
  a.outW = p.outW;
  a.inW = p.inW;
  a.act = p.act;
  a.bias = bias;
  a.storeBlocks = static_cast<int>(std::min<int64_t>(2, c.ocb - ocb0));
}

/// One input-channel chunk (a.in, a.w, nIcb, lastSteps, first and last
/// set) over output rows [oh0, oh1), columns [ow0, ow1) of the image and
/// block pair whose output (residual) starts at `out` (`res`).
template <int RB>
void convChunk(const ConvCtx &c, ConvRowArgs &a, int64_t oh0, int64_t oh1,
               int64_t ow0, int64_t ow1, float *out, const float *res) {
  const Conv2DParams &p = c.p;
  if (c.run) {
    convRunChunk<RB>(c, a, oh0, oh1, out, res);
    return;
  }
  for (int64_t oh = oh0; oh < oh1; ++oh) {
    a.ih0 = oh * p.strideH - p.padTop;
    validTaps(a.ih0, p.dilationH, p.kernelH, p.inH, a.khLo, a.khHi);
    a.out = out + oh * p.outW * kVec;
    a.res = res ? res + oh * p.outW * kVec : nullptr;
    // Stride 1 gets tiles with a compile-time stride; the others (first
    // layers, strided 3x3 on wide maps) share one generic variant.
    if (p.strideW == 1)
      convRow<RB, 1>(a, ow0, ow1, c.fullLo, c.fullHi);
    else
      convRow<RB, 0>(a, ow0, ow1, c.fullLo, c.fullHi);
  }
}

/// Output rows [oh0, oh1), columns [ow0, ow1) of one image and one pair of
/// output blocks. The input-channel chunk loop is outside the row loop, so a
/// chunk's weights are brought into L1 once for several rows; on narrow maps
/// (28, 14, 7 pixels) one row alone is too few tiles to amortize that.
template <int RB>
void convItem(const ConvCtx &c, int64_t n, int64_t ocb0, int64_t oh0,
              int64_t oh1, int64_t ow0, int64_t ow1) {
  const Conv2DParams &p = c.p;
  const int64_t inPlane = p.inH * p.inW * kVec;
  const int64_t outPlane = p.outH * p.outW * kVec;
  alignas(64) float bias[2 * kVec];
  ConvRowArgs a;
  convItemArgs(c, ocb0, a, bias);
  float *out = c.out + (n * c.outCbTotal + p.outCbOffset + ocb0) * outPlane;
  const float *res =
      c.res ? c.res + (n * c.resCbTotal + p.resCbOffset + ocb0) * outPlane
            : nullptr;
  for (int64_t cb0 = 0; cb0 < c.icb; cb0 += c.icbChunk) {
    int64_t cb1 = std::min(c.icb, cb0 + c.icbChunk);
    a.in = c.in + (n * c.inCbTotal + p.inCbOffset + cb0) * inPlane;
    a.w = c.w + ocb0 * a.wOcbStride + cb0 * a.wIcbStride;
    a.nIcb = cb1 - cb0;
    int lastIc =
        cb1 == c.icb ? static_cast<int>(p.inC - (c.icb - 1) * kVec) : kVec;
    a.lastSteps = lastIc;
    a.first = cb0 == 0;
    a.last = cb1 == c.icb;
    a.wNext = a.last ? nullptr : a.w + (cb1 - cb0) * a.wIcbStride;
    a.wNextFloats = (std::min(c.icb, cb1 + c.icbChunk) - cb1) * a.wIcbStride;
    convChunk<RB>(c, a, oh0, oh1, ow0, ow1, out, res);
  }
}

/// A strided 1x1 conv without padding (projection shortcuts): output pixels
/// [p0, p1) of image n (row-major over the output plane) for the output
/// block pairs [g0, g1). Per input-channel chunk the sampled input pixels
/// are copied densely into a stack buffer, once for all the pairs, and each
/// pair runs the 1x1 stride-1 GEMM tiles over the copy (full-width tiles
/// across row ends, the input at unit stride). Reading the strided pixels in
/// place instead ran at 27-44% of peak; redoing the copy per pair cost as
/// much as it saved. Partial sums go through the output between chunks,
/// as in convItem; each output element is summed in the same order whatever
/// the split of the work.
template <int RB>
void convGather(const ConvCtx &c, int64_t n, int64_t g0, int64_t g1, int64_t p0,
                int64_t p1) {
  const Conv2DParams &p = c.p;
  const int64_t inPlane = p.inH * p.inW * kVec;
  const int64_t outPlane = p.outH * p.outW * kVec;
  const int64_t pixels = p1 - p0;
  static_assert(SLIM_CONV_GATHER_PIXELS >= 1 &&
                    SLIM_CONV_GATHER_PIXELS * kVec <= kRunBufFloats,
                "one input block of a pixel block must fit the buffer");
  alignas(64) float buf[kRunBufFloats];
  alignas(64) float bias[2 * kVec];
  ConvRowArgs a;
  a.in = buf;
  a.inCbStride = pixels * kVec;
  a.inRowStride = pixels * kVec;
  a.wIcbStride = kVec * kVec;
  a.wOcbStride = c.icb * a.wIcbStride;
  a.outCbStride = outPlane;
  a.resCbStride = outPlane;
  a.kernelW = a.kernelH = 1;
  a.strideH = a.strideW = 1;
  a.dilH = a.dilW = 1;
  a.ih0 = 0;
  a.khLo = 0;
  a.khHi = 1;
  a.padLeft = 0;
  a.inH = 1;
  a.inW = pixels;
  a.outW = pixels;
  a.act = p.act;
  a.bias = bias;
  const float *inN = c.in + (n * c.inCbTotal + p.inCbOffset) * inPlane;
  const int64_t p0h = p0 / p.outW, p0w = p0 - p0h * p.outW;
  for (int64_t cb0 = 0; cb0 < c.icb; cb0 += c.gatherChunk) {
    const int64_t cb1 = std::min(c.icb, cb0 + c.gatherChunk);
    float *dst = buf;
    for (int64_t cb = cb0; cb < cb1; ++cb) {
      const float *src = inN + cb * inPlane;
      int64_t oh = p0h, ow = p0w;
      for (int64_t i = 0; i < pixels; ++i, dst += kVec) {
        vstore(dst,
               vload(src + (oh * p.strideH * p.inW + ow * p.strideW) * kVec));
        if (++ow == p.outW) {
          ow = 0;
          ++oh;
        }
      }
    }
    a.nIcb = cb1 - cb0;
    a.lastSteps =
        cb1 == c.icb ? static_cast<int>(p.inC - (c.icb - 1) * kVec) : kVec;
    a.first = cb0 == 0;
    a.last = cb1 == c.icb;
    for (int64_t g = g0; g < g1; ++g) {
      const int64_t ocb0 = 2 * g;
      for (int64_t l = 0; l < RB * kVec; ++l) {
        int64_t oc = ocb0 * kVec + l;
        bias[l] = c.bias && oc < p.outC ? c.bias[oc] : 0.0f;
      }
      a.storeBlocks = static_cast<int>(std::min<int64_t>(RB, c.ocb - ocb0));
      a.w = c.w + ocb0 * a.wOcbStride + cb0 * a.wIcbStride;
      a.out = c.out + (n * c.outCbTotal + p.outCbOffset + ocb0) * outPlane +
              p0 * kVec;
      a.res = c.res ? c.res +
                          (n * c.resCbTotal + p.resCbOffset + ocb0) * outPlane +
                          p0 * kVec
                    : nullptr;
      convRow<RB, 1>(a, 0, pixels, 0, pixels);
    }
  }
}

/// Floats of the stack copy of one output block pair's weights in the
/// small-channel path: kh * kw * inC * 2 * kVec at most (an 11x11 RGB
/// kernel on AVX-512).
inline constexpr int64_t kSmallCWeightFloats = 12288;

/// The activation a small-channel tile applies in registers; the others
/// (sigmoid, tanh, elu) run on the stored tile (kActIdentity, then
/// convSmallCPostAct).
enum SmallCAct : int { kActIdentity = 0, kActRelu = 1, kActRelu6 = 2 };

/// What a small-channel tile needs (see convSmallCItem).
struct SmallCArgs {
  const float *in;   // dense padded copy of the item's rows: [rows][cols][inC]
  const float *w;    // the pair's weights: [kh][kw * inC][2][kVec]
  float *out;        // (n, first block of the pair), first pixel of the item
  const float *res;  // like out, or null
  const float *bias; // 2 * kVec floats
  int storeBlocks;   // 2, or 1 for an odd last block
  int64_t outCbStride, resCbStride;
  int64_t rowFloats;  // one row of the copy: cols * inC
  int64_t pixStep;    // next output pixel of a row: strideW * inC
  int64_t outRowStep; // next output row: strideH * rowFloats
  int64_t outW;
  int kernelH;
  int kwc; // kw * inC: the reduction of one kernel row
  Activation act;
};

/// RW consecutive output pixels (they may span rows) x 2 output blocks,
/// starting at pixel p0 of the item. On the dense copy the taps of one
/// kernel row are kw * inC consecutive floats per pixel, so the reduction
/// is a plain loop over them: 3 x 3 = 9 FMA steps per kernel row for a 3x3
/// RGB kernel, where the blocked path runs 3 taps x 4 channel steps (one of
/// them on zero padding) and re-reads its stored tile for the epilogue.
/// Bias, residual and relu / relu6 are applied in registers.
///
/// PS > 0: the tile lies within one output row and a.pixStep == PS, so
/// pixel r reads at a constant offset r * PS from one pointer (immediate
/// displacements): one pointer register instead of RW, none reloaded per
/// kernel row (the RW-pointer form spills them; perf put ~12% of the tile's
/// time in its setup).
template <int RW, int Act, int PS = 0>
inline void convSmallCTile(const SmallCArgs &a, int64_t p0) {
  // One division per tile, not per pixel (a tile is only ~270 cycles of
  // FMAs for a 3x3 RGB kernel).
  const float *pr[PS > 0 ? 1 : RW];
  int64_t oh = p0 / a.outW, ow = p0 - oh * a.outW;
  const float *rowStart = a.in + oh * a.outRowStep;
  if constexpr (PS > 0) {
    pr[0] = rowStart + ow * PS;
  } else {
    SLIM_UNROLL
    for (int r = 0; r < RW; ++r) {
      pr[r] = rowStart + ow * a.pixStep;
      if (++ow == a.outW) {
        ow = 0;
        rowStart += a.outRowStep;
      }
    }
  }
  Vec acc[RW][2];
  SLIM_UNROLL
  for (int r = 0; r < RW; ++r) {
    acc[r][0] = vzero();
    acc[r][1] = vzero();
  }
  // The output of a first layer is the largest tensor of the net (VGG:
  // 12.8 MB) and its lines are not in any cache: without this, a tile's
  // stores wait on their read-for-ownership (perf: ~28% of the tile's time
  // in its epilogue). Ask for the lines SLIM_CONV_SMALL_C_PREFETCH pixels
  // ahead, so they arrive while this tile's FMAs run. Prefetches past the
  // end of the tensor do not fault.
  if constexpr (SLIM_CONV_SMALL_C_PREFETCH > 0) {
    float *pf = a.out + (p0 + SLIM_CONV_SMALL_C_PREFETCH) * kVec;
    SLIM_UNROLL
    for (int r = 0; r < RW; ++r)
      for (int b = 0; b < 2; ++b)
        vprefetchWrite(pf + b * a.outCbStride + r * kVec);
  }
  const float *wp = a.w;
  for (int kh = 0; kh < a.kernelH; ++kh) {
    for (int j = 0; j < a.kwc; ++j) {
      const Vec w0 = vload(wp), w1 = vload(wp + kVec);
      wp += 2 * kVec;
      // Hide the one pointer's value from the compiler: seeing that pixel r
      // at step j reads what pixel r + 1 reads at step j - PS, GCC keeps
      // broadcasts across steps and spills accumulators.
      const float *q = pr[0] + j;
      if constexpr (PS > 0)
        SLIM_OPAQUE(q);
      SLIM_UNROLL
      for (int r = 0; r < RW; ++r) {
        const Vec x = PS > 0 ? vbcast(q + r * PS) : vbcast(pr[r] + j);
        acc[r][0] = vfma(x, w0, acc[r][0]);
        acc[r][1] = vfma(x, w1, acc[r][1]);
      }
    }
    SLIM_UNROLL
    for (int r = 0; r < (PS > 0 ? 1 : RW); ++r)
      pr[r] += a.rowFloats;
  }
  float *o = a.out + p0 * kVec;
  const float *res = a.res ? a.res + p0 * kVec : nullptr;
  SLIM_UNROLL
  for (int b = 0; b < 2; ++b) {
    if (b < a.storeBlocks) {
      const Vec bias = vload(a.bias + b * kVec);
      SLIM_UNROLL
      for (int r = 0; r < RW; ++r) {
        Vec v = vadd(acc[r][b], bias);
        if (res)
          v = vadd(v, vload(res + b * a.resCbStride + r * kVec));
        if constexpr (Act == kActRelu)
          v = vmax(v, vzero());
        else if constexpr (Act == kActRelu6)
          v = vmin(vmax(v, vzero()), vset1(6.0f));
        vstore(o + b * a.outCbStride + r * kVec, v);
      }
    }
  }
}

/// The activation of `w` stored pixels from p0 (tiles that ran without it).
inline void convSmallCPostAct(const SmallCArgs &a, int64_t p0, int64_t w) {
  if (a.act == Activation::None)
    return;
  for (int b = 0; b < a.storeBlocks; ++b) {
    float *o = a.out + b * a.outCbStride + p0 * kVec;
    for (int64_t r = 0; r < w; ++r)
      vstore(o + r * kVec, activateVec(a.act, vload(o + r * kVec)));
  }
}

/// Tiles narrower than kConvTileW - 1 (items of fewer pixels: small maps):
/// one variant per width, without the activation, which follows.
template <int RW>
inline void convSmallCNarrow(const SmallCArgs &a, int64_t p0, int w) {
  if constexpr (RW > 1) {
    if (w < RW) {
      convSmallCNarrow<RW - 1>(a, p0, w);
      return;
    }
  }
  convSmallCTile<RW, kActIdentity>(a, p0);
  convSmallCPostAct(a, p0, RW);
}

/// All `pixels` output pixels of an item for one output block pair, as one
/// sequence of tiles across row ends (no tile is narrow unless the item is).
template <int Act, int PS>
inline void convSmallCRun(const SmallCArgs &a, int64_t pixels) {
  constexpr int TW = kConvTileW, TW1 = TW > 1 ? TW - 1 : 1;
  TileSplit split(pixels);
  int64_t p = 0;
  for (int64_t t = 0; t < split.tiles; ++t) {
    const int w = split.width(t);
    if (w == TW || w == TW1) {
      // Most tiles lie within one row (VGG conv1_1: 193 of 202 per item).
      const bool oneRow = PS > 0 && p % a.outW + w <= a.outW;
      if (w == TW && oneRow)
        convSmallCTile<TW, Act, PS>(a, p);
      else if (w == TW)
        convSmallCTile<TW, Act>(a, p);
      else if (oneRow)
        convSmallCTile<TW1, Act, PS>(a, p);
      else
        convSmallCTile<TW1, Act>(a, p);
      if (Act == kActIdentity)
        convSmallCPostAct(a, p, w);
    } else if constexpr (TW > 2) {
      convSmallCNarrow<TW - 2>(a, p, w);
    }
    p += w;
  }
}

/// One small-channel work item: output rows [oh0, oh0 + rowsPerItem) of
/// image n, every output block pair. The item's input rows are copied once
/// into a dense zero-padded buffer, [rows][cols][inC] (the blocked input's
/// padding lanes dropped), so a kernel row's taps are kw * inC consecutive
/// floats; then, per output block pair, the pair's weights are copied into
/// the matching compact order [kh][kw * inC][2][kVec] and the tiles sweep
/// the item's pixels. The copies are ~1-3% of the tiles' work for a 3x3
/// RGB layer with 64 outputs.
inline void convSmallCItem(const ConvCtx &c, int64_t n, int64_t rb) {
  const Conv2DParams &p = c.p;
  const int64_t oh0 = rb * c.rowsPerItem;
  const int64_t oh1 = std::min(p.outH, oh0 + c.rowsPerItem);
  const int64_t rows = oh1 - oh0;
  const int64_t inPlane = p.inH * p.inW * kVec;
  const int64_t outPlane = p.outH * p.outW * kVec;
  const int64_t inC = p.inC, cols = c.smallCols;
  const int64_t prows = (rows - 1) * p.strideH + p.kernelH;
  alignas(64) float buf[kRunBufFloats];
  alignas(64) float wbuf[kSmallCWeightFloats];
  alignas(64) float bias[2 * kVec];
  // Each pixel is stored as a vector of at least inC lanes whose tail the
  // next pixel overwrites (planConv leaves kVec floats of room at the end).
  const float *src = c.in + (n * c.inCbTotal + p.inCbOffset) * inPlane;
  const int64_t ihStart = oh0 * p.strideH - p.padTop;
  // Padding columns and rows get zeros, the interior columns a branch-free
  // loop (the copy is ~10% of a 3x3 RGB layer's time: every pixel is a
  // whole cache line of the blocked input).
  const int64_t colLo = std::min<int64_t>(cols, p.padLeft);
  const int64_t colHi =
      std::max<int64_t>(colLo, std::min<int64_t>(cols, p.padLeft + p.inW));
  const int lanes = static_cast<int>(inC);
  float *dst = buf;
  for (int64_t r = 0; r < prows; ++r, dst += cols * inC) {
    const int64_t ih = ihStart + r;
    if (ih < 0 || ih >= p.inH) {
      std::fill_n(dst, cols * inC, 0.0f);
      continue;
    }
    // Left padding, interior (each store may spill zeros or garbage into
    // the next pixel, which that pixel's store overwrites), right padding.
    std::fill_n(dst, colLo * inC, 0.0f);
    const float *s = src + (ih * p.inW + colLo - p.padLeft) * kVec;
    float *d = dst + colLo * inC;
    for (int64_t col = colLo; col < colHi; ++col, d += inC, s += kVec)
      vstoreAtLeast(d, vload(s), lanes);
    std::fill_n(dst + colHi * inC, (cols - colHi) * inC, 0.0f);
  }
  SmallCArgs a;
  a.in = buf;
  a.w = wbuf;
  a.bias = bias;
  a.outCbStride = outPlane;
  a.resCbStride = outPlane;
  a.rowFloats = cols * inC;
  a.pixStep = p.strideW * inC;
  a.outRowStep = p.strideH * a.rowFloats;
  a.outW = p.outW;
  a.kernelH = p.kernelH;
  a.kwc = static_cast<int>(p.kernelW * inC);
  a.act = p.act;
  const int64_t wOcbStride =
      static_cast<int64_t>(p.kernelH) * p.kernelW * kVec * kVec;
  for (int64_t g = 0; g < c.groups; ++g) {
    const int64_t ocb0 = 2 * g;
    for (int64_t l = 0; l < 2 * kVec; ++l) {
      const int64_t oc = ocb0 * kVec + l;
      bias[l] = c.bias && oc < p.outC ? c.bias[oc] : 0.0f;
    }
    a.storeBlocks = static_cast<int>(std::min<int64_t>(2, c.ocb - ocb0));
    // [OCb][1][kh][kw][ic][oc] -> [kh][kw][ic][2][oc], real ic only.
    float *wd = wbuf;
    for (int64_t t = 0; t < static_cast<int64_t>(p.kernelH) * p.kernelW; ++t)
      for (int64_t ic = 0; ic < inC; ++ic)
        for (int b = 0; b < 2; ++b, wd += kVec)
          vstore(wd,
                 vload(c.w + (ocb0 + b) * wOcbStride + (t * kVec + ic) * kVec));
    a.out = c.out + (n * c.outCbTotal + p.outCbOffset + ocb0) * outPlane +
            oh0 * p.outW * kVec;
    a.res = c.res
                ? c.res + (n * c.resCbTotal + p.resCbOffset + ocb0) * outPlane +
                      oh0 * p.outW * kVec
                : nullptr;
    // One-pointer tiles for 3-channel inputs at strides 1 and 2 (VGG's
    // conv1_1, ResNet's 7x7/2 stem, MobileNet's conv0) with relu or relu6
    // only: each pixel step is another set of instantiations.
    const int64_t px = rows * p.outW;
    if (p.act == Activation::Relu) {
      if (a.pixStep == 3)
        convSmallCRun<kActRelu, 3>(a, px);
      else if (a.pixStep == 6)
        convSmallCRun<kActRelu, 6>(a, px);
      else
        convSmallCRun<kActRelu, 0>(a, px);
    } else if (p.act == Activation::Relu6) {
      if (a.pixStep == 3)
        convSmallCRun<kActRelu6, 3>(a, px);
      else if (a.pixStep == 6)
        convSmallCRun<kActRelu6, 6>(a, px);
      else
        convSmallCRun<kActRelu6, 0>(a, px);
    } else {
      convSmallCRun<kActIdentity, 0>(a, px);
    }
  }
}

inline void convTask(void *ctx, int64_t begin, int64_t end) {
  const ConvCtx &c = *static_cast<const ConvCtx *>(ctx);
  const Conv2DParams &p = c.p;
  const int64_t spatial = c.rowBlocks * c.colBlocks;
  if (c.run == kRunSmallC) {
    for (int64_t i = begin; i < end; ++i)
      convSmallCItem(c, i / c.rowBlocks, i % c.rowBlocks);
    return;
  }
  if (c.run == kRunGather) {
    // (n, pixel block, group of pairs): the pixel block's input stays
    // cached for all the groups.
    const int64_t groupItems = (c.groups + c.pairsPerItem - 1) / c.pairsPerItem;
    const int64_t planePixels = p.outH * p.outW;
    for (int64_t i = begin; i < end; ++i) {
      const int64_t gi = i % groupItems, t = i / groupItems;
      const int64_t pb = t % c.colBlocks, n = t / c.colBlocks;
      const int64_t g0 = gi * c.pairsPerItem;
      const int64_t g1 = std::min(c.groups, g0 + c.pairsPerItem);
      const int64_t p0 = pb * c.colsPerItem;
      const int64_t p1 = std::min(planePixels, p0 + c.colsPerItem);
      convGather<2>(c, n, g0, g1, p0, p1);
    }
    return;
  }
  for (int64_t i = begin; i < end; ++i) {
    int64_t sb, n, g;
    if (c.groupsInner) {
      // (n, spatial block, group): the input rows stay cached for all groups.
      g = i % c.groups;
      int64_t t = i / c.groups;
      sb = t % spatial;
      n = t / spatial;
    } else {
      // (group, n, spatial block): a group's weights stay cached for all rows.
      sb = i % spatial;
      int64_t t = i / spatial;
      n = t % p.batch;
      g = t / p.batch;
    }
    int64_t rb = sb / c.colBlocks, cbk = sb % c.colBlocks;
    int64_t ocb0 = 2 * g;
    int64_t oh0 = rb * c.rowsPerItem;
    int64_t oh1 = std::min(p.outH, oh0 + c.rowsPerItem);
    int64_t ow0 = cbk * c.colsPerItem;
    int64_t ow1 = std::min(p.outW, ow0 + c.colsPerItem);
    // Always pairs of blocks: an odd last block computes against the zero
    // block packing adds and stores only the real one. One instantiation
    // instead of two halves the compile time of generated code.
    convItem<2>(c, n, ocb0, oh0, oh1, ow0, ow1);
  }
}

} // namespace detail

namespace detail {

/// Plans a conv2d over `p` into `c` (everything but the tensor pointers):
/// the flattened view of 1x1 stride-1 convs, input-channel chunks, the
/// interior columns, the work items and how tiles find their pixels.
/// `ownItems` permits the paths whose work items are laid out differently
/// (the strided-1x1 gather, the small-channel path); the 3-D convolution,
/// which reuses the rest, does not.
inline void planConv(ConvCtx &c, const Conv2DParams &p, bool ownItems) {
  c.p = p;
  // A 1x1 stride-1 conv without padding is a GEMM over the pixels of a
  // plane: view each plane as one row of H*W pixels, so the tiles run
  // across row ends (a 7x7 map is 8 full tiles + 1 instead of 7 x (6 + 1)).
  const bool flat = p.kernelH == 1 && p.kernelW == 1 && p.strideH == 1 &&
                    p.strideW == 1 && p.padTop == 0 && p.padLeft == 0 &&
                    p.padBottom == 0 && p.padRight == 0 && p.inH == p.outH &&
                    p.inW == p.outW;
  if (flat) {
    c.p.inW = c.p.outW = p.outH * p.outW;
    c.p.inH = c.p.outH = 1;
  }
  const Conv2DParams &q = c.p;
  c.icb = numBlocks(q.inC);
  c.ocb = numBlocks(q.outC);
  c.groups = (c.ocb + 1) / 2;
  c.inCbTotal = q.inCbTotal ? q.inCbTotal : c.icb;
  c.outCbTotal = q.outCbTotal ? q.outCbTotal : c.ocb;
  c.resCbTotal = q.resCbTotal ? q.resCbTotal : c.ocb;
  int64_t bytesPerIcb = 2 * static_cast<int64_t>(q.kernelH) * q.kernelW * kVec *
                        kVec * static_cast<int64_t>(sizeof(float));
  c.icbChunk = std::max<int64_t>(1, SLIM_CONV_WEIGHT_CHUNK_BYTES / bytesPerIcb);
  // Output columns whose whole window lies inside the input.
  int64_t span = static_cast<int64_t>(q.kernelW - 1) * q.dilationW;
  c.fullLo = std::min<int64_t>(q.outW, (q.padLeft + q.strideW - 1) / q.strideW);
  int64_t lastStart = q.inW - 1 - span + q.padLeft;
  c.fullHi = lastStart < 0 ? 0 : lastStart / q.strideW + 1;
  c.fullHi = std::max(c.fullLo, std::min<int64_t>(c.fullHi, q.outW));
  if (flat) {
    // Pixel blocks of whole tiles, about SLIM_CONV_ROW_PIXELS * 2 pixels.
    int64_t tiles = (2 * SLIM_CONV_ROW_PIXELS + kConvTileW - 1) / kConvTileW;
    c.colsPerItem = std::min<int64_t>(q.outW, tiles * kConvTileW);
    c.rowsPerItem = 1;
  } else {
    c.colsPerItem = q.outW;
    // Enough rows per item for ~SLIM_CONV_ROW_PIXELS output pixels.
    c.rowsPerItem = std::max<int64_t>(
        1, std::min<int64_t>(q.outH,
                             (SLIM_CONV_ROW_PIXELS + q.outW - 1) / q.outW));
  }
  // Rows that would need tiles narrower than kConvTileW - 1 (narrow maps)
  // run on a padded copy of the item's input rows, if that copy fits its
  // stack buffer (see convRunChunk). Strided 1x1 convs without padding
  // gather their sampled pixels (see convGather).
  c.run = 0;
  c.pairsPerItem = 1;
  c.gatherChunk = c.icbChunk;
  c.smallCols = 0;
  // Fewer input channels than a block (RGB first layers), no dilation:
  // reduce over (kw, ic) on a dense copy of the rows (convSmallCItem), if
  // one kernel's rows and one pair's weights fit the stack buffers.
  if (ownItems && SLIM_CONV_SMALL_C && c.icb == 1 && q.inC < kVec &&
      q.dilationH == 1 && q.dilationW == 1 && !flat &&
      q.kernelH * q.kernelW > 1 && q.outH > 0 && q.outW > 0) {
    const int64_t cols = (q.outW - 1) * q.strideW + q.kernelW;
    const int64_t rowFloats = cols * q.inC;
    auto bufFloats = [&](int64_t rows) {
      return ((rows - 1) * q.strideH + q.kernelH) * rowFloats + kVec;
    };
    const int64_t wFloats =
        static_cast<int64_t>(q.kernelH) * q.kernelW * q.inC * 2 * kVec;
    if (wFloats <= kSmallCWeightFloats && bufFloats(1) <= kRunBufFloats) {
      int64_t rows = std::max<int64_t>(
          1, std::min<int64_t>(q.outH, SLIM_CONV_SMALL_C_PIXELS / q.outW));
      while (rows > 1 && bufFloats(rows) > kRunBufFloats)
        --rows;
      // Near-equal items.
      c.rowBlocks = (q.outH + rows - 1) / rows;
      c.rowsPerItem = (q.outH + c.rowBlocks - 1) / c.rowBlocks;
      c.colBlocks = 1;
      c.colsPerItem = q.outW;
      c.smallCols = cols;
      c.run = kRunSmallC;
      c.groupsInner = true;
      return;
    }
  }
  const bool gather =
      ownItems && SLIM_CONV_RUN_TILES && q.kernelH == 1 && q.kernelW == 1 &&
      (q.strideH > 1 || q.strideW > 1) && q.padTop == 0 && q.padLeft == 0 &&
      q.padBottom == 0 && q.padRight == 0 && q.outH > 0 && q.outW > 0 &&
      (q.outH - 1) * q.strideH < q.inH && (q.outW - 1) * q.strideW < q.inW;
  if (gather) {
    c.run = kRunGather;
    // Pixel blocks of near-equal size, at most SLIM_CONV_GATHER_PIXELS; the
    // copy of a block's input-channel chunk fills at most the stack buffer.
    const int64_t plane = q.outH * q.outW;
    const int64_t blocks =
        (plane + SLIM_CONV_GATHER_PIXELS - 1) / SLIM_CONV_GATHER_PIXELS;
    c.colsPerItem = (plane + blocks - 1) / blocks;
    c.colBlocks = (plane + c.colsPerItem - 1) / c.colsPerItem;
    c.rowsPerItem = q.outH;
    c.rowBlocks = 1;
    c.gatherChunk = std::max<int64_t>(
        1, std::min(c.icbChunk, kRunBufFloats / (c.colsPerItem * kVec)));
    c.pairsPerItem = std::max<int64_t>(
        1, std::min<int64_t>(c.groups, SLIM_CONV_GATHER_PAIRS));
    return;
  }
  if (SLIM_CONV_RUN_TILES && !flat) {
    const int64_t minTile = TileSplit(q.outW).base;
    if (minTile < kConvTileW - 1)
      c.run = kRunPadded;
    // kRun tiles exist only in the two widest widths: every run (a full row
    // block and the last, shorter one) must split into such tiles.
    const int64_t lastRows =
        q.outH - (q.outH - 1) / c.rowsPerItem * c.rowsPerItem;
    for (int64_t rows : {std::min(c.rowsPerItem, q.outH), lastRows})
      if (TileSplit(rows * q.outW).base < kConvTileW - 1)
        c.run = 0;
    if (c.run && runBufFloats(q, c.rowsPerItem, c.icbChunk) > kRunBufFloats)
      c.run = 0;
  }
  c.rowBlocks = (q.outH + c.rowsPerItem - 1) / c.rowsPerItem;
  c.colBlocks = (q.outW + c.colsPerItem - 1) / c.colsPerItem;
  // Item order: when all the weights fit comfortably in L2 (1x1 convs,
  // small layers), sweep the output-channel groups innermost so each input
  // row block is read from memory once; otherwise keep a group's weights
  // hot and sweep the rows.
  int64_t weightBytes = conv2dPackedSize(q.kernelH, q.kernelW, q.inC, q.outC) *
                        static_cast<int64_t>(sizeof(float));
  c.groupsInner = weightBytes <= SLIM_CONV_L2_WEIGHT_BYTES;
}

} // namespace detail

/// Fused conv2d on blocked tensors:
///   out = act(conv(in, w) + bias + residual)
/// `in` is blocked [batch][inCbTotal][inH][inW][kVec] read from block
/// inCbOffset; `packedW` comes from packConv2dWeights; `bias` has outC floats
/// or is null; `residual` (or null) is blocked like the output, read at block
/// resCbOffset of resCbTotal; `out` is written at block outCbOffset of a
/// tensor with outCbTotal blocks. Work is split over (oc block pair, image,
/// output row) through `par`.
inline void conv2d(const Conv2DParams &p, const float *in, const float *packedW,
                   const float *bias, const float *residual, float *out,
                   const slim_parallel *par) {
  detail::ConvCtx c;
  detail::planConv(c, p, /*ownItems=*/true);
  c.in = in;
  c.w = packedW;
  c.bias = bias;
  c.res = residual;
  c.out = out;
  const Conv2DParams &q = c.p;
  int64_t items;
  if (c.run == detail::kRunSmallC)
    items = q.batch * c.rowBlocks;
  else if (c.run == detail::kRunGather)
    items = q.batch * c.colBlocks *
            ((c.groups + c.pairsPerItem - 1) / c.pairsPerItem);
  else
    items = c.groups * q.batch * c.rowBlocks * c.colBlocks;
  slim_parallel_run(par, items, 1, detail::convTask, &c);
  if (!preservesZero(p.act))
    zeroPaddingLanes(out, p.batch, p.outH, p.outW, p.outC, p.outCbOffset,
                     c.outCbTotal);
}

} // namespace kernels
} // namespace slim

#endif // SLIM_KERNELS_CONV_H
