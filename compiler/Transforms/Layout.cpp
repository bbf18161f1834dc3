//===- Layout.cpp - slim-layout -------------------------------------------===//
//
// The fast CPU kernels keep activations blocked, [N][C/V][H][W][V], so that a
// vector holds V channels of one pixel (5-D NDHWC activations:
// [N][D][C/V][H][W][V], the same layout for each of the N*D frames). This pass
// gives the blocked layout to every activation an op with a blocked kernel
// produces (as the tensor type's encoding) and converts only where a dense NHWC
// tensor meets a blocked one: graph inputs, graph outputs, and the few ops that
// need NHWC element order.
//
//===----------------------------------------------------------------------===//

#include "compiler/Transforms/Passes.h"
#include "dialects/Slim/IR/SlimOps.h"

#include "mlir/IR/PatternMatch.h"

namespace mlir::slim {
#define GEN_PASS_DEF_LAYOUTPASS
#include "compiler/Transforms/Passes.h.inc"
} // namespace mlir::slim

using namespace mlir;
using namespace mlir::slim;

namespace {
bool isBlockable(Value v) { return hasBlockableRank(v.getType()); }

bool is4D(Value v) {
  auto type = llvm::dyn_cast<RankedTensorType>(v.getType());
  return type && type.getRank() == 4;
}

/// Operands of `op` that are activations it can read in the blocked layout;
/// empty when the op needs NHWC. Weights and per-channel vectors are never
/// blocked. 5-D (NDHWC) activations are blocked as their N*D frames, so the
/// per-channel ops and channel concats take them like 4-D ones.
llvm::SmallVector<unsigned, 2> getBlockedOperands(Operation *op) {
  if (op->getNumResults() != 1 || !isBlockable(op->getResult(0)))
    return {};
  auto inputAndResidual = [&](Value residual) {
    return residual
               ? llvm::SmallVector<unsigned, 2>{0, op->getNumOperands() - 1}
               : llvm::SmallVector<unsigned, 2>{0};
  };
  // The residual, when present, is the last operand of a fused op.
  if (auto conv = dyn_cast<FusedConv2DOp>(op))
    return inputAndResidual(conv.getResidual());
  if (auto conv = dyn_cast<FusedDepthwiseConv2DOp>(op))
    return inputAndResidual(conv.getResidual());
  if (auto conv = dyn_cast<FusedConv3DOp>(op))
    return inputAndResidual(conv.getResidual());
  if (isa<MaxPoolOp, AvgPoolOp, MaxPool3DOp, AvgPool3DOp, ActivationOp,
          ChannelAffineOp, BiasAddOp>(op))
    return {0};
  if (isa<AddOp>(op))
    return {0, 1};
  if (auto concat = dyn_cast<ConcatOp>(op)) {
    int64_t axis = concat.getAxis();
    int64_t rank = concat.getOutput().getType().getRank();
    if (axis != rank - 1 && axis != -1)
      return {};
    llvm::SmallVector<unsigned, 2> all;
    for (unsigned i = 0; i < concat->getNumOperands(); ++i)
      all.push_back(i);
    return all;
  }
  if (auto mean = dyn_cast<ReduceMeanOp>(op)) {
    // Global average pooling keeps a blocked 1x1 map.
    if (mean.getInput().getType().getRank() == 4 && mean.getKeepDims() &&
        mean.getAxes() == llvm::ArrayRef<int64_t>{1, 2})
      return {0};
    return {};
  }
  // The ops below have 4-D blocked kernels only; on 5-D maps they stay
  // dense.
  if (!is4D(op->getResult(0)))
    return {};
  if (isa<FusedConv2DTransposeOp, ResizeOp, InstanceNormOp, BinaryScalarOp,
          LrnOp>(op))
    return {0};
  // Pads and slices keep the blocks whole when they leave channels alone.
  if (auto pad = dyn_cast<PadOp>(op)) {
    llvm::ArrayRef<int64_t> p = pad.getPadding();
    if (p[6] == 0 && p[7] == 0)
      return {0};
    return {};
  }
  if (auto slice = dyn_cast<StridedSliceOp>(op)) {
    auto in = llvm::cast<RankedTensorType>(slice.getInput().getType());
    if (slice.getBegin()[3] == 0 && slice.getStrides()[3] == 1 &&
        slice.getOutput().getType().getShape()[3] == in.getShape()[3])
      return {0};
    return {};
  }
  if (auto binary = dyn_cast<BinaryOp>(op)) {
    // The blocked kernel broadcasts along N, H and W; a broadcast along
    // channels (a [N,H,W,1] mask) would need lanes from another block.
    int64_t channels =
        llvm::cast<RankedTensorType>(binary.getType()).getShape().back();
    for (Value v : op->getOperands())
      if (!is4D(v) ||
          llvm::cast<RankedTensorType>(v.getType()).getShape().back() !=
              channels)
        return {};
    return {0, 1};
  }
  return {};
}

struct LayoutPass : slim::impl::LayoutPassBase<LayoutPass> {
  using LayoutPassBase::LayoutPassBase;

