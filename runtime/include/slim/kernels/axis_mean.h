//===- slim/kernels/axis_mean.h - Mean over consecutive axes ----*- C++ -*-===//
//
// tf.reduce_mean over a run of consecutive axes of a dense row-major tensor
// viewed as [outer][mid][inner]: out[o][i] = mean over m of in[o][m][i].
// Video nets average their logits over time this way (I3D's
// reduce_mean(axis=1) of [N, T, 1, 1, C]); the spatial mean of a blocked
// map has its own kernel (globalAvgPool). Sums in double.
//
//===----------------------------------------------------------------------===//
#ifndef SLIM_KERNELS_AXIS_MEAN_H
#define SLIM_KERNELS_AXIS_MEAN_H

#include "slim/parallel.h"

#include <cstdint>

namespace slim {
namespace kernels {
namespace detail {

struct AxisMeanCtx {
  const float *in;
  float *out;
  int64_t mid, inner;
};

/// Items are output rows `o`; each sums its mid rows of `inner` floats.
inline void axisMeanTask(void *ctx, int64_t begin, int64_t end) {
  const AxisMeanCtx &c = *static_cast<const AxisMeanCtx *>(ctx);
  for (int64_t o = begin; o < end; ++o)
    for (int64_t i = 0; i < c.inner; ++i) {
      double sum = 0.0;
      const float *src = c.in + o * c.mid * c.inner + i;
      for (int64_t m = 0; m < c.mid; ++m)
        sum += src[m * c.inner];
      c.out[o * c.inner + i] =
          static_cast<float>(sum / static_cast<double>(c.mid));
    }
}

} // namespace detail

/// out[o][i] = mean over m of in[o][m][i], split over `par` by rows of the
/// outer axes (a null `par` runs inline).
inline void meanOverAxes(const float *in, int64_t outer, int64_t mid,
                         int64_t inner, float *out,
                         const slim_parallel *par = nullptr) {
  detail::AxisMeanCtx c{in, out, mid, inner};
  slim_parallel_run(par, outer, 1, detail::axisMeanTask, &c);
}

} // namespace kernels
} // namespace slim

#endif // SLIM_KERNELS_AXIS_MEAN_H
