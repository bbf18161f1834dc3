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
#include "slim/model_abi.h"

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

/// Tells the runtime (slim_exec_env::consumed) that `prepare` reads no byte
/// of variable `variable` (`bytes` long) again, after its last reader.
inline void variableConsumed(const slim_exec_env *env, int32_t variable,
                             uint64_t bytes) {
  if (env && env->consumed)
    env->consumed(env, variable, 0, bytes);
}

/// Lets a pack that walks its source variable front to back report each
/// part it is done with (slim_exec_env::consumed), in steps of about
/// kReportBytes, so a freezing runtime drops the source while the packed
/// copy grows: VGG-16's fc6 is 392 MiB in each form. A default-constructed
/// one reports nothing (tests, or a source that something later reads).
class SourceConsumer {
public:
  static constexpr uint64_t kReportBytes = uint64_t(1) << 20;

  SourceConsumer() = default;
  SourceConsumer(const slim_exec_env *env, int32_t variable)
      : env(env), variable(variable) {}

  /// The source's bytes [0, done) are consumed; `last`: that is all of it.
  void upTo(uint64_t done, bool last = false) {
    if (!env || !env->consumed || done <= reported ||
        (done - reported < kReportBytes && !last))
      return;
    env->consumed(env, variable, reported, done - reported);
    reported = done;
  }

private:
  const slim_exec_env *env = nullptr;
  int32_t variable = -1;
  uint64_t reported = 0;
};

/// Copies source row `row` (n floats) into row `r` of every panel of a
/// [NP][K][kFcPanel] buffer with K rows, zero-filling the last panel's
/// padding columns.
inline void scatterFcRow(const float *row, int64_t n, int64_t k, int64_t r,
                         float *dst) {
  for (int64_t pn = 0; pn < numFcPanels(n); ++pn) {
    float *out = dst + (pn * k + r) * kFcPanel;
    for (int64_t l = 0; l < kFcPanel; ++l) {
      int64_t col = pn * kFcPanel + l;
      out[l] = col < n ? row[col] : 0.0f;
    }
  }
}

/// [K][N] -> [NP][K][kFcPanel]: each panel is one contiguous stream, which
/// is what the M = 1 (memory-bound) case wants. Walks the source in its own
/// order, so that `consumed` can drop it front to back.
inline void packFullyConnectedWeights(const float *w, int64_t k, int64_t n,
                                      float *dst,
                                      SourceConsumer consumed = {}) {
  for (int64_t r = 0; r < k; ++r) {
    scatterFcRow(w + r * n, n, k, r, dst);
    consumed.upTo(uint64_t(r + 1) * uint64_t(n) * sizeof(float), r + 1 == k);
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
                                             float *dst,
                                             SourceConsumer consumed = {}) {
  int64_t cb = numBlocks(c);
  int64_t k = cb * h * wd * kVec;
  // Packed row of (channel ch, y, x): the blocked order (cb, h, w, lane).
  auto packedRow = [&](int64_t ch, int64_t y, int64_t x) {
    return ((ch / kVec * h + y) * wd + x) * kVec + ch % kVec;
  };
  // Source rows in their own order, so `consumed` can drop them front to
  // back; then the zero rows of the padding lanes.
  for (int64_t y = 0; y < h; ++y)
    for (int64_t x = 0; x < wd; ++x)
      for (int64_t ch = 0; ch < c; ++ch) {
        int64_t src = (y * wd + x) * c + ch;
        scatterFcRow(w + src * n, n, k, packedRow(ch, y, x), dst);
        consumed.upTo(uint64_t(src + 1) * uint64_t(n) * sizeof(float),
                      src + 1 == h * wd * c);
      }
  for (int64_t ch = c; ch < cb * kVec; ++ch)
    for (int64_t y = 0; y < h; ++y)
      for (int64_t x = 0; x < wd; ++x)
        for (int64_t pn = 0; pn < numFcPanels(n); ++pn) {
          float *out = dst + (pn * k + packedRow(ch, y, x)) * kFcPanel;
          for (int64_t l = 0; l < kFcPanel; ++l)
            out[l] = 0.0f;
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
