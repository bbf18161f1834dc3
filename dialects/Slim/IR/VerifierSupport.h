//===- VerifierSupport.h - Helpers the op verifiers share -------*- C++ -*-===//
//
// Internal to the dialect library: SlimOps.cpp, SlimSpatialOps.cpp and
// SlimOps3D.cpp verify their ops against the same shape rules with the same
// messages.
//
//===----------------------------------------------------------------------===//

#ifndef SLIM_DIALECT_VERIFIERSUPPORT_H
#define SLIM_DIALECT_VERIFIERSUPPORT_H

#include "dialects/Slim/IR/ShapeRules.h"

#include "mlir/IR/BuiltinTypes.h"
#include "mlir/IR/Operation.h"

namespace mlir::slim {

inline llvm::ArrayRef<int64_t> shapeOf(Value v) {
  return llvm::cast<RankedTensorType>(v.getType()).getShape();
}

/// The ShapeErrorFn of a verifier: the rule's message becomes `op`'s error,
/// `'slim.conv2d' op <message>`.
inline auto opError(Operation *op) {
  return [op](const llvm::Twine &message) { (void)op->emitOpError(message); };
}

/// Compares an op's declared result shape with the one its shape rule gave;
/// a rule that failed has already reported its error through opError.
LogicalResult checkInferred(Operation *op, LogicalResult inferred,
                            const Shape &expected);

} // namespace mlir::slim

#endif // SLIM_DIALECT_VERIFIERSUPPORT_H
