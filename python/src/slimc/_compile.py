"""slimc.compile: runs the slimc driver the package carries."""

from __future__ import annotations

import os
import subprocess
from typing import Iterable, List, Optional, Sequence, Union

from ._capi import PACKAGE_DIR
from ._errors import CompileError

PathLike = Union[str, "os.PathLike[str]"]


def slimc_path() -> str:
    """Path of the slimc driver this package runs.

    ``SLIMC`` overrides it (e.g. a build tree's ``bin/slimc``); otherwise it is
    the one installed inside the package (``slimc/bin/slimc``), which finds the
    runtime headers it compiles generated code against in ``slimc/include``.
    """
    override = os.environ.get("SLIMC")
    if override:
        return override
    path = os.path.join(PACKAGE_DIR, "bin", "slimc")
    if not os.path.exists(path):
        raise OSError(
            "slimc: the slimc driver is not in %s; install the package with "
            "`pip install ./python` from the repository (or set SLIMC)" %
            os.path.dirname(path))
    return path


def include_dir() -> str:
    """The runtime headers installed with the package (``slim/*.h``)."""
    return os.path.join(PACKAGE_DIR, "include")


def compile(source: PathLike,
            output: Optional[PathLike] = None,
            *,
            batch: Optional[int] = None,
            max_batch: Optional[int] = None,
            entry: Optional[str] = None,
            input_shape: Optional[Sequence[int]] = None,
            include_dirs: Iterable[PathLike] = (),
            threads: Optional[int] = None,
            kernels: Optional[str] = None,
            target: Optional[str] = None,
            extra_args: Iterable[str] = ()) -> str:
    """Compiles a TF-Slim model file to a shared library with slimc.

    Args:
        source: the model file (``.slim``, TF-Slim's Python).
        output: the library to write; default: ``source`` with ``.so``.
        batch: ``--batch N``: the size a ``None`` batch dimension takes
            (slimc's default is 1). Passed only when given.
        max_batch: ``--max-batch N`` (dynamic batch: any batch up to N at run
            time). Passed only when given; a slimc without that option fails
            with a :class:`CompileError` saying so.
        entry: ``--entry NAME``: compile this function instead of the file's
            ``__main__`` block (needs ``input_shape``).
        input_shape: ``--input-shape``, e.g. ``(1, 224, 224, 3)``.
        include_dirs: ``-I`` directories for the model file's imports.
        threads: ``--threads N``: the threads a run uses by default.
        kernels: ``--kernels=fast|reference``.
        target: ``--target=cpu|cuda|cuda=sm_XX``.
        extra_args: further slimc options, as on its command line.

    Returns:
        The path of the library written (a str).

    Raises:
        CompileError: slimc failed; the message is slimc's diagnostics
            (``file:line:col: error: ...`` for errors in the model file) and
            nothing is written.
    """
    source = os.fspath(source)
    if output is None:
        output = os.path.splitext(source)[0] + ".so"
    output = os.fspath(output)
    cmd: List[str] = [slimc_path(), source, "-o", output]
    if batch is not None:
        cmd += ["--batch", str(int(batch))]
    if max_batch is not None:
        cmd += ["--max-batch", str(int(max_batch))]
    if entry is not None:
        cmd += ["--entry", entry]
    if input_shape is not None:
        cmd += ["--input-shape", "x".join(str(int(d)) for d in input_shape)]
    for d in include_dirs:
        cmd += ["-I", os.fspath(d)]
    if threads is not None:
        cmd += ["--threads", str(int(threads))]
    if kernels is not None:
        cmd += ["--kernels=" + kernels]
    if target is not None:
        cmd += ["--target=" + target]
    cmd += list(extra_args)
    proc = subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                          stdin=subprocess.DEVNULL)
    stderr = proc.stderr.decode("utf-8", "replace")
    if proc.returncode != 0:
        raise CompileError(proc.returncode, stderr, cmd)
    return output
