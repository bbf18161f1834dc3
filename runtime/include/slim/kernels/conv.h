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
// The AVX2 width was measured on VGG layers (W = 4..8): W = 6 (12
// accumulators + 2 weights + 1 broadcast = 15 of 16 ymm) is fastest with GCC
// even though GCC spills a few accumulators, because on real layers the
// loads per FMA (1/W weight vectors) matter more than the spills; W = 5 lost
// 5-20%, W = 4, 7 and 8 lost 15-40%. Clang spills the whole tile at W = 6,
// so it gets W = 5. AVX-512 uses 10 x 2 = 20 of 32 zmm (not tuned: no
// AVX-512 machine here); the portable path 3 x 2.
//
// Input channels are processed in chunks sized so the chunk's weights stay in
// L1 while the tiles sweep the output rows of a work item; partial sums go
// through the output rows (also L1-resident) between chunks. Only the last
// chunk applies the epilogue (bias, residual, activation), so the output is
// written exactly once in its final form.
//
// Borders: kernel rows outside the input are skipped per output row; tiles
// that touch the left or right edge read a block of zeros for the taps that
// fall outside (see convTile), so no padded copy of the input is ever made
// and edge pixels run full-width tiles.
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
#define SLIM_CONV_ROW_PIXELS 56
#endif

#ifndef SLIM_CONV_L2_WEIGHT_BYTES
/// Weights up to this size are treated as L2-resident (half of a 1 MiB L2).
#define SLIM_CONV_L2_WEIGHT_BYTES (512 * 1024)
#endif

namespace detail {

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
  int lastIc; // valid input channels in the chunk's last block
  int64_t ih0;
  int khLo, khHi, kernelH, kernelW, dilH, dilW, strideH, strideW;
  int64_t padLeft, inW, inH;
  bool first, last;
  Activation act;
};

/// Zeros that clipped taps of border tiles read instead of padding.
alignas(64) inline constexpr float kZeroBlock[kVec] = {};

/// One input channel step: RB weight vectors times RW broadcast pixels, into
/// accumulator set `set`. Pixel r of the tile is at px(r).
template <int NS, int RW, int RB, typename PixelFn>
SLIM_INLINE void convStep(Vec (&acc)[NS][RW][RB], int set, PixelFn px,
                          const float *wp, int64_t wOcbStride, int ic) {
  Vec wv[RB];
  for (int b = 0; b < RB; ++b)
    wv[b] = vload(wp + b * wOcbStride + ic * kVec);
  for (int r = 0; r < RW; ++r) {
    Vec x = vbcast(px(r) + ic);
    for (int b = 0; b < RB; ++b)
      acc[set][r][b] = vfma(x, wv[b], acc[set][r][b]);
  }
}

/// All kVec input channels of one block, unrolled by a fold so every
/// accumulator index is a compile-time constant, which (with a small
/// epilogue) lets GCC and Clang keep the tile in registers.
template <int NS, int RW, int RB, typename PixelFn, int... IC>
SLIM_INLINE void convBlockSteps(std::integer_sequence<int, IC...>,
                                Vec (&acc)[NS][RW][RB], PixelFn px,
                                const float *wp, int64_t wOcbStride) {
  (convStep<NS, RW, RB>(acc, IC % NS, px, wp, wOcbStride, IC), ...);
}

/// One kernel tap (kh, kw) for every input channel of a block.
template <int NS, int RW, int RB, typename PixelFn>
SLIM_INLINE void convTap(Vec (&acc)[NS][RW][RB], PixelFn px, const float *wp,
                         int64_t wOcbStride, int nic) {
  if (nic == kVec) {
    convBlockSteps<NS, RW, RB>(std::make_integer_sequence<int, kVec>(), acc, px,
                               wp, wOcbStride);
  } else {
    for (int ic = 0; ic < nic; ++ic)
      convStep<NS, RW, RB>(acc, 0, px, wp, wOcbStride, ic);
  }
}

