//===- GraphOps.h - Building slim ops with checked shapes -------*- C++ -*-===//
//
// Each function checks its operands' shapes with the dialect's shape rules,
// reports a violation at the user's source location, and otherwise appends
// the op to the graph and returns the result tensor (null after an error).
// Ops take the current name scope as their `scope`.
//
//===----------------------------------------------------------------------===//

#ifndef SLIM_FRONTEND_GRAPHOPS_H
#define SLIM_FRONTEND_GRAPHOPS_H

#include "frontend/Interpreter.h"

#include <optional>

namespace slim {

/// How TF's `padding` string resolves into explicit pads for one window op.
bool resolvePadding(Interpreter &interp, llvm::StringRef padding,
                    llvm::SMLoc loc, llvm::ArrayRef<int64_t> inputShape,
                    const int64_t kernel[2], const int64_t stride[2],
                    const int64_t dilation[2],
                    llvm::SmallVectorImpl<int64_t> &pads);

Ref emitConv2D(Interpreter &interp, TensorObj &input, TensorObj &filter,
               const int64_t stride[2], const int64_t dilation[2],
               llvm::ArrayRef<int64_t> pads, llvm::SMLoc loc);
Ref emitDepthwiseConv2D(Interpreter &interp, TensorObj &input,
                        TensorObj &filter, const int64_t stride[2],
                        const int64_t dilation[2], llvm::ArrayRef<int64_t> pads,
                        llvm::SMLoc loc);
Ref emitConv2DTranspose(Interpreter &interp, TensorObj &input,
                        TensorObj &filter, const int64_t stride[2],
                        llvm::ArrayRef<int64_t> pads, llvm::SMLoc loc);
Ref emitMatMul(Interpreter &interp, TensorObj &input, TensorObj &weights,
               llvm::SMLoc loc);
Ref emitBiasAdd(Interpreter &interp, TensorObj &input, TensorObj &bias,
                llvm::SMLoc loc);
Ref emitBatchNorm(Interpreter &interp, TensorObj &input, TensorObj &mean,
                  TensorObj &variance, TensorObj *beta, TensorObj *gamma,
                  double epsilon, bool isTraining, llvm::SMLoc loc);
/// A `slim.activation`; `alpha` is leaky_relu's slope (and only its).
Ref emitActivation(Interpreter &interp, TensorObj &input, llvm::StringRef kind,
                   llvm::SMLoc loc, std::optional<double> alpha = {});
Ref emitPool(Interpreter &interp, bool isMax, TensorObj &input,
             const int64_t kernel[2], const int64_t stride[2],
             llvm::ArrayRef<int64_t> pads, llvm::SMLoc loc);
Ref emitDropout(Interpreter &interp, TensorObj &input, double keepProb,
                bool isTraining, llvm::SMLoc loc);
Ref emitReshape(Interpreter &interp, TensorObj &input,
                llvm::ArrayRef<int64_t> shape, llvm::StringRef opType,
                llvm::SMLoc loc);
Ref emitSoftmax(Interpreter &interp, TensorObj &input, llvm::SMLoc loc);
Ref emitConcat(Interpreter &interp, llvm::ArrayRef<TensorObj *> inputs,
               int64_t axis, llvm::SMLoc loc);
/// tf.pad: `mode` is "constant" (with `constantValue`), "reflect" or
/// "symmetric".
Ref emitPad(Interpreter &interp, TensorObj &input,
            llvm::ArrayRef<int64_t> padding, llvm::StringRef mode,
            double constantValue, llvm::SMLoc loc);
Ref emitIdentity(Interpreter &interp, TensorObj &input, llvm::SMLoc loc);

} // namespace slim

#endif // SLIM_FRONTEND_GRAPHOPS_H
