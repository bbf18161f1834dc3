//===- spatial_test.cpp - Fast spatial kernels vs the reference -----------===//
//
// conv2dTranspose (blocked, packed) against ref::conv2dTranspose on NHWC
// data over strides, kernel sizes, SAME/VALID and uncropped pads, channel
// counts that leave padding lanes, epilogues and thread counts; padNd,
// stridedSliceNd, resizeImage and instanceNorm on dense tensors and on the
// blocked views the generated code passes, against their ref:: versions.
// Blocked results must also keep their padding lanes zero.
//
//===----------------------------------------------------------------------===//
#include "test_util.h"
#include "thread_pool.h"

#include "slim/kernels.h"

#include <gtest/gtest.h>

#include <sstream>
#include <string>
#include <vector>

using namespace slim::kernels;
using slim::test::allClose;
using slim::test::paddingLanesZero;
using slim::test::randomVector;
using slim::test::ThreadPool;
using slim::test::toBlocked;

namespace {

std::vector<float> fromBlocked(const std::vector<float> &b, int64_t n,
                               int64_t h, int64_t w, int64_t c) {
  std::vector<float> out(n * h * w * c);
  blockedToNhwc(b.data(), n, h, w, c, out.data());
  return out;
}

//===----------------------------------------------------------------------===//
// conv2d_transpose
//===----------------------------------------------------------------------===//

struct TConvCase {
  int64_t batch, h, w, inC, outC;
  int kh, kw, sh, sw;
  // The output and pads as slim.conv2d_transpose / tf.nn.conv2d_transpose
  // would give them.
  int64_t outH, outW;
  int padTop, padLeft;
  Activation act;
  bool bias, affine;
  int threads;
};

std::string caseName(const TConvCase &c) {
  std::ostringstream os;
  os << "n" << c.batch << "_" << c.h << "x" << c.w << "_c" << c.inC << "to"
     << c.outC << "_k" << c.kh << "x" << c.kw << "_s" << c.sh << "x" << c.sw
     << "_out" << c.outH << "x" << c.outW << "_p" << c.padTop << "x"
     << c.padLeft << "_" << slim::test::activationName(c.act)
     << (c.bias ? "_bias" : "") << (c.affine ? "_affine" : "") << "_t"
     << c.threads;
  std::string s = os.str();
  for (char &ch : s)
    if (ch == '-')
      ch = 'm';
  return s;
}

/// A case with TF's pads for `same` (or VALID), or an explicit output.
TConvCase makeCase(int64_t n, int64_t h, int64_t w, int64_t inC, int64_t outC,
                   int k, int s, bool same, Activation act, bool bias,
                   bool affine, int threads, int64_t extra = 0) {
  TConvCase c{n, h, w, inC, outC, k, k, s, s, 0, 0, 0, 0, act, bias, affine,
              threads};
  auto dim = [&](int64_t in, int64_t &out, int &before) {
    out = in * s + (same ? 0 : std::max(k - s, 0)) + extra;
    int64_t reach = (in - 1) * s + k;
    before = same ? static_cast<int>(std::max<int64_t>(reach - out, 0) / 2) : 0;
  };
  dim(h, c.outH, c.padTop);
  dim(w, c.outW, c.padLeft);
  return c;
}

std::vector<TConvCase> tconvSweep() {
  std::vector<TConvCase> cases;
  auto A = Activation::None, R = Activation::Relu, S = Activation::Sigmoid,
       T = Activation::Tanh;
  // DCGAN: 4x4 stride 2 SAME, batch norm + relu; the 1x1 -> 4x4 VALID stem.
  cases.push_back(makeCase(2, 4, 4, 24, 20, 4, 2, true, R, false, true, 2));
  cases.push_back(makeCase(1, 1, 1, 10, 40, 4, 1, false, R, false, true, 1));
  // pix2pix / CycleGAN: 4x4 and 3x3 stride 2, VALID with the odd output.
  cases.push_back(makeCase(1, 7, 5, 16, 8, 4, 2, true, A, true, false, 3));
  cases.push_back(makeCase(2, 6, 9, 17, 33, 3, 2, false, R, true, false, 2));
  // Kernel smaller than the stride: output rows no tap reaches.
  cases.push_back(makeCase(1, 5, 4, 8, 7, 1, 2, false, T, true, false, 1));
  cases.push_back(makeCase(1, 5, 6, 5, 9, 2, 3, true, S, true, true, 2));
  // Odd strides and kernels, channels leaving padding lanes, sigmoid.
  cases.push_back(makeCase(1, 9, 11, 3, 5, 5, 3, true, S, true, false, 4));
  cases.push_back(makeCase(1, 13, 3, 40, 3, 3, 1, true, A, false, false, 1));
  cases.push_back(makeCase(1, 3, 23, 19, 50, 5, 2, false, R, true, true, 3));
  // An output longer than VALID's (tf.nn.conv2d_transpose's remainder).
  cases.push_back(makeCase(1, 4, 5, 6, 10, 3, 2, false, A, true, false, 1, 1));
  return cases;
}

class TConvTest : public ::testing::TestWithParam<TConvCase> {};

TEST_P(TConvTest, MatchesReference) {
  const TConvCase &c = GetParam();
  Conv2DTransposeParams p;
  p.batch = c.batch;
  p.inH = c.h;
  p.inW = c.w;
  p.inC = c.inC;
  p.outH = c.outH;
  p.outW = c.outW;
  p.outC = c.outC;
  p.kernelH = c.kh;
  p.kernelW = c.kw;
  p.strideH = c.sh;
  p.strideW = c.sw;
  p.padTop = c.padTop;
  p.padLeft = c.padLeft;
  p.act = c.act;
  auto x = randomVector(c.batch * c.h * c.w * c.inC, 1);
  auto w = randomVector(int64_t(c.kh) * c.kw * c.outC * c.inC, 2);
  auto bias = randomVector(c.outC, 3), scale = randomVector(c.outC, 4, 0.5, 2),
       shift = randomVector(c.outC, 5);
  const float *b = c.bias ? bias.data() : nullptr;
  const float *s = c.affine ? scale.data() : nullptr;
  const float *t = c.affine ? shift.data() : nullptr;
  std::vector<float> want(c.batch * c.outH * c.outW * c.outC);
  ref::conv2dTranspose(p, x.data(), w.data(), b, s, t, want.data());

  std::vector<float> packed(conv2dPackedSize(c.kh, c.kw, c.inC, c.outC));
  packConv2dTransposeWeights(w.data(), c.kh, c.kw, c.outC, c.inC,
                             packed.data());
  auto xb = toBlocked(x, c.batch, c.h, c.w, c.inC);
  std::vector<float> yb(blockedSize(c.batch, c.outH, c.outW, c.outC), 1e30f);
  ThreadPool pool(c.threads);
  conv2dTranspose(p, xb.data(), packed.data(), b, s, t, yb.data(), pool.get());
  EXPECT_TRUE(allClose(fromBlocked(yb, c.batch, c.outH, c.outW, c.outC),
                       want));
  EXPECT_TRUE(paddingLanesZero(yb, c.batch, c.outH * c.outW, c.outC, 0,
                               numBlocks(c.outC)));
}

INSTANTIATE_TEST_SUITE_P(Sweep, TConvTest, ::testing::ValuesIn(tconvSweep()),
                         [](const auto &info) { return caseName(info.param); });

/// The definition the gather formulation must equal: every input pixel
/// scattered through every tap, then cropped by the pads.
TEST(TConvReference, EqualsScatterDefinition) {
  const int64_t n = 1, h = 3, w = 4, ci = 2, co = 3;
  const int k = 3, s = 2, top = 1, left = 0;
  const int64_t oh = (h - 1) * s + k - 2, ow = (w - 1) * s + k - 1;
  auto x = randomVector(n * h * w * ci, 11);
  auto wt = randomVector(k * k * co * ci, 12);
  const int64_t fh = (h - 1) * s + k, fw = (w - 1) * s + k;
  std::vector<double> scatter(fh * fw * co, 0.0);
  for (int64_t iy = 0; iy < h; ++iy)
    for (int64_t ix = 0; ix < w; ++ix)
      for (int ky = 0; ky < k; ++ky)
        for (int kx = 0; kx < k; ++kx)
          for (int64_t o = 0; o < co; ++o)
            for (int64_t i = 0; i < ci; ++i)
              scatter[((iy * s + ky) * fw + ix * s + kx) * co + o] +=
                  double(x[(iy * w + ix) * ci + i]) *
                  wt[((ky * k + kx) * co + o) * ci + i];
  Conv2DTransposeParams p;
  p.inH = h;
  p.inW = w;
  p.inC = ci;
  p.outH = oh;
  p.outW = ow;
  p.outC = co;
  p.kernelH = p.kernelW = k;
  p.strideH = p.strideW = s;
  p.padTop = top;
  p.padLeft = left;
  std::vector<float> got(oh * ow * co);
  ref::conv2dTranspose(p, x.data(), wt.data(), nullptr, nullptr, nullptr,
                       got.data());
  for (int64_t y = 0; y < oh; ++y)
    for (int64_t xx = 0; xx < ow; ++xx)
      for (int64_t o = 0; o < co; ++o)
        EXPECT_NEAR(got[(y * ow + xx) * co + o],
                    scatter[((y + top) * fw + xx + left) * co + o], 1e-5);
}

//===----------------------------------------------------------------------===//
// pad, strided slice
//===----------------------------------------------------------------------===//

struct PadCase {
  std::vector<int64_t> dims, padding;
  PadMode mode;
  float value;
};

TEST(PadNd, MatchesReferenceInEveryMode) {
  std::vector<PadCase> cases = {
      {{2, 5, 6, 3}, {0, 0, 3, 3, 3, 3, 0, 0}, PadMode::Reflect, 0.0f},
      {{1, 4, 4, 8}, {0, 0, 1, 2, 2, 1, 0, 0}, PadMode::Symmetric, 0.0f},
      {{1, 4, 4, 8}, {0, 0, 4, 4, 0, 4, 0, 0}, PadMode::Symmetric, 0.0f},
      {{2, 3, 4, 5}, {1, 0, 0, 2, 1, 1, 2, 1}, PadMode::Constant, -1.5f},
      {{7}, {3, 6}, PadMode::Reflect, 0.0f},
      {{3, 4}, {2, 2, 3, 3}, PadMode::Reflect, 0.0f},
      {{2, 2, 3, 2, 3}, {1, 1, 0, 1, 2, 2, 1, 1, 0, 2}, PadMode::Symmetric,
       0.0f},
  };
  ThreadPool pool(3);
  for (const PadCase &c : cases) {
    int rank = c.dims.size();
    int64_t in = 1, out = 1;
    for (int d = 0; d < rank; ++d) {
      in *= c.dims[d];
      out *= c.dims[d] + c.padding[2 * d] + c.padding[2 * d + 1];
    }
    auto x = randomVector(in, 21);
    std::vector<float> want(out), got(out, 1e30f);
    ref::pad(x.data(), want.data(), rank, c.dims.data(), c.padding.data(),
             c.mode, c.value);
    padNd(x.data(), got.data(), rank, c.dims.data(), c.padding.data(), c.mode,
          c.value, pool.get());
    EXPECT_EQ(got, want) << "rank " << rank << " mode "
                         << static_cast<int>(c.mode);
  }
}

/// tf.pad's documented REFLECT and SYMMETRIC examples.
TEST(PadReference, MatchesTensorFlowExamples) {
  const float x[6] = {1, 2, 3, 4, 5, 6};
  const int64_t dims[2] = {2, 3}, padding[4] = {1, 1, 2, 2};
  float y[4 * 7];
  ref::pad(x, y, 2, dims, padding, PadMode::Reflect, 0.0f);
  const float reflect[28] = {6, 5, 4, 5, 6, 5, 4, 3, 2, 1, 2, 3, 2, 1,
                             6, 5, 4, 5, 6, 5, 4, 3, 2, 1, 2, 3, 2, 1};
  for (int i = 0; i < 28; ++i)
    EXPECT_EQ(y[i], reflect[i]) << i;
  ref::pad(x, y, 2, dims, padding, PadMode::Symmetric, 0.0f);
  const float symmetric[28] = {2, 1, 1, 2, 3, 3, 2, 2, 1, 1, 2, 3, 3, 2,
                               5, 4, 4, 5, 6, 6, 5, 5, 4, 4, 5, 6, 6, 5};
  for (int i = 0; i < 28; ++i)
    EXPECT_EQ(y[i], symmetric[i]) << i;
}

/// A blocked tensor padded through its [N, Cb, H, W, kVec] view equals the
/// NHWC pad, blocked; a non-zero constant needs zeroPaddingLanes after.
TEST(PadNd, BlockedViewMatchesDensePad) {
  const int64_t n = 2, h = 5, w = 4, c = 3;
  const int64_t pads[8] = {0, 1, 2, 1, 1, 3, 0, 0};
  for (PadMode mode : {PadMode::Constant, PadMode::Reflect}) {
    auto x = randomVector(n * h * w * c, 31);
    const int64_t dims[4] = {n, h, w, c};
    int64_t on = n + 1, oh = h + 3, ow = w + 4;
    std::vector<float> want(on * oh * ow * c);
    ref::pad(x.data(), want.data(), 4, dims, pads, mode, 2.5f);
    auto xb = toBlocked(x, n, h, w, c);
    const int64_t view[5] = {n, numBlocks(c), h, w, kVec};
    const int64_t viewPads[10] = {0, 1, 0, 0, 2, 1, 1, 3, 0, 0};
    std::vector<float> yb(blockedSize(on, oh, ow, c));
    padNd(xb.data(), yb.data(), 5, view, viewPads, mode, 2.5f, nullptr);
    zeroPaddingLanes(yb.data(), on, oh, ow, c);
    EXPECT_EQ(fromBlocked(yb, on, oh, ow, c), want);
    EXPECT_TRUE(paddingLanesZero(yb, on, oh * ow, c, 0, numBlocks(c)));
  }
}

TEST(StridedSliceNd, MatchesReference) {
  struct Case {
    std::vector<int64_t> dims, begin, strides, out;
  };
  std::vector<Case> cases = {
      {{1, 9, 9, 8}, {0, 1, 1, 0}, {1, 1, 1, 1}, {1, 8, 8, 8}},
      {{2, 6, 7, 5}, {1, 5, 0, 4}, {1, -2, 3, -1}, {1, 3, 3, 5}},
      {{10}, {9}, {-3}, {4}},
      {{3, 4, 5}, {0, 3, 1}, {2, -1, 2}, {2, 4, 2}},
  };
  ThreadPool pool(2);
  for (const Case &c : cases) {
    int rank = c.dims.size();
    int64_t in = 1, out = 1;
    for (int d = 0; d < rank; ++d) {
      in *= c.dims[d];
      out *= c.out[d];
    }
    auto x = randomVector(in, 41);
    std::vector<float> want(out), got(out, 1e30f);
    ref::stridedSlice(x.data(), want.data(), rank, c.dims.data(),
                      c.begin.data(), c.strides.data(), c.out.data());
    stridedSliceNd(x.data(), got.data(), rank, c.dims.data(), c.begin.data(),
                   c.strides.data(), c.out.data(), pool.get());
    EXPECT_EQ(got, want) << "rank " << rank;
  }
}

TEST(StridedSliceReference, ReadsTheAddressedElements) {
  float x[10];
  for (int i = 0; i < 10; ++i)
    x[i] = i;
  const int64_t dims[1] = {10}, begin[1] = {8}, strides[1] = {-3},
                out[1] = {3};
  float y[3];
  ref::stridedSlice(x, y, 1, dims, begin, strides, out);
  EXPECT_EQ(y[0], 8.0f);
  EXPECT_EQ(y[1], 5.0f);
  EXPECT_EQ(y[2], 2.0f);
}

//===----------------------------------------------------------------------===//
// resize
//===----------------------------------------------------------------------===//

struct ResizeCase {
  int64_t inH, inW, outH, outW;
  bool bilinear, alignCorners, halfPixel;
};

TEST(ResizeImage, MatchesReferenceDenseAndBlocked) {
  std::vector<ResizeCase> cases = {
      {4, 4, 8, 8, false, false, true},  {4, 4, 8, 8, false, false, false},
      {5, 3, 9, 11, false, true, false}, {5, 3, 9, 11, true, true, false},
      {6, 7, 13, 4, true, false, true},  {6, 7, 13, 4, true, false, false},
      {3, 3, 2, 5, false, false, true},  {1, 1, 3, 3, true, true, false},
      {8, 8, 3, 3, true, false, true},
  };
  const int64_t n = 2, c = 19;
  ThreadPool pool(3);
  for (const ResizeCase &r : cases) {
    auto x = randomVector(n * r.inH * r.inW * c, 51);
    std::vector<float> want(n * r.outH * r.outW * c), got(want.size(), 1e30f);
    ref::resize(x.data(), want.data(), n, r.inH, r.inW, c, r.outH, r.outW,
                r.bilinear, r.alignCorners, r.halfPixel);
    resizeImage(x.data(), got.data(), n, r.inH, r.inW, c, r.outH, r.outW,
                r.bilinear, r.alignCorners, r.halfPixel, pool.get());
    EXPECT_EQ(got, want) << r.inH << "x" << r.inW << " -> " << r.outH << "x"
                         << r.outW << (r.bilinear ? " bilinear" : " nearest");
    auto xb = toBlocked(x, n, r.inH, r.inW, c);
    std::vector<float> yb(blockedSize(n, r.outH, r.outW, c));
    resizeImage(xb.data(), yb.data(), n * numBlocks(c), r.inH, r.inW, kVec,
                r.outH, r.outW, r.bilinear, r.alignCorners, r.halfPixel,
                pool.get());
    EXPECT_EQ(fromBlocked(yb, n, r.outH, r.outW, c), want);
    EXPECT_TRUE(paddingLanesZero(yb, n, r.outH * r.outW, c, 0, numBlocks(c)));
  }
}

/// Values TensorFlow 2.12 computes for a 2x2 image [[0, 1], [2, 3]] resized
/// to 4x4 (tf.compat.v1.image.resize_bilinear / resize_nearest_neighbor).
TEST(ResizeReference, MatchesTensorFlow) {
  const float x[4] = {0, 1, 2, 3};
  float y[16];
  // half_pixel_centers=True (tf.image.resize's bilinear).
  ref::resize(x, y, 1, 2, 2, 1, 4, 4, true, false, true);
  const float half[16] = {0,   0.25, 0.75, 1,   0.5, 0.75, 1.25, 1.5,
                          1.5, 1.75, 2.25, 2.5, 2,   2.25, 2.75, 3};
  for (int i = 0; i < 16; ++i)
    EXPECT_FLOAT_EQ(y[i], half[i]) << i;
  // align_corners=True.
  ref::resize(x, y, 1, 2, 2, 1, 4, 4, true, true, false);
  const float third = 1.0f / 3.0f;
  EXPECT_FLOAT_EQ(y[1], third);
  EXPECT_FLOAT_EQ(y[3], 1.0f);
  EXPECT_FLOAT_EQ(y[15], 3.0f);
  // The legacy scaler (TF 1's default): x * 0.5, no -0.5.
  ref::resize(x, y, 1, 2, 2, 1, 4, 4, true, false, false);
  const float legacy[16] = {0, 0.5, 1, 1, 1, 1.5, 2, 2,
                            2, 2.5, 3, 3, 2, 2.5, 3, 3};
  for (int i = 0; i < 16; ++i)
    EXPECT_FLOAT_EQ(y[i], legacy[i]) << i;
  // Nearest, 2x2 -> 3x3: the half-pixel and legacy rules pick differently.
  float z[9];
  ref::resize(x, z, 1, 2, 2, 1, 3, 3, false, false, true);
  const float nearestHalf[9] = {0, 1, 1, 2, 3, 3, 2, 3, 3};
  ref::resize(x, y, 1, 2, 2, 1, 3, 3, false, false, false);
  const float nearestLegacy[9] = {0, 0, 1, 0, 0, 1, 2, 2, 3};
  for (int i = 0; i < 9; ++i) {
    EXPECT_EQ(z[i], nearestHalf[i]) << i;
    EXPECT_EQ(y[i], nearestLegacy[i]) << i;
  }
}

//===----------------------------------------------------------------------===//
// instance norm
//===----------------------------------------------------------------------===//

TEST(InstanceNorm, MatchesReferenceDenseAndBlocked) {
  struct Case {
    int64_t n, h, w, c;
    bool beta, gamma;
  };
  ThreadPool pool(2);
  for (const Case &k : {Case{2, 5, 7, 3, true, true},
                        Case{1, 16, 16, 70, true, false},
                        Case{2, 2, 1, 17, false, true}}) {
    auto x = randomVector(k.n * k.h * k.w * k.c, 61, -2.0f, 3.0f);
    auto beta = randomVector(k.c, 62), gamma = randomVector(k.c, 63, 0.5, 2);
    const float *b = k.beta ? beta.data() : nullptr;
    const float *g = k.gamma ? gamma.data() : nullptr;
    std::vector<float> want(x.size()), got(x.size(), 1e30f);
    ref::instanceNorm(x.data(), want.data(), k.n, k.h * k.w, k.c, b, g, 1e-5f);
    instanceNorm(x.data(), got.data(), k.n, k.h * k.w, k.c, 0, b, g, 1e-5f,
                 pool.get());
    EXPECT_TRUE(allClose(got, want));
    auto xb = toBlocked(x, k.n, k.h, k.w, k.c);
    std::vector<float> yb(xb.size(), 1e30f);
    instanceNorm(xb.data(), yb.data(), k.n, k.h * k.w, k.c, kVec, b, g, 1e-5f,
                 pool.get());
    EXPECT_TRUE(allClose(fromBlocked(yb, k.n, k.h, k.w, k.c), want));
    EXPECT_TRUE(paddingLanesZero(yb, k.n, k.h * k.w, k.c, 0, numBlocks(k.c)));
  }
}

/// Each normalized channel has mean beta and standard deviation
/// gamma * sqrt(var / (var + eps)).
TEST(InstanceNormReference, NormalizesEachImageAndChannel) {
  const int64_t n = 2, s = 50, c = 3;
  auto x = randomVector(n * s * c, 71, -4.0f, 6.0f);
  const float beta[3] = {0.5f, -1.0f, 0.0f}, gamma[3] = {2.0f, 1.0f, 0.25f};
  std::vector<float> y(x.size());
  ref::instanceNorm(x.data(), y.data(), n, s, c, beta, gamma, 1e-6f);
  for (int64_t b = 0; b < n; ++b)
    for (int64_t ch = 0; ch < c; ++ch) {
      double mean = 0, sq = 0;
      for (int64_t i = 0; i < s; ++i)
        mean += y[(b * s + i) * c + ch];
      mean /= s;
      for (int64_t i = 0; i < s; ++i)
        sq += (y[(b * s + i) * c + ch] - mean) * (y[(b * s + i) * c + ch] - mean);
      EXPECT_NEAR(mean, beta[ch], 1e-5);
      EXPECT_NEAR(std::sqrt(sq / s), gamma[ch], 1e-4);
    }
}

} // namespace
