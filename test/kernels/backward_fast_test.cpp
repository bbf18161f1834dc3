//===- backward_fast_test.cpp - Fast backward kernels against ref ---------===//
//
// Every fast gradient of slim/kernels/backward.h against its reference in
// backward_reference.h (itself checked against finite differences and TF in
// backward_test.cpp), on many shapes, with 1 and 2 threads; and the
// results with 1 and 2 threads must be bitwise equal (every output element
// is summed by one work item in a fixed order). Built once per ISA path
// (portable, AVX2, AVX-512) like the forward sweep.
//
// Tolerance: |fast - ref| <= 1e-4 |ref| + 1e-5 max|ref|. The reference sums
// in double, the fast kernels in float in another order (FMA tiles, block
// sums): a reassociated float32 sum of K terms is off by about
// eps * sqrt(K) * (size of its partial sums), i.e. below 1e-5 of the
// tensor's scale for the K <= ~5000 terms of these cases (values in [-1, 1],
// weights scaled by 1/sqrt(fan-in)). An indexing mistake or a lost tap
// errs by the size of a whole term, >= 1e-2 of the scale here.
//
//===----------------------------------------------------------------------===//
#include "conv_cases.h"
#include "slim/kernels/backward.h"
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

std::vector<float> scaled(std::vector<float> v, double fanIn) {
  float s = static_cast<float>(1.0 / std::sqrt(std::max(1.0, fanIn)));
  for (float &x : v)
    x *= s;
  return v;
}

std::string describe(const ConvCase &k) {
  return "n" + std::to_string(k.n) + " " + std::to_string(k.h) + "x" +
         std::to_string(k.w) + "x" + std::to_string(k.ic) + " -> " +
         std::to_string(k.oc) + " k" + std::to_string(k.kh) + "x" +
         std::to_string(k.kw) + " s" + std::to_string(k.sh) + "x" +
         std::to_string(k.sw) + " d" + std::to_string(k.dil) +
         (k.same ? " SAME" : " VALID") + " mult" + std::to_string(k.mult);
}

// clang-format off
const ConvCase kConvCases[] = {
    // n  h   w   ic   oc  kh kw sh sw d  same
    {2,  7,  7, 17,  33, 1, 1, 1, 1, 1, false}, // 1x1 as one row of pixels
    {1, 20, 20,  5,  64, 1, 1, 1, 1, 1, true},  // 400 pixels: several blocks
    {2,  9,  9,  5,  17, 1, 1, 2, 2, 1, false}, // strided 1x1 (projection)
    {3, 14, 14, 64,  32, 1, 1, 2, 2, 1, true},
    {1,  8,  8,  3,   5, 3, 3, 1, 1, 1, true},
    {3, 13, 11, 17,  40, 3, 3, 1, 1, 1, true},
    {4, 14, 14, 64,  64, 3, 3, 1, 1, 1, true},
    {2,  7,  7, 33, 100, 3, 3, 1, 1, 1, true},  // narrow map
    {2, 15, 16,  5,  17, 3, 3, 2, 2, 1, true},
    {2, 15, 16,  5,  17, 3, 3, 2, 2, 1, false},
    {1, 10, 10,  4,   6, 3, 3, 2, 2, 1, false}, // stride skips the last row/col
    {2, 12, 12,  8,   9, 3, 3, 1, 1, 2, true},  // dilation
    {1, 11,  9,  3,   7, 3, 3, 1, 1, 2, false},
    {1, 23, 23,  3,  17, 7, 7, 2, 2, 1, true},  // stem-like
    {4, 12, 12,  1,   8, 5, 5, 1, 1, 1, false}, // LeNet conv1
    {2,  9,  9,  5,   7, 1, 7, 1, 1, 1, true},
    {2,  9,  9,  5,   7, 7, 1, 1, 1, 1, true},
    {1,  9,  7,  3,   1, 2, 2, 2, 2, 1, false},
    {1,  3, 200, 3,   5, 3, 3, 1, 1, 1, true},  // row wider than an item
    {2,  6,  5, 35,   3, 3, 3, 2, 1, 1, true},  // stride 2x1
    {1,  4,  4,  2,   3, 5, 5, 1, 1, 1, true},  // kernel wider than the map
    // dW above SLIM_BW_SLICED_FLOATS: items split channels, not pixels.
    {2,  6,  6, 128, 128, 3, 3, 1, 1, 1, true},
    {1,  5,  7, 700, 200, 1, 1, 1, 1, 1, false},
};
const ConvCase kDepthwiseCases[] = {
    {2, 12, 12, 17, 0, 3, 3, 1, 1, 1, true, 1},
    {1, 14, 14, 64, 0, 3, 3, 2, 2, 1, true, 1},
    {3, 9, 11, 3, 0, 3, 3, 2, 2, 1, false, 1},
    {2, 10, 10, 16, 0, 3, 3, 1, 1, 2, true, 1},
    {1, 8, 8, 5, 0, 3, 3, 1, 1, 1, true, 2},
    {2, 7, 9, 4, 0, 5, 5, 2, 2, 1, true, 3},
    {4, 6, 6, 33, 0, 1, 7, 1, 1, 1, true, 1},
    {1, 112, 3, 1, 0, 3, 3, 1, 1, 1, true, 1},
    {1, 9, 10, 32, 0, 3, 3, 1, 1, 1, false, 1},
    {2, 5, 41, 48, 0, 3, 3, 1, 1, 1, true, 1}, // interior runs of 4 pixels
    {1, 6, 6, 7, 0, 5, 5, 1, 1, 1, false, 1},
};
// clang-format on

