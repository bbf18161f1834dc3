//===- TrainStepLayers.h - Train-step code of the further layer ops -*- C++
//-*-//
//
// The training forward and the gradient rules of the layer ops beyond the
// train step's first set (TrainStepEmitter.cpp): broadcasting arithmetic
// (slim.binary, slim.binary_scalar), softmax, reduce_max, batch norm with
// is_training=false, lrn, tile, strided slice, resize, conv2d_transpose,
// instance and group norm, conv3d and the 3-D pools. They write code through
// the emitter's own allocation and gradient bookkeeping, which
// TrainLayerContext hands them, so the emitter's memory plan stays its own.
//
// What a memory plan must keep alive until an op's backward has run (besides
// the result's gradient): binary both operands, binary_scalar / lrn /
// max_pool3d the input, softmax the output, reduce_max input and output,
// frozen batch norm x, gamma and the moving statistics, conv2d_transpose and
// conv3d input and filter, instance / group norm x and gamma; tile, strided
// slice, resize and avg_pool3d read the gradient only.
//
//===----------------------------------------------------------------------===//

#ifndef SLIM_CODEGEN_TRAINSTEPLAYERS_H
#define SLIM_CODEGEN_TRAINSTEPLAYERS_H

#include "compiler/CodeGen/EmitUtil.h"

#include "mlir/IR/Operation.h"
#include "mlir/Support/LogicalResult.h"

#include <functional>
#include <optional>
#include <string>

namespace mlir::slim::codegen {

/// What the layer rules use of the train-step emitter.
struct TrainLayerContext {
  Writer &w;
  /// The forward buffer of a value (a `float *` local).
  std::function<std::string(Value)> value;
  /// Allocates and records the forward buffer of an op's result.
  std::function<std::string(Value)> result;
  /// The gradient buffer of a value that needs one.
  std::function<std::string(Value)> grad;
  /// Whether a value depends on a trained variable.
  std::function<bool(Value)> needs;
  /// A fresh arena slice of n floats (a `float *` local).
  std::function<std::string(int64_t)> allocFloats;
  /// grad(v) += tmp over v's elements, when v needs a gradient.
  std::function<void(Value, StringRef)> accumulate;
};

/// Whether `op` is one of this file's op kinds with a gradient rule (batch
/// norm: with is_training=false).
bool hasTrainLayerRule(Operation *op);

/// The training forward of one of this file's ops; std::nullopt (nothing
/// written) if `op` is not one of them.
std::optional<LogicalResult> emitTrainLayerForward(Operation *op,
                                                   TrainLayerContext &cx);

/// The gradient rule of one of this file's ops, batch norm with
/// is_training=false included (its result's gradient complete, at least
/// one operand needing one): accumulates into the operands' gradients.
/// std::nullopt if `op` is not one of them.
std::optional<LogicalResult> emitTrainLayerBackward(Operation *op,
                                                    TrainLayerContext &cx);

/// Writes the `shape` and `reduced` arrays of a reduce op (reduce_mean,
/// reduce_sum, reduce_max) as ref::reduce and its gradients take them, each
/// line prefixed by `indent`; a scalar input counts as one element of rank
/// 1. Returns their length.
int64_t writeReduceTables(Writer &w, Operation *op,
                          llvm::StringRef indent = "");

} // namespace mlir::slim::codegen

#endif // SLIM_CODEGEN_TRAINSTEPLAYERS_H
