//===- InferenceSimplify.cpp - slim-inference-simplify --------------------===//
//
// Removes what an inference graph does not compute and turns inference batch
// norm into a per-channel affine whose coefficients are a load-time transform
// of the batch norm's variables. Arithmetic that is a per-channel affine
// (`x * 0.17`, `x - 3`, `x * gamma` with gamma a vector of variables) becomes
// one too, and consecutive affines compose, so that slim-fuse folds them
// into the layer before them (Inception-ResNet's scaled residual).
//
//===----------------------------------------------------------------------===//

#include "compiler/Transforms/Passes.h"
#include "dialects/Slim/IR/SlimOps.h"

#include "mlir/IR/PatternMatch.h"
#include "mlir/Interfaces/SideEffectInterfaces.h"

#include "mlir/Transforms/GreedyPatternRewriteDriver.h"
#include <cmath>
#include <type_traits>

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

/// A [C] vector of `value`, computed at load time: one per value and size
/// at the start of the function, shared by every op that needs it.
Value splat(PatternRewriter &rewriter, Operation *user, int64_t channels,
            float value) {
  auto type = RankedTensorType::get({channels}, rewriter.getF32Type());
  auto attr = rewriter.getF32FloatAttr(value);
  Block &entry = user->getParentRegion()->front();
  for (auto existing : entry.getOps<SplatOp>())
    if (existing.getType() == type && existing.getValueAttr() == attr)
      return existing;
  OpBuilder::InsertionGuard guard(rewriter);
  rewriter.setInsertionPointToStart(&entry);
  return rewriter.create<SplatOp>(user->getLoc(), type, attr);
}

/// Whether `v` is computed from variables only (so at load time).
bool isLoadTime(Value v) {
  Operation *def = v.getDefiningOp();
  if (!def)
    return false;
  if (isa<ReadVariableOp, SplatOp>(def))
    return true;
  return def->getNumOperands() > 0 && def->getNumRegions() == 0 &&
         isMemoryEffectFree(def) &&
         llvm::all_of(def->getOperands(), isLoadTime);
}

/// Whether a float is a power of two, so that dividing by it and multiplying
/// by its reciprocal round alike.
bool isPowerOfTwo(float s) {
  int exp;
  return s != 0.0f && std::isfinite(s) && std::frexp(s, &exp) == 0.5f;
}

/// x op s with a number s -> channel_affine(x, splat(scale), splat(shift))
/// where that is exact: x * s, x + s, x - s, s - x, and x / s for a power of
/// two s. Division by any other number, s / x, max and min stay.
struct ScalarArithmeticToAffine : OpRewritePattern<BinaryScalarOp> {
  using OpRewritePattern::OpRewritePattern;
  LogicalResult matchAndRewrite(BinaryScalarOp op,
                                PatternRewriter &rewriter) const override {
    auto type = op.getInput().getType();
    if (type.getRank() < 1)
      return failure();
    float s = op.getScalar().convertToFloat();
    StringRef kind = op.getKind();
    bool first = op.getScalarFirst();
    float scale, shift;
    if (kind == "mul") {
      scale = s, shift = 0.0f;
    } else if (kind == "add") {
      scale = 1.0f, shift = s;
    } else if (kind == "sub") {
      scale = first ? -1.0f : 1.0f, shift = first ? s : -s;
    } else if (kind == "div" && !first && isPowerOfTwo(s)) {
      scale = 1.0f / s, shift = 0.0f;
    } else {
      return failure();
    }
    int64_t c = type.getShape().back();
    rewriter.replaceOpWithNewOp<ChannelAffineOp>(
        op, op.getType(), op.getInput(), splat(rewriter, op, c, scale),
        splat(rewriter, op, c, shift), op.getScopeAttr());
    return success();
  }
};

/// x op v with v a load-time vector along x's last axis ([C] or
/// [1, ..., 1, C]) -> a channel_affine: x * v, x + v, x - v and v - x.
struct VectorArithmeticToAffine : OpRewritePattern<BinaryOp> {
  using OpRewritePattern::OpRewritePattern;
  LogicalResult matchAndRewrite(BinaryOp op,
                                PatternRewriter &rewriter) const override {
    auto type = op.getOutput().getType();
    if (type.getRank() < 1 || getLayoutBlock(type) != 0)
      return failure();
    int64_t c = type.getShape().back();
    auto isChannelVector = [&](Value v) {
      auto shape = llvm::cast<RankedTensorType>(v.getType()).getShape();
      return !shape.empty() && shape.back() == c &&
             llvm::all_of(shape.drop_back(), [](int64_t d) { return d == 1; });
    };
    StringRef kind = op.getKind();
    for (int vectorSide = 0; vectorSide < 2; ++vectorSide) {
      Value vec = op->getOperand(vectorSide),
            x = op->getOperand(1 - vectorSide);
      if (x.getType() != type || !isChannelVector(vec) || !isLoadTime(vec))
        continue;
      Location loc = op.getLoc();
      auto vecType = RankedTensorType::get({c}, rewriter.getF32Type());
      if (vec.getType() != vecType)
        vec = rewriter.create<ReshapeOp>(loc, vecType, vec, op.getScopeAttr());
      Value scale, shift;
      if (kind == "mul") {
        scale = vec, shift = splat(rewriter, op, c, 0.0f);
      } else if (kind == "add") {
        scale = splat(rewriter, op, c, 1.0f), shift = vec;
      } else if (kind == "sub" && vectorSide == 1) {
        scale = splat(rewriter, op, c, 1.0f);
        shift = rewriter.create<BinaryScalarOp>(
            loc, vecType, vec, rewriter.getStringAttr("mul"),
            rewriter.getF32FloatAttr(-1.0f), rewriter.getBoolAttr(false),
            op.getScopeAttr());
      } else if (kind == "sub") {
        scale = splat(rewriter, op, c, -1.0f), shift = vec;
      } else {
        return failure();
      }
      rewriter.replaceOpWithNewOp<ChannelAffineOp>(op, type, x, scale, shift,
                                                   op.getScopeAttr());
      return success();
    }
    return failure();
  }
};

