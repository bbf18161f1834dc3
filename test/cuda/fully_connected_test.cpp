//===- fully_connected_test.cpp - CUDA fully connected vs the reference ---===//
//
// Covers both paths (GEMV for m <= 4, with and without split-K, and the
// implicit-GEMM path above), row strides in and out, bias, residual and the
// activations.
//
//===----------------------------------------------------------------------===//
#include "test_util.h"

#include "slim/cuda/fully_connected.cuh"
#include "slim/kernels/reference.h"

#include <gtest/gtest.h>

#include <vector>

namespace ref = slim::kernels::ref;
using namespace slim::cuda;
using namespace slim::cuda::test;

namespace {

struct FcCase {
  int m, k, n;
  int xPad, yPad, rPad; ///< extra floats per row (0 = dense)
  Activation act;
  bool bias, residual, workspace;
};

void checkFc(const FcCase &c) {
  SCOPED_TRACE(::testing::Message()
               << c.m << "x" << c.k << "x" << c.n << " pads " << c.xPad << "/"
               << c.yPad << "/" << c.rPad << " act" << static_cast<int>(c.act)
               << (c.workspace ? " workspace" : ""));
  auto x = randomVector(int64_t(c.m) * c.k, 11);
  auto w = randomVector(int64_t(c.k) * c.n, 12);
  auto bias = randomVector(c.n, 13);
  auto residual = randomVector(int64_t(c.m) * c.n, 14);
  slim::kernels::FullyConnectedParams r;
  r.m = c.m;
  r.k = c.k;
  r.n = c.n;
  r.act = static_cast<slim::kernels::Activation>(static_cast<int>(c.act));
  std::vector<float> want(int64_t(c.m) * c.n);
  ref::fullyConnected(r, x.data(), w.data(), c.bias ? bias.data() : nullptr,
                      c.residual ? residual.data() : nullptr, want.data());

  FullyConnectedParams p;
  p.m = c.m;
  p.k = c.k;
  p.n = c.n;
  p.ldx = c.xPad ? c.k + c.xPad : 0;
  p.ldy = c.yPad ? c.n + c.yPad : 0;
  p.ldr = c.rPad ? c.n + c.rPad : 0;
  p.act = c.act;
  // Padding columns hold the sentinel: read, they would blow up the sums.
  DeviceBuffer dX(embedChannels(x, c.m, c.k, 0, c.k + c.xPad));
  DeviceBuffer dW(w), dBias(bias);
  DeviceBuffer dRes(embedChannels(residual, c.m, c.n, 0, c.n + c.rPad));
  DeviceBuffer dY(std::vector<float>(int64_t(c.m) * (c.n + c.yPad), kSentinel));
  size_t wsBytes = fullyConnectedWorkspaceSize(p);
  DeviceBuffer dWs(std::vector<float>(wsBytes / sizeof(float) + 1, kSentinel));
  if (c.workspace && c.m <= kGemvMaxRows) {
    EXPECT_GT(fullyConnectedSplits(p), 1) << "case meant to split K";
  }
  ASSERT_EQ(fullyConnected(p, dX.get(), dW.get(),
                           c.bias ? dBias.get() : nullptr,
                           c.residual ? dRes.get() : nullptr, dY.get(),
                           c.workspace ? dWs.get() : nullptr, nullptr),
            cudaSuccess);
  ASSERT_EQ(cudaStreamSynchronize(nullptr), cudaSuccess);
  EXPECT_TRUE(matchesSlice(dY.download(), want, c.m, c.n, 0, c.n + c.yPad));
}

constexpr Activation kNone = Activation::None, kRelu = Activation::Relu,
                     kSigmoid = Activation::Sigmoid, kTanh = Activation::Tanh,
                     kElu = Activation::Elu, kRelu6 = Activation::Relu6;

TEST(CudaFullyConnected, GemvMatchesReference) {
  const FcCase cases[] = {
      {1, 70, 45, 0, 0, 0, kRelu, true, false, false},
      {2, 33, 100, 3, 0, 0, kNone, true, true, false},
      {3, 64, 31, 0, 5, 2, kSigmoid, false, true, false},
      {4, 17, 65, 1, 1, 1, kTanh, true, true, false},
      // Split-K through the workspace (k large, few column blocks).
      {1, 1000, 40, 0, 0, 0, kRelu6, true, false, true},
      {3, 777, 10, 2, 3, 4, kElu, true, true, true},
  };
  for (const FcCase &c : cases)
    checkFc(c);
}

TEST(CudaFullyConnected, GemmMatchesReference) {
  const FcCase cases[] = {
      {5, 70, 45, 0, 0, 0, kRelu, true, false, false},
      {9, 100, 130, 3, 7, 2, kElu, true, true, true},
      {130, 19, 3, 0, 0, 0, kNone, false, true, false},
  };
  for (const FcCase &c : cases)
    checkFc(c);
}

TEST(CudaFullyConnected, WorkspaceSizes) {
  FullyConnectedParams p;
  p.m = 1;
  p.k = 25088;
  p.n = 4096; // VGG fc6: 128 column blocks, split to fill the GPU
  EXPECT_EQ(fullyConnectedSplits(p), 4);
  EXPECT_EQ(fullyConnectedWorkspaceSize(p), 4u * 4096 * sizeof(float));
  p.m = 8; // the GEMM path needs none
  EXPECT_EQ(fullyConnectedWorkspaceSize(p), 0u);
  p.m = 1;
  p.k = 100; // too short to split
  EXPECT_EQ(fullyConnectedWorkspaceSize(p), 0u);
}

} // namespace
