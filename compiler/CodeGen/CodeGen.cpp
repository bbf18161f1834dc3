//===- CodeGen.cpp - C++ code generation from a slim module ---------------===//
//
// The entry point: picks the emitter of the requested target. What the
// targets share is in ModelEmitter, each target in its own file.
//
//===----------------------------------------------------------------------===//

#include "compiler/CodeGen/CodeGen.h"

#include "compiler/CodeGen/Emitters.h"

using namespace mlir;
using namespace mlir::slim;
using namespace mlir::slim::codegen;

LogicalResult mlir::slim::emitCpp(ModuleOp module,
                                  const CodeGenOptions &options,
                                  raw_ostream &os) {
  std::unique_ptr<ModelEmitter> emitter =
      options.target == Target::Cuda ? createCudaEmitter(module, options)
      : options.kernels == KernelKind::Fast
          ? createCpuFastEmitter(module, options)
          : createCpuReferenceEmitter(module, options);
  return emitter->emit(os);
}
