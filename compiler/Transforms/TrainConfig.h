//===- TrainConfig.h - The slim.train attribute of @train_step --*- C++ -*-===//
//
// What `slim.learning.create_train_op` and its optimizer and learning rate
// say, read from the `slim.train` dictionary the frontend attaches to
// `@train_step` (docs/training-runtime.md), and TensorFlow 2.12's names for
// the optimizer's slot variables. Shared by slim-materialize-optimizer,
// which creates the slots, and the train-step code generator, which updates
// them.
//
//===----------------------------------------------------------------------===//

#ifndef SLIM_TRANSFORMS_TRAINCONFIG_H
#define SLIM_TRANSFORMS_TRAINCONFIG_H

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/IR/BuiltinOps.h"
#include "llvm/ADT/SmallVector.h"

#include <string>

namespace mlir::slim {

/// The name of the training function.
inline constexpr llvm::StringLiteral kTrainStepName = "train_step";

struct OptimizerConfig {
  /// "sgd", "momentum", "adam" or "rmsprop".
  std::string kind;
  /// The optimizer's `name=`: the suffix of its slot variables.
  std::string name;
  double momentum = 0.0;
  bool useNesterov = false;
  double beta1 = 0.9, beta2 = 0.999;
  double epsilon = 1e-8;
  /// RMSProp's `decay` (rho).
  double decay = 0.9;
  bool centered = false;
};

struct LearningRateConfig {
  /// "constant", "exponential_decay", "piecewise_constant" or
  /// "polynomial_decay".
  std::string kind;
  double value = 0.0;
  double learningRate = 0.0, decayRate = 0.0, endLearningRate = 0.0001,
         power = 1.0;
  int64_t decaySteps = 1;
  bool staircase = false, cycle = false;
  llvm::SmallVector<int64_t> boundaries;
  llvm::SmallVector<double> values;
};

struct TrainConfig {
  OptimizerConfig optimizer;
  LearningRateConfig learningRate;
  std::string globalStep;
  llvm::SmallVector<std::string> variablesToTrain;
  bool updateOps = true;
  /// 0: no clipping; else each gradient is clipped by its own norm.
  double clipGradientNorm = 0.0;
};

/// One variable the optimizer adds: a slot of a trained variable or a
/// non-slot (Adam's beta powers), f32, of `shape`, all elements `init`.
struct SlotSpec {
  std::string name;
  double init = 0.0;
};

/// @train_step of `module`, or null.
func::FuncOp getTrainStep(ModuleOp module);

/// Reads `slim.train` of `trainStep`; errors at the function name what is
/// missing or unsupported.
FailureOr<TrainConfig> parseTrainConfig(func::FuncOp trainStep);

/// TF 2.12's slots of trained variable `var`, in creation order:
/// momentum `var/Momentum`; Adam `var/Adam` (m), `var/Adam_1` (v); RMSProp
/// `var/RMSProp` (rms, ones), [`var/RMSProp_1` (mg) when centered],
/// then the momentum slot; the optimizer's name replaces the default.
llvm::SmallVector<SlotSpec> slotsOf(const OptimizerConfig &opt,
                                    llvm::StringRef var);

/// Scalar non-slot variables: Adam's `beta1_power`, `beta2_power`.
llvm::SmallVector<SlotSpec> nonSlotsOf(const OptimizerConfig &opt);

} // namespace mlir::slim

#endif // SLIM_TRANSFORMS_TRAINCONFIG_H
