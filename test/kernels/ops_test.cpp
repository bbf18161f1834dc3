//===- ops_test.cpp - Pooling, fully connected, eltwise vs reference ------===//
#include "test_util.h"
#include "thread_pool.h"

#include "slim/kernels.h"

#include <gtest/gtest.h>

#include <sstream>
#include <string>
#include <vector>

using namespace slim::kernels;
using slim::test::allClose;
using slim::test::randomVector;
using slim::test::ThreadPool;

namespace {

struct PoolCase {
  int64_t batch, h, w, c;
  int k, s;
  bool same, isMax;
  int64_t outOffset, extraBlocks;
  int threads;
};

std::string poolName(const PoolCase &c) {
  std::ostringstream os;
  os << (c.isMax ? "max" : "avg") << "_n" << c.batch << "_" << c.h << "x" << c.w
     << "_c" << c.c << "_k" << c.k << "_s" << c.s
     << (c.same ? "_same" : "_valid") << "_out" << c.outOffset << "_x"
     << c.extraBlocks << "_t" << c.threads;
  return os.str();
}

class PoolTest : public ::testing::TestWithParam<PoolCase> {};

TEST_P(PoolTest, MatchesReference) {
  const PoolCase &c = GetParam();
  Pool2DParams p;
  p.batch = c.batch;
  p.inH = c.h;
  p.inW = c.w;
  p.channels = c.c;
  p.kernelH = p.kernelW = c.k;
  p.strideH = p.strideW = c.s;
  Padding1D ph =
      c.same ? tfSamePadding(c.h, c.k, c.s) : tfValidPadding(c.h, c.k, c.s);
  Padding1D pw =
      c.same ? tfSamePadding(c.w, c.k, c.s) : tfValidPadding(c.w, c.k, c.s);
  p.outH = ph.out;
  p.outW = pw.out;
  p.padTop = ph.before;
  p.padBottom = ph.after;
  p.padLeft = pw.before;
  p.padRight = pw.after;
  // Negative values: a max that let padding (0) in would be visible.
  std::vector<float> in =
      randomVector(c.batch * c.h * c.w * c.c, 21 + c.k, -2.0f, -0.5f);
  std::vector<float> want(c.batch * p.outH * p.outW * c.c);
  if (c.isMax)
    ref::maxPool2d(p, in.data(), want.data());
  else
    ref::avgPool2d(p, in.data(), want.data());

  std::vector<float> inB = slim::test::toBlocked(in, c.batch, c.h, c.w, c.c);
  int64_t outCbTotal = numBlocks(c.c) + c.outOffset + c.extraBlocks;
  std::vector<float> outB(c.batch * outCbTotal * p.outH * p.outW * kVec,
                          7777.0f);
  p.outCbOffset = c.outOffset;
  p.outCbTotal = outCbTotal;
  ThreadPool pool(c.threads);
  if (c.isMax)
    maxPool2d(p, inB.data(), outB.data(), pool.get());
  else
    avgPool2d(p, inB.data(), outB.data(), pool.get());
  std::vector<float> got(want.size());
  blockedToNhwc(outB.data(), c.batch, p.outH, p.outW, c.c, got.data(),
                c.outOffset, outCbTotal);
  EXPECT_TRUE(allClose(got, want));
  EXPECT_TRUE(slim::test::paddingLanesZero(outB, c.batch, p.outH * p.outW, c.c,
                                           c.outOffset, outCbTotal));
}

std::vector<PoolCase> poolSweep() {
  std::vector<PoolCase> cases;
  int i = 0;
  const int kernels[][2] = {{2, 2}, {3, 2}, {3, 1}, {5, 3}, {7, 7}, {1, 2}};
  for (bool isMax : {true, false})
    for (auto k : kernels)
      for (bool same : {true, false})
        for (int64_t ch : {5, 17}) {
          int64_t h = 7 + i % 5, w = 9 + (i * 3) % 7;
          cases.push_back({i % 3 == 0 ? 3 : 1, h, w, ch, k[0], k[1], same,
                           isMax, i % 4 == 1 ? 1 : 0, i % 3 == 2 ? 1 : 0,
                           1 + i % 2});
          ++i;
        }
  return cases;
}

INSTANTIATE_TEST_SUITE_P(Sweep, PoolTest, ::testing::ValuesIn(poolSweep()),
                         [](const ::testing::TestParamInfo<PoolCase> &info) {
                           return std::to_string(info.index) + "_" +
                                  poolName(info.param);
                         });

TEST(GlobalAvgPool, MatchesReference) {
  for (int64_t c : {3, 17, 64}) {
    const int64_t batch = 3, h = 7, w = 5;
    std::vector<float> in = randomVector(batch * h * w * c, 31);
    std::vector<float> want(batch * c);
    ref::globalAvgPool(batch, h, w, c, in.data(), want.data());
    std::vector<float> inB = slim::test::toBlocked(in, batch, h, w, c);
    std::vector<float> outB(blockedSize(batch, 1, 1, c), 7777.0f);
    ThreadPool pool(2);
    globalAvgPool(batch, h, w, c, inB.data(), outB.data(), pool.get());
    std::vector<float> got(batch * c);
    blockedToNhwc(outB.data(), batch, 1, 1, c, got.data());
    EXPECT_TRUE(allClose(got, want)) << "c=" << c;
    EXPECT_TRUE(
        slim::test::paddingLanesZero(outB, batch, 1, c, 0, numBlocks(c)));
  }
}

struct FcCase {
  int64_t m, k, n;
  Activation act;
  bool bias, residual, padOutput;
  int threads;
};

class FullyConnectedTest : public ::testing::TestWithParam<FcCase> {};

TEST_P(FullyConnectedTest, MatchesReference) {
  const FcCase &c = GetParam();
  FullyConnectedParams p;
  p.m = c.m;
  p.k = c.k;
  p.n = c.n;
  p.act = c.act;
  std::vector<float> x = randomVector(c.m * c.k, 41);
  std::vector<float> w = randomVector(c.k * c.n, 42, -0.5f, 0.5f);
  std::vector<float> bias = randomVector(c.n, 43);
  std::vector<float> res = randomVector(c.m * c.n, 44);
  std::vector<float> want(c.m * c.n);
  ref::fullyConnected(p, x.data(), w.data(), c.bias ? bias.data() : nullptr,
                      c.residual ? res.data() : nullptr, want.data());

  std::vector<float> packed(fullyConnectedPackedSize(c.k, c.n));
  packFullyConnectedWeights(w.data(), c.k, c.n, packed.data());
  int64_t ldy = c.padOutput ? roundUpToVec(c.n) : c.n;
  p.ldy = ldy;
  p.padOutput = c.padOutput;
  std::vector<float> y(c.m * ldy + 1, 7777.0f);
  ThreadPool pool(c.threads);
  fullyConnected(p, x.data(), packed.data(), c.bias ? bias.data() : nullptr,
                 c.residual ? res.data() : nullptr, y.data(), pool.get());
  std::vector<float> got(c.m * c.n);
  for (int64_t i = 0; i < c.m; ++i)
    for (int64_t j = 0; j < c.n; ++j)
      got[i * c.n + j] = y[i * ldy + j];
  EXPECT_TRUE(allClose(got, want));
  for (int64_t i = 0; i < c.m; ++i)
    for (int64_t j = c.n; j < ldy; ++j)
      EXPECT_EQ(y[i * ldy + j], 0.0f) << "padding column " << j;
  EXPECT_EQ(y.back(), 7777.0f) << "wrote past the output";
}

std::vector<FcCase> fcSweep() {
  std::vector<FcCase> cases;
  const Activation acts[] = {Activation::None, Activation::Relu,
                             Activation::Relu6, Activation::Sigmoid};
  int i = 0;
  for (int64_t m : {1, 3, 8, 13, 130})
    for (int64_t k : {1, 7, 300, 777})
      for (int64_t n : {1, 17, 33, 100}) {
        if (m == 130 && k > 300)
          continue;
        cases.push_back({m, k, n, acts[i % 4], i % 5 != 2, i % 7 == 3,
                         i % 3 == 1, 1 + i % 2});
        ++i;
      }
  // Batch 1 (the weight stream: 8 k-steps per iteration, the whole panel
  // in one pass): K a multiple of 8, K over the old 256-row chunks with a
  // tail, many panels over 2 and 3 threads, residual, padded output.
  cases.push_back({1, 8, 65, Activation::Relu, true, true, false, 2});
  cases.push_back({1, 4103, 1000, Activation::Relu, true, false, true, 3});
  cases.push_back({1, 2056, 129, Activation::None, false, true, false, 2});
  return cases;
}

INSTANTIATE_TEST_SUITE_P(Sweep, FullyConnectedTest,
                         ::testing::ValuesIn(fcSweep()),
                         [](const ::testing::TestParamInfo<FcCase> &info) {
                           const FcCase &c = info.param;
                           return std::to_string(info.index) + "_m" +
                                  std::to_string(c.m) + "_k" +
                                  std::to_string(c.k) + "_n" +
                                  std::to_string(c.n) + "_" +
                                  slim::test::activationName(c.act);
                         });

/// A fully-connected layer packed to read a blocked activation directly
/// (flatten of [h, w, c], or a conv whose kernel covers the whole map, like
/// VGG fc6) equals flatten-NHWC then the reference.
TEST(FullyConnectedBlocked, MatchesFlattenedReference) {
  const int64_t shapes[][3] = {{3, 2, 5}, {7, 7, 17}, {1, 1, 33}, {2, 2, 16}};
  for (auto s : shapes)
    for (int64_t batch : {1, 4}) {
      int64_t h = s[0], w = s[1], c = s[2], n = 37, k = h * w * c;
      std::vector<float> x = randomVector(batch * k, 51);
      std::vector<float> wt = randomVector(k * n, 52, -0.5f, 0.5f);
      std::vector<float> bias = randomVector(n, 53);
      FullyConnectedParams p;
      p.m = batch;
      p.k = k;
      p.n = n;
      p.act = Activation::Relu;
      std::vector<float> want(batch * n);
      ref::fullyConnected(p, x.data(), wt.data(), bias.data(), nullptr,
                          want.data());

      int64_t kPacked = fullyConnectedBlockedK(h, w, c);
      std::vector<float> packed(fullyConnectedPackedSize(kPacked, n));
      packFullyConnectedWeightsBlocked(wt.data(), h, w, c, n, packed.data());
      std::vector<float> xB = slim::test::toBlocked(x, batch, h, w, c);
      p.k = kPacked;
      std::vector<float> got(batch * n);
      ThreadPool pool(2);
      fullyConnected(p, xB.data(), packed.data(), bias.data(), nullptr,
                     got.data(), pool.get());
      EXPECT_TRUE(allClose(got, want)) << h << "x" << w << "x" << c;
    }
}

TEST(Add, MatchesReferenceWithTail) {
  for (Activation act : {Activation::None, Activation::Relu}) {
    const int64_t count = 1000 * kVec + 5;
    std::vector<float> a = randomVector(count, 61), b = randomVector(count, 62);
    std::vector<float> want(count), got(count);
    ref::add(a.data(), b.data(), want.data(), count, act);
    ThreadPool pool(2);
    add(a.data(), b.data(), got.data(), count, act, pool.get());
    EXPECT_TRUE(allClose(got, want));
    // In place on the first operand, as a fused-away residual would be.
    add(a.data(), b.data(), a.data(), count, act, pool.get());
    EXPECT_TRUE(allClose(a, want));
  }
}

/// Pieces of 5, 17 and 8 channels (offsets 0, 5, 22: none block aligned
/// except the first) and a block-aligned piece, against tf.concat.
TEST(ConcatChannels, MatchesReference) {
  const int64_t batch = 2, h = 3, w = 5;
  for (auto pieces : {std::vector<int64_t>{5, 17, 8},
                      std::vector<int64_t>{kVec, 3, 2 * kVec, 1}}) {
    int64_t total = 0;
    std::vector<std::vector<float>> nhwc;
    for (size_t s = 0; s < pieces.size(); ++s) {
      nhwc.push_back(randomVector(batch * h * w * pieces[s], 70 + s));
      total += pieces[s];
    }
    std::vector<const float *> srcs;
    for (auto &v : nhwc)
      srcs.push_back(v.data());
    std::vector<float> want(batch * h * w * total);
    ref::concatChannels(batch * h * w, static_cast<int>(pieces.size()),
                        srcs.data(), pieces.data(), want.data());

    std::vector<float> dst(blockedSize(batch, h, w, total), 7777.0f);
    ThreadPool pool(2);
    int64_t off = 0;
    for (size_t s = 0; s < pieces.size(); ++s) {
      std::vector<float> b =
          slim::test::toBlocked(nhwc[s], batch, h, w, pieces[s]);
      concatChannelsBlocked(b.data(), batch, h, w, pieces[s], dst.data(), off,
                            total, pool.get());
      off += pieces[s];
    }
    std::vector<float> got(want.size());
    blockedToNhwc(dst.data(), batch, h, w, total, got.data());
    EXPECT_TRUE(allClose(got, want));
    EXPECT_TRUE(slim::test::paddingLanesZero(dst, batch, h * w, total, 0,
                                             numBlocks(total)));
  }
}

TEST(Softmax, MatchesReference) {
  for (int64_t cols : {1, 7, 1000, 1001}) {
    const int64_t rows = 5;
    std::vector<float> x = randomVector(rows * cols, 81, -20.0f, 20.0f);
    std::vector<float> want(x.size()), got(x.size());
    ref::softmax(x.data(), want.data(), rows, cols);
    ThreadPool pool(2);
    softmax(x.data(), got.data(), rows, cols, pool.get());
    EXPECT_TRUE(allClose(got, want)) << cols;
  }
}

TEST(Layout, RoundTripAndZeroPadding) {
  for (int64_t c : {1, 3, kVec, kVec + 1, 33}) {
    const int64_t n = 2, h = 3, w = 4;
    std::vector<float> x = randomVector(n * h * w * c, 91);
    std::vector<float> blocked(blockedSize(n, h, w, c), 7777.0f);
    nhwcToBlocked(x.data(), n, h, w, c, blocked.data());
    EXPECT_TRUE(
        slim::test::paddingLanesZero(blocked, n, h * w, c, 0, numBlocks(c)));
    // Channel ch of pixel (b, y, x) is at block ch / kVec, lane ch % kVec.
    int64_t ch = c - 1;
    EXPECT_EQ(
        blocked[((1 * numBlocks(c) + ch / kVec) * h * w + 2 * w + 3) * kVec +
                ch % kVec],
        x[((1 * h + 2) * w + 3) * c + ch]);
    std::vector<float> back(x.size());
    blockedToNhwc(blocked.data(), n, h, w, c, back.data());
    EXPECT_EQ(back, x);
  }
}

TEST(Pack, Conv2dWeightsLayout) {
  const int64_t kh = 2, kw = 3, ic = 5, oc = kVec + 3;
  std::vector<float> w = randomVector(kh * kw * ic * oc, 95);
  std::vector<float> packed(conv2dPackedSize(kh, kw, ic, oc));
  packConv2dWeights(w.data(), kh, kw, ic, oc, packed.data());
  // Element (y=1, x=2, i=4, o=kVec+1): block ob=1, lane 1; ib=0, lane 4.
  int64_t idx =
      ((((1 * numBlocks(ic) + 0) * kh + 1) * kw + 2) * kVec + 4) * kVec + 1;
  EXPECT_EQ(packed[idx], w[((1 * kw + 2) * ic + 4) * oc + kVec + 1]);
  // Input lane 5 does not exist: its whole row of weights is zero.
  for (int64_t l = 0; l < kVec; ++l)
    EXPECT_EQ(packed[(5 * kVec) + l], 0.0f);
}

} // namespace
