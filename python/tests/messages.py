"""The test messages of every cross-language channel test, identical to Java's jipc.channel.Messages (test sources)
and src/test/c/channel_peer.c: message seq has a length in [1, max] and bytes derived from (seed, seq), type
(seq & 0x3FFFFFFF) + 1, and, when at least 12 bytes long, the sequence number (little-endian) in its first 8 bytes
and the CRC32C of everything before them in its last 4."""
from __future__ import annotations

from jipc._native import lib

MASK = (1 << 64) - 1
_STEP = bytes((31 * i) & 0xFF for i in range(1 << 16))
_SHIFT = [bytes((j + k) & 0xFF for j in range(256)) for k in range(256)]


def mix(x: int) -> int:
    z = (x + 0x9E3779B97F4A7C15) & MASK
    z = ((z ^ (z >> 30)) * 0xBF58476D1CE4E5B9) & MASK
    z = ((z ^ (z >> 27)) * 0x94D049BB133111EB) & MASK
    return z ^ (z >> 31)


def type_of(seq: int) -> int:
    return (seq & 0x3FFFFFFF) + 1


def message(seed: int, seq: int, max_length: int) -> bytes:
    """Message seq's payload."""
    length = 1 + mix((seed + 2 * seq) & MASK) % max_length
    h = mix((seed + 2 * seq + 1) & MASK)
    body = _STEP[:length].translate(_SHIFT[h & 0xFF])
    if length < 12:
        return body
    head = seq.to_bytes(8, "little") + body[8:length - 4]
    return head + lib._crc32c(head).to_bytes(4, "little")


class Receiver:
    """Checks messages first, first + 1, ... of one producer, in order; count() of those seen."""

    def __init__(self, seed: int, max_length: int, first: int = 0, end: int = 1 << 62) -> None:
        self.seed, self.max, self.next, self.end = seed, max_length, first, end

    def __call__(self, type: int, payload: memoryview) -> None:
        seq = self.next
        if seq >= self.end:
            raise AssertionError(f"message beyond the last one expected ({self.end}), type {type}")
        if type != type_of(seq):
            raise AssertionError(f"message {seq}: type={type}, expected {type_of(seq)} (lost, duplicated or"
                                 f" reordered)")
        expected = message(self.seed, seq, self.max)
        if payload != expected:
            got = bytes(payload)
            if len(got) != len(expected):
                raise AssertionError(f"message {seq}: length={len(got)}, expected {len(expected)}")
            at = next(i for i in range(len(got)) if got[i] != expected[i])
            raise AssertionError(f"message {seq} differs at byte {at} of {len(got)} (torn)")
        self.next = seq + 1
