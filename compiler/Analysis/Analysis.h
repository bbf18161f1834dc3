//===- Analysis.h - Reports on an optimized slim module --------*- C++ -*-===//
//
// What `slimc --summary` and `slimc --emit=dot` print: a per-layer table with
// parameter and MAC counts plus the memory plan, and a Graphviz graph.
// Both accept a module at any stage of the pipeline; the memory-plan lines
// appear once slim-memory-plan has run.
//
//===----------------------------------------------------------------------===//

#ifndef SLIM_ANALYSIS_ANALYSIS_H
#define SLIM_ANALYSIS_ANALYSIS_H

#include "mlir/IR/BuiltinOps.h"
#include "llvm/Support/raw_ostream.h"

#include <string>

namespace mlir::slim {

/// Multiply-accumulates one run of `op` performs (convolutions and matrix
/// products; 0 for every other op), saturated at INT64_MAX.
int64_t countMacs(Operation *op);

/// How a layer reads in the summary and the profiler: "conv2d+bias+relu",
/// "max_pool", "fully_connected+bias".
std::string describeLayer(Operation *op);

/// Elaborations of one model at its max batch and at another batch: whether
/// the batch is a run-time one (dim 0 of some input changes), after checking
/// that every tensor computed from the inputs has the batch as dim 0 and its
/// other dims fixed, that no op mixes the samples of a batch (reductions or
/// normalizations over the batch axis, training-mode batch norm, reshapes
/// that move the batch) and that the variables do not depend on the batch.
/// Failure after an error at the offending op (file:line:col).
FailureOr<bool> checkBatchFollowing(ModuleOp atMax, ModuleOp atOther,
                                    int64_t maxBatch, int64_t otherBatch);

/// Prints one line per layer of each inference function (TF-Slim scope, op
/// after fusion, output shape, parameters, MACs), then totals (parameters,
/// weight bytes, MACs) and the memory plan against its two references.
void printSummary(ModuleOp module, llvm::raw_ostream &os);

/// Writes a Graphviz digraph of each inference function: one node per layer
/// (fused ops labelled with their epilogue), graph inputs and outputs, and
/// edges labelled with tensor shapes and layouts. `dot -Tsvg` renders it.
void printDot(ModuleOp module, llvm::raw_ostream &os);

/// Registers `slim-print-summary` and `slim-print-dot`, passes that print the
/// two reports to stdout (for slim-opt and the lit tests).
void registerSlimAnalysisPasses();

} // namespace mlir::slim

#endif // SLIM_ANALYSIS_ANALYSIS_H
