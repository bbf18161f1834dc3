//===- conv3d_test.cpp - CUDA 3-D kernels vs the reference kernels --------===//
//
// conv3d (the implicit GEMM of conv2d.cuh over voxels and kd x kh x kw x C,
// and its conv2d shortcut for one-tap layers) and the 3-D pools, emulated
// (or on a GPU), against slim::kernels::ref on the same data, with channel
// slices of wider tensors whose other channels hold a sentinel (concat as a
// view).
//
//===----------------------------------------------------------------------===//
#include "test_util.h"

#include "slim/cuda/conv3d.cuh"
#include "slim/kernels/reference3d.h"

#include <gtest/gtest.h>

#include <ostream>
#include <vector>

namespace ref = slim::kernels::ref;
using namespace slim::cuda;
using namespace slim::cuda::test;

namespace {

struct Conv3DCase {
  int batch, d, h, w, inC, outC;
  int kd, kh, kw, sd, sh, dd;
  bool same;
  Activation act;
  bool bias, residual;
  int inOffset, outOffset, resOffset;
};

std::ostream &operator<<(std::ostream &os, const Conv3DCase &c) {
  return os << c.batch << "x" << c.d << "x" << c.h << "x" << c.w << "x" << c.inC
            << "->" << c.outC << " k" << c.kd << "x" << c.kh << "x" << c.kw
            << " s" << c.sd << "/" << c.sh << " d" << c.dd
            << (c.same ? " SAME" : " VALID") << " act"
            << static_cast<int>(c.act) << (c.bias ? " bias" : "")
            << (c.residual ? " residual" : "") << " slices " << c.inOffset
            << "/" << c.outOffset << "/" << c.resOffset;
}

slim::kernels::Conv3DParams refParams(const Conv3DCase &c) {
  slim::kernels::Conv3DParams p;
  p.batch = c.batch;
  p.inD = c.d;
  p.inH = c.h;
  p.inW = c.w;
  p.inC = c.inC;
  p.outC = c.outC;
  p.kernelD = c.kd;
  p.kernelH = c.kh;
  p.kernelW = c.kw;
  p.strideD = c.sd;
  p.strideH = p.strideW = c.sh;
  p.dilationD = c.dd;
  auto pad =
      c.same ? slim::kernels::tfSamePadding : slim::kernels::tfValidPadding;
  auto pd = pad(c.d, c.kd, c.sd, c.dd), ph = pad(c.h, c.kh, c.sh, 1),
       pw = pad(c.w, c.kw, c.sh, 1);
  p.outD = pd.out;
  p.outH = ph.out;
  p.outW = pw.out;
  p.padFront = pd.before;
  p.padBack = pd.after;
  p.padTop = ph.before;
  p.padBottom = ph.after;
  p.padLeft = pw.before;
  p.padRight = pw.after;
  p.act = static_cast<slim::kernels::Activation>(static_cast<int>(c.act));
  return p;
}

void checkConv3D(const Conv3DCase &c) {
  SCOPED_TRACE(::testing::PrintToString(c));
  auto r = refParams(c);
  Conv3dParams p;
  p.batch = c.batch;
  p.inD = c.d;
  p.inH = c.h;
  p.inW = c.w;
  p.inC = c.inC;
  p.outD = static_cast<int>(r.outD);
  p.outH = static_cast<int>(r.outH);
  p.outW = static_cast<int>(r.outW);
  p.outC = c.outC;
  p.kernelD = c.kd;
  p.kernelH = c.kh;
  p.kernelW = c.kw;
  p.strideD = c.sd;
  p.strideH = p.strideW = c.sh;
  p.dilationD = c.dd;
  p.padFront = r.padFront;
  p.padTop = r.padTop;
  p.padLeft = r.padLeft;
  p.act = c.act;
  p.inCOffset = c.inOffset;
  p.inCStride = c.inOffset ? c.inC + c.inOffset + 3 : 0;
  p.outCOffset = c.outOffset;
  p.outCStride = c.outOffset ? c.outC + c.outOffset + 5 : 0;
  p.resCOffset = c.resOffset;
  p.resCStride = c.resOffset ? c.outC + c.resOffset + 1 : 0;
  int64_t inVoxels = int64_t(c.batch) * c.d * c.h * c.w;
  int64_t outVoxels = int64_t(c.batch) * p.outD * p.outH * p.outW;
  int64_t taps = int64_t(c.kd) * c.kh * c.kw;
  auto in = randomVector(inVoxels * c.inC, 1);
  auto filter = randomVector(taps * c.inC * c.outC, 2);
  auto bias = randomVector(c.outC, 3);
  auto residual = randomVector(outVoxels * c.outC, 4);
  std::vector<float> want(outVoxels * c.outC);
  ref::conv3d(r, in.data(), filter.data(), c.bias ? bias.data() : nullptr,
              c.residual ? residual.data() : nullptr, want.data());

  int inStride = p.inCStride ? p.inCStride : c.inC;
  int outStride = p.outCStride ? p.outCStride : c.outC;
  int resStride = p.resCStride ? p.resCStride : c.outC;
  DeviceBuffer dIn(embedChannels(in, inVoxels, c.inC, c.inOffset, inStride));
  DeviceBuffer dFilter(filter), dBias(bias);
  DeviceBuffer dRes(
      embedChannels(residual, outVoxels, c.outC, c.resOffset, resStride));
  DeviceBuffer dOut(std::vector<float>(outVoxels * outStride, kSentinel));
  ASSERT_EQ(conv3d(p, dIn.get(), dFilter.get(), c.bias ? dBias.get() : nullptr,
                   c.residual ? dRes.get() : nullptr, dOut.get(), nullptr),
            cudaSuccess);
  ASSERT_EQ(cudaStreamSynchronize(nullptr), cudaSuccess);
  EXPECT_TRUE(matchesSlice(dOut.download(), want, outVoxels, c.outC,
                           c.outOffset, outStride));
}

constexpr Activation kNone = Activation::None, kRelu = Activation::Relu,
                     kSigmoid = Activation::Sigmoid, kElu = Activation::Elu;

// batch d h w inC outC kd kh kw sd sh dd same act bias residual
// inOffset outOffset resOffset
const Conv3DCase kCases[] = {
    // I3D's stem: 7x7x7 stride 2 SAME, inC = 3, large tile.
    {1, 8, 15, 14, 3, 70, 7, 7, 7, 2, 2, 1, true, kRelu, true, false, 0, 0, 0},
    // 3x3x3 SAME with residual, small tile, two clips.
    {2, 4, 7, 7, 13, 24, 3, 3, 3, 1, 1, 1, true, kRelu, true, true, 0, 0, 0},
    // S3D-G's temporal 3x1x1 and its spatial 1x3x3 (the conv2d shortcut).
    {1, 6, 5, 6, 17, 19, 3, 1, 1, 1, 1, 1, true, kElu, true, false, 2, 3, 0},
    {2, 3, 6, 5, 9, 40, 1, 3, 3, 1, 1, 1, true, kRelu, true, true, 1, 4, 2},
    // 1x1x1 over sliced input, output and residual (Inception-3D branches).
    {1, 4, 4, 4, 37, 33, 1, 1, 1, 1, 1, 1, true, kSigmoid, true, true, 3, 9, 5},
    // Temporal stride and dilation, VALID, no bias.
    {1, 9, 5, 5, 4, 9, 2, 3, 3, 2, 1, 1, false, kNone, false, false, 0, 0, 0},
    {1, 7, 6, 6, 5, 8, 3, 3, 3, 1, 2, 2, true, kRelu, true, false, 0, 2, 0},
};

TEST(CudaConv3d, MatchesReference) {
  for (const Conv3DCase &c : kCases)
    checkConv3D(c);
}

TEST(CudaConv3d, RejectsImpossibleParameters) {
  Conv3dParams p;
  float x = 0.0f;
  EXPECT_EQ(conv3d(p, &x, &x, nullptr, nullptr, &x, nullptr),
            cudaErrorInvalidValue);
}

struct Pool3DCase {
  int batch, d, h, w, c;
  int kd, kh, kw, sd, sh;
  bool same, isMax;
  int inOffset, outOffset;
};

TEST(CudaPool3d, MatchesReference) {
  const Pool3DCase cases[] = {
      {1, 8, 16, 16, 17, 1, 3, 3, 1, 2, true, true, 0, 1},
      {2, 5, 9, 9, 8, 3, 3, 3, 2, 2, true, true, 2, 0},
      {1, 4, 7, 7, 33, 2, 2, 2, 2, 2, true, true, 0, 0},
      {2, 3, 7, 7, 12, 2, 7, 7, 1, 1, false, false, 0, 3},
      {1, 5, 6, 7, 9, 3, 3, 3, 1, 1, true, false, 1, 1},
  };
  for (const Pool3DCase &c : cases) {
    slim::kernels::Pool3DParams r;
    r.batch = c.batch;
    r.channels = c.c;
    r.inD = c.d;
    r.inH = c.h;
    r.inW = c.w;
    r.kernelD = c.kd;
    r.kernelH = c.kh;
    r.kernelW = c.kw;
    r.strideD = c.sd;
    r.strideH = r.strideW = c.sh;
    auto pad =
        c.same ? slim::kernels::tfSamePadding : slim::kernels::tfValidPadding;
    auto pd = pad(c.d, c.kd, c.sd, 1), ph = pad(c.h, c.kh, c.sh, 1),
         pw = pad(c.w, c.kw, c.sh, 1);
    r.outD = pd.out;
    r.outH = ph.out;
    r.outW = pw.out;
    r.padFront = pd.before;
    r.padBack = pd.after;
    r.padTop = ph.before;
    r.padBottom = ph.after;
    r.padLeft = pw.before;
    r.padRight = pw.after;
    int64_t inVoxels = int64_t(c.batch) * c.d * c.h * c.w;
    int64_t outVoxels = int64_t(c.batch) * r.outD * r.outH * r.outW;
    auto in = randomVector(inVoxels * c.c, 7);
    std::vector<float> want(outVoxels * c.c);
    if (c.isMax)
      ref::maxPool3d(r, in.data(), want.data());
    else
      ref::avgPool3d(r, in.data(), want.data());
    Pool3dParams p;
    p.batch = c.batch;
    p.channels = c.c;
    p.inD = c.d;
    p.inH = c.h;
    p.inW = c.w;
    p.outD = static_cast<int>(r.outD);
    p.outH = static_cast<int>(r.outH);
    p.outW = static_cast<int>(r.outW);
    p.kernelD = c.kd;
    p.kernelH = c.kh;
    p.kernelW = c.kw;
    p.strideD = c.sd;
    p.strideH = p.strideW = c.sh;
    p.padFront = r.padFront;
    p.padTop = r.padTop;
    p.padLeft = r.padLeft;
    p.inCOffset = c.inOffset;
    p.inCStride = c.c + c.inOffset;
    p.outCOffset = c.outOffset;
    p.outCStride = c.c + c.outOffset + 2;
    DeviceBuffer dIn(embedChannels(in, inVoxels, c.c, c.inOffset, p.inCStride));
    DeviceBuffer dOut(std::vector<float>(outVoxels * p.outCStride, kSentinel));
    ASSERT_EQ(
        (c.isMax ? maxPool3d : avgPool3d)(p, dIn.get(), dOut.get(), nullptr),
        cudaSuccess);
    ASSERT_EQ(cudaStreamSynchronize(nullptr), cudaSuccess);
    EXPECT_TRUE(matchesSlice(dOut.download(), want, outVoxels, c.c, c.outOffset,
                             p.outCStride));
  }
}

} // namespace
