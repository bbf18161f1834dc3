//===- CpuFastEmitter.cpp - Code for the blocked CPU kernels --------------===//
//
// --kernels=fast: the output of buildSlimInferencePipeline (fused ops,
// packed parameters, blocked NCHWc activations at the memory plan's offsets)
// as calls to the vectorized, multi-threaded kernels of slim/kernels.h.
// Producers of an in-place concat write at their channel block offset;
// every kernel call passes the thread pool `par`.
//
//===----------------------------------------------------------------------===//

#include "compiler/CodeGen/CpuEmitter.h"
#include "compiler/CodeGen/Emitters.h"

#include "slim/contract.h"

#include "llvm/ADT/TypeSwitch.h"

using namespace mlir;
using namespace mlir::slim;
using namespace mlir::slim::codegen;

namespace {

/// What a fused conv2d and a fused depthwise conv2d have in common: both
/// run through Conv2DParams, and either may be packed as a fully-connected
/// layer when its kernel covers the whole input.
struct ConvLike {
  Value input, filter, output, bias, residual;
  StringRef packing, activation;
  ArrayRef<int64_t> kernel, strides, dilations, pads;
  bool depthwise;
};

template <typename FusedOp> ConvLike convLike(FusedOp op, bool depthwise) {
  return ConvLike{
      op.getInput(),      op.getFilter(),   op.getOutput(),
      op.getBias(),       op.getResidual(), op.getPacking().value_or(""),
      op.getActivation(), op.getKernel(),   op.getStrides(),
      op.getDilations(),  op.getPads(),     depthwise};
}

class CpuFastEmitter : public CpuEmitter {
public:
  CpuFastEmitter(ModuleOp module, const CodeGenOptions &options)
      : CpuEmitter(module, options, Placement::MemoryPlan, "fast"),
        vw(options.vectorWidth) {}

private:
  LogicalResult checkModuleForm() override;
  void emitKernelChecks(raw_ostream &os) override;
  LogicalResult emitPrepareOp(Operation *op) override;
  LogicalResult emitKernelOp(Operation *op) override;

  /// Fails unless every blocked result of `op` has the target's width.
  LogicalResult checkLayout(Operation *op);

  LogicalResult emitLayoutConversion(Operation *op);
  LogicalResult emitConvLike(Operation *op, const ConvLike &conv);
  /// A conv whose kernel covers its whole blocked input, packed fc_blocked.
  LogicalResult emitBlockedFullyConnected(Operation *op, const ConvLike &conv,
                                          StringRef act);
  LogicalResult emitFullyConnected(FusedMatMulOp mm);
  LogicalResult emitPooling(Operation *op);
  /// fused_conv3d on blocked tensors (conv3d.h), or as a fully-connected
  /// layer when packed fc_blocked.
  LogicalResult emitConv3D(FusedConv3DOp conv);
  LogicalResult emitPooling3D(Operation *op);
  LogicalResult emitBlockedConcat(ConcatOp cat);
  LogicalResult emitAdd(AddOp add);
  /// Per-channel ops the fusion left alone: activation, bias_add,
  /// channel_affine, and a blocked dropout (a copy).
  LogicalResult emitPerChannel(Operation *op);
  LogicalResult emitSpatialMean(ReduceMeanOp rm);
  LogicalResult emitSoftmax(SoftmaxOp sm);

  int64_t vw;
};

} // namespace

LogicalResult CpuFastEmitter::checkModuleForm() {
  if (!module->hasAttr("slim.arena_size"))
    return module.emitError(
        "--kernels=fast needs the output of the inference pipeline with its "
        "memory plan (no 'slim.arena_size' attribute)");
  return success();
}

void CpuFastEmitter::emitKernelChecks(raw_ostream &os) {
  os << "static_assert(kVec == " << vw << ", \"this model was generated for "
     << vw << "-lane vectors; compile it for the matching -march\");\n\n";
}

