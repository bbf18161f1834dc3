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
llvm_config.add_tool_substitutions(["slim-opt", "slimc", "slimrun", "slim-ckpt", "not", "count", "split-file"], tool_dirs)

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
