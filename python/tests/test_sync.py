"""jipc.Semaphore and jipc.NamedSemaphore from Python alone (run by jipc.sync.PythonSyncTest)."""
from __future__ import annotations

import os
import signal
import struct
import subprocess
import sys
import threading
import time
import unittest

import jipc
from jipc.errors import FormatError
from test_channel import fresh_name, raw


def wchan(pid: int) -> str:
    """Where the process sleeps in the kernel (futex_wait_queue, futex_do_wait, ... by kernel version)."""
    with open(f"/proc/{pid}/wchan") as f:
        return f.read()


class SemaphoreTest(unittest.TestCase):
    def setUp(self) -> None:
        self.name = fresh_name()

    def tearDown(self) -> None:
        jipc.Semaphore.unlink(self.name)
        jipc.NamedSemaphore.unlink(self.name)

    def test_counting_and_binary_semantics(self) -> None:
        with jipc.Semaphore.create(self.name, 2) as sem:
            self.assertEqual((2, 2 ** 31 - 1), (sem.available, sem.max))
            self.assertTrue(sem.try_acquire())
            self.assertTrue(sem.acquire(timeout=0))
            self.assertFalse(sem.try_acquire())
            self.assertFalse(sem.acquire(timeout=0.02))
            sem.release(3)
            self.assertEqual(3, sem.available)
        jipc.Semaphore.unlink(self.name)
        with jipc.Semaphore.create(self.name, 1, binary=True) as sem:
            with self.assertRaisesRegex(ValueError, "count=1 \\+ permits=1 > max=1"):
                sem.release()
            self.assertEqual(0o600, os.stat("/dev/shm" + self.name).st_mode & 0o777)
            self.assertEqual(128, os.stat("/dev/shm" + self.name).st_size)

    def test_a_release_wakes_a_sleeping_thread_and_the_wait_releases_the_gil(self) -> None:
        with jipc.Semaphore.create(self.name, 0) as sem, jipc.Semaphore.open(self.name) as other:
            got = []
            waiter = threading.Thread(target=lambda: got.append(sem.acquire(timeout=30)))
            waiter.start()
            m = raw(self.name)
            deadline = time.monotonic() + 10
            # it counted itself in this process's waiter entry: it sleeps in FUTEX_WAIT
            while struct.unpack_from("<i", m, 16 + 8)[0] == 0:
                self.assertLess(time.monotonic(), deadline)
                time.sleep(0.001)
            m.close()
            spins, start = 0, time.monotonic()
            while time.monotonic() - start < 0.2:
                spins += 1
            self.assertGreater(spins, 10_000)
            with self.assertRaises(RuntimeError):
                sem.close()  # a thread waits on it
            other.release()
            waiter.join(10)
            self.assertEqual([True], got)

    def test_ctrl_c_ends_an_acquire_with_keyboard_interrupt(self) -> None:
        for kind in ("Semaphore", "NamedSemaphore"):
            with self.subTest(kind):
                creator = getattr(jipc, kind).create(self.name, 0)
                child = subprocess.Popen(
                    [sys.executable, "-u", "-c",
                     "import jipc, sys\n"
                     f"s = jipc.{kind}.open({self.name!r})\n"
                     "print('open', flush=True)\n"
                     "try:\n"
                     "    s.acquire()\n"
                     "except KeyboardInterrupt:\n"
                     "    print('interrupted')\n"],
                    stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
                try:
                    self.assertEqual("open\n", child.stdout.readline())
                    deadline = time.monotonic() + 20
                    while "futex" not in wchan(child.pid):
                        self.assertLess(time.monotonic(), deadline, "the child never slept in the futex")
                        time.sleep(0.001)
                    child.send_signal(signal.SIGINT)
                    out, err = child.communicate(timeout=10)
                    self.assertEqual("interrupted\n", out, err)
                finally:
                    child.kill()
                    child.communicate()
                    creator.close()
                    getattr(jipc, kind).unlink(self.name)

    def test_bad_input_and_forged_objects(self) -> None:
        for call in (lambda: jipc.Semaphore.create(self.name, -1), lambda: jipc.Semaphore.create(self.name, 2,
                                                                                                  binary=True),
                     lambda: jipc.Semaphore.create("bad", 1), lambda: jipc.NamedSemaphore.create("/a/b", 1),
                     lambda: jipc.NamedSemaphore.create(self.name, -1)):
            with self.assertRaises(ValueError):
                call()
        with self.assertRaises(TypeError):
            jipc.Semaphore.create(self.name, "1")
        with self.assertRaises(FileNotFoundError) as caught:
            jipc.Semaphore.open(self.name)
        self.assertEqual(f'shm_open("{self.name}") failed: ENOENT (No such file or directory)', str(caught.exception))
        with self.assertRaises(FileNotFoundError) as caught:
            jipc.NamedSemaphore.open(self.name)
        self.assertEqual("sem_open", caught.exception.call)
        with jipc.Semaphore.create(self.name, 1) as sem:
            with self.assertRaises(ValueError):
                sem.release(0)
            with self.assertRaises(FileExistsError):
                jipc.Semaphore.create(self.name, 1)
            m = raw(self.name)
            struct.pack_into("<i", m, 12, 0x4A534D31)
            with self.assertRaisesRegex(FormatError, "layout version 1"):
                jipc.Semaphore.open(self.name)
            struct.pack_into("<ii", m, 8, 0, 0x4A534D32)
            with self.assertRaises(FormatError):
                jipc.Semaphore.open(self.name)
            struct.pack_into("<ii", m, 0, -5, 0)
            struct.pack_into("<i", m, 8, 3)
            self.assertFalse(sem.try_acquire())  # a forged count is just a count
            self.assertFalse(sem.acquire(timeout=0.01))
            m.close()
        sem.close()
        with self.assertRaisesRegex(ValueError, "closed"):
            sem.try_acquire()

    def test_a_thousand_open_close_cycles_leave_no_fd_or_mapping(self) -> None:
        with jipc.Semaphore.create(self.name, 1), jipc.NamedSemaphore.create(self.name, 1):
            def count() -> tuple:
                with open("/proc/self/maps") as f:
                    maps = sum(1 for line in f if self.name[1:] in line)
                return len(os.listdir("/proc/self/fd")), maps

            before = count()
            for _ in range(1000):
                with jipc.Semaphore.open(self.name) as s, jipc.NamedSemaphore.open(self.name) as n:
                    s.release()
                    s.acquire(0)
                    n.post()
                    n.acquire(0)
            self.assertEqual(before, count())


if __name__ == "__main__":
    unittest.main()