LogicalResult CpuFastEmitter::checkLayout(Operation *op) {
  for (Value v : op->getResults())
    if (blockWidth(v) != 0 && blockWidth(v) != vw)
      return unsupported(op, "its layout does not match the target's vector "
                             "width " +
                                 Twine(vw));
  return success();
}

LogicalResult CpuFastEmitter::emitPrepareOp(Operation *op) {
  if (failed(checkLayout(op)))
    return failure();
  return emitLoadTimeOp(op);
}

LogicalResult CpuFastEmitter::emitKernelOp(Operation *op) {
  if (failed(checkLayout(op)))
    return failure();
  return llvm::TypeSwitch<Operation *, LogicalResult>(op)
      .Case<ToBlockedOp, FromBlockedOp>(
          [&](auto) { return emitLayoutConversion(op); })
      .Case([&](FusedConv2DOp c) {
        return emitConvLike(op, convLike(c, /*depthwise=*/false));
      })
      .Case([&](FusedDepthwiseConv2DOp d) {
        return emitConvLike(op, convLike(d, /*depthwise=*/true));
      })
      .Case([&](FusedMatMulOp mm) { return emitFullyConnected(mm); })
      .Case<MaxPoolOp, AvgPoolOp>([&](auto) { return emitPooling(op); })
      .Case([&](FusedConv3DOp c) { return emitConv3D(c); })
      .Case<MaxPool3DOp, AvgPool3DOp>([&](auto) { return emitPooling3D(op); })
      .Case([&](ConcatOp cat) { return emitBlockedConcat(cat); })
      .Case([&](AddOp add) { return emitAdd(add); })
      .Case<ActivationOp, BiasAddOp, ChannelAffineOp, DropoutOp>(
          [&](auto) { return emitPerChannel(op); })
      .Case([&](ReduceMeanOp rm) { return emitSpatialMean(rm); })
      .Case([&](SoftmaxOp sm) { return emitSoftmax(sm); })
      .Default([&](Operation *) { return unsupported(op); });
}

LogicalResult CpuFastEmitter::emitLayoutConversion(Operation *op) {
  Value input = op->getOperand(0), output = op->getResult(0);
  if (failed(allocateResult(op, output)))
    return failure();
  LayerBlock layer(*this, op, LayerBlock::Flat);
  // A 5-D tensor converts as its N*D frames.
  if (isa<ToBlockedOp>(op)) {
    Frames f = framesOf(output);
    Storage o = get(output);
    body().line("nhwcToBlocked(" + ptr(input) + ", " + Twine(f.batch) + ", " +
                Twine(f.h) + ", " + Twine(f.w) + ", " + Twine(f.c) + ", " +
                o.ptr + ", " + Twine(o.cbOffset) + ", " + Twine(o.cbTotal) +
                ");");
    return success();
  }
  Frames f = framesOf(input);
  Storage i = get(input);
  body().line("blockedToNhwc(" + i.ptr + ", " + Twine(f.batch) + ", " +
              Twine(f.h) + ", " + Twine(f.w) + ", " + Twine(f.c) + ", " +
              ptr(output) + ", " + Twine(i.cbOffset) + ", " + Twine(i.cbTotal) +
              ");");
  return success();
}

