//===- conv_cases.h - Conv shapes and comparisons for the fast kernel tests
//===//
//
// Shared by backward_fast_test.cpp and train_forward_test.cpp, which hold
// fast kernels to their references over tables of conv shapes: a shape
// (ConvCase) and its Conv2DParams with TF's SAME / VALID padding, the
// tolerance of a float sum in another order than the reference's, and the
// bitwise comparison of 1- and 2-thread results.
//
//===----------------------------------------------------------------------===//
#ifndef SLIM_TEST_KERNELS_CONV_CASES_H
#define SLIM_TEST_KERNELS_CONV_CASES_H

#include "slim/kernels/common.h"
#include "test_util.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstring>
#include <vector>

namespace slim {
namespace test {

/// |got - want| <= 1e-4 |want| + 1e-5 max|want|: a float32 sum of K terms
/// in another order is off by about eps * sqrt(K) * (size of its partial
/// sums), below 1e-5 of the tensor's scale for the tables' K <= ~5000 terms
/// (values in [-1, 1], weights scaled by 1/sqrt(fan-in)); a lost or wrong
/// tap errs by a whole term, >= 1e-2 of the scale.
inline ::testing::AssertionResult closeToRef(const std::vector<float> &got,
                                             const std::vector<float> &want) {
  float scale = 0.0f;
  for (float v : want)
    scale = std::max(scale, std::fabs(v));
  return allClose(got, want, 1e-4f, 1e-5f * std::max(scale, 1e-3f));
}

inline bool bitwiseEqual(const std::vector<float> &a,
                         const std::vector<float> &b) {
  return a.size() == b.size() &&
         std::memcmp(a.data(), b.data(), a.size() * sizeof(float)) == 0;
}

/// A conv or depthwise shape: NHWC input, kernel, strides, dilation, TF
/// padding, and the depth multiplier (depthwise only).
struct ConvCase {
  int64_t n, h, w, ic, oc;
  int kh, kw, sh, sw, dil;
  bool same;
  int mult = 1;
};

inline kernels::Conv2DParams makeParams(const ConvCase &k, bool depthwise) {
  kernels::Conv2DParams p;
  p.batch = k.n;
  p.inH = k.h;
  p.inW = k.w;
  p.inC = k.ic;
  p.kernelH = k.kh;
  p.kernelW = k.kw;
  p.strideH = k.sh;
  p.strideW = k.sw;
  p.dilationH = p.dilationW = k.dil;
  kernels::Padding1D ph = k.same
                              ? kernels::tfSamePadding(k.h, k.kh, k.sh, k.dil)
                              : kernels::tfValidPadding(k.h, k.kh, k.sh, k.dil);
  kernels::Padding1D pw = k.same
                              ? kernels::tfSamePadding(k.w, k.kw, k.sw, k.dil)
                              : kernels::tfValidPadding(k.w, k.kw, k.sw, k.dil);
  p.outH = ph.out;
  p.padTop = ph.before;
  p.padBottom = ph.after;
  p.outW = pw.out;
  p.padLeft = pw.before;
  p.padRight = pw.after;
  p.depthMultiplier = k.mult;
  p.outC = depthwise ? k.ic * k.mult : k.oc;
  return p;
}

} // namespace test
} // namespace slim

#endif // SLIM_TEST_KERNELS_CONV_CASES_H
