//===- misc_test.cpp - at, softplus, channelOp, concatDense ---------------===//
//
// The small kernels of slim/kernels/misc.h against expectations written out
// index by index from their definitions.
//
//===----------------------------------------------------------------------===//
#include "test_util.h"
#include "thread_pool.h"

#include "slim/kernels.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <limits>
#include <vector>

using namespace slim::kernels;
using slim::test::allClose;
using slim::test::randomVector;

namespace {

const float kNaN = std::numeric_limits<float>::quiet_NaN();

/// [n][hw][c] -> [n][ceil(c/vec)][hw][vec], padding lanes set to `fill`.
std::vector<float> block(const std::vector<float> &dense, int64_t n, int64_t hw,
                         int64_t c, int64_t vec, float fill) {
  int64_t cb = (c + vec - 1) / vec;
  std::vector<float> out(n * cb * hw * vec, fill);
  for (int64_t b = 0; b < n; ++b)
    for (int64_t p = 0; p < hw; ++p)
      for (int64_t ch = 0; ch < c; ++ch)
        out[((b * cb + ch / vec) * hw + p) * vec + ch % vec] =
            dense[(b * hw + p) * c + ch];
  return out;
}

TEST(At, AddressesBytesFromTheBase) {
  std::vector<float> buf(32);
  EXPECT_EQ(at(buf.data(), 0), buf.data());
  EXPECT_EQ(at(buf.data(), 64), buf.data() + 16);
}

TEST(Softplus, MatchesLog1pExpInDoubleAndNeverOverflows) {
  for (float x : {-100.0f, -20.0f, -1.0f, 0.0f, 0.5f, 3.0f, 20.0f}) {
    double want = std::log1p(std::exp(static_cast<double>(x)));
    EXPECT_NEAR(softplus(x), want, 1e-6 * std::max(1.0, want)) << x;
  }
  // exp(x) overflows a float past 88.7; softplus(x) is x there.
  EXPECT_FLOAT_EQ(softplus(100.0f), 100.0f);
  EXPECT_FLOAT_EQ(softplus(1e30f), 1e30f);
  EXPECT_GT(softplus(-100.0f), 0.0f);
  EXPECT_EQ(softplus(-1e30f), 0.0f);
}

/// y = relu(x * scale + shift) on dense NHWC, written out.
std::vector<float> affineRelu(const std::vector<float> &x, int64_t c,
                              const std::vector<float> &scale,
                              const std::vector<float> &shift) {
  std::vector<float> y(x.size());
  for (size_t i = 0; i < x.size(); ++i)
    y[i] = std::max(0.0f, x[i] * scale[i % c] + shift[i % c]);
  return y;
}

TEST(ChannelOp, DenseAppliesScaleShiftAndActivationPerChannel) {
  const int64_t n = 2, hw = 6, c = 11;
  std::vector<float> x = randomVector(n * hw * c, 1);
  std::vector<float> scale = randomVector(c, 2), shift = randomVector(c, 3);
  std::vector<float> y(x.size(), kNaN);
  channelOp(x.data(), y.data(), 1, n * hw, c, 0, scale.data(), shift.data(),
            Pointwise::Relu);
  EXPECT_TRUE(allClose(y, affineRelu(x, c, scale, shift), 1e-5f, 1e-6f));
}

TEST(ChannelOp, BlockedEqualsDenseAndZeroesPaddingLanes) {
  const int64_t n = 2, hw = 5, c = 11;
  std::vector<float> x = randomVector(n * hw * c, 4);
  std::vector<float> scale = randomVector(c, 5), shift = randomVector(c, 6);
  std::vector<float> want = affineRelu(x, c, scale, shift);
  for (int64_t vec : {8, 16}) {
    // Garbage in the input's padding lanes must not reach the output.
    std::vector<float> xb = block(x, n, hw, c, vec, 7.0f);
    std::vector<float> yb(xb.size(), kNaN);
    channelOp(xb.data(), yb.data(), n, hw, c, vec, scale.data(), shift.data(),
              Pointwise::Relu);
    EXPECT_TRUE(allClose(yb, block(want, n, hw, c, vec, 0.0f), 1e-5f, 1e-6f))
        << "vec " << vec;
  }
}

TEST(ChannelOp, SigmoidKeepsPaddingLanesZero) {
  // sigmoid(0) = 0.5: a kernel that ran the padding lanes through the
  // activation would break the blocked layout's zero-padding invariant.
  const int64_t hw = 3, c = 3, vec = 8;
  std::vector<float> x = randomVector(hw * c, 7);
  std::vector<float> xb = block(x, 1, hw, c, vec, 0.0f);
  std::vector<float> yb(xb.size(), kNaN);
  channelOp(xb.data(), yb.data(), 1, hw, c, vec, nullptr, nullptr,
            Pointwise::Sigmoid);
  for (int64_t p = 0; p < hw; ++p)
    for (int64_t l = 0; l < vec; ++l) {
      float got = yb[p * vec + l];
      if (l >= c)
        EXPECT_EQ(got, 0.0f) << p << " " << l;
      else
        EXPECT_NEAR(got, 1.0f / (1.0f + std::exp(-x[p * c + l])), 1e-6f);
    }
}

TEST(ChannelOp, SoftplusWithNullScaleAndShift) {
  std::vector<float> x = {-200.0f, -1.0f, 0.0f, 2.0f, 200.0f};
  std::vector<float> y(x.size(), kNaN);
  channelOp(x.data(), y.data(), 1, 1, x.size(), 0, nullptr, nullptr,
            Pointwise::Softplus);
  for (size_t i = 0; i < x.size(); ++i)
    EXPECT_FLOAT_EQ(y[i], softplus(x[i])) << x[i];
  EXPECT_FLOAT_EQ(y[4], 200.0f);
}

TEST(ChannelOp, LeakyReluSeluAndThreadsMatchTheScalarDefinitions) {
  const int64_t n = 3, hw = 7, c = 21;
  std::vector<float> x = randomVector(n * hw * c, 8, -3.0f, 3.0f);
  slim::test::ThreadPool pool(3);
  for (Pointwise f : {Pointwise::LeakyRelu, Pointwise::Selu, Pointwise::Elu,
                      Pointwise::Tanh, Pointwise::Relu6}) {
    for (int64_t vec : {0, 8, 16}) {
      std::vector<float> xb = vec ? block(x, n, hw, c, vec, 5.0f) : x;
      std::vector<float> yb(xb.size(), kNaN);
      channelOp(xb.data(), yb.data(), vec ? n : 1, vec ? hw : n * hw, c, vec,
                nullptr, nullptr, f, 0.3f, pool.get());
      std::vector<float> want(x.size());
      for (size_t i = 0; i < x.size(); ++i)
        want[i] = applyPointwise(f, 0.3f, x[i]);
      if (vec)
        want = block(want, n, hw, c, vec, 0.0f);
      EXPECT_TRUE(allClose(yb, want, 1e-6f, 1e-7f))
          << static_cast<int>(f) << " vec " << vec;
    }
  }
  // In place, as the memory plan runs an unfused activation.
  std::vector<float> y = x;
  channelOp(y.data(), y.data(), 1, n * hw, c, 0, nullptr, nullptr,
            Pointwise::LeakyRelu, 0.2f);
  for (size_t i = 0; i < x.size(); ++i)
    ASSERT_EQ(y[i], x[i] > 0.0f ? x[i] : x[i] * 0.2f);
}

TEST(ConcatDense, InterleavesRowsOfEachSource) {
  // [2, 3, 2] ++ [2, 1, 2] along axis 1: 2 rows of 6 + 2 floats.
  std::vector<float> a = {1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12};
  std::vector<float> b = {-1, -2, -3, -4};
  const float *const srcs[] = {a.data(), b.data()};
  const int64_t chunks[] = {6, 2};
  std::vector<float> y(16, kNaN);
  concatDense(2, 2, srcs, chunks, y.data());
  std::vector<float> want = {1, 2, 3, 4,  5,  6,  -1, -2,
                             7, 8, 9, 10, 11, 12, -3, -4};
  EXPECT_EQ(y, want);
}

TEST(ConcatDense, OneRowIsAppending) {
  std::vector<float> a = {1, 2}, b = {3}, c = {4, 5, 6};
  const float *const srcs[] = {a.data(), b.data(), c.data()};
  const int64_t chunks[] = {2, 1, 3};
  std::vector<float> y(6, kNaN);
  concatDense(1, 3, srcs, chunks, y.data());
  EXPECT_EQ(y, (std::vector<float>{1, 2, 3, 4, 5, 6}));
}

} // namespace
