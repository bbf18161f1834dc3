//===- slim/kernels/lrn.h - Local response normalization --------*- C++ -*-===//
//
// tf.nn.lrn (local_response_normalization) over the channel axis, on a dense
// NHWC tensor or a blocked one:
//
//   sqr_sum[c] = sum of x[c']^2 for c' in [c - r, c + r] within [0, C)
//   y[c] = x[c] / (bias + alpha * sqr_sum[c]) ^ beta
//
// TensorFlow's definition: alpha is not divided by the window size. Each
// pixel's squares are gathered once, then every window is summed in order.
//
//===----------------------------------------------------------------------===//
#ifndef SLIM_KERNELS_LRN_H
#define SLIM_KERNELS_LRN_H

#include "slim/parallel.h"

#include <cmath>
#include <cstdint>
#include <vector>

namespace slim {
namespace kernels {

struct LrnParams {
  int64_t batch = 1, pixels = 1, channels = 0;
  /// 0 for dense NHWC, else the blocked layout's lanes (padding lanes of
  /// the result are written as zeros).
  int64_t vec = 0;
  int64_t depthRadius = 5;
  float bias = 1.0f, alpha = 1.0f, beta = 0.5f;
};

/// The factor (bias + alpha * sqrSum) ^ -beta, with TensorFlow's shortcuts
/// for beta 1 and 0.5 (exact reciprocal and reciprocal square root).
inline float lrnFactor(const LrnParams &p, float sqrSum) {
  float t = p.bias + p.alpha * sqrSum;
  if (p.beta == 1.0f)
    return 1.0f / t;
  if (p.beta == 0.5f)
    return 1.0f / std::sqrt(t);
  return std::pow(t, -p.beta);
}

namespace detail {
struct LrnCtx {
  const LrnParams *p;
  const float *x;
  float *y;
};

/// Pixels [begin, end) of the flattened batch * pixels.
inline void lrnTask(void *ctx, int64_t begin, int64_t end) {
  const LrnCtx &c = *static_cast<const LrnCtx *>(ctx);
  const LrnParams &p = *c.p;
  const int64_t ch = p.channels, r = p.depthRadius;
  const int64_t cb = p.vec ? (ch + p.vec - 1) / p.vec : 1;
  std::vector<float> sq(ch);
  for (int64_t q = begin; q < end; ++q) {
    int64_t n = q / p.pixels, i = q % p.pixels;
    // Element c of this pixel lives at offset(c).
    auto offset = [&](int64_t k) {
      if (!p.vec)
        return q * ch + k;
      return ((n * cb + k / p.vec) * p.pixels + i) * p.vec + k % p.vec;
    };
    for (int64_t k = 0; k < ch; ++k) {
      float v = c.x[offset(k)];
      sq[k] = v * v;
    }
    for (int64_t k = 0; k < ch; ++k) {
      int64_t lo = k - r < 0 ? 0 : k - r;
      int64_t hi = k + r >= ch ? ch - 1 : k + r;
      float s = 0.0f;
      for (int64_t j = lo; j <= hi; ++j)
        s += sq[j];
      int64_t o = offset(k);
      c.y[o] = c.x[o] * lrnFactor(p, s);
    }
    if (p.vec)
      for (int64_t k = ch; k < cb * p.vec; ++k)
        c.y[offset(k)] = 0.0f;
  }
}
} // namespace detail

/// y = lrn(x); y must not alias x (a window reads channels already written).
inline void lrn(const LrnParams &p, const float *x, float *y,
                const slim_parallel *par = nullptr) {
  detail::LrnCtx c{&p, x, y};
  int64_t work = p.channels * (2 * p.depthRadius + 1);
  slim_parallel_run(par, p.batch * p.pixels,
                    work >= 4096 ? 1 : 4096 / (work ? work : 1),
                    detail::lrnTask, &c);
}

} // namespace kernels
} // namespace slim

#endif // SLIM_KERNELS_LRN_H
