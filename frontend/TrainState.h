//===- TrainState.h - The training half of a script, as it runs -*- C++ -*-===//
//
// What the training builtins (builtins/Training.cpp) record while a script
// runs: TensorFlow's LOSSES collection, the regularization losses made so
// far, the batch norms that train, the global step and the one
// `create_train_op`. TrainGraph.cpp turns it into `@train_step` (and strips
// it from `@main`) when the script has run.
//
//===----------------------------------------------------------------------===//

#ifndef SLIM_FRONTEND_TRAINSTATE_H
#define SLIM_FRONTEND_TRAINSTATE_H

#include "frontend/Value.h"

#include "dialects/Slim/IR/SlimOps.h"

#include "mlir/IR/BuiltinAttributes.h"
#include "llvm/Support/SMLoc.h"

#include <map>
#include <optional>
#include <string>
#include <vector>

namespace slim {

/// A `slim.batch_norm` with is_training=True.
struct TrainingBatchNorm {
  mlir::slim::BatchNormOp op;
  double decay = 0.999;
  /// Its two entries in `updates_collections` (the moving mean's and the
  /// moving variance's AssignMovingAvg, as TF-Slim adds them), or none when
  /// `updates_collections=None` (TF-Slim then updates in place, always).
  std::vector<Ref> updateOps;
  llvm::SMLoc loc;
};

/// The `create_train_op` call.
struct TrainOp {
  llvm::SMLoc loc;
  /// The scalar loss it minimizes.
  Ref totalLoss;
  /// `slim.train` without the parts only known at the end.
  mlir::DictionaryAttr config;
};

struct TrainState {
  /// tf.GraphKeys.LOSSES: scalar loss tensors, in the order added.
  std::vector<Ref> losses;
  /// The regularization loss of each regularized variable, by name, made
  /// by the first call that needed it.
  std::map<std::string, Ref> regularizationLosses;
  std::vector<TrainingBatchNorm> batchNorms;
  /// tf.train.get_or_create_global_step()'s variable, once created.
  Ref globalStep;
  /// Where the first `labels` placeholder was passed to a loss, by
  /// placeholder name: @main drops these inputs.
  std::map<std::string, llvm::SMLoc> labelInputs;
  std::optional<TrainOp> trainOp;
};

} // namespace slim

#endif // SLIM_FRONTEND_TRAINSTATE_H
