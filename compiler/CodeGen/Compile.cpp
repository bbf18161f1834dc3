//===- Compile.cpp - Running the system C++ compiler on generated code ----===//

#include "compiler/CodeGen/CodeGen.h"

#include "llvm/ADT/ScopeExit.h"
#include "llvm/ADT/SmallString.h"
#include "llvm/Support/FileSystem.h"
#include "llvm/Support/MemoryBuffer.h"
#include "llvm/Support/Path.h"
#include "llvm/Support/Process.h"
#include "llvm/Support/Program.h"
#include "llvm/TargetParser/Host.h"

#include <unistd.h>

using namespace mlir;
using namespace mlir::slim;

// Bits of model_abi.h's SLIM_ISA_* (kept in sync by the generated code's use
// of the same header: the runtime checks them against cpuid).
namespace {
enum : uint32_t {
  kSse42 = 1u << 0,
  kAvx = 1u << 1,
  kAvx2 = 1u << 2,
  kFma = 1u << 3,
  kF16c = 1u << 4,
  kAvx512f = 1u << 5,
  kAvx512bw = 1u << 6,
  kAvx512dq = 1u << 7,
  kAvx512vl = 1u << 8,
  kAvx512vnni = 1u << 9,
};
constexpr uint32_t kV3 = kSse42 | kAvx | kAvx2 | kFma | kF16c;
constexpr uint32_t kV4 = kV3 | kAvx512f | kAvx512bw | kAvx512dq | kAvx512vl;
} // namespace

FailureOr<TargetInfo> mlir::slim::resolveTarget(llvm::StringRef cpu) {
  TargetInfo t;
  if (cpu == "generic") {
    t.march = "x86-64";
    return t;
  }
  if (cpu == "x86-64-v3") {
    t.march = "x86-64-v3";
    t.requiredIsa = kV3;
    return t;
  }
  if (cpu == "x86-64-v4") {
    t.march = "x86-64-v4";
    t.requiredIsa = kV4;
    t.vectorWidth = 16;
    return t;
  }
  if (cpu == "native") {
    t.march = "native";
    llvm::StringMap<bool> features = llvm::sys::getHostCPUFeatures();
    auto has = [&](const char *f) { return features.lookup(f); };
    const std::pair<const char *, uint32_t> bits[] = {
        {"sse4.2", kSse42},      {"avx", kAvx},
        {"avx2", kAvx2},         {"fma", kFma},
        {"f16c", kF16c},         {"avx512f", kAvx512f},
        {"avx512bw", kAvx512bw}, {"avx512dq", kAvx512dq},
        {"avx512vl", kAvx512vl}, {"avx512vnni", kAvx512vnni}};
    for (auto [name, bit] : bits)
      if (has(name))
        t.requiredIsa |= bit;
    if (has("avx512f"))
      t.vectorWidth = 16;
    return t;
  }
  return failure();
}

