//===- slim/kernels/backward_conv.h - Fast conv and fc gradients -*- C++ -*-=//
//
// The fast versions of backward_reference.h's conv2dBackwardData,
// conv2dBackwardFilter and fullyConnectedBackward: the same signatures
// (NHWC dy / x / dx, HWIO w and dw, the forward op's Conv2DParams) plus a
// trailing thread pool, so the train-step code switches between
// slim::kernels::ref and slim::kernels by namespace.
//
// Both conv gradients are GEMMs per kernel tap on the NHWC data, with no
// im2col and no layout conversion of the activations:
//
//  - data: for tap (kh, kw), the dx pixels that tap reaches in one output
//    row (every strideW-th pixel of a dx row) get dy[those pixels] W[kh,
//    kw]^T: a [pixels, outC] x [outC, inC] GEMM on rows with strides. A work
//    item owns (a panel of 2 * kVec input channels, an image, a block of
//    ~kBwPixels dx pixels); it sums every tap into a zeroed stack buffer in
//    a fixed order and copies the buffer out once, so no two items write
//    the same element and the result does not depend on the thread count.
//    W^T is packed per call (into kept scratch) into [panel][tap][outC][2 *
//    kVec] (zero columns past inC). Strides, dilation and any padding need
//    nothing else: a tap that reaches no pixel of a row is skipped.
//  - filter: dW[kh, kw] = sum over output pixels of x[shifted pixel]^T
//    dy[pixel], an outer product per pixel that accumulates in registers
//    (bwdFilterTile). A work item owns (a panel of 2 * kVec output
//    channels, a group of 4 * kBwRows input channels) of every tap; it
//    walks the output pixels in blocks of ~kBwPixels (per image, rows of
//    the output map), and per block runs every tap and channel tile, so the
//    block's dy panel stays in L1 and its x pixels in L2 while all taps use
//    them. dy is copied once into rows of whole panels when outC is not a
//    multiple of 2 * kVec (the tile reads whole panels).
//
// A 1x1 convolution with stride 1 and no padding is one image row of H * W
// pixels (tiles then run across row ends). fullyConnectedBackward is the
// 1x1 case with the batch as pixels.
//
// Sums are float (fp32 FMAs in a fixed order), where the reference sums in
// double: results differ from ref by float reassociation (tests:
// backward_fast_test.cpp, docs/kernels.md "Backward kernels").
//
//===----------------------------------------------------------------------===//
#ifndef SLIM_KERNELS_BACKWARD_CONV_H
#define SLIM_KERNELS_BACKWARD_CONV_H

#include "slim/kernels/backward_gemm.h"
#include "slim/kernels/common.h"
#include "slim/kernels/scratch.h"
#include "slim/parallel.h"

#include <algorithm>
#include <cstdint>
#include <cstring>
#include <vector>

