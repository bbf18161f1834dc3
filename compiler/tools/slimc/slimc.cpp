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
#include "compiler/CodeGen/CodeGen.h"
#include "compiler/Transforms/Passes.h"
#include "compiler/Transforms/TrainConfig.h"
#include "dialects/Slim/IR/SlimDialect.h"
#include "dialects/Slim/IR/SlimOps.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/IR/AsmState.h"
#include "mlir/IR/Diagnostics.h"
#include "mlir/IR/MLIRContext.h"
#include "mlir/Parser/Parser.h"
#include "mlir/Pass/PassManager.h"
#include "llvm/ADT/StringSwitch.h"
#include "llvm/Support/CommandLine.h"
#include "llvm/Support/Error.h"
#include "llvm/Support/FileSystem.h"
#include "llvm/Support/InitLLVM.h"
#include "llvm/Support/MemoryBuffer.h"
#include "llvm/Support/Path.h"
#include "llvm/Support/Process.h"
#include "llvm/Support/Program.h"
#include "llvm/Support/Signals.h"
#include "llvm/Support/SourceMgr.h"
#include "llvm/Support/Threading.h"
#include "llvm/Support/WithColor.h"
#include "llvm/Support/raw_ostream.h"
#include "llvm/Support/thread.h"

#include <chrono>
#include <csignal>
#include <functional>
#include <optional>

using namespace llvm;

