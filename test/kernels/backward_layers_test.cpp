//===- backward_layers_test.cpp - Layer gradients against differences -----===//
//
// The kernels of backward_reference_layers.h against central differences of
// the matching forward REFERENCE kernel (finite_differences.h; the
// tolerance is backward_test.cpp's, with its reasoning), and the tie rules
// TensorFlow's gradients have (maximum / minimum, reduce_max) by hand.
// Piecewise ops are sampled at points farther than h from their kinks.
//
//===----------------------------------------------------------------------===//
#include "slim/kernels/backward_reference.h"
#include "slim/kernels/reference.h"
#include "slim/kernels/reference3d.h"
#include "slim/kernels/reference_spatial.h"

#include "finite_differences.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

using namespace slim::kernels;
using namespace slim_test;

namespace {

const char *binaryName(Binary k) {
  static const char *names[] = {"add", "sub", "mul", "div", "max", "min"};
  return names[static_cast<int>(k)];
}

/// Values on a grid 0.1 apart shifted by `offset`: two vectors with offsets
/// 0.03 and 0.07 never come closer than 0.04 (max / min kinks stay more
/// than h = 0.01 away).
std::vector<float> gridVec(size_t n, uint32_t seed, float offset) {
  std::vector<float> v = randomVec(n, seed);
  for (float &x : v)
    x = std::floor(x * 10.0f) / 10.0f + offset;
  return v;
}

TEST(BackwardLayers, BinaryEveryKindBroadcasting) {
  const int64_t aShape[4] = {2, 1, 3, 1}, bShape[4] = {1, 4, 3, 5};
  const int64_t yShape[4] = {2, 4, 3, 5};
  for (Binary k : {Binary::Add, Binary::Sub, Binary::Mul, Binary::Div,
                   Binary::Max, Binary::Min}) {
    std::vector<float> a = gridVec(6, 20, 0.03f), b = gridVec(60, 21, 0.07f);
    if (k == Binary::Div) // Away from the pole at 0.
      for (float &v : b)
        v = v < 0.0f ? v - 0.5f : v + 0.5f;
    std::vector<float> r = randomVec(120, 22), da(6), db(60);
    auto run = [&](const std::vector<float> &u, const std::vector<float> &v) {
      std::vector<float> y(120);
      ref::binary(k, u.data(), aShape, v.data(), bShape, y.data(), yShape, 4);
      return y;
    };
    ref::binaryBackward(k, a.data(), aShape, b.data(), bShape, r.data(), yShape,
                        4, da.data(), db.data());
    EXPECT_TRUE(matchesFiniteDifferences(
        [&](const std::vector<float> &v) { return run(v, b); }, a, r, da))
        << binaryName(k) << " lhs";
    EXPECT_TRUE(matchesFiniteDifferences(
        [&](const std::vector<float> &v) { return run(a, v); }, b, r, db))
        << binaryName(k) << " rhs";
  }
}

TEST(BackwardLayers, BinaryOneSideOnly) {
  // A scalar-shaped rhs ([1]) and a null lhs output.
  const int64_t aShape[1] = {5}, bShape[1] = {1}, yShape[1] = {5};
  std::vector<float> a = randomVec(5, 23), b = {0.75f}, r = randomVec(5, 24);
  float db = 0.0f;
  ref::binaryBackward(Binary::Mul, a.data(), aShape, b.data(), bShape, r.data(),
                      yShape, 1, nullptr, &db);
  double expect = 0.0;
  for (int i = 0; i < 5; ++i)
    expect += static_cast<double>(r[i]) * a[i];
  EXPECT_NEAR(db, expect, 1e-6);
}

TEST(BackwardLayers, MaximumAndMinimumTiesGoToTheFirstOperandLikeTf) {
  // TF: Maximum's gradient masks with x >= y, Minimum's with x <= y.
  const int64_t s[1] = {2};
  float a[2] = {1.0f, 2.0f}, b[2] = {1.0f, 3.0f}, dy[2] = {5.0f, 7.0f};
  float da[2], db[2];
  ref::binaryBackward(Binary::Max, a, s, b, s, dy, s, 1, da, db);
  EXPECT_EQ(std::vector<float>(da, da + 2), (std::vector<float>{5, 0}));
  EXPECT_EQ(std::vector<float>(db, db + 2), (std::vector<float>{0, 7}));
  ref::binaryBackward(Binary::Min, a, s, b, s, dy, s, 1, da, db);
  EXPECT_EQ(std::vector<float>(da, da + 2), (std::vector<float>{5, 7}));
  EXPECT_EQ(std::vector<float>(db, db + 2), (std::vector<float>{0, 0}));
}

TEST(BackwardLayers, BinaryScalarEveryKindBothOrders) {
  for (Binary k : {Binary::Add, Binary::Sub, Binary::Mul, Binary::Div,
                   Binary::Max, Binary::Min})
    for (bool first : {false, true}) {
      std::vector<float> x = gridVec(12, 25, 0.03f);
      if (k == Binary::Div && first) // s / x: away from x = 0.
        for (float &v : x)
          v = v < 0.0f ? v - 0.5f : v + 0.5f;
      const float s = 0.27f; // Not on x's grid.
      std::vector<float> r = randomVec(12, 26), dx(12);
      ref::binaryScalarBackward(k, x.data(), s, first, r.data(), dx.data(), 12);
      EXPECT_TRUE(matchesFiniteDifferences(
          [&](const std::vector<float> &v) {
            std::vector<float> y(12);
            ref::binaryScalar(k, v.data(), s, first, y.data(), 12);
            return y;
          },
          x, r, dx))
          << binaryName(k) << (first ? " scalar first" : "");
    }
}

TEST(BackwardLayers, Softmax) {
  const int64_t rows = 3, cols = 5;
  std::vector<float> x = randomVec(rows * cols, 27, -2.0f, 2.0f);
  std::vector<float> r = randomVec(rows * cols, 28), y(x.size()), dx(x.size());
  ref::softmax(x.data(), y.data(), rows, cols);
  ref::softmaxBackward(y.data(), r.data(), rows, cols, dx.data());
  EXPECT_TRUE(matchesFiniteDifferences(
      [&](const std::vector<float> &v) {
        std::vector<float> out(v.size());
        ref::softmax(v.data(), out.data(), rows, cols);
        return out;
      },
      x, r, dx));
}

TEST(BackwardLayers, ReduceMaxOverAxes) {
  const int64_t shape[3] = {2, 3, 4};
  for (auto reduced : {std::vector<int>{0, 1, 0}, std::vector<int>{1, 0, 1},
                       std::vector<int>{1, 1, 1}}) {
    // Distinct values 0.05 apart: no tie within h of another.
    std::vector<float> x(24);
    for (int i = 0; i < 24; ++i)
      x[i] = 0.05f * static_cast<float>((i * 7) % 24) - 0.6f;
    int64_t outputs = 1;
    for (int d = 0; d < 3; ++d)
      outputs *= reduced[d] ? 1 : shape[d];
    std::vector<float> r = randomVec(outputs, 29), y(outputs), dx(24);
    ref::reduce(Reduce::Max, x.data(), shape, reduced.data(), 3, y.data());
    ref::reduceMaxBackward(x.data(), y.data(), r.data(), shape, reduced.data(),
                           3, dx.data());
    EXPECT_TRUE(matchesFiniteDifferences(
        [&](const std::vector<float> &v) {
          std::vector<float> out(outputs);
          ref::reduce(Reduce::Max, v.data(), shape, reduced.data(), 3,
                      out.data());
          return out;
        },
        x, r, dx));
  }
}

TEST(BackwardLayers, ReduceMaxSplitsTiesEquallyLikeTf) {
  // TF's _MaxGrad: indicators / number selected * dy.
  const int64_t shape[2] = {2, 3};
  const int reduced[2] = {0, 1};
  float x[6] = {1, 4, 4, 2, 0, 4}, y[2], dy[2] = {6.0f, 3.0f}, dx[6];
  ref::reduce(Reduce::Max, x, shape, reduced, 2, y);
  ref::reduceMaxBackward(x, y, dy, shape, reduced, 2, dx);
  EXPECT_EQ(std::vector<float>(dx, dx + 6),
            (std::vector<float>{0, 3, 3, 0, 0, 3}));
}

TEST(BackwardLayers, TileAndStridedSlice) {
  const int64_t in[3] = {2, 1, 3}, multiples[3] = {2, 3, 1};
  std::vector<float> x = randomVec(6, 30), r = randomVec(36, 31), dx(6);
  ref::tileBackward(r.data(), in, multiples, 3, dx.data());
  EXPECT_TRUE(matchesFiniteDifferences(
      [&](const std::vector<float> &v) {
        std::vector<float> y(36);
        ref::tile(v.data(), in, multiples, 3, y.data());
        return y;
      },
      x, r, dx, 0.1f));

  // [4, 5] -> rows 1, 3 and columns 4, 2, 0 (a negative stride).
  const int64_t dims[2] = {4, 5}, begin[2] = {1, 4}, strides[2] = {2, -2},
                out[2] = {2, 3};
  std::vector<float> s = randomVec(20, 32), rs = randomVec(6, 33), ds(20);
  ref::stridedSliceBackward(rs.data(), ds.data(), 2, dims, begin, strides, out);
  EXPECT_TRUE(matchesFiniteDifferences(
      [&](const std::vector<float> &v) {
        std::vector<float> y(6);
        ref::stridedSlice(v.data(), y.data(), 2, dims, begin, strides, out);
        return y;
      },
      s, rs, ds, 0.1f));
  EXPECT_EQ(ds[0], 0.0f); // Not read: no gradient.
}

TEST(BackwardLayers, FrozenBatchNormAllThreeGradients) {
  const int64_t outer = 6, c = 3;
  std::vector<float> x = randomVec(outer * c, 34), gamma = randomVec(c, 35);
  std::vector<float> beta = randomVec(c, 36), mean = randomVec(c, 37);
  std::vector<float> var = randomVec(c, 38, 0.2f, 2.0f);
  std::vector<float> r = randomVec(outer * c, 39);
  std::vector<float> dx(x.size()), dg(c), db(c);
  ref::batchNormInferenceBackward(x.data(), r.data(), outer, c, gamma.data(),
                                  mean.data(), var.data(), 1e-3f, dx.data(),
                                  dg.data(), db.data());
  auto run = [&](const std::vector<float> &xv, const std::vector<float> &gv,
                 const std::vector<float> &bv) {
    std::vector<float> y(xv.size());
    ref::batchNorm(xv.data(), y.data(), outer, c, gv.data(), bv.data(),
                   mean.data(), var.data(), 1e-3f);
    return y;
  };
  EXPECT_TRUE(matchesFiniteDifferences(
      [&](const std::vector<float> &v) { return run(v, gamma, beta); }, x, r,
      dx, 0.1f));
  EXPECT_TRUE(matchesFiniteDifferences(
      [&](const std::vector<float> &v) { return run(x, v, beta); }, gamma, r,
      dg, 0.1f));
  EXPECT_TRUE(matchesFiniteDifferences(
      [&](const std::vector<float> &v) { return run(x, gamma, v); }, beta, r,
      db, 0.1f));
  // scale=False: gamma null means 1.
  std::vector<float> dx1(x.size());
  ref::batchNormInferenceBackward(x.data(), r.data(), outer, c, nullptr,
                                  mean.data(), var.data(), 1e-3f, dx1.data(),
                                  nullptr, nullptr);
  EXPECT_NEAR(dx1[4], r[4] / std::sqrt(var[1] + 1e-3f), 1e-6);
}

struct GroupNormCase {
  std::vector<int64_t> dims;
  int channelAxis;
  unsigned mask;
  int64_t groups;
  bool onePass;
};

TEST(BackwardLayers, GroupNormAllThreeGradients) {
  for (const GroupNormCase &t :
       {GroupNormCase{{2, 3, 2, 4}, 3, 0b0110u, 2, false},
        GroupNormCase{{2, 3, 2, 4}, 3, 0b0110u, 2, true},
        GroupNormCase{{2, 4, 3}, 1, 0b100u, 1, false},
        GroupNormCase{{3, 2, 6}, 2, 0b010u, 3, false}}) {
    int rank = static_cast<int>(t.dims.size());
    int64_t total = 1, c = t.dims[t.channelAxis];
    for (int64_t d : t.dims)
      total *= d;
    std::vector<float> x = randomVec(total, 40), gamma = randomVec(c, 41);
    std::vector<float> beta = randomVec(c, 42), r = randomVec(total, 43);
    std::vector<float> dx(total), dg(c), db(c);
    ref::groupNormBackward(x.data(), r.data(), rank, t.dims.data(),
                           t.channelAxis, t.mask, t.groups, gamma.data(), 1e-3f,
                           t.onePass, dx.data(), dg.data(), db.data());
    auto run = [&](const std::vector<float> &xv, const std::vector<float> &gv,
                   const std::vector<float> &bv) {
      std::vector<float> y(total);
      ref::groupNorm(xv.data(), y.data(), rank, t.dims.data(), t.channelAxis,
                     t.mask, t.groups, bv.data(), gv.data(), 1e-3f, t.onePass);
      return y;
    };
    std::string what = "groups " + std::to_string(t.groups) +
                       (t.onePass ? " one pass" : "") + " rank " +
                       std::to_string(rank);
    EXPECT_TRUE(matchesFiniteDifferences(
        [&](const std::vector<float> &v) { return run(v, gamma, beta); }, x, r,
        dx))
        << what;
    EXPECT_TRUE(matchesFiniteDifferences(
        [&](const std::vector<float> &v) { return run(x, v, beta); }, gamma, r,
        dg))
        << what;
    EXPECT_TRUE(matchesFiniteDifferences(
        [&](const std::vector<float> &v) { return run(x, gamma, v); }, beta, r,
        db))
        << what;
  }
}

TEST(BackwardLayers, InstanceNorm) {
  const int64_t n = 2, spatial = 6, c = 3;
  std::vector<float> x = randomVec(n * spatial * c, 44),
                     gamma = randomVec(c, 45), beta = randomVec(c, 46);
  std::vector<float> r = randomVec(x.size(), 47), dx(x.size()), dg(c), db(c);
  ref::instanceNormBackward(x.data(), r.data(), n, spatial, c, gamma.data(),
                            1e-3f, dx.data(), dg.data(), db.data());
  auto run = [&](const std::vector<float> &xv, const std::vector<float> &gv) {
    std::vector<float> y(xv.size());
    ref::instanceNorm(xv.data(), y.data(), n, spatial, c, beta.data(),
                      gv.data(), 1e-3f);
    return y;
  };
  EXPECT_TRUE(matchesFiniteDifferences(
      [&](const std::vector<float> &v) { return run(v, gamma); }, x, r, dx));
  EXPECT_TRUE(matchesFiniteDifferences(
      [&](const std::vector<float> &v) { return run(x, v); }, gamma, r, dg));
  double sum = 0.0;
  for (size_t i = 1; i < r.size(); i += c)
    sum += r[i];
  EXPECT_NEAR(db[1], sum, 1e-5);
}

TEST(BackwardLayers, Lrn) {
  const int64_t outer = 4, c = 7;
  for (int64_t radius : {1, 2, 5})
    for (float beta : {0.75f, 0.5f}) {
      std::vector<float> x = randomVec(outer * c, 48, -2.0f, 2.0f);
      std::vector<float> r = randomVec(outer * c, 49), dx(x.size());
      ref::lrnBackward(x.data(), r.data(), outer, c, radius, 1.5f, 0.3f, beta,
                       dx.data());
      EXPECT_TRUE(matchesFiniteDifferences(
          [&](const std::vector<float> &v) {
            std::vector<float> y(v.size());
            ref::lrn(v.data(), y.data(), outer, c, radius, 1.5f, 0.3f, beta);
            return y;
          },
          x, r, dx))
          << "radius " << radius << " beta " << beta;
    }
}

TEST(BackwardLayers, ResizeNearestAndBilinear) {
  struct Case {
    int64_t inH, inW, outH, outW;
    bool align, half;
  };
  for (bool bilinear : {false, true})
    for (Case t :
         {Case{3, 4, 6, 8, false, false}, Case{3, 4, 7, 5, true, false},
          Case{4, 5, 7, 3, false, true}, Case{5, 6, 3, 4, false, false},
          Case{2, 3, 5, 7, true, false}}) {
      const int64_t n = 2, c = 2;
      std::vector<float> x = randomVec(n * t.inH * t.inW * c, 50);
      std::vector<float> r = randomVec(n * t.outH * t.outW * c, 51);
      std::vector<float> dx(x.size());
      ref::resizeBackward(r.data(), dx.data(), n, t.inH, t.inW, c, t.outH,
                          t.outW, bilinear, t.align, t.half);
      // Linear in x: h = 0.1 loses nothing to truncation.
      EXPECT_TRUE(matchesFiniteDifferences(
          [&](const std::vector<float> &v) {
            std::vector<float> y(r.size());
            ref::resize(v.data(), y.data(), n, t.inH, t.inW, c, t.outH, t.outW,
                        bilinear, t.align, t.half);
            return y;
          },
          x, r, dx, 0.1f))
          << (bilinear ? "bilinear " : "nearest ") << t.inH << "x" << t.inW
          << " -> " << t.outH << "x" << t.outW << (t.align ? " align" : "")
          << (t.half ? " half" : "");
    }
}

TEST(BackwardLayers, Conv2dTransposeDataAndFilter) {
  struct Case {
    int64_t batch, inH, inW, inC, outC;
    int k, stride, padTop, padLeft;
    int64_t outH, outW;
  };
  // SAME (out = in * stride) and VALID (out = (in - 1) * stride + k) of
  // slim.conv2d_transpose, and a negative pad (output past the taps).
  for (Case t : {Case{2, 3, 3, 2, 3, 3, 2, 1, 1, 6, 6},
                 Case{1, 3, 4, 1, 2, 2, 2, 0, 0, 6, 8},
                 Case{1, 2, 3, 2, 2, 3, 1, 0, 0, 4, 5},
                 Case{1, 2, 2, 1, 1, 2, 2, -1, 0, 6, 4}}) {
    Conv2DTransposeParams p;
    p.batch = t.batch;
    p.inH = t.inH;
    p.inW = t.inW;
    p.inC = t.inC;
    p.outH = t.outH;
    p.outW = t.outW;
    p.outC = t.outC;
    p.kernelH = p.kernelW = t.k;
    p.strideH = p.strideW = t.stride;
    p.padTop = t.padTop;
    p.padLeft = t.padLeft;
    std::vector<float> x = randomVec(t.batch * t.inH * t.inW * t.inC, 52);
    std::vector<float> w = randomVec(t.k * t.k * t.outC * t.inC, 53);
    std::vector<float> r = randomVec(t.batch * t.outH * t.outW * t.outC, 54);
    std::vector<float> dx(x.size()), dw(w.size());
    ref::conv2dTransposeBackwardData(p, r.data(), w.data(), dx.data());
    ref::conv2dTransposeBackwardFilter(p, x.data(), r.data(), dw.data());
    auto run = [&](const std::vector<float> &in, const std::vector<float> &f) {
      std::vector<float> y(r.size());
      ref::conv2dTranspose(p, in.data(), f.data(), nullptr, nullptr, nullptr,
                           y.data());
      return y;
    };
    std::string what = std::to_string(t.inH) + "x" + std::to_string(t.inW) +
                       " k" + std::to_string(t.k) + " s" +
                       std::to_string(t.stride);
    EXPECT_TRUE(matchesFiniteDifferences(
        [&](const std::vector<float> &v) { return run(v, w); }, x, r, dx, 0.1f))
        << "data, " << what;
    EXPECT_TRUE(matchesFiniteDifferences(
        [&](const std::vector<float> &v) { return run(x, v); }, w, r, dw, 0.1f))
        << "filter, " << what;
  }
}

TEST(BackwardLayers, Conv3dDataAndFilter) {
  struct Case {
    int64_t batch, d, h, w, c, oc;
    int k, stride, dilation, pad;
  };
  for (Case t :
       {Case{2, 3, 4, 3, 2, 3, 2, 1, 1, 1}, Case{1, 5, 4, 5, 1, 2, 3, 2, 1, 1},
        Case{1, 5, 5, 4, 2, 1, 2, 1, 2, 0}}) {
    Conv3DParams p;
    p.batch = t.batch;
    p.inD = t.d;
    p.inH = t.h;
    p.inW = t.w;
    p.inC = t.c;
    p.outC = t.oc;
    p.kernelD = p.kernelH = p.kernelW = t.k;
    p.strideD = p.strideH = p.strideW = t.stride;
    p.dilationD = p.dilationH = p.dilationW = t.dilation;
    p.padFront = p.padTop = p.padLeft = t.pad;
    p.padBack = p.padBottom = p.padRight = 0;
    auto out = [&](int64_t in) {
      return (in + t.pad - (t.k - 1) * t.dilation - 1) / t.stride + 1;
    };
    p.outD = out(t.d);
    p.outH = out(t.h);
    p.outW = out(t.w);
    std::vector<float> x = randomVec(t.batch * t.d * t.h * t.w * t.c, 55);
    std::vector<float> w = randomVec(t.k * t.k * t.k * t.c * t.oc, 56);
    std::vector<float> r =
        randomVec(t.batch * p.outD * p.outH * p.outW * t.oc, 57);
    std::vector<float> dx(x.size()), dw(w.size());
    ref::conv3dBackwardData(p, r.data(), w.data(), dx.data());
    ref::conv3dBackwardFilter(p, x.data(), r.data(), dw.data());
    auto run = [&](const std::vector<float> &in, const std::vector<float> &f) {
      std::vector<float> y(r.size());
      ref::conv3d(p, in.data(), f.data(), nullptr, nullptr, y.data());
      return y;
    };
    EXPECT_TRUE(matchesFiniteDifferences(
        [&](const std::vector<float> &v) { return run(v, w); }, x, r, dx, 0.1f))
        << "data, k" << t.k << " s" << t.stride << " d" << t.dilation;
    EXPECT_TRUE(matchesFiniteDifferences(
        [&](const std::vector<float> &v) { return run(x, v); }, w, r, dw, 0.1f))
        << "filter, k" << t.k << " s" << t.stride << " d" << t.dilation;
  }
}

Pool3DParams pool3dParams(int64_t d, int64_t h, int64_t w, int64_t c, int k,
                          int stride, int pad, int64_t outD, int64_t outH,
                          int64_t outW) {
  Pool3DParams p;
  p.batch = 2;
  p.channels = c;
  p.inD = d;
  p.inH = h;
  p.inW = w;
  p.outD = outD;
  p.outH = outH;
  p.outW = outW;
  p.kernelD = p.kernelH = p.kernelW = k;
  p.strideD = p.strideH = p.strideW = stride;
  p.padFront = p.padTop = p.padLeft = pad;
  p.padBack = p.padBottom = p.padRight = pad;
  return p;
}

TEST(BackwardLayers, MaxAndAvgPool3d) {
  // 3x4x5 -> k2 s2 VALID 1x2x2, and k3 s1 pad 1 (SAME) 3x4x5.
  for (Pool3DParams p : {pool3dParams(3, 4, 5, 2, 2, 2, 0, 1, 2, 2),
                         pool3dParams(3, 4, 5, 2, 3, 1, 1, 3, 4, 5)}) {
    int64_t inCount = p.batch * p.inD * p.inH * p.inW * p.channels;
    int64_t outCount = p.batch * p.outD * p.outH * p.outW * p.channels;
    // Distinct values 0.05 apart: no two within h (or TF's 1e-5) of a tie.
    std::vector<float> x(inCount);
    for (int64_t i = 0; i < inCount; ++i)
      x[i] = 0.05f * static_cast<float>((i * 37) % inCount) - 2.0f;
    std::vector<float> r = randomVec(outCount, 58), dmax(inCount),
                       davg(inCount);
    ref::maxPool3dBackward(p, x.data(), r.data(), dmax.data());
    ref::avgPool3dBackward(p, r.data(), davg.data());
    EXPECT_TRUE(matchesFiniteDifferences(
        [&](const std::vector<float> &v) {
          std::vector<float> y(outCount);
          ref::maxPool3d(p, v.data(), y.data());
          return y;
        },
        x, r, dmax));
    EXPECT_TRUE(matchesFiniteDifferences(
        [&](const std::vector<float> &v) {
          std::vector<float> y(outCount);
          ref::avgPool3d(p, v.data(), y.data());
          return y;
        },
        x, r, davg, 0.1f));
  }
}

TEST(BackwardLayers, Pool3dTiesAndBordersLikeTf) {
  // The 1-D case [1, 3, 3, 2] with window 2 (stride 1, SAME: padding after)
  // and window 3 (SAME: one each side), dy = 1: TensorFlow 2.12 gives
  // max_pool3d [0, 2, 2, 1] (both tied elements get the whole dy) and
  // avg_pool3d [5/6, 7/6, 7/6, 5/6] (padding not counted).
  Pool3DParams p = pool3dParams(1, 1, 4, 1, 1, 1, 0, 1, 1, 4);
  p.batch = 1;
  p.kernelW = 2;
  p.padRight = 1;
  float x[4] = {1, 3, 3, 2}, dy[4] = {1, 1, 1, 1}, dx[4];
  ref::maxPool3dBackward(p, x, dy, dx);
  EXPECT_EQ(std::vector<float>(dx, dx + 4), (std::vector<float>{0, 2, 2, 1}));
  p.kernelW = 3;
  p.padLeft = 1;
  ref::avgPool3dBackward(p, dy, dx);
  EXPECT_NEAR(dx[0], 5.0 / 6.0, 1e-6);
  EXPECT_NEAR(dx[1], 7.0 / 6.0, 1e-6);
  EXPECT_NEAR(dx[2], 7.0 / 6.0, 1e-6);
  EXPECT_NEAR(dx[3], 5.0 / 6.0, 1e-6);
}

} // namespace
