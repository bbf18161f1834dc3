//===- BatchCheck.cpp - Which values follow the batch
//----------------------===//
//
// A model compiled with a run-time batch computes each sample of a batch on
// its own: every tensor computed from the inputs has the batch as dim 0 and
// its other dims independent of it, and no op mixes the samples. Which
// tensors follow the batch is found by elaborating the model at two batches
// and walking both graphs in lockstep (the data flow from the inputs, and
// how each result's type changes), not from whether a dim equals N.
//
//===----------------------------------------------------------------------===//

#include "compiler/Analysis/Analysis.h"
#include "dialects/Slim/IR/SlimOps.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "llvm/ADT/DenseSet.h"

using namespace mlir;
using namespace mlir::slim;

namespace {
func::FuncOp inferenceFunction(ModuleOp module) {
  for (auto fn : module.getOps<func::FuncOp>())
    if (!fn.isDeclaration() && fn.getSymName() != "slim_prepare")
      return fn;
  return {};
}

/// An op that mixes the samples of a batch although its result keeps the
/// input's shape; empty if none.
std::string mixesSamples(Operation *op) {
  if (auto bn = dyn_cast<BatchNormOp>(op))
    if (bn.getIsTraining())
      return "batch_norm with is_training=True normalizes with statistics "
             "over the batch";
  if (auto gn = dyn_cast<GroupNormOp>(op)) {
    if (gn.getChannelsAxis() == 0 ||
        llvm::is_contained(gn.getReductionAxes(), int64_t(0)))
      return "group_norm reduces over the batch axis";
  }
  if (isa<SoftmaxOp, LrnOp>(op) &&
      cast<RankedTensorType>(op->getOperand(0).getType()).getRank() < 2)
    return "it works along the last axis, which is the batch axis here";
  return "";
}
} // namespace

FailureOr<bool> mlir::slim::checkBatchFollowing(ModuleOp atMax,
                                                ModuleOp atOther,
                                                int64_t maxBatch,
                                                int64_t otherBatch) {
  func::FuncOp f = inferenceFunction(atMax), g = inferenceFunction(atOther);
  if (!f || !g || f.getNumArguments() != g.getNumArguments())
    return false;
  // Static: no input has the batch as dim 0.
  bool dynamic = false;
  for (auto [a, b] : llvm::zip(f.getArguments(), g.getArguments()))
    dynamic |= a.getType() != b.getType();
  if (!dynamic)
    return false;
  auto follows = [&](Type a, Type b, int64_t na, int64_t nb) {
    auto ta = dyn_cast<RankedTensorType>(a), tb = dyn_cast<RankedTensorType>(b);
    if (!ta || !tb || ta.getRank() != tb.getRank() || ta.getRank() < 1 ||
        ta.getDimSize(0) != na || tb.getDimSize(0) != nb)
      return false;
    return ta.getShape().drop_front() == tb.getShape().drop_front();
  };
  for (auto [a, b] : llvm::zip(f.getArguments(), g.getArguments()))
    if (!follows(a.getType(), b.getType(), maxBatch, otherBatch))
      return f.emitError() << "input #" << a.getArgNumber() << " of type "
                           << a.getType()
                           << " does not have the batch as dim 0: compile "
                              "it with --static-batch";
  // Variables must not depend on the batch.
  auto vars = atMax.getOps<VariableOp>(), others = atOther.getOps<VariableOp>();
  for (auto [v, w] : llvm::zip(vars, others))
    if (v.getType() != w.getType())
      return v.emitError() << "the shape of variable '" << v.getSymName()
                           << "' depends on the batch (" << v.getType()
                           << " at batch " << maxBatch << ", " << w.getType()
                           << " at batch " << otherBatch
                           << "): compile it with --static-batch";
  llvm::DenseSet<Value> batched(f.getArguments().begin(),
                                f.getArguments().end());
  Block &fb = f.getBody().front(), &gb = g.getBody().front();
  auto it = gb.begin();
  for (Operation &op : fb) {
    if (it == gb.end() || it->getName() != op.getName())
      return op.emitError()
             << "the model builds a different graph at batch " << otherBatch
             << " than at batch " << maxBatch
             << " from this op on: compile it with --static-batch";
    Operation &other = *it++;
    if (isa<func::ReturnOp>(op))
      continue;
    bool fromInputs = llvm::any_of(
        op.getOperands(), [&](Value v) { return batched.contains(v); });
    if (!fromInputs)
      continue;
    std::string why = mixesSamples(&op);
    if (!why.empty())
      return op.emitError()
             << "'" << op.getName() << "' mixes the samples of a batch (" << why
             << "): a run-time batch (--max-batch " << maxBatch
             << ") needs each sample computed on "
             << "its own; compile with --static-batch";
    for (auto [r, s] : llvm::zip(op.getResults(), other.getResults())) {
      if (!follows(r.getType(), s.getType(), maxBatch, otherBatch))
        return op.emitError()
               << "'" << op.getName()
               << "' mixes the samples of a batch or moves the batch axis: "
                  "its result is "
               << r.getType() << " at batch " << maxBatch << " and "
               << s.getType() << " at batch " << otherBatch
               << " (a run-time batch, --max-batch " << maxBatch
               << ", needs the batch as dim 0 of every tensor computed from "
                  "the inputs); compile with --static-batch";
      batched.insert(r);
    }
  }
  return true;
}
