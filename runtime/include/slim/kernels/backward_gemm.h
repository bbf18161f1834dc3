//===- slim/kernels/backward_gemm.h - Tiles of the backward GEMMs -*- C++ -*-=//
//
// The two register tiles every fast conv / fully connected gradient runs
// (backward_conv.h), written once against vec.h:
//
//  - bwdDataTile: C[MR rows][2 vectors] += A[MR rows][K] B[K][2 vectors],
//    A broadcast element by element, B a packed panel of 2 * kVec columns.
//    This is fcTile's shape (gemm.h): dx = dy W^T, per kernel tap.
//  - bwdFilterTile: the outer-product form of dW = x^T dy on NHWC data:
//    for every pixel, MR consecutive input channels of x (broadcast) times
//    2 vectors of output channels of dy, summed over a grid of pixels with
//    the accumulators in registers the whole time.
//
// MR is kBwRows (12 x 2 = 24 of 32 zmm on AVX-512, 6 x 2 = 12 of 16 ymm on
// AVX2); smaller MR instances serve the tails.
//
//===----------------------------------------------------------------------===//
#ifndef SLIM_KERNELS_BACKWARD_GEMM_H
#define SLIM_KERNELS_BACKWARD_GEMM_H

#include "slim/kernels/vec.h"

#include <cstdint>

// The same definition as conv.h's (a repeated identical #define is valid),
// so this header does not need conv.h: any loop over accumulators left
// rolled makes GCC keep the tile in memory (docs/kernels.md).
#ifndef SLIM_UNROLL
#if defined(__clang__)
#define SLIM_UNROLL _Pragma("unroll")
#define SLIM_NO_UNROLL _Pragma("nounroll")
#elif defined(__GNUC__)
#define SLIM_UNROLL _Pragma("GCC unroll 32")
#define SLIM_NO_UNROLL _Pragma("GCC unroll 1")
#else
#define SLIM_UNROLL
#define SLIM_NO_UNROLL
#endif
#endif

