//===- SpatialGraphOps.h - Building the spatial slim ops --------*- C++ -*-===//
//
// The builders of SlimSpatialOps.td's frontend ops (resize, strided slice,
// instance and group norm), checked like GraphOps.h's: a violated shape rule is
// an error at the user's source location and a null result.
//
//===----------------------------------------------------------------------===//

#ifndef SLIM_FRONTEND_SPATIALGRAPHOPS_H
#define SLIM_FRONTEND_SPATIALGRAPHOPS_H

#include "frontend/Interpreter.h"

namespace slim {

// `what` names the TF function in messages ("resize_bilinear: ...").

/// `method` is "nearest" or "bilinear"; `height` x `width` the output.
Ref emitResize(Interpreter &interp, llvm::StringRef what, TensorObj &input,
               int64_t height, int64_t width, llvm::StringRef method,
               bool alignCorners, bool halfPixelCenters, llvm::SMLoc loc);
/// `count[d]` elements from `begin[d]` every `strides[d]` (already resolved
/// from Python's or TF's index rules).
Ref emitStridedSlice(Interpreter &interp, llvm::StringRef what,
                     TensorObj &input, llvm::ArrayRef<int64_t> begin,
                     llvm::ArrayRef<int64_t> strides,
                     llvm::ArrayRef<int64_t> count, llvm::StringRef opType,
                     llvm::SMLoc loc);
Ref emitInstanceNorm(Interpreter &interp, llvm::StringRef what,
                     TensorObj &input, TensorObj *beta, TensorObj *gamma,
                     double epsilon, llvm::SMLoc loc);
/// `channelsAxis` and `reductionAxes` already non-negative.
Ref emitGroupNorm(Interpreter &interp, llvm::StringRef what, TensorObj &input,
                  TensorObj *beta, TensorObj *gamma, int64_t groups,
                  int64_t channelsAxis, llvm::ArrayRef<int64_t> reductionAxes,
                  double epsilon, bool onePass, llvm::SMLoc loc);

} // namespace slim

#endif // SLIM_FRONTEND_SPATIALGRAPHOPS_H
