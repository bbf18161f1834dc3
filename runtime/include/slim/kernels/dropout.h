//===- slim/kernels/dropout.h - Counter-based dropout -----------*- C++ -*-===//
//
// slim.dropout / tf.nn.dropout in training mode with a counter-based RNG:
// Philox 4x32-10 (Salmon et al., "Parallel random numbers: as easy as 1, 2,
// 3", SC'11) keyed by the seed and counted by (step, element block). The
// mask of element i depends only on (seed, step, i), so any split of the
// elements over threads gives the same mask, and a step can be replayed.
//
// The masks are NOT TensorFlow's: TF draws from its own stateful Philox
// stream, which an ahead-of-time train step cannot reproduce. What matches
// tf.nn.dropout is the rule: keep where uniform[0, 1) >= rate
// (rate = 1 - keep_prob), kept values scaled by 1 / keep_prob.
//
// Nothing calls these yet: they are groundwork for issue 15's train step.
//
//===----------------------------------------------------------------------===//
#ifndef SLIM_KERNELS_DROPOUT_H
#define SLIM_KERNELS_DROPOUT_H

#include <array>
#include <cstdint>

namespace slim {
namespace kernels {

/// Philox 4x32 with 10 rounds: a bijection of the 128-bit counter under a
/// 64-bit key. Matches the Random123 known-answer vectors (dropout_test).
inline std::array<uint32_t, 4> philox4x32x10(std::array<uint32_t, 4> ctr,
                                             std::array<uint32_t, 2> key) {
  constexpr uint32_t kMul0 = 0xD2511F53u, kMul1 = 0xCD9E8D57u;
  constexpr uint32_t kWeyl0 = 0x9E3779B9u, kWeyl1 = 0xBB67AE85u;
  for (int round = 0; round < 10; ++round) {
    uint64_t p0 = static_cast<uint64_t>(kMul0) * ctr[0];
    uint64_t p1 = static_cast<uint64_t>(kMul1) * ctr[2];
    uint32_t hi0 = static_cast<uint32_t>(p0 >> 32),
             lo0 = static_cast<uint32_t>(p0);
    uint32_t hi1 = static_cast<uint32_t>(p1 >> 32),
             lo1 = static_cast<uint32_t>(p1);
    ctr = {hi1 ^ ctr[1] ^ key[0], lo1, hi0 ^ ctr[3] ^ key[1], lo0};
    key[0] += kWeyl0;
    key[1] += kWeyl1;
  }
  return ctr;
}

/// A uniform float in [0, 1) from the top 24 bits of `bits` (every value a
/// multiple of 2^-24, so exactly representable).
inline float uniformFromBits(uint32_t bits) {
  return static_cast<float>(bits >> 8) * (1.0f / 16777216.0f);
}

/// The uniform draw of element `index` at `step` under `seed`: word
/// index % 4 of philox4x32x10(counter {index / 4 (64 bits), step (64
/// bits)}, key {seed low, seed high}).
inline float dropoutUniform(uint64_t seed, uint64_t step, uint64_t index) {
  uint64_t block = index / 4;
  std::array<uint32_t, 4> r = philox4x32x10(
      {static_cast<uint32_t>(block), static_cast<uint32_t>(block >> 32),
       static_cast<uint32_t>(step), static_cast<uint32_t>(step >> 32)},
      {static_cast<uint32_t>(seed), static_cast<uint32_t>(seed >> 32)});
  return uniformFromBits(r[index % 4]);
}

/// The scale tf.nn.dropout applies to kept values: 1 / keep_prob computed
/// in double (Python) and rounded to float once.
inline float dropoutScale(double keepProb) {
  return static_cast<float>(1.0 / keepProb);
}

/// Dropout of elements [begin, end) of a tensor (threads may each take a
/// range; the result does not depend on the split):
///   mask[i] = uniform(seed, step, i) >= 1 - keepProb ? scale : 0
///   y[i]    = x[i] * scale * keep            (tf.nn.dropout's order)
/// `mask` (may be null) holds scale or 0 per element for the backward;
/// x, y and mask are indexed by the global i. keepProb in (0, 1], as
/// tf.nn.dropout's rate in [0, 1); keepProb == 1 copies x.
inline void dropoutForward(const float *x, float *y, float *mask, int64_t begin,
                           int64_t end, double keepProb, uint64_t seed,
                           uint64_t step) {
  float scale = dropoutScale(keepProb);
  float rate = static_cast<float>(1.0 - keepProb);
  for (int64_t i = begin; i < end; ++i) {
    bool keep = keepProb >= 1.0 ||
                dropoutUniform(seed, step, static_cast<uint64_t>(i)) >= rate;
    float m = keepProb >= 1.0 ? 1.0f : (keep ? scale : 0.0f);
    y[i] = keepProb >= 1.0 ? x[i] : (keep ? x[i] * scale : 0.0f);
    if (mask)
      mask[i] = m;
  }
}

/// Dropout's backward over [begin, end): dx = dy * mask (scale or 0).
inline void dropoutBackward(const float *dy, const float *mask, float *dx,
                            int64_t begin, int64_t end) {
  for (int64_t i = begin; i < end; ++i)
    dx[i] = dy[i] * mask[i];
}

} // namespace kernels
} // namespace slim

#endif // SLIM_KERNELS_DROPOUT_H
