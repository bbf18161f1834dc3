//===- slim/kernels/optimizers.h - TF's optimizer updates -------*- C++ -*-===//
//
// The variable updates of TF1's tf.train optimizers (what TF-Slim's
// train_image_classifier.py builds), as the CPU functors of TensorFlow
// 2.12's tensorflow/core/kernels/training_ops.cc compute them: float
// arithmetic, operations in the functors' order, hyperparameters as the
// float32 tensors the Python optimizers pass. Built without floating-point
// contraction (no FMA fusing, as TF's release CPU build), the results are
// bit-equal to TF's; with -ffp-contract=fast on an FMA target they may
// differ in the last bit.
//
// Slot initial values are those of the TF1 Python optimizers: Momentum's
// accumulator 0; Adam's m and v 0 and its powers beta1 / beta2 (AdamPowers);
// RMSProp's "rms" 1 (ones_initializer, not 0), "momentum" 0, "mg" 0.
//
// Nothing calls these yet: they are groundwork for issue 15's train step.
//
//===----------------------------------------------------------------------===//
#ifndef SLIM_KERNELS_OPTIMIZERS_H
#define SLIM_KERNELS_OPTIMIZERS_H

#include <algorithm>
#include <cmath>
#include <cstdint>

namespace slim {
namespace kernels {
namespace opt {

/// ApplyGradientDescent: var -= grad * lr.
inline void applyGradientDescent(float *var, const float *grad, int64_t count,
                                 float lr) {
  for (int64_t i = 0; i < count; ++i)
    var[i] -= grad[i] * lr;
}

/// ApplyMomentum (tf.train.MomentumOptimizer):
///   accum = accum * momentum + grad
///   var  -= accum * lr                                  (use_nesterov off)
///   var  -= grad * lr + accum * momentum * lr           (use_nesterov on)
inline void applyMomentum(float *var, float *accum, const float *grad,
                          int64_t count, float lr, float momentum,
                          bool useNesterov) {
  for (int64_t i = 0; i < count; ++i) {
    accum[i] = accum[i] * momentum + grad[i];
    if (useNesterov)
      var[i] -= grad[i] * lr + accum[i] * momentum * lr;
    else
      var[i] -= accum[i] * lr;
  }
}

/// Adam's beta1_power / beta2_power: non-slot float32 variables created at
/// beta1 / beta2 and multiplied by beta1 / beta2 (in float) after every
/// step's updates (AdamOptimizer._finish), so step t's apply sees
/// beta^t.
struct AdamPowers {
  float beta1Power;
  float beta2Power;

  AdamPowers(float beta1, float beta2) : beta1Power(beta1), beta2Power(beta2) {}

