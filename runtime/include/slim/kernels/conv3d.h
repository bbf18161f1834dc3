//===- slim/kernels/conv3d.h - Direct conv3d on the blocked layout -*- C++ -*-//
//
// A 3-D convolution is a sum over its kd temporal taps of 2-D convolutions
// of input frames: output frame od reads input frames
// id = od * strideD - padFront + kd * dilationD. On the blocked layout of
// N*D frames, [N][D][Cb][H][W][kVec], each input frame is an ordinary
// blocked 2-D image, so the conv2d microkernels of conv.h run unchanged:
// the temporal taps are an outer loop over input-channel chunks, and the
// partial sums go through the output between chunks exactly as conv2d's
// own input-channel chunks do (the first chunk of the first valid tap
// starts from zero, the last chunk of the last one applies the epilogue).
//
// Weights are packed [OCb][kd][ICb][kh][kw][ic][oc] (packConv3dWeights):
// for one output block pair the taps' weights follow each other, each tap
// laid out as the conv2d packing of its [kh][kw][Cin][Cout] slice.
//
// A layer with one temporal tap, stride 1 and no temporal padding (I3D's
// 1x1x1 and 1xkxk layers, most of its work) is a conv2d of the N*D frames
// and runs as one, with every conv2d path (flattened 1x1 GEMMs, strided
// 1x1 gathers, narrow-map runs).
//
//===----------------------------------------------------------------------===//
#ifndef SLIM_KERNELS_CONV3D_H
#define SLIM_KERNELS_CONV3D_H

#include "slim/kernels/conv.h"
#include "slim/kernels/pack3d.h"
#include "slim/kernels/params3d.h"

#include <algorithm>
#include <cstdint>

