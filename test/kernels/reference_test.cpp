//===- reference_test.cpp - The oracle against hand-computed cases --------===//
//
// The reference kernels are what everything else is checked against, so they
// are checked here against values worked out by hand from the TF docs.
//
//===----------------------------------------------------------------------===//
#include "slim/kernels/reference.h"

#include <gtest/gtest.h>

#include <cmath>
#include <vector>

using namespace slim::kernels;

namespace {

TEST(Padding, SameSplitsWithTheSmallerHalfFirst) {
  Padding1D p = tfSamePadding(5, 3, 2);
  EXPECT_EQ(p.out, 3);
  EXPECT_EQ(p.before, 1);
  EXPECT_EQ(p.after, 1);
  p = tfSamePadding(4, 3, 2); // total 1: all of it after
  EXPECT_EQ(p.out, 2);
  EXPECT_EQ(p.before, 0);
  EXPECT_EQ(p.after, 1);
  p = tfSamePadding(224, 7, 2); // ResNet conv1: total 5 = 2 + 3
  EXPECT_EQ(p.out, 112);
  EXPECT_EQ(p.before, 2);
  EXPECT_EQ(p.after, 3);
  p = tfSamePadding(6, 1, 2); // would be negative: none
  EXPECT_EQ(p.out, 3);
  EXPECT_EQ(p.before, 0);
  EXPECT_EQ(p.after, 0);
  p = tfSamePadding(10, 3, 1, 2); // dilated: effective kernel 5
  EXPECT_EQ(p.out, 10);
  EXPECT_EQ(p.before, 2);
  EXPECT_EQ(p.after, 2);
}

TEST(Padding, Valid) {
  EXPECT_EQ(tfValidPadding(5, 3, 2).out, 2);
  EXPECT_EQ(tfValidPadding(224, 7, 1).out, 218);
  EXPECT_EQ(tfValidPadding(10, 3, 1, 4).out, 2); // effective kernel 9
  EXPECT_EQ(tfValidPadding(2, 3, 1).out, 0);
  EXPECT_EQ(windowOutputSize(13, 3, 2, 1, 1, 1), 7);
}

Conv2DParams conv(int64_t h, int64_t w, int64_t c, int64_t oc, int k, int s,
                  bool same) {
  Conv2DParams p;
  p.inH = h;
  p.inW = w;
  p.inC = c;
  p.outC = oc;
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

TEST(ReferenceConv, SamePaddingGoesBottomRight) {
  // 3x3 input 1..9, 2x2 ones kernel, SAME: the one padded row/column is
  // after, so out(0,0) sums the top-left 2x2 and out(2,2) is just 9.
  std::vector<float> in = {1, 2, 3, 4, 5, 6, 7, 8, 9};
  std::vector<float> w(4, 1.0f), out(9);
  Conv2DParams p = conv(3, 3, 1, 1, 2, 1, true);
  ref::conv2d(p, in.data(), w.data(), nullptr, nullptr, out.data());
  EXPECT_EQ(out, (std::vector<float>{12, 16, 9, 24, 28, 15, 15, 17, 9}));
}

TEST(ReferenceConv, HwioIndexingBiasAndRelu) {
  // 1x1 pixel, 2 input channels, 2 output channels: out = relu(x W + b).
  std::vector<float> in = {1, 2};
  std::vector<float> w = {1, -3, 10, 1}; // [ic][oc]
  std::vector<float> bias = {0.5f, 0.0f}, out(2);
  Conv2DParams p = conv(1, 1, 2, 2, 1, 1, true);
  p.act = Activation::Relu;
  ref::conv2d(p, in.data(), w.data(), bias.data(), nullptr, out.data());
  EXPECT_EQ(out, (std::vector<float>{21.5f, 0.0f}));
}

TEST(ReferenceConv, DilationAndResidual) {
  // 1x5 input, 1x2 kernel, rate 2, VALID: out[i] = in[i] + 10 in[i+2],
  // plus a residual of 100, then relu6 caps it.
  std::vector<float> in = {1, 2, 3, 4, 5}, w = {1, 10}, res = {100, 0, -100};
  std::vector<float> out(3);
  Conv2DParams p;
  p.inH = 1;
  p.inW = 5;
  p.inC = p.outC = 1;
  p.kernelH = 1;
  p.kernelW = 2;
  p.dilationW = 2;
  p.outH = 1;
  p.outW = tfValidPadding(5, 2, 1, 2).out;
  ASSERT_EQ(p.outW, 3);
  ref::conv2d(p, in.data(), w.data(), nullptr, nullptr, out.data());
  EXPECT_EQ(out, (std::vector<float>{31, 42, 53}));
  p.act = Activation::Relu6;
  ref::conv2d(p, in.data(), w.data(), nullptr, res.data(), out.data());
  EXPECT_EQ(out, (std::vector<float>{6, 6, 0}));
}

TEST(ReferenceConv, StridedValid) {
  // 1x4x4x1 ramp, 2x2 ones, stride 2, VALID: sums of the 4 quadrants.
  std::vector<float> in(16), w(4, 1.0f), out(4);
  for (int i = 0; i < 16; ++i)
    in[i] = static_cast<float>(i);
  Conv2DParams p = conv(4, 4, 1, 1, 2, 2, false);
  ref::conv2d(p, in.data(), w.data(), nullptr, nullptr, out.data());
  EXPECT_EQ(out, (std::vector<float>{10, 18, 42, 50}));
}

TEST(ReferenceDepthwise, MultiplierOrdersChannelsCMajor) {
  // Output channel c * mult + m = in[c] * w[c][m].
  std::vector<float> in = {1, 2}, w = {1, 2, 3, 4}, out(4);
  Conv2DParams p = conv(1, 1, 2, 4, 1, 1, true);
  p.depthMultiplier = 2;
  ref::depthwiseConv2d(p, in.data(), w.data(), nullptr, nullptr, out.data());
  EXPECT_EQ(out, (std::vector<float>{1, 2, 6, 8}));
}

Pool2DParams pool(int64_t h, int64_t w, int k, int s, bool same) {
  Pool2DParams p;
  p.inH = h;
  p.inW = w;
  p.channels = 1;
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

TEST(ReferencePool, AvgDividesByValidElementsOnly) {
  // 3x3 avg pool, stride 1, SAME, on 1..9: the corner averages 4 values,
  // an edge 6, the centre 9.
  std::vector<float> in = {1, 2, 3, 4, 5, 6, 7, 8, 9}, out(9);
  Pool2DParams p = pool(3, 3, 3, 1, true);
  ref::avgPool2d(p, in.data(), out.data());
  EXPECT_FLOAT_EQ(out[0], 12.0f / 4);
  EXPECT_FLOAT_EQ(out[1], 21.0f / 6);
  EXPECT_FLOAT_EQ(out[4], 5.0f);
  EXPECT_FLOAT_EQ(out[8], 28.0f / 4);
}

TEST(ReferencePool, MaxIgnoresPadding) {
  // All negative: a padded zero must never win. 2x2/2 SAME on 3x3 pads one
  // row and column after.
  std::vector<float> in = {-1, -2, -3, -4, -5, -6, -7, -8, -9}, out(4);
  Pool2DParams p = pool(3, 3, 2, 2, true);
  ASSERT_EQ(p.outH, 2);
  ref::maxPool2d(p, in.data(), out.data());
  EXPECT_EQ(out, (std::vector<float>{-1, -3, -7, -9}));
}

TEST(ReferenceFullyConnected, Hand) {
  std::vector<float> x = {1, 2}, w = {1, 2, 3, 4, 5, 6}, b = {0.5f, 0, -100};
  std::vector<float> y(3);
  FullyConnectedParams p;
  p.m = 1;
  p.k = 2;
  p.n = 3;
  p.act = Activation::Relu;
  ref::fullyConnected(p, x.data(), w.data(), b.data(), nullptr, y.data());
  EXPECT_EQ(y, (std::vector<float>{9.5f, 12.0f, 0.0f}));
}

TEST(ReferenceMisc, SoftmaxBatchNormActivations) {
  std::vector<float> x = {0.0f, std::log(3.0f)}, y(2);
  ref::softmax(x.data(), y.data(), 1, 2);
  EXPECT_FLOAT_EQ(y[0], 0.25f);
  EXPECT_FLOAT_EQ(y[1], 0.75f);

  // gamma (x - mean) / sqrt(var + eps) + beta = 2 * 2 / 2 + 1.
  float in = 3, mean = 1, var = 3, gamma = 2, beta = 1, out;
  ref::batchNorm(&in, &out, 1, 1, &gamma, &beta, &mean, &var, 1.0f);
  EXPECT_FLOAT_EQ(out, 3.0f);
  ref::batchNorm(&in, &out, 1, 1, nullptr, nullptr, &mean, &var, 1.0f);
  EXPECT_FLOAT_EQ(out, 1.0f);

  EXPECT_EQ(activate(Activation::Relu6, 7.0f), 6.0f);
  EXPECT_EQ(activate(Activation::Relu6, -1.0f), 0.0f);
  EXPECT_EQ(activate(Activation::Relu, -1.0f), 0.0f);
  EXPECT_FLOAT_EQ(activate(Activation::Elu, -1.0f), std::expm1(-1.0f));
  EXPECT_FLOAT_EQ(activate(Activation::Sigmoid, 0.0f), 0.5f);
  EXPECT_FLOAT_EQ(activate(Activation::Tanh, 1.0f), std::tanh(1.0f));

  std::vector<float> a = {1, 2}, b = {3, 4}, c = {5, 6}, cat(6);
  const float *srcs[] = {a.data(), b.data(), c.data()};
  const int64_t chans[] = {1, 1, 1};
  ref::concatChannels(2, 3, srcs, chans, cat.data());
  EXPECT_EQ(cat, (std::vector<float>{1, 3, 5, 2, 4, 6}));
}

} // namespace