LogicalResult CpuFastEmitter::emitConvLike(Operation *op,
                                           const ConvLike &conv) {
  std::string act = activationEnum(conv.activation);
  if (act.empty())
    return unsupported(op, "epilogue activation '" + conv.activation + "'");
  if (blockWidth(conv.input) != vw || blockWidth(conv.output) != vw ||
      (conv.residual && blockWidth(conv.residual) != vw))
    return unsupported(op, "the fast kernels need blocked activations");
  if (failed(allocateResult(op, conv.output)))
    return failure();
  if (conv.packing == "fc_blocked")
    return emitBlockedFullyConnected(op, conv, act);
  if (conv.packing != (conv.depthwise ? "depthwise" : "conv2d"))
    return unsupported(op, "filter packing '" + conv.packing + "'");

  Storage in = get(conv.input), out = get(conv.output);
  Writer &w = body();
  LayerBlock layer(*this, op);
  writeConvParams("p", conv.input, conv.output, conv.kernel, conv.strides,
                  conv.dilations, conv.pads);
  if (conv.depthwise)
    w.line("p.depthMultiplier = " +
           Twine(shapeOf(conv.output)[3] / shapeOf(conv.input)[3]) + ";");
  w.line("p.act = " + act + ";");
  if (in.cbTotal)
    w.line("p.inCbOffset = " + Twine(in.cbOffset) +
           "; p.inCbTotal = " + Twine(in.cbTotal) + ";");
  if (out.cbTotal)
    w.line("p.outCbOffset = " + Twine(out.cbOffset) +
           "; p.outCbTotal = " + Twine(out.cbTotal) + ";");
  if (conv.residual && get(conv.residual).cbTotal)
    w.line("p.resCbOffset = " + Twine(get(conv.residual).cbOffset) +
           "; p.resCbTotal = " + Twine(get(conv.residual).cbTotal) + ";");
  w.line(std::string(conv.depthwise ? "depthwiseConv2d" : "conv2d") + "(p, " +
         in.ptr + ", " + ptr(conv.filter) + ", " + optPtr(conv.bias) + ", " +
         optPtr(conv.residual) + ", " + out.ptr + ", par);");
  return success();
}

LogicalResult CpuFastEmitter::emitBlockedFullyConnected(Operation *op,
                                                        const ConvLike &conv,
                                                        StringRef act) {
  Storage in = get(conv.input), out = get(conv.output);
  Writer &w = body();
  LayerBlock layer(*this, op);
  if (in.cbTotal || (conv.residual && get(conv.residual).cbTotal))
    return unsupported(op, "a fully-connected layer reading a slice of "
                           "a concat");
  // Frames: a 1-frame 5-D input is a 4-D one.
  Frames is = framesOf(conv.input);
  int64_t outC = shapeOf(conv.output).back();
  // K runs over every lane of every block of every pixel, padding included,
  // as packFullyConnectedWeightsBlocked lays the rows out.
  int64_t k = ::slim::contract::fullyConnectedBlockedK(is.h, is.w, is.c, vw);
  w.line("FullyConnectedParams p;");
  w.line("p.m = " + Twine(is.batch) + "; p.k = " + Twine(k) +
         "; p.n = " + Twine(outC) + ";");
  int64_t outCb = out.cbTotal ? out.cbTotal : ceilDiv(outC, vw);
  w.line("p.ldy = " + Twine(outCb * vw) + "; p.ldr = " +
         Twine(ceilDiv(outC, vw) * vw) + "; p.padOutput = true;");
  w.line("p.act = " + act + ";");
  w.line("fullyConnected(p, " + in.ptr + ", " + ptr(conv.filter) + ", " +
         optPtr(conv.bias) + ", " + optPtr(conv.residual) + ", " + out.ptr +
         " + " + Twine(out.cbOffset * vw) + ", par);");
  return success();
}

LogicalResult CpuFastEmitter::emitFullyConnected(FusedMatMulOp mm) {
  Operation *op = mm.getOperation();
  std::string act = activationEnum(mm.getActivation());
  if (act.empty() || mm.getPacking().value_or("") != "fc" ||
      blockWidth(mm.getInput()) != 0)
    return unsupported(op, "fused_matmul without 'fc' packing on a dense "
                           "input, or with activation '" +
                               mm.getActivation() + "'");
  if (failed(allocateResult(op, mm.getOutput())))
    return failure();
  int64_t k = shapeOf(mm.getInput()).back();
  int64_t n = shapeOf(mm.getOutput()).back();
  Writer &w = body();
  LayerBlock layer(*this, op);
  w.line("FullyConnectedParams p;");
  w.line("p.m = " + Twine(numElements(mm.getInput()) / k) +
         "; p.k = " + Twine(k) + "; p.n = " + Twine(n) + ";");
  w.line("p.act = " + act + ";");
  w.line("fullyConnected(p, " + ptr(mm.getInput()) + ", " +
         ptr(mm.getFilter()) + ", " + optPtr(mm.getBias()) + ", " +
         optPtr(mm.getResidual()) + ", " + ptr(mm.getOutput()) + ", par);");
  return success();
}

