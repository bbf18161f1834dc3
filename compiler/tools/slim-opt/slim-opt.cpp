//===- slim-opt.cpp - Runs slim passes on MLIR files ----------------------===//
//
// The `mlir-opt` of slimc: parses slim-dialect modules (as `slimc --emit=mlir`
// prints them), runs any registered pass or pipeline, and prints the result.
//
//===----------------------------------------------------------------------===//

#include "compiler/Analysis/Analysis.h"
#include "compiler/Transforms/Passes.h"
#include "dialects/Slim/IR/SlimDialect.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/IR/DialectRegistry.h"
#include "mlir/Tools/mlir-opt/MlirOptMain.h"
#include "mlir/Transforms/Passes.h"

int main(int argc, char **argv) {
  mlir::registerCanonicalizerPass();
  mlir::registerCSEPass();
  mlir::registerSymbolDCEPass();
  mlir::slim::registerSlimTransforms();
  mlir::slim::registerSlimAnalysisPasses();

  mlir::DialectRegistry registry;
  registry.insert<mlir::slim::SlimDialect, mlir::func::FuncDialect>();
  return mlir::asMainReturnCode(
      mlir::MlirOptMain(argc, argv, "slim optimizer driver\n", registry));
}
