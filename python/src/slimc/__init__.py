"""slimc: compile TF-Slim model files and run them from Python.

    import slimc
    lib = slimc.compile("vgg16.slim", output="vgg16.so")   # runs slimc
    model = slimc.Model(lib)                                # the C runtime
    model.restore("vgg_16.ckpt", exclude=["vgg_16/fc8"])    # TF V1/V2, safetensors
    model.initialize(seed=1)                                # or initializers
    logits = model(images)                                  # numpy NHWC in and out

The package carries the slimc driver (``bin/slimc``), the runtime library
(``lib/libslim_runtime.so``) and the runtime headers slimc compiles against
(``include/slim``); the binding is ctypes over the runtime's C API, which
releases the GIL while a model runs. See docs/python.md.
"""

from ._capi import runtime_library_path
from ._compile import compile, include_dir, slimc_path
from ._errors import (CompileError, DataLossError, Diagnostic,
                      FailedPreconditionError, IncompatibleError,
                      InvalidArgumentError, NotFoundError,
                      ResourceExhaustedError, SlimError, SlimIOError,
                      StatusCode, UnavailableError, UnimplementedError)
from ._model import (Model, TensorInfo, VariableInfo, get_num_threads,
                     runtime_version, set_num_threads)

__version__ = "0.4.0"

__all__ = [
    "CompileError",
    "DataLossError",
    "Diagnostic",
    "FailedPreconditionError",
    "IncompatibleError",
    "InvalidArgumentError",
    "Model",
    "NotFoundError",
    "ResourceExhaustedError",
    "SlimError",
    "SlimIOError",
    "StatusCode",
    "TensorInfo",
    "UnavailableError",
    "UnimplementedError",
    "VariableInfo",
    "compile",
    "get_num_threads",
    "include_dir",
    "runtime_library_path",
    "runtime_version",
    "set_num_threads",
    "slimc_path",
]
