//===- LoadTimeOps.cpp - The ops of @slim_prepare -------------------------===//
//
// `prepare` is host code on every target (model_abi.h): it turns variables
// into derived parameters with the load-time transforms of
// slim/kernels/pack.h (batch-norm scale/shift, folding into the producing
// layer's weights, packing for the microkernels). Temporaries live in the
// runtime's scratch; results go straight into their parameter when nothing
// else reads them.
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
             Twine(f[1]) + ", " + dst + ");");
    else if (kind == "conv3d" && f.size() == 5)
      w.line("packConv3dWeights(" + src + ", " + Twine(f[0]) + ", " +
             Twine(f[1]) + ", " + Twine(f[2]) + ", " + Twine(f[3]) + ", " +
             Twine(f[4]) + ", " + dst + ");");
    else if (kind == "fc_blocked" && f.size() == 4)
      w.line("packFullyConnectedWeightsBlocked(" + src + ", " + Twine(f[0]) +
             ", " + Twine(f[1]) + ", " + Twine(f[2]) + ", " + Twine(f[3]) +
             ", " + dst + ");");
    else
      return unsupported(op, "packing '" + kind + "'");
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
