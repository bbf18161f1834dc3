//===- finite_differences.h - Gradients against central differences -------===//
//
// The check the backward kernel tests share (backward_test.cpp explains the
// tolerance): with a fixed random r, L(x) = sum_i r_i y_i(x) in double; the
// backward kernel fed dy = r must give dL/dx_j within 1e-3 + 1e-3 |numeric|
// of (L(x + h e_j) - L(x - h e_j)) / (x_j+ - x_j-).
//
//===----------------------------------------------------------------------===//
#ifndef SLIM_TEST_KERNELS_FINITE_DIFFERENCES_H
#define SLIM_TEST_KERNELS_FINITE_DIFFERENCES_H

#include <gtest/gtest.h>

#include <cmath>
#include <cstdint>
#include <functional>
#include <random>
#include <vector>

namespace slim_test {

inline std::vector<float> randomVec(size_t n, uint32_t seed, float lo = -1.0f,
                                    float hi = 1.0f) {
  std::mt19937 gen(seed);
  std::uniform_real_distribution<float> d(lo, hi);
  std::vector<float> v(n);
  for (float &x : v)
    x = d(gen);
  return v;
}

using Forward = std::function<std::vector<float>(const std::vector<float> &)>;

inline double weighted(const std::vector<float> &y,
                       const std::vector<float> &r) {
  double s = 0.0;
  for (size_t i = 0; i < y.size(); ++i)
    s += static_cast<double>(y[i]) * r[i];
  return s;
}

/// Checks `analytic` (the backward kernel's dL/dx for dy = r) against central
/// differences of `f` at x, element by element.
inline ::testing::AssertionResult
matchesFiniteDifferences(const Forward &f, std::vector<float> x,
                         const std::vector<float> &r,
                         const std::vector<float> &analytic, float h = 1e-2f) {
  if (analytic.size() != x.size())
    return ::testing::AssertionFailure() << "gradient size " << analytic.size()
                                         << " != input size " << x.size();
  for (size_t j = 0; j < x.size(); ++j) {
    float x0 = x[j];
    float xp = x0 + h, xm = x0 - h;
    x[j] = xp;
    double lp = weighted(f(x), r);
    x[j] = xm;
    double lm = weighted(f(x), r);
    x[j] = x0;
    double numeric = (lp - lm) / (static_cast<double>(xp) - xm);
    if (!(std::fabs(analytic[j] - numeric) <= 1e-3 + 1e-3 * std::fabs(numeric)))
      return ::testing::AssertionFailure()
             << "element " << j << ": backward " << analytic[j]
             << ", finite difference " << numeric;
  }
  return ::testing::AssertionSuccess();
}

} // namespace slim_test

#endif // SLIM_TEST_KERNELS_FINITE_DIFFERENCES_H