/// RW output pixels starting at ow0.
///
/// Interior tiles (Clip = false) have every tap of every pixel inside the
/// input and address pixel r as base + r * stride. Border tiles (Clip)
/// compute, per tap, one pointer per pixel that is either the input pixel
/// or kZeroBlock, so the left/right edges run the same full-width tile as
/// the interior instead of narrow single-pixel ones; only the kernel rows
/// are clipped (per output row, for free).
///
/// Narrow tiles (row remainders, maps narrower than a tile) have too few
/// accumulators to hide the FMA latency, so they rotate input channels over
/// NS accumulator sets and add the sets at the end.
template <int RW, int RB, bool Clip>
inline void convTile(const ConvRowArgs &a, int64_t ow0) {
  constexpr int NS = RW >= 4 ? 1 : (RW == 1 ? 4 : 2);
  const int sw = a.strideW;
  Vec acc[NS][RW][RB];
  float *o = a.out + ow0 * kVec;
  for (int s = 0; s < NS; ++s)
    for (int r = 0; r < RW; ++r)
      for (int b = 0; b < RB; ++b)
        acc[s][r][b] = s == 0 && !a.first && b < a.storeBlocks
                           ? vload(o + b * a.outCbStride + r * kVec)
                           : vzero();
  const int64_t iw0 = ow0 * sw - a.padLeft;
  for (int64_t cb = 0; cb < a.nIcb; ++cb) {
    const int nic = cb == a.nIcb - 1 ? a.lastIc : kVec;
    const float *inB = a.in + cb * a.inCbStride;
    const float *wB = a.w + cb * a.wIcbStride;
    for (int kh = a.khLo; kh < a.khHi; ++kh) {
      const float *inR = inB + (a.ih0 + kh * a.dilH) * a.inRowStride;
      const float *wR = wB + kh * a.kernelW * kVec * kVec;
      for (int kw = 0; kw < a.kernelW; ++kw) {
        const float *wp = wR + kw * kVec * kVec;
        if constexpr (Clip) {
          const float *pix[RW];
          for (int r = 0; r < RW; ++r) {
            int64_t iw = iw0 + static_cast<int64_t>(r) * sw + kw * a.dilW;
            pix[r] = iw >= 0 && iw < a.inW ? inR + iw * kVec : kZeroBlock;
          }
          convTap<NS, RW, RB>(
              acc, [&](int r) { return pix[r]; }, wp, a.wOcbStride, nic);
        } else {
          const float *ip = inR + (iw0 + kw * a.dilW) * kVec;
          convTap<NS, RW, RB>(
              acc, [=](int r) { return ip + r * sw * kVec; }, wp, a.wOcbStride,
              nic);
        }
      }
    }
  }
  for (int s = 1; s < NS; ++s)
    for (int r = 0; r < RW; ++r)
      for (int b = 0; b < RB; ++b)
        acc[0][r][b] = vadd(acc[0][r][b], acc[s][r][b]);
  if (!a.last) {
    for (int r = 0; r < RW; ++r)
      for (int b = 0; b < RB; ++b)
        if (b < a.storeBlocks)
          vstore(o + b * a.outCbStride + r * kVec, acc[0][r][b]);
    return;
  }
  Vec bias[RB];
  for (int b = 0; b < RB; ++b)
    bias[b] = vload(a.bias + b * kVec);
  for (int r = 0; r < RW; ++r)
    for (int b = 0; b < RB; ++b) {
      if (b >= a.storeBlocks)
        continue;
      Vec v = vadd(acc[0][r][b], bias[b]);
      if (a.res)
        v = vadd(v, vload(a.res + b * a.resCbStride + (ow0 + r) * kVec));
      vstore(o + b * a.outCbStride + r * kVec, activateVec(a.act, v));
    }
}

/// Widths of the narrower tiles, widest first: for AVX-512 a half tile and
/// then 4..1, so few variants get compiled.
template <int RW> constexpr int nextNarrower() {
  return RW > 5 && RW / 2 > 4 ? RW / 2 : (RW > 4 ? 4 : RW - 1);
}

/// `count` pixels from ow, in the widest tiles that fit.
template <int RW, int RB, bool Clip>
inline void convTiles(const ConvRowArgs &a, int64_t ow, int64_t count) {
  for (; count >= RW; count -= RW, ow += RW)
    convTile<RW, RB, Clip>(a, ow);
  if constexpr (nextNarrower<RW>() > 0) {
    if (count > 0)
      convTiles<nextNarrower<RW>(), RB, Clip>(a, ow, count);
  }
}