namespace slim {
namespace kernels {

/// Pixels per work item of the conv gradients (a multiple of both tile
/// heights; 24 KiB of dx panel on AVX-512).
#ifndef SLIM_BW_PIXELS
#define SLIM_BW_PIXELS 192
#endif
inline constexpr int64_t kBwPixels = SLIM_BW_PIXELS;
/// Output pixels per block of the filter gradient: the block's dy panel
/// and x pixels should fit L1 together.
#ifndef SLIM_BW_FILTER_PIXELS
#define SLIM_BW_FILTER_PIXELS 192
#endif
/// The filter gradient cuts the pixels into SLIM_BW_SLICES slices, each
/// with its own whole dW, when dW (panels padded) is at most this many
/// floats (512 KiB: half of L2).
#ifndef SLIM_BW_SLICED_FLOATS
#define SLIM_BW_SLICED_FLOATS (128 * 1024)
#endif
#ifndef SLIM_BW_SLICES
#define SLIM_BW_SLICES 8
#endif
/// Half of L2: the weights (W^T) that decide the data gradient's item order.
#ifndef SLIM_BW_L2_WEIGHT_BYTES
#define SLIM_BW_L2_WEIGHT_BYTES (512 * 1024)
#endif
/// Floats of dW partial sums per filter-gradient item (128 KiB, in L2).
#ifndef SLIM_BW_FILTER_ACC_FLOATS
#define SLIM_BW_FILTER_ACC_FLOATS (32 * 1024)
#endif

namespace detail {

inline int64_t bwFloorDiv(int64_t a, int64_t b) {
  return a >= 0 ? a / b : -((-a + b - 1) / b);
}
inline int64_t bwCeilDiv(int64_t a, int64_t b) { return -bwFloorDiv(-a, b); }

/// The outputs o in [oLo, oHi) whose tap lands inside [iLo, iHi), with the
/// tap at i = o * stride + off (off = k * dilation - padBefore).
inline void tapRange(int64_t iLo, int64_t iHi, int64_t off, int stride,
                     int64_t oLo, int64_t oHi, int64_t &lo, int64_t &hi) {
  lo = std::max(oLo, bwCeilDiv(iLo - off, stride));
  hi = std::min(oHi, bwFloorDiv(iHi - 1 - off, stride) + 1);
  if (hi < lo)
    hi = lo;
}

/// A map of h x w pixels cut into blocks of at most ~target pixels: whole
/// rows when a row is shorter than target, else near-equal row pieces.
struct PixelBlocks {
  int64_t rows = 1, cols = 1, rowBlocks = 0, colBlocks = 0;
};
inline PixelBlocks pixelBlocks(int64_t h, int64_t w, int64_t target) {
  PixelBlocks b;
  if (h <= 0 || w <= 0)
    return b;
  if (w >= target) {
    int64_t pieces = (w + target - 1) / target;
    b.cols = (w + pieces - 1) / pieces;
    b.colBlocks = (w + b.cols - 1) / b.cols;
    b.rows = 1;
  } else {
    b.cols = w;
    b.colBlocks = 1;
    b.rows = std::min(h, std::max<int64_t>(1, target / w));
  }
  b.rowBlocks = (h + b.rows - 1) / b.rows;
  return b;
}

/// A 1x1 stride-1 unpadded conv as one image row of H * W pixels.
inline Conv2DParams flattenPointwise(const Conv2DParams &p) {
  Conv2DParams q = p;
  if (p.kernelH == 1 && p.kernelW == 1 && p.strideH == 1 && p.strideW == 1 &&
      p.padTop == 0 && p.padBottom == 0 && p.padLeft == 0 && p.padRight == 0) {
    q.inW = q.outW = p.inH * p.inW;
    q.inH = q.outH = 1;
  }
  return q;
}

/// dst[r * ldDst + 0:cols] = src[r * cols + 0:cols], zeros up to ldDst.
struct PadColsCtx {
  const float *src;
  float *dst;
  int64_t cols, ldDst;
};
inline void padColsTask(void *ctx, int64_t begin, int64_t end) {
  const PadColsCtx &c = *static_cast<const PadColsCtx *>(ctx);
  for (int64_t r = begin; r < end; ++r) {
    std::memcpy(c.dst + r * c.ldDst, c.src + r * c.cols,
                sizeof(float) * c.cols);
    std::fill(c.dst + r * c.ldDst + c.cols, c.dst + (r + 1) * c.ldDst, 0.0f);
  }
}

/// The calling thread's scratch of the conv backward kernels (grown to the
/// largest layer's and kept: a step's layers would otherwise allocate and
/// page-fault these buffers on every call).
struct BackwardScratch {
  ScratchBufferOf<float> packedWeights, paddedDy, filterParts;
};
inline BackwardScratch &backwardScratch() {
  static thread_local BackwardScratch s;
  return s;
}

//===----------------------------------------------------------------------===//
// Backward data
//===----------------------------------------------------------------------===//

struct BwdDataCtx {
  const Conv2DParams *p;
  const float *w;  // HWIO
  const float *dy; // NHWC
  float *bp;       // packed W^T: [panel][tap][outC][kBwPanel]
  float *dx;       // NHWC
  PixelBlocks blocks;
  int64_t panels, taps;
  /// Panels are the innermost item index when all of W^T fits in half of
  /// L2 (each dy block is then read from memory once), else the outermost
  /// (each panel's W^T stays hot); the forward conv chooses the same way.
  bool panelInner;
};

/// Packs W^T for (panel, tap) item `i`.
inline void bwdDataPackTask(void *ctx, int64_t begin, int64_t end) {
  const BwdDataCtx &c = *static_cast<const BwdDataCtx *>(ctx);
  const Conv2DParams &p = *c.p;
  for (int64_t i = begin; i < end; ++i) {
    int64_t panel = i / c.taps, tap = i % c.taps;
    float *dst = c.bp + i * p.outC * kBwPanel;
    int64_t ic0 = panel * kBwPanel;
    int64_t width = std::min<int64_t>(kBwPanel, p.inC - ic0);
    const float *src = c.w + (tap * p.inC + ic0) * p.outC;
    for (int64_t oc = 0; oc < p.outC; ++oc) {
      float *row = dst + oc * kBwPanel;
      for (int64_t j = 0; j < width; ++j)
        row[j] = src[j * p.outC + oc];
      for (int64_t j = width; j < kBwPanel; ++j)
        row[j] = 0.0f;
    }
  }
}

inline void bwdDataTask(void *ctx, int64_t begin, int64_t end) {
  const BwdDataCtx &c = *static_cast<const BwdDataCtx *>(ctx);
  const Conv2DParams &p = *c.p;
  const PixelBlocks &b = c.blocks;
  alignas(64) float buf[kBwPixels * kBwPanel];
  int64_t perPanel = p.batch * b.rowBlocks * b.colBlocks;
  for (int64_t item = begin; item < end; ++item) {
    int64_t panel = c.panelInner ? item % c.panels : item / perPanel;
    int64_t rest = c.panelInner ? item / c.panels : item % perPanel;
    int64_t n = rest / (b.rowBlocks * b.colBlocks);
    rest %= b.rowBlocks * b.colBlocks;
    int64_t ih0 = rest / b.colBlocks * b.rows,
            iw0 = rest % b.colBlocks * b.cols;
    int64_t ih1 = std::min(p.inH, ih0 + b.rows);
    int64_t iw1 = std::min(p.inW, iw0 + b.cols);
    int64_t bw = iw1 - iw0;
    std::fill(buf, buf + (ih1 - ih0) * bw * kBwPanel, 0.0f);
    for (int kh = 0; kh < p.kernelH; ++kh)
      for (int kw = 0; kw < p.kernelW; ++kw) {
        int64_t owLo, owHi;
        tapRange(iw0, iw1, int64_t(kw) * p.dilationW - p.padLeft, p.strideW, 0,
                 p.outW, owLo, owHi);
        if (owLo >= owHi)
          continue;
        int64_t tap = int64_t(kh) * p.kernelW + kw;
        const float *bt = c.bp + (panel * c.taps + tap) * p.outC * kBwPanel;
        int64_t iwFirst =
            owLo * p.strideW + int64_t(kw) * p.dilationW - p.padLeft;
        int64_t ldc = int64_t(p.strideW) * kBwPanel;
        for (int64_t ih = ih0; ih < ih1; ++ih) {
          int64_t t = ih + p.padTop - int64_t(kh) * p.dilationH;
          if (t < 0 || t % p.strideH)
            continue;
          int64_t oh = t / p.strideH;
          if (oh >= p.outH)
            continue;
          const float *a = c.dy + ((n * p.outH + oh) * p.outW + owLo) * p.outC;
          float *cc = buf + ((ih - ih0) * bw + iwFirst - iw0) * kBwPanel;
          for (int64_t ow = owLo; ow < owHi; ow += kBwRows) {
            int rows = static_cast<int>(std::min<int64_t>(kBwRows, owHi - ow));
            bwdDataTileN<kBwRows>(rows, a + (ow - owLo) * p.outC, p.outC, bt,
                                  p.outC, cc + (ow - owLo) * ldc, ldc);
          }
        }
      }
    int64_t ic0 = panel * kBwPanel;
    int64_t width = std::min<int64_t>(kBwPanel, p.inC - ic0);
    for (int64_t ih = ih0; ih < ih1; ++ih)
      for (int64_t iw = iw0; iw < iw1; ++iw)
        std::memcpy(c.dx + ((n * p.inH + ih) * p.inW + iw) * p.inC + ic0,
                    buf + ((ih - ih0) * bw + iw - iw0) * kBwPanel,
                    sizeof(float) * width);
  }
}

//===----------------------------------------------------------------------===//
// Backward filter
//===----------------------------------------------------------------------===//

struct BwdFilterCtx {
  const Conv2DParams *p;
  const float *x;  // NHWC
  const float *dy; // NHWC, row stride ldDy (outC rounded up to a panel)
  float *dw;       // HWIO
  PixelBlocks blocks;
  int64_t ldDy, icGroup, icGroups, taps;
  /// Output-channel panels per item: a block's x pixels, in L1, serve all
  /// of them (what a 1x1 conv, one tap, needs to reuse x at all).
  int64_t panelGroup, panels;
  /// Pixel slices (see conv2dBackwardFilter): 1, or each slice sums its
  /// share of the pixels into its own dW at dw + slice * taps * inC * outC.
  int64_t slices;
};

inline void bwdFilterTask(void *ctx, int64_t begin, int64_t end) {
  const BwdFilterCtx &c = *static_cast<const BwdFilterCtx *>(ctx);
  const Conv2DParams &p = *c.p;
  const PixelBlocks &b = c.blocks;
  const int64_t perPanel = c.taps * c.icGroup * kBwPanel;
  const int64_t perImage = b.rowBlocks * b.colBlocks;
  const int64_t allBlocks = p.batch * perImage;
  const int64_t perSlice =
      (c.panels + c.panelGroup - 1) / c.panelGroup * c.icGroups;
  std::vector<float> acc(c.panelGroup * perPanel);
  for (int64_t item = begin; item < end; ++item) {
    int64_t slice = item / perSlice, inner = item % perSlice;
    int64_t panel0 = inner / c.icGroups * c.panelGroup;
    int64_t panelN = std::min(c.panelGroup, c.panels - panel0);
    int64_t ic0 = inner % c.icGroups * c.icGroup;
    int64_t icN = std::min(c.icGroup, p.inC - ic0);
    float *dw = c.dw + slice * c.taps * p.inC * p.outC;
    std::fill(acc.begin(), acc.end(), 0.0f);
    int64_t g0 = allBlocks * slice / c.slices;
    int64_t g1 = allBlocks * (slice + 1) / c.slices;
    for (int64_t gb = g0; gb < g1; ++gb) {
      int64_t n = gb / perImage, blk = gb % perImage;
      int64_t oh0 = blk / b.colBlocks * b.rows;
      int64_t ow0 = blk % b.colBlocks * b.cols;
      int64_t oh1 = std::min(p.outH, oh0 + b.rows);
      int64_t ow1 = std::min(p.outW, ow0 + b.cols);
      for (int64_t pl = 0; pl < panelN; ++pl) {
        for (int kh = 0; kh < p.kernelH; ++kh) {
          int64_t offH = int64_t(kh) * p.dilationH - p.padTop;
          int64_t ohLo, ohHi;
          tapRange(0, p.inH, offH, p.strideH, oh0, oh1, ohLo, ohHi);
          if (ohLo >= ohHi)
            continue;
          for (int kw = 0; kw < p.kernelW; ++kw) {
            int64_t offW = int64_t(kw) * p.dilationW - p.padLeft;
            int64_t owLo, owHi;
            tapRange(0, p.inW, offW, p.strideW, ow0, ow1, owLo, owHi);
            if (owLo >= owHi)
              continue;
            int64_t tap = int64_t(kh) * p.kernelW + kw;
            FilterGrid g;
            int64_t ih = ohLo * p.strideH + offH, iw = owLo * p.strideW + offW;
            g.x = c.x + ((n * p.inH + ih) * p.inW + iw) * p.inC + ic0;
            g.xRow = int64_t(p.strideH) * p.inW * p.inC;
            g.xPix = int64_t(p.strideW) * p.inC;
            g.d = c.dy + ((n * p.outH + ohLo) * p.outW + owLo) * c.ldDy +
                  (panel0 + pl) * kBwPanel;
            g.dRow = p.outW * c.ldDy;
            g.dPix = c.ldDy;
            g.rows = ohHi - ohLo;
            g.cols = owHi - owLo;
            float *a = acc.data() + pl * perPanel + tap * c.icGroup * kBwPanel;
            for (int64_t r = 0; r < icN; r += kBwRows) {
              int mr = static_cast<int>(std::min<int64_t>(kBwRows, icN - r));
              FilterGrid gr = g;
              gr.x += r;
              bwdFilterTileN<kBwRows>(mr, gr, a + r * kBwPanel);
            }
          }
        }
      }
    }
    for (int64_t pl = 0; pl < panelN; ++pl) {
      int64_t oc0 = (panel0 + pl) * kBwPanel;
      int64_t width = std::min<int64_t>(kBwPanel, p.outC - oc0);
      for (int64_t tap = 0; tap < c.taps; ++tap)
        for (int64_t r = 0; r < icN; ++r)
          std::memcpy(dw + (tap * p.inC + ic0 + r) * p.outC + oc0,
                      acc.data() + pl * perPanel +
                          (tap * c.icGroup + r) * kBwPanel,
                      sizeof(float) * width);
    }
  }
}

/// out[i] = sum over items of part[item * size + i], in item order.
struct SumPartsCtx {
  const float *part;
  float *out;
  int64_t items, size;
};
inline void sumPartsTask(void *ctx, int64_t begin, int64_t end) {
  const SumPartsCtx &c = *static_cast<const SumPartsCtx *>(ctx);
  int64_t lo = begin * 256, hi = std::min(c.size, end * 256);
  std::copy(c.part + lo, c.part + hi, c.out + lo);
  for (int64_t it = 1; it < c.items; ++it) {
    const float *src = c.part + it * c.size;
    for (int64_t i = lo; i < hi; ++i)
      c.out[i] += src[i];
  }
}

//===----------------------------------------------------------------------===//
// Fully connected dx for small batches
//===----------------------------------------------------------------------===//

/// Batches below this take fcDotTile for dx (W read once, in place); larger
/// ones the packed GEMM of conv2dBackwardData, whose transpose of W then
/// costs less than the GEMM.
inline constexpr int64_t kFcDotMaxRows = 64;
/// W rows per work item of the dot path.
inline constexpr int64_t kFcDotItemRows = 16;

struct FcDotCtx {
  const FullyConnectedParams *p;
  const float *w, *dy;
  float *dx;
};

inline void fcDotTask(void *ctx, int64_t begin, int64_t end) {
  const FcDotCtx &c = *static_cast<const FcDotCtx *>(ctx);
  const FullyConnectedParams &p = *c.p;
  constexpr int MI = kFcDotRows;
  int64_t l0 = begin * kFcDotItemRows;
  int64_t l1 = std::min(p.k, end * kFcDotItemRows);
  int64_t l = l0;
  for (; l + 4 <= l1; l += 4) {
    const float *w = c.w + l * p.n;
    int64_t i = 0;
    for (; i + MI <= p.m; i += MI)
      fcDotTile<4, MI>(w, c.dy + i * p.n, p.n, c.dx + i * p.k + l, p.k);
    for (; i < p.m; ++i)
      fcDotTile<4, 1>(w, c.dy + i * p.n, p.n, c.dx + i * p.k + l, p.k);
  }
  for (; l < l1; ++l) {
    const float *w = c.w + l * p.n;
    int64_t i = 0;
    for (; i + MI <= p.m; i += MI)
      fcDotTile<1, MI>(w, c.dy + i * p.n, p.n, c.dx + i * p.k + l, p.k);
    for (; i < p.m; ++i)
      fcDotTile<1, 1>(w, c.dy + i * p.n, p.n, c.dx + i * p.k + l, p.k);
  }
}

} // namespace detail

/// Conv2DBackpropInput (ref::conv2dBackwardData's contract: p.act None,
/// dense NHWC dy [batch, outH, outW, outC] and dx [batch, inH, inW, inC],
/// HWIO w). Packs W^T (kh * kw * outC * roundUp(inC, 2 * kVec) floats)
/// into the calling thread's scratch. Threads split (input-channel panel,
/// image, pixel block); any thread count gives the same bits.
inline void conv2dBackwardData(const Conv2DParams &params, const float *dy,
                               const float *w, float *dx,
                               const slim_parallel *par = nullptr) {
  Conv2DParams p = detail::flattenPointwise(params);
  int64_t total = p.batch * p.inH * p.inW * p.inC;
  if (total <= 0)
    return;
  if (p.outC <= 0 || p.outH <= 0 || p.outW <= 0) {
    std::fill(dx, dx + total, 0.0f);
    return;
  }
  detail::BwdDataCtx c;
  c.p = &p;
  c.w = w;
  c.dy = dy;
  c.dx = dx;
  c.taps = int64_t(p.kernelH) * p.kernelW;
  c.panels = (p.inC + kBwPanel - 1) / kBwPanel;
  int64_t packedFloats = c.panels * c.taps * p.outC * kBwPanel;
  c.bp = detail::backwardScratch().packedWeights.get(packedFloats);
  c.blocks = detail::pixelBlocks(p.inH, p.inW, kBwPixels);
  c.panelInner = packedFloats * sizeof(float) <= SLIM_BW_L2_WEIGHT_BYTES;
  slim_parallel_run(par, c.panels * c.taps, 1, detail::bwdDataPackTask, &c);
  int64_t items = c.panels * p.batch * c.blocks.rowBlocks * c.blocks.colBlocks;
  slim_parallel_run(par, items, 1, detail::bwdDataTask, &c);
}

/// Conv2DBackpropFilter (ref::conv2dBackwardFilter's contract: NHWC x and
/// dy, HWIO dw, which is overwritten). Threads split (output-channel panel,
/// input-channel group); any thread count gives the same bits.
inline void conv2dBackwardFilter(const Conv2DParams &params, const float *in,
                                 const float *dy, float *dw,
                                 const slim_parallel *par = nullptr) {
  Conv2DParams p = detail::flattenPointwise(params);
  int64_t taps = int64_t(p.kernelH) * p.kernelW;
  if (taps * p.inC * p.outC <= 0)
    return;
  detail::BwdFilterCtx c;
  c.p = &p;
  c.x = in;
  c.dw = dw;
  c.taps = taps;
  // Input channels: groups of at most 4 tiles, near-equal (64 channels on
  // AVX-512 are 36 + 28, not 48 + 16).
  int64_t tiles = (p.inC + kBwRows - 1) / kBwRows;
  int64_t groups = (p.inC + 4 * kBwRows - 1) / (4 * kBwRows);
  c.icGroup = std::min(p.inC, (tiles + groups - 1) / groups * kBwRows);
  c.icGroups = (p.inC + c.icGroup - 1) / c.icGroup;
  c.blocks = detail::pixelBlocks(p.outH, p.outW, SLIM_BW_FILTER_PIXELS);
  int64_t panels = (p.outC + kBwPanel - 1) / kBwPanel;
  // As many panels per item as SLIM_BW_FILTER_ACC_FLOATS of partial sums
  // hold, fewer when that would leave under 2 items per thread.
  c.panels = panels;
  c.panelGroup = std::clamp<int64_t>(
      SLIM_BW_FILTER_ACC_FLOATS / (taps * c.icGroup * kBwPanel), 1, panels);
  int64_t threads =
      par && par->parallel_for ? std::max(1, par->num_threads) : 1;
  while (c.panelGroup > 1 &&
         (panels + c.panelGroup - 1) / c.panelGroup * c.icGroups < 2 * threads)
    c.panelGroup = (c.panelGroup + 1) / 2;
  int64_t pixels = p.batch * p.outH * p.outW;
  if (p.outC % kBwPanel == 0 || pixels == 0) {
    c.dy = dy;
    c.ldDy = p.outC;
  } else {
    c.ldDy = panels * kBwPanel;
    float *padded = detail::backwardScratch().paddedDy.get(pixels * c.ldDy);
    detail::PadColsCtx pc{dy, padded, p.outC, c.ldDy};
    slim_parallel_run(par, pixels, 64, detail::padColsTask, &pc);
    c.dy = padded;
  }
  // Small dW (a 1x1 or a 3x3 with few channels): one item would cover all
  // of it, so x and dy are read once, but one item has no parallelism;
  // instead the pixels are cut into a fixed number of slices (not
  // dependent on the thread count, so the bits are not either), each
  // summed into its own dW, and the slices are added in order.
  int64_t size = taps * p.inC * p.outC;
  int64_t allBlocks = p.batch * c.blocks.rowBlocks * c.blocks.colBlocks;
  float *parts = nullptr;
  c.slices = 1;
  if (taps * p.inC * panels * kBwPanel <= SLIM_BW_SLICED_FLOATS &&
      allBlocks > 1) {
    c.slices = std::min<int64_t>(allBlocks, SLIM_BW_SLICES);
    c.icGroup = p.inC;
    c.icGroups = 1;
    c.panelGroup = panels;
    parts = detail::backwardScratch().filterParts.get(c.slices * size);
    c.dw = parts;
  }
  int64_t items =
      c.slices * ((panels + c.panelGroup - 1) / c.panelGroup * c.icGroups);
  slim_parallel_run(par, items, 1, detail::bwdFilterTask, &c);
  if (c.slices > 1) {
    detail::SumPartsCtx s{parts, dw, c.slices, size};
    slim_parallel_run(par, (size + 255) / 256, 1, detail::sumPartsTask, &s);
  }
}

/// ref::fullyConnectedBackward: dx = dy W^T [m, k] and dW = x^T dy [k, n] on
/// dense rows, either output null to skip it. dW is the filter gradient of
/// a 1x1 conv over m pixels; dx, for m < kFcDotMaxRows, dot products of dy
/// rows with W's rows in place (W is read once, VGG fc6's 411 MB are not
/// transposed), else that conv's data gradient. Threads split W's rows
/// (dx) and dW's panels.
inline void fullyConnectedBackward(const FullyConnectedParams &fp,
                                   const float *x, const float *w,
                                   const float *dy, float *dx, float *dw,
                                   const slim_parallel *par = nullptr) {
  Conv2DParams p;
  p.batch = 1;
  p.inH = p.outH = 1;
  p.inW = p.outW = fp.m;
  p.inC = fp.k;
  p.outC = fp.n;
  if (dx && fp.m < detail::kFcDotMaxRows) {
    detail::FcDotCtx c{&fp, w, dy, dx};
    slim_parallel_run(
        par, (fp.k + detail::kFcDotItemRows - 1) / detail::kFcDotItemRows, 1,
        detail::fcDotTask, &c);
  } else if (dx) {
    conv2dBackwardData(p, dy, w, dx, par);
  }
  if (dw) {
    if (fp.m <= 0)
      std::fill(dw, dw + fp.k * fp.n, 0.0f);
    else
      conv2dBackwardFilter(p, x, dy, dw, par);
  }
}

} // namespace kernels
} // namespace slim

#endif // SLIM_KERNELS_BACKWARD_CONV_H