LogicalResult CpuFastEmitter::emitPooling(Operation *op) {
  Value input = op->getOperand(0), output = op->getResult(0);
  if (blockWidth(input) != vw)
    return unsupported(op, "the fast pooling kernels need blocked input");
  if (failed(allocateResult(op, output)))
    return failure();
  Storage in = get(input), out = get(output);
  Writer &w = body();
  LayerBlock layer(*this, op);
  writePoolParams("p", input, output,
                  op->getAttrOfType<DenseI64ArrayAttr>("kernel").asArrayRef(),
                  op->getAttrOfType<DenseI64ArrayAttr>("strides").asArrayRef(),
                  op->getAttrOfType<DenseI64ArrayAttr>("pads").asArrayRef());
  if (in.cbTotal)
    w.line("p.inCbOffset = " + Twine(in.cbOffset) +
           "; p.inCbTotal = " + Twine(in.cbTotal) + ";");
  if (out.cbTotal)
    w.line("p.outCbOffset = " + Twine(out.cbOffset) +
           "; p.outCbTotal = " + Twine(out.cbTotal) + ";");
  w.line(std::string(isa<MaxPoolOp>(op) ? "maxPool2d" : "avgPool2d") + "(p, " +
         in.ptr + ", " + out.ptr + ", par);");
  return success();
}

LogicalResult CpuFastEmitter::emitConv3D(FusedConv3DOp conv) {
  Operation *op = conv.getOperation();
  std::string act = activationEnum(conv.getActivation());
  if (act.empty())
    return unsupported(op,
                       "epilogue activation '" + conv.getActivation() + "'");
  Value residual = conv.getResidual();
  if (blockWidth(conv.getInput()) != vw || blockWidth(conv.getOutput()) != vw ||
      (residual && blockWidth(residual) != vw))
    return unsupported(op, "the fast kernels need blocked activations");
  StringRef packing = conv.getPacking().value_or("");
  if (packing == "fc_blocked") {
    if (failed(allocateResult(op, conv.getOutput())))
      return failure();
    ConvLike like{conv.getInput(),      conv.getFilter(), conv.getOutput(),
                  conv.getBias(),       residual,         packing,
                  conv.getActivation(), conv.getKernel(), conv.getStrides(),
                  conv.getDilations(),  conv.getPads(),   false};
    return emitBlockedFullyConnected(op, like, act);
  }
  if (packing != "conv3d")
    return unsupported(op, "filter packing '" + packing + "'");
  if (failed(allocateResult(op, conv.getOutput())))
    return failure();
  Storage in = get(conv.getInput()), out = get(conv.getOutput());
  Writer &w = body();
  LayerBlock layer(*this, op);
  writeConv3DParams("p", conv.getInput(), conv.getOutput(), conv.getKernel(),
                    conv.getStrides(), conv.getDilations(), conv.getPads());
  w.line("p.act = " + act + ";");
  if (in.cbTotal)
    w.line("p.inCbOffset = " + Twine(in.cbOffset) +
           "; p.inCbTotal = " + Twine(in.cbTotal) + ";");
  if (out.cbTotal)
    w.line("p.outCbOffset = " + Twine(out.cbOffset) +
           "; p.outCbTotal = " + Twine(out.cbTotal) + ";");
  if (residual && get(residual).cbTotal)
    w.line("p.resCbOffset = " + Twine(get(residual).cbOffset) +
           "; p.resCbTotal = " + Twine(get(residual).cbTotal) + ";");
  w.line("conv3d(p, " + in.ptr + ", " + ptr(conv.getFilter()) + ", " +
         optPtr(conv.getBias()) + ", " + optPtr(residual) + ", " + out.ptr +
         ", par);");
  return success();
}

