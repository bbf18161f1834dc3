//===- Compile.cpp - Running the system C++ compiler on generated code ----===//

#include "compiler/CodeGen/CodeGen.h"

#include "llvm/ADT/SmallString.h"
#include "llvm/Support/FileSystem.h"
#include "llvm/Support/MemoryBuffer.h"
#include "llvm/Support/Path.h"
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

bool mlir::slim::compileCpp(llvm::StringRef source, llvm::StringRef outputPath,
                            const CompileOptions &options, std::string &error) {
  namespace fs = llvm::sys::fs;
  llvm::SmallString<128> dir;
  if (std::error_code ec = fs::createUniqueDirectory("slimc", dir)) {
    error = "cannot create a temporary directory: " + ec.message();
    return false;
  }
  llvm::SmallString<128> cppPath(dir), logPath(dir);
  llvm::sys::path::append(cppPath, "model.cpp");
  llvm::sys::path::append(logPath, "compiler.log");
  auto cleanupDir = [&] {
    fs::remove(cppPath);
    fs::remove(logPath);
    fs::remove(dir);
  };
  {
    std::error_code ec;
    llvm::raw_fd_ostream out(cppPath, ec);
    if (ec) {
      error = "cannot write '" + cppPath.str().str() + "': " + ec.message();
      cleanupDir();
      return false;
    }
    out << source;
  }

  // The compiler writes next to the final path so the rename is atomic.
  llvm::SmallString<128> tmpOut;
  std::string model = (outputPath + "-%%%%%%.tmp").str();
  int fd;
  if (std::error_code ec = fs::createUniqueFile(model, fd, tmpOut)) {
    error = "cannot create a file next to '" + outputPath.str() +
            "': " + ec.message();
    cleanupDir();
    return false;
  }
  ::close(fd);

  llvm::ErrorOr<std::string> compiler =
      llvm::sys::findProgramByName(options.compiler);
  if (!compiler) {
    error = "cannot find the C++ compiler '" + options.compiler + "'";
    fs::remove(tmpOut);
    cleanupDir();
    return false;
  }
  std::string opt = "-O" + std::to_string(options.optLevel);
  std::string march = "-march=" + options.march;
  std::string inc = "-I" + options.includeDir;
  std::vector<llvm::StringRef> args = {*compiler,
                                       "-std=c++17",
                                       opt,
                                       march,
                                       "-fPIC",
                                       "-fvisibility=hidden",
                                       "-fno-exceptions",
                                       "-fno-rtti",
                                       inc};
  if (options.object)
    args.push_back("-c");
  else
    args.push_back("-shared");
  args.push_back(cppPath);
  args.push_back("-o");
  args.push_back(tmpOut);
  std::optional<llvm::StringRef> redirects[] = {std::nullopt, logPath.str(),
                                                logPath.str()};
  std::string execError;
  int rc = llvm::sys::ExecuteAndWait(*compiler, args, std::nullopt, redirects,
                                     0, 0, &execError);
  if (rc != 0) {
    error = "the C++ compiler failed";
    if (!execError.empty())
      error += ": " + execError;
    if (auto log = llvm::MemoryBuffer::getFile(logPath))
      error += "\n" + (*log)->getBuffer().str();
    fs::remove(tmpOut);
    cleanupDir();
    return false;
  }
  if (std::error_code ec = fs::rename(tmpOut, outputPath)) {
    error = "cannot write '" + outputPath.str() + "': " + ec.message();
    fs::remove(tmpOut);
    cleanupDir();
    return false;
  }
  cleanupDir();
  return true;
}
