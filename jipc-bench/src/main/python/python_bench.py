"""python_bench: the Python side of jipc's Python benchmarks (jipc.bench.python.PythonBenchmark).

The harness copies this script and the package (``jipc/``, from the repository's ``python/``) out of its jar into one
directory, with the C twins in ``../native`` beside it, and runs ``python3 -u python_bench.py ROLE ARGS``; the native
part is built on first import into ``$JIPC_CACHE`` (default: ``../python-cache`` next to this directory, which the
harness makes with mode 0700).

  ping OUT IN SIZE WAIT SAMPLES   side a of a ping-pong over two jipc channels (named POSIX shared memory objects the
                                  harness made): SIZE bytes offered on OUT, the echo polled from IN, each round trip
                                  timed; appends its nanoseconds (int64, native order) to SAMPLES
  echo IN OUT SIZE WAIT           side b: every message polled from IN offered back on OUT
  send NAME SIZE WAIT             producer of a throughput pair: COUNT messages of SIZE bytes per block
  recv NAME SIZE WAIT             consumer of a throughput pair: COUNT messages per block; the handler reads the 8-byte
                                  sequence number at the start of each message (the work of the C twin's consumer)
  local-ping KIND SIZE SAMPLES [pin A B]
                                  what a Python user would use instead, Python to Python: this process forks an echo
                                  child (multiprocessing, fork) and times round trips of SIZE bytes over KIND
  local-send KIND SIZE [pin A B]  ... and sends COUNT messages of SIZE bytes per block to a child that reads each one's
                                  sequence number and answers once it has them all (the block ends at that answer)
                                  With "pin A B" this process runs on CPU A and its child on CPU B (a child forked
                                  under taskset would share the parent's CPU).

KIND: ``pipe`` (``multiprocessing.Pipe()``, ``send_bytes``/``recv_bytes_into``: no pickling), ``queue`` (two
``multiprocessing.Queue``s of ``bytes``: pickled by its feeder thread) or ``unix`` (``socket.socketpair()``, AF_UNIX
stream: ``sendall``/``recv_into``). All three block in the kernel.

WAIT (the jipc roles): ``hybrid:NANOS`` (as Java's default WaitStrategy.hybrid(), 1000 spins and then a futex
wait: ``has_message()``/``offer`` re-checked for NANOS ns, as long as the harness measured Java's 1000 spins to take,
then the package's futex wait), ``hybrid`` (1000 re-checks, then futex: each costs a Python call, so this spins
several times longer than Java), ``futex`` (the package's futex wait at once) or ``spin`` (re-check without sleeping).

Each role is a member of a jipc.bench.Crew: it prints "ready", then per "run COUNT" line on stdin runs one block and
prints "done T0 T1 CPU COUNT 0 P50" (CLOCK_MONOTONIC ns, this process's CPU ns over the block, the block's median
round trip where it applies, else 0). "quit" or end of file: exit 0. Every message carries its sequence number
(int64, little-endian) in its first 8 bytes; a message out of sequence exits 1.
"""
from __future__ import annotations

import array
import multiprocessing
import os
import socket
import struct
import sys
import time
from typing import Optional

HERE = os.path.dirname(os.path.abspath(__file__))
os.environ.setdefault("JIPC_CACHE", os.path.join(os.path.dirname(HERE), "python-cache"))
os.environ.setdefault("PYTHONDONTWRITEBYTECODE", "1")
sys.dont_write_bytecode = True

SPINS = 1000
SEQ = struct.Struct("<q")
ACK = struct.Struct("<q")


class OutOfSequence(Exception):
    pass


def serve(block) -> int:
    """The crew protocol: block(count) -> (t0, t1, cpu, p50) per "run COUNT"."""
    out = sys.stdout
    out.write("ready\n")
    out.flush()
    for line in sys.stdin:
        line = line.strip()
        if line == "quit":
            break
        if not line.startswith("run "):
            print(f"python_bench: unknown command {line!r}", file=sys.stderr)
            return 64
        count = int(line[4:])
        t0, t1, cpu, p50 = block(count)
        out.write(f"done {t0} {t1} {cpu} {count} 0 {p50}\n")
        out.flush()
    return 0


