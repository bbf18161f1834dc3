//===- backward_test.cpp - Gradients against finite differences -----------===//
//
// Every backward kernel of backward_reference.h is checked against central
// differences of the matching forward REFERENCE kernel: with a fixed random
// r, L(x) = sum_i r_i y_i(x) (in double), the backward kernel fed dy = r
// must give dL/dx_j ~ (L(x + h e_j) - L(x - h e_j)) / (x_j+ - x_j-), the
// denominator being the exact difference of the two perturbed floats.
//
// Tolerance, |analytic - numeric| <= 1e-3 + 1e-3 |numeric|. Why: the
// forward kernels round each output to float (relative 6e-8), so L carries
// an error of about 6e-8 * |y| * sqrt(#outputs touched by x_j) <= ~1e-6,
// which the division by 2h (h = 1e-2 or more) magnifies to <= ~1e-4; the
// smooth ops (sigmoid, tanh, batch norm, softmax) add an O(h^2) truncation
// term below 1e-4 at these h. A wrong index or a missing term shows up as an
// error of the order of the gradient itself (>= 1e-2 here).
//
// Piecewise ops (relu, max pool) are sampled away from their kinks by more
// than h, and their behaviour at the kinks is checked against TF by hand.
//
//===----------------------------------------------------------------------===//
#include "slim/kernels/backward_reference.h"
#include "slim/kernels/reference.h"
#include "slim/kernels/reference_spatial.h"

#include "finite_differences.h"

#include <gtest/gtest.h>

#include <cmath>
#include <functional>
#include <random>
#include <string>
#include <vector>

using namespace slim::kernels;
using namespace slim_test;

