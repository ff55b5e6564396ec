"""The shared-memory message channel (``docs/channel-format.md``), the same bytes as Java's ``jipc.channel``.

A :class:`Channel` is a one-producer channel (Java ``OneToOneChannel``) or a many-producer channel (Java
``ManyToOneChannel``, ``many_producers=True``) in a POSIX shared memory object of its own (Java ``SharedChannel``):
any mix of Java, C and Python processes can be its ends.

Producer: :meth:`Channel.offer` / :meth:`Channel.put` copy a message in; :meth:`Channel.claim` returns a writable
``memoryview`` of the message's room in the ring, published by :meth:`Channel.commit` (zero-copy). Consumer:
:meth:`Channel.poll` hands messages to a handler as read-only ``memoryview``\\ s into the ring (zero-copy: valid
during the call, ``bytes(m)`` to keep one; ``numpy.frombuffer(m, dtype)`` copies nothing); :meth:`Channel.take` and
iteration copy one message out.

Costs: a message is one copy (``offer``/``put``) or none (``claim``), a few atomic stores, and a ``futex`` wake only
if the consumer sleeps. Waits sleep in ``futex`` slices of at most 100 ms with the GIL released (no CPU while idle,
other threads run), and end with ``KeyboardInterrupt`` on Ctrl-C. One instance per thread.
"""
from __future__ import annotations

from typing import Callable, Iterator, NamedTuple, Optional, Union

from ._native import lib

__all__ = ["Channel", "Message", "unlink"]

Buffer = Union[bytes, bytearray, memoryview]
"""Anything with the buffer protocol (bytes, bytearray, memoryview, array.array, a contiguous numpy array)."""


class Message(NamedTuple):
    """A message copied out of the ring: its type (>= 1) and its payload."""
    type: int
    data: bytes


def unlink(name: str) -> bool:
    """Removes the shared memory object ``name`` if it exists (``shm_unlink``); whether it did."""
    return lib.unlink(name)


