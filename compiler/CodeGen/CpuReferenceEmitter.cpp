//===- CpuReferenceEmitter.cpp - Code for the reference kernels -----------===//
//
// --kernels=reference: the frontend's module, unoptimized, as calls to the
// plain NHWC/HWIO loops of slim::kernels::ref (batch norm from its moving
// statistics, unfolded; every value in its own arena slice). This is the
// oracle the fast library is tested against, so it stays as close to
// TF-Slim's definitions as the kernels allow.
//
//===----------------------------------------------------------------------===//

#include "compiler/CodeGen/CpuEmitter.h"
#include "compiler/CodeGen/Emitters.h"

#include "llvm/ADT/TypeSwitch.h"

#include <type_traits>

using namespace mlir;
using namespace mlir::slim;
using namespace mlir::slim::codegen;

namespace {

class CpuReferenceEmitter : public CpuEmitter {
public:
  CpuReferenceEmitter(ModuleOp module, const CodeGenOptions &options)
      : CpuEmitter(module, options, Placement::Bump, "reference") {}

private:
  LogicalResult checkModuleForm() override;
  LogicalResult emitKernelOp(Operation *op) override;

  /// Conv2DOp, or DepthwiseConv2DOp (filter [kh][kw][Cin][mult]).
  template <typename ConvOp> LogicalResult emitConv(ConvOp conv);
  LogicalResult emitMatMul(MatMulOp mm);
  LogicalResult emitBiasAdd(BiasAddOp bias);
  LogicalResult emitBatchNorm(BatchNormOp bn);
  LogicalResult emitActivation(ActivationOp act);
  LogicalResult emitPooling(Operation *op);
  LogicalResult emitAdd(AddOp add);
  LogicalResult emitBinary(BinaryOp op);
  LogicalResult emitBinaryScalar(BinaryScalarOp op);
  LogicalResult emitLrn(LrnOp op);
  LogicalResult emitTile(TileOp op);
  LogicalResult emitSoftmax(SoftmaxOp sm);
  /// reduce_mean / reduce_sum / reduce_max.
  LogicalResult emitReduce(Operation *op);
  // The spatial ops (slim/kernels/reference_spatial.h).
  LogicalResult emitConv2DTranspose(Conv2DTransposeOp conv);
  LogicalResult emitResize(ResizeOp resize);
  LogicalResult emitStridedSlice(StridedSliceOp slice);
  LogicalResult emitInstanceNorm(InstanceNormOp norm);
  LogicalResult emitGroupNorm(GroupNormOp norm);
};

} // namespace

LogicalResult CpuReferenceEmitter::checkModuleForm() {
  if (prepareFunc() || numParams() != 0)
    return module.emitError("--kernels=reference expects the frontend's "
                            "module, not an optimized one");
  return success();
}

LogicalResult CpuReferenceEmitter::emitKernelOp(Operation *op) {
  return llvm::TypeSwitch<Operation *, LogicalResult>(op)
      .Case([&](Conv2DOp c) { return emitConv(c); })
      .Case([&](DepthwiseConv2DOp d) { return emitConv(d); })
      .Case([&](MatMulOp mm) { return emitMatMul(mm); })
      .Case([&](BiasAddOp bias) { return emitBiasAdd(bias); })
      .Case([&](BatchNormOp bn) { return emitBatchNorm(bn); })
      .Case([&](ActivationOp act) { return emitActivation(act); })
      .Case<MaxPoolOp, AvgPoolOp>([&](auto) { return emitPooling(op); })
      .Case([&](AddOp add) { return emitAdd(add); })
      .Case([&](BinaryOp b) { return emitBinary(b); })
      .Case([&](BinaryScalarOp b) { return emitBinaryScalar(b); })
      .Case([&](LrnOp l) { return emitLrn(l); })
      .Case([&](TileOp t) { return emitTile(t); })
      .Case([&](SoftmaxOp sm) { return emitSoftmax(sm); })
      .Case<ReduceMeanOp, ReduceSumOp, ReduceMaxOp>(
          [&](auto) { return emitReduce(op); })
      .Case([&](Conv2DTransposeOp c) { return emitConv2DTranspose(c); })
      .Case([&](ResizeOp r) { return emitResize(r); })
      .Case([&](StridedSliceOp s) { return emitStridedSlice(s); })
      .Case([&](InstanceNormOp n) { return emitInstanceNorm(n); })
      .Case([&](GroupNormOp n) { return emitGroupNorm(n); })
      .Case<Conv3DOp, MaxPool3DOp, AvgPool3DOp>(
          [&](auto) { return emitReference3D(op); })
      .Default([&](Operation *) { return unsupported(op); });
}

