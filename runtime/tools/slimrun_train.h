//===- slimrun_train.h - slimrun --train ------------------------*- C++ -*-===//
//
// The training loop of slimrun: steps of slim_context_train_step over a
// data set in .npy files, progress lines, a summary, gradient dumps and
// checkpoints. Uses only the public C API and the runtime's .npy helpers.
//
//===----------------------------------------------------------------------===//

#ifndef SLIMRUN_TRAIN_H
#define SLIMRUN_TRAIN_H

#include "slim/slim_runtime.h"

#include <string>

namespace slimrun {

/// Prints "slimrun: error: MSG" and exits with status 1.
[[noreturn]] void die(const std::string &msg);
/// die() with `what` and the status's message when `s` is an error.
void check(slim_status s, const char *what);

struct TrainOptions {
  std::string data, labels;
  /// Samples per step; 0: the train step's compiled batch.
  long long batch = 0;
  long long steps = 0;
  long long logEvery = 10;
  std::string dumpGradients;
  std::string saveCheckpoint;
  slim_checkpoint_format saveFormat = SLIM_CHECKPOINT_SAFETENSORS;
};

/// Runs the loop on `model` (variables already restored or initialized);
/// returns the process's exit status.
int runTraining(slim_model *model, const TrainOptions &options);

} // namespace slimrun

#endif // SLIMRUN_TRAIN_H
