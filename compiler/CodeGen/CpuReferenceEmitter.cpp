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
  LogicalResult emitSoftmax(SoftmaxOp sm);
  LogicalResult emitSpatialMean(ReduceMeanOp rm);
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
      .Case([&](SoftmaxOp sm) { return emitSoftmax(sm); })
      .Case([&](ReduceMeanOp rm) { return emitSpatialMean(rm); })
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
  writeConvParams("p", input, output, {f[0], f[1]}, conv.getStrides(),
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
  if (failed(allocateResult(op, act.getOutput())))
    return failure();
  std::string e = activationEnum(act.getKind());
  int64_t count = numElements(act.getInput());
  if (e.empty() && act.getKind() != "softplus")
    return unsupported(op, "activation '" + act.getKind() + "'");
  LayerBlock layer(*this, op, LayerBlock::Flat);
  if (!e.empty())
    body().line("ref::biasActivation(" + ptr(act.getInput()) + ", nullptr, " +
                ptr(act.getOutput()) + ", " + Twine(count) + ", 1, " + e +
                ");");
  else
    // Softplus has no Activation enumerator; channelOp's -1 selects it.
    body().line("channelOp(" + ptr(act.getInput()) + ", " +
                ptr(act.getOutput()) + ", 1, " + Twine(count) +
                ", 1, 0, nullptr, nullptr, -1);");
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
  writePoolParams("p", in, out, kernel.asArrayRef(), strides.asArrayRef(),
                  pads.asArrayRef());
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

LogicalResult CpuReferenceEmitter::emitSpatialMean(ReduceMeanOp rm) {
  Operation *op = rm.getOperation();
  ArrayRef<int64_t> axes = rm.getAxes();
  ArrayRef<int64_t> in = shapeOf(rm.getInput());
  if (in.size() != 4 || axes.size() != 2 || axes[0] != 1 || axes[1] != 2)
    return emitAxisMean(rm, "nullptr");
  if (failed(allocateResult(op, rm.getOutput())))
    return failure();
  LayerBlock layer(*this, op, LayerBlock::Flat);
  body().line("ref::globalAvgPool(" + Twine(in[0]) + ", " + Twine(in[1]) +
              ", " + Twine(in[2]) + ", " + Twine(in[3]) + ", " +
              ptr(rm.getInput()) + ", " + ptr(rm.getOutput()) + ");");
  return success();
}

std::unique_ptr<ModelEmitter>
codegen::createCpuReferenceEmitter(ModuleOp module,
                                   const CodeGenOptions &options) {
  return std::make_unique<CpuReferenceEmitter>(module, options);
}
