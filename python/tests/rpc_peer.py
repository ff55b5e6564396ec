"""The Python end of the rpc tests (jipc.rpc.PythonRpcTest):

  rpc_peer.py call NAME SEED MAX COUNT   COUNT calls; request i = messages.message(SEED, i, MAX), type type_of(i);
                                         each response must be the request reversed, with type type_of(i) + 1
  rpc_peer.py serve NAME COUNT           answer COUNT requests with the request reversed, type + 1

Prints "called N" / "ready" then "served N"; exit 1 on a defect.
"""
from __future__ import annotations

import os
import sys

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
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
