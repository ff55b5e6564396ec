"""The Python end of the rpc tests (jipc.rpc.PythonRpcTest):

  rpc_peer.py call NAME SEED MAX COUNT   COUNT calls; request i = messages.message(SEED, i, MAX), type type_of(i);
                                         each response must be the request reversed, with type type_of(i) + 1
  rpc_peer.py serve NAME COUNT           answer COUNT requests with the request reversed, type + 1

  rpc_peer.py hang NAME                  the service: prints "ready", then "got" for the first request and never
                                         answers it (killed by the test)
  rpc_peer.py wait NAME TYPE             one call of TYPE with a 60 s deadline: prints "calling", then
                                         "unavailable SECONDS MESSAGE" on ServiceUnavailableError (SECONDS the call
                                         took), "answered" on an answer
  rpc_peer.py pending NAME HANG LARGE N  a client leaving N requests in flight: one of type HANG, then N - 1 of type
                                         LARGE, each call given up after a millisecond (TimeoutError, its request
                                         sent); prints "sent SLOT N" and waits to be killed

Prints "called N" / "ready" then "served N"; exit 1 on a defect.
"""
from __future__ import annotations

import os
import sys
import threading
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

import jipc  # noqa: E402
from messages import message, type_of  # noqa: E402


def main(argv: list[str]) -> int:
    mode, name = argv[0], argv[1]
    with jipc.Rpc.attach(name) as rpc:
        if mode == "call":
            seed, max_length, count = int(argv[2]), int(argv[3]), int(argv[4])
            with rpc.client() as client:
                for i in range(count):
                    request = message(seed, i, max_length)
                    response = client.call(type_of(i), request, timeout=30)
                    if response.type != type_of(i) + 1 or response.data != request[::-1]:
                        raise AssertionError(f"call {i}: type {response.type}, {len(response.data)} bytes: not the"
                                             f" request reversed")
            print(f"called {count}", flush=True)
        elif mode == "serve":
            count = int(argv[2])
            with rpc.service() as service:
                print("ready", flush=True)
                while service.handled < count:
                    service.serve(lambda type, request: (type + 1, bytes(request)[::-1]), timeout=30)
                print(f"served {service.handled}", flush=True)
        elif mode == "hang":
            with rpc.service() as service:
                print("ready", flush=True)

                def hang(type: int, request: memoryview) -> bytes:
                    print("got", flush=True)
                    threading.Event().wait()
                    return b""

                service.serve(hang, limit=1, timeout=None)
        elif mode == "wait":
            with rpc.client() as client:
                print("calling", flush=True)
                start = time.monotonic()
                try:
                    client.call(int(argv[2]), b"wait", timeout=60)
                    print("answered", flush=True)
                except jipc.ServiceUnavailableError as e:
                    print(f"unavailable {time.monotonic() - start:.3f} {e}", flush=True)
        elif mode == "pending":
            hang, large, count = int(argv[2]), int(argv[3]), int(argv[4])
            client = rpc.client()
            for i in range(count):
                try:
                    client.call(hang if i == 0 else large, i.to_bytes(4, "little"), timeout=0.001)
                    raise AssertionError(f"request {i} was answered")
                except TimeoutError:
                    pass
            print(f"sent {client.slot} {count}", flush=True)
            threading.Event().wait()
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
