"""The shared-memory topic (``docs/topic-format.md``), the same bytes as Java's ``jipc.topic``: one publisher, up to
64 subscribers, one ring; every subscriber reads every message, in order.

The creator chooses the overflow policy: BLOCK (``overwrite=False``: the publisher never overwrites what a live
subscriber has not read; ``offer`` returns ``False`` and ``put`` waits) or OVERWRITE (the publisher never waits; a
subscriber a whole ring behind is lapped, counts what it lost in :attr:`Subscriber.lost` and goes on at the oldest
message still whole, or at the newest if it was lapped again before it delivered anything).

Costs: a publish is one copy (``offer``/``put``) or none (``claim``/``commit``); a BLOCK subscriber's handler sees the
payload in the ring (zero-copy), an OVERWRITE subscriber's handler a private copy (checked against being
overwritten meanwhile). Views are read-only ``memoryview``\\ s valid during the handler (``bytes(m)`` to keep). Waits
are futex slices of at most 100 ms with the GIL released, ended by Ctrl-C (``KeyboardInterrupt``).
"""
from __future__ import annotations

from typing import Callable, Iterator, Optional

from ._native import lib
from .channel import Buffer, Message

__all__ = ["Topic", "Publisher", "Subscriber"]


class Topic:
    """A jipc topic in the POSIX shared memory object ``name``; :meth:`create` or :meth:`attach` it, then open a
    :meth:`publisher` or :meth:`subscriber` on it. Close the ends before the topic (it refuses otherwise)."""

    __slots__ = ("_c",)

    def __init__(self, native: object) -> None:
        self._c = native

    @classmethod
    def create(cls, name: str, capacity: int, max_message_length: int, *, overwrite: bool = False,
               mode: int = 0o600) -> "Topic":
        """Creates the object ``name`` (``O_CREAT|O_EXCL``, exactly ``mode``) with a topic of ``capacity`` ring bytes
        (a power of two >= 1024) and the overflow policy (``overwrite``: OVERWRITE, else BLOCK).

        :raises FileExistsError: if the name is taken; ``ValueError`` for bad parameters
        """
        return cls(lib.Topic(name, True, capacity, max_message_length, overwrite, mode))

    @classmethod
    def attach(cls, name: str) -> "Topic":
        """Opens and maps an existing topic, checking its header; writes nothing.

        :raises FileNotFoundError: if there is no such object
        :raises ~jipc.errors.FormatError: if it holds no topic of layout version 1
        """
        return cls(lib.Topic(name))

    def publisher(self) -> "Publisher":
        """Takes the publisher role (exclusive: one compare-and-set, from none or from a dead holder).

        :raises ~jipc.errors.RoleTakenError: if a publisher that is alive (or cannot be judged) holds it
        """
        return Publisher(self._c.publisher())

    def subscriber(self, history: int = 0) -> "Subscriber":
        """Takes a subscriber slot and joins at the tail (``history`` 0: what is published from now on) or at the
        ``history``-th last message still in the ring.

        :raises ~jipc.errors.RoleTakenError: if all 64 slots are held by live subscribers
        """
        return Subscriber(self._c.subscriber(history))

    @property
    def name(self) -> str:
        return self._c.name

    @property
    def capacity(self) -> int:
        return self._c.capacity

    @property
    def max_message_length(self) -> int:
        return self._c.max_message_length

    @property
    def overwrite(self) -> bool:
        """Whether the policy is OVERWRITE (header flags bit 0), else BLOCK."""
        return self._c.overwrite

    @property
    def tail_position(self) -> int:
        return self._c.positions()[1]

    @property
    def closed(self) -> bool:
        return self._c.closed

    def close(self) -> None:
        """Unmaps and closes (idempotent).

        :raises RuntimeError: while a publisher or subscriber of it is open
        """
        self._c.close()

    def __enter__(self) -> "Topic":
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def __repr__(self) -> str:
        if self.closed:
            return f"Topic({self._c.name!r}, closed)"
        policy = "OVERWRITE" if self.overwrite else "BLOCK"
        return f"Topic({self.name!r}, {policy}, capacity={self.capacity}, tail={self.tail_position})"


