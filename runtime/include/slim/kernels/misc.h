//===- slim/kernels/misc.h - Rare ops and arena addressing ------*- C++ -*-===//
//
// What generated code needs besides the fast kernels: byte offsets into the
// runtime's buffers, and plain single-threaded loops for the ops that the
// fusion leaves alone in the nets we compile (a stand-alone per-channel
// affine or activation such as ResNet-v2's pre-activation, softplus, a
// concatenation along a non-channel axis). Both
// --kernels=fast and --kernels=reference code call them.
//
//===----------------------------------------------------------------------===//
#ifndef SLIM_KERNELS_MISC_H
#define SLIM_KERNELS_MISC_H

#include "slim/kernels/common.h"

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

/// TF's softplus, log(1 + exp(x)), without overflow.
inline float softplus(float x) {
  return x > 0.0f ? x + std::log1p(std::exp(-x)) : std::log1p(std::exp(x));
}

/// y = f(x * scale[c] + shift[c]) per channel c of a tensor, dense NHWC
/// (vec = 0) or blocked [n][ceil(C/vec)][hw][vec]; padding lanes of a
/// blocked result stay zero. Null scale = 1, null shift = 0; `act` is an
/// Activation, or negative for softplus (which Activation lacks because no
/// conv epilogue applies it).
inline void channelOp(const float *x, float *y, int64_t n, int64_t hw,
                      int64_t c, int64_t vec, const float *scale,
                      const float *shift, int act) {
  int64_t cb = vec ? (c + vec - 1) / vec : 1;
  int64_t lanes = vec ? vec : c;
  for (int64_t b = 0; b < n; ++b)
    for (int64_t blk = 0; blk < cb; ++blk)
      for (int64_t i = 0; i < hw; ++i) {
        int64_t base = vec ? ((b * cb + blk) * hw + i) * vec : (b * hw + i) * c;
        for (int64_t l = 0; l < lanes; ++l) {
          int64_t ch = vec ? blk * vec + l : l;
          if (ch >= c) {
            y[base + l] = 0.0f;
            continue;
          }
          float v = x[base + l] * (scale ? scale[ch] : 1.0f) +
                    (shift ? shift[ch] : 0.0f);
          y[base + l] =
              act < 0 ? softplus(v) : activate(static_cast<Activation>(act), v);
        }
      }
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