LogicalResult CpuFastEmitter::emitPooling3D(Operation *op) {
  Value input = op->getOperand(0), output = op->getResult(0);
  if (blockWidth(input) != vw)
    return unsupported(op, "the fast pooling kernels need blocked input");
  if (failed(allocateResult(op, output)))
    return failure();
  Storage in = get(input), out = get(output);
  Writer &w = body();
  LayerBlock layer(*this, op);
  writePool3DParams("p", op);
  if (in.cbTotal)
    w.line("p.inCbOffset = " + Twine(in.cbOffset) +
           "; p.inCbTotal = " + Twine(in.cbTotal) + ";");
  if (out.cbTotal)
    w.line("p.outCbOffset = " + Twine(out.cbOffset) +
           "; p.outCbTotal = " + Twine(out.cbTotal) + ";");
  w.line(std::string(isa<MaxPool3DOp>(op) ? "maxPool3d" : "avgPool3d") +
         "(p, " + in.ptr + ", " + out.ptr + ", par);");
  return success();
}

LogicalResult CpuFastEmitter::emitBlockedConcat(ConcatOp cat) {
  Operation *op = cat.getOperation();
  Frames os = framesOf(cat.getOutput());
  int64_t rank = shapeOf(cat.getOutput()).size();
  if (int64_t axis = cat.getAxis(); axis != rank - 1 && axis != -1)
    return unsupported(op, "blocked concat along an axis other than "
                           "channels");
  if (failed(allocateResult(op, cat.getOutput())))
    return failure();
  // Pieces the memory plan placed in the concat's buffer were written there
  // by their producers; only the others are copied, and only then is the
  // concat a layer of its own.
  auto inPlace = op->getAttrOfType<DenseBoolArrayAttr>("in_place_inputs");
  int64_t cOffset = 0;
  int layer = -1;
  for (auto [i, in] : llvm::enumerate(cat.getInputs())) {
    int64_t c = shapeOf(in).back();
    if (!inPlace || !inPlace[i]) {
      if (layer < 0)
        layer = beginLayer(op);
      Storage s = get(in);
      body().line("concatChannelsBlocked(" + s.ptr + ", " + Twine(os.batch) +
                  ", " + Twine(os.h) + ", " + Twine(os.w) + ", " + Twine(c) +
                  ", " + ptr(cat.getOutput()) + ", " + Twine(cOffset) + ", " +
                  Twine(os.c) + ", par, " + Twine(s.cbOffset) + ", " +
                  Twine(s.cbTotal) + ");");
    }
    cOffset += c;
  }
  if (layer >= 0)
    endLayer(layer);
  else
    body().line("// " + Twine(scopeOf(op).empty() ? "concat" : scopeOf(op)) +
                ": concat computed in place by its producers");
  return success();
}

LogicalResult CpuFastEmitter::emitAdd(AddOp add) {
  Operation *op = add.getOperation();
  if (get(add.getLhs()).cbTotal || get(add.getRhs()).cbTotal)
    return unsupported(op, "add of a slice of a concat");
  if (failed(allocateResult(op, add.getOutput())))
    return failure();
  int64_t c = shapeOf(add.getOutput()).back();
  int64_t count = numElements(add.getOutput());
  // Blocked operands are added whole, padding lanes (zero + zero) included.
  if (blockWidth(add.getOutput()) > 0)
    count = count / c * ceilDiv(c, vw) * vw;
  LayerBlock layer(*this, op, LayerBlock::Flat);
  body().line("add(" + ptr(add.getLhs()) + ", " + ptr(add.getRhs()) + ", " +
              ptr(add.getOutput()) + ", " + Twine(count) +
              ", Activation::None, par);");
  return success();
}

