//===- CodeGen.h - C++ code generation from a slim module ------*- C++ -*-===//
//
// Writes one self-contained C++ source file that implements the model ABI
// (runtime/include/slim/model_abi.h) for a slim module: the variable, input,
// output, parameter and layer tables, `prepare`, `run`, and the exported
// `slim_model_get_def` / `slim_model_required_isa` symbols. The file includes
// only the runtime's headers and compiles on its own with any C++17 compiler.
//
//===----------------------------------------------------------------------===//

#ifndef SLIM_CODEGEN_CODEGEN_H
#define SLIM_CODEGEN_CODEGEN_H

#include "mlir/IR/BuiltinOps.h"
#include "mlir/Support/LogicalResult.h"
#include "llvm/Support/Error.h"
#include "llvm/Support/raw_ostream.h"

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace mlir::slim {

/// Which kernels the generated code calls.
enum class KernelKind {
  /// The blocked, vectorized, multi-threaded kernels; expects the output of
  /// buildSlimInferencePipeline (fused ops, packed params, memory plan).
  Fast,
  /// slim::kernels::ref on NHWC tensors; expects the frontend's module, as
  /// TF-Slim defines it (batch norm unfolded, no packing). The oracle.
  Reference,
};

/// Where the generated code computes.
enum class Target {
  /// C++ for the host CPU (`kernels` picks the kernel set).
  Cpu,
  /// CUDA C++ (a `.cu` file for nvcc) for an NVIDIA GPU; expects the
  /// pipeline's output with the NHWC layout (blockedLayout = false).
  Cuda,
};

struct CodeGenOptions {
  Target target = Target::Cpu;
  KernelKind kernels = KernelKind::Fast;
  /// --target=cuda: the oldest compute capability the library carries code
  /// for (80 for sm_80); a device below it is refused at open.
  int cudaMinArch = 80;
  /// --target=cuda: the arithmetic of conv2d and fully-connected layers, a
  /// slim::cuda::Precision value (0 FP32 SIMT; 1 TF32, 2 BF16, 3 FP16 on
  /// tensor cores, weights converted by `prepare`).
  int cudaPrecision = 0;
  /// --target=cuda: nvcc's architecture flags ("-gencode ..."), written
  /// into the file's compile command comment.
  std::string cudaArchFlags =
      "-gencode arch=compute_80,code=[sm_80,compute_80]";
  /// The model's name in its slim_model_def (and `<name>_get_def`, the
  /// symbol for static linking, after replacing non-identifier characters).
  std::string modelName = "model";
  /// Free text recorded in slim_model_def::generator.
  std::string generator = "slimc";
  /// OR of SLIM_ISA_* bits the compiled code needs.
  uint32_t requiredIsa = 0;
  /// Vector width (8 or 16) the fast kernels are compiled for; must match
  /// the layouts and packings of the module. The generated file checks it
  /// against the kernels' kVec with a static_assert.
  int64_t vectorWidth = 8;
  /// slim_model_def::default_num_threads (slimc --threads); 0 = all.
  int defaultNumThreads = 0;
  /// slim_model_def::max_batch: the batch of the module (dim 0 of its
  /// inputs), the largest a dynamic library runs.
  int64_t maxBatch = 1;
  /// slim_model_def::dynamic_batch, and `run` declares `batch` (from
  /// slim_exec_env::batch) for generalizeBatch to use. The module is one of
  /// the traced ones (see generalizeBatch); the text still has its literals.
  bool dynamicBatch = false;
  /// slimc --train: the train step's code from emitTrainStep, written into
  /// the file with the headers it needs and the def's ABI 7 fields; empty
  /// for an inference-only library.
  std::string trainStep;
};

/// The C++ of the model ABI's `train` entry for `module`'s @train_step
/// (after slim-materialize-optimizer): the tables and the function, to go
/// into CodeGenOptions::trainStep. Variable indices are the module's
/// variable order, which the inference module compiled with it must keep.
/// Errors (an op without a gradient rule, a bad slim.train) are reported at
/// the op.
/// What emitTrainStep planned (slimc --train --summary prints it).
struct TrainStepStats {
  /// The train arena: as planned (slices with disjoint lives share bytes)
  /// and the sum of its slices (each value in its own slice).
  uint64_t arenaBytes = 0, unplannedBytes = 0;
  unsigned slices = 0;
};
/// How the train step's forward convs sum (slimc --train-forward).
enum class TrainForward {
  /// Double sums, the reference loops' bits (slim::kernels::exact): the
  /// forward stays within one rounding of the exact value, so gradients
  /// meet TensorFlow's at the max-pool / ReLU near-ties TensorFlow decides.
  Exact,
  /// Float sums on the blocked kernels (slim::kernels::nhwc): ~2.3x faster
  /// forward convs, rounded like any float32 implementation.
  Fast,
};
FailureOr<std::string>
emitTrainStep(ModuleOp module, TrainStepStats *stats = nullptr,
              TrainForward forward = TrainForward::Exact);

/// A dynamic-batch library's source from the sources emitted for the same
/// model at several batches (`batches[0]` the max batch, at least three
/// distinct values, every source emitted with `dynamicBatch`). The sources
/// must agree token for token except for integer literals; in `run` each
/// literal that differs must be an exact affine function a * batch + c of
/// the batch (fitted on two batches, checked on every other) and becomes
/// that expression of the run-time `batch`; outside `run` only the tensor
/// tables (their dim 0), the layer flops and the arena size may differ (they
/// keep the max batch's values) and the arena's slope is written as
/// `arena_bytes_per_sample`. Anything else (a float, a structural
/// difference, a non-affine literal) is an error naming the first place.
llvm::Expected<std::string> generalizeBatch(llvm::ArrayRef<std::string> sources,
                                            llvm::ArrayRef<int64_t> batches);

/// Emits the C++ source of `module` to `os`. On failure (an op or attribute
/// the emitter does not handle) reports an error at the op's location,
/// naming the op and its TF-Slim scope, and returns failure; `os` may then
/// hold a partial file.
LogicalResult emitCpp(ModuleOp module, const CodeGenOptions &options,
                      llvm::raw_ostream &os);

/// What `--target-cpu` resolves to.
struct TargetInfo {
  /// The C++ compiler's -march value.
  std::string march;
  /// Vector width of the fast kernels on that target (16 with AVX-512).
  int64_t vectorWidth = 8;
  /// OR of SLIM_ISA_* bits code compiled with `march` may use.
  uint32_t requiredIsa = 0;
};

/// Resolves `native` (the build machine, from the host's CPU features),
/// `x86-64-v3`, `x86-64-v4` or `generic`; failure for anything else.
FailureOr<TargetInfo> resolveTarget(llvm::StringRef cpu);

/// How to run the system C++ compiler on generated code.
struct CompileOptions {
  std::string compiler = "c++";
  std::string includeDir;
  std::string march = "x86-64-v3";
  unsigned optLevel = 3;
  /// Object file (-c) instead of a shared library.
  bool object = false;
};

/// Compiles `source` into `outputPath` (a shared library, or an object file)
/// with the system C++ compiler. The output appears whole or not at all: the
/// compiler writes a temporary file next to it, which is renamed into place.
/// A failure's message gives the reason, including the compiler's own
/// diagnostics; the driver reports it (slimc: error: ...).
llvm::Error compileCpp(llvm::StringRef source, llvm::StringRef outputPath,
                       const CompileOptions &options);

/// How to run nvcc on a generated `.cu` file.
struct CudaCompileOptions {
  /// Path or name of nvcc.
  std::string nvcc = "nvcc";
  std::string includeDir;
  /// Host code optimization level (device code is always optimized).
  unsigned optLevel = 3;
  /// nvcc -gencode values, e.g. "arch=compute_80,code=sm_80".
  std::vector<std::string> gencode;
  /// Object file (-c) instead of a shared library.
  bool object = false;
};

/// nvcc's flags for `options`, without the source and output files.
std::vector<std::string> nvccFlags(const CudaCompileOptions &options);

/// Compiles the CUDA `source` into `outputPath` with nvcc (static CUDA
/// runtime), whole or not at all, as compileCpp. `command`, when given,
/// receives the command line that ran.
llvm::Error compileCuda(llvm::StringRef source, llvm::StringRef outputPath,
                        const CudaCompileOptions &options,
                        std::string *command = nullptr);

/// nvcc as CMake's FindCUDAToolkit finds it: $CUDACXX, `nvcc` on PATH,
/// then $CUDA_PATH/bin/nvcc, $CUDA_HOME/bin/nvcc, /usr/local/cuda/bin/nvcc.
std::optional<std::string> findNvcc();

} // namespace mlir::slim

#endif // SLIM_CODEGEN_CODEGEN_H
