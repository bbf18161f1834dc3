//===- SlimTrainOps.cpp - Verifiers of SlimTrainOps.td --------------------===//

#include "dialects/Slim/IR/SlimTrainOps.h"

#include "mlir/IR/Builders.h"

using namespace mlir;
using namespace mlir::slim;

#define GET_OP_CLASSES
#include "dialects/Slim/IR/SlimTrainOps.cpp.inc"

LogicalResult SoftmaxCrossEntropyOp::verify() {
  auto logits = cast<RankedTensorType>(getLogits().getType());
  auto labels = cast<RankedTensorType>(getLabels().getType());
  if (logits.getRank() < 1 || logits.getShape().back() < 1)
    return emitOpError("logits need a non-empty last axis (the classes)");
  float smoothing = getLabelSmoothing().convertToFloat();
  if (!(smoothing >= 0.0f && smoothing <= 1.0f))
    return emitOpError("label_smoothing must be in [0, 1], got ") << smoothing;
  if (getSparse()) {
    Type e = labels.getElementType();
    if (!e.isInteger(32) && !e.isInteger(64))
      return emitOpError("sparse labels must be i32 or i64 class ids, got ")
             << labels;
    if (labels.getShape() != logits.getShape().drop_back())
      return emitOpError("sparse labels ")
             << labels << " must have the shape of logits " << logits
             << " without its last axis";
    return success();
  }
  if (!labels.getElementType().isF32() ||
      labels.getShape() != logits.getShape())
    return emitOpError("dense labels ")
           << labels << " must be f32 of the shape of logits " << logits;
  return success();
}

LogicalResult RegularizationLossOp::verify() {
  auto kind = getRegularizer().getAs<StringAttr>("kind");
  if (!kind || !llvm::is_contained({"l1", "l2", "l1_l2"}, kind.getValue()))
    return emitOpError("regularizer needs kind \"l1\", \"l2\" or \"l1_l2\"");
  return success();
}

LogicalResult TotalLossOp::verify() {
  if (getLosses().empty())
    return emitOpError("needs at least one loss");
  return success();
}
