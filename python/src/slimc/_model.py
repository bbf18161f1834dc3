"""slimc.Model: a compiled model opened through the runtime's C API."""

from __future__ import annotations

import ctypes
import os
import threading
from ctypes import c_char_p, c_double, c_size_t, c_void_p
from typing import (Any, Callable, Dict, List, Mapping, NamedTuple, Optional, Sequence,
                    Tuple, Union)

import numpy as np

from . import _capi
from ._capi import check, lib
from ._errors import invalid_argument

PathLike = Union[str, "os.PathLike[str]"]
ArrayLike = Any  # whatever np.asarray accepts

# slim_dtype values -> numpy dtypes.
_DTYPES: Dict[int, "np.dtype[Any]"] = {
    1: np.dtype(np.float32),
    2: np.dtype(np.float64),
    3: np.dtype(np.int32),
    4: np.dtype(np.int64),
    5: np.dtype(np.uint8),
}


def _dtype(code: int) -> "np.dtype[Any]":
    try:
        return _DTYPES[code]
    except KeyError:
        raise invalid_argument("unknown slim_dtype %d" % code) from None


class TensorInfo(NamedTuple):
    """An input or output of a model."""

    name: str
    shape: Tuple[int, ...]
    dtype: np.dtype


class VariableInfo(NamedTuple):
    """A variable of a model, as TF-Slim declares it."""

    name: str
    shape: Tuple[int, ...]
    dtype: np.dtype
    #: "model" (in MODEL_VARIABLES, e.g. weights) or "global" (only in
    #: GLOBAL_VARIABLES, e.g. global_step).
    collection: str
    trainable: bool
    #: The ``device=`` string from the model file, "" if none.
    device: str
    #: Regularizer scales: l1 * sum|w| + l2 * sum(w^2) / 2.
    l1: float
    l2: float
    #: Whether the variable has a value (restored, set or initialized).
    initialized: bool


def _tensor_info(info: _capi.TensorInfoC) -> TensorInfo:
    shape = tuple(int(info.dims[i]) for i in range(info.rank))
    return TensorInfo(info.name.decode(), shape, _dtype(info.dtype))


def _scopes(
    scopes: Optional[Union[str, Sequence[str]]]
) -> Tuple[Optional["ctypes.Array[c_char_p]"], int, List[bytes]]:
    """A C array of scope strings (None for none), and the values it holds."""
    if scopes is None:
        return None, 0, []
    if isinstance(scopes, str):
        scopes = [scopes]
    values = [s.encode() for s in scopes]
    arr = (c_char_p * max(1, len(values)))(*values)
    return arr, len(values), values


class _Context:
    """One slim_context and the max-threads setting it has."""

    __slots__ = ("handle", "max_threads")

    def __init__(self, handle: int, max_threads: int) -> None:
        self.handle = handle
        self.max_threads = max_threads