  void runOnOperation() override {
    if (vectorWidth != 8 && vectorWidth != 16) {
      getOperation().emitError("vector-width must be 8 or 16");
      return signalPassFailure();
    }
    func::FuncOp func = getOperation();
    if (func.isExternal())
      return;
    Block &body = func.getBody().front();
    llvm::DenseMap<Value, Value> blocked, dense;
    OpBuilder builder(&getContext());

    auto toBlocked = [&](Value v) -> Value {
      if (Value known = blocked.lookup(v))
        return known;
      // Convert right after the definition: every later reader can share it.
      if (Operation *def = v.getDefiningOp())
        builder.setInsertionPointAfter(def);
      else
        builder.setInsertionPointToStart(&body);
      auto type =
          withLayout(llvm::cast<RankedTensorType>(v.getType()), vectorWidth);
      Value converted = builder.create<ToBlockedOp>(v.getLoc(), type, v);
      blocked[v] = converted;
      return converted;
    };
    auto toDense = [&](Value v, Operation *user) -> Value {
      if (Value known = dense.lookup(v))
        return known;
      // Convert right before the first reader, which comes first in program
      // order, so the dense copy lives no longer than needed.
      builder.setInsertionPoint(user);
      auto type = withLayout(llvm::cast<RankedTensorType>(v.getType()), 0);
      Value converted = builder.create<FromBlockedOp>(v.getLoc(), type, v);
      dense[v] = converted;
      return converted;
    };

    for (Operation &op : llvm::make_early_inc_range(body)) {
      if (isa<ToBlockedOp, FromBlockedOp>(op))
        continue;
      llvm::SmallVector<unsigned, 2> blockedOperands = getBlockedOperands(&op);
      if (!blockedOperands.empty()) {
        for (unsigned i : blockedOperands) {
          Value v = op.getOperand(i);
          if (isBlockable(v) && getLayoutBlock(v.getType()) == 0)
            op.setOperand(i, toBlocked(v));
        }
        Value result = op.getResult(0);
        result.setType(withLayout(
            llvm::cast<RankedTensorType>(result.getType()), vectorWidth));
        continue;
      }
      for (OpOperand &operand : op.getOpOperands())
        if (getLayoutBlock(operand.get().getType()) > 0)
          operand.set(toDense(operand.get(), &op));
    }

    // from_blocked then reshape: the conversion writes NHWC order anyway, so
    // it can write it straight under the reshaped shape.
    for (auto reshape : llvm::make_early_inc_range(body.getOps<ReshapeOp>())) {
      auto convert = reshape.getInput().getDefiningOp<FromBlockedOp>();
      if (!convert || !convert->hasOneUse())
        continue;
      convert.getOutput().setType(reshape.getType());
      reshape.getOutput().replaceAllUsesWith(convert.getOutput());
      reshape.erase();
    }
  }
};
} // namespace
