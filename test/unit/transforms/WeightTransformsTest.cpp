//===- WeightTransformsTest.cpp - Load-time weight transform arithmetic ---===//
//
// slim-inference-simplify and slim-fuse rewrite
//   conv(x, w) [+ b] -> batch_norm(mean, var, beta, gamma) [-> residual add]
// into
//   fused_conv(x, w') + b'   with (s, t) = bn_scale_shift(...),
//                                 (w', b') = fold_scale_shift(w, b, s, t)
// and slim-pack-weights sizes the packed buffers with packedFilterSize. The
// generated prepare() implements these ops with the runtime's kernels
// (slim/kernels/pack.h). These tests check that the rewritten program
// computes what the original one does, on small layers evaluated directly
// from TF-Slim's definitions, and that the compiler's packed sizes are the
// runtime's.
//
//===----------------------------------------------------------------------===//

#include "dialects/Slim/IR/ShapeRules.h"

#include "slim/kernels/pack.h"

#include "gtest/gtest.h"

#include <cmath>
#include <random>
#include <vector>

using namespace mlir::slim;
namespace k = slim::kernels;

namespace {

std::vector<float> randomVector(size_t n, std::mt19937 &rng, float lo,
                                float hi) {
  std::uniform_real_distribution<float> dist(lo, hi);
  std::vector<float> v(n);
  for (float &x : v)
    x = dist(rng);
  return v;
}

/// Direct NHWC conv2d with HWIO weights, SAME-style explicit pads, stride 1;
/// `depthwise` uses [kh][kw][C][mult] weights.
std::vector<float> conv(const std::vector<float> &x, int h, int w, int c,
                        const std::vector<float> &f, int kh, int kw, int cout,
                        bool depthwise) {
  int pt = (kh - 1) / 2, pl = (kw - 1) / 2;
  std::vector<float> y(size_t(h) * w * cout, 0.0f);
  for (int oy = 0; oy < h; ++oy)
    for (int ox = 0; ox < w; ++ox)
      for (int o = 0; o < cout; ++o) {
        double acc = 0.0;
        for (int ky = 0; ky < kh; ++ky)
          for (int kx = 0; kx < kw; ++kx) {
            int iy = oy + ky - pt, ix = ox + kx - pl;
            if (iy < 0 || iy >= h || ix < 0 || ix >= w)
              continue;
            const float *px = &x[(size_t(iy) * w + ix) * c];
            if (depthwise) {
              int mult = cout / c;
              acc +=
                  double(px[o / mult]) * f[(size_t(ky) * kw + kx) * cout + o];
              continue;
            }
            for (int i = 0; i < c; ++i)
              acc += double(px[i]) *
                     f[((size_t(ky) * kw + kx) * c + i) * cout + o];
          }
        y[(size_t(oy) * w + ox) * cout + o] = float(acc);
      }
  return y;
}

/// TF-Slim's inference batch norm, unfolded, on the last axis.
void batchNorm(std::vector<float> &y, int cout, const float *mean,
               const float *var, const float *beta, const float *gamma,
               float eps) {
  for (size_t i = 0; i < y.size(); ++i) {
    int o = int(i % cout);
    float g = gamma ? gamma[o] : 1.0f, b = beta ? beta[o] : 0.0f;
    y[i] = (y[i] - mean[o]) / std::sqrt(var[o] + eps) * g + b;
  }
}

struct FoldCase {
  bool depthwise;
  bool bias;
  bool beta;
  bool gamma;
};

class FoldBatchNorm : public ::testing::TestWithParam<FoldCase> {};

TEST_P(FoldBatchNorm, FoldedLayerEqualsLayerThenBatchNorm) {
  const FoldCase p = GetParam();
  std::mt19937 rng(1234);
  const int h = 5, w = 6, c = 3, kh = 3, kw = 3;
  const int cout = p.depthwise ? 2 * c : 7;
  const float eps = 1e-3f;
  size_t filterSize = size_t(kh) * kw * (p.depthwise ? cout : c * cout);
  auto x = randomVector(size_t(h) * w * c, rng, -1, 1);
  auto f = randomVector(filterSize, rng, -1, 1);
  auto bias = randomVector(cout, rng, -1, 1);
  auto mean = randomVector(cout, rng, -1, 1);
  auto var = randomVector(cout, rng, 0.01f, 2);
  auto beta = randomVector(cout, rng, -1, 1);
  auto gamma = randomVector(cout, rng, 0.5f, 2);

  // The original program: layer, bias_add, batch_norm.
  auto expected = conv(x, h, w, c, f, kh, kw, cout, p.depthwise);
  if (p.bias)
    for (size_t i = 0; i < expected.size(); ++i)
      expected[i] += bias[i % cout];
  batchNorm(expected, cout, mean.data(), var.data(),
            p.beta ? beta.data() : nullptr, p.gamma ? gamma.data() : nullptr,
            eps);

  // The rewritten one: bn_scale_shift, fold_scale_shift (absent bias = 0),
  // then the fused layer with its bias epilogue.
  std::vector<float> scale(cout), shift(cout);
  k::batchNormScaleShift(cout, p.gamma ? gamma.data() : nullptr,
                         p.beta ? beta.data() : nullptr, mean.data(),
                         var.data(), eps, scale.data(), shift.data());
  std::vector<float> folded = f;
  std::vector<float> foldedBias(cout, 0.0f);
  if (p.bias)
    foldedBias = bias;
  // fold_scale_shift views the weights as [outer, C]: C is the trailing
  // [Cout] of HWIO or the trailing [C, mult] of a depthwise filter.
  k::foldScaleShift(folded.data(), int64_t(filterSize) / cout, cout,
                    foldedBias.data(), scale.data(), shift.data());
  auto actual = conv(x, h, w, c, folded, kh, kw, cout, p.depthwise);
  for (size_t i = 0; i < actual.size(); ++i)
    actual[i] += foldedBias[i % cout];

  ASSERT_EQ(actual.size(), expected.size());
  for (size_t i = 0; i < actual.size(); ++i)
    EXPECT_NEAR(actual[i], expected[i], 1e-4f * (1.0f + std::fabs(expected[i])))
        << "at " << i;
}

INSTANTIATE_TEST_SUITE_P(Layers, FoldBatchNorm,
                         ::testing::Values(FoldCase{false, true, true, true},
                                           FoldCase{false, false, true, false},
                                           FoldCase{false, false, false, true},
                                           FoldCase{false, true, false, false},
                                           FoldCase{true, false, true, true},
                                           FoldCase{true, true, false, true}));

TEST(FoldBatchNorm, MatMulFoldsAlongOutputColumns) {
  // fully_connected [K, N] weights: the channel axis is N.
  std::mt19937 rng(7);
  const int m = 3, kDim = 5, n = 4;
  auto x = randomVector(m * kDim, rng, -1, 1);
  auto wt = randomVector(kDim * n, rng, -1, 1);
  auto mean = randomVector(n, rng, -1, 1);
  auto var = randomVector(n, rng, 0.1f, 2);
  auto gamma = randomVector(n, rng, 0.5f, 2);
  std::vector<float> expected(m * n), actual(m * n);
  for (int r = 0; r < m; ++r)
    for (int o = 0; o < n; ++o) {
      float acc = 0;
      for (int i = 0; i < kDim; ++i)
        acc += x[r * kDim + i] * wt[i * n + o];
      expected[r * n + o] = acc;
    }
  batchNorm(expected, n, mean.data(), var.data(), nullptr, gamma.data(), 1e-5f);
  std::vector<float> scale(n), shift(n), bias(n, 0.0f);
  k::batchNormScaleShift(n, gamma.data(), nullptr, mean.data(), var.data(),
                         1e-5f, scale.data(), shift.data());
  k::foldScaleShift(wt.data(), kDim, n, bias.data(), scale.data(),
                    shift.data());
  for (int r = 0; r < m; ++r)
    for (int o = 0; o < n; ++o) {
      float acc = bias[o];
      for (int i = 0; i < kDim; ++i)
        acc += x[r * kDim + i] * wt[i * n + o];
      actual[r * n + o] = acc;
    }
  for (int i = 0; i < m * n; ++i)
    EXPECT_NEAR(actual[i], expected[i],
                1e-4f * (1.0f + std::fabs(expected[i])));
}

TEST(BnScaleShift, MatchesTheDefinition) {
  // scale = gamma / sqrt(var + eps), shift = beta - mean * scale, on values
  // whose results are exact in float.
  const float mean[2] = {1.0f, -2.0f}, var[2] = {3.0f, 0.0f};
  const float gamma[2] = {4.0f, 0.5f}, beta[2] = {0.5f, 1.0f};
  float scale[2], shift[2];
  k::batchNormScaleShift(2, gamma, beta, mean, var, 1.0f, scale, shift);
  EXPECT_FLOAT_EQ(scale[0], 2.0f);
  EXPECT_FLOAT_EQ(shift[0], -1.5f);
  EXPECT_FLOAT_EQ(scale[1], 0.5f);
  EXPECT_FLOAT_EQ(shift[1], 2.0f);
}

TEST(PackedFilterSize, MatchesTheRuntimeKernels) {
  const int64_t v = k::kVec;
  const int64_t channels[] = {1, 3, 7, 8, 9, 16, 17, 64, 1000};
  for (int64_t in : channels)
    for (int64_t out : channels) {
      int64_t conv[4] = {3, 3, in, out};
      EXPECT_EQ(packedFilterSize("conv2d", conv, v),
                k::conv2dPackedSize(3, 3, in, out))
          << in << " -> " << out;
      int64_t fc[2] = {in, out};
      EXPECT_EQ(packedFilterSize("fc", fc, v),
                k::fullyConnectedPackedSize(in, out));
      int64_t whole[4] = {7, 7, in, out};
      EXPECT_EQ(packedFilterSize("fc_blocked", whole, v),
                k::fullyConnectedPackedSize(k::fullyConnectedBlockedK(7, 7, in),
                                            out));
    }
  for (int64_t c : channels)
    for (int64_t mult : {1, 2}) {
      int64_t dw[4] = {3, 3, c, mult};
      EXPECT_EQ(packedFilterSize("depthwise", dw, v),
                k::depthwisePackedSize(3, 3, c * mult));
    }
}

TEST(PackedFilterSize, FollowsThePackedLayouts) {
  // conv2d 3x3, 3 -> 17 channels at width 8: 1 input block, 3 output blocks
  // rounded up to 4 (the microkernel computes pairs), 8x8 per tap.
  int64_t conv[4] = {3, 3, 3, 17};
  EXPECT_EQ(packedFilterSize("conv2d", conv, 8), 4 * 1 * 3 * 3 * 8 * 8);
  EXPECT_EQ(packedFilterSize("conv2d", conv, 16), 2 * 1 * 3 * 3 * 16 * 16);
  // depthwise 3x3 over 5 channels, multiplier 2: 10 outputs, 2 blocks.
  int64_t dw[4] = {3, 3, 5, 2};
  EXPECT_EQ(packedFilterSize("depthwise", dw, 8), 2 * 3 * 3 * 8);
  // fc 100 -> 33 at width 8: panels of 16 columns, 3 of them.
  int64_t fc[2] = {100, 33};
  EXPECT_EQ(packedFilterSize("fc", fc, 8), 3 * 100 * 16);
  // fc_blocked on a 2x2x3 input, 40 outputs at width 8: K' = 1 block * 2 * 2
  // pixels * 8 lanes, 3 panels of 16.
  int64_t whole[4] = {2, 2, 3, 40};
  EXPECT_EQ(packedFilterSize("fc_blocked", whole, 8), 3 * 32 * 16);
}

TEST(PackedFilterSize, RejectsUnknownKindsAndRanks) {
  int64_t conv[4] = {3, 3, 8, 8};
  int64_t fc[2] = {8, 8};
  EXPECT_EQ(packedFilterSize("winograd", conv, 8), -1);
  EXPECT_EQ(packedFilterSize("fc", conv, 8), -1);
  EXPECT_EQ(packedFilterSize("conv2d", fc, 8), -1);
  EXPECT_EQ(packedFilterSize("conv2d", conv, 0), -1);
}

} // namespace
