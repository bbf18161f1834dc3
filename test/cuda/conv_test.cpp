//===- conv_test.cpp - CUDA conv2d / depthwise vs the reference kernels ---===//
//
// Each case runs slim::kernels::ref on dense NHWC/HWIO data and the CUDA
// kernel (emulated, or on a GPU) on the same data placed as channel slices
// of wider tensors whose other channels hold a sentinel: a wrong read shows
// up as a huge value, a write outside the output slice as a lost sentinel.
//
//===----------------------------------------------------------------------===//
#include "test_util.h"

#include "slim/cuda/conv2d.cuh"
#include "slim/cuda/depthwise.cuh"
#include "slim/kernels/reference.h"

#include <gtest/gtest.h>

#include <ostream>
#include <vector>

namespace ref = slim::kernels::ref;
using namespace slim::cuda;
using namespace slim::cuda::test;

static_assert(static_cast<int>(Activation::Elu) ==
                      static_cast<int>(slim::kernels::Activation::Elu) &&
                  static_cast<int>(Activation::Relu6) ==
                      static_cast<int>(slim::kernels::Activation::Relu6) &&
                  static_cast<int>(Activation::Sigmoid) ==
                      static_cast<int>(slim::kernels::Activation::Sigmoid),
              "activation values are shared with the CPU kernels");