class Model:
    """A model compiled by slimc, opened through the C runtime.

    ``Model(path)`` opens the shared library (``slim_model_open``): it checks
    the ABI version and the CPU features the code needs and allocates the
    variables, which start without a value: :meth:`restore` or
    :meth:`initialize` them before the first run.

    A model may be called from many threads at once. Each run borrows an
    execution context (``slim_context``, used by one thread at a time) from a
    pool the model keeps, so concurrent calls never share one; the GIL is
    released while the runtime computes.

    Use it as a context manager, or call :meth:`close`, to free the library's
    memory deterministically; otherwise it is freed with the object.
    """

    def __init__(self, path: PathLike, *, num_threads: int = 0) -> None:
        """Opens the library at ``path``.

        Args:
            path: a library written by slimc (or :func:`slimc.compile`).
            num_threads: threads of the runtime's pool one run may use
                (0: all of them, the default; 1: the calling thread only).

        Raises:
            SlimError: e.g. NotFoundError for a missing file,
                IncompatibleError for an ABI or CPU-feature mismatch.
        """
        self._handle: Optional[int] = None
        self._lock = threading.Lock()
        self._free: List[_Context] = []
        self._in_use = 0
        self._num_threads = self._check_threads(num_threads)
        self.path = os.fspath(path)
        handle = _capi.slim_model_p()
        check(lib().slim_model_open(self.path.encode(), ctypes.byref(handle)))
        self._handle = handle.value
        L = lib()
        self.name: str = L.slim_model_name(self._handle).decode()
        self._inputs = tuple(self._io_info(L.slim_model_input_info, i)
                             for i in range(L.slim_model_num_inputs(
                                 self._handle)))
        self._outputs = tuple(self._io_info(L.slim_model_output_info, i)
                              for i in range(L.slim_model_num_outputs(
                                  self._handle)))
        self._dynamic_batch = bool(
            L.slim_model_has_dynamic_batch(self._handle))
        self._max_batch = int(L.slim_model_max_batch(self._handle))

    # -- description ---------------------------------------------------------

    def _io_info(self, fn: Callable[..., Optional[int]],
                 index: int) -> TensorInfo:
        info = _capi.TensorInfoC()
        check(fn(self._handle, index, ctypes.byref(info)))
        return _tensor_info(info)

    @property
    def inputs(self) -> Tuple[TensorInfo, ...]:
        """The inputs, in declaration order: name, shape (batch first), dtype."""
        return self._inputs

    @property
    def outputs(self) -> Tuple[TensorInfo, ...]:
        """The outputs, in declaration order: name, shape, dtype."""
        return self._outputs

    @property
    def variables(self) -> Tuple[VariableInfo, ...]:
        """Every variable, in the model's order, with its current state."""
        h = self._model()
        L = lib()
        result = []
        for i in range(L.slim_model_num_variables(h)):
            v = _capi.VariableInfoC()
            check(L.slim_model_variable_info(h, i, ctypes.byref(v)))
            t = _tensor_info(v.tensor)
            result.append(VariableInfo(
                t.name, t.shape, t.dtype,
                "model" if v.is_model_variable else "global",
                bool(v.trainable), (v.device or b"").decode(),
                float(v.regularizer.l1_scale), float(v.regularizer.l2_scale),
                bool(v.initialized)))
        return tuple(result)

    def _variable(self, name: str) -> VariableInfo:
        for v in self.variables:
            if v.name == name:
                return v
        index = c_size_t()
        # Raises NotFoundError with the runtime's own message.
        check(lib().slim_model_find_variable(self._model(), name.encode(),
                                             ctypes.byref(index)))
        raise AssertionError("unreachable: found %r late" % name)

    # -- variables -----------------------------------------------------------

    def restore(self,
                path: PathLike,
                include: Optional[Union[str, Sequence[str]]] = None,
                exclude: Optional[Union[str, Sequence[str]]] = None,
                ignore_missing: bool = False,
                *,
                error_on_unexpected: bool = False,
                model_prefix: Optional[str] = None,
                checkpoint_prefix: Optional[str] = None) -> None:
        """Restores variables by name from a checkpoint.

        The format is recognized from the file: a TensorFlow V2 bundle (its
        prefix, or the ``.index`` file), a TensorFlow V1 file, or safetensors.

        Args:
            include: scope(s) to restore; None: every variable. Regular
                expressions anchored at the start of the variable name, as
                TF-Slim's ``get_variables_to_restore`` matches them.
            exclude: scope(s) to leave out, same matching.
            ignore_missing: leave variables the checkpoint lacks unchanged
                instead of failing (shape or dtype mismatches still fail).
            error_on_unexpected: fail if the checkpoint holds tensors no
                selected variable uses.
            model_prefix, checkpoint_prefix: a variable whose name starts with
                ``model_prefix`` is looked up as ``checkpoint_prefix`` + the
                rest of its name.

        Raises:
            SlimError: on any mismatch nothing changes, and one message lists
                every missing, unexpected and mismatched name.
        """
        opts = _capi.RestoreOptionsC()
        lib().slim_restore_options_initialize(ctypes.byref(opts))
        inc, n_inc, keep_inc = _scopes(include)
        exc, n_exc, keep_exc = _scopes(exclude)
        if inc is not None:
            opts.include_scopes = inc
            opts.num_include_scopes = n_inc
        if exc is not None:
            opts.exclude_scopes = exc
            opts.num_exclude_scopes = n_exc
        opts.ignore_missing_vars = 1 if ignore_missing else 0
        opts.error_on_unexpected = 1 if error_on_unexpected else 0
        if model_prefix is not None:
            opts.model_prefix = model_prefix.encode()
        if checkpoint_prefix is not None:
            opts.checkpoint_prefix = checkpoint_prefix.encode()
        check(lib().slim_model_load_checkpoint(
            self._model(), os.fspath(path).encode(), ctypes.byref(opts)))
        del keep_inc, keep_exc  # alive until the call returned

    def initialize(self, seed: int = 0) -> None:
        """Gives every variable a value from its declared initializer.

        Deterministic: a variable's values depend only on ``seed`` and its
        name (Philox keyed by both), with TF-Slim's distributions; they are
        not TensorFlow's random streams.
        """
        if seed < 0 or seed >= 1 << 64:
            raise invalid_argument("seed must be in [0, 2**64), got %d" % seed)
        check(lib().slim_model_initialize_variables(self._model(), seed))

    def regularization_loss(self) -> float:
        """Sum of the declared regularizers (TF-Slim's definitions), in double."""
        out = c_double()
        check(lib().slim_model_regularization_loss(self._model(),
                                                   ctypes.byref(out)))
        return out.value

    def get_variable(self, name: str) -> np.ndarray:
        """A copy of variable ``name`` as a numpy array of its shape and dtype."""
        v = self._variable(name)
        out = np.empty(v.shape, v.dtype)
        check(lib().slim_model_get_variable(self._model(), name.encode(),
                                            out.ctypes.data_as(c_void_p),
                                            out.nbytes))
        return out

    def set_variable(self, name: str, value: ArrayLike) -> None:
        """Copies ``value`` into variable ``name``.

        ``value`` is converted to the variable's dtype; its shape must be the
        variable's. Derived parameters are recomputed before the next run.
        """
        v = self._variable(name)
        arr = np.ascontiguousarray(value, dtype=v.dtype)
        if arr.shape != v.shape:
            raise invalid_argument(
                "variable '%s' has shape %s, got a value of shape %s" %
                (name, list(v.shape), list(arr.shape)))
        check(lib().slim_model_set_variable(self._model(), name.encode(),
                                            arr.ctypes.data_as(c_void_p),
                                            arr.nbytes))

    def save(self, path: PathLike) -> None:
        """Writes every variable to a safetensors file (atomically)."""
        check(lib().slim_model_save_checkpoint(self._model(),
                                               os.fspath(path).encode()))

    def freeze(self) -> None:
        """Makes the model inference-only and holds its weights once.

        Afterwards setting, restoring or initializing variables fails with
        FailedPreconditionError; runs are unaffected. See
        ``slim_model_freeze`` in docs/runtime.md.
        """
        check(lib().slim_model_freeze(self._model()))

    @property
    def frozen(self) -> bool:
        """Whether :meth:`freeze` succeeded."""
        return bool(lib().slim_model_is_frozen(self._model()))

    # -- threads -------------------------------------------------------------

    @staticmethod
    def _check_threads(n: int) -> int:
        n = int(n)
        if n < 0:
            raise invalid_argument("num_threads must be >= 0, got %d" % n)
        return n

    @property
    def num_threads(self) -> int:
        """Threads of the runtime's pool one run may use (0 = all)."""
        return self._num_threads

    @num_threads.setter
    def num_threads(self, n: int) -> None:
        self._num_threads = self._check_threads(n)

    # -- running -------------------------------------------------------------

    def _as_inputs(self, inputs: Any) -> List[np.ndarray]:
        """The inputs as C-contiguous arrays of the declared dtypes.

        An array that already is one is used as it is (zero copy: the
        runtime reads its buffer); anything else is converted with
        ``np.ascontiguousarray(x, dtype)``.
        """
        specs = self._inputs
        if isinstance(inputs, Mapping):
            unknown = set(inputs) - {s.name for s in specs}
            if unknown:
                raise invalid_argument(
                    "model '%s' has no input(s) %s; its inputs are %s" %
                    (self.name, sorted(unknown), [s.name for s in specs]))
            missing = [s.name for s in specs if s.name not in inputs]
            if missing:
                raise invalid_argument("model '%s': missing input(s) %s" %
                                       (self.name, missing))
            values = [inputs[s.name] for s in specs]
        elif isinstance(inputs, (list, tuple)) and (
                len(specs) != 1 or
                (len(inputs) == 1 and isinstance(inputs[0], np.ndarray))):
            values = list(inputs)
        else:
            values = [inputs]
        if len(values) != len(specs):
            raise invalid_argument(
                "model '%s' takes %d input(s) %s, got %d" %
                (self.name, len(specs), [s.name for s in specs], len(values)))
        arrays = []
        for spec, value in zip(specs, values):
            if (isinstance(value, np.ndarray) and value.dtype == spec.dtype and
                    value.flags.c_contiguous):
                arrays.append(value)
            else:
                arrays.append(np.ascontiguousarray(value, dtype=spec.dtype))
        return arrays

    # -- batch: the only code that knows how a batch runs -------------------
    # A library compiled with a run-time batch (slimc --max-batch, the default
    # for a None batch) runs any batch 1..max_batch; a static one exactly its
    # own. Contexts are created for the max batch and run smaller ones.

    @property
    def dynamic_batch(self) -> bool:
        """True when the library runs any batch 1..:attr:`max_batch`."""
        return self._dynamic_batch

    @property
    def max_batch(self) -> int:
        """The largest batch a run takes (a static library's own batch)."""
        return self._max_batch

    def _create_context(self) -> _Context:
        """A new execution context, its arena sized for the max batch."""
        handle = _capi.slim_context_p()
        check(lib().slim_context_create_for_batch(
            self._model(), self._max_batch, None, 0, ctypes.byref(handle)))
        assert handle.value is not None
        return _Context(handle.value, -1)

    def _batch_of(self, arrays: Sequence[np.ndarray]) -> int:
        """Checks the inputs' shapes and returns the batch size to run.

        A static library takes exactly the declared shapes. A dynamic one
        takes any leading size 1..max_batch, the same for every input, with
        the declared inner shape.
        """
        if not self._dynamic_batch:
            for spec, arr in zip(self._inputs, arrays):
                if arr.shape != spec.shape:
                    hint = ""
                    if (spec.shape and arr.ndim == len(spec.shape) and
                            arr.shape[1:] == spec.shape[1:]):
                        hint = ("; the library was compiled for batch %d "
                                "only (slimc --static-batch or a fixed "
                                "placeholder batch)" % spec.shape[0])
                    raise invalid_argument(
                        "model '%s': input '%s' has shape %s, got an array "
                        "of shape %s%s" % (self.name, spec.name,
                                           list(spec.shape), list(arr.shape),
                                           hint))
            return self._inputs[0].shape[0] if self._inputs and \
                self._inputs[0].shape else 1
        batch = None
        for spec, arr in zip(self._inputs, arrays):
            if arr.ndim != len(spec.shape) or arr.shape[1:] != spec.shape[1:]:
                raise invalid_argument(
                    "model '%s': input '%s' has shape [N, %s] (N = 1..%d), "
                    "got an array of shape %s" % (
                        self.name, spec.name,
                        ", ".join(str(d) for d in spec.shape[1:]),
                        self._max_batch, list(arr.shape)))
            if batch is None:
                batch = arr.shape[0]
            elif arr.shape[0] != batch:
                raise invalid_argument(
                    "model '%s': input '%s' has batch %d, the first input %d"
                    % (self.name, spec.name, arr.shape[0], batch))
        if batch is None:
            batch = self._max_batch
        if not 1 <= batch <= self._max_batch:
            raise invalid_argument(
                "model '%s': batch %d is outside 1..%d (the library was "
                "compiled with --max-batch %d)" % (
                    self.name, batch, self._max_batch, self._max_batch))
        return batch

    def _output_shape(self, spec: TensorInfo, batch: int) -> Tuple[int, ...]:
        """An output's shape at ``batch``."""
        if not self._dynamic_batch or not spec.shape:
            return spec.shape
        return (batch,) + tuple(spec.shape[1:])

    def _run(self, ctx: _Context, batch: int, arrays: Sequence[np.ndarray],
             outputs: Sequence[np.ndarray]) -> None:
        """One run through ``ctx``; the GIL is released inside ctypes."""
        n_in, n_out = len(arrays), len(outputs)
        in_ptrs = (c_void_p * max(1, n_in))(*[a.ctypes.data for a in arrays])
        in_sizes = (c_size_t * max(1, n_in))(*[a.nbytes for a in arrays])
        out_ptrs = (c_void_p * max(1, n_out))(*[o.ctypes.data
                                                for o in outputs])
        out_sizes = (c_size_t * max(1, n_out))(*[o.nbytes for o in outputs])
        check(lib().slim_context_run_batch(ctx.handle, batch, in_ptrs,
                                           in_sizes, n_in, out_ptrs,
                                           out_sizes, n_out))

    def _acquire(self) -> _Context:
        with self._lock:
            self._model()
            ctx = self._free.pop() if self._free else None
            self._in_use += 1
        try:
            if ctx is None:
                ctx = self._create_context()
            if ctx.max_threads != self._num_threads:
                check(lib().slim_context_set_max_threads(ctx.handle,
                                                         self._num_threads))
                ctx.max_threads = self._num_threads
            return ctx
        except BaseException:
            if ctx is not None:
                self._release(ctx)
            else:
                with self._lock:
                    self._in_use -= 1
            raise

    def _release(self, ctx: _Context) -> None:
        with self._lock:
            self._in_use -= 1
            self._free.append(ctx)

    def run(self, inputs: Any) -> Dict[str, np.ndarray]:
        """Runs the model once and returns every output by name.

        Args:
            inputs: a dict from input name to array; or a list or tuple in
                the declared order; or, for a model with one input, the
                array itself (any array-like: a list that is not a
                one-element list holding an ndarray is taken as the data).
                C-contiguous arrays of the declared dtype (float32) are read
                in place; anything else is converted first (a copy).

        Raises:
            InvalidArgumentError: a missing or unknown input, a wrong inner
                shape, or a batch outside 1..max_batch (a static library:
                any shape other than the declared one).
            FailedPreconditionError: a variable has no value yet.
        """
        arrays = self._as_inputs(inputs)
        batch = self._batch_of(arrays)
        outputs = [np.empty(self._output_shape(s, batch), s.dtype)
                   for s in self._outputs]
        ctx = self._acquire()
        try:
            self._run(ctx, batch, arrays, outputs)
        finally:
            self._release(ctx)
        return {s.name: o for s, o in zip(self._outputs, outputs)}

    def __call__(self, inputs: Any) -> Union[np.ndarray, Dict[str, np.ndarray]]:
        """Like :meth:`run`, but a model with one output returns the array."""
        result = self.run(inputs)
        if len(result) == 1:
            return next(iter(result.values()))
        return result

    # -- lifetime ------------------------------------------------------------

    def _model(self) -> int:
        if self._handle is None:
            raise invalid_argument("model '%s' is closed" %
                                   getattr(self, "name", "?"))
        return self._handle

    @property
    def closed(self) -> bool:
        return self._handle is None

    def close(self) -> None:
        """Frees the model and its contexts; idempotent.

        Raises:
            FailedPreconditionError-like InvalidArgumentError if runs are in
            flight in other threads (the model stays open then).
        """
        with self._lock:
            if self._handle is None:
                return
            if self._in_use:
                raise invalid_argument(
                    "model '%s': close() while %d run(s) are in flight" %
                    (self.name, self._in_use))
            handle, self._handle = self._handle, None
            free, self._free = self._free, []
        L = lib()
        for ctx in free:
            L.slim_context_destroy(ctx.handle)
        L.slim_model_destroy(handle)

    def __enter__(self) -> "Model":
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def __del__(self) -> None:
        if getattr(self, "_handle", None) is not None and not self._in_use:
            try:
                self.close()
            except Exception:
                pass

    def __repr__(self) -> str:
        state = "closed" if self._handle is None else self.path
        return "<slimc.Model '%s' (%s)>" % (getattr(self, "name", "?"), state)


def set_num_threads(n: int) -> None:
    """Sets the size of the runtime's shared thread pool (0: one per CPU)."""
    check(lib().slim_set_num_threads(int(n)))


def get_num_threads() -> int:
    """The size of the runtime's shared thread pool."""
    return int(lib().slim_get_num_threads())


def runtime_version() -> Tuple[int, int, int]:
    """(major, minor, patch) of the runtime library loaded."""
    v = int(lib().slim_runtime_version())
    return (v >> 16, (v >> 8) & 0xFF, v & 0xFF)