TEST(BackwardFast, Conv2dMatchesRef) {
  ThreadPool two(2);
  for (const ConvCase &k : kConvCases) {
    SCOPED_TRACE(describe(k));
    Conv2DParams p = makeParams(k, false);
    auto x = randomVector(p.batch * p.inH * p.inW * p.inC, 1);
    auto w = scaled(randomVector(k.kh * k.kw * k.ic * k.oc, 2),
                    double(k.kh) * k.kw * k.ic);
    auto dy = randomVector(p.batch * p.outH * p.outW * p.outC, 3);
    std::vector<float> dxRef(x.size()), dwRef(w.size());
    ref::conv2dBackwardData(p, dy.data(), w.data(), dxRef.data());
    ref::conv2dBackwardFilter(p, x.data(), dy.data(), dwRef.data());
    std::vector<float> dx1(x.size(), 7.0f), dx2(x.size(), 7.0f);
    std::vector<float> dw1(w.size(), 7.0f), dw2(w.size(), 7.0f);
    conv2dBackwardData(p, dy.data(), w.data(), dx1.data());
    conv2dBackwardData(p, dy.data(), w.data(), dx2.data(), two.get());
    conv2dBackwardFilter(p, x.data(), dy.data(), dw1.data());
    conv2dBackwardFilter(p, x.data(), dy.data(), dw2.data(), two.get());
    EXPECT_TRUE(closeToRef(dx1, dxRef)) << "backward data";
    EXPECT_TRUE(closeToRef(dw1, dwRef)) << "backward filter";
    EXPECT_TRUE(bitwiseEqual(dx1, dx2)) << "backward data, 1 vs 2 threads";
    EXPECT_TRUE(bitwiseEqual(dw1, dw2)) << "backward filter, 1 vs 2 threads";
  }
}

