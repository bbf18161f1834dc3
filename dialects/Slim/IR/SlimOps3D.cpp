//===- SlimOps3D.cpp - Verifiers of the 5-D slim ops ----------------------===//

#include "dialects/Slim/IR/ShapeRules3D.h"
#include "dialects/Slim/IR/SlimOps.h"
#include "dialects/Slim/IR/VerifierSupport.h"

using namespace mlir;
using namespace mlir::slim;

namespace {
template <typename PoolOp> LogicalResult verifyPool3D(PoolOp op) {
  Shape out;
  auto r = inferPool3DShape(shapeOf(op.getInput()), op.getKernel(),
                            op.getStrides(), op.getPads(), out, opError(op));
  if (failed(checkInferred(op, r, out)))
    return failure();
  if (getLayoutBlock(op.getInput().getType()) !=
      getLayoutBlock(op.getOutput().getType()))
    return op.emitOpError("input and result layouts differ");
  return success();
}
} // namespace

LogicalResult Conv3DOp::verify() {
  Shape out;
  auto r =
      inferConv3DShape(shapeOf(getInput()), shapeOf(getFilter()), getStrides(),
                       getDilations(), getPads(), out, opError(*this));
  return checkInferred(*this, r, out);
}

LogicalResult MaxPool3DOp::verify() { return verifyPool3D(*this); }

LogicalResult AvgPool3DOp::verify() { return verifyPool3D(*this); }

LogicalResult FusedConv3DOp::verify() {
  auto input = shapeOf(getInput());
  auto output = shapeOf(getOutput());
  auto kernel = getKernel();
  if (kernel.size() != 3)
    return emitOpError("kernel must be [kd, kh, kw]");
  if (input.size() != 5 || output.size() != 5)
    return emitOpError("input and result must be 5-D (NDHWC)");
  Shape logical = {kernel[0], kernel[1], kernel[2], input[4], output[4]};
  Shape out;
  if (failed(checkInferred(*this,
                           inferConv3DShape(input, logical, getStrides(),
                                            getDilations(), getPads(), out,
                                            opError(*this)),
                           out)))
    return failure();
  // fc_blocked: a one-frame window over a whole one-frame map is the 2-D
  // fully-connected case on the frames' blocked [h, w, c] (packed as the
  // [kh, kw, Cin, Cout] filter of that layer).
  Shape packedAs;
  if (getPacking() && *getPacking() == "fc_blocked") {
    if (kernel[0] != 1 || input[1] != 1 || kernel[1] != input[2] ||
        kernel[2] != input[3] ||
        llvm::any_of(getPads(), [](int64_t p) { return p != 0; }))
      return emitOpError("'fc_blocked' packing needs a 1-frame window over "
                         "a whole unpadded 1-frame input");
    packedAs = {kernel[1], kernel[2], input[4], output[4]};
  }
  return verifier::verifyFusedCommon(*this, getFilter(), getBias(),
                                     getResidual(), getActivation(),
                                     getPacking(), getVectorWidth(), logical,
                                     {"conv3d", "fc_blocked"}, packedAs);
}
