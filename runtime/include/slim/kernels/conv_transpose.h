//===- slim/kernels/conv_transpose.h - Blocked transposed conv --*- C++ -*-===//
//
// conv2d_transpose on the blocked layout, [N][Cb][H][W][kVec] in and out,
// weights packed by packConv2dTransposeWeights ([OCb][ICb][kh][kw][ic][oc],
// the conv2d packing with the transposed convolution's input channels as
// ic).
//
// A transposed convolution scatters every input pixel through every tap;
// written as a gather, output pixel (oy, ox) reads input row
// iy = (oy + padTop - ky) / strideH for the taps ky that divide exactly,
// i.e. ky = ry + strideH * j with ry = (oy + padTop) mod strideH. So the
// output splits into strideH x strideW phases, each an ordinary stride-1
// correlation of the input with the phase's taps, and nothing is computed
// for the zeros a "dilate the input, then convolve" formulation would
// multiply. A tile is kConvTileW output pixels of one row and one phase
// (strideW apart in the output, consecutive in the input) x 2 output
// blocks, accumulated in registers over the phase's taps and all input
// channels with conv.h's broadcast-FMA step; tiles at the left and right
// edges read kZeroBlock for taps outside the input. One work item is one
// output row of one pair of output blocks.
//
// The epilogue (bias, then the per-channel affine of a folded inference
// batch norm, then the activation) runs on the stored tile, as conv.h's
// does, so the accumulators never leave registers inside the tap loops.
//
//===----------------------------------------------------------------------===//
#ifndef SLIM_KERNELS_CONV_TRANSPOSE_H
#define SLIM_KERNELS_CONV_TRANSPOSE_H

#include "slim/kernels/conv.h"
#include "slim/kernels/layout.h"
#include "slim/kernels/pack.h"
#include "slim/kernels/spatial_common.h"
#include "slim/parallel.h"

#include <algorithm>
#include <cstdint>
#include <utility>

