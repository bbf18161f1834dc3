//===- slim/kernels/reduce.h - Sum, mean and max over any axes --*- C++ -*-===//
//
// tf.reduce_sum / reduce_mean / reduce_max over any set of axes of a dense
// row-major tensor (the spatial mean of a blocked map has its own kernel,
// globalAvgPool). Runs of adjacent axes that are all kept or all reduced are
// merged first; the innermost run is then either kept (a vector of
// accumulators, one per output element of the row, added to contiguously)
// or reduced (a contiguous sum). Sums accumulate in double, so a mean over
// a large tensor stays within float rounding of the exact value, as
// TensorFlow's tree reduction does.
//
//===----------------------------------------------------------------------===//
#ifndef SLIM_KERNELS_REDUCE_H
#define SLIM_KERNELS_REDUCE_H

#include "slim/contract.h"
#include "slim/parallel.h"

#include <cstdint>
#include <limits>
#include <vector>

namespace slim {
namespace kernels {

using ::slim::contract::Reduce;

constexpr int kMaxReduceRank = 8;

/// A reduction with its axes merged into alternating runs.
struct ReducePlan {
  int rank = 0;
  int64_t dims[kMaxReduceRank] = {};
  int64_t stride[kMaxReduceRank] = {}; ///< In the input, in floats.
  bool reduced[kMaxReduceRank] = {};
  int64_t outputs = 1; ///< Elements of the result.
  int64_t reduceN = 1; ///< Elements summed into each of them.
};

/// Plans a reduction of `shape` (rank `rank`) over the axes whose entry of
/// `reduced` is nonzero. False when the merged rank is too big.
inline bool planReduce(int rank, const int64_t *shape, const int *reduced,
                       ReducePlan &plan) {
  plan = ReducePlan();
  int64_t dims[kMaxReduceRank], stride[kMaxReduceRank];
  bool red[kMaxReduceRank];
  int merged = 0;
  int64_t size = 1;
  for (int d = rank - 1; d >= 0; --d) {
    int64_t n = shape[d];
    bool r = reduced[d] != 0;
    if (r)
      plan.reduceN *= n;
    else
      plan.outputs *= n;
    if (n != 1) {
      if (merged > 0 && red[merged - 1] == r) {
        dims[merged - 1] *= n;
      } else {
        if (merged == kMaxReduceRank)
          return false;
        dims[merged] = n;
        stride[merged] = size;
        red[merged] = r;
        ++merged;
      }
    }
    size *= n;
  }
  if (merged == 0) {
    dims[0] = 1;
    stride[0] = 1;
    red[0] = false;
    merged = 1;
  }
  plan.rank = merged;
  for (int i = 0; i < merged; ++i) {
    plan.dims[i] = dims[merged - 1 - i];
    plan.stride[i] = stride[merged - 1 - i];
    plan.reduced[i] = red[merged - 1 - i];
  }
  return true;
}

namespace detail {

struct ReduceCtx {
  Reduce kind;
  const ReducePlan *plan;
  const float *x;
  float *y;
};

/// Output rows [begin, end): a row is the innermost kept run (one element
/// when the innermost run is reduced).
inline void reduceTask(void *ctx, int64_t begin, int64_t end) {
  const ReduceCtx &c = *static_cast<const ReduceCtx *>(ctx);
  const ReducePlan &p = *c.plan;
  const int inner = p.rank - 1;
  const bool innerKept = !p.reduced[inner];
  const int64_t rowLen = innerKept ? p.dims[inner] : 1;
  const int outerRank = innerKept ? inner : p.rank;
  const bool isMax = c.kind == Reduce::Max;
  std::vector<double> sum(isMax ? 0 : rowLen);
  std::vector<float> best(isMax ? rowLen : 0);
  // The reduced runs other than the innermost one, walked by an odometer;
  // the innermost run (stride 1) is the contiguous loop of each step.
  int redDims[kMaxReduceRank], numRed = 0;
  for (int d = 0; d < inner; ++d)
    if (p.reduced[d])
      redDims[numRed++] = d;
  const int64_t innerLen = p.dims[inner];
  int64_t idx[kMaxReduceRank];
  for (int64_t row = begin; row < end; ++row) {
    // The kept outer runs' indices fix the base of this row.
    int64_t base = 0, rest = row;
    for (int d = outerRank - 1; d >= 0; --d) {
      if (p.reduced[d])
        continue;
      base += (rest % p.dims[d]) * p.stride[d];
      rest /= p.dims[d];
    }
    if (isMax)
      for (int64_t j = 0; j < rowLen; ++j)
        best[j] = -std::numeric_limits<float>::infinity();
    else
      for (int64_t j = 0; j < rowLen; ++j)
        sum[j] = 0.0;
    for (int i = 0; i < numRed; ++i)
      idx[i] = 0;
    for (;;) {
      int64_t off = base;
      for (int i = 0; i < numRed; ++i)
        off += idx[i] * p.stride[redDims[i]];
      const float *src = c.x + off;
      if (innerKept) {
        if (isMax)
          for (int64_t j = 0; j < rowLen; ++j)
            best[j] = src[j] > best[j] ? src[j] : best[j];
        else
          for (int64_t j = 0; j < rowLen; ++j)
            sum[j] += src[j];
      } else if (isMax) {
        float m = best[0];
        for (int64_t j = 0; j < innerLen; ++j)
          m = src[j] > m ? src[j] : m;
        best[0] = m;
      } else {
        double s = 0.0;
        for (int64_t j = 0; j < innerLen; ++j)
          s += src[j];
        sum[0] += s;
      }
      int i = numRed - 1;
      for (; i >= 0; --i) {
        if (++idx[i] < p.dims[redDims[i]])
          break;
        idx[i] = 0;
      }
      if (i < 0)
        break;
    }
    float *dst = c.y + row * rowLen;
    if (isMax)
      for (int64_t j = 0; j < rowLen; ++j)
        dst[j] = best[j];
    else if (c.kind == Reduce::Mean)
      for (int64_t j = 0; j < rowLen; ++j)
        dst[j] = static_cast<float>(sum[j] / static_cast<double>(p.reduceN));
    else
      for (int64_t j = 0; j < rowLen; ++j)
        dst[j] = static_cast<float>(sum[j]);
  }
}

} // namespace detail

/// y = reduce(x) over the axes marked in `reduced` (rank `rank`, dense
/// row-major); y holds the kept axes in order (keepdims does not change the
/// layout). A max over zero elements is -inf, a sum 0, a mean NaN, as in
/// TensorFlow. Returns false when the shape has too many alternating runs.
inline bool reduce(Reduce kind, const float *x, const int64_t *shape,
                   const int *reduced, int rank, float *y,
                   const slim_parallel *par = nullptr) {
  ReducePlan plan;
  if (!planReduce(rank, shape, reduced, plan))
    return false;
  detail::ReduceCtx c{kind, &plan, x, y};
  int64_t rowLen = plan.reduced[plan.rank - 1] ? 1 : plan.dims[plan.rank - 1];
  int64_t rows = plan.outputs / rowLen;
  int64_t work = plan.reduceN * rowLen;
  slim_parallel_run(par, rows, work >= 16384 ? 1 : 16384 / (work ? work : 1),
                    detail::reduceTask, &c);
  return true;
}

} // namespace kernels
} // namespace slim

#endif // SLIM_KERNELS_REDUCE_H
