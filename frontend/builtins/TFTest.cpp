//===- TFTest.cpp - tf.test -----------------------------------------------===//
//
// NASNet asks `tf.test.is_gpu_available()` to suggest the NCHW layout. A
// slimc model is compiled ahead of time, for whatever device runs it
// later: no GPU is visible while the graph is built, so the answer is
// False, and the nets take their NHWC path.
//
//===----------------------------------------------------------------------===//

#include "frontend/builtins/Registry.h"

using namespace slim;

namespace {

Ref isGpuAvailable(Interpreter &in, CallArgs &args) {
  Bound b;
  if (!bindArgs(in, "is_gpu_available",
                {{"cuda_only", makeBool(false)},
                 {"min_cuda_compute_capability", none()}},
                args, b))
    return nullptr;
  return makeBool(false);
}

Ref isBuiltWithCuda(Interpreter &in, CallArgs &args) {
  Bound b;
  if (!bindArgs(in, "is_built_with_cuda", {}, args, b))
    return nullptr;
  return makeBool(false);
}

const BuiltinDef builtins[] = {
    {"tf.test", "is_gpu_available", "is_gpu_available", isGpuAvailable},
    {"tf.test", "is_built_with_cuda", "is_built_with_cuda", isBuiltWithCuda},
};

} // namespace

llvm::ArrayRef<BuiltinDef> slim::tfTestBuiltins() { return builtins; }
