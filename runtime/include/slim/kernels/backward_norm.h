//===- slim/kernels/backward_norm.h - Batch norm, bias, activation grads -*- C++
//-*-//
//
// The fast versions of backward_reference.h's per-channel and per-element
// kernels: batchNormTraining and its backward, biasBackward,
// pointwiseBackward / activationBackward. Same signatures plus a trailing
// thread pool, on [outer, c] rows (NHWC with outer = N * H * W).
//
// Per-channel sums are double, like the reference's: each block of
// kStatRows rows (one work item) sums its terms into a row of doubles (the
// float -> double conversions vectorize, and these passes are bound by
// memory, not arithmetic), then the blocks' sums are added in block order,
// so the result does not depend on the thread count. One pass over the
// rows per statistic.
//
//===----------------------------------------------------------------------===//
#ifndef SLIM_KERNELS_BACKWARD_NORM_H
#define SLIM_KERNELS_BACKWARD_NORM_H

#include "slim/kernels/common.h"
#include "slim/parallel.h"

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <vector>

namespace slim {
namespace kernels {

namespace detail {

/// Rows per block of the per-channel sums.
inline constexpr int64_t kStatRows = 256;

/// What a block sums per channel.
enum class StatKind { Sum, CenteredSquares, DyAndDyCentered };

struct StatCtx {
  StatKind kind;
  const float *x, *dy, *mean;
  int64_t outer, c;
  double *part; // [blocks][c] (x2 for DyAndDyCentered)
};

inline void statTask(void *ctx, int64_t begin, int64_t end) {
  const StatCtx &s = *static_cast<const StatCtx *>(ctx);
  const int64_t c = s.c;
  std::vector<double> a(c), b(c);
  for (int64_t blk = begin; blk < end; ++blk) {
    int64_t r0 = blk * kStatRows, r1 = std::min(s.outer, r0 + kStatRows);
    std::fill(a.begin(), a.end(), 0.0);
    std::fill(b.begin(), b.end(), 0.0);
    double *pa = a.data(), *pb = b.data();
    for (int64_t r = r0; r < r1; ++r) {
      const float *x = s.x + r * c;
      switch (s.kind) {
      case StatKind::Sum:
        for (int64_t ch = 0; ch < c; ++ch)
          pa[ch] += x[ch];
        break;
      case StatKind::CenteredSquares:
        for (int64_t ch = 0; ch < c; ++ch) {
          double d = x[ch] - s.mean[ch];
          pa[ch] += d * d;
        }
        break;
      case StatKind::DyAndDyCentered: {
        const float *g = s.dy + r * c;
        for (int64_t ch = 0; ch < c; ++ch) {
          pa[ch] += g[ch];
          pb[ch] += static_cast<double>(g[ch]) * (x[ch] - s.mean[ch]);
        }
        break;
      }
      }
    }
    double *out =
        s.part + blk * c * (s.kind == StatKind::DyAndDyCentered ? 2 : 1);
    for (int64_t ch = 0; ch < c; ++ch)
      out[ch] = pa[ch];
    if (s.kind == StatKind::DyAndDyCentered)
      for (int64_t ch = 0; ch < c; ++ch)
        out[c + ch] = pb[ch];
  }
}

/// Runs the block sums of `kind` and adds them in block order into sums
/// (c doubles, 2c for DyAndDyCentered: sum dy, then sum dy (x - mean)).
inline void channelSums(StatKind kind, const float *x, const float *dy,
                        const float *mean, int64_t outer, int64_t c,
                        double *sums, const slim_parallel *par) {
  int width = kind == StatKind::DyAndDyCentered ? 2 : 1;
  int64_t blocks = (outer + kStatRows - 1) / kStatRows;
  std::vector<double> part(blocks * c * width);
  StatCtx s{kind, x, dy, mean, outer, c, part.data()};
  slim_parallel_run(par, blocks, 1, statTask, &s);
  std::fill(sums, sums + c * width, 0.0);
  for (int64_t b = 0; b < blocks; ++b)
    for (int64_t i = 0; i < c * width; ++i)
      sums[i] += part[b * c * width + i];
}

/// y[r, ch] = (x[r, ch] - mean[ch]) * scale[ch] + shift[ch], or for the
/// backward dx = k1 dy + k2 (x - mean) + k3.
struct AffineRowsCtx {
  const float *x, *dy, *mean, *k1, *k2, *k3;
  float *y;
  int64_t c;
};
inline void normalizeTask(void *ctx, int64_t begin, int64_t end) {
  const AffineRowsCtx &a = *static_cast<const AffineRowsCtx *>(ctx);
  for (int64_t r = begin; r < end; ++r) {
    const float *x = a.x + r * a.c;
    float *y = a.y + r * a.c;
    for (int64_t ch = 0; ch < a.c; ++ch)
      y[ch] = (x[ch] - a.mean[ch]) * a.k1[ch] + a.k2[ch];
  }
}
inline void bnBackwardTask(void *ctx, int64_t begin, int64_t end) {
  const AffineRowsCtx &a = *static_cast<const AffineRowsCtx *>(ctx);
  for (int64_t r = begin; r < end; ++r) {
    const float *x = a.x + r * a.c, *g = a.dy + r * a.c;
    float *y = a.y + r * a.c;
    for (int64_t ch = 0; ch < a.c; ++ch)
      y[ch] = a.k1[ch] * g[ch] + a.k2[ch] * (x[ch] - a.mean[ch]) + a.k3[ch];
  }
}

/// Rows per work item of the row-parallel loops: about 16K elements.
inline int64_t rowGrain(int64_t c) {
  return std::max<int64_t>(1, 16384 / std::max<int64_t>(1, c));
}

struct PointwiseBwdCtx {
  Pointwise f;
  float alpha;
  const float *x, *dy;
  float *dx;
};

template <Pointwise F>
inline void pointwiseBwdRange(float alpha, const float *x, const float *dy,
                              float *dx, int64_t n) {
  constexpr float kScale = 1.0507009873554804934193349852946f;
  constexpr float kAlpha = 1.6732632423543772848170429916717f;
  for (int64_t i = 0; i < n; ++i) {
    float v = x[i], g = dy[i];
    switch (F) {
    case Pointwise::None:
      dx[i] = g;
      break;
    case Pointwise::Relu:
      dx[i] = v > 0.0f ? g : 0.0f;
      break;
    case Pointwise::Relu6:
      dx[i] = v > 0.0f && v < 6.0f ? g : 0.0f;
      break;
    case Pointwise::Sigmoid: {
      float y = 1.0f / (1.0f + std::exp(-v));
      dx[i] = g * (y * (1.0f - y));
      break;
    }
    case Pointwise::Tanh: {
      float y = std::tanh(v);
      dx[i] = g * (1.0f - y * y);
      break;
    }
    case Pointwise::Elu:
      dx[i] = v > 0.0f ? g : g * std::exp(v);
      break;
    case Pointwise::Softplus:
      dx[i] = g / (1.0f + std::exp(-v));
      break;
    case Pointwise::LeakyRelu:
      dx[i] = v > 0.0f ? g : g * alpha;
      break;
    case Pointwise::Selu:
      dx[i] = v > 0.0f ? g * kScale : g * (kScale * kAlpha * std::exp(v));
      break;
    }
  }
}

inline void pointwiseBwdTask(void *ctx, int64_t begin, int64_t end) {
  const PointwiseBwdCtx &c = *static_cast<const PointwiseBwdCtx *>(ctx);
  const float *x = c.x + begin, *dy = c.dy + begin;
  float *dx = c.dx + begin;
  int64_t n = end - begin;
  switch (c.f) {
  case Pointwise::None:
    return pointwiseBwdRange<Pointwise::None>(c.alpha, x, dy, dx, n);
  case Pointwise::Relu:
    return pointwiseBwdRange<Pointwise::Relu>(c.alpha, x, dy, dx, n);
  case Pointwise::Relu6:
    return pointwiseBwdRange<Pointwise::Relu6>(c.alpha, x, dy, dx, n);
  case Pointwise::Sigmoid:
    return pointwiseBwdRange<Pointwise::Sigmoid>(c.alpha, x, dy, dx, n);
  case Pointwise::Tanh:
    return pointwiseBwdRange<Pointwise::Tanh>(c.alpha, x, dy, dx, n);
  case Pointwise::Elu:
    return pointwiseBwdRange<Pointwise::Elu>(c.alpha, x, dy, dx, n);
  case Pointwise::Softplus:
    return pointwiseBwdRange<Pointwise::Softplus>(c.alpha, x, dy, dx, n);
  case Pointwise::LeakyRelu:
    return pointwiseBwdRange<Pointwise::LeakyRelu>(c.alpha, x, dy, dx, n);
  case Pointwise::Selu:
    return pointwiseBwdRange<Pointwise::Selu>(c.alpha, x, dy, dx, n);
  }
}

} // namespace detail

/// ref::batchNormTraining: batch mean and biased variance per channel of
/// [outer, c] x, y = gamma (x - mean) / sqrt(var + eps) + beta (null gamma /
/// beta: 1 / 0), batchMean / batchVar / invStd written as ref does (invStd
/// from the double variance). Three passes over x (mean, centered squares,
/// normalize), each split across threads by rows.
inline void batchNormTraining(const float *x, float *y, int64_t outer,
                              int64_t c, const float *gamma, const float *beta,
                              float epsilon, float *batchMean, float *batchVar,
                              float *invStd,
                              const slim_parallel *par = nullptr) {
  if (c <= 0 || outer <= 0)
    return;
  std::vector<double> sums(c);
  std::vector<float> mean(c), scale(c), shift(c);
  double m = static_cast<double>(outer);
  detail::channelSums(detail::StatKind::Sum, x, nullptr, nullptr, outer, c,
                      sums.data(), par);
  for (int64_t ch = 0; ch < c; ++ch)
    mean[ch] = static_cast<float>(sums[ch] / m);
  detail::channelSums(detail::StatKind::CenteredSquares, x, nullptr,
                      mean.data(), outer, c, sums.data(), par);
  for (int64_t ch = 0; ch < c; ++ch) {
    double var = sums[ch] / m;
    double inv = 1.0 / std::sqrt(var + static_cast<double>(epsilon));
    batchMean[ch] = mean[ch];
    batchVar[ch] = static_cast<float>(var);
    invStd[ch] = static_cast<float>(inv);
    scale[ch] = static_cast<float>(inv * (gamma ? gamma[ch] : 1.0));
    shift[ch] = beta ? beta[ch] : 0.0f;
  }
  detail::AffineRowsCtx a{
      x, nullptr, mean.data(), scale.data(), shift.data(), nullptr, y, c};
  slim_parallel_run(par, outer, detail::rowGrain(c), detail::normalizeTask, &a);
}

/// ref::batchNormTrainingBackward: dx through the batch statistics, dgamma
/// and dbeta (either may be null). One pass for sum dy and sum dy (x -
/// mean), one for dx = k1 dy + k2 (x - mean) + k3 with per-channel k1 =
/// gamma invStd, k2 = -k1 invStd^2 sum dy (x - mean) / M, k3 = -k1 sum dy /
/// M (the reference's formula regrouped).
inline void
batchNormTrainingBackward(const float *x, const float *dy, int64_t outer,
                          int64_t c, const float *gamma, const float *batchMean,
                          const float *invStd, float *dx, float *dgamma,
                          float *dbeta, const slim_parallel *par = nullptr) {
  if (c <= 0)
    return;
  if (outer <= 0) {
    if (dgamma)
      std::fill(dgamma, dgamma + c, 0.0f);
    if (dbeta)
      std::fill(dbeta, dbeta + c, 0.0f);
    return;
  }
  std::vector<double> sums(2 * c);
  detail::channelSums(detail::StatKind::DyAndDyCentered, x, dy, batchMean,
                      outer, c, sums.data(), par);
  std::vector<float> k1(c), k2(c), k3(c);
  double m = static_cast<double>(outer);
  for (int64_t ch = 0; ch < c; ++ch) {
    double inv = invStd[ch], g = gamma ? gamma[ch] : 1.0;
    double sumDy = sums[ch], sumDyXhat = sums[c + ch] * inv;
    if (dbeta)
      dbeta[ch] = static_cast<float>(sumDy);
    if (dgamma)
      dgamma[ch] = static_cast<float>(sumDyXhat);
    k1[ch] = static_cast<float>(g * inv);
    k2[ch] = static_cast<float>(-g * inv * inv * sumDyXhat / m);
    k3[ch] = static_cast<float>(-g * inv * sumDy / m);
  }
  detail::AffineRowsCtx a{x,         dy,        batchMean, k1.data(),
                          k2.data(), k3.data(), dx,        c};
  slim_parallel_run(par, outer, detail::rowGrain(c), detail::bnBackwardTask,
                    &a);
}

/// TF BiasAddGrad (ref::biasBackward): db[c] = sum of the `outer` rows.
inline void biasBackward(const float *dy, int64_t outer, int64_t c, float *db,
                         const slim_parallel *par = nullptr) {
  if (c <= 0)
    return;
  std::vector<double> sums(c);
  detail::channelSums(detail::StatKind::Sum, dy, nullptr, nullptr, outer, c,
                      sums.data(), par);
  for (int64_t ch = 0; ch < c; ++ch)
    db[ch] = static_cast<float>(sums[ch]);
}

/// ref::pointwiseBackward in float (TF's *Grad kernels compute in float
/// too): the same kinks; sigmoid and tanh from the recomputed output.
/// Threads split the elements.
inline void pointwiseBackward(Pointwise f, float alpha, const float *x,
                              const float *dy, float *dx, int64_t count,
                              const slim_parallel *par = nullptr) {
  detail::PointwiseBwdCtx c{f, alpha, x, dy, dx};
  slim_parallel_run(par, count, 16384, detail::pointwiseBwdTask, &c);
}

/// The epilogue activation's backward: pointwiseBackward on the equal enum.
inline void activationBackward(Activation act, const float *x, const float *dy,
                               float *dx, int64_t count,
                               const slim_parallel *par = nullptr) {
  pointwiseBackward(static_cast<Pointwise>(act), 0.0f, x, dy, dx, count, par);
}

} // namespace kernels
} // namespace slim

#endif // SLIM_KERNELS_BACKWARD_NORM_H
