//===- slim/kernels/depthwise.h - Depthwise conv2d, blocked -----*- C++ -*-===//
//
// With multiplier 1 (MobileNet) output channel c reads input channel c, so a
// block of kVec output channels is one vector of the blocked input: the tile
// keeps kDwTileW output pixels of one block in registers and does one FMA per
// (pixel, tap). The arithmetic intensity is only ~1 FMA per load, so this is
// bound by L1/L2 bandwidth, not by the FMA units; row-tiling keeps the input
// rows in L1.
//
// Other multipliers (rare in TF-Slim nets) take a per-lane path that gathers
// input channel oc / multiplier; correct, not fast.
//
//===----------------------------------------------------------------------===//
#ifndef SLIM_KERNELS_DEPTHWISE_H
#define SLIM_KERNELS_DEPTHWISE_H

#include "slim/kernels/common.h"
#include "slim/kernels/conv.h"
#include "slim/kernels/layout.h"
#include "slim/parallel.h"

#include <cstdint>

namespace slim {
namespace kernels {

/// Output pixels per depthwise tile.
inline constexpr int kDwTileW = 8;

namespace detail {

struct DwRowArgs {
  const float *in; // (n, block), row/col 0
  const float *w;  // (block), tap 0
  float *out;      // (n, block, oh), col 0
  const float *res;
  Vec bias;
  int64_t inRowStride, ih0, padLeft, inW;
  int khLo, khHi, kernelW, dilH, dilW, strideW;
  Activation act;
};

template <int RW>
inline void dwTile(const DwRowArgs &a, int64_t ow0, int kwLo, int kwHi) {
  const int sw = a.strideW;
  Vec acc[RW];
  for (int r = 0; r < RW; ++r)
    acc[r] = a.bias;
  const int64_t iw0 = ow0 * sw - a.padLeft;
  for (int kh = a.khLo; kh < a.khHi; ++kh) {
    const float *inR = a.in + (a.ih0 + kh * a.dilH) * a.inRowStride;
    const float *wR = a.w + kh * a.kernelW * kVec;
    for (int kw = kwLo; kw < kwHi; ++kw) {
      Vec wv = vload(wR + kw * kVec);
      const float *ip = inR + (iw0 + kw * a.dilW) * kVec;
      for (int r = 0; r < RW; ++r)
        acc[r] = vfma(vload(ip + r * sw * kVec), wv, acc[r]);
    }
  }
  float *o = a.out + ow0 * kVec;
  for (int r = 0; r < RW; ++r) {
    Vec v = acc[r];
    if (a.res)
      v = vadd(v, vload(a.res + (ow0 + r) * kVec));
    vstore(o + r * kVec, activateVec(a.act, v));
  }
}

inline void dwRow(const DwRowArgs &a, int64_t outW, int64_t fullLo,
                  int64_t fullHi) {
  const int sw = a.strideW;
  auto border = [&](int64_t x) {
    int lo, hi;
    validTaps(x * sw - a.padLeft, a.dilW, a.kernelW, a.inW, lo, hi);
    dwTile<1>(a, x, lo, hi);
  };
  int64_t ow = 0;
  for (; ow < fullLo; ++ow)
    border(ow);
  for (; ow + kDwTileW <= fullHi; ow += kDwTileW)
    dwTile<kDwTileW>(a, ow, 0, a.kernelW);
  for (; ow < fullHi; ++ow)
    dwTile<1>(a, ow, 0, a.kernelW);
  for (; ow < outW; ++ow)
    border(ow);
}

struct DwCtx {
  const Conv2DParams *p;
  const float *in, *w, *bias, *res;
  float *out;
  int64_t ocb, inCbTotal, outCbTotal, resCbTotal;
  int64_t fullLo, fullHi;
};

inline void dwTask(void *ctx, int64_t begin, int64_t end) {
  const DwCtx &c = *static_cast<const DwCtx *>(ctx);
  const Conv2DParams &p = *c.p;
  const int64_t kTaps = static_cast<int64_t>(p.kernelH) * p.kernelW;
  for (int64_t i = begin; i < end; ++i) {
    int64_t oh = i % p.outH, t = i / p.outH;
    int64_t n = t % p.batch, ob = t / p.batch;
    int64_t ih0 = oh * p.strideH - p.padTop;
    int khLo, khHi;
    validTaps(ih0, p.dilationH, p.kernelH, p.inH, khLo, khHi);
    float *out =
        c.out +
        ((n * c.outCbTotal + p.outCbOffset + ob) * p.outH + oh) * p.outW * kVec;
    const float *res =
        c.res
            ? c.res + ((n * c.resCbTotal + p.resCbOffset + ob) * p.outH + oh) *
                          p.outW * kVec
            : nullptr;
    const float *w = c.w + ob * kTaps * kVec;
    if (p.depthMultiplier == 1) {
      DwRowArgs a;
      a.in =
          c.in + (n * c.inCbTotal + p.inCbOffset + ob) * p.inH * p.inW * kVec;
      a.w = w;
      a.out = out;
      a.res = res;
      alignas(64) float bias[kVec];
      for (int l = 0; l < kVec; ++l) {
        int64_t oc = ob * kVec + l;
        bias[l] = c.bias && oc < p.outC ? c.bias[oc] : 0.0f;
      }
      a.bias = vload(bias);
      a.inRowStride = p.inW * kVec;
      a.ih0 = ih0;
      a.padLeft = p.padLeft;
      a.inW = p.inW;
      a.khLo = khLo;
      a.khHi = khHi;
      a.kernelW = p.kernelW;
      a.dilH = p.dilationH;
      a.dilW = p.dilationW;
      a.strideW = p.strideW;
      a.act = p.act;
      dwRow(a, p.outW, c.fullLo, c.fullHi);
      continue;
    }
    // General multiplier: lane l of block ob is output channel oc, which
    // reads input channel oc / multiplier from whatever block holds it.
    for (int64_t ow = 0; ow < p.outW; ++ow) {
      int64_t iw0 = ow * p.strideW - p.padLeft;
      int kwLo, kwHi;
      validTaps(iw0, p.dilationW, p.kernelW, p.inW, kwLo, kwHi);
      for (int l = 0; l < kVec; ++l) {
        int64_t oc = ob * kVec + l;
        if (oc >= p.outC) {
          out[ow * kVec + l] = 0.0f;
          continue;
        }
        int64_t ic = oc / p.depthMultiplier;
        const float *inC = c.in +
                           (n * c.inCbTotal + p.inCbOffset + ic / kVec) *
                               p.inH * p.inW * kVec +
                           ic % kVec;
        float sum = c.bias ? c.bias[oc] : 0.0f;
        for (int kh = khLo; kh < khHi; ++kh)
          for (int kw = kwLo; kw < kwHi; ++kw)
            sum += inC[((ih0 + kh * p.dilationH) * p.inW + iw0 +
                        kw * p.dilationW) *
                       kVec] *
                   w[(kh * p.kernelW + kw) * kVec + l];
        if (res)
          sum += res[ow * kVec + l];
        out[ow * kVec + l] = activate(p.act, sum);
      }
    }
  }
}

} // namespace detail

/// Fused depthwise conv2d on blocked tensors (TF depthwise_conv2d /
/// slim.separable_conv2d's depthwise half): out = act(dw(in) + bias +
/// residual). p.outC must equal p.inC * p.depthMultiplier; `packedW` comes
/// from packDepthwiseWeights; placement fields as for conv2d.
inline void depthwiseConv2d(const Conv2DParams &p, const float *in,
                            const float *packedW, const float *bias,
                            const float *residual, float *out,
                            const slim_parallel *par) {
  detail::DwCtx c;
  c.p = &p;
  c.in = in;
  c.w = packedW;
  c.bias = bias;
  c.res = residual;
  c.out = out;
  c.ocb = numBlocks(p.outC);
  c.inCbTotal = p.inCbTotal ? p.inCbTotal : numBlocks(p.inC);
  c.outCbTotal = p.outCbTotal ? p.outCbTotal : c.ocb;
  c.resCbTotal = p.resCbTotal ? p.resCbTotal : c.ocb;
  int64_t span = static_cast<int64_t>(p.kernelW - 1) * p.dilationW;
  c.fullLo = std::min<int64_t>(p.outW, (p.padLeft + p.strideW - 1) / p.strideW);
  int64_t lastStart = p.inW - 1 - span + p.padLeft;
  c.fullHi = lastStart < 0 ? 0 : lastStart / p.strideW + 1;
  c.fullHi = std::max(c.fullLo, std::min<int64_t>(c.fullHi, p.outW));
  slim_parallel_run(par, c.ocb * p.batch * p.outH, 1, detail::dwTask, &c);
  if (!preservesZero(p.act))
    zeroPaddingLanes(out, p.batch, p.outH, p.outW, p.outC, p.outCbOffset,
                     c.outCbTotal);
}

} // namespace kernels
} // namespace slim

#endif // SLIM_KERNELS_DEPTHWISE_H
