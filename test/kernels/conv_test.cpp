//===- conv_test.cpp - Fast conv2d / depthwise vs the reference -----------===//
//
// Every case runs the reference on NHWC/HWIO data and the fast kernel on the
// blocked/packed copies, then checks: values within 1e-4 rel / 1e-5 abs,
// padding lanes still zero, and blocks outside the destination slice left
// untouched (the concat-in-place contract). Inputs are embedded in bigger
// tensors filled with huge values when inCbOffset is tested, so reading the
// wrong block shows up as a wrong result.
//
//===----------------------------------------------------------------------===//
#include "test_util.h"
#include "thread_pool.h"

#include "slim/kernels.h"

#include <gtest/gtest.h>

#include <cmath>
#include <cstring>
#include <sstream>
#include <string>
#include <vector>

using namespace slim::kernels;
using slim::test::allClose;
using slim::test::randomVector;
using slim::test::ThreadPool;

namespace {

constexpr float kSentinel = 7777.0f;
constexpr float kPoison = 1e30f;

struct ConvCase {
  int64_t batch, h, w, inC, outC;
  int kh, kw, sh, sw, dh, dw;
  bool same;
  Activation act;
  bool residual, bias;
  int64_t inOffset, outOffset, extraBlocks;
  int threads;
  int multiplier; // depthwise only
};

std::string caseName(const ConvCase &c) {
  std::ostringstream os;
  os << "n" << c.batch << "_" << c.h << "x" << c.w << "_c" << c.inC << "to"
     << c.outC << "_k" << c.kh << "x" << c.kw << "_s" << c.sh << "x" << c.sw
     << "_d" << c.dh << "x" << c.dw << (c.same ? "_same" : "_valid") << "_"
     << slim::test::activationName(c.act) << (c.residual ? "_res" : "")
     << (c.bias ? "" : "_nobias") << "_in" << c.inOffset << "_out"
     << c.outOffset << "_x" << c.extraBlocks << "_t" << c.threads;
  if (c.multiplier != 1)
    os << "_m" << c.multiplier;
  return os.str();
}

Conv2DParams makeParams(const ConvCase &c) {
  Conv2DParams p;
  p.batch = c.batch;
  p.inH = c.h;
  p.inW = c.w;
  p.inC = c.inC;
  p.outC = c.outC;
  p.kernelH = c.kh;
  p.kernelW = c.kw;
  p.strideH = c.sh;
  p.strideW = c.sw;
  p.dilationH = c.dh;
  p.dilationW = c.dw;
  p.depthMultiplier = c.multiplier;
  p.act = c.act;
  Padding1D ph = c.same ? tfSamePadding(c.h, c.kh, c.sh, c.dh)
                        : tfValidPadding(c.h, c.kh, c.sh, c.dh);
  Padding1D pw = c.same ? tfSamePadding(c.w, c.kw, c.sw, c.dw)
                        : tfValidPadding(c.w, c.kw, c.sw, c.dw);
  p.outH = ph.out;
  p.outW = pw.out;
  p.padTop = ph.before;
  p.padBottom = ph.after;
  p.padLeft = pw.before;
  p.padRight = pw.after;
  return p;
}

/// Runs one case through the reference and the fast kernel and compares.
void checkConv(const ConvCase &c, bool depthwise) {
  Conv2DParams p = makeParams(c);
  ASSERT_GT(p.outH, 0);
  ASSERT_GT(p.outW, 0);
  ASSERT_EQ(windowOutputSize(p.inH, p.kernelH, p.strideH, p.dilationH, p.padTop,
                             p.padBottom),
            p.outH);
  uint32_t seed = static_cast<uint32_t>(std::hash<std::string>()(caseName(c)));
  int64_t inCount = c.batch * c.h * c.w * c.inC;
  int64_t outCount = c.batch * p.outH * p.outW * c.outC;
  int64_t wCount = depthwise ? int64_t(c.kh) * c.kw * c.outC
                             : int64_t(c.kh) * c.kw * c.inC * c.outC;
  std::vector<float> in = randomVector(inCount, seed);
  // Weights scaled by fan-in like a trained net's, so outputs stay O(1) and
  // float32 accumulation error stays far below the tolerance.
  float wScale = 1.5f / std::sqrt(static_cast<float>(int64_t(c.kh) * c.kw *
                                                     (depthwise ? 1 : c.inC)));
  std::vector<float> w = randomVector(wCount, seed + 1, -wScale, wScale);
  std::vector<float> bias = randomVector(c.outC, seed + 2);
  std::vector<float> res = randomVector(outCount, seed + 3);
  const float *biasPtr = c.bias ? bias.data() : nullptr;

  std::vector<float> want(outCount);
  if (depthwise)
    ref::depthwiseConv2d(p, in.data(), w.data(), biasPtr,
                         c.residual ? res.data() : nullptr, want.data());
  else
    ref::conv2d(p, in.data(), w.data(), biasPtr,
                c.residual ? res.data() : nullptr, want.data());

  // Input embedded at block inOffset of a tensor with one more block after.
  int64_t icb = numBlocks(c.inC), ocb = numBlocks(c.outC);
  int64_t inCbTotal = icb + c.inOffset + (c.inOffset ? 1 : 0);
  std::vector<float> inB(c.batch * inCbTotal * c.h * c.w * kVec, kPoison);
  nhwcToBlocked(in.data(), c.batch, c.h, c.w, c.inC, inB.data(), c.inOffset,
                inCbTotal);
  p.inCbOffset = c.inOffset;
  p.inCbTotal = inCbTotal;

  std::vector<float> packed;
  if (depthwise) {
    packed.resize(depthwisePackedSize(c.kh, c.kw, c.outC));
    packDepthwiseWeights(w.data(), c.kh, c.kw, c.outC, packed.data());
  } else {
    packed.resize(conv2dPackedSize(c.kh, c.kw, c.inC, c.outC));
    packConv2dWeights(w.data(), c.kh, c.kw, c.inC, c.outC, packed.data());
  }
  std::vector<float> resB =
      slim::test::toBlocked(res, c.batch, p.outH, p.outW, c.outC);

  int64_t outCbTotal = ocb + c.outOffset + c.extraBlocks;
  int64_t plane = p.outH * p.outW * kVec;
  std::vector<float> outB(c.batch * outCbTotal * plane, kSentinel);
  p.outCbOffset = c.outOffset;
  p.outCbTotal = outCbTotal;

  ThreadPool pool(c.threads);
  if (depthwise)
    depthwiseConv2d(p, inB.data(), packed.data(), biasPtr,
                    c.residual ? resB.data() : nullptr, outB.data(),
                    pool.get());
  else
    conv2d(p, inB.data(), packed.data(), biasPtr,
           c.residual ? resB.data() : nullptr, outB.data(), pool.get());

  std::vector<float> got(outCount);
  blockedToNhwc(outB.data(), c.batch, p.outH, p.outW, c.outC, got.data(),
                c.outOffset, outCbTotal);
  EXPECT_TRUE(allClose(got, want));
  EXPECT_TRUE(slim::test::paddingLanesZero(outB, c.batch, p.outH * p.outW,
                                           c.outC, c.outOffset, outCbTotal));
  int64_t touched = 0;
  for (int64_t n = 0; n < c.batch; ++n)
    for (int64_t b = 0; b < outCbTotal; ++b) {
      if (b >= c.outOffset && b < c.outOffset + ocb)
        continue;
      for (int64_t i = 0; i < plane; ++i)
        touched += outB[(n * outCbTotal + b) * plane + i] != kSentinel;
    }
  EXPECT_EQ(touched, 0) << "wrote outside the destination channel slice";
}

const Activation kActs[] = {Activation::None,  Activation::Relu,
                            Activation::Relu6, Activation::Sigmoid,
                            Activation::Tanh,  Activation::Elu};

struct Geometry {
  int kh, kw, sh, sw, dh, dw;
  int64_t h, w;
};

const Geometry kGeometries[] = {
    {1, 1, 1, 1, 1, 1, 9, 7},
    {1, 1, 2, 2, 1, 1, 11, 9},
    {3, 3, 1, 1, 1, 1, 13, 11},
    {3, 3, 2, 2, 1, 1, 15, 13},
    {3, 3, 1, 1, 2, 2, 13, 12},
    {3, 3, 4, 4, 1, 1, 17, 19},
    {5, 5, 1, 1, 1, 1, 12, 15},
    {7, 7, 2, 2, 1, 1, 23, 21},
    {11, 11, 4, 4, 1, 1, 31, 27},
    {1, 7, 1, 1, 1, 1, 9, 17},
    {7, 1, 1, 1, 1, 1, 17, 9},
    {3, 3, 2, 1, 1, 2, 14, 19},
    {3, 3, 1, 1, 1, 1, 5, 40},
    {2, 2, 2, 2, 1, 1, 7, 9},
    {3, 3, 3, 3, 1, 1, 10, 10},
    {5, 5, 1, 1, 1, 1, 3, 4},
    // Left padding wider than a tile: 5 (11x11) and 6 (5x5 at rate 3).
    {11, 11, 1, 1, 1, 1, 15, 17},
    {5, 5, 1, 1, 3, 3, 16, 20},
};

std::vector<ConvCase> convSweep() {
  const std::pair<int64_t, int64_t> channels[] = {
      {3, 5}, {5, 17}, {17, 33}, {33, 8}, {16, 16}};
  std::vector<ConvCase> cases;
  int i = 0;
  for (const Geometry &g : kGeometries)
    for (auto [ic, oc] : channels)
      for (bool same : {true, false}) {
        if (!same && (tfValidPadding(g.h, g.kh, g.sh, g.dh).out <= 0 ||
                      tfValidPadding(g.w, g.kw, g.sw, g.dw).out <= 0))
          continue;
        ConvCase c;
        c.batch = i % 4 == 0 ? 3 : 1;
        c.h = g.h;
        c.w = g.w;
        c.inC = ic;
        c.outC = oc;
        c.kh = g.kh;
        c.kw = g.kw;
        c.sh = g.sh;
        c.sw = g.sw;
        c.dh = g.dh;
        c.dw = g.dw;
        c.same = same;
        c.act = kActs[i % 6];
        c.residual = (i / 3) % 2;
        c.bias = i % 11 != 5;
        c.inOffset = i % 7 == 3 ? 1 : 0;
        c.outOffset = i % 5 == 1 ? 1 : 0;
        c.extraBlocks = i % 5 == 2 ? 1 : 0;
        c.threads = 1 + (i / 2) % 3;
        c.multiplier = 1;
        cases.push_back(c);
        ++i;
      }
  // Every activation with and without residual on one shape, batch 3.
  for (Activation act : kActs)
    for (bool residual : {false, true})
      cases.push_back({3, 9,    14,  17,       33,   3, 3, 1, 1, 1,
                       1, true, act, residual, true, 0, 1, 1, 2, 1});
  // VGG-like: several input-channel chunks, full tiles, two threads.
  cases.push_back(
      {1,     28,   28, 64, 64, 3, 3, 1, 1, 1, 1, true, Activation::Relu,
       false, true, 0,  0,  0,  2, 1});
  cases.push_back(
      {2,    14,   14, 128, 72, 3, 3, 1, 1, 1, 1, true, Activation::Relu,
       true, true, 0,  2,   1,  2, 1});
  // Paths added for issue 5 (see docs/kernels.md, "Around the tile"):
  // field order: batch, h, w, inC, outC, kh, kw, sh, sw, dh, dw, same, act,
  // residual, bias, inOffset, outOffset, extraBlocks, threads, multiplier.
  // Row tiling: widths whose split needs every tile width 3..6 (AVX2) or
  // 7..10 (AVX-512), interior and clipped, stride 1 and 2.
  for (int w : {11, 13, 17, 19, 23, 29, 31, 37, 41, 47, 56}) {
    const int s = 1 + w % 2;
    cases.push_back({w % 3 == 0 ? 2 : 1,
                     5,
                     w,
                     12,
                     24,
                     3,
                     3,
                     s,
                     s,
                     1,
                     1,
                     true,
                     w % 2 ? Activation::Relu : Activation::None,
                     w % 4 == 1,
                     true,
                     w % 5 == 1 ? 1 : 0,
                     w % 3 == 1 ? 1 : 0,
                     w % 7 == 2 ? 1 : 0,
                     1 + w % 3,
                     1});
  }
  // Narrow maps (tiles spanning rows on a padded copy of the input rows):
  // VGG conv5 and ResNet block 3/4 shapes, with residual, offsets, batch,
  // stride 2 (ResNet's conv2d_same: VALID on a pre-padded map), dilation, a
  // 5x5 kernel, odd channels, several input-channel chunks, 1-3 threads.
  cases.push_back(
      {1,    14,   14, 64, 48, 3, 3, 1, 1, 1, 1, true, Activation::Relu,
       true, true, 0,  0,  0,  2, 1});
  cases.push_back(
      {2,    7,    7, 40, 33, 3, 3, 1, 1, 1, 1, true, Activation::Relu,
       true, true, 1, 1,  1,  3, 1});
  cases.push_back(
      {1,     16,   16, 24, 16, 3, 3, 2, 2, 1, 1, false, Activation::Relu6,
       false, true, 0,  0,  0,  1, 1});
  cases.push_back(
      {3,     9,     9, 17, 9, 3, 3, 1, 1, 2, 2, true, Activation::Elu,
       false, false, 0, 1,  0, 2, 1});
  cases.push_back(
      {1,    10,   13, 5, 19, 5, 5, 1, 1, 1, 1, true, Activation::Sigmoid,
       true, true, 0,  0, 1,  1, 1});
  cases.push_back(
      {1,    4,    3, 33, 16, 3, 3, 1, 1, 1, 1, true, Activation::Tanh,
       true, true, 1, 0,  0,  2, 1});
  cases.push_back(
      {2,    14,   14, 200, 40, 3, 3, 1, 1, 1, 1, true, Activation::Relu,
       true, true, 0,  0,   0,  2, 1});
  // 1x1 stride 1 as a GEMM over the whole plane (tiles across row ends):
  // odd channels, K over several chunks (> 256 input channels), residual,
  // offsets, batch, threads; ResNet/MobileNet-like maps.
  cases.push_back(
      {1,    7,    7, 520, 72, 1, 1, 1, 1, 1, 1, true, Activation::Relu,
       true, true, 0, 0,   0,  2, 1});
  cases.push_back(
      {2,    14,   14, 33, 17, 1, 1, 1, 1, 1, 1, true, Activation::None,
       true, true, 1,  1,  1,  3, 1});
  cases.push_back(
      {1,     28,   28, 64, 256, 1, 1, 1, 1, 1, 1, true, Activation::Relu,
       false, true, 0,  2,  0,   2, 1});
  cases.push_back(
      {3,     5,     3, 5, 9, 1, 1, 1, 1, 1, 1, false, Activation::Relu6,
       false, false, 0, 0, 0, 1, 1});
  // Strided 1x1 (projection shortcut): the sampled pixels of a pixel block
  // are gathered once per input-channel chunk and run as a 1x1 GEMM for
  // several output block pairs (convGather).
  cases.push_back(
      {2,    14,   14, 72, 40, 1, 1, 2, 2, 1, 1, true, Activation::Relu,
       true, true, 1,  0,  1,  2, 1});
  cases.push_back(
      {1,    13,    13, 300, 24, 1, 1, 2, 2, 1, 1, false, Activation::None,
       true, false, 0,  1,   0,  3, 1});
  cases.push_back(
      {1,     56,   56, 16, 24, 1, 1, 2, 2, 1, 1, true, Activation::Relu,
       false, true, 0,  0,  0,  2, 1});
  // Gather path: strides 2 and 3 (and 2x3), odd maps whose pixel count is
  // no multiple of the tile, several pixel blocks (> 120 output pixels),
  // several gather chunks (> 136 input channels), several groups of pairs
  // (> 16 output blocks) with an odd last block, batch 2, residual + relu,
  // concat offsets, 1-3 threads.
  cases.push_back(
      {2,    31,   29, 150, 280, 1, 1, 2, 2, 1, 1, true, Activation::Relu,
       true, true, 1,  1,   1,   3, 1});
  cases.push_back(
      {1,    20,   23, 19, 37, 1, 1, 3, 3, 1, 1, false, Activation::Relu,
       true, true, 0,  1,  1,  2, 1});
  cases.push_back(
      {2,     9,     11, 8, 9, 1, 1, 2, 3, 1, 1, true, Activation::Relu6,
       false, false, 1,  0, 0, 1, 1});
  cases.push_back(
      {1,    27,   27, 40, 130, 1, 1, 3, 3, 1, 1, true, Activation::Tanh,
       true, true, 0,  0,  1,   2, 1});
  cases.push_back(
      {1,    56,   56, 64, 128, 1, 1, 2, 2, 1, 1, true, Activation::Relu,
       true, true, 0,  2,  0,   2, 1});
  cases.push_back(
      {2,     2,    1, 5, 3, 1, 1, 2, 2, 1, 1, true, Activation::None,
       false, true, 0, 0, 1, 1, 1});
  // First layer of VGG/ResNet shape: 3 input channels, 7x7/2.
  cases.push_back(
      {1,     32,   32, 3, 64, 7, 7, 2, 2, 1, 1, true, Activation::Relu,
       false, true, 0,  0, 0,  1, 1});
  // Fewer input channels than a block (convSmallCItem: (kw, ic) as the
  // reduction on a dense padded copy of the rows): 1-7 and 12 channels,
  // 3x3, 5x5, 7x7/2, 11x11/4, 1x7, 7x1, 2x2, strides 1-3 (also 2x1),
  // SAME and VALID on odd maps, maps wider than an item's 2048 pixels (so
  // items split the rows), maps narrower than a tile, an odd number of
  // output blocks, every activation (relu/relu6 in registers, the others
  // after the tile), residual, block offsets, batch 2-3, 1-3 threads.
  cases.push_back(
      {1,     45,   67, 3, 64, 3, 3, 1, 1, 1, 1, true, Activation::Relu,
       false, true, 0,  0, 0,  1, 1});
  // The one-pointer tiles (3 channels, pixel steps 3 and 6, relu / relu6):
  // rows of 23 and 12 pixels, so tiles both stay within rows and cross row
  // ends; an odd block count, residual, block offsets and 2-3 threads.
  cases.push_back(
      {2,    19,   23, 3, 40, 3, 3, 1, 1, 1, 1, true, Activation::Relu6,
       true, true, 1,  1, 1,  3, 1});
  cases.push_back(
      {1,    25,    24, 3, 24, 3, 3, 2, 2, 1, 1, true, Activation::Relu,
       true, false, 0,  1, 0,  2, 1});
  cases.push_back(
      {2,    39,   41, 3, 40, 7, 7, 2, 2, 1, 1, true, Activation::Relu6,
       true, true, 1,  1, 1,  2, 1});
  cases.push_back(
      {1,     61,   59, 3, 24, 11, 11, 4, 4, 1, 1, false, Activation::Relu,
       false, true, 0,  0, 0,  3,  1});
  cases.push_back(
      {3,    13,    11, 1, 19, 5, 5, 1, 1, 1, 1, true, Activation::Tanh,
       true, false, 0,  0, 1,  2, 1});
  cases.push_back(
      {1,    17,   23, 2, 33, 1, 7, 1, 2, 1, 1, true, Activation::Sigmoid,
       true, true, 0,  1, 0,  1, 1});
  cases.push_back(
      {2,     21,   18, 4, 72, 7, 1, 2, 1, 1, 1, false, Activation::Elu,
       false, true, 1,  0, 0,  3, 1});
  cases.push_back(
      {1,     9,    10, 5, 17, 2, 2, 3, 3, 1, 1, true, Activation::None,
       false, true, 0,  0, 0,  1, 1});
  cases.push_back(
      {1,    5,    3, 7, 48, 3, 3, 1, 1, 1, 1, true, Activation::Relu,
       true, true, 0, 1, 1,  2, 1});
  cases.push_back(
      {2,    12,   14, 12, 20, 3, 3, 1, 1, 1, 1, false, Activation::Relu6,
       true, true, 0,  0,  0,  2, 1});
  cases.push_back(
      {1,     100,  230, 3, 32, 3, 3, 1, 1, 1, 1, true, Activation::Relu,
       false, true, 0,   0, 0,  2, 1});
  cases.push_back(
      {1,     30,   2001, 1, 16, 3, 3, 1, 1, 1, 1, true, Activation::None,
       false, true, 0,    0, 0,  1, 1});
  // Too wide for the copy buffer (falls back to the blocked path), and
  // dilated (not taken): still exact.
  cases.push_back(
      {1,     6,    2001, 3, 16, 3, 3, 1, 1, 1, 1, true, Activation::Relu,
       false, true, 0,    0, 0,  1, 1});
  cases.push_back(
      {1,    20,   20, 3, 32, 3, 3, 1, 1, 2, 2, true, Activation::Relu,
       true, true, 0,  0, 0,  2, 1});
  return cases;
}

class Conv2DTest : public ::testing::TestWithParam<ConvCase> {};

TEST_P(Conv2DTest, MatchesReference) { checkConv(GetParam(), false); }

INSTANTIATE_TEST_SUITE_P(Sweep, Conv2DTest, ::testing::ValuesIn(convSweep()),
                         [](const ::testing::TestParamInfo<ConvCase> &info) {
                           return std::to_string(info.index) + "_" +
                                  caseName(info.param);
                         });

std::vector<ConvCase> depthwiseSweep() {
  const int64_t channels[] = {3, 8, 17, 32};
  std::vector<ConvCase> cases;
  int i = 0;
  for (const Geometry &g : kGeometries)
    for (int64_t ch : channels)
      for (int mult : {1, 2, 3}) {
        if (mult == 3 && ch != 3 && ch != 17)
          continue;
        bool same = i % 3 != 1;
        if (!same && (tfValidPadding(g.h, g.kh, g.sh, g.dh).out <= 0 ||
                      tfValidPadding(g.w, g.kw, g.sw, g.dw).out <= 0))
          same = true;
        ConvCase c;
        c.batch = i % 4 == 0 ? 3 : 1;
        c.h = g.h;
        c.w = g.w;
        c.inC = ch;
        c.outC = ch * mult;
        c.kh = g.kh;
        c.kw = g.kw;
        c.sh = g.sh;
        c.sw = g.sw;
        c.dh = g.dh;
        c.dw = g.dw;
        c.same = same;
        c.act = kActs[i % 6];
        c.residual = (i / 3) % 2;
        c.bias = i % 11 != 5;
        c.inOffset = i % 7 == 3 ? 1 : 0;
        c.outOffset = i % 5 == 1 ? 1 : 0;
        c.extraBlocks = i % 5 == 2 ? 1 : 0;
        c.threads = 1 + (i / 2) % 3;
        c.multiplier = mult;
        cases.push_back(c);
        ++i;
      }
  // MobileNet-like: 3x3 depthwise, 32+ channels, relu6, wide rows.
  cases.push_back(
      {1,     28,   28, 64, 64, 3, 3, 1, 1, 1, 1, true, Activation::Relu6,
       false, true, 0,  0,  0,  2, 1});
  cases.push_back(
      {2,     29,   29, 40, 40, 3, 3, 2, 2, 1, 1, true, Activation::Relu6,
       false, true, 0,  0,  0,  2, 1});
  return cases;
}

class DepthwiseTest : public ::testing::TestWithParam<ConvCase> {};

TEST_P(DepthwiseTest, MatchesReference) { checkConv(GetParam(), true); }

INSTANTIATE_TEST_SUITE_P(Sweep, DepthwiseTest,
                         ::testing::ValuesIn(depthwiseSweep()),
                         [](const ::testing::TestParamInfo<ConvCase> &info) {
                           return std::to_string(info.index) + "_" +
                                  caseName(info.param);
                         });

/// The work split never changes how an output is summed: results are
/// bitwise identical for 1, 2 and 3 threads, on every tiling path (rows,
/// tiles spanning rows on a padded copy, the 1x1 GEMM, the strided-1x1
/// gather).
TEST(Conv2DThreads, ResultsDoNotDependOnTheThreadCount) {
  const ConvCase shapes[] = {
      {2,    23,   30, 40, 48, 3, 3, 1, 1, 1, 1, true, Activation::Relu,
       true, true, 0,  0,  0,  1, 1},
      {1,     14,   14, 520, 40, 3, 3, 1, 1, 1, 1, true, Activation::None,
       false, true, 0,  0,   0,  1, 1},
      {2,    12,   13, 300, 72, 1, 1, 1, 1, 1, 1, true, Activation::Relu,
       true, true, 0,  0,   0,  1, 1},
      {1,     14,   14, 64, 24, 1, 1, 2, 2, 1, 1, true, Activation::Relu6,
       false, true, 0,  0,  0,  1, 1},
      {2,    33,   31, 300, 290, 1, 1, 2, 2, 1, 1, true, Activation::Relu,
       true, true, 0,  0,   0,   1, 1},
      {2,    150,  41, 3, 40, 3, 3, 1, 1, 1, 1, true, Activation::Relu,
       true, true, 0,  0, 0,  1, 1},
      {1,     96,   96, 3, 64, 7, 7, 2, 2, 1, 1, true, Activation::Sigmoid,
       false, true, 0,  0, 0,  1, 1},
  };
  for (const ConvCase &c : shapes) {
    Conv2DParams p = makeParams(c);
    std::vector<float> in = randomVector(c.batch * c.h * c.w * c.inC, 21);
    std::vector<float> w =
        randomVector(c.kh * c.kw * c.inC * c.outC, 22, -0.1f, 0.1f);
    std::vector<float> bias = randomVector(c.outC, 23);
    std::vector<float> packed(conv2dPackedSize(c.kh, c.kw, c.inC, c.outC));
    packConv2dWeights(w.data(), c.kh, c.kw, c.inC, c.outC, packed.data());
    std::vector<float> inB =
        slim::test::toBlocked(in, c.batch, c.h, c.w, c.inC);
    std::vector<float> res =
        randomVector(blockedSize(c.batch, p.outH, p.outW, c.outC), 24);
    std::vector<float> first;
    for (int threads : {1, 2, 3}) {
      std::vector<float> out(blockedSize(c.batch, p.outH, p.outW, c.outC));
      ThreadPool pool(threads);
      conv2d(p, inB.data(), packed.data(), bias.data(),
             c.residual ? res.data() : nullptr, out.data(), pool.get());
      if (threads == 1)
        first = out;
      else
        EXPECT_EQ(0, std::memcmp(first.data(), out.data(),
                                 out.size() * sizeof(float)))
            << caseName(c) << " threads=" << threads;
    }
  }
}

/// The small-channel path is taken where it should be (so the sweep's
/// cases with fewer channels than a block test it) and not elsewhere.
TEST(Conv2DSmallChannels, PlanTakesThePath) {
  auto plan = [](int64_t h, int64_t w, int64_t inC, int k, int s, int d) {
    ConvCase c{
        1,     h,    w, inC, 64, k, k, s, s, d, d, true, Activation::Relu,
        false, true, 0, 0,   0,  1, 1};
    slim::kernels::detail::ConvCtx ctx;
    slim::kernels::detail::planConv(ctx, makeParams(c), /*ownItems=*/true);
    return ctx.run == slim::kernels::detail::kRunSmallC;
  };
  EXPECT_TRUE(plan(224, 224, 3, 3, 1, 1)) << "VGG conv1_1";
  EXPECT_TRUE(plan(224, 224, 3, 7, 2, 1)) << "ResNet-50 stem";
  EXPECT_TRUE(plan(224, 224, 3, 3, 2, 1)) << "MobileNet conv0";
  EXPECT_TRUE(plan(227, 227, 3, 11, 4, 1)) << "AlexNet conv1";
  for (int64_t c = 1; c < kVec; ++c)
    EXPECT_TRUE(plan(20, 20, c, 3, 1, 1)) << c << " channels";
  EXPECT_FALSE(plan(20, 20, kVec, 3, 1, 1));
  EXPECT_FALSE(plan(20, 20, 3, 3, 1, 2)) << "dilated";
  EXPECT_FALSE(plan(20, 20, 3, 1, 1, 1)) << "1x1";
  EXPECT_FALSE(plan(6, 2001, 3, 3, 1, 1)) << "rows too wide for the copy";
  EXPECT_TRUE(plan(30, 2001, 1, 3, 1, 1));
}

/// conv + batch_norm + relu, unfolded through the reference, equals the fast
/// conv with the batch norm folded into weights and bias at load time; with
/// and without gamma (scale) and beta (center).
TEST(BatchNormFold, FoldedConvMatchesUnfolded) {
  for (int flags = 0; flags < 4; ++flags) {
    bool scale = flags & 1, center = flags & 2;
    ConvCase c{2,     10,    9, 5, 17, 3, 3, 1, 1, 1, 1, true, Activation::Relu,
               false, false, 0, 0, 0,  2, 1};
    Conv2DParams p = makeParams(c);
    int64_t outer = c.batch * p.outH * p.outW;
    std::vector<float> in = randomVector(c.batch * c.h * c.w * c.inC, 11);
    std::vector<float> w = randomVector(9 * c.inC * c.outC, 12);
    std::vector<float> gamma = randomVector(c.outC, 13, 0.5f, 2.0f);
    std::vector<float> beta = randomVector(c.outC, 14);
    std::vector<float> mean = randomVector(c.outC, 15);
    std::vector<float> var = randomVector(c.outC, 16, 0.1f, 3.0f);
    const float eps = 0.001f;
    const float *g = scale ? gamma.data() : nullptr;
    const float *b = center ? beta.data() : nullptr;

    Conv2DParams plain = p;
    plain.act = Activation::None;
    std::vector<float> convOut(outer * c.outC), bn(outer * c.outC),
        want(outer * c.outC);
    ref::conv2d(plain, in.data(), w.data(), nullptr, nullptr, convOut.data());
    ref::batchNorm(convOut.data(), bn.data(), outer, c.outC, g, b, mean.data(),
                   var.data(), eps);
    ref::biasActivation(bn.data(), nullptr, want.data(), outer, c.outC,
                        Activation::Relu);

    std::vector<float> s(c.outC), t(c.outC), bias(c.outC, 0.0f);
    batchNormScaleShift(c.outC, g, b, mean.data(), var.data(), eps, s.data(),
                        t.data());
    std::vector<float> wf = w;
    foldScaleShift(wf.data(), 9 * c.inC, c.outC, bias.data(), s.data(),
                   t.data());
    std::vector<float> packed(conv2dPackedSize(3, 3, c.inC, c.outC));
    packConv2dWeights(wf.data(), 3, 3, c.inC, c.outC, packed.data());
    std::vector<float> inB =
        slim::test::toBlocked(in, c.batch, c.h, c.w, c.inC);
    std::vector<float> outB(blockedSize(c.batch, p.outH, p.outW, c.outC));
    ThreadPool pool(2);
    conv2d(p, inB.data(), packed.data(), bias.data(), nullptr, outB.data(),
           pool.get());
    std::vector<float> got(outer * c.outC);
    blockedToNhwc(outB.data(), c.batch, p.outH, p.outW, c.outC, got.data());
    EXPECT_TRUE(allClose(got, want))
        << "scale=" << scale << " center=" << center;
  }
}

} // namespace