namespace {
llvm::Error compileError(const llvm::Twine &message) {
  return llvm::createStringError(llvm::inconvertibleErrorCode(), message);
}

/// Runs `program` with `flags`, then the source file, `-o` and a temporary
/// output path, on `source` written to a temporary `sourceName`; renames the
/// output into place on success. The error carries the reason and the
/// compiler's diagnostics. `command` receives the command line (paths as run).
llvm::Error runCompiler(llvm::StringRef source, llvm::StringRef sourceName,
                        llvm::StringRef outputPath, llvm::StringRef program,
                        llvm::StringRef what,
                        const std::vector<std::string> &flags,
                        std::string *command) {
  namespace fs = llvm::sys::fs;
  llvm::SmallString<128> dir;
  if (std::error_code ec = fs::createUniqueDirectory("slimc", dir))
    return compileError("cannot create a temporary directory: " + ec.message());
  llvm::SmallString<128> srcPath(dir), logPath(dir), tmpOut;
  llvm::sys::path::append(srcPath, sourceName);
  llvm::sys::path::append(logPath, "compiler.log");
  // Whatever happens, nothing but the finished output stays behind.
  auto cleanup = llvm::make_scope_exit([&] {
    if (!tmpOut.empty())
      fs::remove(tmpOut);
    fs::remove(srcPath);
    fs::remove(logPath);
    fs::remove(dir);
  });
  {
    std::error_code ec;
    llvm::raw_fd_ostream out(srcPath, ec);
    if (ec)
      return compileError("cannot write '" + srcPath + "': " + ec.message());
    out << source;
  }

  // The compiler writes next to the final path so the rename is atomic.
  std::string model = (outputPath + "-%%%%%%.tmp").str();
  int fd;
  if (std::error_code ec = fs::createUniqueFile(model, fd, tmpOut))
    return compileError("cannot create a file next to '" + outputPath +
                        "': " + ec.message());
  ::close(fd);

  llvm::ErrorOr<std::string> compiler = llvm::sys::findProgramByName(program);
  if (!compiler)
    return compileError("cannot find the " + what + " '" + program + "'");
  std::vector<llvm::StringRef> args = {*compiler};
  for (const std::string &f : flags)
    args.push_back(f);
  args.push_back(srcPath);
  args.push_back("-o");
  args.push_back(tmpOut);
  if (command) {
    command->clear();
    for (llvm::StringRef a : args)
      *command += (command->empty() ? "" : " ") + a.str();
  }
  std::optional<llvm::StringRef> redirects[] = {std::nullopt, logPath.str(),
                                                logPath.str()};
  std::string execError;
  int rc = llvm::sys::ExecuteAndWait(*compiler, args, std::nullopt, redirects,
                                     0, 0, &execError);
  if (rc != 0) {
    std::string message = "the " + what.str() + " failed";
    if (!execError.empty())
      message += ": " + execError;
    if (auto log = llvm::MemoryBuffer::getFile(logPath))
      message += "\n" + (*log)->getBuffer().str();
    return compileError(message);
  }
  if (std::error_code ec = fs::rename(tmpOut, outputPath))
    return compileError("cannot write '" + outputPath + "': " + ec.message());
  tmpOut.clear();
  return llvm::Error::success();
}
} // namespace

llvm::Error mlir::slim::compileCpp(llvm::StringRef source,
                                   llvm::StringRef outputPath,
                                   const CompileOptions &options) {
  std::vector<std::string> flags = {"-std=c++17",
                                    "-O" + std::to_string(options.optLevel),
                                    "-march=" + options.march,
                                    "-fPIC",
                                    "-fvisibility=hidden",
                                    "-fno-exceptions",
                                    "-fno-rtti",
                                    "-I" + options.includeDir,
                                    options.object ? "-c" : "-shared"};
  return runCompiler(source, "model.cpp", outputPath, options.compiler,
                     "C++ compiler", flags, nullptr);
}

std::vector<std::string>
mlir::slim::nvccFlags(const CudaCompileOptions &options) {
  std::vector<std::string> flags = {"-std=c++17",
                                    "-O" + std::to_string(options.optLevel),
                                    options.object ? "-c" : "-shared",
                                    "-Xcompiler",
                                    "-fPIC",
                                    "-Xcompiler",
                                    "-fvisibility=hidden",
                                    "-cudart",
                                    "static"};
  for (const std::string &g : options.gencode) {
    flags.push_back("-gencode");
    flags.push_back(g);
  }
  flags.push_back("-I" + options.includeDir);
  return flags;
}

llvm::Error mlir::slim::compileCuda(llvm::StringRef source,
                                    llvm::StringRef outputPath,
                                    const CudaCompileOptions &options,
                                    std::string *command) {
  return runCompiler(source, "model.cu", outputPath, options.nvcc, "nvcc",
                     nvccFlags(options), command);
}

std::optional<std::string> mlir::slim::findNvcc() {
  namespace fs = llvm::sys::fs;
  // As CMake's FindCUDAToolkit: CUDACXX, nvcc on PATH, then the toolkit
  // roots.
  if (std::optional<std::string> cudacxx =
          llvm::sys::Process::GetEnv("CUDACXX");
      cudacxx && !cudacxx->empty()) {
    if (llvm::ErrorOr<std::string> p = llvm::sys::findProgramByName(*cudacxx))
      return *p;
  }
  if (llvm::ErrorOr<std::string> p = llvm::sys::findProgramByName("nvcc"))
    return *p;
  for (const char *var : {"CUDA_PATH", "CUDA_HOME"})
    if (std::optional<std::string> root = llvm::sys::Process::GetEnv(var);
        root && !root->empty()) {
      llvm::SmallString<256> path(*root);
      llvm::sys::path::append(path, "bin", "nvcc");
      if (fs::can_execute(path))
        return std::string(path);
    }
  if (fs::can_execute("/usr/local/cuda/bin/nvcc"))
    return std::string("/usr/local/cuda/bin/nvcc");
  return std::nullopt;
}