TEST(BackwardFast, DepthwiseMatchesRef) {
  ThreadPool two(2);
  for (const ConvCase &k : kDepthwiseCases) {
    SCOPED_TRACE(describe(k));
    Conv2DParams p = makeParams(k, true);
    auto x = randomVector(p.batch * p.inH * p.inW * p.inC, 4);
    auto w = scaled(randomVector(k.kh * k.kw * p.outC, 5), double(k.kh) * k.kw);
    auto dy = randomVector(p.batch * p.outH * p.outW * p.outC, 6);
    std::vector<float> dxRef(x.size()), dwRef(w.size());
    ref::depthwiseConv2dBackwardData(p, dy.data(), w.data(), dxRef.data());
    ref::depthwiseConv2dBackwardFilter(p, x.data(), dy.data(), dwRef.data());
    std::vector<float> dx1(x.size(), 7.0f), dx2(x.size(), 7.0f);
    std::vector<float> dw1(w.size(), 7.0f), dw2(w.size(), 7.0f);
    depthwiseConv2dBackwardData(p, dy.data(), w.data(), dx1.data());
    depthwiseConv2dBackwardData(p, dy.data(), w.data(), dx2.data(), two.get());
    depthwiseConv2dBackwardFilter(p, x.data(), dy.data(), dw1.data());
    depthwiseConv2dBackwardFilter(p, x.data(), dy.data(), dw2.data(),
                                  two.get());
    EXPECT_TRUE(closeToRef(dx1, dxRef)) << "backward data";
    EXPECT_TRUE(closeToRef(dw1, dwRef)) << "backward filter";
    EXPECT_TRUE(bitwiseEqual(dx1, dx2)) << "backward data, 1 vs 2 threads";
    EXPECT_TRUE(bitwiseEqual(dw1, dw2)) << "backward filter, 1 vs 2 threads";
  }
}

TEST(BackwardFast, FullyConnectedMatchesRef) {
  ThreadPool two(2);
  struct Case {
    int64_t m, k, n;
  };
  // m < 64 takes the dot-product dx path, m >= 64 the packed GEMM.
  const Case cases[] = {{1, 5, 3}, {8, 100, 33}, {3, 17, 64},  {4, 256, 10},
                        {2, 1, 1}, {5, 700, 70}, {70, 40, 33}, {64, 3, 5}};
  for (const Case &c : cases) {
    SCOPED_TRACE("m" + std::to_string(c.m) + " k" + std::to_string(c.k) + " n" +
                 std::to_string(c.n));
    FullyConnectedParams p;
    p.m = c.m;
    p.k = c.k;
    p.n = c.n;
    auto x = randomVector(c.m * c.k, 7);
    auto w = scaled(randomVector(c.k * c.n, 8), double(c.k));
    auto dy = randomVector(c.m * c.n, 9);
    std::vector<float> dxRef(x.size()), dwRef(w.size());
    ref::fullyConnectedBackward(p, x.data(), w.data(), dy.data(), dxRef.data(),
                                dwRef.data());
    std::vector<float> dx1(x.size(), 7.0f), dx2(x.size(), 7.0f);
    std::vector<float> dw1(w.size(), 7.0f), dw2(w.size(), 7.0f);
    fullyConnectedBackward(p, x.data(), w.data(), dy.data(), dx1.data(),
                           dw1.data());
    fullyConnectedBackward(p, x.data(), w.data(), dy.data(), dx2.data(),
                           dw2.data(), two.get());
    EXPECT_TRUE(closeToRef(dx1, dxRef)) << "dx";
    EXPECT_TRUE(closeToRef(dw1, dwRef)) << "dw";
    EXPECT_TRUE(bitwiseEqual(dx1, dx2));
    EXPECT_TRUE(bitwiseEqual(dw1, dw2));
    // Either output may be skipped.
    std::vector<float> dwOnly(w.size(), 7.0f);
    fullyConnectedBackward(p, x.data(), w.data(), dy.data(), nullptr,
                           dwOnly.data());
    EXPECT_TRUE(bitwiseEqual(dwOnly, dw1));
  }
}

