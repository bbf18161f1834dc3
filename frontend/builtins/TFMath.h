//===- TFMath.h - Tensor arithmetic of the Python operators -----*- C++ -*-===//
//
// What `t * 0.5`, `x - y`, `net += up` and `-t` do when an operand is a
// tensor: TensorFlow's operator overloads, built as the ops tf.multiply and
// its family build (TFMath.cpp).
//
//===----------------------------------------------------------------------===//

#ifndef SLIM_FRONTEND_BUILTINS_TFMATH_H
#define SLIM_FRONTEND_BUILTINS_TFMATH_H

#include "frontend/Interpreter.h"

namespace slim {

/// `lhs op rhs` where at least one operand is a tensor: `+ - * /` between
/// tensors (NumPy broadcasting) or a tensor and a Python number; any other
/// operator or operand is an error at `loc` naming the operator.
Ref tensorOperator(Interpreter &interp, BinaryOp op, const Ref &lhs,
                   const Ref &rhs, llvm::SMLoc loc);

/// `-t` (tf.negative).
Ref tensorNegate(Interpreter &interp, const Ref &tensor, llvm::SMLoc loc);

} // namespace slim

#endif // SLIM_FRONTEND_BUILTINS_TFMATH_H
