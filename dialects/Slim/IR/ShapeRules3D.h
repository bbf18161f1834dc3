//===- ShapeRules3D.h - Output shapes of the 5-D slim ops -------*- C++ -*-===//
//
// Shape rules of conv3d and the 3-D pools, shared by the frontend
// (errors at the user's call) and the op verifiers, as in ShapeRules.h.
// Windows are [d, h, w] triples; pads [front, back, top, bottom, left,
// right].
//
//===----------------------------------------------------------------------===//

#ifndef SLIM_DIALECT_SHAPERULES3D_H
#define SLIM_DIALECT_SHAPERULES3D_H

#include "dialects/Slim/IR/ShapeRules.h"

namespace mlir::slim {

/// conv3d of an NDHWC input with a DHWIO filter.
LogicalResult inferConv3DShape(llvm::ArrayRef<int64_t> input,
                               llvm::ArrayRef<int64_t> filter,
                               llvm::ArrayRef<int64_t> strides,
                               llvm::ArrayRef<int64_t> dilations,
                               llvm::ArrayRef<int64_t> pads, Shape &out,
                               ShapeErrorFn emitError);
/// max_pool3d / avg_pool3d of an NDHWC input.
LogicalResult inferPool3DShape(llvm::ArrayRef<int64_t> input,
                               llvm::ArrayRef<int64_t> kernel,
                               llvm::ArrayRef<int64_t> strides,
                               llvm::ArrayRef<int64_t> pads, Shape &out,
                               ShapeErrorFn emitError);

} // namespace mlir::slim

#endif // SLIM_DIALECT_SHAPERULES3D_H
