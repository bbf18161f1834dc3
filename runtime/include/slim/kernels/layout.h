//===- slim/kernels/layout.h - NHWC <-> blocked NCHWc conversion -*- C++ -*-=//
//
// The fast kernels keep activations in a blocked layout
//   [N][Cb][H][W][kVec],  Cb = numBlocks(C),
// so that one vector load reads kVec channels of one pixel and the direct
// convolution can broadcast one input channel against kVec output channels.
// Lanes past C in the last block are always zero: kernels rely on it (zero
// weights times zero lanes) and keep it true for what they write.
//
// A tensor may live inside a bigger one (concat along channels): it then
// starts at block `cbOffset` of a tensor with `cbTotal` blocks.
//
//===----------------------------------------------------------------------===//
#ifndef SLIM_KERNELS_LAYOUT_H
#define SLIM_KERNELS_LAYOUT_H

#include "slim/kernels/common.h"

#include <cstdint>

namespace slim {
namespace kernels {

/// Floats needed for a blocked tensor of logical shape [n, h, w, c].
constexpr int64_t blockedSize(int64_t n, int64_t h, int64_t w, int64_t c) {
  return n * numBlocks(c) * h * w * kVec;
}

/// NHWC [n, h, w, c] -> blocked, zero-filling the padding lanes.
inline void nhwcToBlocked(const float *in, int64_t n, int64_t h, int64_t w,
                          int64_t c, float *out, int64_t cbOffset = 0,
                          int64_t cbTotal = 0) {
  int64_t cb = numBlocks(c);
  if (!cbTotal)
    cbTotal = cb;
  for (int64_t b = 0; b < n; ++b)
    for (int64_t blk = 0; blk < cb; ++blk) {
      int64_t c0 = blk * kVec;
      int64_t lanes = c - c0 < kVec ? c - c0 : kVec;
      float *dst = out + ((b * cbTotal + cbOffset + blk) * h * w) * kVec;
      const float *src = in + b * h * w * c + c0;
      for (int64_t p = 0; p < h * w; ++p) {
        int64_t l = 0;
        for (; l < lanes; ++l)
          dst[p * kVec + l] = src[p * c + l];
        for (; l < kVec; ++l)
          dst[p * kVec + l] = 0.0f;
      }
    }
}

/// Blocked -> NHWC [n, h, w, c]; padding lanes are dropped.
inline void blockedToNhwc(const float *in, int64_t n, int64_t h, int64_t w,
                          int64_t c, float *out, int64_t cbOffset = 0,
                          int64_t cbTotal = 0) {
  int64_t cb = numBlocks(c);
  if (!cbTotal)
    cbTotal = cb;
  for (int64_t b = 0; b < n; ++b)
    for (int64_t blk = 0; blk < cb; ++blk) {
      int64_t c0 = blk * kVec;
      int64_t lanes = c - c0 < kVec ? c - c0 : kVec;
      const float *src = in + ((b * cbTotal + cbOffset + blk) * h * w) * kVec;
      float *dst = out + b * h * w * c + c0;
      for (int64_t p = 0; p < h * w; ++p)
        for (int64_t l = 0; l < lanes; ++l)
          dst[p * c + l] = src[p * kVec + l];
    }
}

/// Zeroes the padding lanes [c, roundUpToVec(c)) of a blocked tensor, for
/// producers whose epilogue does not map 0 to 0 (sigmoid).
inline void zeroPaddingLanes(float *t, int64_t n, int64_t h, int64_t w,
                             int64_t c, int64_t cbOffset = 0,
                             int64_t cbTotal = 0) {
  if (c % kVec == 0)
    return;
  int64_t cb = numBlocks(c);
  if (!cbTotal)
    cbTotal = cb;
  for (int64_t b = 0; b < n; ++b) {
    float *blk = t + ((b * cbTotal + cbOffset + cb - 1) * h * w) * kVec;
    for (int64_t p = 0; p < h * w; ++p)
      for (int64_t l = c % kVec; l < kVec; ++l)
        blk[p * kVec + l] = 0.0f;
  }
}

} // namespace kernels
} // namespace slim

#endif // SLIM_KERNELS_LAYOUT_H
