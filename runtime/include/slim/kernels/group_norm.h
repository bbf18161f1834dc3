//===- slim/kernels/group_norm.h - TF-Slim group_norm (CPU) -----*- C++ -*-===//
//
// The fast CPU kernel of slim.group_norm on a dense row-major tensor: one
// work item per statistic (kept index, group), walking group_norm_layout.h's
// loop nest with the innermost loop as a plain strided run (contiguous
// channels of a group for NHWC). Statistics in double, as the reference.
//
//===----------------------------------------------------------------------===//
#ifndef SLIM_KERNELS_GROUP_NORM_H
#define SLIM_KERNELS_GROUP_NORM_H

#include "slim/kernels/group_norm_layout.h"
#include "slim/parallel.h"

#include <cmath>
#include <cstdint>
#include <vector>

namespace slim {
namespace kernels {
namespace detail {

/// Calls f(offset, channel) for each run of the innermost loop of `p`'s
/// nest: the run's first element and, when the channel loop is not the
/// innermost, the channel (within the group) all its elements share.
template <typename F> inline void groupNormRuns(const GroupNormPlan &p, F &&f) {
  const int last = p.loops - 1;
  const int64_t outer = p.count / p.loopExtent[last];
  int64_t idx[kGroupNormMaxRank] = {0};
  for (int64_t o = 0; o < outer; ++o) {
    int64_t off = 0, ch = 0;
    for (int i = 0; i < last; ++i) {
      off += idx[i] * p.loopStride[i];
      if (i == p.channelLoop)
        ch = idx[i];
    }
    f(off, ch);
    for (int i = last - 1; i >= 0; --i) {
      if (++idx[i] < p.loopExtent[i])
        break;
      idx[i] = 0;
    }
  }
}

struct GroupNormCtx {
  const float *x;
  float *y;
  GroupNormPlan plan;
  const float *beta, *gamma;
  float epsilon;
  bool onePass;
};

inline void groupNormTask(void *ctx, int64_t begin, int64_t end) {
  const GroupNormCtx &c = *static_cast<const GroupNormCtx *>(ctx);
  const GroupNormPlan &p = c.plan;
  const int last = p.loops - 1;
  const int64_t n = p.loopExtent[last], step = p.loopStride[last];
  const bool channelInner = p.channelLoop == last;
  std::vector<float> gain(p.perGroup), shift(p.perGroup);
  for (int64_t s = begin; s < end; ++s) {
    int64_t c0;
    const int64_t base = groupNormBase(p, s, c0);
    const float *x = c.x + base;
    float *y = c.y + base;
    double sum = 0.0, sq = 0.0;
    groupNormRuns(p, [&](int64_t off, int64_t) {
      for (int64_t i = 0; i < n; ++i) {
        double v = x[off + i * step];
        sum += v;
        sq += v * v;
      }
    });
    const double count = static_cast<double>(p.count);
    const double mean = sum / count;
    double variance;
    if (c.onePass) {
      // nn.sufficient_statistics + nn.normalize_moments.
      variance = sq / count - mean * mean;
    } else {
      // nn.moments: the mean of the squared differences.
      sq = 0.0;
      groupNormRuns(p, [&](int64_t off, int64_t) {
        for (int64_t i = 0; i < n; ++i) {
          double d = x[off + i * step] - mean;
          sq += d * d;
        }
      });
      variance = sq / count;
    }
    const double inv = 1.0 / std::sqrt(variance + c.epsilon);
    for (int64_t k = 0; k < p.perGroup; ++k) {
      double g = c.gamma ? c.gamma[c0 + k] * inv : inv;
      gain[k] = static_cast<float>(g);
      shift[k] = static_cast<float>((c.beta ? c.beta[c0 + k] : 0.0) - mean * g);
    }
    groupNormRuns(p, [&](int64_t off, int64_t ch) {
      if (channelInner) {
        for (int64_t i = 0; i < n; ++i)
          y[off + i * step] = x[off + i * step] * gain[i] + shift[i];
      } else {
        const float a = gain[ch], b = shift[ch];
        for (int64_t i = 0; i < n; ++i)
          y[off + i * step] = x[off + i * step] * a + b;
      }
    });
  }
}

} // namespace detail

/// TF-Slim group_norm of a dense row-major tensor of `rank` `dims`: the
/// channels of `channelAxis` in `groups` groups, statistics over the axes
/// of `reducedMask` (bit a: axis a) and each group's channels. beta / gamma
/// ([channels]) may be null (0 / 1); `onePass` is mean_close_to_zero.
inline void groupNorm(const float *x, float *y, int rank, const int64_t *dims,
                      int channelAxis, unsigned reducedMask, int64_t groups,
                      const float *beta, const float *gamma, float epsilon,
                      bool onePass, const slim_parallel *par) {
  detail::GroupNormCtx ctx;
  ctx.x = x;
  ctx.y = y;
  ctx.plan = planGroupNorm(rank, dims, channelAxis, reducedMask, groups);
  ctx.beta = beta;
  ctx.gamma = gamma;
  ctx.epsilon = epsilon;
  ctx.onePass = onePass;
  slim_parallel_run(par, ctx.plan.stats, 1, detail::groupNormTask, &ctx);
}

} // namespace kernels
} // namespace slim

#endif // SLIM_KERNELS_GROUP_NORM_H