/// channel_affine(channel_affine(x, s1, t1), s2, t2) ->
///   channel_affine(x, s1 * s2, t1 * s2 + t2)
/// with the coefficients folded at load time (fold_scale_shift of the
/// vectors s1, t1): a batch norm then a scale is one affine to fold.
struct ComposeAffines : OpRewritePattern<ChannelAffineOp> {
  using OpRewritePattern::OpRewritePattern;
  LogicalResult matchAndRewrite(ChannelAffineOp op,
                                PatternRewriter &rewriter) const override {
    auto inner = op.getInput().getDefiningOp<ChannelAffineOp>();
    if (!inner || !inner->hasOneUse())
      return failure();
    auto fold = rewriter.create<FoldScaleShiftOp>(
        op.getLoc(), inner.getScale().getType(), inner.getShift().getType(),
        inner.getScale(), inner.getShift(), op.getScale(), op.getShift());
    rewriter.replaceOpWithNewOp<ChannelAffineOp>(
        op, op.getType(), inner.getInput(), fold.getFoldedWeights(),
        fold.getFoldedBias(), inner.getScopeAttr());
    return success();
  }
};

/// Whether `tile` only repeats axes of size 1: a broadcast.
bool isBroadcastTile(TileOp tile) {
  auto in = tile.getInput().getType().getShape();
  return llvm::all_of(llvm::zip(in, tile.getMultiples()), [](auto p) {
    return std::get<1>(p) == 1 || std::get<0>(p) == 1;
  });
}

/// act(tile(x)) -> tile(act(x)): the activation then runs on the untiled
/// tensor (S3D-G's sigmoid of its tiled gate).
struct ActivateBeforeTile : OpRewritePattern<ActivationOp> {
  using OpRewritePattern::OpRewritePattern;
  LogicalResult matchAndRewrite(ActivationOp op,
                                PatternRewriter &rewriter) const override {
    auto tile = op.getInput().getDefiningOp<TileOp>();
    if (!tile || !tile->hasOneUse())
      return failure();
    auto act = rewriter.create<ActivationOp>(
        op.getLoc(), tile.getInput().getType(), tile.getInput(),
        op.getKindAttr(), op.getAlphaAttr(), op.getScopeAttr());
    rewriter.replaceOpWithNewOp<TileOp>(
        op, op.getType(), act, tile.getMultiplesAttr(), tile.getScopeAttr());
    return success();
  }
};

/// x op tile(y) -> x op y where the tile only broadcasts and x has the
/// result's shape: the arithmetic broadcasts by itself.
template <typename ArithmeticOp>
struct BroadcastInsteadOfTile : OpRewritePattern<ArithmeticOp> {
  using OpRewritePattern<ArithmeticOp>::OpRewritePattern;
  LogicalResult matchAndRewrite(ArithmeticOp op,
                                PatternRewriter &rewriter) const override {
    Type type = op.getOutput().getType();
    for (int side = 0; side < 2; ++side) {
      auto tile = op->getOperand(side).template getDefiningOp<TileOp>();
      if (!tile || !isBroadcastTile(tile) ||
          op->getOperand(1 - side).getType() != type)
        continue;
      Value lhs = side == 0 ? tile.getInput() : op->getOperand(0);
      Value rhs = side == 1 ? tile.getInput() : op->getOperand(1);
      StringAttr kind;
      if constexpr (std::is_same_v<ArithmeticOp, AddOp>)
        kind = rewriter.getStringAttr("add");
      else
        kind = op.getKindAttr();
      rewriter.replaceOpWithNewOp<BinaryOp>(op, type, lhs, rhs, kind,
                                            op.getScopeAttr());
      return success();
    }
    return failure();
  }
};

struct InferenceSimplifyPass
    : slim::impl::InferenceSimplifyPassBase<InferenceSimplifyPass> {
  void runOnOperation() override {
    RewritePatternSet patterns(&getContext());
    populateWithGenerated(patterns);
    patterns
        .add<RemoveZeroPad, MergePadIntoConv<Conv2DOp>,
             MergePadIntoConv<DepthwiseConv2DOp>, FoldInferenceBatchNorm,
             ScalarArithmeticToAffine, VectorArithmeticToAffine, ComposeAffines,
             ActivateBeforeTile, BroadcastInsteadOfTile<BinaryOp>,
             BroadcastInsteadOfTile<AddOp>>(&getContext());
    if (failed(
            applyPatternsAndFoldGreedily(getOperation(), std::move(patterns))))
      signalPassFailure();
  }
};
} // namespace
