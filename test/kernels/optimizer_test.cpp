//===- optimizer_test.cpp - TF's optimizer updates, bit for bit -----------===//
//
// Two checks per optimizer: three steps against the values TensorFlow 2.12
// itself produced (tf/optimizer_expected.inc, made by
// tf/optimizer_expected.py: TF1 optimizers in graph mode, the same
// variables and gradients as here), required bit-equal; and the first
// steps against the paper formulas worked in double (Adam's bias
// correction at t = 1..3, RMSProp's rms starting at 1), which says the
// TF-pinned values mean what the comments say.
//
//===----------------------------------------------------------------------===//
#include "slim/kernels/backward_reference.h"
#include "slim/kernels/optimizers.h"

#include <gtest/gtest.h>

#include <cmath>
#include <cstring>
#include <vector>

namespace {

#include "tf/optimizer_expected.inc"

using namespace slim::kernels;

/// The variable and the three steps' gradients TF was run with: 5 chosen
/// elements, then random ones over five orders of magnitude.
constexpr int kN = sizeof(kTfVar0) / sizeof(float);
static_assert(sizeof(kTfGrads) == 3 * sizeof(kTfVar0), "3 steps");
const float *const kVar0 = kTfVar0;
const float *const kGrads[3] = {kTfGrads, kTfGrads + kN, kTfGrads + 2 * kN};
/// The clipping checks use the first 5 elements of two gradients.
constexpr int kClipN = 5;

/// Bitwise equality of float arrays (so -0 vs 0 and last-bit differences
/// fail), with the first mismatch reported.
::testing::AssertionResult sameBits(const float *got, const float *want, int n,
                                    const char *what) {
  for (int i = 0; i < n; ++i)
    if (std::memcmp(&got[i], &want[i], sizeof(float)) != 0 &&
        !(got[i] == 0.0f && want[i] == 0.0f))
      return ::testing::AssertionFailure()
             << what << "[" << i << "]: got " << got[i] << ", TF " << want[i];
  return ::testing::AssertionSuccess();
}

/// Runs `step` three times from kVar0 and compares var and the slots after
/// each step with TF's rows (var, slot0, slot1, ... per step).
template <typename Step>
void checkAgainstTf(const float *tf, std::vector<std::vector<float>> slots,
                    Step step) {
  std::vector<float> var(kVar0, kVar0 + kN);
  int row = 0;
  for (int s = 0; s < 3; ++s) {
    step(var.data(), slots, kGrads[s]);
    EXPECT_TRUE(sameBits(var.data(), tf + kN * row++, kN, "var"))
        << "step " << s + 1;
    for (size_t k = 0; k < slots.size(); ++k)
      EXPECT_TRUE(sameBits(slots[k].data(), tf + kN * row++, kN, "slot"))
          << "step " << s + 1 << " slot " << k;
  }
}

std::vector<float> zeros() { return std::vector<float>(kN, 0.0f); }
std::vector<float> ones() { return std::vector<float>(kN, 1.0f); }

TEST(Optimizer, GradientDescentMatchesTf) {
  checkAgainstTf(kTfSgd, {}, [](float *v, auto &, const float *g) {
    opt::applyGradientDescent(v, g, kN, 0.1f);
  });
}

TEST(Optimizer, MomentumMatchesTf) {
  checkAgainstTf(kTfMomentum, {zeros()}, [](float *v, auto &s, const float *g) {
    opt::applyMomentum(v, s[0].data(), g, kN, 0.1f, 0.9f, false);
  });
}

TEST(Optimizer, NesterovMomentumMatchesTf) {
  checkAgainstTf(kTfNesterov, {zeros()}, [](float *v, auto &s, const float *g) {
    opt::applyMomentum(v, s[0].data(), g, kN, 0.1f, 0.9f, true);
  });
}

TEST(Optimizer, NesterovByHand) {
  // One element, lr 0.1, momentum 0.9: accum 0 -> 1 -> 0.9 + 2 = 2.9;
  // var -= g lr + accum momentum lr.
  float var = 1.0f, accum = 0.0f, g1 = 1.0f, g2 = 2.0f;
  opt::applyMomentum(&var, &accum, &g1, 1, 0.1f, 0.9f, true);
  EXPECT_NEAR(var, 1.0 - (0.1 + 1.0 * 0.9 * 0.1), 1e-6);
  opt::applyMomentum(&var, &accum, &g2, 1, 0.1f, 0.9f, true);
  EXPECT_NEAR(accum, 2.9, 1e-6);
  EXPECT_NEAR(var, 1.0 - 0.19 - (0.2 + 2.9 * 0.9 * 0.1), 1e-6);
}

TEST(Optimizer, AdamMatchesTf) {
  // Defaults of tf.train.AdamOptimizer: beta1 0.9, beta2 0.999, eps 1e-8.
  opt::AdamPowers powers(0.9f, 0.999f);
  checkAgainstTf(kTfAdam, {zeros(), zeros()},
                 [&](float *v, auto &s, const float *g) {
                   opt::applyAdam(v, s[0].data(), s[1].data(), g, kN, powers,
                                  0.01f, 0.9f, 0.999f, 1e-8f);
                   powers.advance(0.9f, 0.999f);
                 });
}

TEST(Optimizer, AdamNesterovMatchesTf) {
  // ResourceApplyAdam(use_nesterov=True), powers advanced after each step.
  opt::AdamPowers powers(0.9f, 0.999f);
  checkAgainstTf(kTfAdamNesterov, {zeros(), zeros()},
                 [&](float *v, auto &s, const float *g) {
                   opt::applyAdam(v, s[0].data(), s[1].data(), g, kN, powers,
                                  0.01f, 0.9f, 0.999f, 1e-8f, true);
                   powers.advance(0.9f, 0.999f);
                 });
}

TEST(Optimizer, AdamEpsilonOutsideTheRootMatchesTf) {
  // epsilon = 0.1 is large enough that putting it inside the sqrt or
  // bias-correcting it would change every value.
  opt::AdamPowers powers(0.8f, 0.95f);
  std::vector<float> m = zeros(), v = zeros();
  checkAgainstTf(kTfAdamBigEps, {}, [&](float *var, auto &, const float *g) {
    opt::applyAdam(var, m.data(), v.data(), g, kN, powers, 0.05f, 0.8f, 0.95f,
                   0.1f);
    powers.advance(0.8f, 0.95f);
  });
}

TEST(Optimizer, AdamBiasCorrectionByHand) {
  // The paper's form in double: m_t, v_t, then
  // var -= lr sqrt(1 - b2^t) / (1 - b1^t) * m_t / (sqrt(v_t) + eps).
  const double lr = 0.05, b1 = 0.8, b2 = 0.95, eps = 0.1;
  const double g[3] = {0.3, -0.7, 1.1};
  double m = 0, v = 0, var = 1.0;
  float fm = 0, fv = 0, fvar = 1.0f;
  opt::AdamPowers powers(0.8f, 0.95f);
  for (int t = 1; t <= 3; ++t) {
    m = b1 * m + (1 - b1) * g[t - 1];
    v = b2 * v + (1 - b2) * g[t - 1] * g[t - 1];
    double alpha = lr * std::sqrt(1 - std::pow(b2, t)) / (1 - std::pow(b1, t));
    var -= alpha * m / (std::sqrt(v) + eps);
    float fg = static_cast<float>(g[t - 1]);
    EXPECT_NEAR(powers.beta1Power, std::pow(b1, t), 1e-6) << t;
    opt::applyAdam(&fvar, &fm, &fv, &fg, 1, powers, 0.05f, 0.8f, 0.95f, 0.1f);
    powers.advance(0.8f, 0.95f);
    // Float vs double over three steps of a handful of operations each:
    // a few float ulps of values near 1.
    EXPECT_NEAR(fm, m, 1e-6) << t;
    EXPECT_NEAR(fv, v, 1e-6) << t;
    EXPECT_NEAR(fvar, var, 2e-6) << t;
  }
}

TEST(Optimizer, AdamNesterovByHand) {
  // TF's use_nesterov form: var -= (g (1 - b1) + b1 m_t) alpha / (sqrt v + e).
  float var = 1.0f, m = 0.0f, v = 0.0f, g = 0.5f;
  opt::AdamPowers powers(0.9f, 0.999f);
  opt::applyAdam(&var, &m, &v, &g, 1, powers, 0.1f, 0.9f, 0.999f, 1e-8f, true);
  double mt = 0.05, vt = 0.001 * 0.25;
  double alpha = 0.1 * std::sqrt(1 - 0.999) / (1 - 0.9);
  double want = 1.0 - (0.5 * 0.1 + 0.9 * mt) * alpha / (std::sqrt(vt) + 1e-8);
  EXPECT_NEAR(var, want, 1e-6);
}

TEST(Optimizer, RmsPropMatchesTf) {
  // tf.train.RMSPropOptimizer(0.01): decay 0.9, momentum 0, eps 1e-10, the
  // rms slot starting at 1.
  checkAgainstTf(kTfRmsProp, {ones(), zeros()},
                 [](float *v, auto &s, const float *g) {
                   opt::applyRMSProp(v, s[0].data(), s[1].data(), g, kN, 0.01f,
                                     0.9f, 0.0f, 1e-10f);
                 });
}

TEST(Optimizer, RmsPropWithMomentumMatchesTf) {
  checkAgainstTf(kTfRmsPropMomentum, {ones(), zeros()},
                 [](float *v, auto &s, const float *g) {
                   opt::applyRMSProp(v, s[0].data(), s[1].data(), g, kN, 0.02f,
                                     0.8f, 0.5f, 1e-3f);
                 });
}

TEST(Optimizer, CenteredRmsPropMatchesTf) {
  // TF prints the slots as rms, mg, momentum.
  checkAgainstTf(kTfRmsPropCentered, {ones(), zeros(), zeros()},
                 [](float *v, auto &s, const float *g) {
                   opt::applyCenteredRMSProp(v, s[1].data(), s[0].data(),
                                             s[2].data(), g, kN, 0.02f, 0.8f,
                                             0.5f, 1e-3f);
                 });
}

TEST(Optimizer, CenteredRmsPropByHand) {
  // Two steps in double: ms and mg are moving averages of g^2 and g, the
  // denominator sqrt(ms - mg^2 + eps), momentum 0.5.
  const double lr = 0.02, rho = 0.8, mu = 0.5, eps = 1e-3;
  const double g[2] = {0.6, -0.2};
  double ms = 1, mg = 0, mom = 0, var = 0.25;
  float fms = 1, fmg = 0, fmom = 0, fvar = 0.25f;
  for (int t = 0; t < 2; ++t) {
    ms = rho * ms + (1 - rho) * g[t] * g[t];
    mg = rho * mg + (1 - rho) * g[t];
    mom = mu * mom + lr * g[t] / std::sqrt(ms - mg * mg + eps);
    var -= mom;
    float fg = static_cast<float>(g[t]);
    opt::applyCenteredRMSProp(&fvar, &fmg, &fms, &fmom, &fg, 1, 0.02f, 0.8f,
                              0.5f, 1e-3f);
    EXPECT_NEAR(fvar, var, 1e-6) << t;
    EXPECT_NEAR(fmom, mom, 1e-6) << t;
  }
}

TEST(Optimizer, ClipByGlobalNormMatchesTf) {
  std::vector<float> a(kGrads[0], kGrads[0] + kClipN),
      b(kGrads[1], kGrads[1] + kClipN);
  float *ts[2] = {a.data(), b.data()};
  int64_t counts[2] = {kClipN, kClipN};
  float norm = opt::clipByGlobalNorm(ts, counts, 2, 1.0f);
  // The sum of squares is taken in double here and as a float tree in TF:
  // allow a float ulp or two (relative 3e-7).
  EXPECT_NEAR(norm, kTfGlobalNorm[0], 3e-7 * kTfGlobalNorm[0]);
  for (int i = 0; i < kClipN; ++i) {
    EXPECT_NEAR(a[i], kTfGlobalClipped[i],
                3e-7 * std::fabs(kTfGlobalClipped[i]));
    EXPECT_NEAR(b[i], kTfGlobalClipped[kClipN + i],
                3e-7 * std::fabs(kTfGlobalClipped[kClipN + i]));
  }
  // Under the threshold nothing changes; a non-finite norm gives NaN.
  std::vector<float> small = {0.1f, 0.2f};
  float *one[1] = {small.data()};
  int64_t two = 2;
  opt::clipByGlobalNorm(one, &two, 1, 1.0f);
  EXPECT_EQ(small, (std::vector<float>{0.1f, 0.2f}));
  std::vector<float> inf = {INFINITY, 1.0f};
  one[0] = inf.data();
  opt::clipByGlobalNorm(one, &two, 1, 1.0f);
  EXPECT_TRUE(std::isnan(inf[1]));
}

TEST(Optimizer, ClipByNormMatchesTf) {
  // TF-Slim's clip_gradient_norm clips each gradient by its own norm.
  std::vector<float> b(kGrads[1], kGrads[1] + kClipN);
  opt::clipByNorm(b.data(), kClipN, 0.75f);
  for (int i = 0; i < kClipN; ++i)
    EXPECT_NEAR(b[i], kTfClipByNorm[i], 3e-7 * std::fabs(kTfClipByNorm[i]));
  std::vector<float> z(3, 0.0f);
  opt::clipByNorm(z.data(), 3, 1.0f);
  EXPECT_EQ(z, std::vector<float>(3, 0.0f));
}

TEST(Optimizer, MovingAverageMatchesTf) {
  // assign_moving_average(moving, value, 0.997, zero_debias=False).
  std::vector<float> moving(kVar0, kVar0 + kN);
  ref::movingAverageUpdate(moving.data(), kGrads[0], kN, 0.997);
  EXPECT_TRUE(sameBits(moving.data(), kTfMovingAverage, kN, "moving"));
}

} // namespace