/// A whole output row: a clipped tile at each edge that needs one, full
/// tiles over the interior [fullLo, fullHi).
template <int RB>
inline void convRow(const ConvRowArgs &a, int64_t outW, int64_t fullLo,
                    int64_t fullHi) {
  int64_t ow = 0;
  if (fullLo > 0) {
    // Wide padding (big or dilated kernels) can need more than one tile.
    int64_t n = std::min<int64_t>(outW, std::max<int64_t>(fullLo, kConvTileW));
    convTiles<kConvTileW, RB, true>(a, 0, n);
    ow = n;
  }
  // Interior tiles; each also asks L2 for its slice of the one input row
  // that the next output row adds, so that row is not fetched from L3 on
  // demand in short per-block bursts the hardware prefetchers miss.
  const int64_t nextRow =
      a.ih0 + static_cast<int64_t>(a.kernelH - 1) * a.dilH + a.strideH;
  const bool prefetch = nextRow < a.inH;
  for (; ow + kConvTileW <= fullHi; ow += kConvTileW) {
    if (prefetch) {
      const float *pf =
          a.in + nextRow * a.inRowStride + (ow * a.strideW - a.padLeft) * kVec;
      for (int64_t cb = 0; cb < a.nIcb; ++cb)
        for (int l = 0; l < kConvTileW * a.strideW * kVec; l += 64 / 4)
          vprefetchL2(pf + cb * a.inCbStride + l);
    }
    convTile<kConvTileW, RB, false>(a, ow);
  }
  // The rest: interior remainder plus right border, clipped where needed.
  if (ow < outW) {
    if (outW <= fullHi)
      convTiles<kConvTileW, RB, false>(a, ow, outW - ow);
    else
      convTiles<kConvTileW, RB, true>(a, ow, outW - ow);
  }
}

struct ConvCtx {
  const Conv2DParams *p;
  const float *in, *w, *bias, *res;
  float *out;
  int64_t icb, ocb, groups;
  int64_t inCbTotal, outCbTotal, resCbTotal;
  int64_t icbChunk, rowsPerItem;
  bool groupsInner;
  int64_t fullLo, fullHi;
};

/// Output rows [oh0, oh1) of one image and one pair of output blocks. The
/// input-channel chunk loop is outside the row loop, so a chunk's weights
/// are brought into L1 once for several rows; on narrow maps (28, 14, 7
/// pixels) one row alone is too few tiles to amortize that.
template <int RB>
void convItem(const ConvCtx &c, int64_t n, int64_t ocb0, int64_t oh0,
              int64_t oh1) {
  const Conv2DParams &p = *c.p;
  const int64_t inPlane = p.inH * p.inW * kVec;
  const int64_t outPlane = p.outH * p.outW * kVec;
  alignas(64) float bias[2 * kVec] = {};
  for (int64_t l = 0; l < RB * kVec; ++l) {
    int64_t oc = ocb0 * kVec + l;
    bias[l] = c.bias && oc < p.outC ? c.bias[oc] : 0.0f;
  }
  ConvRowArgs a;
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
  a.inW = p.inW;
  a.act = p.act;
  a.bias = bias;
  a.storeBlocks = static_cast<int>(std::min<int64_t>(RB, c.ocb - ocb0));
  float *out = c.out + (n * c.outCbTotal + p.outCbOffset + ocb0) * outPlane;
  const float *res =
      c.res ? c.res + (n * c.resCbTotal + p.resCbOffset + ocb0) * outPlane
            : nullptr;
  for (int64_t cb0 = 0; cb0 < c.icb; cb0 += c.icbChunk) {
    int64_t cb1 = std::min(c.icb, cb0 + c.icbChunk);
    a.in = c.in + (n * c.inCbTotal + p.inCbOffset + cb0) * inPlane;
    a.w = c.w + ocb0 * a.wOcbStride + cb0 * a.wIcbStride;
    a.nIcb = cb1 - cb0;
    a.lastIc =
        cb1 == c.icb ? static_cast<int>(p.inC - (c.icb - 1) * kVec) : kVec;
    a.first = cb0 == 0;
    a.last = cb1 == c.icb;
    for (int64_t oh = oh0; oh < oh1; ++oh) {
      a.ih0 = oh * p.strideH - p.padTop;
      validTaps(a.ih0, p.dilationH, p.kernelH, p.inH, a.khLo, a.khHi);
      a.out = out + oh * p.outW * kVec;
      a.res = res ? res + oh * p.outW * kVec : nullptr;
      convRow<RB>(a, p.outW, c.fullLo, c.fullHi);
    }
  }
}

