//===- conv3d_test.cpp - Fast 3-D kernels vs the reference ----------------===//
//
// conv3d and the 3-D pools: each case runs the reference on NDHWC/DHWIO
// data and the fast kernel on the blocked ([N][D][Cb][H][W][V]) and packed
// copies, then checks values (1e-4 rel / 1e-5 abs), zero padding lanes, and
// that blocks outside the destination channel slice are untouched (concat in
// place). Inputs read at a block offset are embedded among huge values, so a
// wrong read shows.
//
//===----------------------------------------------------------------------===//
#include "test_util.h"
#include "thread_pool.h"

#include "slim/kernels.h"

#include <gtest/gtest.h>

#include <cmath>
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

struct Conv3DCase {
  int64_t batch, d, h, w, inC, outC;
  int kd, kh, kw, sd, sh,
      dd; ///< stride and dilation: sd/dd in time, sh in space
  bool same;
  Activation act;
  bool residual, bias;
  int64_t inOffset, outOffset, extraBlocks;
  int threads;
};

std::string caseName(const Conv3DCase &c) {
  std::ostringstream os;
  os << "n" << c.batch << "_" << c.d << "x" << c.h << "x" << c.w << "_c"
     << c.inC << "to" << c.outC << "_k" << c.kd << "x" << c.kh << "x" << c.kw
     << "_s" << c.sd << "x" << c.sh << "_d" << c.dd
     << (c.same ? "_same" : "_valid") << "_"
     << slim::test::activationName(c.act) << (c.residual ? "_res" : "")
     << (c.bias ? "" : "_nobias") << "_in" << c.inOffset << "_out"
     << c.outOffset << "_x" << c.extraBlocks << "_t" << c.threads;
  return os.str();
}

Conv3DParams makeParams(const Conv3DCase &c) {
  Conv3DParams p;
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
  p.act = c.act;
  auto pad = c.same ? tfSamePadding : tfValidPadding;
  Padding1D pd = pad(c.d, c.kd, c.sd, c.dd);
  Padding1D ph = pad(c.h, c.kh, c.sh, 1);
  Padding1D pw = pad(c.w, c.kw, c.sh, 1);
  p.outD = pd.out;
  p.outH = ph.out;
  p.outW = pw.out;
  p.padFront = pd.before;
  p.padBack = pd.after;
  p.padTop = ph.before;
  p.padBottom = ph.after;
  p.padLeft = pw.before;
  p.padRight = pw.after;
  return p;
}

void checkConv3D(const Conv3DCase &c) {
  SCOPED_TRACE(caseName(c));
  Conv3DParams p = makeParams(c);
  ASSERT_GT(p.outD * p.outH * p.outW, 0);
  uint32_t seed = static_cast<uint32_t>(std::hash<std::string>()(caseName(c)));
  const int64_t frames = c.batch * c.d, outFrames = c.batch * p.outD;
  int64_t inCount = frames * c.h * c.w * c.inC;
  int64_t outCount = outFrames * p.outH * p.outW * c.outC;
  int64_t taps = int64_t(c.kd) * c.kh * c.kw;
  std::vector<float> in = randomVector(inCount, seed);
  float wScale = 1.5f / std::sqrt(static_cast<float>(taps * c.inC));
  std::vector<float> w =
      randomVector(taps * c.inC * c.outC, seed + 1, -wScale, wScale);
  std::vector<float> bias = randomVector(c.outC, seed + 2);
  std::vector<float> res = randomVector(outCount, seed + 3);
  const float *biasPtr = c.bias ? bias.data() : nullptr;

  std::vector<float> want(outCount);
  ref::conv3d(p, in.data(), w.data(), biasPtr,
              c.residual ? res.data() : nullptr, want.data());

  // Each input frame embedded at block inOffset of frames with one more
  // block after.
  int64_t icb = numBlocks(c.inC), ocb = numBlocks(c.outC);
  int64_t inCbTotal = icb + c.inOffset + (c.inOffset ? 1 : 0);
  std::vector<float> inB(frames * inCbTotal * c.h * c.w * kVec, kPoison);
  nhwcToBlocked(in.data(), frames, c.h, c.w, c.inC, inB.data(), c.inOffset,
                inCbTotal);
  p.inCbOffset = c.inOffset;
  p.inCbTotal = inCbTotal;
  std::vector<float> packed(conv3dPackedSize(c.kd, c.kh, c.kw, c.inC, c.outC));
  packConv3dWeights(w.data(), c.kd, c.kh, c.kw, c.inC, c.outC, packed.data());
  std::vector<float> resB =
      slim::test::toBlocked(res, outFrames, p.outH, p.outW, c.outC);

  int64_t outCbTotal = ocb + c.outOffset + c.extraBlocks;
  int64_t plane = p.outH * p.outW * kVec;
  std::vector<float> outB(outFrames * outCbTotal * plane, kSentinel);
  p.outCbOffset = c.outOffset;
  p.outCbTotal = outCbTotal;

  ThreadPool pool(c.threads);
  conv3d(p, inB.data(), packed.data(), biasPtr,
         c.residual ? resB.data() : nullptr, outB.data(), pool.get());

  std::vector<float> got(outCount);
  blockedToNhwc(outB.data(), outFrames, p.outH, p.outW, c.outC, got.data(),
                c.outOffset, outCbTotal);
  EXPECT_TRUE(allClose(got, want));
  EXPECT_TRUE(slim::test::paddingLanesZero(outB, outFrames, p.outH * p.outW,
                                           c.outC, c.outOffset, outCbTotal));
  int64_t touched = 0;
  for (int64_t f = 0; f < outFrames; ++f)
    for (int64_t b = 0; b < outCbTotal; ++b) {
      if (b >= c.outOffset && b < c.outOffset + ocb)
        continue;
      for (int64_t i = 0; i < plane; ++i)
        touched += outB[(f * outCbTotal + b) * plane + i] != kSentinel;
    }
  EXPECT_EQ(touched, 0) << "wrote outside the destination channel slice";
}

