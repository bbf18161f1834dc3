//===- GraphOps.cpp - Building slim ops with checked shapes ---------------===//

#include "frontend/GraphOps.h"

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

mlir::DenseI64ArrayAttr i64s(Interpreter &interp, llvm::ArrayRef<int64_t> v) {
  return interp.graph().getBuilder().getDenseI64ArrayAttr(v);
}
} // namespace

bool slim::resolvePadding(Interpreter &interp, llvm::StringRef padding,
                          SMLoc loc, llvm::ArrayRef<int64_t> inputShape,
                          const int64_t kernel[2], const int64_t stride[2],
                          const int64_t dilation[2],
                          llvm::SmallVectorImpl<int64_t> &pads) {
  pads.assign(4, 0);
  std::string upper = padding.upper();
  if (upper == "VALID")
    return true;
  if (upper != "SAME") {
    interp.error(loc,
                 "padding must be 'SAME' or 'VALID', got '" + padding + "'");
    return false;
  }
  if (inputShape.size() != 4) {
    interp.error(loc, "input must be 4-D (NHWC), got shape [" +
                          shapeToString(inputShape) + "]");
    return false;
  }
  for (int d = 0; d < 2; ++d) {
    if (kernel[d] < 1 || stride[d] < 1 || dilation[d] < 1) {
      interp.error(loc, "kernel sizes, strides and rates must be positive");
      return false;
    }
    if (!computeSamePadding(inputShape[1 + d], kernel[d], stride[d],
                            dilation[d], pads[2 * d], pads[2 * d + 1])) {
      interp.error(loc, "integer overflow: SAME padding of a " +
                            llvm::Twine(kernel[d]) + "-wide window at stride " +
                            llvm::Twine(stride[d]) + " and rate " +
                            llvm::Twine(dilation[d]) +
                            " does not fit in int64");
      return false;
    }
  }
  return true;
}

Ref slim::emitConv2D(Interpreter &interp, TensorObj &input, TensorObj &filter,
                     const int64_t stride[2], const int64_t dilation[2],
                     llvm::ArrayRef<int64_t> pads, SMLoc loc) {
  int64_t s[2] = {stride[0], stride[1]}, d[2] = {dilation[0], dilation[1]};
  Shape out;
  auto emitError = [&](const llvm::Twine &m) { interp.error(loc, m); };
  if (mlir::failed(inferConv2DShape(input.shape, filter.shape, s, d, pads, out,
                                    emitError)))
    return nullptr;
  auto op = interp.graph().getBuilder().create<Conv2DOp>(
      interp.graph().getLoc(loc), tensorType(interp, out), input.value,
      filter.value, i64s(interp, s), i64s(interp, d), i64s(interp, pads),
      scopeAttr(interp));
  return interp.graph().makeTensor(op, "Conv2D");
}

Ref slim::emitDepthwiseConv2D(Interpreter &interp, TensorObj &input,
                              TensorObj &filter, const int64_t stride[2],
                              const int64_t dilation[2],
                              llvm::ArrayRef<int64_t> pads, SMLoc loc) {
  int64_t s[2] = {stride[0], stride[1]}, d[2] = {dilation[0], dilation[1]};
  Shape out;
  auto emitError = [&](const llvm::Twine &m) { interp.error(loc, m); };
  if (mlir::failed(inferDepthwiseConv2DShape(input.shape, filter.shape, s, d,
                                             pads, out, emitError)))
    return nullptr;
  auto op = interp.graph().getBuilder().create<DepthwiseConv2DOp>(
      interp.graph().getLoc(loc), tensorType(interp, out), input.value,
      filter.value, i64s(interp, s), i64s(interp, d), i64s(interp, pads),
      scopeAttr(interp));
  return interp.graph().makeTensor(op, "depthwise");
}

Ref slim::emitConv2DTranspose(Interpreter &interp, TensorObj &input,
                              TensorObj &filter, const int64_t stride[2],
                              llvm::ArrayRef<int64_t> pads, SMLoc loc) {
  int64_t s[2] = {stride[0], stride[1]}, d[2] = {1, 1};
  Shape out;
  auto emitError = [&](const llvm::Twine &m) { interp.error(loc, m); };
  if (mlir::failed(inferConv2DTransposeShape(input.shape, filter.shape, s, d,
                                             pads, out, emitError)))
    return nullptr;
  auto op = interp.graph().getBuilder().create<Conv2DTransposeOp>(
      interp.graph().getLoc(loc), tensorType(interp, out), input.value,
      filter.value, i64s(interp, s), i64s(interp, d), i64s(interp, pads),
      scopeAttr(interp));
  return interp.graph().makeTensor(op, "conv2d_transpose");
}

