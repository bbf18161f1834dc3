//===- CheckedInt.h - Checked int64 arithmetic ------------------*- C++ -*-===//
//
// Python ints are unbounded; slimc's are int64. Every integer operation the
// elaborator performs on values from a model file, and every size, shape
// and product the shape rules, passes and analyses compute from them, goes
// through these helpers, which return std::nullopt where the exact result
// does not fit (so the caller reports an overflow at the op or expression)
// instead of running into signed-overflow UB or a SIGFPE (INT64_MIN / -1
// traps on x86). Lives with the dialect, the lowest layer that needs it.
//
//===----------------------------------------------------------------------===//

#ifndef SLIMC_DIALECTS_SLIM_IR_CHECKEDINT_H
#define SLIMC_DIALECTS_SLIM_IR_CHECKEDINT_H

#include "llvm/ADT/ArrayRef.h"

#include <cstdint>
#include <optional>

namespace slim {
namespace checked {

inline std::optional<int64_t> add(int64_t a, int64_t b) {
  int64_t r;
  if (__builtin_add_overflow(a, b, &r))
    return std::nullopt;
  return r;
}

inline std::optional<int64_t> sub(int64_t a, int64_t b) {
  int64_t r;
  if (__builtin_sub_overflow(a, b, &r))
    return std::nullopt;
  return r;
}

inline std::optional<int64_t> mul(int64_t a, int64_t b) {
  int64_t r;
  if (__builtin_mul_overflow(a, b, &r))
    return std::nullopt;
  return r;
}

inline std::optional<int64_t> neg(int64_t a) { return sub(0, a); }

inline std::optional<int64_t> abs(int64_t a) {
  return a < 0 ? neg(a) : std::optional<int64_t>(a);
}

/// Python's `a // b` (rounds toward negative infinity). \p b must not be 0:
/// that is a ZeroDivisionError, which the caller reports itself.
inline std::optional<int64_t> floorDiv(int64_t a, int64_t b) {
  // The only quotient that does not fit: INT64_MIN // -1 == 2**63.
  if (b == -1)
    return neg(a);
  int64_t q = a / b;
  if ((a % b != 0) && ((a < 0) != (b < 0)))
    --q;
  return q;
}

/// Python's `a % b` (takes the sign of \p b); always fits in int64. \p b
/// must not be 0.
inline int64_t floorMod(int64_t a, int64_t b) {
  // a % -1 is 0, but computing it as INT64_MIN % -1 traps.
  if (b == -1)
    return 0;
  int64_t r = a % b;
  if (r != 0 && ((r < 0) != (b < 0)))
    r += b;
  return r;
}

/// Python's `a ** b` for b >= 0, by squaring, so a huge exponent of -1, 0 or
/// 1 costs ~64 steps and any other base overflows within 64.
inline std::optional<int64_t> pow(int64_t a, int64_t b) {
  int64_t result = 1;
  while (true) {
    if (b & 1) {
      auto r = mul(result, a);
      if (!r)
        return std::nullopt;
      result = *r;
    }
    b >>= 1;
    if (b == 0)
      return result;
    auto sq = mul(a, a);
    if (!sq)
      return std::nullopt;
    a = *sq;
  }
}

/// The product of \p values (the element count of a shape).
inline std::optional<int64_t> product(llvm::ArrayRef<int64_t> values) {
  int64_t n = 1;
  for (int64_t v : values) {
    auto r = mul(n, v);
    if (!r)
      return std::nullopt;
    n = *r;
  }
  return n;
}

/// Truncates \p f toward zero as Python's int(float) does; std::nullopt for
/// NaN, infinities and values outside int64 (converting those is UB in C++).
inline std::optional<int64_t> fromDouble(double f) {
  // -2**63 is exactly representable; 2**63 is the first value that is not.
  if (!(f >= -9223372036854775808.0 && f < 9223372036854775808.0))
    return std::nullopt;
  return static_cast<int64_t>(f);
}

} // namespace checked
} // namespace slim

#endif // SLIMC_DIALECTS_SLIM_IR_CHECKEDINT_H
