//===- SlimOps.cpp - Ops of the slim dialect ------------------------------===//

#include "dialects/Slim/IR/SlimOps.h"
#include "dialects/Slim/IR/CheckedInt.h"
#include "dialects/Slim/IR/ShapeRules.h"
#include "dialects/Slim/IR/VerifierSupport.h"

#include "mlir/IR/Builders.h"

using namespace mlir;
using namespace mlir::slim;

LogicalResult mlir::slim::checkInferred(Operation *op, LogicalResult inferred,
                                        const Shape &expected) {
  if (failed(inferred))
    return failure();
  auto actual = shapeOf(op->getResult(0));
  if (actual != llvm::ArrayRef<int64_t>(expected))
    return op->emitOpError("result shape [")
           << shapeToString(actual) << "] does not match the inferred shape ["
           << shapeToString(expected) << "]";
  return success();
}

namespace {
bool isKnownInitializer(llvm::StringRef kind) {
  return llvm::is_contained({"zeros", "ones", "constant", "truncated_normal",
                             "random_normal", "random_uniform",
                             "variance_scaling", "values"},
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
  if (getCollection() != "model" && getCollection() != "regular" &&
      getCollection() != "global")
    return emitOpError(
               "collection must be \"model\", \"regular\" or \"global\", "
               "got \"")
           << getCollection() << "\"";
  auto type = llvm::cast<RankedTensorType>(getType());
  if (!type.hasStaticShape())
    return emitOpError("variables need a fully defined shape");
  // Besides the f32 model state, only a training script's global step (a
  // scalar int64 counter, as in TensorFlow) is a variable.
  if (!type.getElementType().isF32() &&
      !(type.getElementType().isInteger(64) && type.getRank() == 0))
    return emitOpError("variables are f32 tensors or a rank-0 i64 (the global "
                       "step), got ")
           << type;
  if (kind.getValue() == "values") {
    // Explicit values: zero except at ascending row-major indices.
    auto indices = getInitializer().getAs<DenseI64ArrayAttr>("indices");
    auto values = getInitializer().getAs<DenseF32ArrayAttr>("values");
    if (!indices || !values || indices.size() != values.size())
      return emitOpError("a 'values' initializer needs 'indices' and "
                         "'values' arrays of the same size");
    int64_t previous = -1;
    for (int64_t i : indices.asArrayRef()) {
      if (i <= previous || i >= type.getNumElements())
        return emitOpError("'values' initializer index ")
               << i << " is out of order or outside the "
               << type.getNumElements() << " elements";
      previous = i;
    }
  }
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
  auto r =
      inferConv2DShape(shapeOf(getInput()), shapeOf(getFilter()), getStrides(),
                       getDilations(), getPads(), out, opError(*this));
  return checkInferred(*this, r, out);
}

LogicalResult DepthwiseConv2DOp::verify() {
  Shape out;
  auto r = inferDepthwiseConv2DShape(shapeOf(getInput()), shapeOf(getFilter()),
                                     getStrides(), getDilations(), getPads(),
                                     out, opError(*this));
  return checkInferred(*this, r, out);
}

LogicalResult Conv2DTransposeOp::verify() {
  Shape out;
  auto r = inferConv2DTransposeShape(shapeOf(getInput()), shapeOf(getFilter()),
                                     getStrides(), getDilations(), getPads(),
                                     out, opError(*this));
  return checkInferred(*this, r, out);
}

LogicalResult MaxPoolOp::verify() {
  Shape out;
  auto r = inferPoolShape(shapeOf(getInput()), getKernel(), getStrides(),
                          getPads(), out, opError(*this));
  return checkInferred(*this, r, out);
}

LogicalResult AvgPoolOp::verify() {
  Shape out;
  auto r = inferPoolShape(shapeOf(getInput()), getKernel(), getStrides(),
                          getPads(), out, opError(*this));
  return checkInferred(*this, r, out);
}

LogicalResult MatMulOp::verify() {
  Shape out;
  auto r = inferMatMulShape(shapeOf(getInput()), shapeOf(getWeights()), out,
                            opError(*this));
  return checkInferred(*this, r, out);
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
  if (std::optional<llvm::APFloat> decay = getDecay()) {
    if (!getIsTraining())
      return emitOpError("'decay' (the moving averages' update) is recorded "
                         "only with is_training");
    float d = decay->convertToFloat();
    if (!(d >= 0.0f && d <= 1.0f))
      return emitOpError("decay must be in [0, 1], got ") << d;
  }
  return success();
}

LogicalResult ActivationOp::verify() {
  if (!llvm::is_contained({"relu", "relu6", "sigmoid", "tanh", "elu",
                           "softplus", "selu", "leaky_relu"},
                          getKind()))
    return emitOpError("unknown activation '") << getKind() << "'";
  if (getAlpha().has_value() != (getKind() == "leaky_relu"))
    return emitOpError("'alpha' is leaky_relu's slope: present exactly for "
                       "leaky_relu");
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
  auto r = inferConcatShape(shapes, getAxis(), out, opError(*this));
  return checkInferred(*this, r, out);
}

LogicalResult PadOp::verify() {
  Shape out;
  auto r = inferPadShape(shapeOf(getInput()), getPadding(), getMode(), out,
                         opError(*this));
  return checkInferred(*this, r, out);
}

//===----------------------------------------------------------------------===//
// Layouts
//===----------------------------------------------------------------------===//

int64_t mlir::slim::getLayoutBlock(Type type) {
  auto tensor = llvm::dyn_cast<RankedTensorType>(type);
  if (!tensor || !tensor.getEncoding())
    return 0;
  auto name = llvm::dyn_cast<StringAttr>(tensor.getEncoding());
  if (!name)
    return -1;
  // A layout name is only valid on tensors of its rank.
  for (int64_t block : {8, 16})
    if (name.getValue() == getLayoutName(block, tensor.getRank()))
      return block;
  return -1;
}

std::string mlir::slim::getLayoutName(int64_t block, int64_t rank) {
  return (rank == 5 ? "ndChw" : "nChw") + std::to_string(block) + "c";
}

bool mlir::slim::hasBlockableRank(Type type) {
  auto tensor = llvm::dyn_cast<RankedTensorType>(type);
  return tensor && (tensor.getRank() == 4 || tensor.getRank() == 5);
}

RankedTensorType mlir::slim::withLayout(RankedTensorType type, int64_t block) {
  Attribute encoding;
  if (block > 0)
    encoding = StringAttr::get(type.getContext(),
                               getLayoutName(block, type.getRank()));
  return RankedTensorType::get(type.getShape(), type.getElementType(),
                               encoding);
}

int64_t mlir::slim::getStorageBytes(RankedTensorType type) {
  int64_t block = getLayoutBlock(type);
  Shape shape(type.getShape());
  if (block > 0 && !shape.empty()) {
    auto padded =
        ::slim::checked::mul(numChannelBlocks(shape.back(), block), block);
    if (!padded)
      return -1;
    shape.back() = *padded;
  }
  int64_t elements = numElements(shape);
  if (elements < 0)
    return -1;
  int64_t elementBytes = type.getElementTypeBitWidth() / 8;
  return ::slim::checked::mul(elements, elementBytes).value_or(-1);
}

bool mlir::slim::isFusableActivation(llvm::StringRef activation) {
  return llvm::is_contained({"none", "relu", "relu6", "sigmoid", "tanh", "elu"},
                            activation);
}

//===----------------------------------------------------------------------===//
// Ops introduced by the optimization passes
//===----------------------------------------------------------------------===//

namespace {
/// Checks that `v` is a vector of `channels` elements.
LogicalResult checkChannelVector(Operation *op, Value v, int64_t channels,
                                 llvm::StringRef what) {
  auto shape = shapeOf(v);
  if (shape.size() != 1 || shape[0] != channels)
    return op->emitOpError(what)
           << " of shape [" << shapeToString(shape) << "] does not match "
           << channels << " channels";
  return success();
}

} // namespace

LogicalResult mlir::slim::verifier::verifyFusedCommon(
    Operation *op, Value filter, Value bias, Value residual,
    llvm::StringRef activation, std::optional<llvm::StringRef> packing,
    std::optional<int64_t> vectorWidth, llvm::ArrayRef<int64_t> logicalFilter,
    llvm::ArrayRef<llvm::StringRef> packings,
    llvm::ArrayRef<int64_t> packedShape) {
  Value input = op->getOperand(0);
  Value output = op->getResult(0);
  auto filterShape = shapeOf(filter);
  if (filterShape.size() == 1) {
    if (!packing || !vectorWidth)
      return op->emitOpError(
          "a packed (1-D) filter needs 'packing' and 'vector_width'");
    if (!llvm::is_contained(packings, *packing))
      return op->emitOpError("unsupported packing '") << *packing << "'";
    int64_t expected = packedFilterSize(
        *packing, packedShape.empty() ? logicalFilter : packedShape,
        *vectorWidth);
    if (filterShape[0] != expected)
      return op->emitOpError("packed filter has ")
             << filterShape[0] << " elements, '" << *packing << "' packing of ["
             << shapeToString(logicalFilter) << "] needs " << expected;
  } else if (filterShape != logicalFilter) {
    return op->emitOpError("filter of shape [")
           << shapeToString(filterShape) << "] does not match ["
           << shapeToString(logicalFilter) << "]";
  } else if (packing) {
    return op->emitOpError("'packing' is only valid with a packed filter");
  }
  int64_t channels = shapeOf(output).back();
  if (bias && failed(checkChannelVector(op, bias, channels, "bias")))
    return failure();
  if (residual && residual.getType() != output.getType())
    return op->emitOpError("residual type ")
           << residual.getType() << " does not match the result type "
           << output.getType();
  if (!isFusableActivation(activation))
    return op->emitOpError("unsupported fused activation '")
           << activation << "'";
  if (getLayoutBlock(input.getType()) != getLayoutBlock(output.getType()))
    return op->emitOpError("input and result layouts differ");
  return success();
}

namespace {
using mlir::slim::verifier::verifyFusedCommon;

template <typename FusedOp>
LogicalResult verifyFusedWindowOp(FusedOp op, bool depthwise) {
  auto input = shapeOf(op.getInput());
  auto output = shapeOf(op.getOutput());
  auto kernel = op.getKernel();
  if (kernel.size() != 2)
    return op.emitOpError("kernel must be [kh, kw]");
  if (input.size() != 4 || output.size() != 4)
    return op.emitOpError("input and result must be 4-D (NHWC)");
  Shape logical = {kernel[0], kernel[1], input[3], output[3]};
  if (depthwise) {
    if (output[3] % input[3] != 0)
      return op.emitOpError("depthwise output channels ")
             << output[3] << " are not a multiple of the input channels "
             << input[3];
    logical[3] = output[3] / input[3];
  }
  Shape out;
  auto inferred =
      depthwise
          ? inferDepthwiseConv2DShape(input, logical, op.getStrides(),
                                      op.getDilations(), op.getPads(), out,
                                      opError(op))
          : inferConv2DShape(input, logical, op.getStrides(), op.getDilations(),
                             op.getPads(), out, opError(op));
  if (failed(checkInferred(op, inferred, out)))
    return failure();
  llvm::SmallVector<llvm::StringRef, 2> packings;
  if (depthwise)
    packings.push_back("depthwise");
  else
    packings.append({"conv2d", "fc_blocked"});
  return verifyFusedCommon(op, op.getFilter(), op.getBias(), op.getResidual(),
                           op.getActivation(), op.getPacking(),
                           op.getVectorWidth(), logical, packings);
}
} // namespace

LogicalResult ChannelAffineOp::verify() {
  auto input = shapeOf(getInput());
  if (input.empty())
    return emitOpError("input must have rank >= 1");
  return checkChannelVector(*this, getScale(), input.back(), "scale");
}

LogicalResult BnScaleShiftOp::verify() {
  auto mean = shapeOf(getMovingMean());
  if (mean.size() != 1)
    return emitOpError("moving statistics must be vectors");
  for (Value param : {getBeta(), getGamma()})
    if (param && failed(checkChannelVector(*this, param, mean[0], "parameter")))
      return failure();
  if (getEpsilon().convertToFloat() <= 0.0f)
    return emitOpError("epsilon must be positive");
  return success();
}

LogicalResult FoldScaleShiftOp::verify() {
  auto scale = shapeOf(getScale());
  if (scale.size() != 1)
    return emitOpError("scale must be a vector");
  if (getBias() &&
      failed(checkChannelVector(*this, getBias(), scale[0], "bias")))
    return failure();
  // The channel axes are the shortest suffix of the weights whose product is
  // the number of channels.
  auto weights = shapeOf(getWeights());
  int64_t product = 1;
  for (int64_t d : llvm::reverse(weights)) {
    product *= d;
    if (product >= scale[0])
      break;
  }
  if (product != scale[0])
    return emitOpError("no trailing axes of the weights [")
           << shapeToString(weights) << "] hold " << scale[0] << " channels";
  return success();
}

LogicalResult PackFilterOp::verify() {
  if (getVectorWidth() != 8 && getVectorWidth() != 16)
    return emitOpError("vector_width must be 8 or 16");
  int64_t expected =
      packedFilterSize(getKind(), shapeOf(getFilter()), getVectorWidth());
  if (expected < 0)
    return emitOpError("cannot pack a filter of shape [")
           << shapeToString(shapeOf(getFilter())) << "] as '" << getKind()
           << "'";
  auto packed = shapeOf(getPacked());
  if (packed.size() != 1 || packed[0] != expected)
    return emitOpError("packed result must be a vector of ")
           << expected << " elements";
  return success();
}

LogicalResult FusedConv2DOp::verify() {
  return verifyFusedWindowOp(*this, /*depthwise=*/false);
}

LogicalResult FusedDepthwiseConv2DOp::verify() {
  return verifyFusedWindowOp(*this, /*depthwise=*/true);
}

LogicalResult FusedMatMulOp::verify() {
  auto input = shapeOf(getInput());
  auto output = shapeOf(getOutput());
  if (input.size() < 2 || output.size() != input.size())
    return emitOpError("input and result must have the same rank >= 2");
  Shape logical = {input.back(), output.back()};
  Shape out;
  if (failed(checkInferred(
          *this, inferMatMulShape(input, logical, out, opError(*this)), out)))
    return failure();
  return verifyFusedCommon(*this, getFilter(), getBias(), getResidual(),
                           getActivation(), getPacking(), getVectorWidth(),
                           logical, {"fc"});
}

LogicalResult ToBlockedOp::verify() {
  int64_t block = getLayoutBlock(getOutput().getType());
  if (getLayoutBlock(getInput().getType()) != 0 || block <= 0)
    return emitOpError("converts a dense tensor into a blocked layout");
  if (!hasBlockableRank(getInput().getType()) ||
      shapeOf(getInput()) != shapeOf(getOutput()))
    return emitOpError("input and result must have the same 4-D or 5-D "
                       "shape");
  return success();
}

LogicalResult FromBlockedOp::verify() {
  if (getLayoutBlock(getInput().getType()) <= 0 ||
      getLayoutBlock(getOutput().getType()) != 0)
    return emitOpError("converts a blocked tensor into a dense one");
  if (!hasBlockableRank(getInput().getType()))
    return emitOpError("input must be 4-D or 5-D");
  if (numElements(shapeOf(getInput())) != numElements(shapeOf(getOutput())))
    return emitOpError("result must have as many elements as the input");
  return success();
}

namespace {
LogicalResult verifyParamUse(Operation *op, FlatSymbolRefAttr name, Type type,
                             SymbolTableCollection &symbolTable) {
  auto param = symbolTable.lookupNearestSymbolFrom<ParamOp>(op, name);
  if (!param)
    return op->emitOpError("uses unknown parameter ") << name;
  if (param.getType() != type)
    return op->emitOpError("type ")
           << type << " does not match parameter type " << param.getType();
  return success();
}
} // namespace

LogicalResult ReadParamOp::verifySymbolUses(SymbolTableCollection &table) {
  return verifyParamUse(*this, getNameAttr(), getResult().getType(), table);
}

LogicalResult WriteParamOp::verifySymbolUses(SymbolTableCollection &table) {
  return verifyParamUse(*this, getNameAttr(), getValue().getType(), table);
}

#define GET_OP_CLASSES
#include "dialects/Slim/IR/SlimOps.cpp.inc"
