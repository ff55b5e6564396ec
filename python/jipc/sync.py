"""Semaphores shared between processes: jipc's own (``docs/sync-format.md``, the same bytes as Java's
``jipc.sync.SharedSemaphore``) and named POSIX semaphores (``sem_open``, as Java's ``jipc.sync.NamedSemaphore``).

:class:`Semaphore` is 128 bytes in a POSIX shared memory object of its own; its count is the futex word. An
uncontended acquire or release is one compare-and-set and no system call; a release makes a ``FUTEX_WAKE`` only when
someone sleeps; a process killed asleep is forgotten by its liveness token. :class:`NamedSemaphore` is glibc's
``sem_t`` in ``/dev/shm/sem.NAME``.

Waits sleep in slices of at most 100 ms with the GIL released (other threads run, no CPU is used), and end with
``KeyboardInterrupt`` on Ctrl-C. Both are thread-safe.
"""
from __future__ import annotations

from typing import Optional

from ._native import lib

__all__ = ["Semaphore", "NamedSemaphore"]

COUNTING = 2 ** 31 - 1
"""The highest count of a counting semaphore (Java's ``SharedSemaphore.create``)."""


class Semaphore:
    """jipc's semaphore in the POSIX shared memory object ``name`` (exactly 128 bytes)."""

    __slots__ = ("_c",)

    def __init__(self, native: object) -> None:
        self._c = native

    @classmethod
    def create(cls, name: str, permits: int, *, binary: bool = False, mode: int = 0o600) -> "Semaphore":
        """Creates ``name`` with ``permits`` permits: a counting semaphore (Java ``SharedSemaphore.create``), or a
        binary one (highest count 1, ``SharedSemaphore.createBinary``) with ``binary=True`` and ``permits`` 0 or 1.

        :raises FileExistsError: if the name is taken; ``ValueError`` for bad parameters
        """
        return cls(lib.Semaphore(name, True, permits, 1 if binary else COUNTING, mode))

    @classmethod
    def open(cls, name: str) -> "Semaphore":
        """Opens an existing semaphore, checking its magic; writes nothing.

        :raises FileNotFoundError: if there is none; :class:`~jipc.errors.FormatError` if it holds none (or one of
            layout version 1)
        """
        return cls(lib.Semaphore(name))

    @staticmethod
    def unlink(name: str) -> bool:
        """Removes the object ``name`` if it exists; whether it did."""
        return lib.unlink(name)

    def try_acquire(self) -> bool:
        """Takes a permit if there is one now (never blocks, no system call)."""
        return self._c.try_acquire()

    def acquire(self, timeout: Optional[float] = None) -> bool:
        """Takes a permit, waiting up to ``timeout`` seconds (``None``: as long as it takes); ``False`` on timeout."""
        return self._c.acquire(timeout)

    def release(self, permits: int = 1) -> None:
        """Gives back ``permits`` permits, waking sleepers if any.

        :raises ValueError: if the count would pass its highest value (nothing changes)
        """
        self._c.release(permits)

    @property
    def available(self) -> int:
        """Permits available now (a snapshot)."""
        return self._c.available

    @property
    def max(self) -> int:
        """The highest count: 1 for a binary semaphore."""
        return self._c.max

    @property
    def name(self) -> str:
        return self._c.name

    @property
    def closed(self) -> bool:
        return self._c.closed

    def close(self) -> None:
        """Unmaps and closes (idempotent); the name stays until :meth:`unlink`."""
        self._c.close()

    def __enter__(self) -> "Semaphore":
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def __repr__(self) -> str:
        return f"Semaphore({self.name!r}, closed)" if self.closed else \
            f"Semaphore({self.name!r}, available={self.available}, max={self.max})"


class NamedSemaphore:
    """A named POSIX semaphore (``sem_open``; glibc keeps it in ``/dev/shm/sem.NAME``)."""

    __slots__ = ("_c",)

    def __init__(self, native: object) -> None:
        self._c = native

    @classmethod
    def create(cls, name: str, initial: int, *, mode: int = 0o600) -> "NamedSemaphore":
        """Creates ``name`` (``O_CREAT|O_EXCL``, exactly ``mode``) with value ``initial``.

        :raises FileExistsError: if it exists
        """
        return cls(lib.NamedSemaphore(name, True, initial, mode))

    @classmethod
    def open(cls, name: str) -> "NamedSemaphore":
        """Opens an existing named semaphore.

        :raises FileNotFoundError: if there is none
        """
        return cls(lib.NamedSemaphore(name))

    @staticmethod
    def unlink(name: str) -> bool:
        """``sem_unlink``: whether the name existed."""
        return lib.sem_unlink(name)

    def post(self) -> None:
        """``sem_post``: adds one to the value, waking a waiter."""
        self._c.post()

    release = post

    def try_acquire(self) -> bool:
        """``sem_trywait``: takes one if the value is above 0 now."""
        return self._c.try_acquire()

    def acquire(self, timeout: Optional[float] = None) -> bool:
        """``sem_clockwait`` in slices: takes one, waiting up to ``timeout`` seconds (``None``: no limit)."""
        return self._c.acquire(timeout)

    def value(self) -> int:
        """``sem_getvalue``: the value now (a snapshot)."""
        return self._c.value()

    @property
    def name(self) -> str:
        return self._c.name

    @property
    def created(self) -> bool:
        """Whether this instance created the semaphore."""
        return self._c.created

    @property
    def closed(self) -> bool:
        return self._c.closed

    def close(self) -> None:
        """``sem_close`` (idempotent); the name stays until :meth:`unlink`."""
        self._c.close()

    def __enter__(self) -> "NamedSemaphore":
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