inline void convTask(void *ctx, int64_t begin, int64_t end) {
  const ConvCtx &c = *static_cast<const ConvCtx *>(ctx);
  const Conv2DParams &p = *c.p;
  const int64_t rowBlocks = (p.outH + c.rowsPerItem - 1) / c.rowsPerItem;
  for (int64_t i = begin; i < end; ++i) {
    int64_t rb, n, g;
    if (c.groupsInner) {
      // (n, row block, group): the input rows stay cached for all groups.
      g = i % c.groups;
      int64_t t = i / c.groups;
      rb = t % rowBlocks;
      n = t / rowBlocks;
    } else {
      // (group, n, row block): a group's weights stay cached for all rows.
      rb = i % rowBlocks;
      int64_t t = i / rowBlocks;
      n = t % p.batch;
      g = t / p.batch;
    }
    int64_t ocb0 = 2 * g;
    int64_t oh0 = rb * c.rowsPerItem;
    int64_t oh1 = std::min(p.outH, oh0 + c.rowsPerItem);
    // Always pairs of blocks: an odd last block computes against the zero
    // block packing adds and stores only the real one. One instantiation
    // instead of two halves the compile time of generated code.
    convItem<2>(c, n, ocb0, oh0, oh1);
  }
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
  c.p = &p;
  c.in = in;
  c.w = packedW;
  c.bias = bias;
  c.res = residual;
  c.out = out;
  c.icb = numBlocks(p.inC);
  c.ocb = numBlocks(p.outC);
  c.groups = (c.ocb + 1) / 2;
  c.inCbTotal = p.inCbTotal ? p.inCbTotal : c.icb;
  c.outCbTotal = p.outCbTotal ? p.outCbTotal : c.ocb;
  c.resCbTotal = p.resCbTotal ? p.resCbTotal : c.ocb;
  int64_t bytesPerIcb = 2 * static_cast<int64_t>(p.kernelH) * p.kernelW * kVec *
                        kVec * static_cast<int64_t>(sizeof(float));
  c.icbChunk = std::max<int64_t>(1, SLIM_CONV_WEIGHT_CHUNK_BYTES / bytesPerIcb);
  // Output columns whose whole window lies inside the input.
  int64_t span = static_cast<int64_t>(p.kernelW - 1) * p.dilationW;
  c.fullLo = std::min<int64_t>(p.outW, (p.padLeft + p.strideW - 1) / p.strideW);
  int64_t lastStart = p.inW - 1 - span + p.padLeft;
  c.fullHi = lastStart < 0 ? 0 : lastStart / p.strideW + 1;
  c.fullHi = std::max(c.fullLo, std::min<int64_t>(c.fullHi, p.outW));
  // Enough rows per item for ~kConvRowPixels output pixels.
  c.rowsPerItem = std::max<int64_t>(
      1,
      std::min<int64_t>(p.outH, (SLIM_CONV_ROW_PIXELS + p.outW - 1) / p.outW));
  // Item order: when all the weights fit comfortably in L2 (1x1 convs,
  // small layers), sweep the output-channel groups innermost so each input
  // row block is read from memory once; otherwise keep a group's weights
  // hot and sweep the rows.
  int64_t weightBytes = conv2dPackedSize(p.kernelH, p.kernelW, p.inC, p.outC) *
                        static_cast<int64_t>(sizeof(float));
  c.groupsInner = weightBytes <= SLIM_CONV_L2_WEIGHT_BYTES;
  int64_t items =
      c.groups * p.batch * ((p.outH + c.rowsPerItem - 1) / c.rowsPerItem);
  slim_parallel_run(par, items, 1, detail::convTask, &c);
  if (!preservesZero(p.act))
    zeroPaddingLanes(out, p.batch, p.outH, p.outW, p.outC, p.outCbOffset,
                     c.outCbTotal);
}

} // namespace kernels
} // namespace slim

#endif // SLIM_KERNELS_CONV_H