namespace {

//===----------------------------------------------------------------------===//
// Convolutions
//===----------------------------------------------------------------------===//

struct ConvCase {
  int64_t batch, h, w, c, oc;
  int k, stride, dilation;
  bool same;
  bool depthwise;
};

std::string describe(const ConvCase &t) {
  return std::to_string(t.batch) + "x" + std::to_string(t.h) + "x" +
         std::to_string(t.w) + "x" + std::to_string(t.c) + " -> " +
         std::to_string(t.oc) + " k" + std::to_string(t.k) + " s" +
         std::to_string(t.stride) + " d" + std::to_string(t.dilation) +
         (t.same ? " SAME" : " VALID") + (t.depthwise ? " depthwise" : "");
}

Conv2DParams convParams(const ConvCase &t) {
  Conv2DParams p;
  p.batch = t.batch;
  p.inH = t.h;
  p.inW = t.w;
  p.inC = t.c;
  p.kernelH = p.kernelW = t.k;
  p.strideH = p.strideW = t.stride;
  p.dilationH = p.dilationW = t.dilation;
  Padding1D ph = t.same ? tfSamePadding(t.h, t.k, t.stride, t.dilation)
                        : tfValidPadding(t.h, t.k, t.stride, t.dilation);
  Padding1D pw = t.same ? tfSamePadding(t.w, t.k, t.stride, t.dilation)
                        : tfValidPadding(t.w, t.k, t.stride, t.dilation);
  p.outH = ph.out;
  p.outW = pw.out;
  p.padTop = ph.before;
  p.padBottom = ph.after;
  p.padLeft = pw.before;
  p.padRight = pw.after;
  if (t.depthwise) {
    p.depthMultiplier = static_cast<int>(t.oc);
    p.outC = t.c * t.oc;
  } else {
    p.outC = t.oc;
  }
  return p;
}

/// Random small cases: odd and even sizes, strides 1 and 2, dilation 2
/// (stride 1 only, as TF requires), SAME and VALID, batch 1 to 3.
std::vector<ConvCase> convCases(bool depthwise) {
  std::vector<ConvCase> cases;
  std::mt19937 gen(depthwise ? 7 : 3);
  auto pick = [&](int lo, int hi) {
    return std::uniform_int_distribution<int>(lo, hi)(gen);
  };
  for (int i = 0; i < 16; ++i) {
    ConvCase t;
    t.batch = pick(1, 3);
    t.h = pick(3, 7);
    t.w = pick(3, 7);
    t.c = pick(1, 3);
    t.oc = pick(1, 3);
    t.k = pick(1, 3);
    t.stride = pick(1, 2);
    t.dilation = t.stride == 1 && i % 4 == 3 ? 2 : 1;
    t.same = i % 2 == 0;
    t.depthwise = depthwise;
    if (convParams(t).outH > 0 && convParams(t).outW > 0)
      cases.push_back(t);
  }
  return cases;
}

void checkConv(const ConvCase &t) {
  Conv2DParams p = convParams(t);
  int64_t wSize = static_cast<int64_t>(p.kernelH) * p.kernelW * p.inC *
                  (t.depthwise ? t.oc : p.outC);
  std::vector<float> x = randomVec(p.batch * p.inH * p.inW * p.inC, 1);
  std::vector<float> w = randomVec(wSize, 2);
  std::vector<float> r = randomVec(p.batch * p.outH * p.outW * p.outC, 3);
  auto run = [&](const std::vector<float> &in, const std::vector<float> &wt) {
    std::vector<float> y(r.size());
    if (t.depthwise)
      ref::depthwiseConv2d(p, in.data(), wt.data(), nullptr, nullptr, y.data());
    else
      ref::conv2d(p, in.data(), wt.data(), nullptr, nullptr, y.data());
    return y;
  };
  std::vector<float> dx(x.size()), dw(w.size());
  if (t.depthwise) {
    ref::depthwiseConv2dBackwardData(p, r.data(), w.data(), dx.data());
    ref::depthwiseConv2dBackwardFilter(p, x.data(), r.data(), dw.data());
  } else {
    ref::conv2dBackwardData(p, r.data(), w.data(), dx.data());
    ref::conv2dBackwardFilter(p, x.data(), r.data(), dw.data());
  }
  // Linear in each argument: h = 0.1 loses nothing to truncation.
  EXPECT_TRUE(matchesFiniteDifferences(
      [&](const std::vector<float> &v) { return run(v, w); }, x, r, dx, 0.1f))
      << "data gradient, " << describe(t);
  EXPECT_TRUE(matchesFiniteDifferences(
      [&](const std::vector<float> &v) { return run(x, v); }, w, r, dw, 0.1f))
      << "filter gradient, " << describe(t);
}

/// The random cases must cover what the doc comments promise.
void expectCoverage(const std::vector<ConvCase> &cases) {
  bool stride2 = false, dilated = false, same = false, valid = false,
       batched = false, odd = false;
  for (const ConvCase &t : cases) {
    stride2 |= t.stride == 2;
    dilated |= t.dilation == 2;
    same |= t.same;
    valid |= !t.same;
    batched |= t.batch > 1;
    odd |= t.h % 2 == 1 || t.w % 2 == 1;
  }
  EXPECT_TRUE(stride2 && dilated && same && valid && batched && odd);
}

TEST(Backward, Conv2dDataAndFilter) {
  std::vector<ConvCase> cases = convCases(false);
  expectCoverage(cases);
  for (const ConvCase &t : cases)
    checkConv(t);
}

TEST(Backward, DepthwiseConv2dDataAndFilter) {
  std::vector<ConvCase> cases = convCases(true);
  expectCoverage(cases);
  for (const ConvCase &t : cases)
    checkConv(t);
}

TEST(Backward, Conv2dStrideSkipsTheTailByHand) {
  // 1-D 4 -> 2, k 1, stride 2, VALID: input 1 and 3 feed nothing.
  ConvCase t{1, 1, 4, 1, 1, 1, 2, 1, false, false};
  Conv2DParams p = convParams(t);
  ASSERT_EQ(p.outW, 2);
  float w = 3.0f, dy[2] = {1.0f, 2.0f}, dx[4];
  ref::conv2dBackwardData(p, dy, &w, dx);
  EXPECT_EQ(std::vector<float>(dx, dx + 4), (std::vector<float>{3, 0, 6, 0}));
}

TEST(Backward, FullyConnected) {
  for (auto [m, k, n] :
       {std::tuple<int, int, int>{1, 3, 2}, {4, 5, 3}, {3, 1, 7}}) {
    FullyConnectedParams p;
    p.m = m;
    p.k = k;
    p.n = n;
    std::vector<float> x = randomVec(m * k, 4), w = randomVec(k * n, 5);
    std::vector<float> r = randomVec(m * n, 6), dx(m * k), dw(k * n);
    auto run = [&](const std::vector<float> &a, const std::vector<float> &b) {
      std::vector<float> y(m * n);
      ref::fullyConnected(p, a.data(), b.data(), nullptr, nullptr, y.data());
      return y;
    };
    ref::fullyConnectedBackward(p, x.data(), w.data(), r.data(), dx.data(),
                                dw.data());
    EXPECT_TRUE(matchesFiniteDifferences(
        [&](const std::vector<float> &v) { return run(v, w); }, x, r, dx,
        0.1f));
    EXPECT_TRUE(matchesFiniteDifferences(
        [&](const std::vector<float> &v) { return run(x, v); }, w, r, dw,
        0.1f));
  }
}

//===----------------------------------------------------------------------===//
// Bias, broadcasting add, mean
//===----------------------------------------------------------------------===//

TEST(Backward, BiasOfBiasActivation) {
  const int64_t outer = 6, c = 4;
  std::vector<float> x = randomVec(outer * c, 7), b = randomVec(c, 8);
  std::vector<float> r = randomVec(outer * c, 9), db(c);
  ref::biasBackward(r.data(), outer, c, db.data());
  EXPECT_TRUE(matchesFiniteDifferences(
      [&](const std::vector<float> &v) {
        std::vector<float> y(outer * c);
        ref::biasActivation(x.data(), v.data(), y.data(), outer, c,
                            Activation::None);
        return y;
      },
      b, r, db, 0.1f));
}

TEST(Backward, BroadcastingAdd) {
  const int64_t aShape[4] = {2, 1, 3, 1}, bShape[4] = {1, 4, 3, 5};
  const int64_t yShape[4] = {2, 4, 3, 5};
  std::vector<float> a = randomVec(6, 10), b = randomVec(60, 11);
  std::vector<float> r = randomVec(120, 12), da(6), db(60);
  auto run = [&](const std::vector<float> &u, const std::vector<float> &v) {
    std::vector<float> y(120);
    ref::binary(Binary::Add, u.data(), aShape, v.data(), bShape, y.data(),
                yShape, 4);
    return y;
  };
  ref::broadcastBackward(r.data(), yShape, aShape, 4, da.data());
  ref::broadcastBackward(r.data(), yShape, bShape, 4, db.data());
  EXPECT_TRUE(matchesFiniteDifferences(
      [&](const std::vector<float> &v) { return run(v, b); }, a, r, da, 0.1f));
  EXPECT_TRUE(matchesFiniteDifferences(
      [&](const std::vector<float> &v) { return run(a, v); }, b, r, db, 0.1f));
}

TEST(Backward, GlobalAndAxisMeans) {
  for (int64_t batch : {1, 3}) {
    const int64_t h = 3, w = 5, c = 2;
    std::vector<float> x = randomVec(batch * h * w * c, 13);
    std::vector<float> r = randomVec(batch * c, 14), dx(x.size());
    ref::globalAvgPoolBackward(batch, h, w, c, r.data(), dx.data());
    EXPECT_TRUE(matchesFiniteDifferences(
        [&](const std::vector<float> &v) {
          std::vector<float> y(batch * c);
          ref::globalAvgPool(batch, h, w, c, v.data(), y.data());
          return y;
        },
        x, r, dx, 0.1f));
  }
  const int64_t shape[3] = {2, 3, 4};
  for (Reduce kind : {Reduce::Sum, Reduce::Mean})
    for (auto reduced :
         {std::vector<int>{0, 1, 0}, std::vector<int>{1, 0, 1}}) {
      int64_t outs = 1;
      for (int d = 0; d < 3; ++d)
        outs *= reduced[d] ? 1 : shape[d];
      std::vector<float> x = randomVec(24, 15), r = randomVec(outs, 16);
      std::vector<float> dx(24);
      ref::reduceBackward(kind, r.data(), shape, reduced.data(), 3, dx.data());
      EXPECT_TRUE(matchesFiniteDifferences(
          [&](const std::vector<float> &v) {
            std::vector<float> y(outs);
            ref::reduce(kind, v.data(), shape, reduced.data(), 3, y.data());
            return y;
          },
          x, r, dx, 0.1f));
    }
}

//===----------------------------------------------------------------------===//
// Pooling
//===----------------------------------------------------------------------===//

Pool2DParams poolParams(int64_t batch, int64_t h, int64_t w, int64_t c, int k,
                        int s, bool same) {
  Pool2DParams p;
  p.batch = batch;
  p.inH = h;
  p.inW = w;
  p.channels = c;
  p.kernelH = p.kernelW = k;
  p.strideH = p.strideW = s;
  Padding1D ph = same ? tfSamePadding(h, k, s) : tfValidPadding(h, k, s);
  Padding1D pw = same ? tfSamePadding(w, k, s) : tfValidPadding(w, k, s);
  p.outH = ph.out;
  p.outW = pw.out;
  p.padTop = ph.before;
  p.padBottom = ph.after;
  p.padLeft = pw.before;
  p.padRight = pw.after;
  return p;
}

TEST(Backward, MaxAndAvgPool) {
  int n = 0;
  for (int64_t batch : {1, 2})
    for (auto [h, w] : {std::pair<int, int>{5, 7}, {6, 4}})
      for (int k : {2, 3})
        for (int s : {1, 2})
          for (bool same : {true, false}) {
            Pool2DParams p = poolParams(batch, h, w, 2, k, s, same);
            int64_t count = batch * h * w * 2;
            // Distinct values 0.05 apart, shuffled: every window has a
            // unique max with a margin of 0.05 > 2h.
            std::vector<float> x(count);
            for (int64_t i = 0; i < count; ++i)
              x[i] = 0.05f * static_cast<float>(i) - 1.0f;
            std::shuffle(x.begin(), x.end(), std::mt19937(++n));
            std::vector<float> r = randomVec(batch * p.outH * p.outW * 2, n);
            std::vector<float> dmax(count), davg(count);
            ref::maxPool2dBackward(p, x.data(), r.data(), dmax.data());
            ref::avgPool2dBackward(p, r.data(), davg.data());
            auto run = [&](bool max) {
              return [&, max](const std::vector<float> &v) {
                std::vector<float> y(r.size());
                if (max)
                  ref::maxPool2d(p, v.data(), y.data());
                else
                  ref::avgPool2d(p, v.data(), y.data());
                return y;
              };
            };
            std::string what = "k" + std::to_string(k) + " s" +
                               std::to_string(s) + (same ? " SAME" : " VALID");
            EXPECT_TRUE(matchesFiniteDifferences(run(true), x, r, dmax, 0.01f))
                << "max " << what;
            EXPECT_TRUE(matchesFiniteDifferences(run(false), x, r, davg, 0.1f))
                << "avg " << what;
          }
}

TEST(Backward, MaxPoolTiesGoToTheFirstMaxLikeTf) {
  // Values from tf.raw_ops.MaxPoolGrad (TF 2.12.1, CPU): 2x2 VALID stride
  // 1 windows over [[1,3,3],[3,2,3],[0,3,1]] with dy = 1 everywhere gave
  // [[0,2,0],[1,0,1],[0,0,0]]: each window's first max in row-major order.
  Pool2DParams p = poolParams(1, 3, 3, 1, 2, 1, false);
  std::vector<float> x = {1, 3, 3, 3, 2, 3, 0, 3, 1}, dy(4, 1.0f), dx(9);
  ref::maxPool2dBackward(p, x.data(), dy.data(), dx.data());
  EXPECT_EQ(dx, (std::vector<float>{0, 2, 0, 1, 0, 1, 0, 0, 0}));
  // All equal, 3x3 SAME stride 2 (pads 1 and 1): TF gave dy[i] to the
  // first in-bounds element of each window, never a padded one.
  p = poolParams(1, 3, 3, 1, 3, 2, true);
  std::vector<float> flat(9, 5.0f), g = {1, 10, 100, 1000};
  ref::maxPool2dBackward(p, flat.data(), g.data(), dx.data());
  EXPECT_EQ(dx, (std::vector<float>{1, 10, 0, 100, 1000, 0, 0, 0, 0}));
}

TEST(Backward, AvgPoolSameBorderDividesByValidCount) {
  // 2x2 input, 3x3 SAME stride 1: every window holds all 4 elements
  // (divisor 4 after the forward's valid-count rule), 4 windows.
  Pool2DParams p = poolParams(1, 2, 2, 1, 3, 1, true);
  std::vector<float> dy = {4, 8, 12, 16}, dx(4);
  ref::avgPool2dBackward(p, dy.data(), dx.data());
  EXPECT_EQ(dx, std::vector<float>(4, 10.0f));
}

//===----------------------------------------------------------------------===//
// Activations
//===----------------------------------------------------------------------===//

TEST(Backward, EveryActivation) {
  // Away from the kinks at 0 and 6 by more than h.
  std::vector<float> x = randomVec(64, 17, -8.0f, 8.0f);
  for (float &v : x) {
    if (std::fabs(v) < 0.05f)
      v += 0.1f;
    if (std::fabs(v - 6.0f) < 0.05f)
      v += 0.1f;
  }
  std::vector<float> r = randomVec(64, 18);
  for (Pointwise f :
       {Pointwise::None, Pointwise::Relu, Pointwise::Relu6, Pointwise::Sigmoid,
        Pointwise::Tanh, Pointwise::Elu, Pointwise::Softplus,
        Pointwise::LeakyRelu, Pointwise::Selu}) {
    std::vector<float> dx(64);
    ref::pointwiseBackward(f, 0.2f, x.data(), r.data(), dx.data(), 64);
    EXPECT_TRUE(matchesFiniteDifferences(
        [&](const std::vector<float> &v) {
          std::vector<float> y(64);
          ref::pointwise(f, 0.2f, v.data(), y.data(), 64);
          return y;
        },
        x, r, dx, 1e-2f))
        << "pointwise " << static_cast<int>(f);
  }
}

TEST(Backward, ActivationKinksFollowTf) {
  // ReluGrad: x > 0; Relu6Grad: 0 < x < 6; LeakyReluGrad: alpha at 0;
  // EluGrad at 0: 1.
  float x[3] = {0.0f, 6.0f, -1.0f}, dy[3] = {1, 1, 1}, dx[3];
  ref::pointwiseBackward(Pointwise::Relu, 0, x, dy, dx, 3);
  EXPECT_EQ(std::vector<float>(dx, dx + 3), (std::vector<float>{0, 1, 0}));
  ref::pointwiseBackward(Pointwise::Relu6, 0, x, dy, dx, 3);
  EXPECT_EQ(std::vector<float>(dx, dx + 3), (std::vector<float>{0, 0, 0}));
  ref::pointwiseBackward(Pointwise::LeakyRelu, 0.25f, x, dy, dx, 3);
  EXPECT_EQ(std::vector<float>(dx, dx + 3),
            (std::vector<float>{0.25f, 1, 0.25f}));
  ref::activationBackward(Activation::Elu, x, dy, dx, 1);
  EXPECT_EQ(dx[0], 1.0f);
}

//===----------------------------------------------------------------------===//
// Concat, pad
//===----------------------------------------------------------------------===//

TEST(Backward, ConcatChannels) {
  const int64_t outer = 5, srcC[3] = {2, 1, 3};
  std::vector<float> a = randomVec(10, 19), b = randomVec(5, 20),
                     c = randomVec(15, 21), r = randomVec(30, 22);
  std::vector<float> da(10), db(5), dc(15);
  float *ds[3] = {da.data(), db.data(), dc.data()};
  ref::concatChannelsBackward(outer, 3, srcC, r.data(), ds);
  auto run = [&](const std::vector<float> &u, const std::vector<float> &v,
                 const std::vector<float> &w) {
    const float *srcs[3] = {u.data(), v.data(), w.data()};
    std::vector<float> y(30);
    ref::concatChannels(outer, 3, srcs, srcC, y.data());
    return y;
  };
  EXPECT_TRUE(matchesFiniteDifferences(
      [&](const std::vector<float> &v) { return run(v, b, c); }, a, r, da,
      0.1f));
  EXPECT_TRUE(matchesFiniteDifferences(
      [&](const std::vector<float> &v) { return run(a, v, c); }, b, r, db,
      0.1f));
  EXPECT_TRUE(matchesFiniteDifferences(
      [&](const std::vector<float> &v) { return run(a, b, v); }, c, r, dc,
      0.1f));
}

TEST(Backward, PadAllModes) {
  const int64_t dims[3] = {2, 4, 3};
  const int64_t padding[6] = {0, 1, 2, 3, 1, 0}; // out 3 x 9 x 4
  std::vector<float> x = randomVec(24, 23), r = randomVec(108, 24);
  for (PadMode mode :
       {PadMode::Constant, PadMode::Reflect, PadMode::Symmetric}) {
    std::vector<float> dx(24);
    ref::padBackward(r.data(), dx.data(), 3, dims, padding, mode);
    EXPECT_TRUE(matchesFiniteDifferences(
        [&](const std::vector<float> &v) {
          std::vector<float> y(108);
          ref::pad(v.data(), y.data(), 3, dims, padding, mode, 0.5f);
          return y;
        },
        x, r, dx, 0.1f))
        << "mode " << static_cast<int>(mode);
  }
}

namespace tf {
#include "tf/optimizer_expected.inc"
} // namespace tf

//===----------------------------------------------------------------------===//
// Batch norm (training mode)
//===----------------------------------------------------------------------===//

TEST(Backward, BatchNormTrainingAllThreeGradients) {
  for (int64_t outer : {2, 9, 18}) {
    const int64_t c = 3;
    const float eps = 1e-3f;
    std::vector<float> x = randomVec(outer * c, 25, -2.0f, 2.0f);
    std::vector<float> gamma = randomVec(c, 26, 0.5f, 1.5f),
                       beta = randomVec(c, 27), r = randomVec(outer * c, 28);
    std::vector<float> mean(c), var(c), inv(c), y(outer * c);
    ref::batchNormTraining(x.data(), y.data(), outer, c, gamma.data(),
                           beta.data(), eps, mean.data(), var.data(),
                           inv.data());
    std::vector<float> dx(outer * c), dg(c), db(c);
    ref::batchNormTrainingBackward(x.data(), r.data(), outer, c, gamma.data(),
                                   mean.data(), inv.data(), dx.data(),
                                   dg.data(), db.data());
    auto run = [&](const std::vector<float> &xv, const std::vector<float> &gv,
                   const std::vector<float> &bv) {
      std::vector<float> out(outer * c), m(c), v(c), s(c);
      ref::batchNormTraining(xv.data(), out.data(), outer, c, gv.data(),
                             bv.data(), eps, m.data(), v.data(), s.data());
      return out;
    };
    EXPECT_TRUE(matchesFiniteDifferences(
        [&](const std::vector<float> &v) { return run(v, gamma, beta); }, x, r,
        dx))
        << "dx, outer " << outer;
    EXPECT_TRUE(matchesFiniteDifferences(
        [&](const std::vector<float> &v) { return run(x, v, beta); }, gamma, r,
        dg, 0.1f));
    EXPECT_TRUE(matchesFiniteDifferences(
        [&](const std::vector<float> &v) { return run(x, gamma, v); }, beta, r,
        db, 0.1f));
  }
}

TEST(Backward, BatchNormTrainingStatisticsByHand) {
  // One channel, x = {1, 2, 3, 6}: mean 3, biased variance (4+1+0+9)/4 =
  // 3.5; Bessel-corrected 14/3.
  float x[4] = {1, 2, 3, 6}, y[4], mean, var, inv, corrected;
  ref::batchNormTraining(x, y, 4, 1, nullptr, nullptr, 0.0f, &mean, &var, &inv);
  EXPECT_FLOAT_EQ(mean, 3.0f);
  EXPECT_FLOAT_EQ(var, 3.5f);
  EXPECT_FLOAT_EQ(y[3], static_cast<float>(3.0 / std::sqrt(3.5)));
  ref::besselCorrectVariance(&var, 4, 1, &corrected);
  EXPECT_FLOAT_EQ(corrected, 14.0f / 3.0f);
  // assign_moving_average: 1 - (1 - 3) * 0.1 = 1.2.
  float moving = 1.0f;
  ref::movingAverageUpdate(&moving, &mean, 1, 0.9);
  EXPECT_FLOAT_EQ(moving, 1.2f);
}

TEST(Backward, BatchNormTrainingStepMatchesSlim) {
  // One step of slim.batch_norm(decay=0.9, is_training=True) in TF 2.12.1
  // (its default fused path): output with the biased batch variance; the
  // moving mean fed the batch mean and the moving variance fed the
  // Bessel-corrected variance, both through assign_moving_average's form.
  const int64_t outer = 18, c = 2;
  std::vector<float> y(outer * c), mean(c), var(c), inv(c), corrected(c);
  ref::batchNormTraining(tf::kTfBnInput, y.data(), outer, c, nullptr, nullptr,
                         1e-3f, mean.data(), var.data(), inv.data());
  ref::besselCorrectVariance(var.data(), outer, c, corrected.data());
  std::vector<float> movingMean(c, 0.0f), movingVar(c, 1.0f);
  ref::movingAverageUpdate(movingMean.data(), mean.data(), c, 0.9);
  ref::movingAverageUpdate(movingVar.data(), corrected.data(), c, 0.9);
  // TF's statistics are float sums, ours double: a few ulps.
  for (int64_t i = 0; i < outer * c; ++i)
    EXPECT_NEAR(y[i], tf::kTfBnOutput[i], 2e-6) << i;
  for (int64_t ch = 0; ch < c; ++ch) {
    EXPECT_NEAR(movingMean[ch], tf::kTfBnMovingMean[ch], 1e-7) << ch;
    EXPECT_NEAR(movingVar[ch], tf::kTfBnMovingVariance[ch], 1e-6) << ch;
  }
}

//===----------------------------------------------------------------------===//
// Losses and regularizers
//===----------------------------------------------------------------------===//

TEST(Backward, SoftmaxCrossEntropyMatchesTf) {
  // tf.losses.softmax_cross_entropy(label_smoothing=0.1, reduction=NONE)
  // and its gradient from TF 2.12.1 (tf/optimizer_expected.py); the second
  // row's logits span 70, which a naive exp would overflow in float.
  const float logits[8] = {2.0f, -1.0f, 0.5f, 3.0f, -30.0f, 40.0f, 0.0f, 1.0f};
  const float labels[8] = {0, 0, 0, 1, 1, 0, 0, 0};
  const float dloss[2] = {1.0f, 1.0f};
  float loss[2], dlogits[8];
  ref::softmaxCrossEntropy(logits, labels, 2, 4, 0.1f, loss, dloss, dlogits);
  // TF works in float, we in double: agree to a few float ulps.
  for (int r = 0; r < 2; ++r)
    EXPECT_NEAR(loss[r], tf::kTfXentLoss[r], 2e-6 * tf::kTfXentLoss[r]);
  for (int j = 0; j < 8; ++j)
    EXPECT_NEAR(dlogits[j], tf::kTfXentGrad[j], 1e-6);
  // By hand: row 2 is ~one-hot on class 1 after softmax, so its smoothed
  // loss is sum t_j (40 - z_j) = 0.925 * 70 + 0.025 * (0 + 40 + 39).
  EXPECT_NEAR(loss[1], 0.925 * 70 + 0.025 * (0 + 40 + 39), 1e-4);
}

TEST(Backward, SoftmaxCrossEntropyFiniteDifferences) {
  const int64_t rows = 3, cols = 5;
  std::vector<float> z = randomVec(rows * cols, 29, -3.0f, 3.0f);
  std::vector<float> labels = randomVec(rows * cols, 30, 0.0f, 1.0f);
  for (int64_t r = 0; r < rows; ++r) { // rows summing to 1
    double s = 0;
    for (int64_t j = 0; j < cols; ++j)
      s += labels[r * cols + j];
    for (int64_t j = 0; j < cols; ++j)
      labels[r * cols + j] = static_cast<float>(labels[r * cols + j] / s);
  }
  std::vector<float> dloss = randomVec(rows, 31), dz(rows * cols);
  std::vector<int64_t> classes = {4, 0, 2};
  for (float ls : {0.0f, 0.2f}) {
    ref::softmaxCrossEntropy(z.data(), labels.data(), rows, cols, ls, nullptr,
                             dloss.data(), dz.data());
    EXPECT_TRUE(matchesFiniteDifferences(
        [&](const std::vector<float> &v) {
          std::vector<float> loss(rows);
          ref::softmaxCrossEntropy(v.data(), labels.data(), rows, cols, ls,
                                   loss.data(), nullptr, nullptr);
          return loss;
        },
        z, dloss, dz))
        << "label_smoothing " << ls;
  }
  ref::sparseSoftmaxCrossEntropy(z.data(), classes.data(), rows, cols, nullptr,
                                 dloss.data(), dz.data());
  EXPECT_TRUE(matchesFiniteDifferences(
      [&](const std::vector<float> &v) {
        std::vector<float> loss(rows);
        ref::sparseSoftmaxCrossEntropy(v.data(), classes.data(), rows, cols,
                                       loss.data(), nullptr, nullptr);
        return loss;
      },
      z, dloss, dz));
}

TEST(Backward, SparseAndDenseCrossEntropyAgreeAndStayFinite) {
  const float z[3] = {1000.0f, -1000.0f, 999.0f};
  const float onehot[3] = {0, 0, 1};
  const int64_t cls = 2;
  const float one = 1.0f;
  float l1, l2, g1[3], g2[3];
  ref::softmaxCrossEntropy(z, onehot, 1, 3, 0.0f, &l1, &one, g1);
  ref::sparseSoftmaxCrossEntropy(z, &cls, 1, 3, &l2, &one, g2);
  // log(1 + e^-1) + 1 = 1.3132617.
  EXPECT_NEAR(l1, 1.3132617, 1e-6);
  EXPECT_NEAR(l2, 1.3132617, 1e-6);
  for (int j = 0; j < 3; ++j)
    EXPECT_NEAR(g1[j], g2[j], 1e-7);
  EXPECT_NEAR(g1[0], 1.0 / (1.0 + std::exp(-1.0)), 1e-6);
  const int64_t bad = 3;
  ref::sparseSoftmaxCrossEntropy(z, &bad, 1, 3, &l2, &one, g2);
  EXPECT_TRUE(std::isnan(l2));
}

TEST(Backward, Regularizers) {
  std::vector<float> w = {0.5f, -2.0f, 0.0f, 1.5f};
  std::vector<float> dw(4, 1.0f); // adds into an existing gradient
  EXPECT_FLOAT_EQ(ref::l2Regularizer(w.data(), 4, 0.1f, dw.data()),
                  0.1f * (0.25f + 4.0f + 2.25f) / 2.0f);
  const float wantL2[4] = {1.05f, 0.8f, 1.0f, 1.15f};
  for (int i = 0; i < 4; ++i)
    EXPECT_FLOAT_EQ(dw[i], wantL2[i]) << i;
  std::fill(dw.begin(), dw.end(), 0.0f);
  EXPECT_FLOAT_EQ(ref::l1Regularizer(w.data(), 4, 0.1f, dw.data()), 0.4f);
  EXPECT_EQ(dw, (std::vector<float>{0.1f, -0.1f, 0.0f, 0.1f}));
  // Finite differences of the L2 loss (smooth everywhere).
  std::vector<float> x = randomVec(10, 32), g(10, 0.0f), one = {1.0f};
  ref::l2Regularizer(x.data(), 10, 0.3f, g.data());
  EXPECT_TRUE(matchesFiniteDifferences(
      [&](const std::vector<float> &v) {
        return std::vector<float>{
            ref::l2Regularizer(v.data(), 10, 0.3f, nullptr)};
      },
      x, one, g));
}

} // namespace