Ref slim::emitMatMul(Interpreter &interp, TensorObj &input, TensorObj &weights,
                     SMLoc loc) {
  Shape out;
  auto emitError = [&](const llvm::Twine &m) { interp.error(loc, m); };
  if (mlir::failed(
          inferMatMulShape(input.shape, weights.shape, out, emitError)))
    return nullptr;
  auto op = interp.graph().getBuilder().create<MatMulOp>(
      interp.graph().getLoc(loc), tensorType(interp, out), input.value,
      weights.value, scopeAttr(interp));
  return interp.graph().makeTensor(op, "MatMul");
}

Ref slim::emitBiasAdd(Interpreter &interp, TensorObj &input, TensorObj &bias,
                      SMLoc loc) {
  if (bias.shape.size() != 1 || input.shape.empty() ||
      bias.shape[0] != input.shape.back())
    return interp.error(loc, "bias of shape [" + shapeToString(bias.shape) +
                                 "] does not match the last axis of [" +
                                 shapeToString(input.shape) + "]");
  auto op = interp.graph().getBuilder().create<BiasAddOp>(
      interp.graph().getLoc(loc), input.value.getType(), input.value,
      bias.value, scopeAttr(interp));
  return interp.graph().makeTensor(op, "BiasAdd");
}

Ref slim::emitBatchNorm(Interpreter &interp, TensorObj &input, TensorObj &mean,
                        TensorObj &variance, TensorObj *beta, TensorObj *gamma,
                        double epsilon, bool isTraining, SMLoc loc) {
  if (input.shape.size() < 2)
    return interp.error(loc, "batch_norm input must have rank >= 2, got [" +
                                 shapeToString(input.shape) + "]");
  if (epsilon <= 0)
    return interp.error(loc, "batch_norm epsilon must be positive");
  auto &b = interp.graph().getBuilder();
  auto op = b.create<BatchNormOp>(
      interp.graph().getLoc(loc), input.value.getType(), input.value,
      mean.value, variance.value, beta ? beta->value : mlir::Value(),
      gamma ? gamma->value : mlir::Value(), b.getF32FloatAttr(epsilon),
      b.getBoolAttr(isTraining), scopeAttr(interp), mlir::FloatAttr());
  return interp.graph().makeTensor(op, "FusedBatchNorm");
}

Ref slim::emitActivation(Interpreter &interp, TensorObj &input,
                         llvm::StringRef kind, SMLoc loc,
                         std::optional<double> alpha) {
  auto &b = interp.graph().getBuilder();
  auto op = b.create<ActivationOp>(
      interp.graph().getLoc(loc), input.value.getType(), input.value,
      b.getStringAttr(kind), alpha ? b.getF32FloatAttr(*alpha) : nullptr,
      scopeAttr(interp));
  // TF's op types: Relu, Relu6, Sigmoid, Tanh, Elu, Softplus, Selu, LeakyRelu.
  std::string opType = kind == "leaky_relu" ? "LeakyRelu" : kind.str();
  opType[0] = toupper(opType[0]);
  return interp.graph().makeTensor(op, opType);
}

Ref slim::emitPool(Interpreter &interp, bool isMax, TensorObj &input,
                   const int64_t kernel[2], const int64_t stride[2],
                   llvm::ArrayRef<int64_t> pads, SMLoc loc) {
  int64_t k[2] = {kernel[0], kernel[1]}, s[2] = {stride[0], stride[1]};
  Shape out;
  auto emitError = [&](const llvm::Twine &m) { interp.error(loc, m); };
  if (mlir::failed(inferPoolShape(input.shape, k, s, pads, out, emitError)))
    return nullptr;
  auto type = tensorType(interp, out);
  mlir::Operation *op;
  if (isMax)
    op = interp.graph().getBuilder().create<MaxPoolOp>(
        interp.graph().getLoc(loc), type, input.value, i64s(interp, k),
        i64s(interp, s), i64s(interp, pads), scopeAttr(interp));
  else
    op = interp.graph().getBuilder().create<AvgPoolOp>(
        interp.graph().getLoc(loc), type, input.value, i64s(interp, k),
        i64s(interp, s), i64s(interp, pads), scopeAttr(interp));
  return interp.graph().makeTensor(op->getResult(0),
                                   isMax ? "MaxPool" : "AvgPool");
}

