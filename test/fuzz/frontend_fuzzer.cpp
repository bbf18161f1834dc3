//===- frontend_fuzzer.cpp - Fuzzes parsing and elaborating model files ---===//
//
// The input is a model file. It is parsed, elaborated with TF-Slim's
// semantics and the resulting slim-dialect module verified, as `slimc
// --emit=mlir` does. Diagnostics are expected for most inputs and are
// discarded; a crash, hang, leak or sanitizer report is the finding.
//
// Like slimc, the elaborator runs on a thread with a large stack, so that
// deep nesting meets the frontend's own depth limits rather than the stack.
// The step limit is lower than slimc's default so that one input stays well
// under libFuzzer's timeout; the work budget it guards is the same code.
//
//===----------------------------------------------------------------------===//
#include "FuzzUtil.h"

#include "dialects/Slim/IR/SlimDialect.h"
#include "frontend/Interpreter.h"
#include "frontend/Parser.h"

#include "mlir/IR/Diagnostics.h"
#include "mlir/IR/MLIRContext.h"
#include "mlir/IR/Verifier.h"
#include "llvm/Support/MemoryBuffer.h"
#include "llvm/Support/SourceMgr.h"
#include "llvm/Support/thread.h"

#include <cstdlib>
#include <optional>

namespace {

constexpr unsigned kElaboratorStackBytes = 512u << 20;

void elaborate(const uint8_t *data, size_t size) {
  llvm::SourceMgr sourceMgr;
  // Imports resolve next to the model file: an empty scratch directory.
  std::string name = slimfuzz::scratchDir() + "/fuzz.slim";
  sourceMgr.AddNewSourceBuffer(
      llvm::MemoryBuffer::getMemBufferCopy(
          llvm::StringRef(reinterpret_cast<const char *>(data), size), name),
      llvm::SMLoc());
  sourceMgr.setDiagHandler([](const llvm::SMDiagnostic &, void *) {});

  std::unique_ptr<slim::ModuleAST> ast = slim::parseModule(sourceMgr, 1);
  if (!ast)
    return;
  mlir::MLIRContext context;
  context.disableMultithreading();
  mlir::ScopedDiagnosticHandler discard(
      &context, [](mlir::Diagnostic &) { return mlir::success(); });
  slim::ElaborateOptions options;
  options.stepLimit = 200'000;
  slim::Interpreter interp(sourceMgr, context, options);
  mlir::OwningOpRef<mlir::ModuleOp> module = interp.run(*ast);
  // What the elaborator builds without an error must verify: a verifier
  // failure here is a frontend bug (the frontend checks before it builds).
  if (module && mlir::failed(mlir::verify(*module)))
    std::abort();
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  llvm::thread worker(std::optional<unsigned>(kElaboratorStackBytes),
                      [&] { elaborate(data, size); });
  worker.join();
  return 0;
}
