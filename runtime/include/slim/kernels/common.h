//===- slim/kernels/common.h - Parameters shared by all kernels -*- C++ -*-===//
//
// Layer parameters, activations and TensorFlow padding arithmetic, used alike
// by the reference (NHWC) and the fast (blocked NCHWc) kernels.
//
//===----------------------------------------------------------------------===//
#ifndef SLIM_KERNELS_COMMON_H
#define SLIM_KERNELS_COMMON_H

#include "slim/kernels/vec.h"

#include <cmath>
#include <cstdint>

namespace slim {
namespace kernels {

/// The activation applied in a layer's epilogue, after bias and residual.
enum class Activation : int { None, Relu, Relu6, Sigmoid, Tanh, Elu };

/// Scalar activation, straight from the TF definitions.
inline float activate(Activation act, float x) {
  switch (act) {
  case Activation::None:
    return x;
  case Activation::Relu:
    return x > 0.0f ? x : 0.0f;
  case Activation::Relu6:
    return x < 0.0f ? 0.0f : (x > 6.0f ? 6.0f : x);
  case Activation::Sigmoid:
    return 1.0f / (1.0f + std::exp(-x));
  case Activation::Tanh:
    return std::tanh(x);
  case Activation::Elu:
    return x > 0.0f ? x : std::expm1(x);
  }
  return x;
}

/// TF's softplus, log(1 + exp(x)), without overflow.
inline float softplus(float x) {
  return x > 0.0f ? x + std::log1p(std::exp(-x)) : std::log1p(std::exp(x));
}

/// What a standalone `slim.activation` computes: the epilogue activations
/// (the same values as Activation) and those no conv epilogue applies.
enum class Pointwise : int {
  None,
  Relu,
  Relu6,
  Sigmoid,
  Tanh,
  Elu,
  Softplus,
  LeakyRelu,
  Selu,
};

/// Scalar `f`, straight from the TF definitions; `alpha` is leaky_relu's
/// slope (tf.nn.leaky_relu: x > 0 ? x : alpha * x).
inline float applyPointwise(Pointwise f, float alpha, float x) {
  switch (f) {
  case Pointwise::Softplus:
    return softplus(x);
  case Pointwise::LeakyRelu:
    return x > 0.0f ? x : x * alpha;
  case Pointwise::Selu: {
    // tf.nn.selu's constants (Klambauer et al.).
    constexpr float kScale = 1.0507009873554804934193349852946f;
    constexpr float kAlpha = 1.6732632423543772848170429916717f;
    return x > 0.0f ? kScale * x : kScale * kAlpha * std::expm1(x);
  }
  default:
    return activate(static_cast<Activation>(f), x);
  }
}

/// True for activations that keep 0 at 0; the others would turn the zero
/// padding channels of a blocked tensor into non-zeros, so the fast kernels
/// re-zero those lanes.
constexpr bool preservesZero(Activation act) {
  return act != Activation::Sigmoid;
}

/// The transcendental activations, lane by lane through the scalar
/// definitions. Out of line so the epilogue that calls it stays small enough
/// for compilers to unroll, which keeps the accumulator tile in registers.
#if defined(__GNUC__)
__attribute__((noinline))
#endif
inline Vec
activateSlow(Activation act, Vec x) {
  alignas(64) float tmp[kVec];
  vstore(tmp, x);
  for (int i = 0; i < kVec; ++i)
    tmp[i] = activate(act, tmp[i]);
  return vload(tmp);
}

/// Applies `act` to a whole vector: relu and relu6 stay in registers.
SLIM_INLINE Vec activateVec(Activation act, Vec x) {
  switch (act) {
  case Activation::None:
    return x;
  case Activation::Relu:
    return vmax(x, vzero());
  case Activation::Relu6:
    return vmin(vmax(x, vzero()), vset1(6.0f));
  default:
    return activateSlow(act, x);
  }
}

/// Output size of a window op over `in` elements with explicit padding.
constexpr int64_t windowOutputSize(int64_t in, int64_t kernel, int64_t stride,
                                   int64_t dilation, int64_t padBefore,
                                   int64_t padAfter) {
  return (in + padBefore + padAfter - dilation * (kernel - 1) - 1) / stride + 1;
}

/// Padding of one spatial dimension, as TensorFlow computes it.
struct Padding1D {
  int before = 0;
  int after = 0;
  int64_t out = 0;
};

/// TF 'SAME': out = ceil(in / stride); the total padding is split with the
/// smaller half before (top/left).
inline Padding1D tfSamePadding(int64_t in, int64_t kernel, int64_t stride,
                               int64_t dilation = 1) {
  Padding1D p;
  p.out = (in + stride - 1) / stride;
  int64_t effective = dilation * (kernel - 1) + 1;
  int64_t total = (p.out - 1) * stride + effective - in;
  if (total < 0)
    total = 0;
  p.before = static_cast<int>(total / 2);
  p.after = static_cast<int>(total - total / 2);
  return p;
}

/// TF 'VALID': no padding, out = ceil((in - effective + 1) / stride).
inline Padding1D tfValidPadding(int64_t in, int64_t kernel, int64_t stride,
                                int64_t dilation = 1) {
  Padding1D p;
  int64_t effective = dilation * (kernel - 1) + 1;
  p.out = in < effective ? 0 : (in - effective) / stride + 1;
  return p;
}

/// A 2-D convolution (regular or depthwise) with its fused epilogue.
///
/// Spatial sizes and channel counts are logical (TF) values. The `*Cb*`
/// fields place tensors inside bigger blocked tensors for the fast kernels:
/// the output is written at channel block `outCbOffset` of a tensor with
/// `outCbTotal` blocks (how concat along channels comes for free); 0 for a
/// total means "exactly numBlocks(channels)". The reference kernels use the
/// matching NHWC fields `outCOffset`/`outCTotal` instead.
struct Conv2DParams {
  int64_t batch = 1;
  int64_t inH = 0, inW = 0, inC = 0;
  int64_t outH = 0, outW = 0, outC = 0;
  int kernelH = 1, kernelW = 1;
  int strideH = 1, strideW = 1;
  int dilationH = 1, dilationW = 1;
  int padTop = 0, padBottom = 0, padLeft = 0, padRight = 0;
  /// Depthwise only: outC == inC * depthMultiplier.
  int depthMultiplier = 1;
  Activation act = Activation::None;

