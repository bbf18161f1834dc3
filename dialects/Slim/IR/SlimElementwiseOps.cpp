//===- SlimElementwiseOps.cpp - Verifiers of SlimElementwiseOps.td --------===//

#include "dialects/Slim/IR/ElementwiseShapeRules.h"
#include "dialects/Slim/IR/SlimOps.h"

using namespace mlir;
using namespace mlir::slim;

namespace {
llvm::ArrayRef<int64_t> shapeOf(Value v) {
  return llvm::cast<RankedTensorType>(v.getType()).getShape();
}

/// The shape rule's error, or the declared result shape against its answer.
LogicalResult checkResultShape(Operation *op, LogicalResult inferred,
                               const Shape &expected,
                               const std::string &error) {
  if (failed(inferred))
    return op->emitOpError(error);
  auto actual = shapeOf(op->getResult(0));
  if (actual != llvm::ArrayRef<int64_t>(expected))
    return op->emitOpError("result shape [")
           << shapeToString(actual) << "] does not match the inferred shape ["
           << shapeToString(expected) << "]";
  return success();
}

template <typename ReduceOp> LogicalResult verifyReduce(ReduceOp op) {
  Shape out;
  std::string error;
  auto r = inferReduceShape(shapeOf(op.getInput()), op.getAxes(),
                            op.getKeepDims(), out, error);
  return checkResultShape(op, r, out, error);
}
} // namespace

LogicalResult ReduceMeanOp::verify() { return verifyReduce(*this); }
LogicalResult ReduceSumOp::verify() { return verifyReduce(*this); }
LogicalResult ReduceMaxOp::verify() { return verifyReduce(*this); }

LogicalResult BinaryOp::verify() {
  if (!isBinaryKind(getKind()))
    return emitOpError("unknown kind '") << getKind() << "'";
  Shape out;
  std::string error;
  auto r =
      inferBroadcastShape(shapeOf(getLhs()), shapeOf(getRhs()), out, error);
  if (failed(checkResultShape(*this, r, out, error)))
    return failure();
  // A blocked result needs blocked operands of its channel count (slim-layout
  // blocks only broadcasts along N, H and W).
  int64_t block = getLayoutBlock(getOutput().getType());
  for (Value v : {getLhs(), getRhs()})
    if (getLayoutBlock(v.getType()) != block ||
        (block > 0 && (shapeOf(v).size() != 4 ||
                       shapeOf(v).back() != shapeOf(getOutput()).back())))
      return emitOpError("operands and result must share a layout; a blocked "
                         "operand has the result's channels");
  return success();
}

LogicalResult BinaryScalarOp::verify() {
  if (!isBinaryKind(getKind()))
    return emitOpError("unknown kind '") << getKind() << "'";
  return success();
}

LogicalResult LrnOp::verify() {
  std::string error;
  if (failed(checkLrn(shapeOf(getInput()), getDepthRadius(), error)))
    return emitOpError(error);
  return success();
}

LogicalResult TileOp::verify() {
  Shape out;
  std::string error;
  auto r = inferTileShape(shapeOf(getInput()), getMultiples(), out, error);
  return checkResultShape(*this, r, out, error);
}
