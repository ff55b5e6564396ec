"""jipc.Rpc from Python, on an rpc object Java made (its name in JIPC_TEST_RPC; run by jipc.rpc.PythonRpcTest)."""
from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading
import time
import unittest

import jipc
from jipc.errors import RemoteError, RoleTakenError, ServiceUnavailableError
from test_channel import fresh_name
from test_sync import wchan

NAME = os.environ.get("JIPC_TEST_RPC", "")


@unittest.skipUnless(NAME, "JIPC_TEST_RPC names no rpc object (PythonRpcTest sets it)")
class RpcTest(unittest.TestCase):
    def test_a_call_without_a_service_is_service_unavailable(self) -> None:
        with jipc.Rpc.attach(NAME) as rpc, rpc.client() as client:
            with self.assertRaises(ServiceUnavailableError) as caught:
                client.call(1, b"anyone?", timeout=5)
            self.assertEqual(3, caught.exception.errno)  # ESRCH

    def test_calls_answers_failures_and_timeouts(self) -> None:
        with jipc.Rpc.attach(NAME) as rpc, rpc.service() as service, rpc.client() as client:
            stop = threading.Event()

            def handler(type: int, request: memoryview) -> object:
                if type == 9:
                    raise KeyError("no such key")
                if type == 8:
                    time.sleep(0.5)
                return type * 10, bytes(request).upper()

            def serve() -> None:
                while not stop.is_set():
                    service.serve(handler, timeout=0.05)

            server = threading.Thread(target=serve)
            server.start()
            try:
                self.assertEqual(jipc.Message(10, b"HELLO"), client.call(1, b"hello", timeout=5))
                self.assertEqual(jipc.Message(20, b""), client.call(2, b"", timeout=5))
                with self.assertRaises(RemoteError) as caught:
                    client.call(9, b"x", timeout=5)
                self.assertIn("no such key", str(caught.exception))
                with self.assertRaises(TimeoutError):
                    client.call(8, b"slow", timeout=0.1)
                self.assertEqual(jipc.Message(30, b"AFTER"), client.call(3, b"after", timeout=5))  # stale dropped
                with self.assertRaises(RoleTakenError):
                    rpc.service()
            finally:
                stop.set()
                server.join(10)

    def test_bad_input_raises_python_exceptions(self) -> None:
        with jipc.Rpc.attach(NAME) as rpc, rpc.client() as client:
            with self.assertRaises(TypeError):
                client.call(1, "text")
            with self.assertRaises(ValueError):
                client.call(0, b"x")
            with self.assertRaises(ValueError):
                client.call(1, b"x" * (rpc.max_request + 1))
            with self.assertRaises(RuntimeError):
                rpc.close()  # a client is open
        with self.assertRaises(FileNotFoundError):
            jipc.Rpc.attach(fresh_name())
        name = fresh_name()
        jipc.Channel.create(name, 4096, 64).close()
        try:
            with self.assertRaises(jipc.FormatError):
                jipc.Rpc.attach(name)
        finally:
            jipc.unlink(name)

    def test_ctrl_c_ends_a_call_waiting_on_a_live_service(self) -> None:
        with jipc.Rpc.attach(NAME) as rpc, rpc.service():  # alive, never answering
            child = subprocess.Popen(
                [sys.executable, "-u", "-c",
                 "import jipc\n"
                 f"c = jipc.Rpc.attach({NAME!r}).client()\n"
                 "print('calling', flush=True)\n"
                 "try:\n"
                 "    c.call(1, b'wait')\n"
                 "except KeyboardInterrupt:\n"
                 "    print('interrupted')\n"],
                stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
            try:
                self.assertEqual("calling\n", child.stdout.readline())
                deadline = time.monotonic() + 20
                while "futex" not in wchan(child.pid):
                    self.assertLess(time.monotonic(), deadline, "the client never slept")
                    time.sleep(0.001)
                child.send_signal(signal.SIGINT)
                out, err = child.communicate(timeout=10)
                self.assertEqual("interrupted\n", out, err)
            finally:
                child.kill()
                child.communicate()


if __name__ == "__main__":
    unittest.main()