  /// What _finish does once per step, after all variables' updates.
  void advance(float beta1, float beta2) {
    beta1Power = beta1Power * beta1;
    beta2Power = beta2Power * beta2;
  }
};

/// ApplyAdam (tf.train.AdamOptimizer), with the powers of this step:
///   alpha = lr * sqrt(1 - beta2_power) / (1 - beta1_power)
///   m    += (grad - m) * (1 - beta1)
///   v    += (grad * grad - v) * (1 - beta2)
///   var  -= (m * alpha) / (sqrt(v) + epsilon)                    (default)
///   var  -= ((grad * (1 - beta1) + beta1 * m) * alpha)
///           / (sqrt(v) + epsilon)                         (use_nesterov)
/// epsilon is added after the square root and not bias-corrected (the
/// "epsilon hat" of the paper). Call AdamPowers::advance after updating
/// every variable of the step.
inline void applyAdam(float *var, float *m, float *v, const float *grad,
                      int64_t count, const AdamPowers &powers, float lr,
                      float beta1, float beta2, float epsilon,
                      bool useNesterov = false) {
  const float alpha =
      lr * std::sqrt(1.0f - powers.beta2Power) / (1.0f - powers.beta1Power);
  const float oneMinusBeta1 = 1.0f - beta1, oneMinusBeta2 = 1.0f - beta2;
  for (int64_t i = 0; i < count; ++i) {
    float g = grad[i];
    m[i] += (g - m[i]) * oneMinusBeta1;
    v[i] += (g * g - v[i]) * oneMinusBeta2;
    if (useNesterov)
      var[i] -= ((g * oneMinusBeta1 + beta1 * m[i]) * alpha) /
                (std::sqrt(v[i]) + epsilon);
    else
      var[i] -= (m[i] * alpha) / (std::sqrt(v[i]) + epsilon);
  }
}

/// ApplyRMSProp (tf.train.RMSPropOptimizer, centered=False; `rho` is its
/// `decay`, ms its "rms" slot, initially 1):
///   ms   += (grad * grad - ms) * (1 - rho)
///   mom   = mom * momentum + (grad * lr) / sqrt(ms + epsilon)
///   var  -= mom
/// epsilon is inside the square root.
inline void applyRMSProp(float *var, float *ms, float *mom, const float *grad,
                         int64_t count, float lr, float rho, float momentum,
                         float epsilon) {
  const float oneMinusRho = 1.0f - rho;
  for (int64_t i = 0; i < count; ++i) {
    float g = grad[i];
    ms[i] += (g * g - ms[i]) * oneMinusRho;
    mom[i] = mom[i] * momentum + (g * lr) / std::sqrt(ms[i] + epsilon);
    var[i] -= mom[i];
  }
}

/// ApplyCenteredRMSProp (RMSPropOptimizer with centered=True; mg its "mg"
/// slot, initially 0):
///   ms   += (grad * grad - ms) * (1 - rho)
///   mg   += (grad - mg) * (1 - rho)
///   mom   = mom * momentum + (grad * lr) / sqrt((ms - mg * mg) + epsilon)
///   var  -= mom
inline void applyCenteredRMSProp(float *var, float *mg, float *ms, float *mom,
                                 const float *grad, int64_t count, float lr,
                                 float rho, float momentum, float epsilon) {
  const float oneMinusRho = 1.0f - rho;
  for (int64_t i = 0; i < count; ++i) {
    float g = grad[i];
    ms[i] += (g * g - ms[i]) * oneMinusRho;
    mg[i] += (g - mg[i]) * oneMinusRho;
    float denom = (ms[i] - mg[i] * mg[i]) + epsilon;
    mom[i] = mom[i] * momentum + (g * lr) / std::sqrt(denom);
    var[i] -= mom[i];
  }
}

/// tf.clip_by_norm(t, clipNorm) over the whole tensor, which is what
/// TF-Slim's create_train_op(clip_gradient_norm=c) applies to each gradient
/// separately (learning.clip_gradient_norms): with n = sqrt(sum t^2),
///   t = (t * clipNorm) / max(n, clipNorm)
/// (an all-zero t stays zero). The sum is taken in double and rounded to
/// float, so n may differ from TF's float tree reduction in the last bits.
inline void clipByNorm(float *t, int64_t count, float clipNorm) {
  double sum = 0.0;
  for (int64_t i = 0; i < count; ++i)
    sum += static_cast<double>(t[i]) * t[i];
  float norm = std::sqrt(static_cast<float>(sum));
  float denom = std::max(norm, clipNorm);
  for (int64_t i = 0; i < count; ++i)
    t[i] = (t[i] * clipNorm) / denom;
}

/// tf.linalg.global_norm: sqrt(2 * sum over tensors of l2_loss(t)) =
/// sqrt of the sum of squares of every element of every tensor (summed in
/// double here, see clipByNorm).
inline float globalNorm(float *const *tensors, const int64_t *counts, int num) {
  double sum = 0.0;
  for (int k = 0; k < num; ++k)
    for (int64_t i = 0; i < counts[k]; ++i)
      sum += static_cast<double>(tensors[k][i]) * tensors[k][i];
  return std::sqrt(static_cast<float>(sum));
}

/// tf.clip_by_global_norm(tensors, clipNorm): every element times
///   scale = clipNorm * min(1 / norm, 1 / clipNorm) + (norm - norm)
/// so nothing changes while norm <= clipNorm, and a non-finite norm makes
/// every element NaN, as in TF. Returns the global norm (TF's second
/// output).
inline float clipByGlobalNorm(float *const *tensors, const int64_t *counts,
                              int num, float clipNorm) {
  float norm = globalNorm(tensors, counts, num);
  float scale =
      clipNorm * std::min(1.0f / norm, 1.0f / clipNorm) + (norm - norm);
  for (int k = 0; k < num; ++k)
    for (int64_t i = 0; i < counts[k]; ++i)
      tensors[k][i] = tensors[k][i] * scale;
  return norm;
}

} // namespace opt
} // namespace kernels
} // namespace slim

#endif // SLIM_KERNELS_OPTIMIZERS_H
