//===- slimc.cpp - The slimc compiler driver ------------------------------===//
//
// slimc MODEL.slim [options]: parses a TF-Slim model file, evaluates it with
// TF-Slim's semantics, and emits the resulting slim-dialect module. `--emit`
// picks how far the pipeline runs, as Toy's `-emit` and iree-compile do.
//
//===----------------------------------------------------------------------===//

#include "frontend/AST.h"
#include "frontend/Interpreter.h"
#include "frontend/Parser.h"

#include "compiler/Analysis/Analysis.h"
#include "compiler/Transforms/Passes.h"
#include "dialects/Slim/IR/SlimDialect.h"
#include "dialects/Slim/IR/SlimOps.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/IR/AsmState.h"
#include "mlir/IR/Diagnostics.h"
#include "mlir/IR/MLIRContext.h"
#include "mlir/Pass/PassManager.h"
#include "llvm/Support/CommandLine.h"
#include "llvm/Support/Error.h"
#include "llvm/Support/InitLLVM.h"
#include "llvm/Support/MemoryBuffer.h"
#include "llvm/Support/SourceMgr.h"
#include "llvm/Support/Threading.h"
#include "llvm/Support/raw_ostream.h"
#include "llvm/Support/thread.h"

#include <optional>

using namespace llvm;

