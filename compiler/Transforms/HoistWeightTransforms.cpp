//===- HoistWeightTransforms.cpp - slim-hoist-weight-transforms -----------===//
//
// Weight transforms (batch-norm folding, packing) are ordinary ops of the
// inference function whose operands derive only from variables. They must
// run once when variables are loaded, not per inference: this pass moves
// them into `func.func @slim_prepare()` (the runtime ABI's `prepare`) and
// turns every value they hand back to inference into a derived parameter:
//
//   slim.param @"conv1/packed_filter" : tensor<...>
//   func.func @slim_prepare() { ...; slim.write_param @"...", %v; return }
//   func.func @main(...) { %p = slim.read_param @"..." ... }
//
//===----------------------------------------------------------------------===//

#include "compiler/Transforms/Passes.h"
#include "dialects/Slim/IR/SlimOps.h"

#include "mlir/IR/IRMapping.h"
#include "mlir/Interfaces/SideEffectInterfaces.h"
#include "llvm/ADT/SetVector.h"
#include "llvm/ADT/StringSet.h"

namespace mlir::slim {
#define GEN_PASS_DEF_HOISTWEIGHTTRANSFORMSPASS
#include "compiler/Transforms/Passes.h.inc"
} // namespace mlir::slim

using namespace mlir;
using namespace mlir::slim;

namespace {
constexpr llvm::StringLiteral kPrepareName = "slim_prepare";

/// What a derived parameter holds, for its diagnostic name.
std::string describeResult(Value v) {
  auto result = llvm::cast<OpResult>(v);
  Operation *op = result.getOwner();
  if (isa<PackFilterOp>(op))
    return "packed_filter";
  if (isa<FoldScaleShiftOp>(op))
    return result.getResultNumber() == 0 ? "folded_filter" : "folded_bias";
  if (isa<BnScaleShiftOp>(op))
    return result.getResultNumber() == 0 ? "bn_scale" : "bn_shift";
  if (isa<SplatOp>(op))
    return "constant";
  return op->getName().stripDialect().str();
}

/// The scope of the first layer that reads `v`, to name its parameter after.
std::string scopeOfUser(Value v) {
  for (Operation *user : v.getUsers())
    if (auto scope = user->getAttrOfType<StringAttr>("scope");
        scope && !scope.getValue().empty())
      return scope.getValue().str();
  return "param";
}

/// Whether `op` may run at load time given that its operands do: a pure,
/// region-free op that reads at least one value.
bool isHoistable(Operation *op) {
  return op->getNumOperands() > 0 && op->getNumRegions() == 0 &&
         !op->hasTrait<OpTrait::IsTerminator>() && isMemoryEffectFree(op);
}

struct HoistWeightTransformsPass
    : slim::impl::HoistWeightTransformsPassBase<HoistWeightTransformsPass> {
  void runOnOperation() override {
    ModuleOp module = getOperation();
    if (module.lookupSymbol(kPrepareName)) {
      module.emitError("module already has a @") << kPrepareName;
      return signalPassFailure();
    }
    llvm::SmallVector<func::FuncOp> graphs(module.getOps<func::FuncOp>());

    // Parameters go after the variables, the prepare function before the
    // graph, so that a reader meets them in dependency order.
    OpBuilder builder(&getContext());
    Block *moduleBody = module.getBody();
    Operation *firstFunc = graphs.empty() ? nullptr : graphs.front();
    if (firstFunc)
      builder.setInsertionPoint(firstFunc);
    else
      builder.setInsertionPointToEnd(moduleBody);
    Location loc = module.getLoc();
    auto prepare = builder.create<func::FuncOp>(
        loc, kPrepareName, builder.getFunctionType({}, {}));
    Block *prepareBody = prepare.addEntryBlock();
    builder.setInsertionPointToEnd(prepareBody);
    auto prepareReturn = builder.create<func::ReturnOp>(loc);

    llvm::StringSet<> usedNames;
    for (auto &op : *moduleBody)
      if (auto symbol =
              op.getAttrOfType<StringAttr>(SymbolTable::getSymbolAttrName()))
        usedNames.insert(symbol.getValue());

    for (func::FuncOp graph : graphs)
      if (!graph.isExternal())
        hoist(graph, prepare, prepareReturn, usedNames);
  }

  void hoist(func::FuncOp graph, func::FuncOp prepare, Operation *prepareEnd,
             llvm::StringSet<> &usedNames) {
    Block &body = graph.getBody().front();
    // Forward pass in program order: a value is load-time computable when it
    // is a variable read or a hoistable op over such values.
    llvm::DenseSet<Value> loadTime;
    llvm::SetVector<Operation *> hoisted;
    for (Operation &op : body) {
      if (isa<ReadVariableOp>(op)) {
        loadTime.insert(op.getResult(0));
        continue;
      }
      // A constant the passes made is computed once, like a transform.
      if (isa<SplatOp>(op)) {
        hoisted.insert(&op);
        loadTime.insert(op.getResult(0));
        continue;
      }
      if (!isHoistable(&op) || !llvm::all_of(op.getOperands(), [&](Value v) {
            return loadTime.contains(v);
          }))
        continue;
      hoisted.insert(&op);
      for (Value result : op.getResults())
        loadTime.insert(result);
    }
    if (hoisted.empty())
      return;

    OpBuilder builder(prepareEnd);
    IRMapping mapping;
    for (Operation *op : hoisted) {
      for (Value operand : op->getOperands()) {
        if (mapping.contains(operand))
          continue;
        // Only variable reads are not hoisted themselves; read them again in
        // prepare.
        mapping.map(operand,
                    builder.clone(*operand.getDefiningOp())->getResult(0));
      }
      builder.clone(*op, mapping);
    }

    // Every hoisted value still needed by inference becomes a parameter.
    OpBuilder paramBuilder(prepare);
    for (Operation *op : hoisted) {
      for (Value result : op->getResults()) {
        bool crosses = llvm::any_of(result.getUsers(), [&](Operation *user) {
          return !hoisted.contains(user);
        });
        if (!crosses)
          continue;
        std::string base = scopeOfUser(result) + "/" + describeResult(result);
        std::string name = base;
        for (int i = 1; usedNames.contains(name); ++i)
          name = base + "_" + std::to_string(i);
        usedNames.insert(name);
        auto param = paramBuilder.create<ParamOp>(
            op->getLoc(), paramBuilder.getStringAttr(name),
            TypeAttr::get(result.getType()));
        auto symbol = FlatSymbolRefAttr::get(param.getSymNameAttr());
        builder.create<WriteParamOp>(op->getLoc(), symbol,
                                     mapping.lookup(result));
        OpBuilder reader(op);
        auto read =
            reader.create<ReadParamOp>(op->getLoc(), result.getType(), symbol);
        result.replaceUsesWithIf(read.getResult(), [&](OpOperand &use) {
          return !hoisted.contains(use.getOwner());
        });
      }
    }

    for (Operation *op : llvm::reverse(hoisted))
      op->erase();
    // Variable reads only the transforms used are dead now.
    for (Operation &op : llvm::make_early_inc_range(body))
      if (isa<ReadVariableOp>(op) && op.use_empty())
        op.erase();
  }
};
} // namespace
