"""jipc.Rpc from Python, run by jipc.rpc.PythonRpcTest: on an rpc object Java made (its name in JIPC_TEST_RPC), and
on objects Python makes (Rpc.create) with a Java client or service in a child JVM (JIPC_TEST_JAVA: the child's
command line up to and including the main class jipc.rpc.RpcChild, one argument per line)."""
from __future__ import annotations

import os
import signal
import stat
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
JAVA = [arg for arg in os.environ.get("JIPC_TEST_JAVA", "").split("\n") if arg]


@unittest.skipUnless(NAME, "JIPC_TEST_RPC names no rpc object (PythonRpcTest sets it)")
class RpcTest(unittest.TestCase):
    def test_a_call_without_a_service_is_service_unavailable(self) -> None:
        with jipc.Rpc.attach(NAME) as rpc, rpc.client() as client:
            with self.assertRaises(ServiceUnavailableError) as caught:
                client.call(1, b"anyone?", timeout=5)
            self.assertEqual(3, caught.exception.errno)  # ESRCH
            self.assertIn(f'rpc "{NAME}": no service is running: call failed: ESRCH', str(caught.exception))

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


class RpcCreateTest(unittest.TestCase):
    def setUp(self) -> None:
        self.name = fresh_name()
        self.addCleanup(jipc.unlink, self.name)

    def test_create_writes_an_object_attach_accepts_with_javas_limits_and_mode_0600(self) -> None:
        with jipc.Rpc.create(self.name, 3, 1 << 16, 1 << 12) as created:
            self.assertEqual(0o600, stat.S_IMODE(os.stat("/dev/shm" + self.name).st_mode))
            with jipc.Rpc.attach(self.name) as attached:
                self.assertEqual(3, attached.client_slots)
                self.assertEqual((1 << 16) // 8 - 24, attached.max_request)  # SharedRpc.maxRequestLength
                self.assertEqual((1 << 12) // 8 - 24, attached.max_response)
            with created.service() as service, created.client() as client:
                server = threading.Thread(target=service.serve, args=(lambda t, r: (t, bytes(r) * 2), 1, 10))
                server.start()
                self.assertEqual(jipc.Message(5, b"abab"), client.call(5, b"ab", timeout=10))
                server.join(10)

    def test_create_takes_a_mode_and_refuses_a_taken_name_and_bad_geometry(self) -> None:
        jipc.Rpc.create(self.name, 1, 1024, 1024, mode=0o640).close()
        self.assertEqual(0o640, stat.S_IMODE(os.stat("/dev/shm" + self.name).st_mode))
        with self.assertRaises(FileExistsError) as caught:
            jipc.Rpc.create(self.name, 1, 1024, 1024)
        self.assertIn("shm_open", str(caught.exception))
        self.assertIn("EEXIST", str(caught.exception))
        other = fresh_name()
        for clients, request, response, message in [
                (0, 1024, 1024, "clients=0 not in [1, 52]"), (-1, 1024, 1024, "clients=-1 not in [1, 52]"),
                (53, 1024, 1024, "clients=53"), (1, 1000, 1024, "request_capacity=1000 is not a power of two"),
                (1, 1024, 512, "response_capacity=512"), (1, 1 << 41, 1024, "request_capacity=2199023255552"),
                (1, -1024, 1024, "request_capacity=-1024")]:
            with self.assertRaises(ValueError) as caught:
                jipc.Rpc.create(other, clients, request, response)
            self.assertIn(message, str(caught.exception))
            self.assertFalse(os.path.exists("/dev/shm" + other), "nothing is created for a bad geometry")
        with self.assertRaises(ValueError):
            jipc.Rpc.create(other, 1, 1024, 1024, mode=0o1000)

    @unittest.skipUnless(JAVA, "JIPC_TEST_JAVA gives no Java command (PythonRpcTest sets it)")
    def test_a_java_client_calls_a_python_service_on_an_object_python_created(self) -> None:
        calls = 2000
        with jipc.Rpc.create(self.name, 2, 1 << 16, 1 << 16) as rpc, rpc.service() as service:
            java = subprocess.Popen(JAVA + ["call", self.name, str(calls)], stdout=subprocess.PIPE,
                                    stderr=subprocess.PIPE, text=True)
            try:
                deadline = time.monotonic() + 120
                while service.handled < calls and java.poll() is None:
                    self.assertLess(time.monotonic(), deadline, "the Java client never finished")
                    service.serve(lambda type, request: (type + 1, bytes(request)[::-1]), timeout=0.1)
                out, err = java.communicate(timeout=60)
            finally:
                java.kill()
                java.communicate()
            self.assertEqual(0, java.returncode, err)
            self.assertEqual(f"called {calls}\n", out)
            self.assertEqual(calls, service.handled)

    @unittest.skipUnless(JAVA, "JIPC_TEST_JAVA gives no Java command (PythonRpcTest sets it)")
    def test_a_python_client_calls_a_java_service_on_an_object_python_created(self) -> None:
        with jipc.Rpc.create(self.name, 2, 1 << 16, 1 << 16) as rpc:
            java = subprocess.Popen(JAVA + ["serve", self.name, "1"], stdout=subprocess.PIPE,
                                    stderr=subprocess.PIPE, text=True)
            try:
                self.assertEqual("serving\n", java.stdout.readline())
                with rpc.client() as client:
                    for i in range(2000):
                        answer = client.call(1, f"call {i}".encode(), timeout=30)
                        self.assertEqual(jipc.Message(1, f"CALL {i}".encode()), answer)
                    largest = client.call(3, b"", timeout=30)  # RpcChild: the largest response
                    self.assertEqual(rpc.max_response, len(largest.data))
            finally:
                java.kill()
                java.communicate(timeout=30)


if __name__ == "__main__":
    unittest.main()
