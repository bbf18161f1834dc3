//===- slim/kernels/elementwise.h - Broadcasting tensor arithmetic -*- C++ -*-//
//
// TensorFlow's binary arithmetic (tf.add, subtract, multiply, divide,
// maximum, minimum) with NumPy broadcasting, on dense row-major tensors, the
// same ops between a tensor and a number, and tf.tile. The loops are plain C++
// the compiler vectorizes (the innermost run is contiguous or a broadcast
// scalar); work is split over `par` by rows. Both --kernels=fast and
// --kernels=reference code, and every target's `prepare` (arithmetic on
// variables runs at load time), call them.
//
//===----------------------------------------------------------------------===//
#ifndef SLIM_KERNELS_ELEMENTWISE_H
#define SLIM_KERNELS_ELEMENTWISE_H

#include "slim/contract.h"
#include "slim/parallel.h"

#include <cstdint>

namespace slim {
namespace kernels {

using ::slim::contract::Binary;

/// One element of `k`, as TensorFlow computes it in float32: maximum and
/// minimum return the first operand when the two compare equal.
inline float applyBinary(Binary k, float a, float b) {
  switch (k) {
  case Binary::Add:
    return a + b;
  case Binary::Sub:
    return a - b;
  case Binary::Mul:
    return a * b;
  case Binary::Div:
    return a / b;
  case Binary::Max:
    return a < b ? b : a;
  case Binary::Min:
    return b < a ? b : a;
  }
  return a;
}

/// The most dimensions a broadcast keeps once runs of dimensions that
/// broadcast alike are merged (TensorFlow's own limit on broadcast ranks).
constexpr int kMaxBroadcastRank = 8;

/// A broadcast with its dimensions merged: y[i] = a[ia] op b[ib], where
/// every index walks `dims` (outermost first) and the operands step by their
/// strides (0 along a broadcast dimension).
struct BroadcastPlan {
  int rank = 0;
  int64_t dims[kMaxBroadcastRank] = {};
  int64_t aStride[kMaxBroadcastRank] = {};
  int64_t bStride[kMaxBroadcastRank] = {};
  int64_t count = 1;
};

/// Plans y = a op b for shapes of equal rank `rank` (the compiler left-pads
/// the shorter one with 1s): each dimension of a and b is 1 or y's. Returns
/// false when the shapes do not broadcast or the merged rank is too big.
inline bool planBroadcast(int rank, const int64_t *aShape,
                          const int64_t *bShape, const int64_t *yShape,
                          BroadcastPlan &plan) {
  plan = BroadcastPlan();
  // Walks from the innermost dimension outwards, merging a dimension into
  // the previous run when both operands either step through it or broadcast
  // it, as they did through the run.
  int64_t aSize = 1, bSize = 1;
  int merged = 0;
  int64_t dims[kMaxBroadcastRank], as[kMaxBroadcastRank], bs[kMaxBroadcastRank];
  bool prevA = false, prevB = false;
  for (int d = rank - 1; d >= 0; --d) {
    int64_t n = yShape[d];
    if (n == 1)
      continue; // Contributes nothing to any index.
    bool stepA = aShape[d] == n, stepB = bShape[d] == n;
    if ((!stepA && aShape[d] != 1) || (!stepB && bShape[d] != 1))
      return false;
    if (merged > 0 && stepA == prevA && stepB == prevB) {
      dims[merged - 1] *= n;
    } else {
      if (merged == kMaxBroadcastRank)
        return false;
      dims[merged] = n;
      as[merged] = stepA ? aSize : 0;
      bs[merged] = stepB ? bSize : 0;
      ++merged;
    }
    if (stepA)
      aSize *= n;
    if (stepB)
      bSize *= n;
    prevA = stepA;
    prevB = stepB;
    plan.count *= n;
  }
  if (merged == 0) { // One element.
    dims[0] = 1;
    as[0] = bs[0] = 0;
    merged = 1;
  }
  plan.rank = merged;
  for (int i = 0; i < merged; ++i) {
    plan.dims[i] = dims[merged - 1 - i];
    plan.aStride[i] = as[merged - 1 - i];
    plan.bStride[i] = bs[merged - 1 - i];
  }
  return true;
}

namespace detail {

/// y[0:n] = a[i * sa] op b[i * sb] for strides 0 or 1; one instantiation per
/// case so that each loop is a plain vectorizable one.
template <Binary K, int SA, int SB>
inline void binaryRun(const float *a, const float *b, float *y, int64_t n) {
  for (int64_t i = 0; i < n; ++i)
    y[i] = applyBinary(K, a[i * SA], b[i * SB]);
}

template <Binary K>
inline void binaryRunAny(const float *a, int64_t sa, const float *b, int64_t sb,
                         float *y, int64_t n) {
  if (sa == 1 && sb == 1)
    binaryRun<K, 1, 1>(a, b, y, n);
  else if (sa == 1 && sb == 0)
    binaryRun<K, 1, 0>(a, b, y, n);
  else if (sa == 0 && sb == 1)
    binaryRun<K, 0, 1>(a, b, y, n);
  else
    binaryRun<K, 0, 0>(a, b, y, n);
}

inline void binaryRunKind(Binary k, const float *a, int64_t sa, const float *b,
                          int64_t sb, float *y, int64_t n) {
  switch (k) {
  case Binary::Add:
    return binaryRunAny<Binary::Add>(a, sa, b, sb, y, n);
  case Binary::Sub:
    return binaryRunAny<Binary::Sub>(a, sa, b, sb, y, n);
  case Binary::Mul:
    return binaryRunAny<Binary::Mul>(a, sa, b, sb, y, n);
  case Binary::Div:
    return binaryRunAny<Binary::Div>(a, sa, b, sb, y, n);
  case Binary::Max:
    return binaryRunAny<Binary::Max>(a, sa, b, sb, y, n);
  case Binary::Min:
    return binaryRunAny<Binary::Min>(a, sa, b, sb, y, n);
  }
}

struct BinaryCtx {
  Binary kind;
  const BroadcastPlan *plan;
  const float *a, *b;
  float *y;
};

/// Rows [begin, end): a row is one run of the innermost merged dimension.
inline void binaryTask(void *ctx, int64_t begin, int64_t end) {
  const BinaryCtx &c = *static_cast<const BinaryCtx *>(ctx);
  const BroadcastPlan &p = *c.plan;
  const int inner = p.rank - 1;
  const int64_t n = p.dims[inner];
  for (int64_t row = begin; row < end; ++row) {
    int64_t ia = 0, ib = 0, rest = row;
    for (int d = inner - 1; d >= 0; --d) {
      int64_t i = rest % p.dims[d];
      rest /= p.dims[d];
      ia += i * p.aStride[d];
      ib += i * p.bStride[d];
    }
    binaryRunKind(c.kind, c.a + ia, p.aStride[inner], c.b + ib,
                  p.bStride[inner], c.y + row * n, n);
  }
}

} // namespace detail

/// y = a op b with broadcasting, shapes of equal rank (see planBroadcast).
/// y may alias an operand of y's shape. Returns false (writing nothing) when
/// the shapes do not broadcast.
inline bool binary(Binary k, const float *a, const int64_t *aShape,
                   const float *b, const int64_t *bShape, float *y,
                   const int64_t *yShape, int rank,
                   const slim_parallel *par = nullptr) {
  BroadcastPlan plan;
  if (!planBroadcast(rank, aShape, bShape, yShape, plan))
    return false;
  detail::BinaryCtx c{k, &plan, a, b, y};
  int64_t n = plan.dims[plan.rank - 1];
  int64_t rows = plan.count / n;
  // About 16K elements per task: enough to hide the scheduling.
  int64_t grain = n >= 16384 ? 1 : 16384 / n;
  slim_parallel_run(par, rows, grain, detail::binaryTask, &c);
  return true;
}

namespace detail {
struct ScalarCtx {
  Binary kind;
  const float *x;
  float *y;
  float s;
  bool scalarFirst;
};

inline void scalarTask(void *ctx, int64_t begin, int64_t end) {
  const ScalarCtx &c = *static_cast<const ScalarCtx *>(ctx);
  if (c.scalarFirst)
    binaryRunKind(c.kind, &c.s, 0, c.x + begin, 1, c.y + begin, end - begin);
  else
    binaryRunKind(c.kind, c.x + begin, 1, &c.s, 0, c.y + begin, end - begin);
}
} // namespace detail

/// y = x op s (or s op x when `scalarFirst`) over `count` dense floats; y may
/// alias x.
inline void binaryScalar(Binary k, const float *x, float s, bool scalarFirst,
                         float *y, int64_t count,
                         const slim_parallel *par = nullptr) {
  detail::ScalarCtx c{k, x, y, s, scalarFirst};
  slim_parallel_run(par, count, 16384, detail::scalarTask, &c);
}

namespace detail {
struct TileCtx {
  const float *x;
  float *y;
  const int64_t *in, *mult;
  int rank;
};

/// Output rows [begin, end) (every axis but the last): each is the input
/// row it repeats, written multiples[last] times.
inline void tileTask(void *ctx, int64_t begin, int64_t end) {
  const TileCtx &c = *static_cast<const TileCtx *>(ctx);
  const int last = c.rank - 1;
  const int64_t inRow = c.in[last], outRow = inRow * c.mult[last];
  for (int64_t row = begin; row < end; ++row) {
    int64_t rest = row, src = 0, scale = 1;
    for (int d = last - 1; d >= 0; --d) {
      int64_t outDim = c.in[d] * c.mult[d];
      src += (rest % outDim % c.in[d]) * scale;
      rest /= outDim;
      scale *= c.in[d];
    }
    const float *from = c.x + src * inRow;
    float *to = c.y + row * outRow;
    for (int64_t m = 0; m < c.mult[last]; ++m)
      for (int64_t i = 0; i < inRow; ++i)
        to[m * inRow + i] = from[i];
  }
}
} // namespace detail

/// tf.tile of a dense tensor of shape `in` (rank >= 1): y's axis d has
/// in[d] * multiples[d] elements, element i being x's i % in[d].
inline void tile(const float *x, const int64_t *in, const int64_t *multiples,
                 int rank, float *y, const slim_parallel *par = nullptr) {
  detail::TileCtx c{x, y, in, multiples, rank};
  int64_t rows = 1;
  for (int d = 0; d < rank - 1; ++d)
    rows *= in[d] * multiples[d];
  int64_t rowFloats = in[rank - 1] * multiples[rank - 1];
  slim_parallel_run(par, rows, rowFloats >= 16384 ? 1 : 16384 / rowFloats,
                    detail::tileTask, &c);
}

/// Every element of y[0:count] set to `value`: a constant the compiler made
/// (the scale of `x * 0.5` as a per-channel vector), written at load time.
inline void fill(float *y, int64_t count, float value) {
  for (int64_t i = 0; i < count; ++i)
    y[i] = value;
}

} // namespace kernels
} // namespace slim

#endif // SLIM_KERNELS_ELEMENTWISE_H
