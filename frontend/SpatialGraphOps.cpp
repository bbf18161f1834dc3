//===- SpatialGraphOps.cpp - Building the spatial slim ops ----------------===//

#include "frontend/SpatialGraphOps.h"

#include "dialects/Slim/IR/ShapeRules.h"

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
} // namespace

Ref slim::emitResize(Interpreter &interp, llvm::StringRef what,
                     TensorObj &input, int64_t height, int64_t width,
                     llvm::StringRef method, bool alignCorners,
                     bool halfPixelCenters, SMLoc loc) {
  Shape out;
  auto emitError = [&](const llvm::Twine &m) {
    interp.error(loc, what + ": " + m);
  };
  int64_t size[2] = {height, width};
  if (mlir::failed(inferResizeShape(input.shape, size, method, alignCorners,
                                    halfPixelCenters, out, emitError)))
    return nullptr;
  auto &b = interp.graph().getBuilder();
  auto op = b.create<ResizeOp>(
      interp.graph().getLoc(loc), tensorType(interp, out), input.value,
      b.getStringAttr(method), b.getBoolAttr(alignCorners),
      b.getBoolAttr(halfPixelCenters), scopeAttr(interp));
  return interp.graph().makeTensor(
      op, method == "nearest" ? "ResizeNearestNeighbor" : "ResizeBilinear");
}

Ref slim::emitStridedSlice(Interpreter &interp, llvm::StringRef what,
                           TensorObj &input, llvm::ArrayRef<int64_t> begin,
                           llvm::ArrayRef<int64_t> strides,
                           llvm::ArrayRef<int64_t> count,
                           llvm::StringRef opType, SMLoc loc) {
  Shape out;
  auto emitError = [&](const llvm::Twine &m) {
    interp.error(loc, what + ": " + m);
  };
  if (mlir::failed(inferStridedSliceShape(input.shape, begin, strides, count,
                                          out, emitError)))
    return nullptr;
  auto &b = interp.graph().getBuilder();
  auto op = b.create<StridedSliceOp>(
      interp.graph().getLoc(loc), tensorType(interp, out), input.value,
      b.getDenseI64ArrayAttr(begin), b.getDenseI64ArrayAttr(strides),
      scopeAttr(interp));
  return interp.graph().makeTensor(op, opType);
}

Ref slim::emitInstanceNorm(Interpreter &interp, llvm::StringRef what,
                           TensorObj &input, TensorObj *beta, TensorObj *gamma,
                           double epsilon, SMLoc loc) {
  llvm::SmallVector<Shape, 2> params;
  for (TensorObj *p : {beta, gamma})
    if (p)
      params.push_back(p->shape);
  Shape out;
  auto emitError = [&](const llvm::Twine &m) {
    interp.error(loc, what + ": " + m);
  };
  if (mlir::failed(
          inferInstanceNormShape(input.shape, params, epsilon, out, emitError)))
    return nullptr;
  auto &b = interp.graph().getBuilder();
  auto op = b.create<InstanceNormOp>(
      interp.graph().getLoc(loc), input.value.getType(), input.value,
      beta ? beta->value : mlir::Value(), gamma ? gamma->value : mlir::Value(),
      b.getF32FloatAttr(epsilon), scopeAttr(interp));
  return interp.graph().makeTensor(op, "instancenorm");
}

Ref slim::emitGroupNorm(Interpreter &interp, llvm::StringRef what,
                        TensorObj &input, TensorObj *beta, TensorObj *gamma,
                        int64_t groups, int64_t channelsAxis,
                        llvm::ArrayRef<int64_t> reductionAxes, double epsilon,
                        bool onePass, SMLoc loc) {
  llvm::SmallVector<Shape, 2> params;
  for (TensorObj *p : {beta, gamma})
    if (p)
      params.push_back(p->shape);
  Shape out;
  auto emitError = [&](const llvm::Twine &m) {
    interp.error(loc, what + ": " + m);
  };
  if (mlir::failed(inferGroupNormShape(input.shape, params, groups,
                                       channelsAxis, reductionAxes, epsilon,
                                       out, emitError)))
    return nullptr;
  auto &b = interp.graph().getBuilder();
  auto op = b.create<GroupNormOp>(
      interp.graph().getLoc(loc), input.value.getType(), input.value,
      beta ? beta->value : mlir::Value(), gamma ? gamma->value : mlir::Value(),
      b.getI64IntegerAttr(groups), b.getI64IntegerAttr(channelsAxis),
      b.getDenseI64ArrayAttr(reductionAxes), b.getF32FloatAttr(epsilon),
      b.getBoolAttr(onePass), scopeAttr(interp));
  return interp.graph().makeTensor(op, "Reshape_1");
}
