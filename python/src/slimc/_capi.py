"""ctypes declarations of the runtime's C API (slim/slim_runtime.h).

Every call goes through ctypes.CDLL, which releases the GIL for the duration
of the foreign call: runs from several Python threads execute in parallel.
Only the functions the package uses are declared; each gets argtypes and
restype so ctypes checks arguments instead of guessing.
"""

from __future__ import annotations

import ctypes
import glob
import os
import threading
from ctypes import (POINTER, c_char_p, c_double, c_int32, c_int64, c_size_t,
                    c_uint32, c_uint64, c_void_p)
from typing import Optional

from ._errors import error_from_status

SLIM_MAX_RANK = 8

# The package's own directory: the wheel installs bin/, lib/ and include/ here.
PACKAGE_DIR = os.path.dirname(os.path.abspath(__file__))

slim_status = c_void_p
slim_model_p = c_void_p
slim_context_p = c_void_p


class TensorInfoC(ctypes.Structure):
    _fields_ = [
        ("name", c_char_p),
        ("dtype", c_int32),
        ("rank", c_int32),
        ("dims", POINTER(c_int64)),
        ("num_elements", c_uint64),
        ("size_bytes", c_uint64),
    ]


class RegularizerSpecC(ctypes.Structure):
    _fields_ = [("l1_scale", c_double), ("l2_scale", c_double)]


class VariableInfoC(ctypes.Structure):
    _fields_ = [
        ("tensor", TensorInfoC),
        ("is_model_variable", c_int32),
        ("trainable", c_int32),
        ("device", c_char_p),
        ("regularizer", RegularizerSpecC),
        ("initialized", c_int32),
        ("prepare_only", c_int32),
        ("released", c_int32),
    ]


class RestoreOptionsC(ctypes.Structure):
    _fields_ = [
        ("include_scopes", POINTER(c_char_p)),
        ("num_include_scopes", c_size_t),
        ("exclude_scopes", POINTER(c_char_p)),
        ("num_exclude_scopes", c_size_t),
        ("ignore_missing_vars", c_int32),
        ("error_on_unexpected", c_int32),
        ("model_prefix", c_char_p),
        ("checkpoint_prefix", c_char_p),
    ]


# (name, restype, argtypes) of every function used.
_SIGNATURES = [
    ("slim_runtime_version", c_uint32, []),
    ("slim_status_get_code", c_int32, [slim_status]),
    ("slim_status_get_message", c_char_p, [slim_status]),
    ("slim_status_code_name", c_char_p, [c_int32]),
    ("slim_status_destroy", None, [slim_status]),
    ("slim_set_num_threads", slim_status, [c_int32]),
    ("slim_get_num_threads", c_int32, []),
    ("slim_model_open", slim_status, [c_char_p, POINTER(slim_model_p)]),
    ("slim_model_destroy", None, [slim_model_p]),
    ("slim_model_name", c_char_p, [slim_model_p]),
    ("slim_model_num_inputs", c_size_t, [slim_model_p]),
    ("slim_model_num_outputs", c_size_t, [slim_model_p]),
    ("slim_model_num_variables", c_size_t, [slim_model_p]),
    ("slim_model_input_info", slim_status,
     [slim_model_p, c_size_t, POINTER(TensorInfoC)]),
    ("slim_model_output_info", slim_status,
     [slim_model_p, c_size_t, POINTER(TensorInfoC)]),
    ("slim_model_variable_info", slim_status,
     [slim_model_p, c_size_t, POINTER(VariableInfoC)]),
    ("slim_model_find_variable", slim_status,
     [slim_model_p, c_char_p, POINTER(c_size_t)]),
    ("slim_model_get_variable", slim_status,
     [slim_model_p, c_char_p, c_void_p, c_size_t]),
    ("slim_model_set_variable", slim_status,
     [slim_model_p, c_char_p, c_void_p, c_size_t]),
    ("slim_model_initialize_variables", slim_status, [slim_model_p, c_uint64]),
    ("slim_model_regularization_loss", slim_status,
     [slim_model_p, POINTER(c_double)]),
    ("slim_model_freeze", slim_status, [slim_model_p]),
    ("slim_model_is_frozen", c_int32, [slim_model_p]),
    ("slim_restore_options_initialize", None, [POINTER(RestoreOptionsC)]),
    ("slim_model_load_checkpoint", slim_status,
     [slim_model_p, c_char_p, POINTER(RestoreOptionsC)]),
    ("slim_model_save_checkpoint", slim_status, [slim_model_p, c_char_p]),
    ("slim_context_create", slim_status,
     [slim_model_p, c_void_p, c_size_t, POINTER(slim_context_p)]),
    ("slim_context_destroy", None, [slim_context_p]),
    ("slim_context_set_max_threads", slim_status, [slim_context_p, c_int32]),
    ("slim_context_run_sized", slim_status,
     [slim_context_p, POINTER(c_void_p), POINTER(c_size_t), c_size_t,
      POINTER(c_void_p), POINTER(c_size_t), c_size_t]),
    # Run-time batch (runtime 0.5).
    ("slim_model_max_batch", c_int64, [slim_model_p]),
    ("slim_model_has_dynamic_batch", c_int32, [slim_model_p]),
    ("slim_context_create_for_batch", slim_status,
     [slim_model_p, c_int64, c_void_p, c_size_t, POINTER(slim_context_p)]),
    ("slim_context_run_batch", slim_status,
     [slim_context_p, c_int64, POINTER(c_void_p), POINTER(c_size_t), c_size_t,
      POINTER(c_void_p), POINTER(c_size_t), c_size_t]),
]

_lib: Optional[ctypes.CDLL] = None
_lib_lock = threading.Lock()


def runtime_library_path() -> str:
    """Path of the runtime shared library this package loads.

    ``SLIMC_RUNTIME_LIBRARY`` overrides it (e.g. a build tree's
    ``lib/libslim_runtime.so``); otherwise it is the one installed inside the
    package (``slimc/lib``).
    """
    override = os.environ.get("SLIMC_RUNTIME_LIBRARY")
    if override:
        return override
    lib_dir = os.path.join(PACKAGE_DIR, "lib")
    for name in ("libslim_runtime.so", "libslim_runtime.so.0"):
        candidate = os.path.join(lib_dir, name)
        if os.path.exists(candidate):
            return candidate
    found = sorted(glob.glob(os.path.join(lib_dir, "libslim_runtime.so*")))
    if found:
        return found[0]
    raise OSError(
        "slimc: the runtime library libslim_runtime.so is not in %s; install "
        "the package with `pip install ./python` from the repository (or set "
        "SLIMC_RUNTIME_LIBRARY)" % lib_dir)


def lib() -> ctypes.CDLL:
    """The runtime library, loaded and declared on first use."""
    global _lib
    if _lib is None:
        with _lib_lock:
            if _lib is None:
                handle = ctypes.CDLL(runtime_library_path())
                for name, restype, argtypes in _SIGNATURES:
                    fn = getattr(handle, name)
                    fn.restype = restype
                    fn.argtypes = argtypes
                _lib = handle
    return _lib


def check(status: Optional[int]) -> None:
    """Raises the exception for a non-OK status, freeing the status."""
    if not status:
        return
    L = lib()
    try:
        code = L.slim_status_get_code(status)
        message = L.slim_status_get_message(status) or b""
        name = L.slim_status_code_name(code) or b"UNKNOWN"
    finally:
        L.slim_status_destroy(status)
    raise error_from_status(code, name.decode(), message.decode(
        "utf-8", "replace"))
