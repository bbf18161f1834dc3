//===- test_util.h - Helpers shared by the kernel tests ---------*- C++ -*-===//
#ifndef SLIM_TEST_KERNELS_TEST_UTIL_H
#define SLIM_TEST_KERNELS_TEST_UTIL_H

#include "slim/kernels.h"

#include <gtest/gtest.h>

#include <cmath>
#include <cstdint>
#include <random>
#include <string>
#include <vector>

namespace slim {
namespace test {

/// Uniform values in [lo, hi), reproducible per seed.
inline std::vector<float> randomVector(size_t count, uint32_t seed,
                                       float lo = -1.0f, float hi = 1.0f) {
  std::mt19937 gen(seed);
  std::uniform_real_distribution<float> dist(lo, hi);
  std::vector<float> v(count);
  for (float &x : v)
    x = dist(gen);
  return v;
}

/// The fast-vs-reference tolerance of issue 5: 1e-4 relative, 1e-5 absolute.
inline ::testing::AssertionResult allClose(const std::vector<float> &got,
                                           const std::vector<float> &want,
                                           float rtol = 1e-4f,
                                           float atol = 1e-5f) {
  if (got.size() != want.size())
    return ::testing::AssertionFailure()
           << "size " << got.size() << " != " << want.size();
  size_t bad = 0, first = 0;
  for (size_t i = 0; i < got.size(); ++i) {
    float diff = std::fabs(got[i] - want[i]);
    if (!(diff <= atol + rtol * std::fabs(want[i]))) {
      if (!bad)
        first = i;
      ++bad;
    }
  }
  if (!bad)
    return ::testing::AssertionSuccess();
  return ::testing::AssertionFailure()
         << bad << " of " << got.size() << " differ; first at " << first
         << ": got " << got[first] << ", want " << want[first];
}

/// Blocked copy of an NHWC tensor.
inline std::vector<float> toBlocked(const std::vector<float> &nhwc, int64_t n,
                                    int64_t h, int64_t w, int64_t c) {
  std::vector<float> out(kernels::blockedSize(n, h, w, c));
  kernels::nhwcToBlocked(nhwc.data(), n, h, w, c, out.data());
  return out;
}

/// True when every padding lane of the channel range [c0, c0 + c) ... of a
/// blocked tensor with cbTotal blocks, starting at block cbOffset, is zero.
inline bool paddingLanesZero(const std::vector<float> &t, int64_t n, int64_t hw,
                             int64_t c, int64_t cbOffset, int64_t cbTotal) {
  if (c % kernels::kVec == 0)
    return true;
  int64_t last = cbOffset + kernels::numBlocks(c) - 1;
  for (int64_t b = 0; b < n; ++b)
    for (int64_t p = 0; p < hw; ++p)
      for (int64_t l = c % kernels::kVec; l < kernels::kVec; ++l)
        if (t[((b * cbTotal + last) * hw + p) * kernels::kVec + l] != 0.0f)
          return false;
  return true;
}

inline const char *activationName(kernels::Activation a) {
  switch (a) {
  case kernels::Activation::None:
    return "none";
  case kernels::Activation::Relu:
    return "relu";
  case kernels::Activation::Relu6:
    return "relu6";
  case kernels::Activation::Sigmoid:
    return "sigmoid";
  case kernels::Activation::Tanh:
    return "tanh";
  case kernels::Activation::Elu:
    return "elu";
  }
  return "?";
}

} // namespace test
} // namespace slim

#endif // SLIM_TEST_KERNELS_TEST_UTIL_H
