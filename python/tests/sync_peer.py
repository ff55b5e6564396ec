"""The Python end of the semaphore tests (jipc.sync.PythonSyncTest):

  sync_peer.py pingpong shared|named PING PONG ROUNDS   each round: acquire PING, release PONG
  sync_peer.py wait shared NAME                         print "waiting", then acquire NAME (killed asleep by the test)

Prints "done ROUNDS"; exit 1 if a round waits more than 30 s.
"""
from __future__ import annotations

import sys

import jipc


def main(argv: list[str]) -> int:
    if argv[0] == "pingpong":
        kind, rounds = argv[1], int(argv[4])
        opener = jipc.Semaphore.open if kind == "shared" else jipc.NamedSemaphore.open
        with opener(argv[2]) as ping, opener(argv[3]) as pong:
            for i in range(rounds):
                if not ping.acquire(timeout=30):
                    raise AssertionError(f"round {i}: no permit within 30 s")
                pong.release()
        print(f"done {rounds}", flush=True)
    elif argv[0] == "wait":
        with jipc.Semaphore.open(argv[2]) as sem:
            print("waiting", flush=True)
            sem.acquire()
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
