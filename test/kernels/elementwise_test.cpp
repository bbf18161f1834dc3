//===- elementwise_test.cpp - Arithmetic, lrn, reductions, tile vs reference //
//
// The fast kernels of elementwise.h, eltwise.h (blocked arithmetic), lrn.h
// and reduce.h against the plain loops of reference.h, on shapes that hit
// every merge of broadcast dimensions, partial channel blocks and several
// threads; the reference loops themselves against hand-computed values.
//
//===----------------------------------------------------------------------===//
#include "test_util.h"
#include "thread_pool.h"

#include "slim/kernels.h"

#include <gtest/gtest.h>

#include <cmath>
#include <limits>
#include <string>
#include <vector>

using namespace slim::kernels;
using slim::test::allClose;
using slim::test::randomVector;
using slim::test::ThreadPool;
using slim::test::toBlocked;

namespace {

const Binary kAllKinds[] = {Binary::Add, Binary::Sub, Binary::Mul,
                            Binary::Div, Binary::Max, Binary::Min};

int64_t count(const std::vector<int64_t> &shape) {
  int64_t n = 1;
  for (int64_t d : shape)
    n *= d;
  return n;
}

std::string str(const std::vector<int64_t> &shape) {
  std::string s;
  for (int64_t d : shape)
    s += (s.empty() ? "" : "x") + std::to_string(d);
  return s;
}

/// Operands away from zero so that division stays well conditioned.
std::vector<float> operand(int64_t n, uint32_t seed) {
  std::vector<float> v = randomVector(n, seed, 0.5f, 2.0f);
  for (size_t i = 0; i < v.size(); i += 3)
    v[i] = -v[i];
  return v;
}

struct BroadcastCase {
  std::vector<int64_t> a, b, y;
};

TEST(Binary, BroadcastingMatchesReferenceForEveryKindAndThreadCount) {
  const BroadcastCase cases[] = {
      {{2, 5, 7, 3}, {2, 5, 7, 3}, {2, 5, 7, 3}},    // same shape
      {{2, 5, 7, 3}, {1, 1, 1, 3}, {2, 5, 7, 3}},    // per channel
      {{2, 5, 7, 33}, {2, 1, 1, 33}, {2, 5, 7, 33}}, // squeeze-excite gate
      {{2, 1, 1, 3}, {2, 5, 7, 3}, {2, 5, 7, 3}},    // the gate first
      {{2, 5, 7, 1}, {2, 5, 7, 6}, {2, 5, 7, 6}},    // broadcast along channels
      {{1, 6}, {4, 1}, {4, 6}},                      // both broadcast
      {{1, 1, 1}, {3, 4, 5}, {3, 4, 5}}, // a [1] tensor, left-padded
      {{2, 3, 1, 4, 5}, {1, 3, 6, 1, 5}, {2, 3, 6, 4, 5}}, // rank 5
      {{1, 1}, {1, 1}, {1, 1}},                            // one element
  };
  ThreadPool pool(3);
  for (const BroadcastCase &c : cases) {
    std::vector<float> a = operand(count(c.a), 1), b = operand(count(c.b), 2);
    for (Binary k : kAllKinds) {
      std::vector<float> want(count(c.y)), got(count(c.y), -7.0f);
      ref::binary(k, a.data(), c.a.data(), b.data(), c.b.data(), want.data(),
                  c.y.data(), c.y.size());
      for (const slim_parallel *par : {(const slim_parallel *)nullptr,
                                       (const slim_parallel *)pool.get()}) {
        ASSERT_TRUE(binary(k, a.data(), c.a.data(), b.data(), c.b.data(),
                           got.data(), c.y.data(), c.y.size(), par));
        EXPECT_TRUE(allClose(got, want, 0.0f, 0.0f))
            << str(c.a) << " op" << static_cast<int>(k) << " " << str(c.b);
      }
    }
  }
}

TEST(Binary, InPlaceOnTheFullShapeOperand) {
  std::vector<int64_t> x = {3, 4, 5, 6}, g = {3, 1, 1, 6};
  std::vector<float> a = operand(count(x), 3), b = operand(count(g), 4);
  std::vector<float> want(a.size());
  ref::binary(Binary::Mul, a.data(), x.data(), b.data(), g.data(), want.data(),
              x.data(), 4);
  ASSERT_TRUE(binary(Binary::Mul, a.data(), x.data(), b.data(), g.data(),
                     a.data(), x.data(), 4));
  EXPECT_TRUE(allClose(a, want, 0.0f, 0.0f));
}

TEST(Binary, PlanMergesRunsAndRejectsShapesThatDoNotBroadcast) {
  BroadcastPlan plan;
  // [N,H,W,C] * [N,1,1,C]: H and W merge into one broadcast run.
  int64_t a[] = {2, 5, 7, 3}, g[] = {2, 1, 1, 3};
  ASSERT_TRUE(planBroadcast(4, a, g, a, plan));
  EXPECT_EQ(plan.rank, 3);
  EXPECT_EQ(plan.dims[1], 35);
  EXPECT_EQ(plan.bStride[1], 0);
  EXPECT_EQ(plan.count, 210);
  // Equal shapes are one contiguous run.
  ASSERT_TRUE(planBroadcast(4, a, a, a, plan));
  EXPECT_EQ(plan.rank, 1);
  int64_t bad[] = {2, 5, 7, 4};
  EXPECT_FALSE(planBroadcast(4, a, bad, a, plan));
}

TEST(Binary, ReferenceByHand) {
  // [[1, 2, 3]] - [[10], [20]] broadcast to 2x3.
  float a[] = {1, 2, 3}, b[] = {10, 20}, y[6];
  int64_t as[] = {1, 3}, bs[] = {2, 1}, ys[] = {2, 3};
  ref::binary(Binary::Sub, a, as, b, bs, y, ys, 2);
  const float want[] = {-9, -8, -7, -19, -18, -17};
  for (int i = 0; i < 6; ++i)
    EXPECT_EQ(y[i], want[i]) << i;
  // TF's maximum and minimum, and division.
  EXPECT_EQ(applyBinary(Binary::Max, -1.0f, 2.0f), 2.0f);
  EXPECT_EQ(applyBinary(Binary::Min, -1.0f, 2.0f), -1.0f);
  EXPECT_EQ(applyBinary(Binary::Div, 1.0f, 4.0f), 0.25f);
}

TEST(BinaryScalar, DenseBothOrdersAndThreads) {
  std::vector<float> x = operand(1000, 5);
  ThreadPool pool(2);
  for (Binary k : kAllKinds)
    for (bool first : {false, true}) {
      std::vector<float> want(x.size()), got(x.size());
      ref::binaryScalar(k, x.data(), 0.75f, first, want.data(), x.size());
      binaryScalar(k, x.data(), 0.75f, first, got.data(), x.size(), pool.get());
      EXPECT_TRUE(allClose(got, want, 0.0f, 0.0f))
          << static_cast<int>(k) << " first " << first;
    }
  float one = 4.0f, out;
  ref::binaryScalar(Binary::Div, &one, 2.0f, true, &out, 1);
  EXPECT_EQ(out, 0.5f); // 2 / x
}

TEST(BinaryScalar, BlockedKeepsPaddingLanesZero) {
  const int64_t n = 2, h = 3, w = 4, c = kVec + 3;
  std::vector<float> x = operand(n * h * w * c, 6);
  std::vector<float> want(x.size());
  ref::binaryScalar(Binary::Add, x.data(), 3.0f, false, want.data(), x.size());
  std::vector<float> xb = toBlocked(x, n, h, w, c), yb(xb.size(), -1.0f);
  ThreadPool pool(2);
  binaryScalarBlocked(Binary::Add, xb.data(), 3.0f, false, yb.data(), n, h * w,
                      c, pool.get());
  EXPECT_TRUE(slim::test::paddingLanesZero(yb, n, h * w, c, 0, numBlocks(c)));
  std::vector<float> got(x.size());
  blockedToNhwc(yb.data(), n, h, w, c, got.data());
  EXPECT_TRUE(allClose(got, want, 0.0f, 0.0f));
}

TEST(BinaryBlocked, BroadcastAlongNHWMatchesReference) {
  struct Case {
    int64_t n, h, w, c, an, ah, aw, bn, bh, bw;
  };
  const Case cases[] = {
      {2, 5, 6, kVec + 5, 2, 5, 6, 2, 5, 6}, // same shape, partial block
      {2, 5, 6, 2 * kVec, 2, 5, 6, 2, 1, 1}, // squeeze-excite gate
      {2, 5, 6, 3, 2, 1, 1, 2, 5, 6},        // the gate first
      {3, 4, 5, 7, 1, 4, 5, 3, 4, 1},        // batch and width broadcast
  };
  ThreadPool pool(3);
  for (const Case &t : cases) {
    std::vector<int64_t> as = {t.an, t.ah, t.aw, t.c},
                         bs = {t.bn, t.bh, t.bw, t.c},
                         ys = {t.n, t.h, t.w, t.c};
    std::vector<float> a = operand(count(as), 7), b = operand(count(bs), 8);
    std::vector<float> ab = toBlocked(a, t.an, t.ah, t.aw, t.c);
    std::vector<float> bb = toBlocked(b, t.bn, t.bh, t.bw, t.c);
    BlockedBinaryParams p;
    p.n = t.n, p.h = t.h, p.w = t.w, p.c = t.c;
    p.an = t.an, p.ah = t.ah, p.aw = t.aw;
    p.bn = t.bn, p.bh = t.bh, p.bw = t.bw;
    for (Binary k : kAllKinds) {
      std::vector<float> want(count(ys));
      ref::binary(k, a.data(), as.data(), b.data(), bs.data(), want.data(),
                  ys.data(), 4);
      std::vector<float> yb(blockedSize(t.n, t.h, t.w, t.c), -3.0f);
      binaryBlocked(k, ab.data(), bb.data(), yb.data(), p, pool.get());
      // 0 / 0 in the padding lanes must not leave NaNs there.
      EXPECT_TRUE(slim::test::paddingLanesZero(yb, t.n, t.h * t.w, t.c, 0,
                                               numBlocks(t.c)));
      std::vector<float> got(want.size());
      blockedToNhwc(yb.data(), t.n, t.h, t.w, t.c, got.data());
      EXPECT_TRUE(allClose(got, want, 0.0f, 0.0f))
          << str(as) << " op" << static_cast<int>(k) << " " << str(bs);
    }
  }
}

TEST(Lrn, FastDenseAndBlockedMatchReference) {
  struct Case {
    int64_t n, h, w, c, radius;
    float bias, alpha, beta;
  };
  const Case cases[] = {
      {2, 3, 4, 64, 4, 1.0f, 0.001f / 9.0f, 0.75f}, // CifarNet's
      {1, 5, 5, 13, 2, 2.0f, 0.5f, 0.75f},          // partial block
      {1, 2, 3, 7, 5, 1.0f, 1.0f, 0.5f},            // TF's defaults, r > C
      {2, 2, 2, 9, 0, 0.5f, 0.3f, 1.0f},            // radius 0, beta 1
  };
  ThreadPool pool(3);
  for (const Case &t : cases) {
    std::vector<float> x = randomVector(t.n * t.h * t.w * t.c, 9, -3.0f, 3.0f);
    std::vector<float> want(x.size());
    ref::lrn(x.data(), want.data(), t.n * t.h * t.w, t.c, t.radius, t.bias,
             t.alpha, t.beta);
    LrnParams p;
    p.batch = t.n;
    p.pixels = t.h * t.w;
    p.channels = t.c;
    p.depthRadius = t.radius;
    p.bias = t.bias;
    p.alpha = t.alpha;
    p.beta = t.beta;
    std::vector<float> got(x.size());
    lrn(p, x.data(), got.data(), pool.get());
    EXPECT_TRUE(allClose(got, want, 1e-6f, 1e-7f)) << "dense c" << t.c;
    p.vec = kVec;
    std::vector<float> xb = toBlocked(x, t.n, t.h, t.w, t.c);
    std::vector<float> yb(xb.size(), -1.0f);
    lrn(p, xb.data(), yb.data(), pool.get());
    EXPECT_TRUE(slim::test::paddingLanesZero(yb, t.n, t.h * t.w, t.c, 0,
                                             numBlocks(t.c)));
    blockedToNhwc(yb.data(), t.n, t.h, t.w, t.c, got.data());
    EXPECT_TRUE(allClose(got, want, 1e-6f, 1e-7f)) << "blocked c" << t.c;
  }
}

TEST(Lrn, ReferenceByHand) {
  // One pixel, channels [1, 2, 3], radius 1: sums 1+4, 1+4+9, 4+9.
  float x[] = {1, 2, 3}, y[3];
  ref::lrn(x, y, 1, 3, 1, 1.0f, 0.5f, 0.75f);
  const double sums[] = {5, 14, 13};
  for (int c = 0; c < 3; ++c)
    EXPECT_NEAR(y[c], x[c] / std::pow(1.0 + 0.5 * sums[c], 0.75), 1e-6) << c;
}

TEST(Reduce, AnyAxesMatchReference) {
  const std::vector<int64_t> shape = {2, 3, 4, 5, 6};
  std::vector<float> x = randomVector(count(shape), 10, -2.0f, 2.0f);
  const std::vector<std::vector<int>> masks = {
      {0, 1, 1, 0, 0}, {0, 0, 0, 0, 1}, {1, 0, 1, 0, 1}, {1, 1, 1, 1, 1},
      {0, 0, 0, 0, 0}, {1, 0, 0, 0, 0}, {0, 1, 1, 1, 0}};
  ThreadPool pool(3);
  for (const std::vector<int> &m : masks)
    for (Reduce k : {Reduce::Sum, Reduce::Mean, Reduce::Max}) {
      int64_t outputs = 1;
      for (size_t d = 0; d < shape.size(); ++d)
        if (!m[d])
          outputs *= shape[d];
      std::vector<float> want(outputs), got(outputs, -5.0f);
      ref::reduce(k, x.data(), shape.data(), m.data(), shape.size(),
                  want.data());
      ASSERT_TRUE(reduce(k, x.data(), shape.data(), m.data(), shape.size(),
                         got.data(), pool.get()));
      EXPECT_TRUE(allClose(got, want, 1e-6f, 1e-6f))
          << "kind " << static_cast<int>(k) << " mask " << m[0] << m[1] << m[2]
          << m[3] << m[4];
    }
}

TEST(Reduce, ReferenceByHand) {
  // [[1, 2, 3], [4, 5, 6]]: over axis 0 and over axis 1.
  float x[] = {1, 2, 3, 4, 5, 6}, y[3];
  int64_t shape[] = {2, 3};
  int rows[] = {1, 0}, cols[] = {0, 1};
  ref::reduce(Reduce::Sum, x, shape, rows, 2, y);
  EXPECT_EQ(y[0], 5.0f);
  EXPECT_EQ(y[2], 9.0f);
  ref::reduce(Reduce::Mean, x, shape, cols, 2, y);
  EXPECT_EQ(y[0], 2.0f);
  EXPECT_EQ(y[1], 5.0f);
  ref::reduce(Reduce::Max, x, shape, rows, 2, y);
  EXPECT_EQ(y[1], 5.0f);
}

TEST(Tile, MatchesReferenceAndHand) {
  std::vector<int64_t> in = {2, 1, 3, 4}, mult = {2, 3, 1, 2};
  std::vector<float> x = randomVector(count(in), 11);
  int64_t outCount = 1;
  for (size_t d = 0; d < in.size(); ++d)
    outCount *= in[d] * mult[d];
  std::vector<float> want(outCount), got(outCount);
  ref::tile(x.data(), in.data(), mult.data(), 4, want.data());
  ThreadPool pool(2);
  tile(x.data(), in.data(), mult.data(), 4, got.data(), pool.get());
  EXPECT_TRUE(allClose(got, want, 0.0f, 0.0f));
  // [[1, 2]] tiled [2, 2] is [[1, 2, 1, 2], [1, 2, 1, 2]].
  float a[] = {1, 2}, y[8];
  int64_t s[] = {1, 2}, m[] = {2, 2};
  ref::tile(a, s, m, 2, y);
  const float hand[] = {1, 2, 1, 2, 1, 2, 1, 2};
  for (int i = 0; i < 8; ++i)
    EXPECT_EQ(y[i], hand[i]) << i;
}

} // namespace
