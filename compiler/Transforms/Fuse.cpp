//===- Fuse.cpp - slim-fuse -----------------------------------------------===//
//
// Turns each conv2d / depthwise_conv2d / conv3d / matmul (and
// conv2d_transpose, see fuseTransposedConv) and the chain of per-channel and
// elementwise ops after it into one fused op whose epilogue the CPU kernel
// applies while the output tile is still in registers:
//
//   linear -> [bias_add] -> [channel_affine] -> [add residual] -> [activation]
//
// Batch norm (channel_affine) folds into the weights and bias with a
// load-time slim.fold_scale_shift, since the weights are only known once
// variables are loaded. A fully connected layer over a flattened map becomes
// the equivalent convolution, which needs no NHWC copy of the map.
//
//===----------------------------------------------------------------------===//

#include "compiler/Transforms/Passes.h"
#include "dialects/Slim/IR/SlimOps.h"

#include "mlir/IR/PatternMatch.h"

namespace mlir::slim {
#define GEN_PASS_DEF_FUSEPASS
#include "compiler/Transforms/Passes.h.inc"
} // namespace mlir::slim

using namespace mlir;
using namespace mlir::slim;

namespace {
bool isLinearLayer(Operation *op) {
  return isa<Conv2DOp, DepthwiseConv2DOp, Conv3DOp, MatMulOp>(op);
}

/// The only user of `v` if it has exactly one use (a function result counts
/// as a use, so a model output never fuses into a later op).
Operation *getSoleUser(Value v) {
  if (!v.hasOneUse())
    return nullptr;
  return *v.getUsers().begin();
}

/// The linear layer at the head of the fusable chain that ends in `v`, if
/// any: what would take `v`'s consumer as its own epilogue.
Operation *getChainHead(Value v) {
  Operation *op = v.getDefiningOp();
  while (op && isa<BiasAddOp, ChannelAffineOp>(op) &&
         op->getOperand(0).hasOneUse())
    op = op->getOperand(0).getDefiningOp();
  return op && isLinearLayer(op) ? op : nullptr;
}

/// What a chain starting at a linear layer fuses.
struct Chain {
  Operation *linear = nullptr;
  llvm::SmallVector<Operation *, 4> ops; ///< Fused ops after `linear`.
  Value bias, scale, shift, residual;
  llvm::StringRef activation = "none";
};

Chain matchChain(Operation *linear) {
  Chain chain;
  chain.linear = linear;
  Value current = linear->getResult(0);
  auto next = [&](Operation *op) {
    chain.ops.push_back(op);
    current = op->getResult(0);
  };
  if (auto biasAdd = dyn_cast_or_null<BiasAddOp>(getSoleUser(current))) {
    if (biasAdd.getInput() == current) {
      chain.bias = biasAdd.getBias();
      next(biasAdd);
    }
  }
  if (auto affine = dyn_cast_or_null<ChannelAffineOp>(getSoleUser(current))) {
    if (affine.getInput() == current) {
      chain.scale = affine.getScale();
      chain.shift = affine.getShift();
      next(affine);
    }
  }
  if (auto add = dyn_cast_or_null<AddOp>(getSoleUser(current))) {
    Value other = add.getLhs() == current ? add.getRhs() : add.getLhs();
    // When both summands end fusable chains, the later one takes the add:
    // the earlier result (ResNet's shortcut) is then already computed and
    // the fused op stays where the add was.
    Operation *otherHead = getChainHead(other);
    bool otherIsLater = otherHead && otherHead != linear &&
                        otherHead->getBlock() == linear->getBlock() &&
                        linear->isBeforeInBlock(otherHead);
    if (other != current && !otherIsLater) {
      chain.residual = other;
      next(add);
    }
  }
  if (auto act = dyn_cast_or_null<ActivationOp>(getSoleUser(current))) {
    if (isFusableActivation(act.getKind())) {
      chain.activation = act.getKind();
      next(act);
    }
  }
  return chain;
}

void fuseChain(RewriterBase &rewriter, const Chain &chain) {
  Operation *linear = chain.linear;
  Operation *last = chain.ops.empty() ? linear : chain.ops.back();
  // Everything the fused op reads dominates the last op of the chain, so the
  // fused op takes its place.
  rewriter.setInsertionPoint(last);
  llvm::SmallVector<Location> locs = {linear->getLoc()};
  for (Operation *op : chain.ops)
    locs.push_back(op->getLoc());
  Location loc = rewriter.getFusedLoc(locs);

  Value filter = linear->getOperand(1);
  Value bias = chain.bias;
  if (chain.scale) {
    auto fold = rewriter.create<FoldScaleShiftOp>(
        loc, filter.getType(), chain.scale.getType(), filter, bias, chain.scale,
        chain.shift);
    filter = fold.getFoldedWeights();
    bias = fold.getFoldedBias();
  }
  Value input = linear->getOperand(0);
  Type type = last->getResult(0).getType();
  auto activation = rewriter.getStringAttr(chain.activation);
  auto scope = linear->getAttrOfType<StringAttr>("scope");
  Value fused;
  if (auto conv = dyn_cast<Conv2DOp>(linear)) {
    auto filterShape = conv.getFilter().getType().getShape();
    fused = rewriter.create<FusedConv2DOp>(
        loc, type, input, filter, bias, chain.residual,
        rewriter.getDenseI64ArrayAttr({filterShape[0], filterShape[1]}),
        conv.getStridesAttr(), conv.getDilationsAttr(), conv.getPadsAttr(),
        activation, scope, StringAttr(), IntegerAttr());
  } else if (auto conv = dyn_cast<Conv3DOp>(linear)) {
    auto filterShape = conv.getFilter().getType().getShape();
    fused = rewriter.create<FusedConv3DOp>(
        loc, type, input, filter, bias, chain.residual,
        rewriter.getDenseI64ArrayAttr(filterShape.take_front(3)),
        conv.getStridesAttr(), conv.getDilationsAttr(), conv.getPadsAttr(),
        activation, scope, StringAttr(), IntegerAttr());
  } else if (auto conv = dyn_cast<DepthwiseConv2DOp>(linear)) {
    auto filterShape = conv.getFilter().getType().getShape();
    fused = rewriter.create<FusedDepthwiseConv2DOp>(
        loc, type, input, filter, bias, chain.residual,
        rewriter.getDenseI64ArrayAttr({filterShape[0], filterShape[1]}),
        conv.getStridesAttr(), conv.getDilationsAttr(), conv.getPadsAttr(),
        activation, scope, StringAttr(), IntegerAttr());
  } else {
    fused = rewriter.create<FusedMatMulOp>(loc, type, input, filter, bias,
                                           chain.residual, activation, scope,
                                           StringAttr(), IntegerAttr());
  }
  rewriter.replaceOp(last, fused);
  // The rest of the chain is now dead: each link had a single user.
  for (Operation *op : llvm::reverse(chain.ops))
    if (op != last)
      rewriter.eraseOp(op);
  if (linear != last)
    rewriter.eraseOp(linear);
}

/// fully_connected over a flattened NHWC map,
///   fused_matmul(reshape(x : [N,H,W,C] -> [N,H*W*C]), w : [H*W*C, M])
/// is a HxW VALID convolution of x with w viewed as HWIO [H,W,C,M]: the
/// flatten order (h, w, c) is the HWIO row order. As a convolution it reads
/// the activation in whatever layout slim-layout picks, where the matmul
/// would need an NHWC copy. Returns whether it rewrote `fc`.
bool convertFlattenedMatMul(RewriterBase &rewriter, FusedMatMulOp fc) {
  auto flatten = fc.getInput().getDefiningOp<ReshapeOp>();
  if (!flatten || !flatten->hasOneUse() || fc.getResidual())
    return false;
  auto map = flatten.getInput().getType();
  auto flat = flatten.getOutput().getType().getShape();
  auto weights = llvm::cast<RankedTensorType>(fc.getFilter().getType());
  if (map.getRank() != 4 || flat.size() != 2 || flat[0] != map.getDimSize(0) ||
      weights.getRank() != 2)
    return false;
  int64_t h = map.getDimSize(1), w = map.getDimSize(2), c = map.getDimSize(3);
  int64_t outC = weights.getDimSize(1);
  rewriter.setInsertionPoint(fc);
  Location loc = fc.getLoc();
  auto filterType =
      RankedTensorType::get({h, w, c, outC}, weights.getElementType());
  Value filter = rewriter.create<ReshapeOp>(loc, filterType, fc.getFilter(),
                                            fc.getScopeAttr());
  auto convType = RankedTensorType::get({map.getDimSize(0), 1, 1, outC},
                                        weights.getElementType());
  Value conv = rewriter.create<FusedConv2DOp>(
      loc, convType, flatten.getInput(), filter, fc.getBias(), Value(),
      rewriter.getDenseI64ArrayAttr({h, w}),
      rewriter.getDenseI64ArrayAttr({1, 1}),
      rewriter.getDenseI64ArrayAttr({1, 1}),
      rewriter.getDenseI64ArrayAttr({0, 0, 0, 0}), fc.getActivationAttr(),
      fc.getScopeAttr(), StringAttr(), IntegerAttr());
  rewriter.replaceOpWithNewOp<ReshapeOp>(fc, fc.getType(), conv,
                                         fc.getScopeAttr());
  rewriter.eraseOp(flatten);
  return true;
}

/// conv2d_transpose -> [bias_add] -> [channel_affine] -> [activation] as one
/// fused_conv2d_transpose. The affine stays in the epilogue (its filter's
/// output channels are not the last axis, so fold_scale_shift does not
/// apply), and there is no residual: no net adds one there.
void fuseTransposedConv(RewriterBase &rewriter, Conv2DTransposeOp conv) {
  llvm::SmallVector<Operation *, 3> ops;
  Value current = conv.getOutput(), bias, scale, shift;
  llvm::StringRef activation = "none";
  if (auto op = dyn_cast_or_null<BiasAddOp>(getSoleUser(current));
      op && op.getInput() == current) {
    bias = op.getBias();
    ops.push_back(op);
    current = op.getOutput();
  }
  if (auto op = dyn_cast_or_null<ChannelAffineOp>(getSoleUser(current));
      op && op.getInput() == current) {
    scale = op.getScale();
    shift = op.getShift();
    ops.push_back(op);
    current = op.getOutput();
  }
  if (auto op = dyn_cast_or_null<ActivationOp>(getSoleUser(current));
      op && isFusableActivation(op.getKind())) {
    activation = op.getKind();
    ops.push_back(op);
    current = op.getOutput();
  }
  Operation *last = ops.empty() ? conv.getOperation() : ops.back();
  rewriter.setInsertionPoint(last);
  llvm::SmallVector<Location> locs = {conv.getLoc()};
  for (Operation *op : ops)
    locs.push_back(op->getLoc());
  auto filterShape = conv.getFilter().getType().getShape();
  Value fused = rewriter.create<FusedConv2DTransposeOp>(
      rewriter.getFusedLoc(locs), current.getType(), conv.getInput(),
      conv.getFilter(), bias, scale, shift,
      rewriter.getDenseI64ArrayAttr({filterShape[0], filterShape[1]}),
      conv.getStridesAttr(), conv.getPadsAttr(),
      rewriter.getStringAttr(activation), conv.getScopeAttr(), StringAttr(),
      IntegerAttr());
  rewriter.replaceOp(last, fused);
  for (Operation *op : llvm::reverse(ops))
    if (op != last)
      rewriter.eraseOp(op);
  if (last != conv.getOperation())
    rewriter.eraseOp(conv);
}

struct FusePass : slim::impl::FusePassBase<FusePass> {
  void runOnOperation() override {
    llvm::SmallVector<Operation *> linears;
    getOperation().walk([&](Operation *op) {
      if (isLinearLayer(op))
        linears.push_back(op);
    });
    IRRewriter rewriter(&getContext());
    for (Operation *linear : linears)
      fuseChain(rewriter, matchChain(linear));
    llvm::SmallVector<FusedMatMulOp> fcs;
    getOperation().walk([&](FusedMatMulOp fc) { fcs.push_back(fc); });
    for (FusedMatMulOp fc : fcs)
      convertFlattenedMatMul(rewriter, fc);
    llvm::SmallVector<Conv2DTransposeOp> transposed;
    getOperation().walk(
        [&](Conv2DTransposeOp op) { transposed.push_back(op); });
    for (Conv2DTransposeOp conv : transposed)
      fuseTransposedConv(rewriter, conv);
  }
};
} // namespace
