"""One end of a jipc channel in Python, for the Java tests (jipc.channel.PythonChannelTest):

  peer.py produce NAME SEED MAX FIRST COUNT    send messages FIRST.. (even ones by claim/commit, odd ones by put)
  peer.py consume NAME SEED MAX FIRST COUNT    register as the consumer and receive them, checking each
  peer.py produce-many NAME SEED MAX P COUNT   many-producer channel: producer P's messages (seed SEED + P, type P + 1)
  peer.py consume-and-hang NAME SEED MAX N     receive N messages, then hang inside the handler of message N + 1
  peer.py claim-and-hang NAME SEED MAX COUNT   send COUNT messages, claim the next, half write it and hang

Messages are those of messages.py (= Java's Messages). Prints "received N" / "sent N" / "ready"; exit 1 on a defect.
"""
from __future__ import annotations

import os
import sys
import threading

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

import jipc  # noqa: E402
from messages import Receiver, message, type_of  # noqa: E402


def produce(channel: jipc.Channel, seed: int, max_length: int, first: int, count: int, fixed_type: int = 0) -> None:
    for seq in range(first, first + count):
        data = message(seed, seq, max_length)
        type = fixed_type or type_of(seq)
        if seq % 2 == 0:
            view = channel.claim(type, len(data), timeout=60)
            if view is None:
                raise AssertionError(f"no room for message {seq} within 60 s")
            view[:] = data
            channel.commit()
        elif not channel.put(type, data, timeout=60):
            raise AssertionError(f"no room for message {seq} within 60 s")


def hang() -> None:
    threading.Event().wait()


def main(argv: list[str]) -> int:
    mode, name = argv[0], argv[1]
    seed, max_length = int(argv[2]), int(argv[3])
    with jipc.Channel.attach(name) as channel:
        if mode == "produce":
            first, count = int(argv[4]), int(argv[5])
            produce(channel, seed, max_length, first, count)
            print(f"sent {count}", flush=True)
        elif mode == "produce-many":
            p, count = int(argv[4]), int(argv[5])
            produce(channel, seed + p, max_length, 0, count, fixed_type=p + 1)
            print(f"sent {count}", flush=True)
        elif mode == "consume":
            first, count = int(argv[4]), int(argv[5])
            channel.register_consumer()
            receiver = Receiver(seed, max_length, first, first + count)
            while receiver.next < first + count:
                if channel.poll(receiver, timeout=60) == 0:
                    raise AssertionError(f"no message within 60 s after {receiver.next - first} of {count}")
            if channel.poll(receiver, timeout=0.05) != 0:
                raise AssertionError("a message after the last one")
            print(f"received {count}", flush=True)
        elif mode == "consume-and-hang":
            n = int(argv[4])
            channel.register_consumer()
            receiver = Receiver(seed, max_length)

            def handler(type: int, payload: memoryview) -> None:
                if receiver.next == n:
                    print("ready", flush=True)
                    hang()
                receiver(type, payload)

            while True:
                channel.poll(handler, timeout=60)
        elif mode == "claim-and-hang":
            count = int(argv[4])
            produce(channel, seed, max_length, 0, count)
            data = message(seed, count, max_length)
            view = channel.claim(type_of(count), max_length, timeout=60)
            assert view is not None
            view[:len(data) // 2] = data[:len(data) // 2]
            # and the rest with bytes that would be a huge length word if anyone read them
            view[len(data) // 2:] = b"\x55" * (max_length - len(data) // 2)
            print("ready", flush=True)
            hang()
        else:
            raise SystemExit(f"usage: see {__file__}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
