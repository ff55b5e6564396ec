"""Request/response over shared memory (``docs/rpc-format.md``), the same bytes as Java's ``jipc.rpc``: one service,
up to 52 clients, each getting exactly its own responses (a correlation id per call), with a deadline; a client
waiting on a service that dies fails within one 100 ms wait slice (:class:`~jipc.errors.ServiceUnavailableError`).

Python creates rpc objects (:meth:`Rpc.create`, as Java's ``SharedRpc.create``) or attaches to ones that Java,
the command line (``jipc rpc create``) or another Python process made.
Costs (the C twin ``native/jipc_rpc.c``): a call copies its request once into the request ring and the response
once out; a service's handler sees the request in place (a read-only ``memoryview``) and its response is copied
once. Waits release the GIL, and Ctrl-C ends them with ``KeyboardInterrupt``.
"""
from __future__ import annotations

from typing import Callable, Optional, Tuple, Union

from ._native import lib
from .channel import Buffer, Message

__all__ = ["Rpc", "RpcClient", "RpcService"]

Response = Union[Buffer, Tuple[int, Buffer]]
"""What a service handler returns: the response's bytes (type 1), or (type, bytes)."""


class Rpc:
    """An rpc object in the POSIX shared memory object ``name``; open a :meth:`client` or the :meth:`service`."""

    __slots__ = ("_c",)

    def __init__(self, native: object) -> None:
        self._c = native

    @classmethod
    def create(cls, name: str, clients: int, request_capacity: int, response_capacity: int, *,
               mode: int = 0o600) -> "Rpc":
        """Creates the object ``name`` (``O_CREAT|O_EXCL``, exactly ``mode``, all memory reserved with
        ``fallocate``) with ``clients`` client slots (1 .. 52), a request ring of ``request_capacity`` bytes and one
        response ring of ``response_capacity`` bytes per slot (powers of two, 1024 .. 2^40), and writes every header
        (``docs/rpc-format.md``, "Create"): the parameters and default mode of Java's ``SharedRpc.create``. The
        largest request is ``request_capacity // 8 - 24`` bytes, the largest response ``response_capacity // 8 - 24``.
        Costs ``shm_open``, ``fchmod``, ``fallocate``, ``mmap``; the name stays until :func:`jipc.unlink`.

        :raises FileExistsError: (an :class:`~jipc.errors.ErrnoError`) if the name is taken
        :raises ValueError: for a bad name, slot count, capacity or mode (nothing is created then)
        """
        return cls(lib.Rpc(name, True, clients, request_capacity, response_capacity, mode))

    @classmethod
    def attach(cls, name: str) -> "Rpc":
        """Opens and maps ``name`` and checks its header and every channel in it; writes nothing.

        :raises FileNotFoundError: if there is no such object; :class:`~jipc.errors.FormatError` if it holds no rpc
            object of layout version 1
        """
        return cls(lib.Rpc(name))

    def client(self) -> "RpcClient":
        """Takes a client slot (a free one, else a dead client's).

        :raises ~jipc.errors.RoleTakenError: if every slot is held by a live client
        """
        return RpcClient(self._c.client())

    def service(self) -> "RpcService":
        """Takes the service role (exclusive).

        :raises ~jipc.errors.RoleTakenError: if a live service holds it
        """
        return RpcService(self._c.service())

    @property
    def name(self) -> str:
        return self._c.name

    @property
    def max_request(self) -> int:
        """The largest request payload."""
        return self._c.max_request

    @property
    def max_response(self) -> int:
        """The largest response payload."""
        return self._c.max_response

    @property
    def client_slots(self) -> int:
        return self._c.client_slots

    def close(self) -> None:
        """Unmaps and closes (idempotent).

        :raises RuntimeError: while a client or service of it is open
        """
        self._c.close()

    def __enter__(self) -> "Rpc":
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


class RpcClient:
    """One client slot: one call at a time, from one thread."""

    __slots__ = ("_c",)

    def __init__(self, native: object) -> None:
        self._c = native

    def call(self, type: int, data: Buffer, timeout: Optional[float] = None) -> Message:
        """Sends a request of ``type`` (>= 1) and waits up to ``timeout`` seconds (``None``: no limit) for its
        response, returned as a :class:`~jipc.Message` copy.

        :raises ~jipc.errors.ServiceUnavailableError: no live service (or it died while this call waited: within a
            100 ms slice, not at the deadline); its message says which, as Java's does (``no service is running``,
            ``the service (pid 4711) is dead``, or replaced by another)
        :raises TimeoutError: (an :class:`~jipc.errors.ErrnoError`, ``ETIMEDOUT``) the deadline passed
        :raises ~jipc.errors.RemoteError: the service's handler failed (its message is in ``detail``)
        """
        return Message(*self._c.call(type, data, timeout))

    @property
    def slot(self) -> int:
        return self._c.slot

    def close(self) -> None:
        """Gives the slot back (idempotent)."""
        self._c.close()

    def __enter__(self) -> "RpcClient":
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


class RpcService:
    """The rpc object's service. One thread serves."""

    __slots__ = ("_c",)

    def __init__(self, native: object) -> None:
        self._c = native

    def serve(self, handler: Callable[[int, memoryview], Response], limit: int = 2 ** 31 - 1,
              timeout: Optional[float] = 0) -> int:
        """Answers at most ``limit`` requests, waiting up to ``timeout`` seconds (0: not at all, ``None``: no limit)
        for the first; returns how many. ``handler(type, request)`` gets a read-only view of the request (valid in
        the call) and returns the response: bytes-like (type 1) or ``(type, bytes-like)``. An ``Exception`` from it
        fails that call on the client (:class:`~jipc.errors.RemoteError` with its text) and serving goes on; a
        ``KeyboardInterrupt`` fails the call and propagates."""
        return self._c.serve(handler, limit, timeout)

    def serve_forever(self, handler: Callable[[int, memoryview], Response]) -> None:
        """Serves until Ctrl-C (``KeyboardInterrupt``) or an error."""
        while True:
            self._c.serve(handler, 2 ** 31 - 1, None)

    @property
    def handled(self) -> int:
        """Requests handled."""
        return self._c.handled

    @property
    def dropped(self) -> int:
        """Responses dropped (their client was gone, or its ring stayed full)."""
        return self._c.dropped

    def close(self) -> None:
        """Gives the service role and its channel roles back (idempotent)."""
        self._c.close()

    def __enter__(self) -> "RpcService":
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
