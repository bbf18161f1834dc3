//===- slim/kernels/misc.h - Rare ops and arena addressing ------*- C++ -*-===//
//
// What generated code needs besides the fast kernels: byte offsets into the
// runtime's buffers, and plain loops for the ops that the fusion leaves
// alone (a stand-alone per-channel affine or activation such as ResNet-v2's
// pre-activation, softplus or leaky_relu, split over the thread pool when
// one is given; a concatenation along a non-channel axis). Both
// --kernels=fast and --kernels=reference code call them.
//
//===----------------------------------------------------------------------===//
#ifndef SLIM_KERNELS_MISC_H
#define SLIM_KERNELS_MISC_H

#include "slim/kernels/common.h"
#include "slim/parallel.h"

#include <cmath>
#include <cstdint>
#include <cstring>

namespace slim {
namespace kernels {

/// The float buffer `offset` bytes into `base` (the arena, prepare's
/// scratch): the memory plan places every value at a byte offset.
inline float *at(void *base, uint64_t offset) {
  return reinterpret_cast<float *>(static_cast<char *>(base) + offset);
}

namespace detail {
struct ChannelOpCtx {
  const float *x;
  float *y;
  int64_t hw, c, vec, cb, lanes;
  const float *scale, *shift;
  Pointwise f;
  float alpha;
};

/// Applies `f` to y[0:n] in place; the switch is outside the loops so that
/// each loop is a plain (vectorizable) one.
inline void pointwiseRow(Pointwise f, float alpha, float *y, int64_t n) {
  switch (f) {
  case Pointwise::None:
    return;
  case Pointwise::Relu:
    for (int64_t i = 0; i < n; ++i)
      y[i] = y[i] > 0.0f ? y[i] : 0.0f;
    return;
  case Pointwise::Relu6:
    for (int64_t i = 0; i < n; ++i)
      y[i] = y[i] < 0.0f ? 0.0f : (y[i] > 6.0f ? 6.0f : y[i]);
    return;
  case Pointwise::LeakyRelu:
    for (int64_t i = 0; i < n; ++i)
      y[i] = y[i] > 0.0f ? y[i] : y[i] * alpha;
    return;
  default:
    for (int64_t i = 0; i < n; ++i)
      y[i] = applyPointwise(f, alpha, y[i]);
    return;
  }
}

/// Rows [begin, end) of `lanes` elements: one pixel of a dense tensor, or
/// one pixel of one channel block of a blocked one.
inline void channelOpTask(void *ctx, int64_t begin, int64_t end) {
  const ChannelOpCtx &k = *static_cast<const ChannelOpCtx *>(ctx);
  for (int64_t row = begin; row < end; ++row) {
    int64_t blk = k.vec ? (row / k.hw) % k.cb : 0;
    int64_t c0 = blk * k.lanes;
    int64_t valid = k.c - c0 < k.lanes ? k.c - c0 : k.lanes;
    const float *xr = k.x + row * k.lanes;
    float *yr = k.y + row * k.lanes;
    const float *sc = k.scale ? k.scale + c0 : nullptr;
    const float *sh = k.shift ? k.shift + c0 : nullptr;
    if (sc && sh)
      for (int64_t l = 0; l < valid; ++l)
        yr[l] = xr[l] * sc[l] + sh[l];
    else if (sc)
      for (int64_t l = 0; l < valid; ++l)
        yr[l] = xr[l] * sc[l];
    else if (sh)
      for (int64_t l = 0; l < valid; ++l)
        yr[l] = xr[l] + sh[l];
    else if (yr != xr)
      for (int64_t l = 0; l < valid; ++l)
        yr[l] = xr[l];
    pointwiseRow(k.f, k.alpha, yr, valid);
    for (int64_t l = valid; l < k.lanes; ++l)
      yr[l] = 0.0f;
  }
}
} // namespace detail

/// y = f(x * scale[c] + shift[c]) per channel c of a tensor, dense NHWC
/// (vec = 0) or blocked [n][ceil(C/vec)][hw][vec]; padding lanes of a
/// blocked result are written as zeros. Null scale = 1, null shift = 0;
/// `alpha` is leaky_relu's slope. y may alias x.
inline void channelOp(const float *x, float *y, int64_t n, int64_t hw,
                      int64_t c, int64_t vec, const float *scale,
                      const float *shift, Pointwise f, float alpha = 0.0f,
                      const slim_parallel *par = nullptr) {
  detail::ChannelOpCtx k;
  k.x = x;
  k.y = y;
  k.hw = hw;
  k.c = c;
  k.vec = vec;
  k.cb = vec ? (c + vec - 1) / vec : 1;
  k.lanes = vec ? vec : c;
  k.scale = scale;
  k.shift = shift;
  k.f = f;
  k.alpha = alpha;
  int64_t rows = n * k.cb * hw;
  slim_parallel_run(par, rows, k.lanes >= 4096 ? 1 : 4096 / k.lanes,
                    detail::channelOpTask, &k);
}

/// Concatenation along one axis of dense row-major tensors: the result has
/// `outer` rows (the product of the dimensions before the axis), and source
/// s contributes chunk[s] floats to each.
inline void concatDense(int64_t outer, int num, const float *const *srcs,
                        const int64_t *chunk, float *y) {
  int64_t total = 0;
  for (int s = 0; s < num; ++s)
    total += chunk[s];
  for (int64_t i = 0; i < outer; ++i) {
    int64_t off = 0;
    for (int s = 0; s < num; ++s) {
      std::memcpy(y + i * total + off, srcs[s] + i * chunk[s],
                  sizeof(float) * chunk[s]);
      off += chunk[s];
    }
  }
}

} // namespace kernels
} // namespace slim

#endif // SLIM_KERNELS_MISC_H
