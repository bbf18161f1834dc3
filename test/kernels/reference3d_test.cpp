//===- reference3d_test.cpp - The 3-D reference kernels by hand -----------===//
//
// The oracle of the fast 3-D kernels checked against what they mean: a
// conv3d is the sum over its temporal taps of conv2d's of input frames, a
// 3-D pool counts only in-bounds elements.
//
//===----------------------------------------------------------------------===//
#include "slim/kernels/reference.h"
#include "slim/kernels/reference3d.h"

#include <gtest/gtest.h>

#include <cstdint>
#include <vector>

using namespace slim::kernels;

namespace {

std::vector<float> ramp(int64_t n, float scale) {
  std::vector<float> v(n);
  for (int64_t i = 0; i < n; ++i)
    v[i] = scale * static_cast<float>((i * 7) % 11 - 5);
  return v;
}

TEST(ReferenceConv3D, IsASumOfConv2dOverTemporalTaps) {
  // [1, 4, 5, 5, 3] input, [3, 3, 3, 3, 2] filter, SAME in every axis:
  // output frame t = sum over kd of conv2d(frame t - 1 + kd, w[kd]).
  const int64_t D = 4, H = 5, W = 5, C = 3, K = 2;
  std::vector<float> in = ramp(D * H * W * C, 0.1f);
  std::vector<float> w = ramp(27 * C * K, 0.05f);
  Conv3DParams p;
  p.inD = p.outD = D;
  p.inH = p.outH = H;
  p.inW = p.outW = W;
  p.inC = C;
  p.outC = K;
  p.kernelD = p.kernelH = p.kernelW = 3;
  p.padFront = p.padBack = p.padTop = p.padBottom = p.padLeft = p.padRight = 1;
  std::vector<float> got(D * H * W * K);
  ref::conv3d(p, in.data(), w.data(), nullptr, nullptr, got.data());

  Conv2DParams q;
  q.inH = q.outH = H;
  q.inW = q.outW = W;
  q.inC = C;
  q.outC = K;
  q.kernelH = q.kernelW = 3;
  q.padTop = q.padBottom = q.padLeft = q.padRight = 1;
  std::vector<float> frame(H * W * K);
  for (int64_t t = 0; t < D; ++t) {
    std::vector<double> want(H * W * K, 0.0);
    for (int kd = 0; kd < 3; ++kd) {
      int64_t src = t - 1 + kd;
      if (src < 0 || src >= D)
        continue;
      ref::conv2d(q, in.data() + src * H * W * C, w.data() + kd * 9 * C * K,
                  nullptr, nullptr, frame.data());
      for (size_t i = 0; i < frame.size(); ++i)
        want[i] += frame[i];
    }
    for (int64_t i = 0; i < H * W * K; ++i)
      EXPECT_NEAR(got[t * H * W * K + i], want[i], 1e-5) << t << " " << i;
  }
}

TEST(ReferenceConv3D, TemporalStrideDilationBiasResidualRelu) {
  // One pixel, one channel: the temporal taps at 2 * t - 1 + 2 * kd.
  Conv3DParams p;
  p.inD = 6;
  p.outD = 3;
  p.inH = p.inW = p.outH = p.outW = 1;
  p.inC = p.outC = 1;
  p.kernelD = 2;
  p.strideD = 2;
  p.dilationD = 2;
  p.padFront = 1;
  p.act = Activation::Relu;
  const float in[6] = {1, 2, 3, 4, 5, 6}, w[2] = {10, -1};
  const float bias[1] = {0.5f}, res[3] = {-100, 0, 1};
  float out[3];
  ref::conv3d(p, in, w, bias, res, out);
  // t=0: taps at -1 (pad), 1 -> -2; +0.5 -100 -> relu 0.
  // t=1: taps at 1, 3 -> 20 - 4 = 16.5; t=2: taps 3, 5 -> 40 - 6 + 1.5.
  EXPECT_FLOAT_EQ(out[0], 0.0f);
  EXPECT_FLOAT_EQ(out[1], 16.5f);
  EXPECT_FLOAT_EQ(out[2], 35.5f);
}

TEST(ReferencePool3D, AvgCountsInBoundsOnlyMaxIgnoresPadding) {
  // [1, 2, 2, 2, 1] of -1..-8, a 3x3x3 SAME window at stride 1 covers
  // everything from every output: the mean is -4.5, the max -1.
  Pool3DParams p;
  p.channels = 1;
  p.inD = p.inH = p.inW = p.outD = p.outH = p.outW = 2;
  p.kernelD = p.kernelH = p.kernelW = 3;
  p.padFront = p.padTop = p.padLeft = 1;
  p.padBack = p.padBottom = p.padRight = 1;
  float in[8], avg[8], mx[8];
  for (int i = 0; i < 8; ++i)
    in[i] = -1.0f - i;
  ref::avgPool3d(p, in, avg);
  ref::maxPool3d(p, in, mx);
  for (int i = 0; i < 8; ++i) {
    EXPECT_FLOAT_EQ(avg[i], -4.5f);
    EXPECT_FLOAT_EQ(mx[i], -1.0f);
  }
}

} // namespace
