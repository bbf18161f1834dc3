//===- TrainGraph.h - The train step of a training script -------*- C++ -*-===//
//
// After a script has run: a training script (one that called
// slim.learning.create_train_op) gets `@train_step`, the training-mode
// forward pass and its losses with the `slim.train` dictionary, and `@main`
// keeps only the forward pass to the named outputs (no losses, no labels).
//
//===----------------------------------------------------------------------===//

#ifndef SLIM_FRONTEND_TRAINGRAPH_H
#define SLIM_FRONTEND_TRAINGRAPH_H

#include "frontend/Interpreter.h"

namespace slim {

/// Runs before @main is finished with `outputs`. `emitTrainStep` is
/// slimc --train: it needs a train op and builds @train_step; without it a
/// training script compiles to its forward pass alone (the global step
/// dropped too). A script without any training part is left untouched.
/// False after an error at `fileLoc` or at the offending op.
bool finishTraining(Interpreter &interp, bool emitTrainStep,
                    llvm::ArrayRef<std::pair<std::string, Ref>> outputs,
                    llvm::SMLoc fileLoc);

} // namespace slim

#endif // SLIM_FRONTEND_TRAINGRAPH_H