namespace {

struct ConvCase {
  int batch, h, w, inC, outC;
  int kh, kw, stride, dilation;
  bool same;
  Activation act;
  bool bias, residual;
  /// Channel slicing: extra channels around input, output and residual.
  int inOffset, outOffset, resOffset;
  int multiplier; ///< depthwise only
};

std::ostream &operator<<(std::ostream &os, const ConvCase &c) {
  return os << c.batch << "x" << c.h << "x" << c.w << "x" << c.inC << "->"
            << c.outC << " k" << c.kh << "x" << c.kw << " s" << c.stride << " d"
            << c.dilation << (c.same ? " SAME" : " VALID") << " act"
            << static_cast<int>(c.act) << (c.bias ? " bias" : "")
            << (c.residual ? " residual" : "") << " slices " << c.inOffset
            << "/" << c.outOffset << "/" << c.resOffset;
}

slim::kernels::Conv2DParams refParams(const ConvCase &c) {
  slim::kernels::Conv2DParams p;
  p.batch = c.batch;
  p.inH = c.h;
  p.inW = c.w;
  p.inC = c.inC;
  p.outC = c.outC;
  p.kernelH = c.kh;
  p.kernelW = c.kw;
  p.strideH = p.strideW = c.stride;
  p.dilationH = p.dilationW = c.dilation;
  auto pad =
      c.same ? slim::kernels::tfSamePadding : slim::kernels::tfValidPadding;
  auto ph = pad(c.h, c.kh, c.stride, c.dilation);
  auto pw = pad(c.w, c.kw, c.stride, c.dilation);
  p.outH = ph.out;
  p.outW = pw.out;
  p.padTop = ph.before;
  p.padBottom = ph.after;
  p.padLeft = pw.before;
  p.padRight = pw.after;
  p.depthMultiplier = c.multiplier;
  p.act = static_cast<slim::kernels::Activation>(
      c.act == Activation::Softplus ? 0 : static_cast<int>(c.act));
  return p;
}

Conv2dParams cudaParams(const slim::kernels::Conv2DParams &r,
                        const ConvCase &c) {
  Conv2dParams p;
  p.batch = c.batch;
  p.inH = c.h;
  p.inW = c.w;
  p.inC = c.inC;
  p.outH = static_cast<int>(r.outH);
  p.outW = static_cast<int>(r.outW);
  p.outC = c.outC;
  p.kernelH = c.kh;
  p.kernelW = c.kw;
  p.strideH = p.strideW = c.stride;
  p.dilationH = p.dilationW = c.dilation;
  p.padTop = r.padTop;
  p.padLeft = r.padLeft;
  p.depthMultiplier = c.multiplier;
  p.act = c.act;
  p.inCOffset = c.inOffset;
  p.inCStride = c.inOffset ? c.inC + c.inOffset + 3 : 0;
  p.outCOffset = c.outOffset;
  p.outCStride = c.outOffset ? c.outC + c.outOffset + 5 : 0;
  p.resCOffset = c.resOffset;
  p.resCStride = c.resOffset ? c.outC + c.resOffset + 1 : 0;
  return p;
}

/// Runs one case through `kernel` (conv2d or depthwiseConv2d) and `oracle`.
template <typename Kernel, typename Oracle>
void checkConv(const ConvCase &c, int64_t filterSize, Kernel kernel,
               Oracle oracle) {
  SCOPED_TRACE(::testing::PrintToString(c));
  auto r = refParams(c);
  Conv2dParams p = cudaParams(r, c);
  int64_t inPixels = int64_t(c.batch) * c.h * c.w;
  int64_t outPixels = int64_t(c.batch) * p.outH * p.outW;
  auto in = randomVector(inPixels * c.inC, 1);
  auto filter = randomVector(filterSize, 2);
  auto bias = randomVector(c.outC, 3);
  auto residual = randomVector(outPixels * c.outC, 4);

  std::vector<float> want(outPixels * c.outC);
  oracle(r, in.data(), filter.data(), c.bias ? bias.data() : nullptr,
         c.residual ? residual.data() : nullptr, want.data());

  int inStride = p.inCStride ? p.inCStride : c.inC;
  int outStride = p.outCStride ? p.outCStride : c.outC;
  int resStride = p.resCStride ? p.resCStride : c.outC;
  DeviceBuffer dIn(embedChannels(in, inPixels, c.inC, c.inOffset, inStride));
  DeviceBuffer dFilter(filter), dBias(bias);
  DeviceBuffer dRes(
      embedChannels(residual, outPixels, c.outC, c.resOffset, resStride));
  DeviceBuffer dOut(std::vector<float>(outPixels * outStride, kSentinel));
  ASSERT_EQ(kernel(p, dIn.get(), dFilter.get(), c.bias ? dBias.get() : nullptr,
                   c.residual ? dRes.get() : nullptr, dOut.get(), nullptr),
            cudaSuccess);
  ASSERT_EQ(cudaStreamSynchronize(nullptr), cudaSuccess);
  EXPECT_TRUE(matchesSlice(dOut.download(), want, outPixels, c.outC,
                           c.outOffset, outStride));
}

constexpr Activation kNone = Activation::None, kRelu = Activation::Relu,
                     kRelu6 = Activation::Relu6, kSigmoid = Activation::Sigmoid,
                     kTanh = Activation::Tanh, kElu = Activation::Elu;

// batch h w inC outC kh kw stride dilation same act bias residual
// inOffset outOffset resOffset multiplier
const ConvCase kConvCases[] = {
    // 3x3 SAME, small tile, plain.
    {1, 7, 7, 8, 16, 3, 3, 1, 1, true, kNone, false, false, 0, 0, 0, 1},
    // 3x3 SAME with bias + residual + relu, large tile, odd sizes.
    {2, 9, 11, 13, 70, 3, 3, 1, 1, true, kRelu, true, true, 0, 0, 0, 1},
    // Stem: 7x7 stride 2 SAME (asymmetric pads), inC = 3.
    {1, 15, 14, 3, 40, 7, 7, 2, 1, true, kRelu, true, false, 0, 0, 0, 1},
    // 3x3 stride 2 SAME on even input: TF pads 0 top, 1 bottom.
    {1, 10, 12, 5, 24, 3, 3, 2, 1, true, kRelu6, true, false, 0, 0, 0, 1},
    // Dilation 2, VALID.
    {1, 11, 9, 6, 20, 3, 3, 1, 2, false, kTanh, true, false, 0, 0, 0, 1},
    // Dilation 2, SAME, sigmoid.
    {1, 8, 8, 7, 33, 3, 3, 1, 2, true, kSigmoid, true, true, 0, 0, 0, 1},
    // 1x1 projection stride 2 with ELU.
    {2, 9, 9, 20, 65, 1, 1, 2, 1, true, kElu, true, true, 0, 0, 0, 1},
    // 1x1 with sliced input, output and residual (concat views).
    {1, 5, 6, 17, 19, 1, 1, 1, 1, true, kRelu, true, true, 4, 7, 2, 1},
    // 3x3 sliced, more K steps than 2 and a partial last step.
    {1, 6, 5, 37, 130, 3, 3, 1, 1, true, kRelu, true, true, 3, 9, 5, 1},
    // 5x5 VALID stride 3, M not a multiple of the tile.
    {3, 13, 10, 4, 9, 5, 5, 3, 1, false, kNone, true, false, 0, 0, 0, 1},
    // 1x3 then 3x1 (Inception's factorized convs).
    {1, 7, 9, 10, 12, 1, 3, 1, 1, true, kRelu, true, false, 0, 0, 0, 1},
    {1, 7, 9, 10, 12, 3, 1, 1, 1, true, kRelu, true, false, 0, 3, 0, 1},
};

TEST(CudaConv2d, MatchesReference) {
  for (const ConvCase &c : kConvCases)
    checkConv(c, int64_t(c.kh) * c.kw * c.inC * c.outC, conv2d, ref::conv2d);
}

TEST(CudaConv2d, Softplus) {
  // The reference has no softplus epilogue: apply it to a plain conv.
  ConvCase c = {1,    6,     6,    5,    11, 3, 3, 1, 1,
                true, kNone, true, true, 0,  0, 0, 1};
  auto oracle = [](const slim::kernels::Conv2DParams &r, const float *in,
                   const float *w, const float *b, const float *res,
                   float *out) {
    ref::conv2d(r, in, w, b, res, out);
    int64_t count = r.batch * r.outH * r.outW * r.outC;
    for (int64_t i = 0; i < count; ++i)
      out[i] = static_cast<float>(std::log1p(std::exp(double(out[i]))));
  };
  c.act = Activation::Softplus;
  checkConv(c, int64_t(c.kh) * c.kw * c.inC * c.outC, conv2d, oracle);
}

TEST(CudaConv2d, RejectsImpossibleParameters) {
  Conv2dParams p;
  float x = 0.0f;
  EXPECT_EQ(conv2d(p, &x, &x, nullptr, nullptr, &x, nullptr),
            cudaErrorInvalidValue);
}

// Depthwise: inC channels, outC = inC * multiplier.
const ConvCase kDepthwiseCases[] = {
    {1, 7, 7, 8, 8, 3, 3, 1, 1, true, kRelu6, true, false, 0, 0, 0, 1},
    {2, 10, 9, 5, 10, 3, 3, 2, 1, true, kRelu, true, true, 0, 0, 0, 2},
    {1, 9, 9, 6, 6, 3, 3, 1, 2, true, kElu, false, true, 2, 3, 1, 1},
    {1, 11, 8, 4, 12, 5, 5, 2, 1, false, kTanh, true, false, 1, 0, 0, 3},
    {1, 6, 6, 3, 3, 7, 7, 2, 1, true, kSigmoid, true, true, 0, 4, 0, 1},
};

TEST(CudaDepthwiseConv2d, MatchesReference) {
  for (const ConvCase &c : kDepthwiseCases)
    checkConv(c, int64_t(c.kh) * c.kw * c.inC * c.multiplier, depthwiseConv2d,
              ref::depthwiseConv2d);
}

} // namespace
