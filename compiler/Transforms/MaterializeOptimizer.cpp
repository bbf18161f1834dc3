//===- MaterializeOptimizer.cpp - slim-materialize-optimizer --------------===//
//
// TensorFlow's optimizers create their slot variables (`v/Momentum`,
// `v/Adam`, ...) and non-slot variables (`beta1_power`) on first use; a
// training checkpoint holds them by those names. This pass declares them as
// ordinary `slim.variable`s, so that the runtime lists, initializes,
// restores and saves them like any other, and the train step updates them.
//
//===----------------------------------------------------------------------===//

#include "compiler/Transforms/Passes.h"
#include "compiler/Transforms/TrainConfig.h"
#include "dialects/Slim/IR/SlimOps.h"

#include "mlir/IR/Builders.h"

namespace mlir::slim {
#define GEN_PASS_DEF_MATERIALIZEOPTIMIZERPASS
#include "compiler/Transforms/Passes.h.inc"
} // namespace mlir::slim

using namespace mlir;
using namespace mlir::slim;

namespace {

struct MaterializeOptimizerPass
    : public slim::impl::MaterializeOptimizerPassBase<
          MaterializeOptimizerPass> {
  void runOnOperation() override;
};

/// The initializer of a slot whose every element is `value`.
DictionaryAttr constantInit(Builder &b, double value) {
  if (value == 0.0)
    return b.getDictionaryAttr(
        {b.getNamedAttr("kind", b.getStringAttr("zeros"))});
  if (value == 1.0)
    return b.getDictionaryAttr(
        {b.getNamedAttr("kind", b.getStringAttr("ones"))});
  return b.getDictionaryAttr(
      {b.getNamedAttr("kind", b.getStringAttr("constant")),
       b.getNamedAttr("value", b.getF64FloatAttr(value))});
}

void MaterializeOptimizerPass::runOnOperation() {
  ModuleOp module = getOperation();
  func::FuncOp step = getTrainStep(module);
  if (!step)
    return;
  FailureOr<TrainConfig> config = parseTrainConfig(step);
  if (failed(config))
    return signalPassFailure();

  auto globalStep = module.lookupSymbol<VariableOp>(config->globalStep);
  auto stepType =
      globalStep ? dyn_cast<RankedTensorType>(globalStep.getType()) : nullptr;
  if (!stepType || stepType.getRank() != 0 ||
      !stepType.getElementType().isInteger(64)) {
    step.emitError("slim.train: the global step '")
        << config->globalStep << "' must be a scalar i64 variable";
    return signalPassFailure();
  }

  // New variables go after the last existing one, in TF's creation order.
  Operation *last = nullptr;
  for (VariableOp var : module.getOps<VariableOp>())
    last = var;
  OpBuilder b(module.getContext());
  if (last)
    b.setInsertionPointAfter(last);
  else
    b.setInsertionPointToStart(module.getBody());
  auto declare = [&](const SlotSpec &slot, Type type, Location loc) {
    if (module.lookupSymbol(slot.name))
      return;
    b.create<VariableOp>(loc, b.getStringAttr(slot.name), TypeAttr::get(type),
                         constantInit(b, slot.init), DictionaryAttr(),
                         b.getStringAttr("global"), b.getBoolAttr(false),
                         StringAttr());
  };
  for (const std::string &name : config->variablesToTrain) {
    auto var = module.lookupSymbol<VariableOp>(name);
    if (!var) {
      step.emitError("slim.train: variables_to_train names '")
          << name << "', which is not a variable";
      return signalPassFailure();
    }
    auto type = cast<RankedTensorType>(var.getType());
    if (!type.getElementType().isF32()) {
      var.emitError("variable '") << name << "' is trained but not f32";
      return signalPassFailure();
    }
    for (const SlotSpec &slot : slotsOf(config->optimizer, name))
      declare(slot, type, var.getLoc());
  }
  for (const SlotSpec &slot : nonSlotsOf(config->optimizer))
    declare(slot, RankedTensorType::get({}, b.getF32Type()), step.getLoc());
}

} // namespace
