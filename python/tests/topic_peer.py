"""One end of a jipc topic in Python, for the Java tests (jipc.topic.PythonTopicTest):

  topic_peer.py subscribe NAME SEED MAX COUNT            join at the tail, receive COUNT messages, checking each
  topic_peer.py publish NAME SEED MAX FIRST COUNT        publish messages FIRST.. (even by claim/commit, odd by put)
  topic_peer.py subscribe-and-hang NAME SEED MAX N       join, receive N messages, hang in the handler of the next
  topic_peer.py claim-and-hang NAME SEED MAX COUNT       publish COUNT messages, claim the next, half write it, hang

Messages are those of Java's jipc.topic.TopicMessages: length in [0, max], type (seq & 0x3FFFFFFF) + 1, bytes the
little-endian words mix(seed + seq * 65537 + w). Prints "joined slot S expected E", "received N lost L",
"published N next X" or "ready"; exit 1 on a defect.
"""
from __future__ import annotations

import os
import struct
import sys
import threading

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

import jipc  # noqa: E402
from messages import MASK, mix, type_of  # noqa: E402


def topic_message(seed: int, seq: int, max_length: int) -> bytes:
    length = mix((seed ^ (seq * 2 + 1)) & MASK) % (max_length + 1)
    words = length // 8
    base = (seed + seq * 65537) & MASK
    data = struct.pack(f"<{words + 1}Q", *(mix((base + w) & MASK) for w in range(words + 1)))
    return data[:length]


class Checker:
    def __init__(self, seed: int, max_length: int, first: int) -> None:
        self.seed, self.max, self.next = seed, max_length, first

    def __call__(self, type: int, payload: memoryview) -> None:
        seq = self.next
        if type != type_of(seq):
            raise AssertionError(f"message {seq}: type={type}, expected {type_of(seq)}")
        if payload != topic_message(self.seed, seq, self.max):
            raise AssertionError(f"message {seq}: length {len(payload)} or bytes differ (torn)")
        self.next = seq + 1


def publish(publisher: jipc.Publisher, seed: int, max_length: int, first: int, count: int) -> None:
    for seq in range(first, first + count):
        data = topic_message(seed, seq, max_length)
        if seq % 2 == 0:
            view = publisher.claim(type_of(seq), len(data), timeout=None)
            view[:] = data
            publisher.commit()
        else:
            publisher.put(type_of(seq), data, timeout=None)


def main(argv: list[str]) -> int:
    mode, name, seed, max_length = argv[0], argv[1], int(argv[2]), int(argv[3])
    with jipc.Topic.attach(name) as topic:
        if mode in ("subscribe", "subscribe-and-hang"):
            with topic.subscriber() as subscriber:
                print(f"joined slot {subscriber.slot} expected {subscriber.expected_sequence}", flush=True)
                check = Checker(seed, max_length, subscriber.expected_sequence)
                if mode == "subscribe":
                    count = int(argv[4])
                    while subscriber.received < count:
                        if subscriber.poll(check, limit=count - subscriber.received, timeout=60) == 0:
                            raise AssertionError(f"no message within 60 s after {subscriber.received}")
                    print(f"received {subscriber.received} lost {subscriber.lost}", flush=True)
                else:
                    n = int(argv[4])

                    def handler(type: int, payload: memoryview) -> None:
                        if subscriber.received == n:
                            print("ready", flush=True)
                            threading.Event().wait()
                        check(type, payload)

                    while True:
                        subscriber.poll(handler, timeout=60)
        elif mode in ("publish", "claim-and-hang"):
            with topic.publisher() as publisher:
                if mode == "publish":
                    first, count = int(argv[4]), int(argv[5])
                    publish(publisher, seed, max_length, first, count)
                    print(f"published {count} next {publisher.next_sequence}", flush=True)
                else:
                    count = int(argv[4])
                    publish(publisher, seed, max_length, 0, count)
                    data = topic_message(seed, count, max_length)
                    view = publisher.claim(type_of(count), max_length, timeout=None)
                    view[:len(data) // 2] = data[:len(data) // 2]
                    view[len(data) // 2:] = b"\x55" * (max_length - len(data) // 2)
                    print("ready", flush=True)
                    threading.Event().wait()
        else:
            raise SystemExit(f"usage: see {__file__}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