  // Blocked placement (fast kernels).
  int64_t inCbOffset = 0, inCbTotal = 0;
  int64_t outCbOffset = 0, outCbTotal = 0;
  int64_t resCbOffset = 0, resCbTotal = 0;

  // NHWC placement (reference kernels).
  int64_t outCOffset = 0, outCTotal = 0;
};

/// Max or average pooling with TF semantics: padded positions never win a
/// max and are not counted in an average's divisor.
struct Pool2DParams {
  int64_t batch = 1;
  int64_t inH = 0, inW = 0, channels = 0;
  int64_t outH = 0, outW = 0;
  int kernelH = 1, kernelW = 1;
  int strideH = 1, strideW = 1;
  int padTop = 0, padBottom = 0, padLeft = 0, padRight = 0;

  int64_t inCbOffset = 0, inCbTotal = 0;
  int64_t outCbOffset = 0, outCbTotal = 0;
  int64_t outCOffset = 0, outCTotal = 0;
};

/// y[m, 0:n] = act(x[m, 0:k] * W[k, n] + bias + residual). `ldx`/`ldy` are
/// row strides (0 means k / n). When `padOutput` is set, columns
/// [n, roundUpToVec(n)) of each output row are written as zeros, so the
/// result is also a valid blocked [M, Cb, 1, 1, V] tensor.
struct FullyConnectedParams {
  int64_t m = 1, k = 0, n = 0;
  int64_t ldx = 0, ldy = 0, ldr = 0;
  bool padOutput = false;
  Activation act = Activation::None;
};

} // namespace kernels
} // namespace slim

#endif // SLIM_KERNELS_COMMON_H
