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

/// Compares an op's declared result shape with the one its shape rule gives.
LogicalResult checkInferred(Operation *op, LogicalResult inferred,
                            const Shape &expected, const std::string &error);

} // namespace mlir::slim

#endif // SLIM_DIALECT_VERIFIERSUPPORT_H