namespace slim {
namespace kernels {
namespace detail {

/// Python's floor division and modulo, for pads that make t negative.
SLIM_INLINE int64_t floorDiv(int64_t a, int64_t b) {
  return a >= 0 ? a / b : -((-a + b - 1) / b);
}

struct TConvCtx {
  const Conv2DTransposeParams *p;
  const float *x, *w;
  const float *bias, *scale, *shift;
  float *y;
  int64_t icb, ocb, pairs;
  int64_t xImage, xBlock, yImage, yBlock; ///< strides in floats
  int64_t wPair, wOcb, wIcb;              ///< weight strides in floats
};

/// One output row of one block pair: the taps that reach it.
struct TConvRow {
  const TConvCtx *c;
  const float *x; ///< image n, first input block
  const float *w; ///< first output block of the pair, first input block
  int rows;       ///< valid kernel rows
  int ky[64];     ///< (kernel rows beyond 64 are rejected by the emitter)
  int64_t iy[64];
};

/// RW output pixels of phase `rx`: pixel r is output column
/// ox0 + r * strideW and reads input column ix0 + r - j for tap
/// kx = rx + j * strideW.
template <int RW, bool Clip>
inline void tconvTile(const TConvRow &row, int rx, int64_t ix0, float *out,
                      int sw, int storeBlocks) {
  const TConvCtx &c = *row.c;
  const Conv2DTransposeParams &p = *c.p;
  constexpr int RB = 2;
  Vec acc[1][RW][RB];
  SLIM_UNROLL
  for (int r = 0; r < RW; ++r)
    SLIM_UNROLL
  for (int b = 0; b < RB; ++b) acc[0][r][b] = vzero();
  for (int a = 0; a < row.rows; ++a) {
    const float *xRow = row.x + row.iy[a] * p.inW * kVec;
    const float *wRow = row.w + row.ky[a] * p.kernelW * kVec * kVec;
    for (int kx = rx, j = 0; kx < p.kernelW; kx += p.strideW, ++j) {
      const int64_t first = ix0 - j;
      const float *wp = wRow + kx * kVec * kVec;
      const float *xb = xRow;
      for (int64_t ib = 0; ib < c.icb; ++ib) {
        if constexpr (Clip) {
          const float *pix[RW];
          SLIM_UNROLL
          for (int r = 0; r < RW; ++r) {
            int64_t ix = first + r;
            pix[r] = ix >= 0 && ix < p.inW ? xb + ix * kVec : kZeroBlock;
          }
          convTapSteps<1, RW, RB>(
              std::make_integer_sequence<int, kVec>(), acc,
              [&](int r) { return pix[r]; }, wp, c.wOcb);
        } else {
          const float *ip = xb + first * kVec;
          convTapSteps<1, RW, RB>(
              std::make_integer_sequence<int, kVec>(), acc,
              [=](int r) { return ip + r * kVec; }, wp, c.wOcb);
        }
        xb += c.xBlock;
        wp += c.wIcb;
      }
    }
  }
  // Store the sums, then the epilogue on them (see the file comment).
  SLIM_UNROLL
  for (int b = 0; b < RB; ++b) {
    if (b >= storeBlocks)
      break;
    SLIM_UNROLL
    for (int r = 0; r < RW; ++r)
      vstore(out + b * c.yBlock + r * sw * kVec, acc[0][r][b]);
  }
}

template <int RW>
inline void tconvTileDispatch(int count, const TConvRow &row, int rx,
                              int64_t ix0, float *out, int sw,
                              int storeBlocks) {
  if (count == RW)
    tconvTile<RW, true>(row, rx, ix0, out, sw, storeBlocks);
  else if constexpr (RW > 1)
    tconvTileDispatch<RW - 1>(count, row, rx, ix0, out, sw, storeBlocks);
}

/// Work items [begin, end) of (n, block pair, oy).
inline void tconvTask(void *ctx, int64_t begin, int64_t end) {
  const TConvCtx &c = *static_cast<const TConvCtx *>(ctx);
  const Conv2DTransposeParams &p = *c.p;
  const int sh = p.strideH, sw = p.strideW;
  for (int64_t item = begin; item < end; ++item) {
    int64_t oy = item % p.outH;
    int64_t pair = (item / p.outH) % c.pairs;
    int64_t n = item / (p.outH * c.pairs);
    int64_t ob = pair * 2;
    int storeBlocks = static_cast<int>(std::min<int64_t>(2, c.ocb - ob));

    TConvRow row;
    row.c = &c;
    row.x = c.x + n * c.xImage;
    row.w = c.w + pair * c.wPair;
    row.rows = 0;
    int64_t t = oy + p.padTop;
    int64_t qy = floorDiv(t, sh);
    for (int ky = static_cast<int>(t - qy * sh); ky < p.kernelH; ky += sh) {
      int64_t iy = qy - (ky - (t - qy * sh)) / sh;
      if (iy >= 0 && iy < p.inH) {
        row.ky[row.rows] = ky;
        row.iy[row.rows++] = iy;
      }
    }
    float *yRow = c.y + n * c.yImage + ob * c.yBlock + oy * p.outW * kVec;

    for (int rx = 0; rx < sw; ++rx) {
      // Output columns of this phase: ox = ox0 + k * sw.
      int64_t ox0 = ((rx - p.padLeft) % sw + sw) % sw;
      if (ox0 >= p.outW)
        continue;
      int64_t count = (p.outW - ox0 + sw - 1) / sw;
      int64_t qx0 = (ox0 + p.padLeft - rx) / sw; // exact by construction
      int taps = rx < p.kernelW ? (p.kernelW - rx + sw - 1) / sw : 0;
      for (int64_t k = 0; k < count; k += kConvTileW) {
        int rw = static_cast<int>(std::min<int64_t>(kConvTileW, count - k));
        float *out = yRow + (ox0 + k * sw) * kVec;
        int64_t ix0 = qx0 + k;
        bool interior = ix0 - (taps - 1) >= 0 && ix0 + rw - 1 < p.inW;
        if (rw == kConvTileW && interior && taps > 0)
          tconvTile<kConvTileW, false>(row, rx, ix0, out, sw, storeBlocks);
        else
          tconvTileDispatch<kConvTileW>(rw, row, rx, ix0, out, sw,
                                        storeBlocks);
      }
    }

    // Epilogue over the finished row: ((sum + bias) * scale + shift), the
    // activation, and zero padding lanes where the activation breaks them.
    for (int b = 0; b < storeBlocks; ++b) {
      alignas(64) float bias[kVec], scale[kVec], shift[kVec], mask[kVec];
      int64_t c0 = (ob + b) * kVec;
      for (int l = 0; l < kVec; ++l) {
        bool real = c0 + l < p.outC;
        bias[l] = real && c.bias ? c.bias[c0 + l] : 0.0f;
        scale[l] = real ? (c.scale ? c.scale[c0 + l] : 1.0f) : 0.0f;
        shift[l] = real && c.shift ? c.shift[c0 + l] : 0.0f;
        mask[l] = real ? 1.0f : 0.0f;
      }
      Vec vb = vload(bias), vs = vload(scale), vt = vload(shift),
          vm = vload(mask);
      bool remask = !preservesZero(p.act) && c0 + kVec > p.outC;
      float *o = yRow + b * c.yBlock;
      for (int64_t ox = 0; ox < p.outW; ++ox) {
        Vec v = vfma(vadd(vload(o + ox * kVec), vb), vs, vt);
        v = activateVec(p.act, v);
        if (remask)
          v = vmul(v, vm);
        vstore(o + ox * kVec, v);
      }
    }
  }
}

} // namespace detail

/// conv2d_transpose + epilogue on blocked tensors. `packedW` comes from
/// packConv2dTransposeWeights; `bias`, `scale` and `shift` have outC floats
/// or are null (scale and shift together). p.kernelH <= 64.
inline void conv2dTranspose(const Conv2DTransposeParams &p, const float *x,
                            const float *packedW, const float *bias,
                            const float *scale, const float *shift, float *y,
                            const slim_parallel *par) {
  detail::TConvCtx c;
  c.p = &p;
  c.x = x;
  c.w = packedW;
  c.bias = bias;
  c.scale = scale;
  c.shift = shift;
  c.y = y;
  c.icb = numBlocks(p.inC);
  c.ocb = numBlocks(p.outC);
  int64_t packedOcb = conv2dPackedOutBlocks(p.outC);
  c.pairs = packedOcb / 2;
  c.xBlock = p.inH * p.inW * kVec;
  c.xImage = c.icb * c.xBlock;
  c.yBlock = p.outH * p.outW * kVec;
  c.yImage = c.ocb * c.yBlock;
  c.wIcb = static_cast<int64_t>(p.kernelH) * p.kernelW * kVec * kVec;
  c.wOcb = c.icb * c.wIcb;
  c.wPair = 2 * c.wOcb;
  slim_parallel_run(par, p.batch * c.pairs * p.outH, 1, detail::tconvTask,
                    &c);
}

} // namespace kernels
} // namespace slim

#endif // SLIM_KERNELS_CONV_TRANSPOSE_H
