# -*- Python -*-
import os

import lit.formats
from lit.llvm import llvm_config

config.name = "slimc"
config.test_format = lit.formats.ShTest(not llvm_config.use_lit_shell)
config.suffixes = [".mlir", ".slim", ".test"]
config.test_source_root = os.path.dirname(__file__)
config.test_exec_root = os.path.join(config.slimc_obj_root, "test")
# Conformance, runtime and kernel tests have their own runners; unit/ holds
# GoogleTest sources; Inputs/ holds files that other tests include.
config.excludes = ["Inputs", "conformance", "runtime", "kernels", "unit",
                   "CMakeLists.txt", "lit.cfg.py", "lit.site.cfg.py"]

# No substitution may start with %s, %t or %p: lit would expand those first.
config.substitutions.append(("%golden", os.path.join(config.slimc_src_root, "test", "conformance", "golden")))
config.substitutions.append(("%examples", os.path.join(config.slimc_src_root, "examples")))
config.substitutions.append(("%shlibdir", config.slimc_lib_dir))

llvm_config.with_system_environment(["HOME", "TMPDIR", "PATH"])
llvm_config.use_default_substitutions()
tool_dirs = [config.slimc_tools_dir, config.llvm_tools_dir]
llvm_config.add_tool_substitutions(["slim-opt", "slimc", "slimrun", "slim-ckpt", "slim-train-gradcheck", "not", "count", "split-file"], tool_dirs)

# Lets tests of "refuses to run without AVX-512" run only where that is true,
# and tests of the AVX-512 build only where it runs; elsewhere lit reports
# them UNSUPPORTED (visible in the -sv output).
try:
    with open("/proc/cpuinfo") as cpuinfo:
        if "avx512f" in cpuinfo.read():
            config.available_features.add("avx512")
        else:
            config.available_features.add("no-avx512")
except OSError:
    pass

# CUDA backend. `nvcc`: nvcc found the way slimc and CMake's FindCUDAToolkit
# find it (CUDACXX, PATH, CUDA_PATH, CUDA_HOME, /usr/local/cuda/bin): tests
# that run nvcc say `REQUIRES: nvcc` and are UNSUPPORTED without it.
# `cuda-device`: a GPU is present (/dev/nvidia0); the "no device" tests say
# `UNSUPPORTED: cuda-device`.
def find_nvcc():
    import shutil
    cudacxx = os.environ.get("CUDACXX")
    if cudacxx and shutil.which(cudacxx):
        return shutil.which(cudacxx)
    if shutil.which("nvcc"):
        return shutil.which("nvcc")
    for root in (os.environ.get("CUDA_PATH"), os.environ.get("CUDA_HOME"), "/usr/local/cuda"):
        if root:
            candidate = os.path.join(root, "bin", "nvcc")
            if os.access(candidate, os.X_OK):
                return candidate
    return None

nvcc_path = find_nvcc()
if nvcc_path:
    config.available_features.add("nvcc")
    config.substitutions.append(("%nvcc", nvcc_path))
    # slimc runs nvcc in the test environment: pass the one found here.
    config.environment["CUDACXX"] = nvcc_path
if os.path.exists("/dev/nvidia0"):
    config.available_features.add("cuda-device")
for var in ("CUDA_PATH", "CUDA_HOME"):
    if var in os.environ:
        config.environment[var] = os.environ[var]

# A generated .cu built for the host against the SIMT emulation of test/cuda:
# a working "device" model library on a machine without a GPU.
#   %emucxx X.cu %emusrc -o X.so
runtime_include = os.path.join(config.slimc_src_root, "runtime", "include")
emulation_dir = os.path.join(config.slimc_src_root, "test", "cuda")
config.substitutions.append(("%runtime_include", runtime_include))
config.substitutions.append(("%emucxx", "c++ -x c++ -std=c++17 -O2 -shared -fPIC -DSLIM_CUDA_EMULATION -I" + runtime_include + " -I" + emulation_dir))
config.substitutions.append(("%emusrc", os.path.join(emulation_dir, "simt_emulation.cpp")))