LogicalResult CpuFastEmitter::emitPerChannel(Operation *op) {
  Value input = op->getOperand(0), output = op->getResult(0);
  if (get(input).cbTotal)
    return unsupported(op, "elementwise op on a slice of a concat");
  if (failed(allocateResult(op, output)))
    return failure();
  int64_t vec = blockWidth(output);
  int64_t c = shapeOf(output).back();
  int64_t hw =
      vec ? framesOf(output).h * framesOf(output).w : numElements(output) / c;
  int64_t n = vec ? framesOf(output).batch : 1;
  std::string scale = "nullptr", shift = "nullptr", act = "0";
  if (auto a = dyn_cast<ActivationOp>(op)) {
    std::string e = activationEnum(a.getKind());
    if (e.empty() && a.getKind() != "softplus")
      return unsupported(op, "activation '" + a.getKind() + "'");
    act = e.empty() ? "-1" : "static_cast<int>(" + e + ")";
  } else if (auto b = dyn_cast<BiasAddOp>(op)) {
    shift = ptr(b.getBias());
  } else if (auto ca = dyn_cast<ChannelAffineOp>(op)) {
    scale = ptr(ca.getScale());
    shift = ptr(ca.getShift());
  }
  LayerBlock layer(*this, op, LayerBlock::Flat);
  body().line("channelOp(" + ptr(input) + ", " + ptr(output) + ", " + Twine(n) +
              ", " + Twine(hw) + ", " + Twine(c) + ", " + Twine(vec) + ", " +
              scale + ", " + shift + ", " + act + ");");
  return success();
}

LogicalResult CpuFastEmitter::emitSpatialMean(ReduceMeanOp rm) {
  Operation *op = rm.getOperation();
  ArrayRef<int64_t> axes = rm.getAxes();
  ArrayRef<int64_t> s = shapeOf(rm.getInput());
  if (blockWidth(rm.getInput()) == 0)
    return emitAxisMean(rm, "par");
  if (blockWidth(rm.getInput()) != vw || s.size() != 4 || axes.size() != 2 ||
      axes[0] != 1 || axes[1] != 2 || get(rm.getInput()).cbTotal)
    return unsupported(op, "only the spatial mean of a blocked tensor is "
                           "implemented");
  if (failed(allocateResult(op, rm.getOutput())))
    return failure();
  LayerBlock layer(*this, op, LayerBlock::Flat);
  body().line("globalAvgPool(" + Twine(s[0]) + ", " + Twine(s[1]) + ", " +
              Twine(s[2]) + ", " + Twine(s[3]) + ", " + ptr(rm.getInput()) +
              ", " + ptr(rm.getOutput()) + ", par);");
  return success();
}

LogicalResult CpuFastEmitter::emitSoftmax(SoftmaxOp sm) {
  Operation *op = sm.getOperation();
  if (blockWidth(sm.getInput()) != 0)
    return unsupported(op, "softmax of a blocked tensor");
  if (failed(allocateResult(op, sm.getOutput())))
    return failure();
  int64_t cols = shapeOf(sm.getInput()).back();
  LayerBlock layer(*this, op, LayerBlock::Flat);
  body().line("softmax(" + ptr(sm.getInput()) + ", " + ptr(sm.getOutput()) +
              ", " + Twine(numElements(sm.getInput()) / cols) + ", " +
              Twine(cols) + ", par);");
  return success();
}

std::unique_ptr<ModelEmitter>
codegen::createCpuFastEmitter(ModuleOp module, const CodeGenOptions &options) {
  return std::make_unique<CpuFastEmitter>(module, options);
}
