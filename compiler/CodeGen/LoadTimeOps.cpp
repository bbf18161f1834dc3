//===- LoadTimeOps.cpp - The ops of @slim_prepare -------------------------===//
//
// `prepare` is host code on every target (model_abi.h): it turns variables
// into derived parameters with the load-time transforms of
// slim/kernels/pack.h (batch-norm scale/shift, folding into the producing
// layer's weights, packing for the microkernels), the constants the passes
// made (slim.splat) and whatever arithmetic the model does on variables
// alone (`x * tf.sigmoid(gate)` with `gate` a variable: the single-threaded
// dense kernels of slim/kernels/elementwise.h and misc.h). Temporaries live
// in the runtime's scratch; results go straight into their parameter when
// nothing else reads them.
//
//===----------------------------------------------------------------------===//

#include "compiler/CodeGen/ModelEmitter.h"

using namespace mlir;
using namespace mlir::slim;
using namespace mlir::slim::codegen;

LogicalResult ModelEmitter::emitLoadTimeOp(Operation *op) {
  Writer &w = body();
  if (isa<BnScaleShiftOp, FoldScaleShiftOp>(op)) {
    auto offs = op->getAttrOfType<DenseI64ArrayAttr>("arena_offsets");
    for (unsigned i = 0; i < 2; ++i)
      if (failed(
              allocatePrepareResult(op, op->getResult(i), offs ? offs[i] : -1)))
        return failure();
  }
  if (auto bn = dyn_cast<BnScaleShiftOp>(op)) {
    w.line("batchNormScaleShift(" + Twine(numElements(bn.getScale())) + ", " +
           optPtr(bn.getGamma()) + ", " + optPtr(bn.getBeta()) + ", " +
           ptr(bn.getMovingMean()) + ", " + ptr(bn.getMovingVariance()) + ", " +
           fmtFloat(bn.getEpsilon().convertToDouble()) + ", " +
           ptr(bn.getScale()) + ", " + ptr(bn.getShift()) + ");");
    return success();
  }
  if (auto fold = dyn_cast<FoldScaleShiftOp>(op)) {
    // Folding works in place, so it starts from copies of the weights and
    // bias (zeros for a layer without one).
    int64_t cout = numElements(fold.getScale());
    int64_t total = numElements(fold.getWeights());
    w.line("std::memcpy(" + ptr(fold.getFoldedWeights()) + ", " +
           ptr(fold.getWeights()) + ", " + Twine(total * 4) + ");");
    if (fold.getBias())
      w.line("std::memcpy(" + ptr(fold.getFoldedBias()) + ", " +
             ptr(fold.getBias()) + ", " + Twine(cout * 4) + ");");
    else
      w.line("std::memset(" + ptr(fold.getFoldedBias()) + ", 0, " +
             Twine(cout * 4) + ");");
    w.line("foldScaleShift(" + ptr(fold.getFoldedWeights()) + ", " +
           Twine(total / cout) + ", " + Twine(cout) + ", " +
           ptr(fold.getFoldedBias()) + ", " + ptr(fold.getScale()) + ", " +
           ptr(fold.getShift()) + ");");
    return success();
  }
  if (auto pack = dyn_cast<PackFilterOp>(op)) {
    // The packing functions use the kernels' compiled vector width.
    if (static_cast<int64_t>(pack.getVectorWidth()) != options.vectorWidth)
      return unsupported(op, "packed for vector width " +
                                 Twine(pack.getVectorWidth()));
    auto offs = op->getAttrOfType<IntegerAttr>("arena_offset");
    if (failed(allocatePrepareResult(op, pack.getPacked(),
                                     offs ? offs.getInt() : -1)))
      return failure();
    ArrayRef<int64_t> f = shapeOf(pack.getFilter());
    std::string src = ptr(pack.getFilter()), dst = ptr(pack.getPacked());
    StringRef kind = pack.getKind();
    if (kind == "conv2d" && f.size() == 4)
      w.line("packConv2dWeights(" + src + ", " + Twine(f[0]) + ", " +
             Twine(f[1]) + ", " + Twine(f[2]) + ", " + Twine(f[3]) + ", " +
             dst + ");");
    else if (kind == "depthwise" && f.size() == 4)
      w.line("packDepthwiseWeights(" + src + ", " + Twine(f[0]) + ", " +
             Twine(f[1]) + ", " + Twine(f[2] * f[3]) + ", " + dst + ");");
    else if (kind == "fc" && f.size() == 2)
      w.line("packFullyConnectedWeights(" + src + ", " + Twine(f[0]) + ", " +
             Twine(f[1]) + ", " + dst + sourceConsumer(op, pack.getFilter()) +
             ");");
    else if (kind == "conv3d" && f.size() == 5)
      w.line("packConv3dWeights(" + src + ", " + Twine(f[0]) + ", " +
             Twine(f[1]) + ", " + Twine(f[2]) + ", " + Twine(f[3]) + ", " +
             Twine(f[4]) + ", " + dst + ");");
    else if (kind == "fc_blocked" && f.size() == 4)
      w.line("packFullyConnectedWeightsBlocked(" + src + ", " + Twine(f[0]) +
             ", " + Twine(f[1]) + ", " + Twine(f[2]) + ", " + Twine(f[3]) +
             ", " + dst + sourceConsumer(op, pack.getFilter()) + ");");
    else if (kind == "conv2d_transpose" && f.size() == 4)
      w.line("packConv2dTransposeWeights(" + src + ", " + Twine(f[0]) + ", " +
             Twine(f[1]) + ", " + Twine(f[2]) + ", " + Twine(f[3]) + ", " +
             dst + ");");
    else
      return unsupported(op, "packing '" + kind + "'");
    return success();
  }
  if (isa<SplatOp, BinaryOp, BinaryScalarOp, ActivationOp, ChannelAffineOp,
          BiasAddOp, TileOp>(op)) {
    for (Value v : op->getOperands())
      if (blockWidth(v) != 0)
        return unsupported(op, "a blocked tensor at load time");
    auto offs = op->getAttrOfType<IntegerAttr>("arena_offset");
    if (failed(allocatePrepareResult(op, op->getResult(0),
                                     offs ? offs.getInt() : -1)))
      return failure();
  }
  std::string result =
      op->getNumResults() == 1 ? ptr(op->getResult(0)) : std::string();
  if (auto splat = dyn_cast<SplatOp>(op)) {
    w.line("slim::kernels::fill(" + result + ", " +
           Twine(numElements(splat.getOutput())) + ", " +
           fmtFloat(splat.getValue().convertToFloat()) + ");");
    return success();
  }
  if (auto bin = dyn_cast<BinaryOp>(op)) {
    BroadcastShapes s =
        broadcastShapes(bin.getLhs(), bin.getRhs(), bin.getOutput());
    w.line("{");
    w.line("  static const int64_t a[] = {" + joinInts(s.a) + "};");
    w.line("  static const int64_t b[] = {" + joinInts(s.b) + "};");
    w.line("  static const int64_t y[] = {" + joinInts(s.y) + "};");
    w.line(
        "  slim::kernels::binary(slim::kernels::" + binaryEnum(bin.getKind()) +
        ", " + ptr(bin.getLhs()) + ", a, " + ptr(bin.getRhs()) + ", b, " +
        result + ", y, " + Twine(s.y.size()) + ");");
    w.line("}");
    return success();
  }
  if (auto bin = dyn_cast<BinaryScalarOp>(op)) {
    w.line("slim::kernels::binaryScalar(slim::kernels::" +
           binaryEnum(bin.getKind()) + ", " + ptr(bin.getInput()) + ", " +
           fmtFloat(bin.getScalar().convertToFloat()) + ", " +
           (bin.getScalarFirst() ? "true" : "false") + ", " + result + ", " +
           Twine(numElements(bin.getOutput())) + ");");
    return success();
  }
  if (auto tile = dyn_cast<TileOp>(op)) {
    w.line("{");
    w.line("  static const int64_t in[] = {" +
           joinInts(shapeOf(tile.getInput())) + "};");
    w.line("  static const int64_t multiples[] = {" +
           joinInts(tile.getMultiples()) + "};");
    w.line("  slim::kernels::tile(" + ptr(tile.getInput()) +
           ", in, multiples, " + Twine(tile.getMultiples().size()) + ", " +
           result + ");");
    w.line("}");
    return success();
  }
  if (isa<ActivationOp, ChannelAffineOp, BiasAddOp>(op)) {
    std::string scale = "nullptr", shift = "nullptr", f = "Pointwise::None";
    float alpha = 0.0f;
    if (auto act = dyn_cast<ActivationOp>(op)) {
      f = pointwiseEnum(act.getKind());
      if (act.getAlpha())
        alpha = act.getAlpha()->convertToFloat();
    } else if (auto bias = dyn_cast<BiasAddOp>(op)) {
      shift = ptr(bias.getBias());
    } else {
      auto affine = cast<ChannelAffineOp>(op);
      scale = ptr(affine.getScale());
      shift = ptr(affine.getShift());
    }
    ArrayRef<int64_t> shape = shapeOf(op->getResult(0));
    int64_t c = shape.empty() ? 1 : shape.back();
    w.line("slim::kernels::channelOp(" + ptr(op->getOperand(0)) + ", " +
           result + ", 1, " + Twine(numElements(op->getResult(0)) / c) + ", " +
           Twine(c) + ", 0, " + scale + ", " + shift + ", slim::kernels::" + f +
           ", " + fmtFloat(alpha) + ");");
    return success();
  }
  if (auto write = dyn_cast<WriteParamOp>(op)) {
    unsigned index = paramIndex.lookup(write.getName());
    auto in = inParam.find(write.getValue());
    // Computed straight into this parameter (or a view of it): nothing to
    // copy.
    if ((in != inParam.end() && in->second == index) ||
        ptr(write.getValue()) == bufferPtr(Buffer::PreparedParam, index))
      return success();
    body().line("std::memcpy(params[" + Twine(index) + "], " +
                ptr(write.getValue()) + ", " +
                Twine(numElements(write.getValue()) * 4) + ");");
    return success();
  }
  return unsupported(op, "not a load-time op the code generator knows");
}
