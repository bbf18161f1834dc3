//===- TrainGraph.cpp - The train step of a training script ---------------===//

#include "frontend/TrainGraph.h"

#include "dialects/Slim/IR/SlimTrainOps.h"

#include "mlir/IR/IRMapping.h"
#include "mlir/Interfaces/SideEffectInterfaces.h"
#include "llvm/ADT/DenseSet.h"
#include "llvm/ADT/SetVector.h"

using namespace slim;
using llvm::cast;
using llvm::isa;
using llvm::SMLoc;

namespace {

bool isLossOp(mlir::Operation *op) {
  return isa<mlir::slim::SoftmaxCrossEntropyOp,
             mlir::slim::RegularizationLossOp, mlir::slim::TotalLossOp>(op);
}

bool isInteger(mlir::Value v) {
  return !cast<mlir::RankedTensorType>(v.getType()).getElementType().isF32();
}

/// A batch norm whose moving averages the step updates stays in the step
/// even when the loss does not need its output, as TF runs UPDATE_OPS.
bool updatesState(mlir::Operation *op, bool updateOps) {
  auto bn = llvm::dyn_cast<mlir::slim::BatchNormOp>(op);
  return updateOps && bn && bn.getIsTraining();
}

/// Erases the ops of `block` whose results nothing uses, last first.
void eraseDeadOps(mlir::Block &block, bool updateOps) {
  bool changed = true;
  while (changed) {
    changed = false;
    // Last to first, so one pass removes whole chains of dead users.
    for (mlir::Operation *op = block.getTerminator()->getPrevNode(); op;) {
      mlir::Operation *previous = op->getPrevNode();
      if (op->use_empty() && mlir::isPure(op) && !updatesState(op, updateOps)) {
        op->erase();
        changed = true;
      }
      op = previous;
    }
  }
}

/// Builds @train_step from a copy of the graph function, returning the
/// train op's loss.
bool buildTrainStep(Interpreter &interp, const TrainOp &trainOp) {
  GraphState &g = interp.graph();
  mlir::func::FuncOp main = g.getFunction();
  mlir::IRMapping map;
  auto step = cast<mlir::func::FuncOp>(main->clone(map));
  step.setSymName("train_step");
  step->setLoc(g.getLoc(trainOp.loc));
  g.getModule().getBody()->push_back(step);
  step->moveAfter(main);

  mlir::Block &body = step.getBody().front();
  mlir::OpBuilder b(&interp.getContext());
  b.setInsertionPointToEnd(&body);
  mlir::Value loss = map.lookup(cast<TensorObj>(*trainOp.totalLoss).value);
  b.create<mlir::func::ReturnOp>(step.getLoc(), loss);
  bool updateOps =
      trainOp.config.getAs<mlir::BoolAttr>("update_ops").getValue();
  eraseDeadOps(body, updateOps);

  // The inputs the loss depends on, in creation order.
  llvm::SmallVector<std::string> names;
  for (auto &p : g.getPlaceholders())
    names.push_back(p.first);
  for (unsigned i = body.getNumArguments(); i-- > 0;)
    if (body.getArgument(i).use_empty()) {
      body.eraseArgument(i);
      names.erase(names.begin() + i);
    }
  step.setFunctionType(
      b.getFunctionType(body.getArgumentTypes(), {loss.getType()}));
  for (auto [i, name] : llvm::enumerate(names))
    step.setArgAttr(i, "slim.name", b.getStringAttr(name));
  step.setResultAttr(0, "slim.name", b.getStringAttr("total_loss"));
  step->setAttr("slim.train", trainOp.config);
  return true;
}

/// Removes from @main what only training uses: the losses and what is
/// computed from them, the labels, the global step's read.
bool stripTraining(Interpreter &interp,
                   llvm::ArrayRef<std::pair<std::string, Ref>> outputs) {
  GraphState &g = interp.graph();
  mlir::Block &body = g.getFunction().getBody().front();
  llvm::DenseSet<mlir::Value> training;
  for (mlir::BlockArgument arg : body.getArguments())
    if (isInteger(arg))
      training.insert(arg);
  llvm::SetVector<mlir::Operation *> dead;
  for (mlir::Operation &op : body) {
    bool trainingOnly =
        isLossOp(&op) ||
        (isa<mlir::slim::ReadVariableOp>(op) && isInteger(op.getResult(0))) ||
        llvm::any_of(op.getOperands(),
                     [&](mlir::Value v) { return training.contains(v); });
    if (!trainingOnly)
      continue;
    dead.insert(&op);
    for (mlir::Value r : op.getResults())
      training.insert(r);
  }
  for (auto &[name, tensor] : outputs) {
    mlir::Value v = cast<TensorObj>(*tensor).value;
    if (!training.contains(v))
      continue;
    mlir::Location loc = v.getDefiningOp() ? v.getDefiningOp()->getLoc()
                                           : g.getFunction().getLoc();
    interp.error(g.sourceLoc(loc),
                 "output '" + name +
                     "' is computed from a loss or from labels: the named "
                     "outputs are the net's forward pass (@main); the loss "
                     "is what the train step returns");
    return false;
  }
  for (mlir::Operation *op : llvm::reverse(dead))
    op->erase();
  const auto &labels = g.training().labelInputs;
  g.erasePlaceholders([&](llvm::StringRef name) {
    for (auto &p : g.getPlaceholders())
      if (p.first == name) {
        mlir::Value v = cast<TensorObj>(*p.second).value;
        return v.use_empty() && (labels.count(name.str()) || isInteger(v));
      }
    return false;
  });
  return true;
}

} // namespace

bool slim::finishTraining(Interpreter &interp, bool emitTrainStep,
                          llvm::ArrayRef<std::pair<std::string, Ref>> outputs,
                          SMLoc fileLoc) {
  GraphState &g = interp.graph();
  TrainState &ts = g.training();
  if (emitTrainStep && !ts.trainOp) {
    interp.error(fileLoc,
                 "--train: the file has no train op; a training script "
                 "ends with `train_op = slim.learning.create_train_op("
                 "total_loss, optimizer)`");
    return false;
  }
  bool hasTrainingPart = false;
  g.getFunction().walk([&](mlir::Operation *op) {
    if (isLossOp(op))
      hasTrainingPart = true;
  });
  for (mlir::BlockArgument arg : g.getFunction().getArguments())
    hasTrainingPart |= isInteger(arg);
  if (!hasTrainingPart && !ts.trainOp && !ts.globalStep)
    return true;

  // The moving averages' decay, on the batch norms of a training script.
  if (ts.trainOp) {
    mlir::Builder b(&interp.getContext());
    for (const TrainingBatchNorm &bn : ts.batchNorms) {
      mlir::slim::BatchNormOp op = bn.op;
      op.setDecayAttr(b.getF32FloatAttr(bn.decay));
    }
  }
  if (emitTrainStep && !buildTrainStep(interp, *ts.trainOp))
    return false;
  if (!stripTraining(interp, outputs))
    return false;
  if (!emitTrainStep)
    g.eraseVariable("global_step");
  return true;
}