const Activation kActs[] = {Activation::None,  Activation::Relu,
                            Activation::Relu6, Activation::Sigmoid,
                            Activation::Tanh,  Activation::Elu};

/// The layer shapes of I3D and S3D-G (stem 7x7x7/2, 1x1x1, 3x3x3, separable
/// 1x3x3 + 3x1x1) and the corners: temporal stride and dilation, windows
/// bigger than the clip, VALID, one-frame clips, narrow and wide maps.
struct Geometry3D {
  int kd, kh, kw, sd, sh, dd;
  int64_t d, h, w;
};

const Geometry3D kGeometries[] = {
    {7, 7, 7, 2, 2, 1, 8, 23, 21}, {1, 1, 1, 1, 1, 1, 4, 9, 7},
    {3, 3, 3, 1, 1, 1, 5, 13, 11}, {1, 3, 3, 1, 1, 1, 4, 14, 14},
    {3, 1, 1, 1, 1, 1, 6, 7, 9},   {3, 3, 3, 2, 2, 1, 7, 15, 13},
    {3, 3, 3, 1, 1, 2, 6, 8, 8},   {2, 2, 2, 2, 2, 1, 4, 7, 7},
    {5, 1, 1, 1, 1, 1, 2, 5, 6},   {1, 1, 1, 2, 2, 1, 5, 11, 9},
    {3, 3, 3, 1, 1, 1, 1, 5, 40},  {2, 7, 7, 1, 1, 1, 2, 7, 7},
};

std::vector<Conv3DCase> conv3dSweep() {
  const std::pair<int64_t, int64_t> channels[] = {
      {3, 5}, {5, 17}, {17, 33}, {16, 16}};
  std::vector<Conv3DCase> cases;
  int i = 0;
  for (const Geometry3D &g : kGeometries)
    for (auto [ic, oc] : channels)
      for (bool same : {true, false}) {
        if (!same && (tfValidPadding(g.d, g.kd, g.sd, g.dd).out <= 0 ||
                      tfValidPadding(g.h, g.kh, g.sh, 1).out <= 0 ||
                      tfValidPadding(g.w, g.kw, g.sh, 1).out <= 0))
          continue;
        Conv3DCase c;
        c.batch = i % 4 == 0 ? 2 : 1;
        c.d = g.d;
        c.h = g.h;
        c.w = g.w;
        c.inC = ic;
        c.outC = oc;
        c.kd = g.kd;
        c.kh = g.kh;
        c.kw = g.kw;
        c.sd = g.sd;
        c.sh = g.sh;
        c.dd = g.dd;
        c.same = same;
        c.act = kActs[i % 6];
        c.residual = (i / 3) % 2;
        c.bias = i % 11 != 5;
        c.inOffset = i % 7 == 3 ? 1 : 0;
        c.outOffset = i % 5 == 1 ? 1 : 0;
        c.extraBlocks = i % 5 == 2 ? 1 : 0;
        c.threads = 1 + (i / 2) % 3;
        cases.push_back(c);
        ++i;
      }
  return cases;
}

TEST(Conv3D, MatchesReference) {
  for (const Conv3DCase &c : conv3dSweep())
    checkConv3D(c);
}

TEST(Conv3D, PackingOfOneTapIsConv2dPacking) {
  // kd = 1: conv3d hands the frames to conv2d with the same packed buffer.
  std::vector<float> w = randomVector(3 * 3 * 5 * 17, 9);
  std::vector<float> a(conv3dPackedSize(1, 3, 3, 5, 17));
  std::vector<float> b(conv2dPackedSize(3, 3, 5, 17));
  packConv3dWeights(w.data(), 1, 3, 3, 5, 17, a.data());
  packConv2dWeights(w.data(), 3, 3, 5, 17, b.data());
  EXPECT_EQ(a, b);
}

