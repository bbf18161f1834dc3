//===- dropout_test.cpp - Counter-based dropout ---------------------------===//
//
// Philox against the Random123 known answers; the mask a function of (seed,
// step, index) only (any thread split, replays); the keep rate within 5
// sigma of keep_prob over 1e6 elements; kept values scaled by 1/keep_prob.
//
//===----------------------------------------------------------------------===//
#include "slim/kernels/dropout.h"

#include <gtest/gtest.h>

#include <cmath>
#include <thread>
#include <vector>

using namespace slim::kernels;

namespace {

TEST(Philox, Random123KnownAnswers) {
  using A4 = std::array<uint32_t, 4>;
  EXPECT_EQ(philox4x32x10({0, 0, 0, 0}, {0, 0}),
            (A4{0x6627e8d5u, 0xe169c58du, 0xbc57ac4cu, 0x9b00dbd8u}));
  EXPECT_EQ(philox4x32x10({0xffffffffu, 0xffffffffu, 0xffffffffu, 0xffffffffu},
                          {0xffffffffu, 0xffffffffu}),
            (A4{0x408f276du, 0x41c83b0eu, 0xa20bc7c6u, 0x6d5451fdu}));
  EXPECT_EQ(philox4x32x10({0x243f6a88u, 0x85a308d3u, 0x13198a2eu, 0x03707344u},
                          {0xa4093822u, 0x299f31d0u}),
            (A4{0xd16cfe09u, 0x94fdccebu, 0x5001e420u, 0x24126ea1u}));
}

TEST(Dropout, UniformInUnitInterval) {
  EXPECT_EQ(uniformFromBits(0), 0.0f);
  EXPECT_LT(uniformFromBits(0xffffffffu), 1.0f);
  EXPECT_EQ(uniformFromBits(0x80000000u), 0.5f);
}

std::vector<float> runSplit(const std::vector<float> &x, int threads,
                            uint64_t seed, uint64_t step,
                            std::vector<float> *mask) {
  std::vector<float> y(x.size());
  mask->assign(x.size(), -1.0f);
  int64_t n = static_cast<int64_t>(x.size());
  std::vector<std::thread> pool;
  for (int t = 0; t < threads; ++t) {
    // Uneven ranges that cut through Philox's 4-element blocks.
    int64_t begin = n * t / threads + (t ? 1 : 0);
    int64_t end = t + 1 == threads ? n : n * (t + 1) / threads + 1;
    pool.emplace_back([&, begin, end] {
      dropoutForward(x.data(), y.data(), mask->data(), begin, end, 0.7, seed,
                     step);
    });
  }
  for (auto &th : pool)
    th.join();
  return y;
}

TEST(Dropout, MaskDependsOnlyOnSeedStepAndIndex) {
  std::vector<float> x(1003);
  for (size_t i = 0; i < x.size(); ++i)
    x[i] = static_cast<float>(i) * 0.01f - 3.0f;
  std::vector<float> m1, m3, m7, mOther, mStep;
  std::vector<float> y1 = runSplit(x, 1, 42, 5, &m1);
  EXPECT_EQ(runSplit(x, 3, 42, 5, &m3), y1);
  EXPECT_EQ(runSplit(x, 7, 42, 5, &m7), y1);
  EXPECT_EQ(m3, m1);
  EXPECT_EQ(m7, m1);
  runSplit(x, 1, 43, 5, &mOther);
  runSplit(x, 1, 42, 6, &mStep);
  EXPECT_NE(mOther, m1) << "the seed must change the mask";
  EXPECT_NE(mStep, m1) << "the step must change the mask";
}

TEST(Dropout, KeepRateWithinFiveSigmaAndScale) {
  const int64_t n = 1000000;
  const double keepProb = 0.8;
  std::vector<float> x(n, 2.0f), y(n), mask(n);
  dropoutForward(x.data(), y.data(), mask.data(), 0, n, keepProb, 12345, 0);
  float scale = static_cast<float>(1.0 / keepProb);
  int64_t kept = 0;
  for (int64_t i = 0; i < n; ++i) {
    ASSERT_TRUE(y[i] == 0.0f || y[i] == 2.0f * scale) << i;
    ASSERT_EQ(mask[i], y[i] == 0.0f ? 0.0f : scale) << i;
    kept += y[i] != 0.0f;
  }
  // Binomial(n, p): sigma = sqrt(n p (1 - p)) = 400 for these numbers.
  double sigma = std::sqrt(n * keepProb * (1 - keepProb));
  EXPECT_LT(std::fabs(kept - n * keepProb), 5 * sigma) << kept;
  // The expectation is preserved: mean(y) ~ mean(x) within 5 sigma of the
  // mean of n values 2.5 * Bernoulli(0.8) (sigma = 2.5 * 0.4 / 1000).
  double sum = 0;
  for (float v : y)
    sum += v;
  EXPECT_NEAR(sum / n, 2.0, 5 * 2.0 * scale * 0.4 / 1000.0);
}

TEST(Dropout, BackwardUsesTheMaskAndKeepProbOneIsIdentity) {
  std::vector<float> x = {1, 2, 3, 4, 5, 6, 7, 8, 9}, y(9), mask(9), dx(9);
  dropoutForward(x.data(), y.data(), mask.data(), 0, 9, 0.5, 7, 1);
  std::vector<float> dy(9, 1.0f);
  dropoutBackward(dy.data(), mask.data(), dx.data(), 0, 9);
  for (int i = 0; i < 9; ++i) {
    EXPECT_EQ(dx[i], mask[i]);
    EXPECT_EQ(y[i], x[i] * mask[i]);
  }
  dropoutForward(x.data(), y.data(), mask.data(), 0, 9, 1.0, 7, 1);
  EXPECT_EQ(y, x);
  EXPECT_EQ(mask, std::vector<float>(9, 1.0f));
}

} // namespace
