//===- InferenceSimplify.cpp - slim-inference-simplify --------------------===//
//
// Removes what an inference graph does not compute and turns inference batch
// norm into a per-channel affine whose coefficients are a load-time transform
// of the batch norm's variables.
//
//===----------------------------------------------------------------------===//

#include "compiler/Transforms/Passes.h"
#include "dialects/Slim/IR/SlimOps.h"

#include "mlir/IR/PatternMatch.h"
#include "mlir/Transforms/GreedyPatternRewriteDriver.h"

namespace mlir::slim {
#define GEN_PASS_DEF_INFERENCESIMPLIFYPASS
#include "compiler/Transforms/Passes.h.inc"
} // namespace mlir::slim

using namespace mlir;
using namespace mlir::slim;

namespace {
#include "compiler/Transforms/SimplifyPatterns.inc"

/// A pad whose [before, after] pairs are all zero is the identity.
struct RemoveZeroPad : OpRewritePattern<PadOp> {
  using OpRewritePattern::OpRewritePattern;
  LogicalResult matchAndRewrite(PadOp op,
                                PatternRewriter &rewriter) const override {
    if (llvm::any_of(op.getPadding(), [](int64_t p) { return p != 0; }))
      return failure();
    rewriter.replaceOp(op, op.getInput());
    return success();
  }
};

/// conv(pad(x)) -> conv(x) with the pad added to the conv's own zero pads.
/// Both pad with zeros, so the result is the same; this is how ResNet's
/// `conv2d_same` (tf.pad then a VALID strided conv) becomes one conv. Pooling
/// is deliberately not handled: max pool's padding never wins and avg pool
/// does not count it, unlike a materialized zero pad.
template <typename ConvOp> struct MergePadIntoConv : OpRewritePattern<ConvOp> {
  using OpRewritePattern<ConvOp>::OpRewritePattern;
  LogicalResult matchAndRewrite(ConvOp op,
                                PatternRewriter &rewriter) const override {
    auto pad = op.getInput().template getDefiningOp<PadOp>();
    // A conv pads with zeros only: not with another constant, not mirrored.
    if (!pad || pad.getMode() != "constant" ||
        !pad.getConstantValue().isZero())
      return failure();
    llvm::ArrayRef<int64_t> p = pad.getPadding();
    // NHWC: only H (p[2], p[3]) and W (p[4], p[5]) may be padded.
    if (p.size() != 8 || p[0] || p[1] || p[6] || p[7])
      return failure();
    llvm::ArrayRef<int64_t> pads = op.getPads();
    llvm::SmallVector<int64_t, 4> merged = {pads[0] + p[2], pads[1] + p[3],
                                            pads[2] + p[4], pads[3] + p[5]};
    rewriter.modifyOpInPlace(op, [&] {
      op.getInputMutable().assign(pad.getInput());
      op.setPads(merged);
    });
    return success();
  }
};

/// batch_norm(x) with moving statistics ->
///   %scale, %shift = bn_scale_shift(mean, variance, beta, gamma)
///   channel_affine(x, %scale, %shift)
/// The first op depends only on variables, so it becomes a load-time
/// transform; the second folds into a preceding conv in slim-fuse.
struct FoldInferenceBatchNorm : OpRewritePattern<BatchNormOp> {
  using OpRewritePattern::OpRewritePattern;
  LogicalResult matchAndRewrite(BatchNormOp op,
                                PatternRewriter &rewriter) const override {
    if (op.getIsTraining())
      return failure();
    Type vector = op.getMovingMean().getType();
    auto coefficients = rewriter.create<BnScaleShiftOp>(
        op.getLoc(), vector, vector, op.getMovingMean(), op.getMovingVariance(),
        op.getBeta(), op.getGamma(), op.getEpsilonAttr());
    rewriter.replaceOpWithNewOp<ChannelAffineOp>(
        op, op.getType(), op.getInput(), coefficients.getScale(),
        coefficients.getShift(), op.getScopeAttr());
    return success();
  }
};

struct InferenceSimplifyPass
    : slim::impl::InferenceSimplifyPassBase<InferenceSimplifyPass> {
  void runOnOperation() override {
    RewritePatternSet patterns(&getContext());
    populateWithGenerated(patterns);
    patterns.add<RemoveZeroPad, MergePadIntoConv<Conv2DOp>,
                 MergePadIntoConv<DepthwiseConv2DOp>, FoldInferenceBatchNorm>(
        &getContext());
    if (failed(
            applyPatternsAndFoldGreedily(getOperation(), std::move(patterns))))
      signalPassFailure();
  }
};
} // namespace
