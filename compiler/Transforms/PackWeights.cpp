//===- PackWeights.cpp - slim-pack-weights --------------------------------===//
//
// Each fast kernel streams its weights in its own order (runtime
// slim/kernels/pack.h). The reordering is a load-time transform: this pass
// feeds each fused layer's TF-Slim filter through a slim.pack_filter and
// records the packing on the layer, and slim-hoist-weight-transforms later
// moves the packing into @slim_prepare.
//
//===----------------------------------------------------------------------===//

#include "compiler/Transforms/Passes.h"
#include "dialects/Slim/IR/ShapeRules.h"
#include "dialects/Slim/IR/SlimOps.h"

#include "mlir/IR/Builders.h"

namespace mlir::slim {
#define GEN_PASS_DEF_PACKWEIGHTSPASS
#include "compiler/Transforms/Passes.h.inc"
} // namespace mlir::slim

using namespace mlir;
using namespace mlir::slim;

namespace {
/// A convolution whose window exactly covers its unpadded input computes one
/// dot product per output channel over the whole map: a fully connected
/// layer, which the GEMV kernel runs faster than the direct convolution
/// (VGG's fc6..fc8, logits over a globally pooled map).
bool isFullyConnectedConv(FusedConv2DOp op) {
  auto input = op.getInput().getType().getShape();
  auto kernel = op.getKernel();
  return kernel[0] == input[1] && kernel[1] == input[2] &&
         llvm::all_of(op.getPads(), [](int64_t p) { return p == 0; }) &&
         llvm::all_of(op.getDilations(), [](int64_t d) { return d == 1; }) &&
         !op.getResidual();
}

/// The 3-D counterpart on a 1-frame input (a logits layer over a pooled
/// [N, 1, h, w, C] map): each clip's blocked frame is the 2-D case.
bool isFullyConnectedConv(FusedConv3DOp op) {
  auto input = op.getInput().getType().getShape();
  auto kernel = op.getKernel();
  return input[1] == 1 && kernel[0] == 1 && kernel[1] == input[2] &&
         kernel[2] == input[3] &&
         llvm::all_of(op.getPads(), [](int64_t p) { return p == 0; }) &&
         llvm::all_of(op.getDilations(), [](int64_t d) { return d == 1; }) &&
         !op.getResidual();
}

template <typename FusedOp>
void pack(FusedOp op, llvm::StringRef kind, int64_t vectorWidth) {
  Value filter = op.getFilter();
  auto filterType = llvm::cast<RankedTensorType>(filter.getType());
  OpBuilder builder(op);
  if (kind == "fc_blocked" && filterType.getRank() == 5) {
    // A [1, kh, kw, Cin, Cout] filter is packed as the [kh, kw, Cin, Cout]
    // one of the 2-D layer (a view, at load time).
    auto view = RankedTensorType::get(filterType.getShape().drop_front(),
                                      filterType.getElementType());
    filter =
        builder.create<ReshapeOp>(op.getLoc(), view, filter, op.getScopeAttr());
    filterType = view;
  }
  int64_t size = packedFilterSize(kind, filterType.getShape(), vectorWidth);
  auto packedType = RankedTensorType::get({size}, filterType.getElementType());
  auto packed = builder.create<PackFilterOp>(
      op.getLoc(), packedType, filter, builder.getStringAttr(kind),
      builder.getI64IntegerAttr(vectorWidth));
  op.getFilterMutable().assign(packed);
  op.setPacking(kind);
  op.setVectorWidth(vectorWidth);
}

struct PackWeightsPass : slim::impl::PackWeightsPassBase<PackWeightsPass> {
  using PackWeightsPassBase::PackWeightsPassBase;

  void runOnOperation() override {
    if (vectorWidth != 8 && vectorWidth != 16) {
      getOperation().emitError("vector-width must be 8 or 16");
      return signalPassFailure();
    }
    getOperation().walk([&](Operation *op) {
      // Packed already (the pass ran before), or dense layers that the
      // reference kernels run on TF-Slim's own weight layout.
      auto isPacked = [](Value filter) {
        return llvm::cast<RankedTensorType>(filter.getType()).getRank() == 1;
      };
      if (auto conv = dyn_cast<FusedConv2DOp>(op)) {
        int64_t block = getLayoutBlock(conv.getInput().getType());
        if (block <= 0 || isPacked(conv.getFilter()))
          return;
        pack(conv, isFullyConnectedConv(conv) ? "fc_blocked" : "conv2d", block);
      } else if (auto conv = dyn_cast<FusedConv3DOp>(op)) {
        int64_t block = getLayoutBlock(conv.getInput().getType());
        if (block <= 0 || isPacked(conv.getFilter()))
          return;
        pack(conv, isFullyConnectedConv(conv) ? "fc_blocked" : "conv3d", block);
      } else if (auto conv = dyn_cast<FusedDepthwiseConv2DOp>(op)) {
        int64_t block = getLayoutBlock(conv.getInput().getType());
        if (block <= 0 || isPacked(conv.getFilter()))
          return;
        pack(conv, "depthwise", block);
      } else if (auto conv = dyn_cast<FusedConv2DTransposeOp>(op)) {
        int64_t block = getLayoutBlock(conv.getInput().getType());
        if (block <= 0 || isPacked(conv.getFilter()))
          return;
        pack(conv, "conv2d_transpose", block);
      } else if (auto fc = dyn_cast<FusedMatMulOp>(op)) {
        if (isPacked(fc.getFilter()))
          return;
        pack(fc, "fc", vectorWidth);
      }
    });
  }
};
} // namespace