template <typename ConvOp>
LogicalResult CpuReferenceEmitter::emitConv(ConvOp conv) {
  constexpr bool depthwise = std::is_same_v<ConvOp, DepthwiseConv2DOp>;
  Operation *op = conv.getOperation();
  Value input = conv.getInput(), filter = conv.getFilter();
  Value output = conv.getOutput();
  if (failed(allocateResult(op, output)))
    return failure();
  ArrayRef<int64_t> f = shapeOf(filter);
  LayerBlock layer(*this, op);
  writeConv2DParams(body(), "p", input, output, {f[0], f[1]}, conv.getStrides(),
                    conv.getDilations(), conv.getPads());
  if (depthwise)
    body().line("p.depthMultiplier = " + Twine(f[3]) + ";");
  body().line(std::string(depthwise ? "ref::depthwiseConv2d" : "ref::conv2d") +
              "(p, " + ptr(input) + ", " + ptr(filter) +
              ", nullptr, nullptr, " + ptr(output) + ");");
  return success();
}

LogicalResult CpuReferenceEmitter::emitMatMul(MatMulOp mm) {
  Operation *op = mm.getOperation();
  if (failed(allocateResult(op, mm.getOutput())))
    return failure();
  ArrayRef<int64_t> wt = shapeOf(mm.getWeights());
  Writer &w = body();
  LayerBlock layer(*this, op);
  // Over the last axis: every leading dimension is a row.
  w.line("FullyConnectedParams p;");
  w.line("p.m = " + Twine(numElements(mm.getInput()) / wt[0]) +
         "; p.k = " + Twine(wt[0]) + "; p.n = " + Twine(wt[1]) + ";");
  w.line("ref::fullyConnected(p, " + ptr(mm.getInput()) + ", " +
         ptr(mm.getWeights()) + ", nullptr, nullptr, " + ptr(mm.getOutput()) +
         ");");
  return success();
}

LogicalResult CpuReferenceEmitter::emitBiasAdd(BiasAddOp bias) {
  Operation *op = bias.getOperation();
  if (failed(allocateResult(op, bias.getOutput())))
    return failure();
  int64_t c = numElements(bias.getBias());
  LayerBlock layer(*this, op, LayerBlock::Flat);
  body().line("ref::biasActivation(" + ptr(bias.getInput()) + ", " +
              ptr(bias.getBias()) + ", " + ptr(bias.getOutput()) + ", " +
              Twine(numElements(bias.getInput()) / c) + ", " + Twine(c) +
              ", Activation::None);");
  return success();
}

LogicalResult CpuReferenceEmitter::emitBatchNorm(BatchNormOp bn) {
  Operation *op = bn.getOperation();
  if (bn.getIsTraining())
    return unsupported(op, "batch_norm with is_training=True computes "
                           "batch statistics; compile the model with "
                           "is_training=False");
  if (failed(allocateResult(op, bn.getOutput())))
    return failure();
  int64_t c = numElements(bn.getMovingMean());
  LayerBlock layer(*this, op, LayerBlock::Flat);
  body().line("ref::batchNorm(" + ptr(bn.getInput()) + ", " +
              ptr(bn.getOutput()) + ", " +
              Twine(numElements(bn.getInput()) / c) + ", " + Twine(c) + ", " +
              optPtr(bn.getGamma()) + ", " + optPtr(bn.getBeta()) + ", " +
              ptr(bn.getMovingMean()) + ", " + ptr(bn.getMovingVariance()) +
              ", " + fmtFloat(bn.getEpsilon().convertToDouble()) + ");");
  return success();
}