Ref slim::emitDropout(Interpreter &interp, TensorObj &input, double keepProb,
                      bool isTraining, SMLoc loc) {
  if (keepProb <= 0 || keepProb > 1)
    return interp.error(loc, "keep_prob must be in (0, 1], got " +
                                 std::to_string(keepProb));
  auto &b = interp.graph().getBuilder();
  auto op =
      b.create<DropoutOp>(interp.graph().getLoc(loc), input.value.getType(),
                          input.value, b.getF32FloatAttr(keepProb),
                          b.getBoolAttr(isTraining), scopeAttr(interp));
  return interp.graph().makeTensor(op, "dropout");
}

Ref slim::emitReshape(Interpreter &interp, TensorObj &input,
                      llvm::ArrayRef<int64_t> shape, llvm::StringRef opType,
                      SMLoc loc) {
  if (numElements(shape) != numElements(input.shape))
    return interp.error(loc, "cannot reshape a tensor of shape [" +
                                 shapeToString(input.shape) + "] into [" +
                                 shapeToString(shape) + "]");
  auto op = interp.graph().getBuilder().create<ReshapeOp>(
      interp.graph().getLoc(loc), tensorType(interp, shape), input.value,
      scopeAttr(interp));
  return interp.graph().makeTensor(op, opType);
}

Ref slim::emitSoftmax(Interpreter &interp, TensorObj &input, SMLoc loc) {
  if (input.shape.empty())
    return interp.error(loc, "softmax needs a tensor of rank >= 1");
  auto op = interp.graph().getBuilder().create<SoftmaxOp>(
      interp.graph().getLoc(loc), input.value.getType(), input.value,
      scopeAttr(interp));
  return interp.graph().makeTensor(op, "Softmax");
}

Ref slim::emitConcat(Interpreter &interp, llvm::ArrayRef<TensorObj *> inputs,
                     int64_t axis, SMLoc loc) {
  llvm::SmallVector<Shape> shapes;
  llvm::SmallVector<mlir::Value> values;
  for (TensorObj *t : inputs) {
    shapes.push_back(t->shape);
    values.push_back(t->value);
  }
  Shape out;
  auto emitError = [&](const llvm::Twine &m) { interp.error(loc, m); };
  if (mlir::failed(inferConcatShape(shapes, axis, out, emitError)))
    return nullptr;
  if (axis < 0)
    axis += int64_t(shapes.front().size());
  auto &b = interp.graph().getBuilder();
  auto op =
      b.create<ConcatOp>(interp.graph().getLoc(loc), tensorType(interp, out),
                         values, b.getI64IntegerAttr(axis), scopeAttr(interp));
  return interp.graph().makeTensor(op, "concat");
}

Ref slim::emitPad(Interpreter &interp, TensorObj &input,
                  llvm::ArrayRef<int64_t> padding, llvm::StringRef mode,
                  double constantValue, SMLoc loc) {
  Shape out;
  auto emitError = [&](const llvm::Twine &m) {
    interp.error(loc, "tf.pad: " + m);
  };
  if (mlir::failed(inferPadShape(input.shape, padding, mode, out, emitError)))
    return nullptr;
  auto &b = interp.graph().getBuilder();
  auto op =
      b.create<PadOp>(interp.graph().getLoc(loc), tensorType(interp, out),
                      input.value, i64s(interp, padding), scopeAttr(interp),
                      b.getStringAttr(mode), b.getF32FloatAttr(constantValue));
  return interp.graph().makeTensor(op,
                                   mode == "constant" ? "Pad" : "MirrorPad");
}

Ref slim::emitIdentity(Interpreter &interp, TensorObj &input, SMLoc loc) {
  auto op = interp.graph().getBuilder().create<IdentityOp>(
      interp.graph().getLoc(loc), input.value.getType(), input.value,
      scopeAttr(interp));
  return interp.graph().makeTensor(op, "Identity");
}
