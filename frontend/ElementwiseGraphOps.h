//===- ElementwiseGraphOps.h - Building arithmetic, lrn, reductions -*- C++
//-*-//
//
// The GraphOps.h builders of the ops of SlimElementwiseOps.td: each checks
// its operands with the dialect's shape rules, reports a violation at the
// user's source location naming the op, and otherwise appends the op and
// returns the result tensor (null after an error).
//
//===----------------------------------------------------------------------===//

#ifndef SLIM_FRONTEND_ELEMENTWISEGRAPHOPS_H
#define SLIM_FRONTEND_ELEMENTWISEGRAPHOPS_H

#include "frontend/Interpreter.h"

namespace slim {

/// `lhs kind rhs` with broadcasting (`kind` as slim.binary's). Two tensors
/// of one shape added are a `slim.add`. Errors name `opName` (`tf.multiply`,
/// `operator *`); the result is named after `opType` (`Mul`, `mul`).
Ref emitBinary(Interpreter &interp, llvm::StringRef kind, TensorObj &lhs,
               TensorObj &rhs, llvm::StringRef opName, llvm::StringRef opType,
               llvm::SMLoc loc);
/// `input kind scalar`, or `scalar kind input` when `scalarFirst`.
Ref emitBinaryScalar(Interpreter &interp, llvm::StringRef kind,
                     TensorObj &input, double scalar, bool scalarFirst,
                     llvm::StringRef opType, llvm::SMLoc loc);
/// tf.nn.lrn; errors name `opName`.
Ref emitLrn(Interpreter &interp, TensorObj &input, int64_t depthRadius,
            double bias, double alpha, double beta, llvm::StringRef opName,
            llvm::SMLoc loc);
/// reduce_mean / reduce_sum / reduce_max (`kind` "mean", "sum", "max") over
/// `axes` (negative ones count from the end, repeats allowed as in TF);
/// errors name `opName`.
Ref emitReduce(Interpreter &interp, llvm::StringRef kind, TensorObj &input,
               llvm::ArrayRef<int64_t> axes, bool keepDims,
               llvm::StringRef opName, llvm::SMLoc loc);
/// tf.tile; errors name tf.tile.
Ref emitTile(Interpreter &interp, TensorObj &input,
             llvm::ArrayRef<int64_t> multiples, llvm::SMLoc loc);

} // namespace slim

#endif // SLIM_FRONTEND_ELEMENTWISEGRAPHOPS_H
