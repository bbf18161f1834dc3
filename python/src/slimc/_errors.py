"""Exceptions: the runtime's status codes, and slimc's compile errors."""

from __future__ import annotations

import enum
import re
from typing import Dict, List, Optional, Sequence, Type


class StatusCode(enum.IntEnum):
    """The runtime's ``slim_status_code`` values (slim/slim_runtime.h)."""

    OK = 0
    INVALID_ARGUMENT = 1
    NOT_FOUND = 2
    ALREADY_EXISTS = 3
    FAILED_PRECONDITION = 4
    OUT_OF_RANGE = 5
    UNIMPLEMENTED = 6
    RESOURCE_EXHAUSTED = 7
    DATA_LOSS = 8
    IO_ERROR = 9
    INCOMPATIBLE = 10
    INTERNAL = 11
    UNAVAILABLE = 12


class SlimError(Exception):
    """An error reported by the slimc runtime.

    Attributes:
        code: the runtime's status code (a :class:`StatusCode` when known,
            else the plain int a newer runtime returned).
        code_name: its name, e.g. ``"DATA_LOSS"``.
        message: the runtime's message.
    """

    code: int
    code_name: str
    message: str

    def __init__(self, code: int, code_name: str, message: str) -> None:
        super().__init__("%s: %s" % (code_name, message))
        try:
            self.code = StatusCode(code)
        except ValueError:
            self.code = code
        self.code_name = code_name
        self.message = message


# Subclasses per code, each also a standard exception where one fits, so
# `except ValueError` catches a bad argument whichever layer found it.
class InvalidArgumentError(SlimError, ValueError):
    """INVALID_ARGUMENT: a bad value, shape, dtype or buffer size."""


class NotFoundError(SlimError, LookupError):
    """NOT_FOUND: a file, symbol or name that does not exist."""


class FailedPreconditionError(SlimError):
    """FAILED_PRECONDITION: e.g. running before every variable has a value."""


class UnimplementedError(SlimError, NotImplementedError):
    """UNIMPLEMENTED: valid input the runtime does not handle."""


class ResourceExhaustedError(SlimError, MemoryError):
    """RESOURCE_EXHAUSTED: an allocation failed."""


class DataLossError(SlimError):
    """DATA_LOSS: a corrupt or truncated file."""


class SlimIOError(SlimError):
    """IO_ERROR: open, read, write or rename failed."""


class IncompatibleError(SlimError):
    """INCOMPATIBLE: ABI version or CPU features mismatch."""


class UnavailableError(SlimError):
    """UNAVAILABLE: the model needs a device this machine lacks."""


_BY_CODE: Dict[int, Type[SlimError]] = {
    StatusCode.INVALID_ARGUMENT: InvalidArgumentError,
    StatusCode.NOT_FOUND: NotFoundError,
    StatusCode.FAILED_PRECONDITION: FailedPreconditionError,
    StatusCode.UNIMPLEMENTED: UnimplementedError,
    StatusCode.RESOURCE_EXHAUSTED: ResourceExhaustedError,
    StatusCode.DATA_LOSS: DataLossError,
    StatusCode.IO_ERROR: SlimIOError,
    StatusCode.INCOMPATIBLE: IncompatibleError,
    StatusCode.UNAVAILABLE: UnavailableError,
}


def error_from_status(code: int, code_name: str, message: str) -> SlimError:
    """The exception object for a runtime status."""
    return _BY_CODE.get(code, SlimError)(code, code_name, message)


def invalid_argument(message: str) -> InvalidArgumentError:
    """An INVALID_ARGUMENT error raised by the Python layer itself."""
    return InvalidArgumentError(StatusCode.INVALID_ARGUMENT,
                                "INVALID_ARGUMENT", message)


_DIAGNOSTIC = re.compile(
    r"^(?P<file>[^\s:][^:]*):(?P<line>\d+):(?P<col>\d+): "
    r"(?P<severity>error|warning|note): (?P<message>.*)$")


class Diagnostic:
    """One ``file:line:col: severity: message`` line of slimc's output."""

    __slots__ = ("file", "line", "column", "severity", "message")

    def __init__(self, file: str, line: int, column: int, severity: str,
                 message: str) -> None:
        self.file = file
        self.line = line
        self.column = column
        self.severity = severity
        self.message = message

    def __repr__(self) -> str:
        return "%s:%d:%d: %s: %s" % (self.file, self.line, self.column,
                                     self.severity, self.message)

    __str__ = __repr__


def parse_diagnostics(text: str) -> List[Diagnostic]:
    """The ``file:line:col`` diagnostics in slimc's standard error."""
    found = []
    for line in text.splitlines():
        m = _DIAGNOSTIC.match(line)
        if m:
            found.append(Diagnostic(m.group("file"), int(m.group("line")),
                                    int(m.group("col")), m.group("severity"),
                                    m.group("message")))
    return found


class CompileError(Exception):
    """slimc failed.

    Its message is slimc's own standard error: ``file:line:col: error: ...``
    with the source line, a caret and notes for errors in the model file,
    ``slimc: error: ...`` for the others (options, files, the host compiler).

    Attributes:
        returncode: slimc's exit status.
        stderr: slimc's standard error, in full.
        command: the command that ran.
        diagnostics: the parsed ``file:line:col`` lines (may be empty).
    """

    returncode: int
    stderr: str
    command: List[str]
    diagnostics: List[Diagnostic]

    def __init__(self, returncode: int, stderr: str,
                 command: Sequence[str]) -> None:
        text = stderr.strip() or ("slimc exited with status %d" % returncode)
        super().__init__(text)
        self.returncode = returncode
        self.stderr = stderr
        self.command = list(command)
        self.diagnostics = parse_diagnostics(stderr)

    @property
    def first_error(self) -> Optional[Diagnostic]:
        """The first ``error`` diagnostic, or None."""
        for d in self.diagnostics:
            if d.severity == "error":
                return d
        return None