namespace {
enum class EmitKind { AST, MLIR, Variables, Dot };

cl::OptionCategory slimcCategory("slimc options");

cl::opt<std::string> inputFilename(cl::Positional, cl::desc("<model.slim>"),
                                   cl::Required, cl::cat(slimcCategory));
cl::opt<std::string> outputFilename("o",
                                    cl::desc("Output file (default: stdout)"),
                                    cl::value_desc("file"), cl::init("-"),
                                    cl::cat(slimcCategory));
cl::opt<EmitKind> emitKind(
    "emit", cl::desc("What to produce"), cl::init(EmitKind::MLIR),
    cl::values(clEnumValN(EmitKind::AST, "ast", "the parsed syntax tree"),
               clEnumValN(EmitKind::MLIR, "mlir",
                          "the slim-dialect module (default)"),
               clEnumValN(EmitKind::Variables, "variables",
                          "one line per variable: name, shape, collection "
                          "(model|regular), trainable (1|0)"),
               clEnumValN(EmitKind::Dot, "dot",
                          "a Graphviz graph of the optimized model "
                          "(render with dot -Tsvg)")),
    cl::cat(slimcCategory));
cl::opt<std::string> entryFunction(
    "entry",
    cl::desc("Compile this function, called with one placeholder input of "
             "--input-shape (for files that only define a net)"),
    cl::value_desc("name"), cl::cat(slimcCategory));
cl::opt<std::string>
    inputShape("input-shape",
               cl::desc("Shape of the --entry input, e.g. 1x224x224x3"),
               cl::value_desc("NxHxWxC"), cl::cat(slimcCategory));
cl::opt<int64_t> batchSize(
    "batch", cl::desc("Batch size used for a None batch dimension (default 1)"),
    cl::init(1), cl::cat(slimcCategory));
cl::list<std::string>
    includeDirs("I", cl::desc("Directory searched for imported .slim modules"),
                cl::value_desc("dir"), cl::Prefix, cl::cat(slimcCategory));
cl::opt<bool> printSummaryTable(
    "summary",
    cl::desc("Print a per-layer summary of the optimized model (scope, op, "
             "output shape, parameters, MACs), totals and the memory plan, "
             "instead of the --emit output"),
    cl::init(false), cl::cat(slimcCategory));
cl::opt<bool> printDebugLocs("mlir-print-debuginfo-locs",
                             cl::desc("Print source locations in the MLIR"),
                             cl::init(false), cl::cat(slimcCategory));

/// The elaborator recurses along the model file's structure; it runs on a
/// thread with a large stack so hostile nesting hits our depth limits, never
/// the process stack.
constexpr unsigned kElaboratorStackBytes = 512u << 20;

bool parseShape(StringRef text, SmallVectorImpl<int64_t> &shape) {
  SmallVector<StringRef, 4> parts;
  text.split(parts, 'x');
  for (StringRef p : parts) {
    int64_t d;
    if (p.getAsInteger(10, d) || d <= 0 || d > (int64_t(1) << 31))
      return false;
    shape.push_back(d);
  }
  return !shape.empty();
}

/// The variable list in the format of TF-Slim's get_model_variables() dumps
/// used by the conformance goldens.
void printVariables(mlir::ModuleOp module, raw_ostream &os) {
  for (auto var : module.getOps<mlir::slim::VariableOp>()) {
    auto type = llvm::cast<mlir::RankedTensorType>(var.getType());
    os << var.getSymName() << " ";
    llvm::interleave(type.getShape(), os, "x");
    if (type.getRank() == 0)
      os << "scalar";
    os << " " << var.getCollection() << " " << (var.getTrainable() ? 1 : 0)
       << "\n";
  }
}

int run() {
  slim::ElaborateOptions options;
  if (batchSize < 1) {
    errs() << "slimc: error: --batch must be positive\n";
    return 1;
  }
  options.batch = batchSize;
  options.entry = entryFunction;
  options.includeDirs.assign(includeDirs.begin(), includeDirs.end());
  if (!inputShape.empty() && !parseShape(inputShape, options.entryInputShape)) {
    errs() << "slimc: error: --input-shape expects positive dimensions "
              "separated by 'x', e.g. 1x224x224x3, got '"
           << inputShape << "'\n";
    return 1;
  }
  if (!inputShape.empty() && entryFunction.empty()) {
    errs() << "slimc: error: --input-shape is only used with --entry\n";
    return 1;
  }

  auto fileOrErr = MemoryBuffer::getFileOrSTDIN(inputFilename);
  if (std::error_code ec = fileOrErr.getError()) {
    errs() << "slimc: error: cannot open '" << inputFilename
           << "': " << ec.message() << "\n";
    return 1;
  }
  SourceMgr sourceMgr;
  unsigned buffer =
      sourceMgr.AddNewSourceBuffer(std::move(*fileOrErr), SMLoc());
  std::unique_ptr<slim::ModuleAST> ast = slim::parseModule(sourceMgr, buffer);
  if (!ast)
    return 1;

  std::string text;
  raw_string_ostream os(text);
  if (emitKind == EmitKind::AST) {
    slim::dumpAST(os, *ast);
  } else {
    mlir::MLIRContext context;
    context.disableMultithreading();
    mlir::SourceMgrDiagnosticHandler diagHandler(sourceMgr, &context);
    slim::Interpreter interp(sourceMgr, context, options);
    mlir::OwningOpRef<mlir::ModuleOp> module = interp.run(*ast);
    if (!module)
      return 1;
    if (printSummaryTable || emitKind == EmitKind::Dot) {
      // Both views describe the model as it will run: after the inference
      // pipeline (fusion, layout, memory plan).
      mlir::PassManager pm(&context);
      mlir::slim::SlimPipelineOptions pipelineOptions;
      mlir::slim::buildSlimInferencePipeline(pm, pipelineOptions);
      if (mlir::failed(pm.run(*module)))
        return 1;
      if (printSummaryTable)
        mlir::slim::printSummary(*module, os);
      else
        mlir::slim::printDot(*module, os);
    } else if (emitKind == EmitKind::Variables) {
      printVariables(*module, os);
    } else {
      mlir::OpPrintingFlags flags;
      if (printDebugLocs)
        flags.enableDebugInfo();
      module->print(os, flags);
    }
  }

  // The output appears whole or not at all: writeToOutput writes a
  // temporary file and renames it.
  if (Error err = writeToOutput(outputFilename, [&](raw_ostream &out) {
        out << text;
        return Error::success();
      })) {
    errs() << "slimc: error: cannot write '" << outputFilename
           << "': " << toString(std::move(err)) << "\n";
    return 1;
  }
  return 0;
}
} // namespace

int main(int argc, char **argv) {
  InitLLVM initLLVM(argc, argv);
  mlir::registerAsmPrinterCLOptions();
  cl::HideUnrelatedOptions(slimcCategory);
  cl::ParseCommandLineOptions(
      argc, argv,
      "slimc: compiles TF-Slim model files\n\n"
      "  slimc vgg16.slim --emit=mlir           print the slim-dialect module\n"
      "  slimc vgg16.slim --entry vgg16 --input-shape 1x224x224x3\n");
  int result = 1;
  llvm::thread worker(std::optional<unsigned>(kElaboratorStackBytes),
                      [&] { result = run(); });
  worker.join();
  return result;
}