LogicalResult CpuReferenceEmitter::emitActivation(ActivationOp act) {
  Operation *op = act.getOperation();
  std::string f = pointwiseEnum(act.getKind());
  if (f.empty())
    return unsupported(op, "activation '" + act.getKind() + "'");
  if (failed(allocateResult(op, act.getOutput())))
    return failure();
  float alpha = act.getAlpha() ? act.getAlpha()->convertToFloat() : 0.0f;
  LayerBlock layer(*this, op, LayerBlock::Flat);
  body().line("ref::pointwise(" + f + ", " + fmtFloat(alpha) + ", " +
              ptr(act.getInput()) + ", " + ptr(act.getOutput()) + ", " +
              Twine(numElements(act.getInput())) + ");");
  return success();
}

LogicalResult CpuReferenceEmitter::emitPooling(Operation *op) {
  Value in = op->getOperand(0), out = op->getResult(0);
  if (failed(allocateResult(op, out)))
    return failure();
  auto kernel = op->getAttrOfType<DenseI64ArrayAttr>("kernel");
  auto strides = op->getAttrOfType<DenseI64ArrayAttr>("strides");
  auto pads = op->getAttrOfType<DenseI64ArrayAttr>("pads");
  LayerBlock layer(*this, op);
  writePool2DParams(body(), "p", in, out, kernel.asArrayRef(),
                    strides.asArrayRef(), pads.asArrayRef());
  body().line(
      std::string(isa<MaxPoolOp>(op) ? "ref::maxPool2d" : "ref::avgPool2d") +
      "(p, " + ptr(in) + ", " + ptr(out) + ");");
  return success();
}

LogicalResult CpuReferenceEmitter::emitAdd(AddOp add) {
  Operation *op = add.getOperation();
  if (failed(allocateResult(op, add.getOutput())))
    return failure();
  LayerBlock layer(*this, op, LayerBlock::Flat);
  body().line("ref::add(" + ptr(add.getLhs()) + ", " + ptr(add.getRhs()) +
              ", " + ptr(add.getOutput()) + ", " +
              Twine(numElements(add.getLhs())) + ");");
  return success();
}

LogicalResult CpuReferenceEmitter::emitSoftmax(SoftmaxOp sm) {
  Operation *op = sm.getOperation();
  if (failed(allocateResult(op, sm.getOutput())))
    return failure();
  int64_t cols = shapeOf(sm.getInput()).back();
  LayerBlock layer(*this, op, LayerBlock::Flat);
  body().line(
      "ref::softmax(" + ptr(sm.getInput()) + ", " + ptr(sm.getOutput()) + ", " +
      Twine(numElements(sm.getInput()) / cols) + ", " + Twine(cols) + ");");
  return success();
}

LogicalResult CpuReferenceEmitter::emitBinary(BinaryOp bin) {
  Operation *op = bin.getOperation();
  if (failed(allocateResult(op, bin.getOutput())))
    return failure();
  BroadcastShapes s =
      broadcastShapes(bin.getLhs(), bin.getRhs(), bin.getOutput());
  LayerBlock layer(*this, op);
  body().line("static const int64_t a[] = {" + joinInts(s.a) + "};");
  body().line("static const int64_t b[] = {" + joinInts(s.b) + "};");
  body().line("static const int64_t y[] = {" + joinInts(s.y) + "};");
  body().line("ref::binary(" + binaryEnum(bin.getKind()) + ", " +
              ptr(bin.getLhs()) + ", a, " + ptr(bin.getRhs()) + ", b, " +
              ptr(bin.getOutput()) + ", y, " + Twine(s.y.size()) + ");");
  return success();
}