TEST(BackwardFast, PoolsMatchRef) {
  ThreadPool two(2);
  struct Case {
    int64_t n, h, w, c;
    int k, s;
    bool same;
  };
  const Case cases[] = {
      {2, 8, 8, 3, 2, 2, false},   {1, 9, 9, 17, 3, 2, true},
      {3, 7, 6, 64, 3, 1, true},   {2, 11, 11, 70, 3, 2, false},
      {1, 13, 13, 5, 3, 2, false}, {4, 5, 5, 130, 2, 2, true},
      {1, 4, 4, 2, 5, 1, true}};
  for (const Case &k : cases) {
    SCOPED_TRACE("n" + std::to_string(k.n) + " " + std::to_string(k.h) + "x" +
                 std::to_string(k.w) + "x" + std::to_string(k.c) + " k" +
                 std::to_string(k.k) + " s" + std::to_string(k.s) +
                 (k.same ? " SAME" : " VALID"));
    Pool2DParams p;
    p.batch = k.n;
    p.inH = k.h;
    p.inW = k.w;
    p.channels = k.c;
    p.kernelH = p.kernelW = k.k;
    p.strideH = p.strideW = k.s;
    Padding1D ph =
        k.same ? tfSamePadding(k.h, k.k, k.s) : tfValidPadding(k.h, k.k, k.s);
    Padding1D pw =
        k.same ? tfSamePadding(k.w, k.k, k.s) : tfValidPadding(k.w, k.k, k.s);
    p.outH = ph.out;
    p.padTop = ph.before;
    p.padBottom = ph.after;
    p.outW = pw.out;
    p.padLeft = pw.before;
    p.padRight = pw.after;
    auto x = randomVector(k.n * k.h * k.w * k.c, 10);
    // Ties: a copy with values from {0, 1, 2}, so most windows have several
    // maxima and the first one (row-major) must win.
    auto ties = x;
    for (float &v : ties)
      v = std::floor((v + 1.0f) * 1.5f);
    auto dy = randomVector(k.n * p.outH * p.outW * k.c, 11);
    for (const auto *in : {&x, &ties}) {
      std::vector<float> want(x.size()), got1(x.size(), 7.0f),
          got2(x.size(), 7.0f);
      ref::maxPool2dBackward(p, in->data(), dy.data(), want.data());
      maxPool2dBackward(p, in->data(), dy.data(), got1.data());
      maxPool2dBackward(p, in->data(), dy.data(), got2.data(), two.get());
      EXPECT_TRUE(closeToRef(got1, want)) << "max pool";
      EXPECT_TRUE(bitwiseEqual(got1, got2)) << "max pool, 1 vs 2 threads";
    }
    std::vector<float> want(x.size()), got1(x.size(), 7.0f),
        got2(x.size(), 7.0f);
    ref::avgPool2dBackward(p, dy.data(), want.data());
    avgPool2dBackward(p, dy.data(), got1.data());
    avgPool2dBackward(p, dy.data(), got2.data(), two.get());
    EXPECT_TRUE(closeToRef(got1, want)) << "avg pool";
    EXPECT_TRUE(bitwiseEqual(got1, got2)) << "avg pool, 1 vs 2 threads";
  }
}

TEST(BackwardFast, GlobalAvgPoolEqualsRef) {
  ThreadPool two(2);
  auto dy = randomVector(3 * 17, 12);
  std::vector<float> want(3 * 7 * 7 * 17), got(want.size(), 7.0f);
  ref::globalAvgPoolBackward(3, 7, 7, 17, dy.data(), want.data());
  globalAvgPoolBackward(3, 7, 7, 17, dy.data(), got.data(), two.get());
  EXPECT_TRUE(bitwiseEqual(got, want));
}

