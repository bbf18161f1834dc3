//===- fully_connected_test.cpp - CUDA fully connected vs the reference ---===//
//
// Covers both paths (GEMV for m <= 4, with and without split-K, and the
// implicit-GEMM path above, with and without split-K, forced or chosen by
// fullyConnectedGemmSplits), the split choice itself, row strides in and
// out, bias, residual (also aliasing the output) and the activations.
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
  /// > 0: run fullyConnectedGemm with exactly this many splits and a
  /// workspace of splits * m * n floats (sentinel-filled, exactly sized).
  int forceSplits = 0;
  /// The residual is the output buffer itself (same strides).
  bool residualIsOutput = false;
};

void checkFc(const FcCase &c) {
  SCOPED_TRACE(::testing::Message()
               << c.m << "x" << c.k << "x" << c.n << " pads " << c.xPad << "/"
               << c.yPad << "/" << c.rPad << " act" << static_cast<int>(c.act)
               << (c.workspace ? " workspace" : "") << " splits "
               << c.forceSplits << (c.residualIsOutput ? " in-place" : ""));
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
  if (c.residualIsOutput) {
    ASSERT_EQ(c.rPad, c.yPad);
  }

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
  DeviceBuffer dY(
      c.residualIsOutput
          ? embedChannels(residual, c.m, c.n, 0, c.n + c.yPad)
          : std::vector<float>(int64_t(c.m) * (c.n + c.yPad), kSentinel));
  const float *res = !c.residual          ? nullptr
                     : c.residualIsOutput ? dY.get()
                                          : dRes.get();
  // Sentinel-filled and exactly sized (the emulation's cudaMalloc returns
  // exactly the bytes asked for: ASan catches an overrun): a partial sum
  // read before it is written blows the result up.
  size_t wsFloats = c.forceSplits > 0
                        ? size_t(c.forceSplits) * c.m * c.n
                        : fullyConnectedWorkspaceSize(p) / sizeof(float);
  DeviceBuffer dWs(std::vector<float>(wsFloats ? wsFloats : 1, kSentinel));
  if (c.workspace && c.m <= kGemvMaxRows) {
    EXPECT_GT(fullyConnectedSplits(p), 1) << "case meant to split K";
  }
  if (c.forceSplits > 0)
    ASSERT_EQ(fullyConnectedGemm(p, dX.get(), dW.get(),
                                 c.bias ? dBias.get() : nullptr, res, dY.get(),
                                 c.workspace ? dWs.get() : nullptr,
                                 c.forceSplits, nullptr),
              cudaSuccess);
  else
    ASSERT_EQ(fullyConnected(p, dX.get(), dW.get(),
                             c.bias ? dBias.get() : nullptr, res, dY.get(),
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

TEST(CudaFullyConnected, GemmSplitKMatchesReference) {
  // 8 x 2048 x 96: two 128 x 64 output tiles, far too few for any GPU.
  ASSERT_EQ(multiprocessorCount(), 108) << "the emulation reports an A100";
  FullyConnectedParams p;
  p.m = 8;
  p.k = 2048;
  p.n = 96;
  EXPECT_EQ(fullyConnectedGemmSplits(p, 108), 8);
  p.m = 6;
  p.k = 777;
  p.n = 20;
  EXPECT_EQ(fullyConnectedGemmSplits(p, 108), 3);
  const FcCase cases[] = {
      // Chosen by fullyConnected: 8 splits of 256 k's at 108 SMs.
      {8, 2048, 96, 0, 0, 0, kRelu6, true, true, true},
      {8, 2048, 96, 3, 5, 5, kElu, true, true, true, 0, true},
      // Null workspace: the same layer unsplit.
      {8, 2048, 96, 3, 5, 5, kElu, true, true, false},
      // Forced split counts: 1, uneven (2048 / 3 -> 688 k's), the last
      // split short, more than the K loop has steps for in one split.
      // (No tanh/sigmoid at K = 2048 unsplit: sums of ~15 squashed to
      // max|want| ~ 1 leave float rounding near the 1e-5 tolerance.)
      {8, 2048, 96, 0, 0, 0, kRelu, true, true, true, 1},
      {8, 2048, 96, 1, 2, 3, kSigmoid, true, true, true, 3},
      {8, 2048, 96, 0, 0, 0, kRelu, false, true, true, 7},
      {8, 2048, 96, 0, 0, 0, kNone, true, false, true, 16},
      {8, 2048, 96, 0, 0, 0, kNone, true, false, false, 16},
      // K not a multiple of BK, m over one 128-row tile, the small tile
      // (n <= 32), residual in place.
      {5, 1001, 70, 2, 0, 0, kRelu, true, true, true, 4},
      {130, 300, 65, 0, 1, 1, kElu, true, true, true, 2, true},
      {6, 777, 20, 0, 3, 0, kSigmoid, true, true, true, 5},
      {6, 777, 20, 0, 0, 0, kRelu6, true, true, true},
  };
  for (const FcCase &c : cases)
    checkFc(c);
}

TEST(CudaFullyConnected, GemmSplitChoice) {
  FullyConnectedParams p;
  p.m = 64;
  p.k = 25088;
  p.n = 4096; // VGG fc6 at batch 64: 1 x 64 tiles of 128 x 64
  EXPECT_EQ(fullyConnectedGemmSplits(p, 132), 5); // 320 blocks >= 264
  EXPECT_EQ(fullyConnectedGemmKPerSplit(p, 5), 5024);
  EXPECT_EQ(fullyConnectedGemmSplits(p, 108), 4); // 256 blocks >= 216
  EXPECT_EQ(fullyConnectedGemmSplits(p, 1), 1);   // 64 tiles >= 2
  p.k = 4096; // fc7: 4096 / 5 -> 824 k's per split, 5 splits
  EXPECT_EQ(fullyConnectedGemmSplits(p, 132), 5);
  EXPECT_EQ(fullyConnectedGemmKPerSplit(p, 5), 824);
  p.n = 1000; // fc8: 16 tiles, 17 wanted, capped by K / 256 = 16
  EXPECT_EQ(fullyConnectedGemmSplits(p, 132), 16);
  p.k = 100000; // capped by kGemmMaxSplits
  EXPECT_EQ(fullyConnectedGemmSplits(p, 132), fc::kGemmMaxSplits);
  p.k = 511; // one split of 256 only
  EXPECT_EQ(fullyConnectedGemmSplits(p, 132), 1);
  p.k = 4096;
  p.m = 4096; // 32 x 16 tiles fill the GPU already
  EXPECT_EQ(fullyConnectedGemmSplits(p, 132), 1);
  p.m = 4; // the GEMV path
  EXPECT_EQ(fullyConnectedGemmSplits(p, 132), 1);
  p.m = 8;
  p.n = 32; // the small tile: 64 x 32, 1 tile, capped by K / 256
  EXPECT_EQ(fullyConnectedGemmSplits(p, 132), 16);
  p.k = 2048;
  EXPECT_EQ(fullyConnectedGemmSplits(p, 132), 8);
  // Above kGemmMaxSmCount a device splits as if it had that many SMs.
  p.n = 4096;
  p.k = 25088;
  p.m = 64;
  EXPECT_EQ(fullyConnectedGemmSplits(p, 1000),
            fullyConnectedGemmSplits(p, kGemmMaxSmCount));

  // For many shapes and every SM count: the splits cover K exactly with
  // no empty split, and never exceed what the workspace was sized for.
  for (int m : {5, 8, 64, 200})
    for (int k : {8, 255, 256, 1000, 2048, 4097, 25088})
      for (int n : {1, 32, 33, 96, 1000, 4096}) {
        p.m = m;
        p.k = k;
        p.n = n;
        size_t ws = fullyConnectedWorkspaceSize(p);
        int prev = 1;
        for (int sm = 1; sm <= 200; ++sm) {
          int s = fullyConnectedGemmSplits(p, sm);
          SCOPED_TRACE(::testing::Message()
                       << m << "x" << k << "x" << n << " at " << sm << " SMs");
          ASSERT_GE(s, prev); // non-decreasing in the SM count
          prev = s;
          ASSERT_LE(size_t(s > 1 ? s : 0) * m * n * sizeof(float), ws);
          if (s > 1) {
            int per = fullyConnectedGemmKPerSplit(p, s);
            ASSERT_EQ(per % ConvTileLarge::BK, 0);
            ASSERT_GE(int64_t(per) * s, k);
            ASSERT_LT(int64_t(per) * (s - 1), k);
            ASSERT_GE(per, fc::kGemmMinSplitK);
          }
        }
      }
}

TEST(CudaFullyConnected, WorkspaceSizes) {
  FullyConnectedParams p;
  p.m = 1;
  p.k = 25088;
  p.n = 4096; // VGG fc6: 128 column blocks, split to fill the GPU
  EXPECT_EQ(fullyConnectedSplits(p), 4);
  EXPECT_EQ(fullyConnectedWorkspaceSize(p), 4u * 4096 * sizeof(float));
  p.m = 8; // the GEMM path: sized for kGemmMaxSmCount (160) SMs
  EXPECT_EQ(fullyConnectedSplits(p), 1);
  EXPECT_EQ(fullyConnectedGemmSplits(p, kGemmMaxSmCount), 5);
  EXPECT_EQ(fullyConnectedWorkspaceSize(p), 5u * 8 * 4096 * sizeof(float));
  p.m = 4096; // enough tiles: none
  EXPECT_EQ(fullyConnectedWorkspaceSize(p), 0u);
  p.m = 1;
  p.k = 100; // too short to split
  EXPECT_EQ(fullyConnectedWorkspaceSize(p), 0u);
  p.m = 8; // likewise
  EXPECT_EQ(fullyConnectedWorkspaceSize(p), 0u);
}

} // namespace