namespace {
enum class EmitKind { AST, MLIR, Variables, Dot, Cpp, Cu, Obj, So };

cl::OptionCategory slimcCategory("slimc options");

cl::opt<std::string> inputFilename(cl::Positional,
                                   cl::desc("<model.slim | module.mlir>"),
                                   cl::Required, cl::cat(slimcCategory));
cl::opt<std::string> outputFilename("o",
                                    cl::desc("Output file (default: stdout)"),
                                    cl::value_desc("file"), cl::init("-"),
                                    cl::cat(slimcCategory));
cl::opt<EmitKind> emitKind(
    "emit", cl::desc("What to produce"), cl::init(EmitKind::MLIR),
    cl::values(
        clEnumValN(EmitKind::AST, "ast", "the parsed syntax tree"),
        clEnumValN(EmitKind::MLIR, "mlir", "the slim-dialect module (default)"),
        clEnumValN(EmitKind::Variables, "variables",
                   "one line per variable: name, shape, collection "
                   "(model|regular), trainable (1|0)"),
        clEnumValN(EmitKind::Dot, "dot",
                   "a Graphviz graph of the optimized model "
                   "(render with dot -Tsvg)"),
        clEnumValN(EmitKind::Cpp, "cpp",
                   "C++ source implementing the model ABI (--target=cpu; "
                   "default when -o ends in .cpp or .cc)"),
        clEnumValN(EmitKind::Cu, "cu",
                   "CUDA source implementing the model ABI (--target=cuda; "
                   "default when -o ends in .cu)"),
        clEnumValN(EmitKind::Obj, "obj", "an object file (for static linking)"),
        clEnumValN(EmitKind::So, "so",
                   "a shared library for the runtime (default when "
                   "-o ends in .so)")),
    cl::cat(slimcCategory));
cl::opt<std::string> entryFunction(
    "entry",
    cl::desc("Compile this function, called with one placeholder input of "
             "--input-shape (for files that only define a net)"),
    cl::value_desc("name"), cl::cat(slimcCategory));
cl::opt<std::string>
    inputShape("input-shape",
               cl::desc("Shape of the --entry input, e.g. 1x224x224x3; a "
                        "first dim N is a None batch (--batch, --max-batch)"),
               cl::value_desc("NxHxWxC"), cl::cat(slimcCategory));
cl::opt<int64_t> batchSize(
    "batch",
    cl::desc("Batch size used for a None batch dimension (default 1); with "
             "the fast CPU kernels also the default of --max-batch, so the "
             "library runs any batch 1..B"),
    cl::init(1), cl::cat(slimcCategory));
cl::opt<int64_t> maxBatchOption(
    "max-batch",
    cl::desc("--target=cpu, fast kernels: one library that runs any batch "
             "1..N of a None batch dimension (the memory plan is made for N, "
             "the batch is read at run time; default: --batch). A model "
             "that mixes the samples of a batch is an error; a static batch "
             "in the placeholder stays static"),
    cl::value_desc("N"), cl::init(0), cl::cat(slimcCategory));
cl::opt<bool> staticBatch(
    "static-batch",
    cl::desc("Compile a None batch as exactly --batch samples: the library "
             "runs that batch only (no run-time batch)"),
    cl::init(false), cl::cat(slimcCategory));
cl::opt<int64_t> workLimit(
    "work-limit",
    cl::desc("Work budget of the model file's evaluation: statements and "
             "calls, elements builtins create, 200 per graph op built "
             "(default 20000000; against files that never end)"),
    cl::init(20'000'000), cl::value_desc("steps"), cl::cat(slimcCategory));
cl::list<std::string>
    includeDirs("I", cl::desc("Directory searched for imported .slim modules"),
                cl::value_desc("dir"), cl::Prefix, cl::cat(slimcCategory));
cl::opt<bool> printSummaryTable(
    "summary",
    cl::desc("Print a per-layer summary of the optimized model (scope, op, "
             "output shape, parameters, MACs), totals and the memory plan, "
             "instead of the --emit output"),
    cl::init(false), cl::cat(slimcCategory));
cl::opt<mlir::slim::KernelKind> kernelKind(
    "kernels", cl::desc("--target=cpu only: kernels the generated code calls"),
    cl::init(mlir::slim::KernelKind::Fast),
    cl::values(clEnumValN(mlir::slim::KernelKind::Fast, "fast",
                          "blocked, vectorized, multi-threaded (default)"),
               clEnumValN(mlir::slim::KernelKind::Reference, "reference",
                          "plain loops on TF-Slim's definitions (oracle)")),
    cl::cat(slimcCategory));
cl::opt<unsigned> optLevel("O",
                           cl::desc("Host code optimization level 0-3 (default "
                                    "3; nvcc -O for --target=cuda)"),
                           cl::Prefix, cl::init(3), cl::cat(slimcCategory));
cl::opt<std::string> targetOption(
    "target",
    cl::desc("Where the model runs: cpu (default); cuda (an NVIDIA GPU: "
             "SASS for sm_80 and sm_90 plus compute_90 PTX, so one library "
             "runs on A100, H100 and later); cuda=sm_XX (that architecture "
             "and its PTX only; sm_70 or newer)"),
    cl::value_desc("cpu|cuda|cuda=sm_XX"), cl::init("cpu"),
    cl::cat(slimcCategory));
cl::opt<std::string>
    targetCpu("target-cpu",
              cl::desc("--target=cpu only: native (default), x86-64-v3 (AVX2), "
                       "x86-64-v4 (AVX-512) or generic"),
              cl::init("native"), cl::cat(slimcCategory));
cl::opt<std::string> precisionOption(
    "precision",
    cl::desc("--target=cuda: arithmetic of conv2d and fully-connected layers: "
             "fp32 (default, SIMT), tf32, bf16 or fp16 (tensor cores, FP32 "
             "accumulation; weights converted once at load; sm_80 or newer)"),
    cl::value_desc("fp32|tf32|bf16|fp16"), cl::init("fp32"),
    cl::cat(slimcCategory));
cl::opt<std::string> nvccOption(
    "nvcc",
    cl::desc("--target=cuda: the nvcc to run (default: $CUDACXX, nvcc on "
             "PATH, $CUDA_PATH/bin, $CUDA_HOME/bin, /usr/local/cuda/bin)"),
    cl::value_desc("path"), cl::cat(slimcCategory));
cl::opt<std::string> cxxCompiler("cxx", cl::desc("C++ compiler (default: c++)"),
                                 cl::init("c++"), cl::cat(slimcCategory));
cl::opt<std::string> runtimeIncludeDir(
    "runtime-include",
    cl::desc("Directory holding slim/model_abi.h (default: next to slimc, "
             "else the source tree it was built from)"),
    cl::cat(slimcCategory));
/// Created in main(): libLLVM registers a hidden, undocumented `--threads`
/// of its own, and slimc's option takes that name over.
std::optional<cl::opt<int>> defaultThreads;

void registerThreadsOption() {
  StringMap<cl::Option *> &registered = cl::getRegisteredOptions();
  auto it = registered.find("threads");
  if (it != registered.end())
    it->second->removeArgument();
  defaultThreads.emplace(
      "threads",
      cl::desc("--target=cpu only: threads the compiled model runs with by "
               "default (0, the "
               "default: all of the runtime's pool; applications and slimrun "
               "--threads can still override it)"),
      cl::init(0), cl::cat(slimcCategory));
}
cl::opt<bool> trainFlag(
    "train",
    cl::desc("Also compile the training step (@train_step: forward, "
             "backward, optimizer update) into the library, for "
             "slim_context_train_step and slimrun --train (--target=cpu)"),
    cl::init(false), cl::cat(slimcCategory));
cl::opt<mlir::slim::TrainForward> trainForward(
    "train-forward",
    cl::desc("With --train: how the train step's forward convolutions sum"),
    cl::init(mlir::slim::TrainForward::Exact),
    cl::values(clEnumValN(mlir::slim::TrainForward::Exact, "exact",
                          "double sums, the reference kernels' bits "
                          "(default; what the conformance suite checks)"),
               clEnumValN(mlir::slim::TrainForward::Fast, "fast",
                          "float sums on the blocked kernels, ~2.3x faster "
                          "forward convs (docs/training.md)")),
    cl::cat(slimcCategory));
cl::opt<bool> verbose("v",
                      cl::desc("Print each stage and its time (and the nvcc "
                               "command)"),
                      cl::init(false), cl::cat(slimcCategory));
cl::opt<bool> printDebugLocs("mlir-print-debuginfo-locs",
                             cl::desc("Print source locations in the MLIR"),
                             cl::init(false), cl::cat(slimcCategory));

/// The elaborator recurses along the model file's structure; it runs on a
/// thread with a large stack so hostile nesting hits our depth limits, never
/// the process stack.
constexpr unsigned kElaboratorStackBytes = 512u << 20;

/// Sets `noneBatch` when the first dim is written N (a None batch).
bool parseShape(StringRef text, SmallVectorImpl<int64_t> &shape,
                bool &noneBatch) {
  SmallVector<StringRef, 4> parts;
  text.split(parts, 'x');
  for (StringRef p : parts) {
    int64_t d;
    if (shape.empty() && p == "N") {
      noneBatch = true;
      shape.push_back(1);
      continue;
    }
    if (p.getAsInteger(10, d) || d <= 0 || d > (int64_t(1) << 31))
      return false;
    shape.push_back(d);
  }
  return !shape.empty();
}

/// The one path for errors that have no place in the model file (options,
/// files, the host compiler or nvcc): LLVM tools' "slimc: error: " form,
/// colored on a terminal. Errors at a place in the model file carry
/// file:line:col, a caret and notes, and come from the frontend's SourceMgr
/// or MLIR's diagnostic handler.
raw_ostream &driverError() { return WithColor::error(errs(), "slimc"); }

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

/// Prints "slimc: <stage> <ms>" for -v.
class StageTimer {
public:
  void done(StringRef stage) {
    auto now = std::chrono::steady_clock::now();
    if (verbose)
      errs() << "slimc: " << stage << ": "
             << format("%.1f",
                       std::chrono::duration<double, std::milli>(now - last)
                           .count())
             << " ms\n";
    last = now;
  }

private:
  std::chrono::steady_clock::time_point last = std::chrono::steady_clock::now();
};

/// The directory with slim/model_abi.h for compiling generated code.
std::string findRuntimeInclude(const char *argv0) {
  if (!runtimeIncludeDir.empty())
    return runtimeIncludeDir;
  std::string exe = sys::fs::getMainExecutable(argv0, (void *)&verbose);
  SmallString<256> dir(sys::path::parent_path(sys::path::parent_path(exe)));
  sys::path::append(dir, "include");
  SmallString<256> probe(dir);
  sys::path::append(probe, "slim", "model_abi.h");
  if (sys::fs::exists(probe))
    return std::string(dir);
  return SLIMC_RUNTIME_INCLUDE_DIR;
}

const char *programName = "slimc";

/// --target and --target-cpu resolved.
struct Target {
  bool cuda = false;
  /// --target=cpu: what --target-cpu resolves to.
  mlir::slim::TargetInfo cpu;
  /// --target=cuda: the oldest architecture (80 for sm_80) and nvcc's
  /// -gencode values.
  int cudaMinArch = 0;
  std::vector<std::string> gencode;
  /// The --target value, for the generator string.
  std::string name;
};

/// --target (and --target-cpu) resolved, or an error printed and failure.
FailureOr<Target> resolveTargetOption() {
  Target t;
  t.name = targetOption;
  StringRef value = targetOption;
  if (value == "cpu") {
    FailureOr<mlir::slim::TargetInfo> cpu =
        mlir::slim::resolveTarget(targetCpu);
    if (failed(cpu)) {
      driverError() << "unknown --target-cpu '" << targetCpu
                    << "' (native, x86-64-v3, x86-64-v4, generic)\n";
      return failure();
    }
    t.cpu = *cpu;
    t.name = "cpu -march=" + cpu->march;
    return t;
  }
  if (value == "cuda") {
    t.cuda = true;
    t.cudaMinArch = 80;
    t.gencode = {"arch=compute_80,code=sm_80",
                 "arch=compute_90,code=[sm_90,compute_90]"};
  } else if (value.consume_front("cuda=sm_")) {
    unsigned arch;
    if (value.getAsInteger(10, arch) || arch < 70 || arch > 999) {
      driverError()
          << "--target=" << targetOption
          << ": expected cuda=sm_XX with XX a compute capability of 70 "
             "or newer (e.g. cuda=sm_80, cuda=sm_90)\n";
      return failure();
    }
    t.cuda = true;
    t.cudaMinArch = arch;
    std::string a = std::to_string(arch);
    t.gencode = {"arch=compute_" + a + ",code=[sm_" + a + ",compute_" + a +
                 "]"};
  } else {
    driverError() << "unknown --target '" << targetOption
                  << "' (cpu, cuda, cuda=sm_XX)\n";
    return failure();
  }
  // The host side of a CUDA library (prepare) is portable code: it takes
  // no -march, and it runs on the runtime's threads, not a pool.
  if (targetCpu.getNumOccurrences()) {
    driverError()
        << "--target-cpu applies to --target=cpu only (a "
           "CUDA library's host code is built for the generic host)\n";
    return failure();
  }
  return t;
}

/// True when the input is a slim-dialect module (`.mlir`), parsed as is
/// instead of elaborated from a model file.
bool mlirInput() { return StringRef(inputFilename).ends_with(".mlir"); }

/// The module of `.mlir` input, parsed with the slim and func dialects and
/// verified; errors go through the SourceMgr handler (file:line:col).
mlir::OwningOpRef<mlir::ModuleOp> parseMlirInput(SourceMgr &sourceMgr,
                                                 mlir::MLIRContext &context) {
  context.getOrLoadDialect<mlir::slim::SlimDialect>();
  context.getOrLoadDialect<mlir::func::FuncDialect>();
  mlir::ParserConfig config(&context);
  return mlir::parseSourceFile<mlir::ModuleOp>(sourceMgr, config);
}

/// slimc --train: adds the optimizer's variables (slim-materialize-optimizer)
/// so that every library's variable table lists them; an error when the
/// module has no @train_step.
mlir::LogicalResult materializeTraining(mlir::ModuleOp module) {
  if (!mlir::slim::getTrainStep(module)) {
    driverError() << "--train: '" << inputFilename
                  << "' has no training step (a create_train_op call, "
                     "func.func @train_step in a .mlir module)\n";
    return mlir::failure();
  }
  mlir::PassManager pm(module.getContext());
  pm.addPass(mlir::slim::createMaterializeOptimizerPass());
  return pm.run(module);
}

/// What the inference pipeline compiles of a training module: @main with
/// every is_training switched off (the library's `run` evaluates the
/// trained net); @train_step is dropped (its code, if any, was emitted
/// already).
void keepInferenceOnly(mlir::ModuleOp module) {
  mlir::func::FuncOp step = mlir::slim::getTrainStep(module);
  if (!step)
    return;
  step.erase();
  module.walk([](mlir::slim::BatchNormOp bn) {
    bn.setIsTraining(false);
    bn->removeAttr("decay");
  });
  module.walk([](mlir::slim::DropoutOp d) { d.setIsTraining(false); });
}

/// The one construction of the inference pipeline for a target, shared by
/// code generation and the reports (--summary, --emit=dot), so that the
/// reports describe exactly the library -o would build with the same flags.
/// The CUDA kernels take NHWC activations and TF's filter layouts, so the
/// CUDA pipeline has no blocked layout and no packing.
mlir::LogicalResult runInferencePipeline(mlir::ModuleOp module,
                                         const Target &target,
                                         bool perSample = false) {
  mlir::PassManager pm(module.getContext());
  mlir::slim::SlimPipelineOptions pipelineOptions;
  pipelineOptions.perSamplePlan = perSample;
  if (target.cuda)
    pipelineOptions.blockedLayout = false;
  else
    pipelineOptions.vectorWidth = target.cpu.vectorWidth;
  mlir::slim::buildSlimInferencePipeline(pm, pipelineOptions);
  return pm.run(module);
}

/// Elaborates the model file again with `batch` for a None batch (set by
/// run(); a batch-trace needs the model at several batches).
std::function<mlir::OwningOpRef<mlir::ModuleOp>(int64_t)> elaborateAt;

/// N of --max-batch, which defaults to --batch.
int64_t maxBatch() {
  return maxBatchOption.getNumOccurrences() ? maxBatchOption.getValue()
                                            : batchSize.getValue();
}

/// Whether a None batch becomes a run-time batch: the fast CPU kernels, a
/// max batch over 1, no --static-batch.
bool wantsRuntimeBatch(const Target &target) {
  // A .mlir module has one batch, and a train step a fixed one.
  return !target.cuda && kernelKind == mlir::slim::KernelKind::Fast &&
         !staticBatch && maxBatch() > 1 && !trainFlag && !mlirInput();
}

/// slim_model_def::max_batch of a static model: dim 0 of its first input.
int64_t staticBatchOf(mlir::ModuleOp module) {
  for (auto fn : module.getOps<mlir::func::FuncOp>()) {
    if (fn.isDeclaration() || fn.getSymName() == "slim_prepare" ||
        fn.getNumArguments() == 0)
      continue;
    auto type = dyn_cast<mlir::RankedTensorType>(fn.getArgument(0).getType());
    if (type && type.getRank() > 0 && type.getDimSize(0) > 0)
      return type.getDimSize(0);
  }
  return 1;
}

/// With wantsRuntimeBatch: whether the model's batch is a run-time one
/// (elaborated again at batch 1 and checked, see checkBatchFollowing).
/// Failure after an error.
mlir::FailureOr<bool> hasRuntimeBatch(mlir::ModuleOp base) {
  mlir::OwningOpRef<mlir::ModuleOp> one = elaborateAt(1);
  if (!one)
    return mlir::failure();
  return mlir::slim::checkBatchFollowing(base, *one, maxBatch(), 1);
}

/// The source of a library with a run-time batch 1..N: the model compiled
/// at N (`base`), 1, N + 1 and 2N + 3 with a per-sample memory plan, merged
/// by generalizeBatch. "" when the model's batch is static; failure after
/// an error.
mlir::FailureOr<std::string> traceRuntimeBatch(mlir::ModuleOp base,
                                               const Target &target,
                                               mlir::slim::CodeGenOptions cg) {
  int64_t n = maxBatch();
  mlir::FailureOr<bool> dynamic = hasRuntimeBatch(base);
  if (failed(dynamic))
    return mlir::failure();
  if (!*dynamic)
    return std::string();
  cg.dynamicBatch = true;
  cg.maxBatch = n;
  std::vector<int64_t> batches = {n, 1, n + 1, 2 * n + 3};
  std::vector<std::string> sources;
  for (int64_t b : batches) {
    mlir::OwningOpRef<mlir::ModuleOp> owned;
    mlir::ModuleOp module = base;
    if (b != n) {
      owned = elaborateAt(b);
      if (!owned)
        return mlir::failure();
      module = *owned;
    }
    std::string source;
    raw_string_ostream os(source);
    if (mlir::failed(
            runInferencePipeline(module, target, /*perSample=*/true)) ||
        mlir::failed(mlir::slim::emitCpp(module, cg, os)))
      return mlir::failure();
    sources.push_back(std::move(source));
  }
  Expected<std::string> merged = mlir::slim::generalizeBatch(sources, batches);
  if (!merged) {
    // Only an explicit --max-batch reports it; see compileRuntimeBatch.
    std::string message = toString(merged.takeError());
    if (maxBatchOption.getNumOccurrences())
      driverError() << message << "\n";
    return mlir::failure();
  }
  return *merged;
}

/// traceRuntimeBatch, where an explicit --max-batch makes every reason the
/// batch cannot be a run-time one an error, and the default (--max-batch
/// from --batch) falls back to a static batch without a word ("" as for a
/// static model; -v says why not).
mlir::FailureOr<std::string>
compileRuntimeBatch(mlir::ModuleOp base, const Target &target,
                    const mlir::slim::CodeGenOptions &cg) {
  if (maxBatchOption.getNumOccurrences())
    return traceRuntimeBatch(base, target, cg);
  std::string why;
  mlir::ScopedDiagnosticHandler quiet(
      base.getContext(), [&](mlir::Diagnostic &d) {
        if (why.empty() && d.getSeverity() == mlir::DiagnosticSeverity::Error)
          why = d.str();
        return mlir::success();
      });
  mlir::FailureOr<std::string> traced = traceRuntimeBatch(base, target, cg);
  if (succeeded(traced))
    return traced;
  if (verbose)
    errs() << "slimc: a static batch of " << maxBatch()
           << " (no run-time batch: " << (why.empty() ? "see --max-batch" : why)
           << ")\n";
  return std::string();
}

/// The nvcc --target=cuda runs, or an error printed and nullopt.
std::optional<std::string> resolveNvcc() {
  if (!nvccOption.empty()) {
    // A path is taken as is; a bare name is looked up on PATH.
    if (StringRef(nvccOption).contains('/')) {
      if (sys::fs::can_execute(nvccOption) &&
          !sys::fs::is_directory(nvccOption))
        return nvccOption.getValue();
    } else if (ErrorOr<std::string> p = sys::findProgramByName(nvccOption)) {
      return *p;
    }
    driverError() << "--nvcc '" << nvccOption << "' is not an executable\n";
    return std::nullopt;
  }
  std::optional<std::string> nvcc = mlir::slim::findNvcc();
  if (!nvcc)
    driverError() << "--target=cuda needs nvcc: not found in CUDACXX, "
                     "PATH, CUDA_PATH, CUDA_HOME or /usr/local/cuda/bin; pass "
                     "--nvcc\n";
  return nvcc;
}

/// Writes `text` to -o (or stdout), whole or not at all.
/// Writes `text` to `path` ("-": stdout) so that a failed write leaves no
/// file: a regular file goes through a temporary renamed into place only
/// once the stream has flushed without error. llvm::writeToOutput renames
/// before it looks at the stream, so a full disk or `ulimit -f` left a
/// truncated output and then a fatal "IO failure on output stream".
Error writeOutputFile(StringRef path, StringRef text) {
  auto checked = [](raw_fd_ostream &out) -> Error {
    out.flush();
    if (std::error_code ec = out.error()) {
      out.clear_error(); // Else its destructor reports a fatal error.
      return errorCodeToError(ec);
    }
    return Error::success();
  };
  if (path == "-") {
    outs() << text;
    return checked(outs());
  }
  sys::fs::file_status status;
  if (!sys::fs::status(path, status) && sys::fs::exists(status) &&
      !sys::fs::is_regular_file(status)) {
    // A device such as /dev/null: written in place, no rename possible.
    std::error_code ec;
    raw_fd_ostream out(path, ec);
    if (ec)
      return errorCodeToError(ec);
    out << text;
    return checked(out);
  }
  Expected<sys::fs::TempFile> temp =
      sys::fs::TempFile::create(path + ".tmp-%%%%%%");
  if (!temp)
    return temp.takeError();
  raw_fd_ostream out(temp->FD, /*shouldClose=*/false);
  out << text;
  if (Error err = checked(out))
    return joinErrors(std::move(err), temp->discard());
  return temp->keep(path);
}

int writeOutput(StringRef text) {
  if (Error err = writeOutputFile(outputFilename, text)) {
    driverError() << "cannot write "
                  << (outputFilename == "-" ? std::string("standard output")
                                            : "'" + outputFilename + "'")
                  << ": " << toString(std::move(err)) << "\n";
    return 1;
  }
  return 0;
}

/// --target=cuda --emit=cu|obj|so: the NHWC inference pipeline, CUDA C++,
/// and nvcc.
int generateCuda(mlir::ModuleOp module, const Target &target,
                 StageTimer &timer) {
  if (kernelKind.getNumOccurrences()) {
    driverError() << "--kernels applies to --target=cpu only (the "
                     "reference kernels are the CPU oracle; compile it with "
                     "--target=cpu --kernels=reference)\n";
    return 1;
  }
  if (defaultThreads->getNumOccurrences()) {
    driverError() << "--threads applies to --target=cpu only (a CUDA "
                     "model runs on its context's stream)\n";
    return 1;
  }
  if (emitKind == EmitKind::Cpp) {
    driverError() << "--target=cuda writes CUDA source: use "
                     "--emit=cu\n";
    return 1;
  }
  int precision = StringSwitch<int>(precisionOption)
                      .Case("fp32", 0)
                      .Case("tf32", 1)
                      .Case("bf16", 2)
                      .Case("fp16", 3)
                      .Default(-1);
  if (precision < 0) {
    driverError() << "unknown --precision '" << precisionOption
                  << "' (fp32, tf32, bf16, fp16)\n";
    return 1;
  }
  if (precision > 0 && target.cudaMinArch < 80) {
    driverError() << "--precision=" << precisionOption
                  << " runs on the tensor cores of sm_80 or newer; --target="
                  << targetOption << " is older\n";
    return 1;
  }
  std::optional<std::string> nvcc;
  if (emitKind != EmitKind::Cu && !(nvcc = resolveNvcc()))
    return 1;
  mlir::slim::CodeGenOptions cg;
  cg.target = mlir::slim::Target::Cuda;
  cg.cudaMinArch = target.cudaMinArch;
  cg.cudaPrecision = precision;
  cg.cudaArchFlags.clear();
  for (const std::string &g : target.gencode)
    cg.cudaArchFlags +=
        (cg.cudaArchFlags.empty() ? "-gencode " : " -gencode ") + g;
  cg.modelName =
      sys::path::stem(outputFilename == "-" ? inputFilename : outputFilename)
          .str();
  cg.generator = "slimc --target=" + target.name;
  if (precision > 0)
    cg.generator += " --precision=" + precisionOption;
  if (mlir::failed(runInferencePipeline(module, target)))
    return 1;
  cg.maxBatch = staticBatchOf(module);
  timer.done("inference pipeline (NHWC)");
  std::string source;
  raw_string_ostream sourceStream(source);
  if (mlir::failed(mlir::slim::emitCpp(module, cg, sourceStream)))
    return 1;
  timer.done("CUDA generation");
  if (emitKind == EmitKind::Cu)
    return writeOutput(source);
  mlir::slim::CudaCompileOptions co;
  co.nvcc = *nvcc;
  co.includeDir = findRuntimeInclude(programName);
  co.optLevel = optLevel;
  co.gencode = target.gencode;
  co.object = emitKind == EmitKind::Obj;
  if (verbose) {
    errs() << "slimc: " << co.nvcc;
    for (const std::string &f : mlir::slim::nvccFlags(co))
      errs() << " " << f;
    errs() << " model.cu -o " << outputFilename << "\n";
  }
  if (Error error = mlir::slim::compileCuda(source, outputFilename, co)) {
    driverError() << toString(std::move(error)) << "\n";
    return 1;
  }
  timer.done("nvcc");
  return 0;
}

/// --emit=cpp|obj|so: the inference pipeline (fast kernels), C++, and the
/// system compiler.
int generateCode(mlir::ModuleOp module, StageTimer &timer) {
  FailureOr<Target> resolved = resolveTargetOption();
  if (failed(resolved))
    return 1;
  if (optLevel > 3) {
    driverError() << "-O expects 0, 1, 2 or 3\n";
    return 1;
  }
  if (emitKind != EmitKind::Cpp && emitKind != EmitKind::Cu &&
      outputFilename == "-") {
    driverError() << "--emit=so and --emit=obj need -o FILE\n";
    return 1;
  }
  if (maxBatchOption.getNumOccurrences() && maxBatch() > 1 && !staticBatch &&
      (resolved->cuda || kernelKind != mlir::slim::KernelKind::Fast)) {
    driverError() << "--max-batch (a run-time batch) needs --target=cpu "
                     "with the fast kernels; --target=cuda and "
                     "--kernels=reference compile a fixed batch: use "
                     "--batch\n";
    return 1;
  }
  std::string trainStep;
  if (trainFlag) {
    if (resolved->cuda) {
      driverError() << "--train compiles the training step for "
                       "--target=cpu only\n";
      return 1;
    }
    if (mlir::failed(materializeTraining(module)))
      return 1;
    mlir::FailureOr<std::string> step =
        mlir::slim::emitTrainStep(module, nullptr, trainForward);
    if (mlir::failed(step))
      return 1;
    trainStep = std::move(*step);
    timer.done("train step generation");
  }
  keepInferenceOnly(module);
  if (resolved->cuda)
    return generateCuda(module, *resolved, timer);
  if (precisionOption.getNumOccurrences()) {
    driverError() << "--precision applies to --target=cuda only\n";
    return 1;
  }
  if (emitKind == EmitKind::Cu) {
    driverError() << "--emit=cu needs --target=cuda\n";
    return 1;
  }
  const mlir::slim::TargetInfo *target = &resolved->cpu;
  int threads = defaultThreads->getValue();
  if (threads < 0 || threads > 4096) {
    driverError() << "--threads expects 0 (all) to 4096, got " << threads
                  << "\n";
    return 1;
  }
  mlir::slim::CodeGenOptions cg;
  cg.trainStep = std::move(trainStep);
  cg.kernels = kernelKind;
  cg.defaultNumThreads = threads;
  cg.vectorWidth = target->vectorWidth;
  cg.requiredIsa = target->requiredIsa;
  cg.modelName =
      sys::path::stem(outputFilename == "-" ? inputFilename : outputFilename)
          .str();
  cg.generator =
      "slimc --kernels=" +
      std::string(kernelKind == mlir::slim::KernelKind::Fast ? "fast"
                                                             : "reference") +
      " -O" + std::to_string(optLevel) + " -march=" + target->march;
  std::string source;
  mlir::OwningOpRef<mlir::ModuleOp> fresh;
  if (wantsRuntimeBatch(*resolved)) {
    mlir::FailureOr<std::string> traced =
        compileRuntimeBatch(module, *resolved, cg);
    if (failed(traced))
      return 1;
    source = std::move(*traced);
    if (source.empty()) {
      // The traces ran the pipeline on `module`: start again from the file.
      if (!(fresh = elaborateAt(maxBatch())))
        return 1;
      module = *fresh;
    } else {
      timer.done("inference pipeline and C++ generation at batches " +
                 std::to_string(maxBatch()) + ", 1, " +
                 std::to_string(maxBatch() + 1) + ", " +
                 std::to_string(2 * maxBatch() + 3) + " (run-time batch)");
    }
  }
  if (source.empty()) {
    if (kernelKind == mlir::slim::KernelKind::Fast) {
      if (mlir::failed(runInferencePipeline(module, *resolved)))
        return 1;
      timer.done("inference pipeline");
    }
    cg.maxBatch = staticBatchOf(module);
    raw_string_ostream sourceStream(source);
    if (mlir::failed(mlir::slim::emitCpp(module, cg, sourceStream)))
      return 1;
    timer.done("C++ generation");
  }
  if (emitKind == EmitKind::Cpp)
    return writeOutput(source);
  mlir::slim::CompileOptions co;
  co.compiler = cxxCompiler;
  co.includeDir = findRuntimeInclude(programName);
  co.march = target->march;
  co.optLevel = optLevel;
  co.object = emitKind == EmitKind::Obj;
  if (Error error = mlir::slim::compileCpp(source, outputFilename, co)) {
    driverError() << toString(std::move(error)) << "\n";
    return 1;
  }
  timer.done("C++ compilation (" + cxxCompiler + " -O" +
             std::to_string(optLevel) + " -march=" + target->march + ")");
  return 0;
}

int run() {
  StageTimer timer;
  if (emitKind.getNumOccurrences() == 0) {
    // The output's extension picks how far to go: model.so, model.o,
    // model.cpp.
    StringRef ext = sys::path::extension(outputFilename);
    if (ext == ".so")
      emitKind = EmitKind::So;
    else if (ext == ".o")
      emitKind = EmitKind::Obj;
    else if (ext == ".cpp" || ext == ".cc")
      emitKind = EmitKind::Cpp;
    else if (ext == ".cu")
      emitKind = EmitKind::Cu;
  }
  slim::ElaborateOptions options;
  // A training script's @train_step is built only when asked for; without
  // --train the file compiles to its inference library as before.
  if (trainFlag)
    options.train = true;
  if (batchSize < 1) {
    driverError() << "--batch must be positive\n";
    return 1;
  }
  if (maxBatchOption.getNumOccurrences() &&
      (maxBatchOption < 1 || maxBatchOption > (int64_t(1) << 30))) {
    driverError() << "--max-batch must be 1 to 2^30\n";
    return 1;
  }
  if (maxBatchOption.getNumOccurrences() && batchSize.getNumOccurrences() &&
      maxBatchOption != batchSize) {
    driverError() << "--batch " << batchSize << " and --max-batch "
                  << maxBatchOption
                  << " disagree (--max-batch N compiles batches 1..N and "
                     "defaults to --batch; give one)\n";
    return 1;
  }
  options.batch = maxBatch();
  if (workLimit < 1) {
    driverError() << "--work-limit must be positive\n";
    return 1;
  }
  options.stepLimit = workLimit;
  options.entry = entryFunction;
  options.includeDirs.assign(includeDirs.begin(), includeDirs.end());
  bool noneBatch = false;
  if (!inputShape.empty() &&
      !parseShape(inputShape, options.entryInputShape, noneBatch)) {
    driverError() << "--input-shape expects positive dimensions "
                     "separated by 'x' (the first may be N, a None batch), "
                     "e.g. 1x224x224x3, got '"
                  << inputShape << "'\n";
    return 1;
  }
  if (!inputShape.empty() && entryFunction.empty()) {
    driverError() << "--input-shape is only used with --entry\n";
    return 1;
  }

  // Only a regular file is a source ('-' reads stdin): a device or a FIFO has
  // no size and may never end (/dev/zero), and reading one would run until
  // memory runs out. status() follows symlinks, so a link to a device is
  // refused too.
  if (inputFilename != "-") {
    sys::fs::file_status status;
    if (std::error_code ec = sys::fs::status(inputFilename, status)) {
      driverError() << "cannot open '" << inputFilename << "': " << ec.message()
                    << "\n";
      return 1;
    }
    if (!sys::fs::is_regular_file(status)) {
      driverError() << "'" << inputFilename << "' is not a regular file\n";
      return 1;
    }
  }
  auto fileOrErr = MemoryBuffer::getFileOrSTDIN(inputFilename);
  if (std::error_code ec = fileOrErr.getError()) {
    driverError() << "cannot open '" << inputFilename << "': " << ec.message()
                  << "\n";
    return 1;
  }
  SourceMgr sourceMgr;
  unsigned buffer =
      sourceMgr.AddNewSourceBuffer(std::move(*fileOrErr), SMLoc());
  std::unique_ptr<slim::ModuleAST> ast;
  if (mlirInput()) {
    if (emitKind == EmitKind::AST) {
      driverError() << "--emit=ast needs a model file, not a .mlir module\n";
      return 1;
    }
    if (!entryFunction.empty() || batchSize.getNumOccurrences() ||
        maxBatchOption.getNumOccurrences()) {
      driverError() << "--entry, --input-shape, --batch and --max-batch "
                       "apply to model files; a .mlir module has its "
                       "shapes\n";
      return 1;
    }
  } else {
    ast = slim::parseModule(sourceMgr, buffer);
    if (!ast)
      return 1;
  }

  std::string text;
  raw_string_ostream os(text);
  if (emitKind == EmitKind::AST) {
    slim::dumpAST(os, *ast);
  } else {
    mlir::MLIRContext context;
    context.disableMultithreading();
    mlir::SourceMgrDiagnosticHandler diagHandler(sourceMgr, &context);
    mlir::OwningOpRef<mlir::ModuleOp> module;
    if (mlirInput()) {
      module = parseMlirInput(sourceMgr, context);
      if (!module)
        return 1;
      timer.done("MLIR parser");
    } else {
      if (noneBatch)
        options.entryInputShape[0] = options.batch;
      elaborateAt = [&](int64_t batch) {
        slim::ElaborateOptions at = options;
        at.batch = batch;
        if (noneBatch)
          at.entryInputShape[0] = batch;
        slim::Interpreter again(sourceMgr, context, at);
        return again.run(*ast);
      };
      slim::Interpreter interp(sourceMgr, context, options);
      module = interp.run(*ast);
      if (!module)
        return 1;
      timer.done("frontend");
    }
    if (emitKind == EmitKind::Cpp || emitKind == EmitKind::Cu ||
        emitKind == EmitKind::Obj || emitKind == EmitKind::So)
      return generateCode(*module, timer);
    if (printSummaryTable || emitKind == EmitKind::Dot) {
      // Both views describe the model as it will run on --target (and
      // --target-cpu): after the inference pipeline (fusion, layout, memory
      // plan).
      FailureOr<Target> target = resolveTargetOption();
      if (failed(target))
        return 1;
      // The batch as the library gets it: a run-time batch plans memory
      // per sample.
      bool runtimeBatch = false;
      if (wantsRuntimeBatch(*target)) {
        mlir::slim::CodeGenOptions cg;
        cg.vectorWidth = target->cpu.vectorWidth;
        mlir::FailureOr<std::string> probe =
            compileRuntimeBatch(*module, *target, cg);
        if (failed(probe))
          return 1;
        runtimeBatch = !probe->empty();
        if (!(module = elaborateAt(maxBatch())))
          return 1;
      }
      // --train --summary: the train step's arena as its code plans it.
      std::optional<mlir::slim::TrainStepStats> trainStats;
      if (trainFlag && printSummaryTable) {
        if (mlir::failed(materializeTraining(*module)))
          return 1;
        trainStats.emplace();
        if (mlir::failed(
                mlir::slim::emitTrainStep(*module, &*trainStats, trainForward)))
          return 1;
      }
      keepInferenceOnly(*module);
      if (mlir::failed(runInferencePipeline(*module, *target, runtimeBatch)))
        return 1;
      if (printSummaryTable) {
        mlir::slim::printSummary(*module, os);
        if (trainStats)
          os << "train arena: " << trainStats->arenaBytes << " bytes ("
             << trainStats->slices << " slices, " << trainStats->unplannedBytes
             << " bytes without reuse)\n";
        if (runtimeBatch) {
          int64_t perSample = (*module)
                                  ->getAttrOfType<mlir::IntegerAttr>(
                                      "slim.arena_bytes_per_sample")
                                  .getInt();
          int64_t arena =
              (*module)
                  ->getAttrOfType<mlir::IntegerAttr>("slim.arena_size")
                  .getInt();
          os << "batch: run-time, 1.." << maxBatch()
             << " (--max-batch); arena at batch b: " << perSample << " * b + "
             << arena - maxBatch() * perSample << " bytes\n";
        } else
          os << "batch: static, " << staticBatchOf(*module) << "\n";
      } else {
        mlir::slim::printDot(*module, os);
      }
    } else if (emitKind == EmitKind::Variables) {
      // With --train the optimizer's variables are the library's too.
      if (trainFlag && mlir::failed(materializeTraining(*module)))
        return 1;
      printVariables(*module, os);
    } else {
      mlir::OpPrintingFlags flags;
      if (printDebugLocs)
        flags.enableDebugInfo();
      module->print(os, flags);
    }
  }

  return writeOutput(text);
}
/// SIGXCPU (a CPU-time limit, `ulimit -t`): removes the temporaries LLVM
/// registered (a half-written output) and dies by the signal. LLVM's own
/// handler prints a stack trace first, which allocates: a limit that landed
/// inside malloc deadlocked on the allocator's lock (test/fuzz/mutate_slim.py
/// found it by running each mutant under a CPU limit).
extern "C" void endOnCpuLimit(int signalNumber) {
  llvm::sys::RunInterruptHandlers();
  std::signal(signalNumber, SIG_DFL);
  std::raise(signalNumber);
}

/// Resource limits end slimc cleanly rather than through the crash handler.
/// Must follow InitLLVM, which installs LLVM's handlers once.
void handleResourceLimits() {
  std::signal(SIGXCPU, endOnCpuLimit);
  // A file-size limit (`ulimit -f`) then fails the write with EFBIG, which
  // is reported as an error with the output's temporary removed.
  std::signal(SIGXFSZ, SIG_IGN);
}
} // namespace

int main(int argc, char **argv) {
  InitLLVM initLLVM(argc, argv);
  handleResourceLimits();
  programName = argv[0];
  mlir::registerAsmPrinterCLOptions();
  registerThreadsOption();
  cl::HideUnrelatedOptions(slimcCategory);
  cl::ParseCommandLineOptions(
      argc, argv,
      "slimc: compiles TF-Slim model files\n\n"
      "  slimc vgg16.slim --emit=mlir           print the slim-dialect module\n"
      "  slimc vgg16.slim --entry vgg16 --input-shape 1x224x224x3\n"
      "  slimc vgg16.slim -o vgg16.so             compile for the runtime\n"
      "  slimc vgg16.slim --target=cuda -o vgg16.so   for NVIDIA GPUs (nvcc)\n"
      "  slimc vgg16.slim --target=cuda -o vgg16.cu   the CUDA source only\n");
  if (trainForward.getNumOccurrences() && !trainFlag) {
    driverError() << "--train-forward applies to the train step: add --train\n";
    return 1;
  }
  int result = 1;
  llvm::thread worker(std::optional<unsigned>(kElaboratorStackBytes),
                      [&] { result = run(); });
  worker.join();
  return result;
}
