//===- SlimOps.cpp - Ops of the slim dialect ------------------------------===//

#include "dialects/Slim/IR/SlimOps.h"
#include "dialects/Slim/IR/ShapeRules.h"

#include "mlir/IR/Builders.h"

using namespace mlir;
using namespace mlir::slim;

namespace {
llvm::ArrayRef<int64_t> shapeOf(Value v) {
  return llvm::cast<RankedTensorType>(v.getType()).getShape();
}

/// Compares an op's declared result shape with the one its shape rule gives.
LogicalResult checkInferred(Operation *op, LogicalResult inferred,
                            const Shape &expected, const std::string &error) {
  if (failed(inferred))
    return op->emitOpError(error);
  auto actual = shapeOf(op->getResult(0));
  if (actual != llvm::ArrayRef<int64_t>(expected))
    return op->emitOpError("result shape [")
           << shapeToString(actual) << "] does not match the inferred shape ["
           << shapeToString(expected) << "]";
  return success();
}

bool isKnownInitializer(llvm::StringRef kind) {
  return llvm::is_contained({"zeros", "ones", "constant", "truncated_normal",
                             "random_normal", "random_uniform",
                             "variance_scaling"},
                            kind);
}

bool isKnownRegularizer(llvm::StringRef kind) {
  return llvm::is_contained({"l1", "l2", "l1_l2", "sum"}, kind);
}
} // namespace

//===----------------------------------------------------------------------===//
// Variables
//===----------------------------------------------------------------------===//

LogicalResult VariableOp::verify() {
  auto kind = getInitializer().getAs<StringAttr>("kind");
  if (!kind || !isKnownInitializer(kind.getValue()))
    return emitOpError("initializer needs a known 'kind' entry");
  if (auto reg = getRegularizerAttr()) {
    auto regKind = reg.getAs<StringAttr>("kind");
    if (!regKind || !isKnownRegularizer(regKind.getValue()))
      return emitOpError("regularizer needs a known 'kind' entry");
  }
  if (getCollection() != "model" && getCollection() != "regular")
    return emitOpError("collection must be \"model\" or \"regular\", got \"")
           << getCollection() << "\"";
  auto type = llvm::cast<RankedTensorType>(getType());
  if (!type.hasStaticShape())
    return emitOpError("variables need a fully defined shape");
  return success();
}

LogicalResult
ReadVariableOp::verifySymbolUses(SymbolTableCollection &symbolTable) {
  auto var =
      symbolTable.lookupNearestSymbolFrom<VariableOp>(*this, getNameAttr());
  if (!var)
    return emitOpError("reads unknown variable ") << getNameAttr();
  if (var.getType() != getResult().getType())
    return emitOpError("result type ")
           << getResult().getType() << " does not match variable type "
           << var.getType();
  return success();
}

//===----------------------------------------------------------------------===//
// Layer ops
//===----------------------------------------------------------------------===//

LogicalResult Conv2DOp::verify() {
  Shape out;
  std::string error;
  auto r =
      inferConv2DShape(shapeOf(getInput()), shapeOf(getFilter()), getStrides(),
                       getDilations(), getPads(), out, error);
  return checkInferred(*this, r, out, error);
}

LogicalResult DepthwiseConv2DOp::verify() {
  Shape out;
  std::string error;
  auto r = inferDepthwiseConv2DShape(shapeOf(getInput()), shapeOf(getFilter()),
                                     getStrides(), getDilations(), getPads(),
                                     out, error);
  return checkInferred(*this, r, out, error);
}

LogicalResult Conv2DTransposeOp::verify() {
  Shape out;
  std::string error;
  auto r = inferConv2DTransposeShape(shapeOf(getInput()), shapeOf(getFilter()),
                                     getStrides(), getDilations(), getPads(),
                                     out, error);
  return checkInferred(*this, r, out, error);
}

LogicalResult MaxPoolOp::verify() {
  Shape out;
  std::string error;
  auto r = inferPoolShape(shapeOf(getInput()), getKernel(), getStrides(),
                          getPads(), out, error);
  return checkInferred(*this, r, out, error);
}

LogicalResult AvgPoolOp::verify() {
  Shape out;
  std::string error;
  auto r = inferPoolShape(shapeOf(getInput()), getKernel(), getStrides(),
                          getPads(), out, error);
  return checkInferred(*this, r, out, error);
}

LogicalResult MatMulOp::verify() {
  Shape out;
  std::string error;
  auto r =
      inferMatMulShape(shapeOf(getInput()), shapeOf(getWeights()), out, error);
  return checkInferred(*this, r, out, error);
}

LogicalResult BiasAddOp::verify() {
  auto bias = shapeOf(getBias());
  auto input = shapeOf(getInput());
  if (bias.size() != 1 || input.empty() || bias[0] != input.back())
    return emitOpError("bias of shape [")
           << shapeToString(bias) << "] does not match the last axis of ["
           << shapeToString(input) << "]";
  return success();
}

LogicalResult BatchNormOp::verify() {
  auto input = shapeOf(getInput());
  if (input.empty())
    return emitOpError("input must have rank >= 1");
  int64_t channels = input.back();
  for (Value param :
       {getMovingMean(), getMovingVariance(), getBeta(), getGamma()}) {
    if (!param)
      continue;
    auto shape = shapeOf(param);
    if (shape.size() != 1 || shape[0] != channels)
      return emitOpError("parameter of shape [")
             << shapeToString(shape) << "] does not match " << channels
             << " channels";
  }
  if (getEpsilon().convertToFloat() <= 0.0f)
    return emitOpError("epsilon must be positive");
  return success();
}

LogicalResult ActivationOp::verify() {
  if (!llvm::is_contained(
          {"relu", "relu6", "sigmoid", "tanh", "elu", "softplus"}, getKind()))
    return emitOpError("unknown activation '") << getKind() << "'";
  return success();
}

LogicalResult ReshapeOp::verify() {
  int64_t in = numElements(shapeOf(getInput()));
  int64_t out = numElements(shapeOf(getOutput()));
  if (in != out)
    return emitOpError("cannot reshape ")
           << in << " elements into " << out << " elements";
  return success();
}

LogicalResult ConcatOp::verify() {
  llvm::SmallVector<Shape> shapes;
  for (Value v : getInputs())
    shapes.push_back(Shape(shapeOf(v)));
  Shape out;
  std::string error;
  auto r = inferConcatShape(shapes, getAxis(), out, error);
  return checkInferred(*this, r, out, error);
}

LogicalResult ReduceMeanOp::verify() {
  Shape out;
  std::string error;
  auto r = inferReduceMeanShape(shapeOf(getInput()), getAxes(), getKeepDims(),
                                out, error);
  return checkInferred(*this, r, out, error);
}

LogicalResult PadOp::verify() {
  Shape out;
  std::string error;
  auto r = inferPadShape(shapeOf(getInput()), getPadding(), out, error);
  return checkInferred(*this, r, out, error);
}

#define GET_OP_CLASSES
#include "dialects/Slim/IR/SlimOps.cpp.inc"