class Channel:
    """A jipc channel in the POSIX shared memory object ``name`` (e.g. ``"/orders"``).

    Use :meth:`create` or :meth:`attach`; close with :meth:`close` or a ``with`` block. Closing gives back the roles
    this instance holds (consumer, producer or producer slot; an open claim is aborted), unmaps and closes the
    descriptor; the object's name stays until :func:`unlink`.
    """

    __slots__ = ("_c",)

    def __init__(self, native: object) -> None:
        self._c = native

    @classmethod
    def create(cls, name: str, capacity: int, max_message_length: int, *, many_producers: bool = False,
               mode: int = 0o600) -> "Channel":
        """Creates the object ``name`` (``O_CREAT|O_EXCL``, exactly ``mode``, all memory reserved with
        ``fallocate``) for a ring of ``capacity`` bytes (a power of two >= 1024) and writes a new channel into it.

        :raises FileExistsError: (an :class:`~jipc.errors.ErrnoError`) if the name is taken
        :raises ValueError: for a bad name, capacity, message length or mode (nothing is created then)
        """
        return cls(lib.Channel(name, True, capacity, max_message_length, many_producers, mode))

    @classmethod
    def attach(cls, name: str) -> "Channel":
        """Opens and maps the existing object ``name`` and attaches to the channel in it, writing nothing and taking
        no role; :attr:`many_producers` tells which kind it found.

        :raises FileNotFoundError: if there is no such object; ``PermissionError`` if its mode forbids it
        :raises ~jipc.errors.FormatError: if it holds no channel of layout version 3
        """
        return cls(lib.Channel(name))

    # ---- producer ----

    def offer(self, type: int, data: Buffer) -> bool:
        """Copies one message in if the ring has room now; ``False`` if it is full. Takes the producer role (or a
        producer slot) on first use.

        :raises ValueError: for ``type < 1`` or a payload longer than :attr:`max_message_length`
        :raises ~jipc.errors.RoleTakenError: if another live producer holds the role (every slot)
        """
        return self._c.put(type, data)

    def put(self, type: int, data: Buffer, timeout: Optional[float] = None) -> bool:
        """:meth:`offer`, waiting up to ``timeout`` seconds (``None``: as long as it takes) for room; ``False``
        on timeout."""
        return self._c.put(type, data, timeout)

    def claim(self, type: int, length: int, timeout: Optional[float] = 0) -> Optional[memoryview]:
        """Reserves room for one message of ``length`` bytes and returns its writable payload in the ring
        (zero-copy); ``None`` if there is no room within ``timeout`` seconds (0: now; ``None``: no limit). Nothing
        is visible to the consumer before :meth:`commit`; :meth:`abort` gives the room back. One claim at a time:
        commit or abort on every path. The view is released at commit or abort.

        :raises RuntimeError: if a claim is already open
        """
        return self._c.claim(type, length, timeout)

    def commit(self) -> None:
        """Publishes the claimed message and wakes the consumer if it sleeps."""
        self._c.commit()

    def abort(self) -> None:
        """Gives the claimed room back unpublished."""
        self._c.abort()

    def attach_producer(self) -> "Channel":
        """Takes the producer role (one-producer channel) or a producer slot now rather than on the first offer."""
        self._c.attach_producer()
        return self

    def detach_producer(self) -> None:
        """Aborts an open claim and gives the producer role or slot back (idempotent)."""
        self._c.detach_producer()

    # ---- consumer ----

    def poll(self, handler: Callable[[int, memoryview], object], limit: int = 2 ** 31 - 1,
             timeout: Optional[float] = 0) -> int:
        """Hands at most ``limit`` messages to ``handler(type, payload)``, in order, waiting up to ``timeout``
        seconds (0: not at all; ``None``: as long as it takes) for the first; returns how many.

        ``payload`` is a read-only ``memoryview`` into the ring, valid during the call only (it is released after;
        ``bytes(payload)`` keeps a copy). A buffer taken from it (``numpy.frombuffer``) stays valid as memory but
        makes :meth:`close` refuse until it is gone. If the handler raises, that message counts as consumed, the
        poll stops and the exception propagates. Takes the consumer role on first use.

        :raises ~jipc.errors.RoleTakenError: if another consumer that is alive holds the role
        :raises ~jipc.errors.CorruptedError: at an impossible record (those before it are consumed)
        """
        return self._c.poll(handler, limit, timeout)

    def take(self, timeout: Optional[float] = None) -> Optional[Message]:
        """Waits up to ``timeout`` seconds (``None``: as long as it takes) for one message and returns a copy of it,
        or ``None`` on timeout."""
        taken = self._c.take(timeout)
        return None if taken is None else Message(*taken)

    def __iter__(self) -> Iterator[Message]:
        """Messages as they come, copied (:meth:`take` without a timeout), until Ctrl-C or an error."""
        while True:
            taken = self._c.take(None)
            if taken is not None:
                yield Message(*taken)

    def register_consumer(self) -> "Channel":
        """Takes the consumer role now rather than on the first poll (finishing what a killed consumer left half
        given back)."""
        self._c.register_consumer()
        return self

    def unregister_consumer(self) -> None:
        """Gives the consumer role back if this instance holds it."""
        self._c.unregister_consumer()

    # ---- state ----

    def populate(self) -> None:
        """Takes the mapping's first-touch costs now: faults every page in (``madvise(MADV_POPULATE_WRITE)``, Linux
        5.14+) and reads one byte of each. Without it the first lap round a fresh ring stalls once per 4 KiB page in
        this process (some 25 microseconds each in a virtual machine). As Java's ``Mapping.populate()``.

        :raises OSError: EFAULT if the object was truncated below the mapped size
        """
        self._c.populate()

    def has_message(self) -> bool:
        """Whether a record is published at the head now."""
        return self._c.has_message()

    def is_consumer_alive(self) -> bool:
        """Whether a registered consumer may still run (its liveness token is locked, or it cannot be judged)."""
        return self._c.consumer_alive()

    @property
    def consumer_pid(self) -> int:
        """The registered consumer's pid in its own pid namespace (display only), 0 if none."""
        return self._c.consumer_pid()

    @property
    def head_position(self) -> int:
        """Bytes ever consumed (a snapshot)."""
        return self._c.positions()[0]

    @property
    def tail_position(self) -> int:
        """Bytes ever published (one producer) or claimed (many producers)."""
        return self._c.positions()[1]

    @property
    def name(self) -> str:
        """The shared memory object's name."""
        return self._c.name

    @property
    def capacity(self) -> int:
        """The ring's size in bytes."""
        return self._c.capacity

    @property
    def max_message_length(self) -> int:
        """The largest payload a message may have."""
        return self._c.max_message_length

    @property
    def many_producers(self) -> bool:
        """Whether this is a many-producer channel (header flags bit 0)."""
        return self._c.many_producers

    @property
    def closed(self) -> bool:
        return self._c.closed

    @property
    def exports(self) -> int:
        """Message and claim views alive now; :meth:`close` refuses while it is not 0."""
        return self._c.exports

    def close(self) -> None:
        """Gives back this instance's roles, unmaps and closes (idempotent).

        :raises BufferError: while a view of a message or claim is still exported (as ``mmap.close`` does)
        """
        self._c.close()

    def __enter__(self) -> "Channel":
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def __repr__(self) -> str:
        if self.closed:
            return f"Channel({self._c.name!r}, closed)"
        head, tail = self._c.positions()
        kind = "many producers" if self.many_producers else "one producer"
        return f"Channel({self.name!r}, {kind}, capacity={self.capacity}, head={head}, tail={tail})"