TEST(BackwardFast, BatchNormTrainingMatchesRef) {
  ThreadPool two(2);
  struct Case {
    int64_t outer, c;
    bool affine;
  };
  const Case cases[] = {{1000, 17, true}, {8, 64, true}, {600, 3, false},
                        {513, 33, true},  {2, 5, false}, {4096, 16, true}};
  for (const Case &k : cases) {
    SCOPED_TRACE("outer " + std::to_string(k.outer) + " c " +
                 std::to_string(k.c) + (k.affine ? " affine" : ""));
    // An offset mean, so the centered sums matter.
    auto x = randomVector(k.outer * k.c, 13, 2.0f, 4.0f);
    auto dy = randomVector(k.outer * k.c, 14);
    auto gamma = randomVector(k.c, 15, 0.5f, 1.5f);
    auto beta = randomVector(k.c, 16);
    const float *g = k.affine ? gamma.data() : nullptr;
    const float *b = k.affine ? beta.data() : nullptr;
    size_t size = x.size(), c = k.c;
    std::vector<float> yR(size), meanR(c), varR(c), invR(c);
    ref::batchNormTraining(x.data(), yR.data(), k.outer, k.c, g, b, 1e-3f,
                           meanR.data(), varR.data(), invR.data());
    for (const slim_parallel *par :
         {(const slim_parallel *)nullptr, two.get()}) {
      std::vector<float> y(size), mean(c), var(c), inv(c);
      batchNormTraining(x.data(), y.data(), k.outer, k.c, g, b, 1e-3f,
                        mean.data(), var.data(), inv.data(), par);
      EXPECT_TRUE(closeToRef(y, yR)) << "y";
      EXPECT_TRUE(slim::test::allClose(mean, meanR, 1e-6f, 0.0f)) << "mean";
      EXPECT_TRUE(slim::test::allClose(var, varR, 1e-5f, 1e-9f)) << "var";
      EXPECT_TRUE(slim::test::allClose(inv, invR, 1e-5f, 0.0f)) << "invStd";
      std::vector<float> dxR(size), dgR(c), dbR(c), dx(size), dg(c), db(c);
      ref::batchNormTrainingBackward(x.data(), dy.data(), k.outer, k.c, g,
                                     meanR.data(), invR.data(), dxR.data(),
                                     dgR.data(), dbR.data());
      batchNormTrainingBackward(x.data(), dy.data(), k.outer, k.c, g,
                                meanR.data(), invR.data(), dx.data(), dg.data(),
                                db.data(), par);
      EXPECT_TRUE(closeToRef(dx, dxR)) << "dx";
      EXPECT_TRUE(closeToRef(dg, dgR)) << "dgamma";
      EXPECT_TRUE(closeToRef(db, dbR)) << "dbeta";
    }
  }
}

TEST(BackwardFast, BiasAndActivationsMatchRef) {
  ThreadPool two(2);
  auto dy = randomVector(3000 * 17, 17);
  std::vector<float> want(17), got1(17), got2(17);
  ref::biasBackward(dy.data(), 3000, 17, want.data());
  biasBackward(dy.data(), 3000, 17, got1.data());
  biasBackward(dy.data(), 3000, 17, got2.data(), two.get());
  EXPECT_TRUE(closeToRef(got1, want));
  EXPECT_TRUE(bitwiseEqual(got1, got2));

  const int64_t count = 40000; // more than one work item of 16384
  auto x = randomVector(count, 18, -8.0f, 8.0f);
  x[0] = 0.0f; // the kinks, as TF's *Grad kernels treat them
  x[1] = 6.0f;
  auto g = randomVector(count, 19);
  for (int f = 0; f <= static_cast<int>(Pointwise::Selu); ++f) {
    SCOPED_TRACE("pointwise " + std::to_string(f));
    std::vector<float> r(count), a(count), b(count);
    ref::pointwiseBackward(static_cast<Pointwise>(f), 0.2f, x.data(), g.data(),
                           r.data(), count);
    pointwiseBackward(static_cast<Pointwise>(f), 0.2f, x.data(), g.data(),
                      a.data(), count);
    pointwiseBackward(static_cast<Pointwise>(f), 0.2f, x.data(), g.data(),
                      b.data(), count, two.get());
    EXPECT_TRUE(closeToRef(a, r));
    EXPECT_TRUE(bitwiseEqual(a, b));
  }
  std::vector<float> r(count), a(count);
  ref::activationBackward(Activation::Relu6, x.data(), g.data(), r.data(),
                          count);
  activationBackward(Activation::Relu6, x.data(), g.data(), a.data(), count);
  EXPECT_TRUE(closeToRef(a, r));
}

} // namespace
