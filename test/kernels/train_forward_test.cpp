//===- train_forward_test.cpp - The train step's NHWC forward -------------===//
//
// slim/kernels/train_forward.h (the fast forward of the train step: NHWC in
// and out over the blocked kernels, threaded elementwise ops) against the
// reference forward of reference.h on conv, depthwise, pooling and fully
// connected shapes of the nets, with 1 and 2 threads; the two must be
// bitwise equal (the train step's results do not depend on the thread
// count). Built once per ISA path like the other kernel tests.
//
// Tolerance as backward_fast_test.cpp: |fast - ref| <= 1e-4 |ref| + 1e-5
// max|ref| (float sums in another order than ref's).
//
//===----------------------------------------------------------------------===//
#include "conv_cases.h"
#include "slim/kernels/conv_exact.h"
#include "slim/kernels/train_forward.h"
#include "test_util.h"
#include "thread_pool.h"

#include <gtest/gtest.h>

#include <cmath>
#include <cstring>
#include <string>
#include <vector>

using namespace slim::kernels;
using slim::test::bitwiseEqual;
using slim::test::closeToRef;
using slim::test::ConvCase;
using slim::test::makeParams;
using slim::test::randomVector;
using slim::test::ThreadPool;

namespace {

// clang-format off
const ConvCase kConvCases[] = {
    // n  h   w   ic   oc  kh kw sh sw d  same
    {2,  7,  7, 17,  33, 1, 1, 1, 1, 1, false},
    {2, 14, 14, 64, 256, 1, 1, 1, 1, 1, false}, // ResNet bottleneck expand
    {2,  9,  9,  5,  17, 1, 1, 2, 2, 1, false}, // strided 1x1 (projection)
    {3, 14, 14, 64,  32, 1, 1, 2, 2, 1, true},
    {1,  8,  8,  3,   5, 3, 3, 1, 1, 1, true},
    {3, 13, 11, 17,  40, 3, 3, 1, 1, 1, true},
    {2,  7,  7, 33, 100, 3, 3, 1, 1, 1, true},  // narrow map
    {2, 15, 16,  5,  17, 3, 3, 2, 2, 1, true},
    {2, 12, 12,  8,   9, 3, 3, 1, 1, 2, true},  // dilation
    {1, 23, 23,  3,  17, 7, 7, 2, 2, 1, true},  // stem-like
    {4, 12, 12,  1,   8, 5, 5, 1, 1, 1, false}, // LeNet conv1
};
const ConvCase kDepthwiseCases[] = {
    {2, 12, 12, 17, 0, 3, 3, 1, 1, 1, true, 1},
    {1, 14, 14, 64, 0, 3, 3, 2, 2, 1, true, 1},
    {3, 9, 11, 3, 0, 3, 3, 2, 2, 1, false, 1},
    {1, 8, 8, 5, 0, 3, 3, 1, 1, 1, true, 2},
};
// clang-format on

/// Case k's output by the reference conv (want) and by `fast` on one thread
/// and on `pool` (got1, got2); `fast` has nhwc::conv2d's signature.
struct ConvRuns {
  std::vector<float> want, got1, got2;
};
template <typename Fast>
ConvRuns runConv(const ConvCase &k, bool depthwise, uint32_t seed, Fast fast,
                 const slim_parallel *pool) {
  Conv2DParams p = makeParams(k, depthwise);
  auto x = randomVector(p.batch * p.inH * p.inW * p.inC, seed);
  int64_t wCount =
      int64_t(p.kernelH) * p.kernelW * (depthwise ? p.outC : p.inC * p.outC);
  auto w = randomVector(wCount, seed + 1);
  size_t outN = p.batch * p.outH * p.outW * p.outC;
  ConvRuns r{std::vector<float>(outN), std::vector<float>(outN),
             std::vector<float>(outN)};
  if (depthwise)
    ref::depthwiseConv2d(p, x.data(), w.data(), nullptr, nullptr,
                         r.want.data());
  else
    ref::conv2d(p, x.data(), w.data(), nullptr, nullptr, r.want.data());
  fast(p, x.data(), w.data(), r.got1.data(), nullptr);
  fast(p, x.data(), w.data(), r.got2.data(), pool);
  return r;
}

TEST(TrainForward, ConvMatchesRefAndThreadCounts) {
  ThreadPool two(2);
  for (const ConvCase &k : kConvCases) {
    ConvRuns r = runConv(k, false, 1, nhwc::conv2d, two.get());
    EXPECT_TRUE(closeToRef(r.got1, r.want)) << "conv " << k.h << "x" << k.w;
    EXPECT_TRUE(bitwiseEqual(r.got1, r.got2)) << "conv, 1 vs 2 threads";
  }
}

TEST(TrainForward, DepthwiseMatchesRefAndThreadCounts) {
  ThreadPool two(2);
  for (const ConvCase &k : kDepthwiseCases) {
    ConvRuns r = runConv(k, true, 3, nhwc::depthwiseConv2d, two.get());
    EXPECT_TRUE(closeToRef(r.got1, r.want)) << "depthwise";
    EXPECT_TRUE(bitwiseEqual(r.got1, r.got2)) << "depthwise, 1 vs 2 threads";
  }
}

// The exact convs (conv_exact.h) must give ref's bits: the same double sum
// in the same order. Also shapes with an output-channel tail, rows wider
// than the 4-pixel fast path with padded borders, VALID windows as large as
// the map (VGG's fc6) and depth multipliers.
TEST(TrainForward, ExactConvEqualsRefBitwise) {
  ThreadPool two(2);
  // clang-format off
  const ConvCase extra[] = {
      // n  h   w   ic   oc  kh kw sh sw d  same
      {2,  7,  7, 40,  70, 7, 7, 1, 1, 1, false}, // fc6-like
      {1, 19, 23,  9,  45, 3, 3, 1, 1, 1, true},
      {2, 17, 18,  6,  33, 5, 5, 2, 1, 1, true},
      {1, 16, 16,  4,   3, 3, 3, 1, 1, 3, true},  // dilation beyond pad
  };
  // clang-format on
  std::vector<ConvCase> cases(std::begin(kConvCases), std::end(kConvCases));
  cases.insert(cases.end(), std::begin(extra), std::end(extra));
  for (const ConvCase &k : cases) {
    ConvRuns r = runConv(k, false, 11, exact::conv2d, two.get());
    EXPECT_TRUE(bitwiseEqual(r.got1, r.want))
        << "conv " << k.h << "x" << k.w << " k" << k.kh << " s" << k.sh;
    EXPECT_TRUE(bitwiseEqual(r.got1, r.got2)) << "conv, 1 vs 2 threads";
  }
}

TEST(TrainForward, ExactDepthwiseEqualsRefBitwise) {
  ThreadPool two(2);
  std::vector<ConvCase> cases(std::begin(kDepthwiseCases),
                              std::end(kDepthwiseCases));
  cases.push_back({2, 10, 13, 37, 0, 3, 3, 1, 1, 1, true, 3});
  cases.push_back({1, 7, 7, 40, 0, 7, 7, 1, 1, 1, false, 1});
  for (const ConvCase &k : cases) {
    ConvRuns r = runConv(k, true, 13, exact::depthwiseConv2d, two.get());
    EXPECT_TRUE(bitwiseEqual(r.got1, r.want)) << "depthwise x" << k.mult;
    EXPECT_TRUE(bitwiseEqual(r.got1, r.got2)) << "depthwise, 1 vs 2 threads";
  }
}

TEST(TrainForward, PoolsEqualRef) {
  ThreadPool two(2);
  // (h, w, c, kernel, stride, pad): ResNet's stem pool, a padded one,
  // MobileNet's 7x7 average pool.
  const int cases[][6] = {
      {12, 12, 64, 3, 2, 1}, {7, 9, 5, 3, 2, 1}, {7, 7, 40, 7, 1, 0}};
  for (const auto &c : cases) {
    Pool2DParams p;
    p.batch = 2;
    p.inH = c[0];
    p.inW = c[1];
    p.channels = c[2];
    p.kernelH = p.kernelW = c[3];
    p.strideH = p.strideW = c[4];
    p.padTop = p.padBottom = p.padLeft = p.padRight = c[5];
    p.outH = (p.inH + 2 * c[5] - c[3]) / c[4] + 1;
    p.outW = (p.inW + 2 * c[5] - c[3]) / c[4] + 1;
    auto x = randomVector(p.batch * p.inH * p.inW * p.channels, 5);
    size_t outN = p.batch * p.outH * p.outW * p.channels;
    for (bool isMax : {true, false}) {
      std::vector<float> want(outN), got1(outN), got2(outN);
      if (isMax)
        ref::maxPool2d(p, x.data(), want.data());
      else
        ref::avgPool2d(p, x.data(), want.data());
      nhwc::pool2d(p, x.data(), got1.data(), isMax, nullptr);
      nhwc::pool2d(p, x.data(), got2.data(), isMax, two.get());
      EXPECT_TRUE(closeToRef(got1, want)) << (isMax ? "max" : "avg");
      EXPECT_TRUE(bitwiseEqual(got1, got2)) << "pool, 1 vs 2 threads";
    }
  }
}

TEST(TrainForward, FullyConnectedMatchesRef) {
  ThreadPool two(2);
  const int64_t cases[][3] = {{8, 16, 3}, {32, 1024, 1001}, {2, 300, 70}};
  for (const auto &c : cases) {
    FullyConnectedParams p;
    p.m = c[0];
    p.k = c[1];
    p.n = c[2];
    auto x = randomVector(p.m * p.k, 6);
    auto w = randomVector(p.k * p.n, 7);
    std::vector<float> want(p.m * p.n), got1(p.m * p.n), got2(p.m * p.n);
    ref::fullyConnected(p, x.data(), w.data(), nullptr, nullptr, want.data());
    nhwc::fullyConnected(p, x.data(), w.data(), got1.data(), nullptr);
    nhwc::fullyConnected(p, x.data(), w.data(), got2.data(), two.get());
    EXPECT_TRUE(closeToRef(got1, want)) << "fc " << p.k << "x" << p.n;
    EXPECT_TRUE(bitwiseEqual(got1, got2)) << "fc, 1 vs 2 threads";
  }
}

TEST(TrainForward, ElementwiseEqualRefBitwise) {
  ThreadPool two(2);
  const int64_t outer = 3000, c = 37; // several chunks and a ragged end
  auto x = randomVector(outer * c, 8);
  auto y = randomVector(outer * c, 9);
  auto b = randomVector(c, 10);
  std::vector<float> want(outer * c), got(outer * c);
  ref::biasActivation(x.data(), b.data(), want.data(), outer, c,
                      Activation::None);
  nhwc::biasAdd(x.data(), b.data(), got.data(), outer, c, two.get());
  EXPECT_TRUE(bitwiseEqual(got, want)) << "bias";
  ref::add(x.data(), y.data(), want.data(), outer * c);
  nhwc::add(x.data(), y.data(), got.data(), outer * c, two.get());
  EXPECT_TRUE(bitwiseEqual(got, want)) << "add";
  for (Pointwise f : {Pointwise::Relu, Pointwise::Relu6, Pointwise::Elu,
                      Pointwise::LeakyRelu, Pointwise::Sigmoid}) {
    ref::pointwise(f, 0.2f, x.data(), want.data(), outer * c);
    nhwc::pointwise(f, 0.2f, x.data(), got.data(), outer * c, two.get());
    EXPECT_TRUE(closeToRef(got, want)) << "pointwise";
    std::vector<float> again(outer * c);
    nhwc::pointwise(f, 0.2f, x.data(), again.data(), outer * c, nullptr);
    EXPECT_TRUE(bitwiseEqual(got, again)) << "pointwise, 1 vs 2 threads";
  }
}

} // namespace