def median(samples: array.array, n: int) -> int:
    return sorted(samples[:n])[n // 2] if n else 0


def append_samples(path: str, samples: array.array, n: int) -> None:
    with open(path, "ab") as f:
        samples[:n].tofile(f)


# ---- jipc channels ---------------------------------------------------------------------------------------------------

def spinner(wait: str, ready):
    """spin() -> whether ready() became true while spinning as WAIT says (no spinning for futex, forever for spin)."""
    kind, _, nanos = wait.partition(":")
    if kind not in ("hybrid", "futex", "spin"):
        raise ValueError(f"WAIT: hybrid[:NANOS], futex or spin, not {wait!r}")
    clock = time.monotonic_ns

    def spin() -> bool:
        if kind == "futex":
            return False
        if kind == "spin":
            while not ready():
                pass
            return True
        if nanos:
            deadline = clock() + int(nanos)
            while clock() < deadline:
                if ready():
                    return True
            return False
        for _ in range(SPINS):
            if ready():
                return True
        return False

    return spin


def receiver(channel, wait: str):
    """receive(handler): hands at least one message (all there are) to handler, waiting as WAIT says."""
    poll = channel.poll
    spin = spinner(wait, channel.has_message)

    def receive(handler) -> int:
        n = poll(handler)  # timeout 0: what is there now
        while n == 0:
            spin()
            n = poll(handler, timeout=None)  # returns at once if the spin found one; else the futex wait
        return n

    return receive


def sender(channel, wait: str):
    offer = channel.offer
    put = channel.put
    pending = [None]
    spin = spinner(wait, lambda: offer(1, pending[0]))

    def send(data) -> None:
        if offer(1, data):
            return
        pending[0] = data
        sent = spin()
        pending[0] = None
        if not sent:
            put(1, data, None)

    return send


def channel_roles(role: str, argv: list[str]) -> int:
    import jipc

    if role in ("ping", "echo"):
        first, second, size, wait = argv[0], argv[1], int(argv[2]), argv[3]
        samples_path = argv[4] if role == "ping" else None
        out_ch = jipc.Channel.attach(first if role == "ping" else second)
        in_ch = jipc.Channel.attach(second if role == "ping" else first)
        in_ch.register_consumer()
        out_ch.attach_producer()
        receive = receiver(in_ch, wait)
        send = sender(out_ch, wait)
        buffer = bytearray(size)
        state = [0]  # the next sequence number expected
        times = array.array("q")

        if role == "ping":
            def on_echo(type: int, payload: memoryview) -> None:
                seq = SEQ.unpack_from(payload)[0]
                if seq != state[0]:
                    raise OutOfSequence(f"echo {seq}, expected {state[0]}")
                state[0] = seq + 1

            def block(count: int):
                if len(times) < count:
                    times.extend([0] * (count - len(times)))
                clock = time.monotonic_ns
                t0, cpu = clock(), time.process_time_ns()
                for i in range(count):
                    start = clock()
                    SEQ.pack_into(buffer, 0, state[0])
                    send(buffer)
                    receive(on_echo)
                    times[i] = clock() - start
                t1, used = clock(), time.process_time_ns() - cpu
                append_samples(samples_path, times, count)
                return t0, t1, used, median(times, count)
        else:
            def on_request(type: int, payload: memoryview) -> None:
                seq = SEQ.unpack_from(payload)[0]
                if seq != state[0]:
                    raise OutOfSequence(f"request {seq}, expected {state[0]}")
                state[0] = seq + 1
                send(payload)  # the echo: the request's bytes, straight from the ring

            def block(count: int):
                clock = time.monotonic_ns
                t0, cpu = clock(), time.process_time_ns()
                end = state[0] + count
                while state[0] < end:
                    receive(on_request)
                return t0, clock(), time.process_time_ns() - cpu, 0
        return serve(block)

    name, size, wait = argv[0], int(argv[1]), argv[2]
    channel = jipc.Channel.attach(name)
    state = [0]
    if role == "send":
        channel.attach_producer()
        send = sender(channel, wait)
        buffer = bytearray(size)

        def block(count: int):
            clock = time.monotonic_ns
            t0, cpu = clock(), time.process_time_ns()
            pack = SEQ.pack_into
            for seq in range(state[0], state[0] + count):
                pack(buffer, 0, seq)
                send(buffer)
            state[0] += count
            return t0, clock(), time.process_time_ns() - cpu, 0
    else:
        channel.register_consumer()
        receive = receiver(channel, wait)
        unpack = SEQ.unpack_from

        def on_message(type: int, payload: memoryview) -> None:
            # the C twin consumer's work: read the sequence number at the start of the message
            seq = unpack(payload)[0]
            if seq != state[0]:
                raise OutOfSequence(f"message {seq}, expected {state[0]}")
            state[0] = seq + 1

        def block(count: int):
            clock = time.monotonic_ns
            t0, cpu = clock(), time.process_time_ns()
            end = state[0] + count
            while state[0] < end:
                receive(on_message)
            return t0, clock(), time.process_time_ns() - cpu, 0
    return serve(block)


# ---- Python to Python ------------------------------------------------------------------------------------------------

class Link:
    """One end of a KIND link: send(data), receive_into(buffer) -> bytes, plus a small answer path."""

    def __init__(self, kind: str, size: int) -> None:
        self.kind = kind
        self.size = size
        if kind == "pipe":
            self.a, self.b = multiprocessing.Pipe()  # duplex: a socketpair, with length-prefixed messages
        elif kind == "queue":
            self.a, self.b = multiprocessing.Queue(), multiprocessing.Queue()  # a -> child, b -> parent
        elif kind == "unix":
            self.a, self.b = socket.socketpair(socket.AF_UNIX, socket.SOCK_STREAM)
        else:
            raise ValueError(f"KIND: pipe, queue or unix, not {kind!r}")

    # parent side
    def parent_send(self, data) -> None:
        if self.kind == "pipe":
            self.a.send_bytes(data)
        elif self.kind == "queue":
            self.a.put(bytes(data))
        else:
            self.a.sendall(data)

    def parent_receive(self, buffer: bytearray) -> memoryview:
        if self.kind == "pipe":
            return memoryview(buffer)[:self.a.recv_bytes_into(buffer)]
        if self.kind == "queue":
            return memoryview(self.b.get())
        return read_fully(self.a, buffer)

    # child side
    def child_send(self, data) -> None:
        if self.kind == "pipe":
            self.b.send_bytes(data)
        elif self.kind == "queue":
            self.b.put(bytes(data))
        else:
            self.b.sendall(data)

    def child_receive(self, buffer: bytearray) -> memoryview:
        if self.kind == "pipe":
            return memoryview(buffer)[:self.b.recv_bytes_into(buffer)]
        if self.kind == "queue":
            return memoryview(self.a.get())
        return read_fully(self.b, buffer)


def read_fully(sock: socket.socket, buffer: bytearray) -> memoryview:
    view = memoryview(buffer)
    got = 0
    while got < len(buffer):
        n = sock.recv_into(view[got:])
        if n == 0:
            raise EOFError("the peer closed its socket")
        got += n
    return view


def pin_to(cpu: Optional[int]) -> None:
    if cpu is not None:
        os.sched_setaffinity(0, {cpu})


def echo_child(link: Link, cpu: Optional[int]) -> None:
    pin_to(cpu)
    buffer = bytearray(link.size)
    while True:
        link.child_send(link.child_receive(buffer))


def consume_child(link: Link, cpu: Optional[int]) -> None:
    """Per block: a control message with -COUNT first, then COUNT messages; answers with 8 bytes when it has them."""
    pin_to(cpu)
    buffer = bytearray(link.size)
    unpack = SEQ.unpack_from
    expected = 0
    answer = bytearray(link.size if link.kind == "unix" else 8)
    while True:
        count = -unpack(link.child_receive(buffer))[0]
        for _ in range(count):
            seq = unpack(link.child_receive(buffer))[0]
            if seq != expected:
                print(f"python_bench: message {seq}, expected {expected}", file=sys.stderr)
                os._exit(1)
            expected += 1
        ACK.pack_into(answer, 0, expected)
        link.child_send(answer)


def local_roles(role: str, argv: list[str]) -> int:
    kind, size = argv[0], int(argv[1])
    rest = argv[3:] if role == "local-ping" else argv[2:]
    cpus: list[Optional[int]] = [None, None]
    if rest[:1] == ["pin"]:
        cpus = [int(rest[1]), int(rest[2])]
    link = Link(kind, size)
    child = multiprocessing.get_context("fork").Process(
        target=echo_child if role == "local-ping" else consume_child, args=(link, cpus[1]), daemon=True)
    child.start()
    pin_to(cpus[0])
    buffer = bytearray(size)
    received = bytearray(size)
    state = [0]
    clock = time.monotonic_ns
    if role == "local-ping":
        samples_path = argv[2]
        times = array.array("q")

        def block(count: int):
            if len(times) < count:
                times.extend([0] * (count - len(times)))
            t0, cpu = clock(), time.process_time_ns()
            for i in range(count):
                start = clock()
                SEQ.pack_into(buffer, 0, state[0])
                link.parent_send(buffer)
                echo = link.parent_receive(received)
                if SEQ.unpack_from(echo)[0] != state[0]:
                    raise OutOfSequence(f"echo {SEQ.unpack_from(echo)[0]}, expected {state[0]}")
                state[0] += 1
                times[i] = clock() - start
            t1, used = clock(), time.process_time_ns() - cpu
            append_samples(samples_path, times, count)
            return t0, t1, used, median(times, count)
    else:
        def block(count: int):
            t0, cpu = clock(), time.process_time_ns()
            SEQ.pack_into(buffer, 0, -count)
            link.parent_send(buffer)
            pack = SEQ.pack_into
            send = link.parent_send
            for seq in range(state[0], state[0] + count):
                pack(buffer, 0, seq)
                send(buffer)
            state[0] += count
            answer = link.parent_receive(received)
            if ACK.unpack_from(answer)[0] != state[0]:
                raise OutOfSequence(f"the child has {ACK.unpack_from(answer)[0]} messages, expected {state[0]}")
            return t0, clock(), time.process_time_ns() - cpu, 0
    try:
        return serve(block)
    finally:
        child.terminate()
        child.join(10)


def main(argv: list[str]) -> int:
    if len(argv) < 3:
        print(__doc__, file=sys.stderr)
        return 64
    role = argv[0]
    if role in ("ping", "echo", "send", "recv"):
        return channel_roles(role, argv[1:])
    if role in ("local-ping", "local-send"):
        return local_roles(role, argv[1:])
    print(f"python_bench: unknown role {role!r}\n{__doc__}", file=sys.stderr)
    return 64


if __name__ == "__main__":
    try:
        sys.exit(main(sys.argv[1:]))
    except OutOfSequence as e:
        print(f"python_bench: {e}", file=sys.stderr)
        sys.exit(1)
