//===- slim/kernels/tile.h - tf.tile on the blocked layout ------*- C++ -*-===//
//
// tf.tile of a blocked 4-D or 5-D activation that repeats everything but
// the channels: whole kVec-channel vectors are copied, padding lanes
// included (they stay zero). Dense tensors use ref::tile.
//
//===----------------------------------------------------------------------===//
#ifndef SLIM_KERNELS_TILE_H
#define SLIM_KERNELS_TILE_H

#include "slim/kernels/common.h"
#include "slim/parallel.h"

#include <cstdint>

namespace slim {
namespace kernels {
namespace detail {

struct TileCtx {
  const float *in;
  float *out;
  int lead; ///< Axes before H, W, C: 1 (NHWC) or 2 (NDHWC).
  int64_t inLead[2], outLead[2];
  int64_t cb, inH, inW, outH, outW;
};

/// Items are (output frame, channel block, output row).
inline void tileTask(void *ctx, int64_t begin, int64_t end) {
  const TileCtx &c = *static_cast<const TileCtx *>(ctx);
  for (int64_t i = begin; i < end; ++i) {
    int64_t oh = i % c.outH, t = i / c.outH;
    int64_t b = t % c.cb, frame = t / c.cb;
    // The source frame: each leading coordinate modulo the input's size.
    int64_t src = 0;
    if (c.lead == 2)
      src = (frame / c.outLead[1] % c.inLead[0]) * c.inLead[1] +
            frame % c.outLead[1] % c.inLead[1];
    else
      src = frame % c.inLead[0];
    const float *row =
        c.in + ((src * c.cb + b) * c.inH + oh % c.inH) * c.inW * kVec;
    float *dst = c.out + ((frame * c.cb + b) * c.outH + oh) * c.outW * kVec;
    for (int64_t ow = 0; ow < c.outW; ++ow)
      vstore(dst + ow * kVec, vload(row + (ow % c.inW) * kVec));
  }
}

} // namespace detail

/// tf.tile of a blocked tensor of logical shape `inShape` (rank 4 or 5,
/// channels last) by `multiples`, whose channel entry must be 1.
inline void tileBlocked(const float *in, const int64_t *inShape,
                        const int64_t *multiples, int rank, float *out,
                        const slim_parallel *par) {
  detail::TileCtx c;
  c.in = in;
  c.out = out;
  c.lead = rank - 3;
  int64_t frames = 1;
  for (int d = 0; d < c.lead; ++d) {
    c.inLead[d] = inShape[d];
    c.outLead[d] = inShape[d] * multiples[d];
    frames *= c.outLead[d];
  }
  c.cb = numBlocks(inShape[rank - 1]);
  c.inH = inShape[rank - 3];
  c.inW = inShape[rank - 2];
  c.outH = c.inH * multiples[rank - 3];
  c.outW = c.inW * multiples[rank - 2];
  slim_parallel_run(par, frames * c.cb * c.outH, 4, detail::tileTask, &c);
}

} // namespace kernels
} // namespace slim

#endif // SLIM_KERNELS_TILE_H
