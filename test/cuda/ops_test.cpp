//===- ops_test.cpp - CUDA pooling, eltwise, arithmetic, reductions vs ref
//-===//
//
// Oracles are slim::kernels::ref where it has the op; softplus and the
// per-channel affine op are written out here from their TF definitions.
// (tf.pad and the other spatial ops: spatial_test.cpp.)
//
//===----------------------------------------------------------------------===//
#include "test_util.h"

#include "slim/cuda/arith.cuh"
#include "slim/cuda/eltwise.cuh"
#include "slim/cuda/pool.cuh"
#include "slim/cuda/reduce.cuh"
#include "slim/kernels/misc.h"
#include "slim/kernels/reference.h"

#include <gtest/gtest.h>

#include <cmath>
#include <vector>

namespace ref = slim::kernels::ref;
using namespace slim::cuda;
using namespace slim::cuda::test;

namespace {

struct PoolCase {
  int batch, h, w, c, k, stride;
  bool same;
  int inOffset, outOffset;
};

void checkPool(const PoolCase &c, bool isMax) {
  SCOPED_TRACE(::testing::Message()
               << (isMax ? "max " : "avg ") << c.batch << "x" << c.h << "x"
               << c.w << "x" << c.c << " k" << c.k << " s" << c.stride
               << (c.same ? " SAME" : " VALID") << " slices " << c.inOffset
               << "/" << c.outOffset);
  auto pad =
      c.same ? slim::kernels::tfSamePadding : slim::kernels::tfValidPadding;
  auto ph = pad(c.h, c.k, c.stride, 1), pw = pad(c.w, c.k, c.stride, 1);
  slim::kernels::Pool2DParams r;
  r.batch = c.batch;
  r.inH = c.h;
  r.inW = c.w;
  r.channels = c.c;
  r.outH = ph.out;
  r.outW = pw.out;
  r.kernelH = r.kernelW = c.k;
  r.strideH = r.strideW = c.stride;
  r.padTop = ph.before;
  r.padBottom = ph.after;
  r.padLeft = pw.before;
  r.padRight = pw.after;
  int64_t inPixels = int64_t(c.batch) * c.h * c.w;
  int64_t outPixels = int64_t(c.batch) * r.outH * r.outW;
  auto in = randomVector(inPixels * c.c, 21);
  std::vector<float> want(outPixels * c.c);
  (isMax ? ref::maxPool2d : ref::avgPool2d)(r, in.data(), want.data());

  Pool2dParams p;
  p.batch = c.batch;
  p.inH = c.h;
  p.inW = c.w;
  p.channels = c.c;
  p.outH = static_cast<int>(r.outH);
  p.outW = static_cast<int>(r.outW);
  p.kernelH = p.kernelW = c.k;
  p.strideH = p.strideW = c.stride;
  p.padTop = ph.before;
  p.padLeft = pw.before;
  p.inCOffset = c.inOffset;
  p.inCStride = c.c + c.inOffset + 2;
  p.outCOffset = c.outOffset;
  p.outCStride = c.c + c.outOffset + 1;
  DeviceBuffer dIn(embedChannels(in, inPixels, c.c, c.inOffset, p.inCStride));
  DeviceBuffer dOut(std::vector<float>(outPixels * p.outCStride, kSentinel));
  ASSERT_EQ((isMax ? maxPool2d : avgPool2d)(p, dIn.get(), dOut.get(), nullptr),
            cudaSuccess);
  EXPECT_TRUE(matchesSlice(dOut.download(), want, outPixels, c.c, c.outOffset,
                           p.outCStride));
}

TEST(CudaPool2d, MatchesReference) {
  const PoolCase cases[] = {
      {1, 9, 9, 5, 3, 2, true, 0, 0},  // SAME, odd size
      {2, 10, 8, 7, 3, 2, true, 3, 2}, // SAME stride 2 on even sizes
      {1, 7, 7, 4, 2, 2, false, 1, 0}, // VALID 2x2 (VGG)
      {1, 5, 6, 3, 3, 1, true, 0, 4},  // stride 1 SAME
      {1, 8, 8, 6, 8, 8, false, 0, 0}, // global window
  };
  for (const PoolCase &c : cases) {
    checkPool(c, true);
    checkPool(c, false);
  }
}

double softplus(double x) { return std::log1p(std::exp(x)); }

TEST(CudaChannelOp, EveryActivationWithSlices) {
  constexpr int64_t kPixels = 37;
  constexpr int kC = 11;
  auto x = randomVector(kPixels * kC, 31, -4.0f, 4.0f);
  auto scale = randomVector(kC, 32), shift = randomVector(kC, 33);
  for (int a = 0; a <= static_cast<int>(Activation::Selu); ++a)
    for (int variant = 0; variant < 3; ++variant) {
      Activation act = static_cast<Activation>(a);
      bool useScale = variant != 1, useShift = variant != 2;
      SCOPED_TRACE(::testing::Message()
                   << "act " << a << " variant " << variant);
      std::vector<float> want(kPixels * kC);
      for (int64_t i = 0; i < kPixels; ++i)
        for (int c = 0; c < kC; ++c) {
          float v = x[i * kC + c] * (useScale ? scale[c] : 1.0f) +
                    (useShift ? shift[c] : 0.0f);
          // slim::cuda::Activation has slim::kernels::Pointwise's values.
          want[i * kC + c] =
              act == Activation::Softplus
                  ? static_cast<float>(softplus(v))
                  : slim::kernels::applyPointwise(
                        static_cast<slim::kernels::Pointwise>(a), 0.3f, v);
        }
      ChannelOpParams p;
      p.pixels = kPixels;
      p.channels = kC;
      p.inCOffset = 2;
      p.inCStride = kC + 5;
      p.outCOffset = 3;
      p.outCStride = kC + 3;
      p.act = act;
      p.alpha = 0.3f;
      DeviceBuffer dX(embedChannels(x, kPixels, kC, 2, p.inCStride));
      DeviceBuffer dScale(scale), dShift(shift);
      DeviceBuffer dY(std::vector<float>(kPixels * p.outCStride, kSentinel));
      ASSERT_EQ(channelOp(p, dX.get(), useScale ? dScale.get() : nullptr,
                          useShift ? dShift.get() : nullptr, dY.get(), nullptr),
                cudaSuccess);
      EXPECT_TRUE(
          matchesSlice(dY.download(), want, kPixels, kC, 3, p.outCStride));
    }
}

TEST(CudaAdd, WithActivation) {
  constexpr int64_t kCount = 1000;
  auto a = randomVector(kCount, 41), b = randomVector(kCount, 42);
  for (Activation act : {Activation::None, Activation::Relu6}) {
    std::vector<float> want(kCount);
    ref::add(a.data(), b.data(), want.data(), kCount,
             static_cast<slim::kernels::Activation>(static_cast<int>(act)));
    DeviceBuffer dA(a), dB(b);
    // In place into a: what the emitter does for a residual add.
    ASSERT_EQ(add(dA.get(), dB.get(), dA.get(), kCount, act, nullptr),
              cudaSuccess);
    EXPECT_TRUE(matches(dA.download(), want));
  }
}

TEST(CudaSoftmax, MatchesReference) {
  // 1001 classes (ImageNet + background), a row narrower than a warp, and
  // more rows than the warps of one block.
  const int shapes[][2] = {{2, 1001}, {9, 10}, {3, 33}};
  for (const auto &shape : shapes) {
    int rows = shape[0], cols = shape[1];
    SCOPED_TRACE(::testing::Message() << rows << "x" << cols);
    auto x = randomVector(int64_t(rows) * cols, 51, -8.0f, 8.0f);
    std::vector<float> want(x.size());
    ref::softmax(x.data(), want.data(), rows, cols);
    DeviceBuffer dX(x), dY(std::vector<float>(x.size(), kSentinel));
    ASSERT_EQ(softmax(dX.get(), dY.get(), rows, cols, nullptr), cudaSuccess);
    // Per row: each row sums to 1, so compare against the row's own scale.
    auto got = dY.download();
    for (int r = 0; r < rows; ++r)
      EXPECT_TRUE(matches(std::vector<float>(got.begin() + r * cols,
                                             got.begin() + (r + 1) * cols),
                          std::vector<float>(want.begin() + r * cols,
                                             want.begin() + (r + 1) * cols)));
  }
}

TEST(CudaSpatialMean, MatchesReference) {
  const int shapes[][4] = {{1, 7, 7, 40}, {3, 5, 3, 300}, {2, 1, 1, 7}};
  for (const auto &s : shapes) {
    SCOPED_TRACE(::testing::Message()
                 << s[0] << "x" << s[1] << "x" << s[2] << "x" << s[3]);
    auto in = randomVector(int64_t(s[0]) * s[1] * s[2] * s[3], 61);
    std::vector<float> want(int64_t(s[0]) * s[3]);
    ref::globalAvgPool(s[0], s[1], s[2], s[3], in.data(), want.data());
    DeviceBuffer dIn(in), dOut(std::vector<float>(want.size(), kSentinel));
    ASSERT_EQ(
        spatialMean(dIn.get(), s[0], s[1], s[2], s[3], dOut.get(), nullptr),
        cudaSuccess);
    EXPECT_TRUE(matches(dOut.download(), want));
  }
}

TEST(CudaConcatCopy, TwoPiecesMatchReferenceConcat) {
  constexpr int64_t kPixels = 23;
  const int64_t widths[2] = {5, 9};
  auto a = randomVector(kPixels * widths[0], 81);
  auto b = randomVector(kPixels * widths[1], 82);
  const float *srcs[2] = {a.data(), b.data()};
  std::vector<float> want(kPixels * 14);
  ref::concatChannels(kPixels, 2, srcs, widths, want.data());
  DeviceBuffer dA(a), dB(b), dOut(std::vector<float>(kPixels * 14, kSentinel));
  ASSERT_EQ(concatCopy(dA.get(), kPixels, 5, dOut.get(), 0, 14, nullptr),
            cudaSuccess);
  // After the first piece only its channels are written.
  EXPECT_TRUE(matchesSlice(dOut.download(), a, kPixels, 5, 0, 14));
  ASSERT_EQ(concatCopy(dB.get(), kPixels, 9, dOut.get(), 5, 14, nullptr),
            cudaSuccess);
  EXPECT_TRUE(matches(dOut.download(), want));
  EXPECT_EQ(concatCopy(dB.get(), kPixels, 9, dOut.get(), 6, 14, nullptr),
            cudaErrorInvalidValue);
}

} // namespace

