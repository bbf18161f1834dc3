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
  LogicalResult emitBinary(BinaryOp bin);
  LogicalResult emitBinaryScalar(BinaryScalarOp bin);
  LogicalResult emitLrn(LrnOp lrn);
  LogicalResult emitTile(TileOp tile);
  /// Per-channel ops the fusion left alone: activation, bias_add,
  /// channel_affine, and a blocked dropout (a copy).
  LogicalResult emitPerChannel(Operation *op);
  /// reduce_mean / reduce_sum / reduce_max: the spatial mean of a blocked
  /// map, or any axes of a dense tensor.
  LogicalResult emitReduce(Operation *op);
  LogicalResult emitSoftmax(SoftmaxOp sm);
  // The spatial ops (slim/kernels/conv_transpose.h, spatial.h).
  LogicalResult emitConv2DTranspose(FusedConv2DTransposeOp conv);
  LogicalResult emitResize(ResizeOp resize);
  LogicalResult emitStridedSlice(StridedSliceOp slice);
  LogicalResult emitInstanceNorm(InstanceNormOp norm);
  LogicalResult emitGroupNorm(GroupNormOp norm);

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
      .Case([&](BinaryOp b) { return emitBinary(b); })
      .Case([&](BinaryScalarOp b) { return emitBinaryScalar(b); })
      .Case([&](LrnOp l) { return emitLrn(l); })
      .Case([&](TileOp t) { return emitTile(t); })
      .Case<ActivationOp, BiasAddOp, ChannelAffineOp, DropoutOp>(
          [&](auto) { return emitPerChannel(op); })
      .Case<ReduceMeanOp, ReduceSumOp, ReduceMaxOp>(
          [&](auto) { return emitReduce(op); })
      .Case([&](SoftmaxOp sm) { return emitSoftmax(sm); })
      .Case([&](FusedConv2DTransposeOp c) { return emitConv2DTranspose(c); })
      .Case([&](ResizeOp r) { return emitResize(r); })
      .Case([&](StridedSliceOp s) { return emitStridedSlice(s); })
      .Case([&](InstanceNormOp n) { return emitInstanceNorm(n); })
      .Case([&](GroupNormOp n) { return emitGroupNorm(n); })
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
  writeConv2DParams(body(), "p", conv.input, conv.output, conv.kernel,
                    conv.strides, conv.dilations, conv.pads);
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
  writePool2DParams(
      body(), "p", input, output,
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
  writeConv3DParams(body(), "p", conv.getInput(), conv.getOutput(),
                    conv.getKernel(), conv.getStrides(), conv.getDilations(),
                    conv.getPads());
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
  writePool3DParams(body(), "p", op);
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

LogicalResult CpuFastEmitter::emitBinary(BinaryOp bin) {
  Operation *op = bin.getOperation();
  Value lhs = bin.getLhs(), rhs = bin.getRhs(), out = bin.getOutput();
  if (get(lhs).cbTotal || get(rhs).cbTotal)
    return unsupported(op, "arithmetic on a slice of a concat");
  if (failed(allocateResult(op, out)))
    return failure();
  std::string k = binaryEnum(bin.getKind());
  if (blockWidth(out) > 0) {
    // slim-layout blocks only operands with the result's channels that
    // broadcast along N, H and W.
    ArrayRef<int64_t> y = shapeOf(out), a = shapeOf(lhs), b = shapeOf(rhs);
    LayerBlock layer(*this, op);
    body().line("BlockedBinaryParams p;");
    body().line("p.n = " + Twine(y[0]) + "; p.h = " + Twine(y[1]) +
                "; p.w = " + Twine(y[2]) + "; p.c = " + Twine(y[3]) + ";");
    body().line("p.an = " + Twine(a[0]) + "; p.ah = " + Twine(a[1]) +
                "; p.aw = " + Twine(a[2]) + ";");
    body().line("p.bn = " + Twine(b[0]) + "; p.bh = " + Twine(b[1]) +
                "; p.bw = " + Twine(b[2]) + ";");
    body().line("binaryBlocked(" + k + ", " + ptr(lhs) + ", " + ptr(rhs) +
                ", " + ptr(out) + ", p, par);");
    return success();
  }
  BroadcastShapes s = broadcastShapes(lhs, rhs, out);
  LayerBlock layer(*this, op);
  body().line("static const int64_t a[] = {" + joinInts(s.a) + "};");
  body().line("static const int64_t b[] = {" + joinInts(s.b) + "};");
  body().line("static const int64_t y[] = {" + joinInts(s.y) + "};");
  body().line("binary(" + k + ", " + ptr(lhs) + ", a, " + ptr(rhs) + ", b, " +
              ptr(out) + ", y, " + Twine(s.y.size()) + ", par);");
  return success();
}

LogicalResult CpuFastEmitter::emitBinaryScalar(BinaryScalarOp bin) {
  Operation *op = bin.getOperation();
  Value in = bin.getInput(), out = bin.getOutput();
  if (get(in).cbTotal)
    return unsupported(op, "arithmetic on a slice of a concat");
  if (failed(allocateResult(op, out)))
    return failure();
  std::string args = binaryEnum(bin.getKind()) + ", " + ptr(in) + ", " +
                     fmtFloat(bin.getScalar().convertToFloat()) + ", " +
                     (bin.getScalarFirst() ? "true" : "false") + ", " +
                     ptr(out);
  ArrayRef<int64_t> s = shapeOf(out);
  LayerBlock layer(*this, op, LayerBlock::Flat);
  if (blockWidth(out) > 0)
    body().line("binaryScalarBlocked(" + args + ", " + Twine(s[0]) + ", " +
                Twine(s[1] * s[2]) + ", " + Twine(s[3]) + ", par);");
  else
    body().line("binaryScalar(" + args + ", " + Twine(numElements(out)) +
                ", par);");
  return success();
}

LogicalResult CpuFastEmitter::emitLrn(LrnOp lrn) {
  Operation *op = lrn.getOperation();
  Value in = lrn.getInput(), out = lrn.getOutput();
  if (get(in).cbTotal)
    return unsupported(op, "lrn of a slice of a concat");
  if (failed(allocateResult(op, out)))
    return failure();
  ArrayRef<int64_t> s = shapeOf(out);
  Writer &w = body();
  LayerBlock layer(*this, op);
  w.line("LrnParams p;");
  w.line("p.batch = " + Twine(s[0]) + "; p.pixels = " + Twine(s[1] * s[2]) +
         "; p.channels = " + Twine(s[3]) +
         "; p.vec = " + Twine(blockWidth(out)) + ";");
  w.line("p.depthRadius = " + Twine(lrn.getDepthRadius()) + ";");
  w.line("p.bias = " + fmtFloat(lrn.getBias().convertToFloat()) +
         "; p.alpha = " + fmtFloat(lrn.getAlpha().convertToFloat()) +
         "; p.beta = " + fmtFloat(lrn.getBeta().convertToFloat()) + ";");
  w.line("lrn(p, " + ptr(in) + ", " + ptr(out) + ", par);");
  return success();
}

LogicalResult CpuFastEmitter::emitTile(TileOp tile) {
  Operation *op = tile.getOperation();
  if (blockWidth(tile.getInput()) != 0 || get(tile.getInput()).cbTotal)
    return unsupported(op, "tile of a blocked tensor or a concat's slice");
  if (failed(allocateResult(op, tile.getOutput())))
    return failure();
  LayerBlock layer(*this, op);
  body().line("static const int64_t in[] = {" +
              joinInts(shapeOf(tile.getInput())) + "};");
  body().line("static const int64_t multiples[] = {" +
              joinInts(tile.getMultiples()) + "};");
  body().line("tile(" + ptr(tile.getInput()) + ", in, multiples, " +
              Twine(tile.getMultiples().size()) + ", " + ptr(tile.getOutput()) +
              ", par);");
  return success();
}

LogicalResult CpuFastEmitter::emitPerChannel(Operation *op) {
  Value input = op->getOperand(0), output = op->getResult(0);
  if (get(input).cbTotal)
    return unsupported(op, "elementwise op on a slice of a concat");
  std::string scale = "nullptr", shift = "nullptr", f = "Pointwise::None";
  float alpha = 0.0f;
  if (auto a = dyn_cast<ActivationOp>(op)) {
    f = pointwiseEnum(a.getKind());
    if (f.empty())
      return unsupported(op, "activation '" + a.getKind() + "'");
    if (a.getAlpha())
      alpha = a.getAlpha()->convertToFloat();
  }
  if (failed(allocateResult(op, output)))
    return failure();
  int64_t vec = blockWidth(output);
  ArrayRef<int64_t> s = shapeOf(output);
  int64_t c = s.empty() ? 1 : s.back();
  // Blocked 5-D (NDHWC) maps are N*D frames of the 4-D blocked layout.
  int64_t hw =
      vec ? framesOf(output).h * framesOf(output).w : numElements(output) / c;
  int64_t n = vec ? framesOf(output).batch : 1;
  if (auto b = dyn_cast<BiasAddOp>(op)) {
    shift = ptr(b.getBias());
  } else if (auto ca = dyn_cast<ChannelAffineOp>(op)) {
    scale = ptr(ca.getScale());
    shift = ptr(ca.getShift());
  }
  LayerBlock layer(*this, op, LayerBlock::Flat);
  body().line("channelOp(" + ptr(input) + ", " + ptr(output) + ", " + Twine(n) +
              ", " + Twine(hw) + ", " + Twine(c) + ", " + Twine(vec) + ", " +
              scale + ", " + shift + ", " + f + ", " + fmtFloat(alpha) +
              ", par);");
  return success();
}

LogicalResult CpuFastEmitter::emitReduce(Operation *op) {
  Value input = op->getOperand(0), output = op->getResult(0);
  ArrayRef<int64_t> axes =
      op->getAttrOfType<DenseI64ArrayAttr>("axes").asArrayRef();
  ArrayRef<int64_t> s = shapeOf(input);
  if (get(input).cbTotal)
    return unsupported(op, "a reduction of a slice of a concat");
  bool spatialMean = isa<ReduceMeanOp>(op) && s.size() == 4 &&
                     axes.size() == 2 && axes[0] == 1 && axes[1] == 2;
  if (blockWidth(input) != 0 && (!spatialMean || blockWidth(input) != vw))
    return unsupported(op, "only the spatial mean of a blocked tensor is "
                           "implemented");
  if (failed(allocateResult(op, output)))
    return failure();
  if (blockWidth(input) != 0) {
    LayerBlock layer(*this, op, LayerBlock::Flat);
    body().line("globalAvgPool(" + Twine(s[0]) + ", " + Twine(s[1]) + ", " +
                Twine(s[2]) + ", " + Twine(s[3]) + ", " + ptr(input) + ", " +
                ptr(output) + ", par);");
    return success();
  }
  SmallVector<int64_t, 4> shape(s.begin(), s.end()), reduced;
  for (int64_t d = 0; d < static_cast<int64_t>(s.size()); ++d)
    reduced.push_back(llvm::is_contained(axes, d) ? 1 : 0);
  if (shape.empty()) // A scalar reduces to itself.
    shape.push_back(1), reduced.push_back(0);
  LayerBlock layer(*this, op);
  body().line("static const int64_t shape[] = {" + joinInts(shape) + "};");
  body().line("static const int reduced[] = {" + joinInts(reduced) + "};");
  body().line("reduce(" + reduceEnum(op) + ", " + ptr(input) +
              ", shape, reduced, " + Twine(shape.size()) + ", " + ptr(output) +
              ", par);");
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

LogicalResult CpuFastEmitter::emitConv2DTranspose(FusedConv2DTransposeOp conv) {
  Operation *op = conv.getOperation();
  std::string act = activationEnum(conv.getActivation());
  if (act.empty())
    return unsupported(op,
                       "epilogue activation '" + conv.getActivation() + "'");
  if (blockWidth(conv.getInput()) != vw || blockWidth(conv.getOutput()) != vw ||
      conv.getPacking() != "conv2d_transpose")
    return unsupported(op, "the fast transposed convolution needs blocked "
                           "activations and a 'conv2d_transpose' packing");
  if (get(conv.getInput()).cbTotal)
    return unsupported(op, "a transposed convolution of a slice of a concat");
  ArrayRef<int64_t> in = shapeOf(conv.getInput()),
                    out = shapeOf(conv.getOutput());
  ArrayRef<int64_t> kernel = conv.getKernel(), strides = conv.getStrides(),
                    pads = conv.getPads();
  // The kernel lists the kernel rows that reach an output row on its stack.
  if (kernel[0] > 64)
    return unsupported(op, "kernels taller than 64 rows");
  if (failed(allocateResult(op, conv.getOutput())))
    return failure();
  Writer &w = body();
  LayerBlock layer(*this, op);
  w.line("Conv2DTransposeParams p;");
  w.line("p.batch = " + Twine(in[0]) + "; p.inH = " + Twine(in[1]) +
         "; p.inW = " + Twine(in[2]) + "; p.inC = " + Twine(in[3]) + ";");
  w.line("p.outH = " + Twine(out[1]) + "; p.outW = " + Twine(out[2]) +
         "; p.outC = " + Twine(out[3]) + ";");
  w.line("p.kernelH = " + Twine(kernel[0]) + "; p.kernelW = " +
         Twine(kernel[1]) + "; p.strideH = " + Twine(strides[0]) +
         "; p.strideW = " + Twine(strides[1]) + ";");
  w.line("p.padTop = " + Twine(pads[0]) + "; p.padLeft = " + Twine(pads[2]) +
         ";");
  w.line("p.act = " + act + ";");
  w.line("conv2dTranspose(p, " + ptr(conv.getInput()) + ", " +
         ptr(conv.getFilter()) + ", " + optPtr(conv.getBias()) + ", " +
         optPtr(conv.getScale()) + ", " + optPtr(conv.getShift()) + ", " +
         ptr(conv.getOutput()) + ", par);");
  return success();
}

LogicalResult CpuFastEmitter::emitResize(ResizeOp resize) {
  Operation *op = resize.getOperation();
  if (get(resize.getInput()).cbTotal)
    return unsupported(op, "a resize of a slice of a concat");
  if (failed(allocateResult(op, resize.getOutput())))
    return failure();
  ArrayRef<int64_t> in = shapeOf(resize.getInput()),
                    out = shapeOf(resize.getOutput());
  // Blocked: N * Cb images of vw channels each.
  int64_t vec = blockWidth(resize.getInput());
  int64_t planes = vec ? in[0] * ceilDiv(in[3], vec) : in[0];
  int64_t lanes = vec ? vec : in[3];
  LayerBlock layer(*this, op, LayerBlock::Flat);
  body().line("resizeImage(" + ptr(resize.getInput()) + ", " +
              ptr(resize.getOutput()) + ", " + Twine(planes) + ", " +
              Twine(in[1]) + ", " + Twine(in[2]) + ", " + Twine(lanes) + ", " +
              Twine(out[1]) + ", " + Twine(out[2]) + ", " +
              (resize.getMethod() == "bilinear" ? "true" : "false") + ", " +
              (resize.getAlignCorners() ? "true" : "false") + ", " +
              (resize.getHalfPixelCenters() ? "true" : "false") + ", par);");
  return success();
}

LogicalResult CpuFastEmitter::emitStridedSlice(StridedSliceOp slice) {
  Operation *op = slice.getOperation();
  ArrayRef<int64_t> in = shapeOf(slice.getInput()),
                    out = shapeOf(slice.getOutput());
  if (in.size() > 8)
    return unsupported(op, "slices of more than 8 dimensions");
  if (get(slice.getInput()).cbTotal)
    return unsupported(op, "a slice of a slice of a concat");
  if (failed(allocateResult(op, slice.getOutput())))
    return failure();
  SmallVector<int64_t, 8> dims(in.begin(), in.end()),
      begin(slice.getBegin().begin(), slice.getBegin().end()),
      strides(slice.getStrides().begin(), slice.getStrides().end()),
      outDims(out.begin(), out.end());
  // A blocked tensor is the dense [N, Cb, H, W, vw]; slim-layout blocks
  // only slices that keep every channel.
  if (int64_t vec = blockWidth(slice.getInput())) {
    int64_t cb = ceilDiv(in[3], vec);
    dims = {in[0], cb, in[1], in[2], vec};
    begin = {begin[0], 0, begin[1], begin[2], 0};
    strides = {strides[0], 1, strides[1], strides[2], 1};
    outDims = {out[0], cb, out[1], out[2], vec};
  }
  LayerBlock layer(*this, op);
  body().line("static const int64_t dims[] = {" + joinInts(dims) + "};");
  body().line("static const int64_t begin[] = {" + joinInts(begin) + "};");
  body().line("static const int64_t strides[] = {" + joinInts(strides) + "};");
  body().line("static const int64_t out[] = {" + joinInts(outDims) + "};");
  body().line("stridedSliceNd(" + ptr(slice.getInput()) + ", " +
              ptr(slice.getOutput()) + ", " + Twine(dims.size()) +
              ", dims, begin, strides, out, par);");
  return success();
}

LogicalResult CpuFastEmitter::emitInstanceNorm(InstanceNormOp norm) {
  Operation *op = norm.getOperation();
  if (get(norm.getInput()).cbTotal)
    return unsupported(op, "an instance norm of a slice of a concat");
  if (failed(allocateResult(op, norm.getOutput())))
    return failure();
  ArrayRef<int64_t> in = shapeOf(norm.getInput());
  int64_t c = in.back();
  LayerBlock layer(*this, op, LayerBlock::Flat);
  body().line("instanceNorm(" + ptr(norm.getInput()) + ", " +
              ptr(norm.getOutput()) + ", " + Twine(in[0]) + ", " +
              Twine(numElements(norm.getInput()) / (in[0] * c)) + ", " +
              Twine(c) + ", " + Twine(blockWidth(norm.getInput())) + ", " +
              optPtr(norm.getBeta()) + ", " + optPtr(norm.getGamma()) + ", " +
              fmtFloat(norm.getEpsilon().convertToDouble()) + ", par);");
  return success();
}

LogicalResult CpuFastEmitter::emitGroupNorm(GroupNormOp norm) {
  Operation *op = norm.getOperation();
  if (blockWidth(norm.getInput()))
    return unsupported(op, "a group norm of a blocked tensor");
  if (failed(allocateResult(op, norm.getOutput())))
    return failure();
  LayerBlock layer(*this, op);
  body().line("static const int64_t dims[] = {" +
              joinInts(shapeOf(norm.getInput())) + "};");
  body().line("groupNorm(" + ptr(norm.getInput()) + ", " +
              ptr(norm.getOutput()) + ", " + groupNormArgs(norm) + ", par);");
  return success();
}

std::unique_ptr<ModelEmitter>
codegen::createCpuFastEmitter(ModuleOp module, const CodeGenOptions &options) {
  return std::make_unique<CpuFastEmitter>(module, options);
}
