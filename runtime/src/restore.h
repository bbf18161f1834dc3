//===- restore.h - Matching model variables to checkpoint tensors -*- C++
//-*-===//
#ifndef SLIM_RUNTIME_RESTORE_H
#define SLIM_RUNTIME_RESTORE_H

#include "checkpoint.h"

#include <string>
#include <vector>

namespace slimrt {

/// What restore needs to know about one model variable.
struct VariableSpec {
  std::string name;
  int32_t dtype;
  std::vector<int64_t> dims;
};

/// One assignment: model variable `variable` gets checkpoint tensor `tensor`.
struct RestoreAssignment {
  size_t variable;
  size_t tensor;
};

/// Decides which variables a restore assigns, following TF-Slim's
/// get_variables_to_restore(include, exclude) and assign_from_checkpoint_fn.
/// Throws one NOT_FOUND/INVALID_ARGUMENT error listing every problem.
std::vector<RestoreAssignment>
planRestore(const std::vector<VariableSpec> &variables,
            const CheckpointReader &checkpoint,
            const slim_restore_options &options, const std::string &modelName);

} // namespace slimrt

#endif // SLIM_RUNTIME_RESTORE_H