namespace {

int64_t elements(const std::vector<int64_t> &shape) {
  int64_t n = 1;
  for (int64_t d : shape)
    n *= d;
  return n;
}

TEST(CudaBinary, BroadcastingMatchesReference) {
  struct Case {
    std::vector<int64_t> a, b, y;
  };
  const Case cases[] = {
      {{2, 5, 7, 3}, {2, 1, 1, 3}, {2, 5, 7, 3}},
      {{2, 5, 7, 1}, {1, 1, 1, 6}, {2, 5, 7, 6}},
      {{2, 3, 1, 4, 5}, {1, 3, 6, 1, 5}, {2, 3, 6, 4, 5}},
      {{4, 9}, {4, 9}, {4, 9}},
  };
  for (const Case &c : cases)
    for (int k = 0; k <= static_cast<int>(Binary::Min); ++k) {
      SCOPED_TRACE(::testing::Message() << "kind " << k);
      Binary kind = static_cast<Binary>(k);
      auto a = randomVector(elements(c.a), 51, 0.5f, 2.0f);
      auto b = randomVector(elements(c.b), 52, -2.0f, -0.5f);
      std::vector<float> want(elements(c.y));
      ref::binary(kind, a.data(), c.a.data(), b.data(), c.b.data(), want.data(),
                  c.y.data(), c.y.size());
      DeviceBuffer dA(a), dB(b), dY(std::vector<float>(want.size(), kSentinel));
      ASSERT_EQ(binary(kind, dA.get(), c.a.data(), dB.get(), c.b.data(),
                       dY.get(), c.y.data(), c.y.size(), nullptr),
                cudaSuccess);
      EXPECT_TRUE(matches(dY.download(), want));
    }
  // Shapes that do not broadcast are refused before any launch.
  int64_t x[] = {2, 3}, z[] = {2, 4};
  EXPECT_EQ(binary(Binary::Add, nullptr, x, nullptr, z, nullptr, x, 2, nullptr),
            cudaErrorInvalidValue);
}

TEST(CudaBinaryScalar, BothOrdersInPlace) {
  auto x = randomVector(777, 53, 0.5f, 2.0f);
  for (bool first : {false, true}) {
    std::vector<float> want(x.size());
    ref::binaryScalar(Binary::Div, x.data(), 3.0f, first, want.data(),
                      x.size());
    DeviceBuffer dX(x);
    ASSERT_EQ(binaryScalar(Binary::Div, dX.get(), 3.0f, first, dX.get(),
                           x.size(), nullptr),
              cudaSuccess);
    EXPECT_TRUE(matches(dX.download(), want));
  }
}

TEST(CudaLrn, MatchesReference) {
  const int cases[][2] = {{64, 4}, {13, 2}, {7, 5}, {9, 0}};
  const float betas[] = {0.75f, 0.5f, 1.0f, 0.75f};
  for (int i = 0; i < 4; ++i) {
    int c = cases[i][0], r = cases[i][1];
    SCOPED_TRACE(::testing::Message() << "c " << c << " r " << r);
    constexpr int64_t kPixels = 23;
    auto x = randomVector(kPixels * c, 54, -3.0f, 3.0f);
    std::vector<float> want(x.size());
    ref::lrn(x.data(), want.data(), kPixels, c, r, 1.5f, 0.2f, betas[i]);
    LrnParams p;
    p.pixels = kPixels;
    p.channels = c;
    p.depthRadius = r;
    p.bias = 1.5f;
    p.alpha = 0.2f;
    p.beta = betas[i];
    DeviceBuffer dX(x), dY(std::vector<float>(x.size(), kSentinel));
    ASSERT_EQ(lrn(p, dX.get(), dY.get(), nullptr), cudaSuccess);
    EXPECT_TRUE(matches(dY.download(), want));
  }
}

TEST(CudaReduce, AnyAxesMatchReference) {
  const std::vector<int64_t> shape = {2, 3, 4, 5};
  auto x = randomVector(elements(shape), 55, -2.0f, 2.0f);
  const std::vector<std::vector<int>> masks = {
      {0, 1, 1, 0}, {0, 0, 0, 1}, {1, 0, 1, 0}, {1, 1, 1, 1}, {0, 0, 0, 0}};
  for (const std::vector<int> &m : masks)
    for (Reduce kind : {Reduce::Sum, Reduce::Mean, Reduce::Max}) {
      SCOPED_TRACE(::testing::Message()
                   << "kind " << static_cast<int>(kind) << " mask " << m[0]
                   << m[1] << m[2] << m[3]);
      int64_t outputs = 1;
      for (size_t d = 0; d < shape.size(); ++d)
        if (!m[d])
          outputs *= shape[d];
      std::vector<float> want(outputs);
      ref::reduce(kind, x.data(), shape.data(), m.data(), shape.size(),
                  want.data());
      DeviceBuffer dX(x), dY(std::vector<float>(outputs, kSentinel));
      ASSERT_EQ(reduce(kind, dX.get(), shape.data(), m.data(), shape.size(),
                       dY.get(), nullptr),
                cudaSuccess);
      EXPECT_TRUE(matches(dY.download(), want));
    }
}

TEST(CudaTile, MatchesReference) {
  const int64_t in[] = {2, 1, 3, 4}, mult[] = {2, 3, 1, 2};
  auto x = randomVector(24, 56);
  std::vector<float> want(24 * 12);
  ref::tile(x.data(), in, mult, 4, want.data());
  DeviceBuffer dX(x), dY(std::vector<float>(want.size(), kSentinel));
  ASSERT_EQ(tile(dX.get(), in, mult, 4, dY.get(), nullptr), cudaSuccess);
  EXPECT_TRUE(matches(dY.download(), want));
}

TEST(CudaConcatCopy, AlongAnOuterAxisAsRows) {
  // tf.concat([a (2x3x4), b (2x5x4)], axis=1): rows are the 2 outer
  // indices, a fills columns [0, 12) and b [12, 32) of each.
  auto a = randomVector(24, 57), b = randomVector(40, 58);
  std::vector<float> want(64);
  const float *srcs[] = {a.data(), b.data()};
  const int64_t chunks[] = {12, 20};
  slim::kernels::concatDense(2, 2, srcs, chunks, want.data());
  DeviceBuffer dA(a), dB(b), dY(std::vector<float>(64, kSentinel));
  ASSERT_EQ(concatCopy(dA.get(), 2, 12, dY.get(), 0, 32, nullptr), cudaSuccess);
  ASSERT_EQ(concatCopy(dB.get(), 2, 20, dY.get(), 12, 32, nullptr),
            cudaSuccess);
  EXPECT_TRUE(matches(dY.download(), want));
}

} // namespace
