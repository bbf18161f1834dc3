//===- Emitters.h - The code generation targets -----------------*- C++ -*-===//
//
// One factory per target; emitCpp (CodeGen.cpp) picks one from the options.
//
//===----------------------------------------------------------------------===//

#ifndef SLIM_CODEGEN_EMITTERS_H
#define SLIM_CODEGEN_EMITTERS_H

#include "compiler/CodeGen/ModelEmitter.h"

#include <memory>

namespace mlir::slim::codegen {

/// --kernels=fast: the blocked, vectorized CPU kernels
/// (CpuFastEmitter.cpp).
std::unique_ptr<ModelEmitter>
createCpuFastEmitter(ModuleOp module, const CodeGenOptions &options);

/// --kernels=reference: slim::kernels::ref on the frontend's module
/// (CpuReferenceEmitter.cpp).
std::unique_ptr<ModelEmitter>
createCpuReferenceEmitter(ModuleOp module, const CodeGenOptions &options);

/// --target=cuda: the NHWC pipeline as calls to slim/cuda/kernels.cuh, a
/// `.cu` file for nvcc (CudaEmitter.cpp).
std::unique_ptr<ModelEmitter> createCudaEmitter(ModuleOp module,
                                                const CodeGenOptions &options);

} // namespace mlir::slim::codegen

#endif // SLIM_CODEGEN_EMITTERS_H