LogicalResult CpuReferenceEmitter::emitBinaryScalar(BinaryScalarOp bin) {
  Operation *op = bin.getOperation();
  if (failed(allocateResult(op, bin.getOutput())))
    return failure();
  LayerBlock layer(*this, op, LayerBlock::Flat);
  body().line(
      "ref::binaryScalar(" + binaryEnum(bin.getKind()) + ", " +
      ptr(bin.getInput()) + ", " + fmtFloat(bin.getScalar().convertToFloat()) +
      ", " + (bin.getScalarFirst() ? "true" : "false") + ", " +
      ptr(bin.getOutput()) + ", " + Twine(numElements(bin.getOutput())) + ");");
  return success();
}

LogicalResult CpuReferenceEmitter::emitLrn(LrnOp lrn) {
  Operation *op = lrn.getOperation();
  if (failed(allocateResult(op, lrn.getOutput())))
    return failure();
  int64_t c = shapeOf(lrn.getInput()).back();
  LayerBlock layer(*this, op, LayerBlock::Flat);
  body().line("ref::lrn(" + ptr(lrn.getInput()) + ", " + ptr(lrn.getOutput()) +
              ", " + Twine(numElements(lrn.getInput()) / c) + ", " + Twine(c) +
              ", " + Twine(lrn.getDepthRadius()) + ", " +
              fmtFloat(lrn.getBias().convertToFloat()) + ", " +
              fmtFloat(lrn.getAlpha().convertToFloat()) + ", " +
              fmtFloat(lrn.getBeta().convertToFloat()) + ");");
  return success();
}

LogicalResult CpuReferenceEmitter::emitTile(TileOp tile) {
  Operation *op = tile.getOperation();
  if (failed(allocateResult(op, tile.getOutput())))
    return failure();
  LayerBlock layer(*this, op);
  body().line("static const int64_t in[] = {" +
              joinInts(shapeOf(tile.getInput())) + "};");
  body().line("static const int64_t multiples[] = {" +
              joinInts(tile.getMultiples()) + "};");
  body().line("ref::tile(" + ptr(tile.getInput()) + ", in, multiples, " +
              Twine(tile.getMultiples().size()) + ", " + ptr(tile.getOutput()) +
              ");");
  return success();
}

LogicalResult CpuReferenceEmitter::emitReduce(Operation *op) {
  Value input = op->getOperand(0), output = op->getResult(0);
  ArrayRef<int64_t> axes =
      op->getAttrOfType<DenseI64ArrayAttr>("axes").asArrayRef();
  ArrayRef<int64_t> in = shapeOf(input);
  if (failed(allocateResult(op, output)))
    return failure();
  // The spatial mean (global average pooling) keeps its own kernel.
  if (isa<ReduceMeanOp>(op) && in.size() == 4 && axes.size() == 2 &&
      axes[0] == 1 && axes[1] == 2) {
    LayerBlock layer(*this, op, LayerBlock::Flat);
    body().line("ref::globalAvgPool(" + Twine(in[0]) + ", " + Twine(in[1]) +
                ", " + Twine(in[2]) + ", " + Twine(in[3]) + ", " + ptr(input) +
                ", " + ptr(output) + ");");
    return success();
  }
  SmallVector<int64_t, 4> shape(in.begin(), in.end()), reduced;
  for (int64_t d = 0; d < static_cast<int64_t>(in.size()); ++d)
    reduced.push_back(llvm::is_contained(axes, d) ? 1 : 0);
  if (shape.empty()) // A scalar reduces to itself.
    shape.push_back(1), reduced.push_back(0);
  LayerBlock layer(*this, op);
  body().line("static const int64_t shape[] = {" + joinInts(shape) + "};");
  body().line("static const int reduced[] = {" + joinInts(reduced) + "};");
  body().line("ref::reduce(" + reduceEnum(op) + ", " + ptr(input) +
              ", shape, reduced, " + Twine(shape.size()) + ", " + ptr(output) +
              ");");
  return success();
}