struct Pool3DCase {
  int64_t batch, d, h, w, c;
  int kd, kh, kw, sd, sh;
  bool same, isMax;
  int64_t inOffset, outOffset;
  int threads;
};

void checkPool3D(const Pool3DCase &c) {
  std::ostringstream name;
  name << c.d << "x" << c.h << "x" << c.w << "x" << c.c << " k" << c.kd << "x"
       << c.kh << "x" << c.kw << " s" << c.sd << "x" << c.sh
       << (c.same ? " SAME" : " VALID") << (c.isMax ? " max" : " avg");
  SCOPED_TRACE(name.str());
  Pool3DParams p;
  p.batch = c.batch;
  p.channels = c.c;
  p.inD = c.d;
  p.inH = c.h;
  p.inW = c.w;
  p.kernelD = c.kd;
  p.kernelH = c.kh;
  p.kernelW = c.kw;
  p.strideD = c.sd;
  p.strideH = p.strideW = c.sh;
  auto pad = c.same ? tfSamePadding : tfValidPadding;
  Padding1D pd = pad(c.d, c.kd, c.sd, 1), ph = pad(c.h, c.kh, c.sh, 1),
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
  const int64_t frames = c.batch * c.d, outFrames = c.batch * p.outD;
  std::vector<float> in = randomVector(frames * c.h * c.w * c.c, 5);
  std::vector<float> want(outFrames * p.outH * p.outW * c.c);
  if (c.isMax)
    ref::maxPool3d(p, in.data(), want.data());
  else
    ref::avgPool3d(p, in.data(), want.data());

  int64_t cb = numBlocks(c.c);
  int64_t inCbTotal = cb + c.inOffset, outCbTotal = cb + c.outOffset + 1;
  std::vector<float> inB(frames * inCbTotal * c.h * c.w * kVec, kPoison);
  nhwcToBlocked(in.data(), frames, c.h, c.w, c.c, inB.data(), c.inOffset,
                inCbTotal);
  int64_t plane = p.outH * p.outW * kVec;
  std::vector<float> outB(outFrames * outCbTotal * plane, kSentinel);
  p.inCbOffset = c.inOffset;
  p.inCbTotal = inCbTotal;
  p.outCbOffset = c.outOffset;
  p.outCbTotal = outCbTotal;
  ThreadPool pool(c.threads);
  if (c.isMax)
    maxPool3d(p, inB.data(), outB.data(), pool.get());
  else
    avgPool3d(p, inB.data(), outB.data(), pool.get());
  std::vector<float> got(want.size());
  blockedToNhwc(outB.data(), outFrames, p.outH, p.outW, c.c, got.data(),
                c.outOffset, outCbTotal);
  EXPECT_TRUE(allClose(got, want));
  EXPECT_TRUE(slim::test::paddingLanesZero(outB, outFrames, p.outH * p.outW,
                                           c.c, c.outOffset, outCbTotal));
  int64_t touched = 0;
  for (int64_t f = 0; f < outFrames; ++f)
    for (int64_t b = 0; b < outCbTotal; ++b)
      if (b < c.outOffset || b >= c.outOffset + cb)
        for (int64_t i = 0; i < plane; ++i)
          touched += outB[(f * outCbTotal + b) * plane + i] != kSentinel;
  EXPECT_EQ(touched, 0) << "wrote outside the destination channel slice";
}

TEST(Pool3D, MatchesReference) {
  // I3D's pools ([1,3,3]/[1,2,2], [3,3,3]/1 and /2, [2,2,2]/2, the logits'
  // [2,7,7] VALID) and S3D-G's global [t,h,w] average.
  const Pool3DCase cases[] = {
      {1, 8, 16, 16, 17, 1, 3, 3, 1, 2, true, true, 0, 1, 2},
      {2, 4, 7, 7, 20, 3, 3, 3, 1, 1, true, true, 1, 0, 3},
      {1, 5, 9, 9, 8, 3, 3, 3, 2, 2, true, true, 0, 0, 1},
      {1, 4, 7, 7, 33, 2, 2, 2, 2, 2, true, true, 0, 1, 2},
      {2, 3, 7, 7, 12, 2, 7, 7, 1, 1, false, false, 0, 0, 2},
      {1, 4, 8, 8, 5, 4, 8, 8, 1, 1, false, false, 1, 1, 1},
      {1, 5, 6, 7, 9, 3, 3, 3, 1, 1, true, false, 0, 0, 3},
      {1, 3, 5, 5, 3, 2, 3, 3, 2, 2, true, false, 0, 1, 1},
  };
  for (const Pool3DCase &c : cases)
    checkPool3D(c);
}

} // namespace
