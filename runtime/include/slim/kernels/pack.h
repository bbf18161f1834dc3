//===- slim/kernels/pack.h - Load-time weight transforms --------*- C++ -*-===//
//
// Run once by the generated `prepare`, from TF-Slim's checkpoint layouts into
// the layouts the microkernels stream through, plus batch-norm folding.
//
//   conv2d     HWIO [kh][kw][Cin][Cout] -> [OCb][ICb][kh][kw][kVec ic][kVec oc]
//              (OCb rounded up to even)
//   depthwise  [kh][kw][Cin][mult]      -> [OCb][kh][kw][kVec oc]
//   fc         [K][N]                   -> [NP][K'][kFcPanel]
//   conv2d_transpose [kh][kw][Cout][Cin] -> as conv2d, Cin the input side
//
// Padding channels/columns are zero, so kernels can run whole blocks.
//
//===----------------------------------------------------------------------===//
#ifndef SLIM_KERNELS_PACK_H
#define SLIM_KERNELS_PACK_H

#include "slim/contract.h"
#include "slim/kernels/common.h"

#include <cmath>
#include <cstdint>

namespace slim {
namespace kernels {

// The packed sizes are the contract with the compiler, which sizes the
// buffers these functions fill: slim/contract.h at this build's kVec.

/// Output columns per packed fully-connected panel.
inline constexpr int kFcPanel = static_cast<int>(contract::fcPanelWidth(kVec));
static_assert(kFcPanel == 2 * kVec,
              "gemm.h's microkernel loads a panel row as two vectors");

constexpr int64_t numFcPanels(int64_t n) {
  return contract::numFcPanels(n, kVec);
}

/// Output blocks of packed conv2d weights (rounded up to even).
constexpr int64_t conv2dPackedOutBlocks(int64_t outC) {
  return contract::conv2dPackedOutBlocks(outC, kVec);
}

/// Floats of packed conv2d weights.
constexpr int64_t conv2dPackedSize(int64_t kh, int64_t kw, int64_t inC,
                                   int64_t outC) {
  return contract::conv2dPackedSize(kh, kw, inC, outC, kVec);
}

/// HWIO -> [OCb][ICb][kh][kw][ic][oc]: the innermost kVec output channels
/// are one vector load; the ic lanes follow in the order the microkernel
/// broadcasts input channels.
inline void packConv2dWeights(const float *hwio, int64_t kh, int64_t kw,
                              int64_t inC, int64_t outC, float *dst) {
  int64_t icb = numBlocks(inC), ocb = conv2dPackedOutBlocks(outC);
  for (int64_t ob = 0; ob < ocb; ++ob)
    for (int64_t ib = 0; ib < icb; ++ib)
      for (int64_t y = 0; y < kh; ++y)
        for (int64_t x = 0; x < kw; ++x)
          for (int64_t il = 0; il < kVec; ++il)
            for (int64_t ol = 0; ol < kVec; ++ol) {
              int64_t ic = ib * kVec + il, oc = ob * kVec + ol;
              *dst++ = ic < inC && oc < outC
                           ? hwio[((y * kw + x) * inC + ic) * outC + oc]
                           : 0.0f;
            }
}

/// conv2d_transpose [kh][kw][Cout][Cin] -> the conv2d layout
/// [OCb][ICb][kh][kw][ic][oc] with ic running over the transposed
/// convolution's input channels (the filter's last axis): the blocked
/// transposed kernel streams it exactly as the conv kernel streams its own.
inline void packConv2dTransposeWeights(const float *w, int64_t kh, int64_t kw,
                                       int64_t outC, int64_t inC, float *dst) {
  int64_t icb = numBlocks(inC), ocb = conv2dPackedOutBlocks(outC);
  for (int64_t ob = 0; ob < ocb; ++ob)
    for (int64_t ib = 0; ib < icb; ++ib)
      for (int64_t y = 0; y < kh; ++y)
        for (int64_t x = 0; x < kw; ++x)
          for (int64_t il = 0; il < kVec; ++il)
            for (int64_t ol = 0; ol < kVec; ++ol) {
              int64_t ic = ib * kVec + il, oc = ob * kVec + ol;
              *dst++ = ic < inC && oc < outC
                           ? w[((y * kw + x) * outC + oc) * inC + ic]
                           : 0.0f;
            }
}

/// [kh][kw][a][b] -> [kh][kw][b][a]: conv2d_transpose weights with their
/// channel axes swapped, for the CUDA kernel (consecutive threads compute
/// consecutive output channels and so read consecutive weights).
inline void swapFilterChannels(const float *w, int64_t kh, int64_t kw,
                               int64_t a, int64_t b, float *dst) {
  for (int64_t t = 0; t < kh * kw; ++t)
    for (int64_t i = 0; i < a; ++i)
      for (int64_t j = 0; j < b; ++j)
        dst[(t * b + j) * a + i] = w[(t * a + i) * b + j];
}

/// Floats of packed depthwise weights (outC = inC * multiplier).
constexpr int64_t depthwisePackedSize(int64_t kh, int64_t kw, int64_t outC) {
  return contract::depthwisePackedSize(kh, kw, outC, kVec);
}

/// [kh][kw][Cin][mult] -> [OCb][kh][kw][oc]. Output channel c * mult + m is
/// the flattened index of the last two axes, so this is a plain blocking.
inline void packDepthwiseWeights(const float *w, int64_t kh, int64_t kw,
                                 int64_t outC, float *dst) {
  for (int64_t ob = 0; ob < numBlocks(outC); ++ob)
    for (int64_t y = 0; y < kh; ++y)
      for (int64_t x = 0; x < kw; ++x)
        for (int64_t ol = 0; ol < kVec; ++ol) {
          int64_t oc = ob * kVec + ol;
          *dst++ = oc < outC ? w[(y * kw + x) * outC + oc] : 0.0f;
        }
}

/// Floats of packed fully-connected weights with K' packed rows.
constexpr int64_t fullyConnectedPackedSize(int64_t kPacked, int64_t n) {
  return contract::fullyConnectedPackedSize(kPacked, n, kVec);
}

/// [K][N] -> [NP][K][kFcPanel]: each panel is one contiguous stream, which
/// is what the M = 1 (memory-bound) case wants.
inline void packFullyConnectedWeights(const float *w, int64_t k, int64_t n,
                                      float *dst) {
  for (int64_t pn = 0; pn < numFcPanels(n); ++pn)
    for (int64_t r = 0; r < k; ++r)
      for (int64_t l = 0; l < kFcPanel; ++l) {
        int64_t col = pn * kFcPanel + l;
        *dst++ = col < n ? w[r * n + col] : 0.0f;
      }
}

/// K' of a fully-connected layer that reads a blocked [h, w, c] activation
/// directly (flatten of NHWC, or VGG's fc6 7x7 VALID conv on a 7x7 map).
constexpr int64_t fullyConnectedBlockedK(int64_t h, int64_t w, int64_t c) {
  return contract::fullyConnectedBlockedK(h, w, c, kVec);
}

/// Like packFullyConnectedWeights for weights whose K rows are the NHWC
/// flattening (h, w, c) of an activation, but with rows reordered into the
/// blocked order (cb, h, w, lane) and zero rows for padding lanes, so the
/// layer consumes the blocked tensor without a layout conversion. HWIO conv
/// weights whose kernel covers the whole input are exactly such a [K][N].
inline void packFullyConnectedWeightsBlocked(const float *w, int64_t h,
                                             int64_t wd, int64_t c, int64_t n,
                                             float *dst) {
  int64_t cb = numBlocks(c);
  for (int64_t pn = 0; pn < numFcPanels(n); ++pn)
    for (int64_t b = 0; b < cb; ++b)
      for (int64_t y = 0; y < h; ++y)
        for (int64_t x = 0; x < wd; ++x)
          for (int64_t il = 0; il < kVec; ++il) {
            int64_t ch = b * kVec + il;
            const float *row = w + ((y * wd + x) * c + ch) * n;
            for (int64_t l = 0; l < kFcPanel; ++l) {
              int64_t col = pn * kFcPanel + l;
              *dst++ = ch < c && col < n ? row[col] : 0.0f;
            }
          }
}

/// Per-channel scale/shift of an inference batch_norm:
///   scale = gamma / sqrt(var + eps),  shift = beta - mean * scale.
/// Null gamma means scale=False (1), null beta means center=False (0).
inline void batchNormScaleShift(int64_t c, const float *gamma,
                                const float *beta, const float *mean,
                                const float *variance, float epsilon,
                                float *scale, float *shift) {
  for (int64_t i = 0; i < c; ++i) {
    float s = (gamma ? gamma[i] : 1.0f) / std::sqrt(variance[i] + epsilon);
    scale[i] = s;
    shift[i] = (beta ? beta[i] : 0.0f) - mean[i] * s;
  }
}

/// Folds y' = y * scale + shift into the layer that produced y, in place:
/// w[o] *= scale[o] for the last (output channel) axis of weights viewed as
/// [outer][cout], and bias = bias * scale + shift. `bias` must hold cout
/// floats (zeros for a layer without bias). HWIO conv weights have
/// outer = kh*kw*Cin, fully_connected outer = Cin, depthwise
/// [kh][kw][Cin][mult] outer = kh*kw and cout = Cin*mult.
inline void foldScaleShift(float *w, int64_t outer, int64_t cout, float *bias,
                           const float *scale, const float *shift) {
  for (int64_t i = 0; i < outer; ++i)
    for (int64_t o = 0; o < cout; ++o)
      w[i * cout + o] *= scale[o];
  for (int64_t o = 0; o < cout; ++o)
    bias[o] = bias[o] * scale[o] + shift[o];
}

} // namespace kernels
} // namespace slim

#endif // SLIM_KERNELS_PACK_H
