//===- GraphOps3D.cpp - Building the 5-D slim ops -------------------------===//

#include "frontend/GraphOps3D.h"

#include "dialects/Slim/IR/ShapeRules3D.h"
#include "dialects/Slim/IR/SlimOps.h"

using namespace slim;
using namespace mlir::slim;
using llvm::SMLoc;

namespace {
mlir::RankedTensorType tensorType(Interpreter &interp,
                                  llvm::ArrayRef<int64_t> shape) {
  return mlir::RankedTensorType::get(shape,
                                     interp.graph().getBuilder().getF32Type());
}

mlir::StringAttr scopeAttr(Interpreter &interp) {
  llvm::StringRef scope = interp.graph().nameScope();
  scope.consume_back("/");
  return interp.graph().getBuilder().getStringAttr(scope);
}

mlir::DenseI64ArrayAttr i64s(Interpreter &interp, llvm::ArrayRef<int64_t> v) {
  return interp.graph().getBuilder().getDenseI64ArrayAttr(v);
}
} // namespace

bool slim::resolvePadding3D(Interpreter &interp, llvm::StringRef what,
                            llvm::StringRef padding, SMLoc loc,
                            llvm::ArrayRef<int64_t> inputShape,
                            const int64_t kernel[3], const int64_t stride[3],
                            const int64_t dilation[3],
                            llvm::SmallVectorImpl<int64_t> &pads) {
  pads.assign(6, 0);
  std::string upper = padding.upper();
  if (upper == "VALID")
    return true;
  if (upper != "SAME") {
    interp.error(loc, what + ": padding must be 'SAME' or 'VALID', got '" +
                          padding + "'");
    return false;
  }
  if (inputShape.size() != 5) {
    interp.error(loc, what + ": input must be 5-D (NDHWC), got shape [" +
                          shapeToString(inputShape) + "]");
    return false;
  }
  for (int d = 0; d < 3; ++d) {
    if (kernel[d] < 1 || stride[d] < 1 || dilation[d] < 1) {
      interp.error(loc,
                   what + ": kernel sizes, strides and rates must be positive");
      return false;
    }
    computeSamePadding(inputShape[1 + d], kernel[d], stride[d], dilation[d],
                       pads[2 * d], pads[2 * d + 1]);
  }
  return true;
}

Ref slim::emitConv3D(Interpreter &interp, llvm::StringRef what,
                     TensorObj &input, TensorObj &filter,
                     const int64_t stride[3], const int64_t dilation[3],
                     llvm::ArrayRef<int64_t> pads, SMLoc loc) {
  llvm::ArrayRef<int64_t> s(stride, 3), d(dilation, 3);
  Shape out;
  auto emitError = [&](const llvm::Twine &m) {
    interp.error(loc, what + ": " + m);
  };
  if (mlir::failed(inferConv3DShape(input.shape, filter.shape, s, d, pads, out,
                                    emitError)))
    return nullptr;
  auto op = interp.graph().getBuilder().create<Conv3DOp>(
      interp.graph().getLoc(loc), tensorType(interp, out), input.value,
      filter.value, i64s(interp, s), i64s(interp, d), i64s(interp, pads),
      scopeAttr(interp));
  return interp.graph().makeTensor(op, "Conv3D");
}

Ref slim::emitPool3D(Interpreter &interp, llvm::StringRef what, bool isMax,
                     TensorObj &input, const int64_t kernel[3],
                     const int64_t stride[3], llvm::ArrayRef<int64_t> pads,
                     SMLoc loc) {
  llvm::ArrayRef<int64_t> k(kernel, 3), s(stride, 3);
  Shape out;
  auto emitError = [&](const llvm::Twine &m) {
    interp.error(loc, what + ": " + m);
  };
  if (mlir::failed(inferPool3DShape(input.shape, k, s, pads, out, emitError)))
    return nullptr;
  auto type = tensorType(interp, out);
  auto &b = interp.graph().getBuilder();
  mlir::Operation *op;
  if (isMax)
    op = b.create<MaxPool3DOp>(interp.graph().getLoc(loc), type, input.value,
                               i64s(interp, k), i64s(interp, s),
                               i64s(interp, pads), scopeAttr(interp));
  else
    op = b.create<AvgPool3DOp>(interp.graph().getLoc(loc), type, input.value,
                               i64s(interp, k), i64s(interp, s),
                               i64s(interp, pads), scopeAttr(interp));
  return interp.graph().makeTensor(op->getResult(0),
                                   isMax ? "MaxPool3D" : "AvgPool3D");
}