LogicalResult CpuReferenceEmitter::emitConv2DTranspose(Conv2DTransposeOp conv) {
  Operation *op = conv.getOperation();
  if (failed(allocateResult(op, conv.getOutput())))
    return failure();
  Writer &w = body();
  LayerBlock layer(*this, op);
  writeConv2DTransposeParams(w, conv);
  w.line("ref::conv2dTranspose(p, " + ptr(conv.getInput()) + ", " +
         ptr(conv.getFilter()) + ", nullptr, nullptr, nullptr, " +
         ptr(conv.getOutput()) + ");");
  return success();
}

LogicalResult CpuReferenceEmitter::emitResize(ResizeOp resize) {
  Operation *op = resize.getOperation();
  if (failed(allocateResult(op, resize.getOutput())))
    return failure();
  ArrayRef<int64_t> in = shapeOf(resize.getInput()),
                    out = shapeOf(resize.getOutput());
  LayerBlock layer(*this, op, LayerBlock::Flat);
  body().line("ref::resize(" + ptr(resize.getInput()) + ", " +
              ptr(resize.getOutput()) + ", " + Twine(in[0]) + ", " +
              Twine(in[1]) + ", " + Twine(in[2]) + ", " + Twine(in[3]) + ", " +
              Twine(out[1]) + ", " + Twine(out[2]) + ", " +
              (resize.getMethod() == "bilinear" ? "true" : "false") + ", " +
              (resize.getAlignCorners() ? "true" : "false") + ", " +
              (resize.getHalfPixelCenters() ? "true" : "false") + ");");
  return success();
}

LogicalResult CpuReferenceEmitter::emitStridedSlice(StridedSliceOp slice) {
  Operation *op = slice.getOperation();
  ArrayRef<int64_t> in = shapeOf(slice.getInput());
  if (in.size() > 8)
    return unsupported(op, "slices of more than 8 dimensions");
  if (failed(allocateResult(op, slice.getOutput())))
    return failure();
  LayerBlock layer(*this, op);
  body().line("static const int64_t dims[] = {" + joinInts(in) + "};");
  body().line("static const int64_t begin[] = {" + joinInts(slice.getBegin()) +
              "};");
  body().line("static const int64_t strides[] = {" +
              joinInts(slice.getStrides()) + "};");
  body().line("static const int64_t out[] = {" +
              joinInts(shapeOf(slice.getOutput())) + "};");
  body().line("ref::stridedSlice(" + ptr(slice.getInput()) + ", " +
              ptr(slice.getOutput()) + ", " + Twine(in.size()) +
              ", dims, begin, strides, out);");
  return success();
}

LogicalResult CpuReferenceEmitter::emitInstanceNorm(InstanceNormOp norm) {
  Operation *op = norm.getOperation();
  if (failed(allocateResult(op, norm.getOutput())))
    return failure();
  ArrayRef<int64_t> in = shapeOf(norm.getInput());
  int64_t c = in.back();
  LayerBlock layer(*this, op, LayerBlock::Flat);
  body().line("ref::instanceNorm(" + ptr(norm.getInput()) + ", " +
              ptr(norm.getOutput()) + ", " + Twine(in[0]) + ", " +
              Twine(numElements(norm.getInput()) / (in[0] * c)) + ", " +
              Twine(c) + ", " + optPtr(norm.getBeta()) + ", " +
              optPtr(norm.getGamma()) + ", " +
              fmtFloat(norm.getEpsilon().convertToDouble()) + ");");
  return success();
}

LogicalResult CpuReferenceEmitter::emitGroupNorm(GroupNormOp norm) {
  Operation *op = norm.getOperation();
  if (failed(allocateResult(op, norm.getOutput())))
    return failure();
  LayerBlock layer(*this, op);
  body().line("static const int64_t dims[] = {" +
              joinInts(shapeOf(norm.getInput())) + "};");
  body().line("ref::groupNorm(" + ptr(norm.getInput()) + ", " +
              ptr(norm.getOutput()) + ", " + groupNormArgs(norm) + ");");
  return success();
}

std::unique_ptr<ModelEmitter>
codegen::createCpuReferenceEmitter(ModuleOp module,
                                   const CodeGenOptions &options) {
  return std::make_unique<CpuReferenceEmitter>(module, options);
}
