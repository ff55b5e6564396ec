"""jipc's exceptions: ``OSError`` subclasses carrying the errno and the call, in the words of Java's jipc.

* :class:`ErrnoError` -- a call failed with an errno: ``shm_open("/ring") failed: ENOENT (No such file or
  directory)``, as ``jipc.ErrnoException`` says it. It is also the built-in ``OSError`` subclass for its errno
  (``FileNotFoundError``, ``FileExistsError``, ``PermissionError``, ...), so ``except FileNotFoundError`` works.
* :class:`RoleTakenError` (``EBUSY``) -- an exclusive end (the consumer, the producer of a one-producer channel,
  every producer slot) is held by a party that is alive or cannot be judged (Java ``RoleTakenException``).
* :class:`FormatError` (``EINVAL``) -- the object holds no structure this code speaks (Java
  ``ChannelFormatException``, ``TopicFormatException``).
* :class:`CorruptedError` (``EPROTO``) -- impossible bytes met while running (Java ``ChannelCorruptedException``).

Misuse is not an ``OSError``: wrong types raise ``TypeError``, bad values ``ValueError`` (``name=value``), a closed
object ``ValueError``, a claim already open ``RuntimeError``, closing with views alive ``BufferError``.
"""
from __future__ import annotations

import errno as _errno
import os
from typing import Optional

__all__ = ["ErrnoError", "RoleTakenError", "FormatError", "CorruptedError", "ServiceUnavailableError", "RemoteError",
           "errno_name"]


def errno_name(number: int) -> str:
    """``"ENOENT"`` for 2: the symbolic name of an errno, ``"E?<n>"`` if unknown."""
    return _errno.errorcode.get(number, f"E?{number}")


class ErrnoError(OSError):
    """A call failed with an errno. ``errno``, ``strerror``, ``call`` (the C function, e.g. ``"shm_open"``),
    ``argument`` (what it was called on) and ``errno_name`` (e.g. ``"ENOENT"``)."""

    call: str
    argument: str
    errno_name: str

    def __init__(self, call: str, argument: object, number: int, detail: Optional[str] = None) -> None:
        super().__init__(number, os.strerror(number))
        self.call = call
        self.argument = "" if argument is None else repr(argument).replace("'", '"') if isinstance(argument, str) \
            else str(argument)
        self.errno_name = errno_name(number)
        self.detail = detail

    def __str__(self) -> str:
        text = f"{self.call}({self.argument}) failed: {self.errno_name} ({self.strerror})"
        return text if not self.detail else f"{text}: {self.detail}"

    def is_(self, name: str) -> bool:
        """Whether this failure is the named errno, e.g. ``e.is_("EEXIST")`` (Java ``ErrnoException.is``)."""
        return self.errno_name == name


class RoleTakenError(ErrnoError):
    """An exclusive role is held by a party that is alive or cannot be judged (``EBUSY``)."""

    def __str__(self) -> str:
        return f"{self.detail or 'the role of'} {self.argument} is taken by a party that is alive or cannot be" \
               f" judged: {self.call}({self.argument}) failed: {self.errno_name} ({self.strerror})"


class FormatError(ErrnoError):
    """The object holds no structure this code speaks, or one of another layout version (``EINVAL``)."""

    def __str__(self) -> str:
        return f"shared memory {self.argument}: {self.detail}"


class CorruptedError(ErrnoError):
    """Impossible bytes in a structure (a forged or damaged segment), found while running (``EPROTO``)."""

    def __str__(self) -> str:
        return f"corrupt {self.detail or 'structure'} {self.argument}: {self.call} met an impossible record," \
               f" pending head or tail: {self.errno_name} ({self.strerror})"


class ServiceUnavailableError(ErrnoError):
    """An rpc call found no live service, or its service died or was replaced while it waited (``ESRCH``; Java
    ``ServiceUnavailableException``); ``detail`` says which, in Java's words: ``no service is running``, ``the service
    (pid 4711) is dead``, or that another service replaced it."""

    def __str__(self) -> str:
        return f"rpc {self.argument}: {self.detail or 'no live service'}: {self.call} failed: {self.errno_name}" \
               f" ({self.strerror})"


class RemoteError(ErrnoError):
    """The rpc service's handler failed; ``detail`` is its message (``EREMOTEIO``; Java ``RpcFailedException``)."""

    def __str__(self) -> str:
        return f"rpc {self.argument}: the service's handler failed: {self.detail}"


_BUILTIN = {
    _errno.ENOENT: FileNotFoundError, _errno.EEXIST: FileExistsError, _errno.EACCES: PermissionError,
    _errno.EPERM: PermissionError, _errno.EINTR: InterruptedError, _errno.EAGAIN: BlockingIOError,
    _errno.ENOTDIR: NotADirectoryError, _errno.EISDIR: IsADirectoryError, _errno.EPIPE: BrokenPipeError,
    _errno.ETIMEDOUT: TimeoutError,
}
_COMBINED: dict[type, type] = {}


def _with_builtin(cls: type, number: int) -> type:
    builtin = _BUILTIN.get(number)
    if builtin is None:
        return cls
    combined = _COMBINED.get((cls, builtin))  # type: ignore[call-overload]
    if combined is None:
        combined = type(builtin.__name__, (cls, builtin), {"__module__": __name__, "__doc__": cls.__doc__})
        _COMBINED[(cls, builtin)] = combined  # type: ignore[index]
    return combined


def from_native(kind: str, call: str, argument: object, number: int, detail: Optional[str]) -> ErrnoError:
    """The exception for a failure the native part reports (its error factory)."""
    cls = {"role": RoleTakenError, "format": FormatError, "corrupt": CorruptedError,
           "unavailable": ServiceUnavailableError, "remote": RemoteError}.get(kind, ErrnoError)
    return _with_builtin(cls, number)(call, argument, number, detail)