class Publisher:
    """The topic's one publisher. One thread per instance; close it (or use ``with``) to give the role back."""

    __slots__ = ("_c",)

    def __init__(self, native: object) -> None:
        self._c = native

    def offer(self, type: int, data: Buffer) -> bool:
        """Publishes a copy of ``data`` as a message of ``type`` (>= 1); ``False`` if BLOCK and a live subscriber
        is a whole ring behind. OVERWRITE never returns ``False``."""
        return self._c.put(type, data)

    def put(self, type: int, data: Buffer, timeout: Optional[float] = None) -> bool:
        """:meth:`offer`, waiting up to ``timeout`` seconds (``None``: no limit) for room; ``False`` on timeout."""
        return self._c.put(type, data, timeout)

    def claim(self, type: int, length: int, timeout: Optional[float] = 0) -> Optional[memoryview]:
        """Zero-copy: reserves room for one message of ``length`` bytes and returns its writable payload, or
        ``None`` if there is no room within ``timeout`` (0: now, ``None``: no limit). :meth:`commit` publishes it,
        :meth:`abort` gives it up; the view is released at either."""
        return self._c.claim(type, length, timeout)

    def commit(self) -> None:
        """Publishes the open claim and wakes sleeping subscribers."""
        self._c.commit()

    def abort(self) -> None:
        """Gives the open claim up; nothing is published."""
        self._c.abort()

    @property
    def next_sequence(self) -> int:
        """The sequence number the next message gets."""
        return self._c.next_sequence

    @property
    def exports(self) -> int:
        return self._c.exports

    def close(self) -> None:
        """Gives the publisher role back, aborting an open claim (idempotent).

        :raises BufferError: while a claim's view is held
        """
        self._c.close()

    def __enter__(self) -> "Publisher":
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


class Subscriber:
    """One subscriber of a topic, in a slot of its own. One thread per instance; close it to give the slot back."""

    __slots__ = ("_c",)

    def __init__(self, native: object) -> None:
        self._c = native

    def poll(self, handler: Callable[[int, memoryview], object], limit: int = 2 ** 31 - 1,
             timeout: Optional[float] = 0) -> int:
        """Hands at most ``limit`` messages to ``handler(type, payload)`` in order, waiting up to ``timeout``
        seconds (0: not at all; ``None``: no limit) for the first; returns how many. ``payload`` is a read-only
        ``memoryview`` valid during the call. If the handler raises, that message counts as delivered, the poll
        stops and the exception propagates.

        :raises ~jipc.errors.CorruptedError: at an impossible record (what came before it is delivered)
        """
        return self._c.poll(handler, limit, timeout)

    def take(self, timeout: Optional[float] = None) -> Optional[Message]:
        """One message, copied, waiting up to ``timeout`` seconds (``None``: no limit); ``None`` on timeout."""
        taken = self._c.take(timeout)
        return None if taken is None else Message(*taken)

    def __iter__(self) -> Iterator[Message]:
        """Messages as they come, copied, until Ctrl-C or an error."""
        while True:
            taken = self._c.take(None)
            if taken is not None:
                yield Message(*taken)

    def has_message(self) -> bool:
        return self._c.has_message()

    @property
    def received(self) -> int:
        """Messages delivered to this subscriber."""
        return self._c.received

    @property
    def lost(self) -> int:
        """Messages overwritten before this subscriber read them (OVERWRITE only)."""
        return self._c.lost

    @property
    def expected_sequence(self) -> int:
        """The sequence number of the next message it expects."""
        return self._c.expected_sequence

    @property
    def slot(self) -> int:
        return self._c.slot

    def close(self) -> None:
        """Gives the slot back (idempotent); a BLOCK publisher waiting on it goes on."""
        self._c.close()

    def __enter__(self) -> "Subscriber":
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
