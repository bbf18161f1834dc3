//===- spatial_test.cpp - CUDA spatial kernels vs the reference -----------===//
//
// slim/cuda/spatial.cuh under the SIMT emulation against slim::kernels::ref:
// conv2d_transpose (filter swapped at load as the generated prepare does,
// every epilogue), tf.pad's three modes, strided slices with negative
// strides, TF's resize rules and instance norm (whose block reduction runs
// through shared memory and barriers).
//
//===----------------------------------------------------------------------===//
#include "test_util.h"

#include "slim/cuda/spatial.cuh"
#include "slim/kernels/pack.h"
#include "slim/kernels/reference_spatial.h"

#include <gtest/gtest.h>

#include <vector>

namespace k = slim::kernels;
namespace ref = slim::kernels::ref;
using namespace slim::cuda;
using namespace slim::cuda::test;

namespace {

struct TConvCase {
  int batch, h, w, inC, outC, k, s;
  bool same;
  Activation act;
  bool bias, affine;
};

TEST(CudaConvTranspose2d, MatchesReference) {
  const TConvCase cases[] = {
      {2, 4, 4, 12, 20, 4, 2, true, Activation::Relu, false, true},
      {1, 1, 1, 8, 16, 4, 1, false, Activation::None, true, false},
      {1, 5, 3, 7, 5, 3, 2, false, Activation::Sigmoid, true, true},
      {1, 6, 5, 4, 3, 1, 2, true, Activation::Tanh, true, false},
  };
  for (const TConvCase &c : cases) {
    SCOPED_TRACE(::testing::Message() << c.h << "x" << c.w << " k" << c.k
                                      << " s" << c.s << (c.same ? " SAME" : ""));
    k::Conv2DTransposeParams rp;
    rp.batch = c.batch;
    rp.inH = c.h;
    rp.inW = c.w;
    rp.inC = c.inC;
    rp.outC = c.outC;
    rp.kernelH = rp.kernelW = c.k;
    rp.strideH = rp.strideW = c.s;
    rp.act = static_cast<k::Activation>(static_cast<int>(c.act));
    int64_t outH = int64_t(c.h) * c.s + (c.same ? 0 : std::max(c.k - c.s, 0));
    int64_t outW = int64_t(c.w) * c.s + (c.same ? 0 : std::max(c.k - c.s, 0));
    rp.outH = outH;
    rp.outW = outW;
    if (c.same) {
      rp.padTop = std::max<int64_t>((c.h - 1) * c.s + c.k - outH, 0) / 2;
      rp.padLeft = std::max<int64_t>((c.w - 1) * c.s + c.k - outW, 0) / 2;
    }
    auto x = randomVector(int64_t(c.batch) * c.h * c.w * c.inC, 1);
    auto w = randomVector(int64_t(c.k) * c.k * c.outC * c.inC, 2);
    auto bias = randomVector(c.outC, 3), scale = randomVector(c.outC, 4),
         shift = randomVector(c.outC, 5);
    std::vector<float> want(c.batch * outH * outW * c.outC);
    ref::conv2dTranspose(rp, x.data(), w.data(),
                         c.bias ? bias.data() : nullptr,
                         c.affine ? scale.data() : nullptr,
                         c.affine ? shift.data() : nullptr, want.data());
    std::vector<float> swapped(w.size());
    k::swapFilterChannels(w.data(), c.k, c.k, c.outC, c.inC, swapped.data());
    ConvTranspose2dParams p;
    p.batch = c.batch;
    p.inH = c.h;
    p.inW = c.w;
    p.inC = c.inC;
    p.outH = outH;
    p.outW = outW;
    p.outC = c.outC;
    p.kernelH = p.kernelW = c.k;
    p.strideH = p.strideW = c.s;
    p.padTop = rp.padTop;
    p.padLeft = rp.padLeft;
    p.act = c.act;
    DeviceBuffer dx(x), dw(swapped), db(bias), ds(scale), dt(shift),
        dy(std::vector<float>(want.size(), kSentinel));
    ASSERT_EQ(convTranspose2d(p, dx.get(), dw.get(), c.bias ? db.get() : nullptr,
                              c.affine ? ds.get() : nullptr,
                              c.affine ? dt.get() : nullptr, dy.get(), nullptr),
              cudaSuccess);
    EXPECT_TRUE(matches(dy.download(), want));
  }
}

TEST(CudaPad, MatchesReferenceInEveryMode) {
  struct Case {
    std::vector<int64_t> dims, padding;
    int mode;
    float value;
  };
  const Case cases[] = {
      {{2, 5, 6, 3}, {0, 0, 3, 3, 3, 3, 0, 0}, 1, 0.0f},
      {{1, 4, 4, 5}, {0, 0, 4, 4, 1, 2, 0, 0}, 2, 0.0f},
      {{2, 3, 4, 5}, {1, 0, 0, 2, 1, 1, 2, 1}, 0, 0.75f},
      {{7}, {6, 3}, 1, 0.0f},
  };
  for (const Case &c : cases) {
    PadParams p;
    p.rank = c.dims.size();
    p.mode = c.mode;
    p.value = c.value;
    int64_t in = 1, out = 1;
    for (int d = 0; d < p.rank; ++d) {
      p.dims[d] = c.dims[d];
      p.before[d] = c.padding[2 * d];
      p.after[d] = c.padding[2 * d + 1];
      in *= c.dims[d];
      out *= c.dims[d] + c.padding[2 * d] + c.padding[2 * d + 1];
    }
    auto x = randomVector(in, 21);
    std::vector<float> want(out);
    ref::pad(x.data(), want.data(), p.rank, c.dims.data(), c.padding.data(),
             static_cast<k::PadMode>(c.mode), c.value);
    DeviceBuffer dx(x), dy(std::vector<float>(out, kSentinel));
    ASSERT_EQ(pad(p, dx.get(), dy.get(), nullptr), cudaSuccess);
    EXPECT_EQ(dy.download(), want) << "mode " << c.mode;
  }
}

TEST(CudaPad, RejectsReflectionsLongerThanTheDimension) {
  PadParams p;
  p.rank = 1;
  p.dims[0] = 3;
  p.before[0] = 3;
  p.mode = 1;
  DeviceBuffer dx(std::vector<float>(3)), dy(std::vector<float>(6));
  EXPECT_EQ(pad(p, dx.get(), dy.get(), nullptr), cudaErrorInvalidValue);
  p.mode = 2;
  EXPECT_EQ(pad(p, dx.get(), dy.get(), nullptr), cudaSuccess);
}

TEST(CudaStridedSlice, MatchesReference) {
  const int64_t dims[4] = {2, 6, 7, 5}, begin[4] = {1, 5, 0, 4},
                strides[4] = {1, -2, 3, -1}, out[4] = {1, 3, 3, 5};
  auto x = randomVector(2 * 6 * 7 * 5, 31);
  std::vector<float> want(1 * 3 * 3 * 5);
  ref::stridedSlice(x.data(), want.data(), 4, dims, begin, strides, out);
  StridedSliceParams p;
  p.rank = 4;
  for (int d = 0; d < 4; ++d) {
    p.dims[d] = dims[d];
    p.begin[d] = begin[d];
    p.strides[d] = strides[d];
    p.out[d] = out[d];
  }
  DeviceBuffer dx(x), dy(std::vector<float>(want.size(), kSentinel));
  ASSERT_EQ(stridedSlice(p, dx.get(), dy.get(), nullptr), cudaSuccess);
  EXPECT_EQ(dy.download(), want);
  p.out[1] = 4; // would read row -1
  EXPECT_EQ(stridedSlice(p, dx.get(), dy.get(), nullptr),
            cudaErrorInvalidValue);
}

TEST(CudaResize, MatchesReference) {
  struct Case {
    int inH, inW, outH, outW;
    bool bilinear, alignCorners, halfPixel;
  };
  const Case cases[] = {
      {4, 4, 8, 8, false, false, true}, {5, 3, 9, 11, true, true, false},
      {6, 7, 13, 4, true, false, true}, {6, 7, 13, 4, false, false, false},
      {3, 3, 2, 5, false, true, false},
  };
  const int n = 2, c = 5;
  for (const Case &r : cases) {
    auto x = randomVector(int64_t(n) * r.inH * r.inW * c, 41);
    std::vector<float> want(int64_t(n) * r.outH * r.outW * c);
    ref::resize(x.data(), want.data(), n, r.inH, r.inW, c, r.outH, r.outW,
                r.bilinear, r.alignCorners, r.halfPixel);
    ResizeParams p;
    p.batch = n;
    p.inH = r.inH;
    p.inW = r.inW;
    p.channels = c;
    p.outH = r.outH;
    p.outW = r.outW;
    p.bilinear = r.bilinear;
    p.alignCorners = r.alignCorners;
    p.halfPixelCenters = r.halfPixel;
    DeviceBuffer dx(x), dy(std::vector<float>(want.size(), kSentinel));
    ASSERT_EQ(resize(p, dx.get(), dy.get(), nullptr), cudaSuccess);
    EXPECT_TRUE(matches(dy.download(), want));
  }
}

TEST(CudaInstanceNorm, MatchesReference) {
  struct Case {
    int n, spatial, c;
    bool beta, gamma;
  };
  for (const Case &k : {Case{2, 37, 3, true, true}, Case{1, 100, 45, false, true},
                        Case{3, 2, 33, true, false}}) {
    auto x = randomVector(int64_t(k.n) * k.spatial * k.c, 51, -2.0f, 3.0f);
    auto beta = randomVector(k.c, 52), gamma = randomVector(k.c, 53, 0.5, 2);
    std::vector<float> want(x.size());
    ref::instanceNorm(x.data(), want.data(), k.n, k.spatial, k.c,
                      k.beta ? beta.data() : nullptr,
                      k.gamma ? gamma.data() : nullptr, 1e-5f);
    DeviceBuffer dx(x), db(beta), dg(gamma),
        dy(std::vector<float>(x.size(), kSentinel));
    ASSERT_EQ(instanceNorm(dx.get(), dy.get(), k.n, k.spatial, k.c,
                           k.beta ? db.get() : nullptr,
                           k.gamma ? dg.get() : nullptr, 1e-5f, nullptr),
              cudaSuccess);
    EXPECT_TRUE(matches(dy.download(), want));
  }
}

} // namespace
