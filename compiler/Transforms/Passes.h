//===- Passes.h - Inference graph optimization passes -----------*- C++ -*-===//
//
// Factories for the slim optimization passes and the pipeline that composes
// them. The slimc driver only picks a pipeline; slim-opt exposes every pass.
//
//===----------------------------------------------------------------------===//

#ifndef SLIM_TRANSFORMS_PASSES_H
#define SLIM_TRANSFORMS_PASSES_H

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/IR/BuiltinOps.h"
#include "mlir/Pass/Pass.h"
#include "mlir/Pass/PassOptions.h"

#include <memory>

namespace mlir::slim {

#define GEN_PASS_DECL
#include "compiler/Transforms/Passes.h.inc"

/// Options of the whole inference pipeline.
struct SlimPipelineOptions : public PassPipelineOptions<SlimPipelineOptions> {
  Option<int64_t> vectorWidth{
      *this, "vector-width",
      llvm::cl::desc("channels per block of the activation layout: 8 (AVX2) "
                     "or 16 (AVX-512)"),
      llvm::cl::init(8)};
  Option<bool> blockedLayout{
      *this, "blocked-layout",
      llvm::cl::desc("use the blocked NCHWc layout and packed weights "
                     "(false keeps NHWC for the reference kernels)"),
      llvm::cl::init(true)};
  Option<bool> memoryPlan{*this, "memory-plan",
                          llvm::cl::desc("plan the activation arena"),
                          llvm::cl::init(true)};
  Option<bool> perSamplePlan{
      *this, "per-sample-plan",
      llvm::cl::desc("plan the arena for a run-time batch (slimc "
                     "--max-batch): offsets scale with the batch"),
      llvm::cl::init(false)};
};

/// Appends the inference pipeline to a module-level pass manager:
/// simplify, fuse, layout and packing, hoisting into @slim_prepare, memory
/// plan, with CSE between stages where duplicates appear.
void buildSlimInferencePipeline(OpPassManager &pm,
                                const SlimPipelineOptions &options);

/// Registers every slim pass and the `slim-inference-pipeline` pipeline with
/// the global registry (for slim-opt).
void registerSlimTransforms();

} // namespace mlir::slim

#endif // SLIM_TRANSFORMS_PASSES_H
