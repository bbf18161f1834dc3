//===- ElementwiseShapeRules.h - Shapes of SlimElementwiseOps.td -*- C++
//-*-===//
//
// The shape rules of the arithmetic, lrn, reduction and tile ops
// (SlimElementwiseOps.td), shared by their verifiers and the frontend as
// ShapeRules.h's are.
//
//===----------------------------------------------------------------------===//

#ifndef SLIM_DIALECT_ELEMENTWISESHAPERULES_H
#define SLIM_DIALECT_ELEMENTWISESHAPERULES_H

#include "dialects/Slim/IR/ShapeRules.h"

namespace mlir::slim {

/// reduce_mean / reduce_sum / reduce_max: `axes` strictly increasing and in
/// range; with `keepDims` the reduced axes stay as 1s.
LogicalResult inferReduceShape(llvm::ArrayRef<int64_t> input,
                               llvm::ArrayRef<int64_t> axes, bool keepDims,
                               Shape &out, ShapeErrorFn emitError);
/// NumPy / TensorFlow broadcasting: shapes align at their last axes; each
/// pair of sizes is equal or one of them is 1.
LogicalResult inferBroadcastShape(llvm::ArrayRef<int64_t> lhs,
                                  llvm::ArrayRef<int64_t> rhs, Shape &out,
                                  ShapeErrorFn emitError);
/// tf.nn.lrn: a 4-D input, depth_radius >= 0; the result has its shape.
LogicalResult checkLrn(llvm::ArrayRef<int64_t> input, int64_t depthRadius,
                       ShapeErrorFn emitError);
/// tf.tile: one positive multiple per axis.
LogicalResult inferTileShape(llvm::ArrayRef<int64_t> input,
                             llvm::ArrayRef<int64_t> multiples, Shape &out,
                             ShapeErrorFn emitError);
/// Whether `kind` names a slim.binary / slim.binary_scalar operation.
bool isBinaryKind(llvm::StringRef kind);

} // namespace mlir::slim

#endif // SLIM_DIALECT_ELEMENTWISESHAPERULES_H