namespace slim {
namespace kernels {

/// Columns of a packed backward panel: two vectors.
inline constexpr int kBwPanel = 2 * kVec;
/// Rows of the backward register tiles.
inline constexpr int kBwRows = kVec == 16 ? 12 : 6;

namespace detail {

/// c[r * ldc + 0:kBwPanel] += sum_k a[r * lda + k] * b[k * kBwPanel +
/// 0:kBwPanel] for r < MR.
template <int MR>
inline void bwdDataTile(const float *a, int64_t lda, const float *b,
                        int64_t kLen, float *c, int64_t ldc) {
  Vec acc[MR][2];
  SLIM_UNROLL
  for (int r = 0; r < MR; ++r) {
    acc[r][0] = vload(c + r * ldc);
    acc[r][1] = vload(c + r * ldc + kVec);
  }
  for (int64_t k = 0; k < kLen; ++k) {
    Vec b0 = vload(b + k * kBwPanel), b1 = vload(b + k * kBwPanel + kVec);
    SLIM_UNROLL
    for (int r = 0; r < MR; ++r) {
      Vec x = vbcast(a + r * lda + k);
      acc[r][0] = vfma(x, b0, acc[r][0]);
      acc[r][1] = vfma(x, b1, acc[r][1]);
    }
  }
  SLIM_UNROLL
  for (int r = 0; r < MR; ++r) {
    vstore(c + r * ldc, acc[r][0]);
    vstore(c + r * ldc + kVec, acc[r][1]);
  }
}

template <int MR>
inline void bwdDataTileN(int rows, const float *a, int64_t lda, const float *b,
                         int64_t kLen, float *c, int64_t ldc) {
  if (rows == MR)
    bwdDataTile<MR>(a, lda, b, kLen, c, ldc);
  else if constexpr (MR > 1)
    bwdDataTileN<MR - 1>(rows, a, lda, b, kLen, c, ldc);
}

/// One grid of pixels for bwdFilterTile: `rows` rows of `cols` pixels; x
/// pixel (i, j) at x + i * xRow + j * xPix, its dy pixel at d + i * dRow +
/// j * dPix (dy already at the panel's first channel).
struct FilterGrid {
  const float *x, *d;
  int64_t xRow, xPix, dRow, dPix;
  int64_t rows, cols;
};

/// acc[r * kBwPanel + 0:kBwPanel] += sum over the grid's pixels of
/// x[pixel + r] * d[pixel + 0:kBwPanel], for r < MR.
template <int MR> inline void bwdFilterTile(const FilterGrid &g, float *acc) {
  Vec s[MR][2];
  SLIM_UNROLL
  for (int r = 0; r < MR; ++r) {
    s[r][0] = vload(acc + r * kBwPanel);
    s[r][1] = vload(acc + r * kBwPanel + kVec);
  }
  for (int64_t i = 0; i < g.rows; ++i) {
    const float *x = g.x + i * g.xRow, *d = g.d + i * g.dRow;
    for (int64_t j = 0; j < g.cols; ++j) {
      Vec d0 = vload(d), d1 = vload(d + kVec);
      SLIM_UNROLL
      for (int r = 0; r < MR; ++r) {
        Vec xb = vbcast(x + r);
        s[r][0] = vfma(xb, d0, s[r][0]);
        s[r][1] = vfma(xb, d1, s[r][1]);
      }
      x += g.xPix;
      d += g.dPix;
    }
  }
  SLIM_UNROLL
  for (int r = 0; r < MR; ++r) {
    vstore(acc + r * kBwPanel, s[r][0]);
    vstore(acc + r * kBwPanel + kVec, s[r][1]);
  }
}

template <int MR>
inline void bwdFilterTileN(int rows, const FilterGrid &g, float *acc) {
  if (rows == MR)
    bwdFilterTile<MR>(g, acc);
  else if constexpr (MR > 1)
    bwdFilterTileN<MR - 1>(rows, g, acc);
}

/// Rows of dy per fcDotTile: 4 x 4 accumulators + 4 + 1 of 32 zmm, 4 x 2
/// + 4 + 1 of 16 ymm.
inline constexpr int kFcDotRows = kVec == 16 ? 4 : 2;

/// dx[i * ldx + l] = dot(dy row i, w row l) over n, for l < LR, i < MI:
/// dx = dy W^T without transposing W (w rows are contiguous in [k][n]).
/// Each w vector is loaded once for MI rows of dy.
template <int LR, int MI>
inline void fcDotTile(const float *w, const float *dy, int64_t n, float *dx,
                      int64_t ldx) {
  Vec acc[LR][MI];
  SLIM_UNROLL
  for (int l = 0; l < LR; ++l) {
    SLIM_UNROLL
    for (int i = 0; i < MI; ++i)
      acc[l][i] = vzero();
  }
  int64_t j = 0;
  for (; j + kVec <= n; j += kVec) {
    Vec wv[LR];
    SLIM_UNROLL
    for (int l = 0; l < LR; ++l)
      wv[l] = vload(w + l * n + j);
    SLIM_UNROLL
    for (int i = 0; i < MI; ++i) {
      Vec d = vload(dy + i * n + j);
      SLIM_UNROLL
      for (int l = 0; l < LR; ++l)
        acc[l][i] = vfma(wv[l], d, acc[l][i]);
    }
  }
  alignas(64) float lanes[kVec];
  for (int l = 0; l < LR; ++l)
    for (int i = 0; i < MI; ++i) {
      vstore(lanes, acc[l][i]);
      float s = 0.0f;
      for (int v = 0; v < kVec; ++v)
        s += lanes[v];
      for (int64_t t = j; t < n; ++t)
        s += w[l * n + t] * dy[i * n + t];
      dx[i * ldx + l] = s;
    }
}

} // namespace detail
} // namespace kernels
} // namespace slim

#endif // SLIM_KERNELS_BACKWARD_GEMM_H