namespace slim {
namespace kernels {
namespace detail {

struct Conv3DCtx {
  ConvCtx c; ///< The 2-D plan of one frame (batch = clips).
  int64_t inD, outD;
  int kernelD, strideD, dilationD, padFront;
};

/// act(bias + residual) for an output frame no temporal tap reaches (a
/// window entirely in the temporal padding).
inline void conv3dEpilogueOnly(const ConvCtx &c, const ConvRowArgs &a,
                               int64_t oh0, int64_t oh1, int64_t ow0,
                               int64_t ow1, float *out, const float *res) {
  const Conv2DParams &p = c.p;
  for (int b = 0; b < a.storeBlocks; ++b)
    for (int64_t oh = oh0; oh < oh1; ++oh)
      for (int64_t ow = ow0; ow < ow1; ++ow) {
        const int64_t px = oh * p.outW + ow;
        Vec v = vload(a.bias + b * kVec);
        if (res)
          v = vadd(v, vload(res + b * a.resCbStride + px * kVec));
        vstore(out + b * a.outCbStride + px * kVec, activateVec(a.act, v));
      }
}

/// Output rows [oh0, oh1) x columns [ow0, ow1) of frame od of clip n, for
/// the output block pair starting at ocb0.
inline void conv3dItem(const Conv3DCtx &x, int64_t n, int64_t od, int64_t ocb0,
                       int64_t oh0, int64_t oh1, int64_t ow0, int64_t ow1) {
  const ConvCtx &c = x.c;
  const Conv2DParams &p = c.p;
  const int64_t inPlane = p.inH * p.inW * kVec;
  const int64_t outPlane = p.outH * p.outW * kVec;
  alignas(64) float bias[2 * kVec];
  ConvRowArgs a;
  convItemArgs(c, ocb0, a, bias);
  a.wOcbStride = x.kernelD * c.icb * a.wIcbStride;
  const int64_t frame = n * x.outD + od;
  float *out = c.out + (frame * c.outCbTotal + p.outCbOffset + ocb0) * outPlane;
  const float *res =
      c.res ? c.res + (frame * c.resCbTotal + p.resCbOffset + ocb0) * outPlane
            : nullptr;
  const int64_t id0 = od * x.strideD - x.padFront;
  int kdLo, kdHi;
  validTaps(id0, x.dilationD, x.kernelD, x.inD, kdLo, kdHi);
  if (kdLo == kdHi) {
    conv3dEpilogueOnly(c, a, oh0, oh1, ow0, ow1, out, res);
    return;
  }
  const int lastIc = static_cast<int>(p.inC - (c.icb - 1) * kVec);
  for (int kd = kdLo; kd < kdHi; ++kd) {
    const int64_t inFrame =
        n * x.inD + id0 + static_cast<int64_t>(kd) * x.dilationD;
    for (int64_t cb0 = 0; cb0 < c.icb; cb0 += c.icbChunk) {
      const int64_t cb1 = std::min(c.icb, cb0 + c.icbChunk);
      a.in = c.in + (inFrame * c.inCbTotal + p.inCbOffset + cb0) * inPlane;
      a.w = c.w + ocb0 * a.wOcbStride + (kd * c.icb + cb0) * a.wIcbStride;
      a.nIcb = cb1 - cb0;
      // Each frame's last block may be partly padding (zero lanes in input
      // and weights), so fewer steps suffice there in every tap.
      a.lastSteps = cb1 == c.icb ? lastIc : kVec;
      a.first = kd == kdLo && cb0 == 0;
      a.last = kd == kdHi - 1 && cb1 == c.icb;
      convChunk<2>(c, a, oh0, oh1, ow0, ow1, out, res);
    }
  }
}

inline void conv3dTask(void *ctx, int64_t begin, int64_t end) {
  const Conv3DCtx &x = *static_cast<const Conv3DCtx *>(ctx);
  const ConvCtx &c = x.c;
  const int64_t spatial = c.rowBlocks * c.colBlocks;
  const int64_t frames = c.p.batch * x.outD;
  for (int64_t i = begin; i < end; ++i) {
    int64_t sb, f, g;
    if (c.groupsInner) {
      // (frame, spatial block, group): the input rows stay cached for all
      // groups.
      g = i % c.groups;
      int64_t t = i / c.groups;
      sb = t % spatial;
      f = t / spatial;
    } else {
      // (group, frame, spatial block): a group's weights stay cached.
      sb = i % spatial;
      int64_t t = i / spatial;
      f = t % frames;
      g = t / frames;
    }
    const int64_t rb = sb / c.colBlocks, cbk = sb % c.colBlocks;
    const int64_t oh0 = rb * c.rowsPerItem;
    const int64_t oh1 = std::min(c.p.outH, oh0 + c.rowsPerItem);
    const int64_t ow0 = cbk * c.colsPerItem;
    const int64_t ow1 = std::min(c.p.outW, ow0 + c.colsPerItem);
    conv3dItem(x, f / x.outD, f % x.outD, 2 * g, oh0, oh1, ow0, ow1);
  }
}

} // namespace detail

/// Fused conv3d on blocked tensors:
///   out = act(conv3d(in, w) + bias + residual)
/// `in` is [batch][inD][inCbTotal][inH][inW][kVec], read from block
/// inCbOffset of each frame; `packedW` comes from packConv3dWeights; `bias`
/// has outC floats or is null; `residual` (or null) is blocked like the
/// output; `out` is written at block outCbOffset of frames of outCbTotal
/// blocks. Work is split over (oc block pair, output frame, output rows).
inline void conv3d(const Conv3DParams &p, const float *in, const float *packedW,
                   const float *bias, const float *residual, float *out,
                   const slim_parallel *par) {
  if (p.kernelD == 1 && p.strideD == 1 && p.padFront == 0 && p.padBack == 0) {
    // One temporal tap per output frame, the same frame: a conv2d of the
    // clips' frames, with the same packed weights (kd = 1).
    Conv2DParams q = p;
    q.batch = p.batch * p.inD;
    conv2d(q, in, packedW, bias, residual, out, par);
    return;
  }
  detail::Conv3DCtx x;
  detail::planConv(x.c, p, /*ownItems=*/false);
  x.c.in = in;
  x.c.w = packedW;
  x.c.bias = bias;
  x.c.res = residual;
  x.c.out = out;
  x.inD = p.inD;
  x.outD = p.outD;
  x.kernelD = p.kernelD;
  x.strideD = p.strideD;
  x.dilationD = p.dilationD;
  x.padFront = p.padFront;
  // All kd taps' weights compete for L2 (see planConv's item order).
  int64_t weightBytes =
      conv3dPackedSize(p.kernelD, p.kernelH, p.kernelW, p.inC, p.outC) *
      static_cast<int64_t>(sizeof(float));
  x.c.groupsInner = weightBytes <= SLIM_CONV_L2_WEIGHT_BYTES;
  const int64_t items =
      x.c.groups * p.batch * p.outD * x.c.rowBlocks * x.c.colBlocks;
  slim_parallel_run(par, items, 1, detail::conv3dTask, &x);
  if (!preservesZero(p.act))
    zeroPaddingLanes(out, p.batch * p.outD, p.outH, p.outW, p.outC,
                     p.outCbOffset, x.c.outCbTotal);
}

} // namespace kernels
} // namespace slim

#endif // SLIM_KERNELS_CONV3D_H
