//===- SlimElementwiseOps.cpp - Verifiers of SlimElementwiseOps.td --------===//

#include "dialects/Slim/IR/ElementwiseShapeRules.h"
#include "dialects/Slim/IR/SlimOps.h"
#include "dialects/Slim/IR/VerifierSupport.h"

using namespace mlir;
using namespace mlir::slim;

namespace {
template <typename ReduceOp> LogicalResult verifyReduce(ReduceOp op) {
  Shape out;
  auto r = inferReduceShape(shapeOf(op.getInput()), op.getAxes(),
                            op.getKeepDims(), out, opError(op));
  return checkInferred(op, r, out);
}
} // namespace

LogicalResult ReduceMeanOp::verify() { return verifyReduce(*this); }
LogicalResult ReduceSumOp::verify() { return verifyReduce(*this); }
LogicalResult ReduceMaxOp::verify() { return verifyReduce(*this); }

LogicalResult BinaryOp::verify() {
  if (!isBinaryKind(getKind()))
    return emitOpError("unknown kind '") << getKind() << "'";
  Shape out;
  auto r = inferBroadcastShape(shapeOf(getLhs()), shapeOf(getRhs()), out,
                               opError(*this));
  if (failed(checkInferred(*this, r, out)))
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
  return checkLrn(shapeOf(getInput()), getDepthRadius(), opError(*this));
}

LogicalResult TileOp::verify() {
  Shape out;
  auto r =
      inferTileShape(shapeOf(getInput()), getMultiples(), out, opError(*this));
  return checkInferred(*this, r, out);
}
