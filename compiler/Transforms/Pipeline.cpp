//===- Pipeline.cpp - The slim inference pipeline -------------------------===//

#include "compiler/Transforms/Passes.h"

#include "mlir/Pass/PassManager.h"
#include "mlir/Pass/PassRegistry.h"
#include "mlir/Transforms/Passes.h"

using namespace mlir;

namespace mlir::slim {
#define GEN_PASS_REGISTRATION
#include "compiler/Transforms/Passes.h.inc"
} // namespace mlir::slim

void mlir::slim::buildSlimInferencePipeline(
    OpPassManager &pm, const SlimPipelineOptions &options) {
  // The frontend reads a variable once per use; CSE merges those reads so
  // that fusion sees one value per variable.
  OpPassManager &graph = pm.nest<func::FuncOp>();
  graph.addPass(createCSEPass());
  graph.addPass(createInferenceSimplifyPass());
  graph.addPass(createFusePass());
  if (options.blockedLayout) {
    graph.addPass(createLayoutPass(LayoutPassOptions{options.vectorWidth}));
    graph.addPass(
        createPackWeightsPass(PackWeightsPassOptions{options.vectorWidth}));
  }
  pm.addPass(createHoistWeightTransformsPass());
  // Two layers reading the same transformed variable (shared weights) must
  // share one parameter.
  pm.addPass(createCSEPass());
  if (options.memoryPlan)
    pm.addPass(createMemoryPlanPass(
        MemoryPlanPassOptions{/*alignment=*/64, options.perSamplePlan}));
}

void mlir::slim::registerSlimTransforms() {
  registerSlimPasses();
  PassPipelineRegistration<SlimPipelineOptions>(
      "slim-inference-pipeline",
      "the whole slim inference optimization pipeline",
      buildSlimInferencePipeline);
}
