//===- ElementwiseGraphOps.cpp - Arithmetic, lrn, reductions, tile --------===//

#include "frontend/ElementwiseGraphOps.h"

#include "dialects/Slim/IR/ElementwiseShapeRules.h"

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

Ref slim::emitBinary(Interpreter &interp, llvm::StringRef kind, TensorObj &lhs,
                     TensorObj &rhs, llvm::StringRef opName,
                     llvm::StringRef opType, SMLoc loc) {
  Shape out;
  auto emitError = [&](const llvm::Twine &m) {
    interp.error(loc, opName + ": " + m);
  };
  if (mlir::failed(inferBroadcastShape(lhs.shape, rhs.shape, out, emitError)))
    return nullptr;
  auto &b = interp.graph().getBuilder();
  mlir::Value result;
  // The residual add the fusion knows; anything that broadcasts is general.
  if (kind == "add" && lhs.shape == rhs.shape)
    result = b.create<AddOp>(interp.graph().getLoc(loc), lhs.value.getType(),
                             lhs.value, rhs.value, scopeAttr(interp));
  else
    result = b.create<mlir::slim::BinaryOp>(
        interp.graph().getLoc(loc), tensorType(interp, out), lhs.value,
        rhs.value, b.getStringAttr(kind), scopeAttr(interp));
  return interp.graph().makeTensor(result, opType);
}

Ref slim::emitBinaryScalar(Interpreter &interp, llvm::StringRef kind,
                           TensorObj &input, double scalar, bool scalarFirst,
                           llvm::StringRef opType, SMLoc loc) {
  auto &b = interp.graph().getBuilder();
  // TensorFlow converts the Python number to the tensor's float32.
  auto op = b.create<BinaryScalarOp>(
      interp.graph().getLoc(loc), input.value.getType(), input.value,
      b.getStringAttr(kind), b.getF32FloatAttr(scalar),
      b.getBoolAttr(scalarFirst), scopeAttr(interp));
  return interp.graph().makeTensor(op, opType);
}

Ref slim::emitLrn(Interpreter &interp, TensorObj &input, int64_t depthRadius,
                  double bias, double alpha, double beta,
                  llvm::StringRef opName, SMLoc loc) {
  auto emitError = [&](const llvm::Twine &m) {
    interp.error(loc, opName + ": " + m);
  };
  if (mlir::failed(checkLrn(input.shape, depthRadius, emitError)))
    return nullptr;
  auto &b = interp.graph().getBuilder();
  auto op = b.create<LrnOp>(interp.graph().getLoc(loc), input.value.getType(),
                            input.value, b.getI64IntegerAttr(depthRadius),
                            b.getF32FloatAttr(bias), b.getF32FloatAttr(alpha),
                            b.getF32FloatAttr(beta), scopeAttr(interp));
  return interp.graph().makeTensor(op, "LRN");
}

Ref slim::emitReduce(Interpreter &interp, llvm::StringRef kind,
                     TensorObj &input, llvm::ArrayRef<int64_t> axesIn,
                     bool keepDims, llvm::StringRef opName, SMLoc loc) {
  llvm::SmallVector<int64_t, 4> axes;
  int64_t rank = input.shape.size();
  for (int64_t a : axesIn) {
    if (a < -rank || a >= rank)
      return interp.error(loc, opName + ": reduction axis " + llvm::Twine(a) +
                                   " is out of range for rank " +
                                   llvm::Twine(rank));
    int64_t norm = a < 0 ? a + rank : a;
    if (!llvm::is_contained(axes, norm))
      axes.push_back(norm);
  }
  llvm::sort(axes);
  Shape out;
  auto emitError = [&](const llvm::Twine &m) {
    interp.error(loc, opName + ": " + m);
  };
  if (mlir::failed(
          inferReduceShape(input.shape, axes, keepDims, out, emitError)))
    return nullptr;
  auto &b = interp.graph().getBuilder();
  auto location = interp.graph().getLoc(loc);
  auto type = tensorType(interp, out);
  mlir::Value result;
  if (kind == "sum")
    result =
        b.create<ReduceSumOp>(location, type, input.value, i64s(interp, axes),
                              b.getBoolAttr(keepDims), scopeAttr(interp));
  else if (kind == "max")
    result =
        b.create<ReduceMaxOp>(location, type, input.value, i64s(interp, axes),
                              b.getBoolAttr(keepDims), scopeAttr(interp));
  else
    result =
        b.create<ReduceMeanOp>(location, type, input.value, i64s(interp, axes),
                               b.getBoolAttr(keepDims), scopeAttr(interp));
  return interp.graph().makeTensor(result, kind == "sum"   ? "Sum"
                                           : kind == "max" ? "Max"
                                                           : "Mean");
}

Ref slim::emitTile(Interpreter &interp, TensorObj &input,
                   llvm::ArrayRef<int64_t> multiples, SMLoc loc) {
  Shape out;
  auto emitError = [&](const llvm::Twine &m) {
    interp.error(loc, "tf.tile: " + m);
  };
  if (mlir::failed(inferTileShape(input.shape, multiples, out, emitError)))
    return nullptr;
  auto op = interp.graph().getBuilder().create<TileOp>(
      interp.graph().getLoc(loc), tensorType(interp, out), input.value,
      i64s(interp, multiples), scopeAttr(interp));
  return interp.graph().makeTensor(op, "Tile");
}
