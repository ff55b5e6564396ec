"""jipc.Channel from Python alone: both kinds, zero-copy views, bad input, leaks, the GIL and Ctrl-C.

Run from python/tests with python/ on PYTHONPATH (jipc.channel.PythonChannelTest does, in mvn verify).
"""
from __future__ import annotations

import mmap
import os
import signal
import struct
import subprocess
import sys
import threading
import time
import unittest
from typing import Optional

import jipc
from jipc.errors import CorruptedError, ErrnoError, FormatError, RoleTakenError

try:
    import numpy
except ImportError:  # numpy is optional
    numpy = None

HERE = os.path.dirname(os.path.abspath(__file__))
HEADER = 4096
_counter = 0


def fresh_name() -> str:
    global _counter
    _counter += 1
    return f"/jipc-pyt-{os.getpid()}-{_counter}"


def raw(name: str) -> mmap.mmap:
    """The object's bytes, mapped as any other process could (to forge and to look)."""
    fd = os.open("/dev/shm" + name, os.O_RDWR)
    try:
        return mmap.mmap(fd, os.fstat(fd).st_size)
    finally:
        os.close(fd)


def cpu_seconds(pid: int) -> float:
    with open(f"/proc/{pid}/stat") as f:
        fields = f.read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


class ChannelTestCase(unittest.TestCase):
    def setUp(self) -> None:
        self.name = fresh_name()
        jipc.unlink(self.name)

    def tearDown(self) -> None:
        jipc.unlink(self.name)


class RoundTripTest(ChannelTestCase):
    def test_offer_put_claim_then_poll_take_and_iterate_on_both_kinds(self) -> None:
        for many in (False, True):
            with self.subTest(many_producers=many):
                jipc.unlink(self.name)
                with jipc.Channel.create(self.name, 4096, 256, many_producers=many) as ch:
                    self.assertEqual(many, ch.many_producers)
                    self.assertTrue(ch.offer(1, b"one"))
                    self.assertTrue(ch.put(2, bytearray(b"two"), timeout=1))
                    view = ch.claim(3, 5)
                    view[:] = b"three"
                    ch.commit()
                    view = ch.claim(4, 4)
                    ch.abort()
                    self.assertTrue(ch.offer(5, memoryview(b"five")))
                    got = []
                    self.assertEqual(2, ch.poll(lambda t, p: got.append((t, bytes(p))), limit=2))
                    self.assertEqual([(1, b"one"), (2, b"two")], got)
                    self.assertEqual(jipc.Message(3, b"three"), ch.take(timeout=1))
                    self.assertEqual((5, b"five"), next(iter(ch)))
                    self.assertIsNone(ch.take(timeout=0.01))
                    self.assertEqual(ch.head_position, ch.tail_position)

    def test_a_full_ring_is_false_and_wrapped_messages_arrive_whole_and_in_order(self) -> None:
        with jipc.Channel.create(self.name, 1024, 120) as ch:
            expected = []
            while ch.offer(7, bytes([len(expected)]) * 100):
                expected.append(bytes([len(expected)]) * 100)
            self.assertGreater(len(expected), 5)
            self.assertIsNone(ch.claim(7, 100))
            self.assertFalse(ch.put(7, b"x" * 100, timeout=0.01))
            received = []
            for round in range(200):  # wraps the ring many times, with padding
                message = bytes([round % 256]) * (1 + round * 37 % 120)
                while not ch.offer(8, message):
                    self.assertEqual(1, ch.poll(lambda t, p: received.append(bytes(p)), limit=1))
                expected.append(message)
            while ch.poll(lambda t, p: received.append(bytes(p))):
                pass
            self.assertEqual(expected, received)

    def test_a_handler_that_raises_consumes_its_message_and_stops_the_poll(self) -> None:
        with jipc.Channel.create(self.name, 4096, 64) as ch:
            for i in range(1, 5):
                ch.offer(i, b"m")

            def handler(t: int, p: memoryview) -> None:
                if t == 2:
                    raise KeyError("boom")

            with self.assertRaises(KeyError):
                ch.poll(handler)
            self.assertEqual(jipc.Message(3, b"m"), ch.take(timeout=1))


class PopulateTest(ChannelTestCase):
    @staticmethod
    def resident_kib(name: str) -> int:
        """The Rss of this process's mapping of /dev/shm/NAME, from the kernel's /proc/self/smaps."""
        with open("/proc/self/smaps") as smaps:
            lines = smaps.read().splitlines()
        for i, line in enumerate(lines):
            if line.endswith("/dev/shm" + name):
                for following in lines[i + 1:]:
                    if following.startswith("Rss:"):
                        return int(following.split()[1])
        raise AssertionError("no mapping of /dev/shm" + name)

    def test_populate_makes_every_page_resident_and_a_truncated_object_is_efault(self) -> None:
        with jipc.Channel.create(self.name, 1 << 20, 1024) as ch:
            before = self.resident_kib(self.name)
            size_kib = os.stat("/dev/shm" + self.name).st_size // 1024
            self.assertLess(before, size_kib)  # the header's pages only
            ch.populate()
            self.assertEqual(size_kib, self.resident_kib(self.name))
            ch.offer(1, b"after populate")
            self.assertEqual(b"after populate", bytes(ch.take(timeout=1).data))
            os.truncate("/dev/shm" + self.name, 4096)  # as a peer that shrinks the object would
            with self.assertRaises(ErrnoError) as caught:
                ch.populate()
            self.assertIn("madvise", str(caught.exception))
            self.assertIn("EFAULT", str(caught.exception))


class ViewTest(ChannelTestCase):
    def test_a_view_kept_past_its_handler_is_released(self) -> None:
        with jipc.Channel.create(self.name, 4096, 64) as ch:
            ch.offer(1, b"hello")
            kept = []
            ch.poll(lambda t, p: kept.append(p))
            with self.assertRaises(ValueError):
                bytes(kept[0])
            self.assertEqual(0, ch.exports)

    def test_close_refuses_with_buffer_error_while_a_buffer_of_a_message_is_held(self) -> None:
        ch = jipc.Channel.create(self.name, 4096, 64)
        ch.offer(1, b"held")
        holders = []

        def handler(t: int, p: memoryview) -> None:
            holders.append(memoryview(p))  # a buffer of the view: the view cannot be released

        ch.poll(handler)
        self.assertEqual(1, ch.exports)
        with self.assertRaises(BufferError):
            ch.close()
        self.assertFalse(ch.closed)
        holders[0].release()
        holders.clear()
        ch.close()
        self.assertTrue(ch.closed)

    def test_a_claim_view_is_writable_and_released_at_commit(self) -> None:
        with jipc.Channel.create(self.name, 4096, 64) as ch:
            view = ch.claim(1, 8)
            self.assertFalse(view.readonly)
            struct.pack_into("<q", view, 0, -42)
            with self.assertRaises(BufferError):
                ch.close()
            ch.commit()
            with self.assertRaises(ValueError):
                view[0] = 1
            self.assertEqual(-42, struct.unpack("<q", ch.take(timeout=1).data)[0])

    def test_closing_with_a_claim_open_aborts_it(self) -> None:
        ch = jipc.Channel.create(self.name, 4096, 64)
        view = ch.claim(1, 8)
        del view
        ch.close()
        with jipc.Channel.attach(self.name) as again:
            self.assertIsNone(again.take(timeout=0.01))
            self.assertTrue(again.offer(2, b"x"))
            self.assertEqual((2, b"x"), again.take(timeout=1))

    @unittest.skipIf(numpy is None, "numpy is not installed")
    def test_numpy_frombuffer_reads_the_ring_without_a_copy(self) -> None:
        with jipc.Channel.create(self.name, 1 << 16, 4096) as ch:
            view = ch.claim(1, 8 * 100)
            out = numpy.frombuffer(view, dtype=numpy.float64)
            out[:] = numpy.arange(100, dtype=numpy.float64)
            del out
            ch.commit()
            sums = []

            def handler(t: int, p: memoryview) -> None:
                a = numpy.frombuffer(p, dtype=numpy.float64)
                b = numpy.frombuffer(p, dtype=numpy.float64)
                self.assertEqual(a.ctypes.data, b.ctypes.data, "both arrays are the ring's bytes, not copies")
                self.assertFalse(a.flags.writeable)
                sums.append(float(a.sum()))

            ch.poll(handler)
            self.assertEqual([4950.0], sums)
            self.assertEqual(0, ch.exports)


class BadInputTest(ChannelTestCase):
    def test_wrong_types_and_values_raise_python_exceptions(self) -> None:
        with jipc.Channel.create(self.name, 4096, 64) as ch:
            for call in (lambda: ch.offer("1", b"x"), lambda: ch.offer(1, "text"), lambda: ch.offer(1, 12),
                         lambda: ch.claim(1, "8"), lambda: ch.poll(42), lambda: ch.take(timeout="soon"),
                         lambda: ch.put(1, None)):
                with self.assertRaises(TypeError):
                    call()
            for call in (lambda: ch.offer(0, b"x"), lambda: ch.offer(-5, b"x"), lambda: ch.offer(2 ** 31, b"x"),
                         lambda: ch.offer(1, b"x" * 65), lambda: ch.claim(1, -1), lambda: ch.claim(1, 65),
                         lambda: ch.poll(print, limit=0), lambda: ch.take(timeout=-1),
                         lambda: ch.put(1, b"x", timeout=-0.5)):
                with self.assertRaises(ValueError):
                    call()
            with self.assertRaises(OverflowError):
                ch.offer(2 ** 70, b"x")
            with self.assertRaises(RuntimeError):
                ch.commit()
            ch.claim(1, 1)
            with self.assertRaises(RuntimeError):
                ch.claim(1, 1)
            with self.assertRaises(RuntimeError):
                ch.offer(1, b"x")
            ch.abort()
            with self.assertRaises(BufferError):
                memoryview(ch._c)

    def test_a_closed_channel_raises_value_error_and_close_is_idempotent(self) -> None:
        ch = jipc.Channel.create(self.name, 4096, 64)
        ch.close()
        ch.close()
        for call in (lambda: ch.offer(1, b"x"), lambda: ch.poll(print), lambda: ch.take(0), lambda: ch.claim(1, 1),
                     lambda: ch.commit(), lambda: ch.has_message(), lambda: ch.head_position,
                     lambda: ch.register_consumer()):
            with self.assertRaisesRegex(ValueError, "closed"):
                call()

    def test_bad_names_and_parameters_create_nothing(self) -> None:
        for name in ("", "/", "noslash", "/a/b", "/" + "x" * 255, "/.", "/a\0b"):
            with self.assertRaises(ValueError, msg=name):
                jipc.Channel.create(name, 4096, 64)
        for capacity, max_length in ((1000, 64), (512, 32), (4096, 0), (4096, 505), (3 << 12, 64)):
            with self.assertRaises(ValueError):
                jipc.Channel.create(self.name, capacity, max_length)
        with self.assertRaises(ValueError):
            jipc.Channel.create(self.name, 4096, 64, mode=0o1777)
        self.assertFalse(os.path.exists("/dev/shm" + self.name))

    def test_errors_are_os_errors_with_errno_and_javas_words(self) -> None:
        with self.assertRaises(FileNotFoundError) as caught:
            jipc.Channel.attach(self.name)
        e = caught.exception
        self.assertIsInstance(e, ErrnoError)
        self.assertIsInstance(e, OSError)
        self.assertEqual(2, e.errno)
        self.assertEqual("shm_open", e.call)
        self.assertEqual(f'shm_open("{self.name}") failed: ENOENT (No such file or directory)', str(e))
        with jipc.Channel.create(self.name, 4096, 64):
            with self.assertRaises(FileExistsError) as caught:
                jipc.Channel.create(self.name, 4096, 64)
            self.assertEqual("EEXIST", caught.exception.errno_name)

    def test_a_second_consumer_is_refused_with_role_taken(self) -> None:
        with jipc.Channel.create(self.name, 4096, 64) as first, jipc.Channel.attach(self.name) as second:
            first.register_consumer()
            with self.assertRaises(RoleTakenError) as caught:
                second.poll(print)
            self.assertEqual(16, caught.exception.errno)
            self.assertIn("the consumer of channel", str(caught.exception))
            first.unregister_consumer()
            self.assertEqual(0, second.poll(print))

    def test_a_forged_header_is_a_format_error_never_a_crash(self) -> None:
        forgeries = {
            "magic": (0, "<Q", 0x1234),
            "version": (8, "<i", 2),
            "flags": (12, "<i", 6),
            "capacity": (16, "<q", 3000),
            "capacity beyond the object": (16, "<q", 1 << 20),
            "max message length": (24, "<i", 0),
            "max message length too large": (24, "<i", 1 << 30),
            "header length": (28, "<i", 8192),
        }
        for what, (offset, fmt, value) in forgeries.items():
            with self.subTest(what):
                jipc.unlink(self.name)
                jipc.Channel.create(self.name, 4096, 64).close()
                m = raw(self.name)
                struct.pack_into(fmt, m, offset, value)
                m.close()
                with self.assertRaises(FormatError) as caught:
                    jipc.Channel.attach(self.name)
                self.assertEqual(22, caught.exception.errno)
        jipc.unlink(self.name)
        fd = os.open("/dev/shm" + self.name, os.O_CREAT | os.O_RDWR, 0o600)
        os.ftruncate(fd, 100)
        os.close(fd)
        with self.assertRaises(FormatError):
            jipc.Channel.attach(self.name)

    def test_forged_records_and_positions_are_corrupted_errors_never_a_crash(self) -> None:
        forgeries = {
            "a length beyond the ring": (HEADER, "<ii", (1 << 20, 1)),
            "a length below a header": (HEADER, "<ii", (4, 1)),
            "type 0": (HEADER, "<ii", (16, 0)),
            "a negative length with one producer": (HEADER, "<ii", (-16, 1)),
            "a pending head beyond the tail": (656, "<q", (1 << 40,)),
        }
        for what, (offset, fmt, values) in forgeries.items():
            with self.subTest(what):
                jipc.unlink(self.name)
                with jipc.Channel.create(self.name, 4096, 64) as ch:
                    m = raw(self.name)
                    struct.pack_into(fmt, m, offset, *values)
                    m.close()
                    with self.assertRaises(CorruptedError) as caught:
                        ch.poll(print)
                    self.assertEqual(71, caught.exception.errno)
        with self.subTest("odd head and tail positions"):
            jipc.unlink(self.name)
            with jipc.Channel.create(self.name, 4096, 64) as ch:
                m = raw(self.name)
                struct.pack_into("<q", m, 128, -3)
                struct.pack_into("<q", m, 256, (1 << 63) - 5)
                m.close()
                ch.poll(print)
                try:
                    ch.offer(1, b"x")
                except (CorruptedError, RoleTakenError):
                    pass
                ch.has_message()


class LeakTest(ChannelTestCase):
    @staticmethod
    def fds() -> int:
        return len(os.listdir("/proc/self/fd"))

    @staticmethod
    def mappings() -> int:
        with open("/proc/self/maps") as f:
            return sum(1 for line in f if "/dev/shm/jipc-pyt" in line)

    def test_ten_thousand_attach_close_cycles_leave_no_fd_or_mapping(self) -> None:
        with jipc.Channel.create(self.name, 4096, 64):
            for i in range(2):  # warm up: the liveness token is made once per process
                with jipc.Channel.attach(self.name) as ch:
                    ch.register_consumer()
                    ch.attach_producer()
            fds, maps = self.fds(), self.mappings()
            for i in range(10_000):
                ch = jipc.Channel.attach(self.name)
                if i % 2:
                    ch.register_consumer()
                    ch.attach_producer()
                ch.close()
            try:
                jipc.Channel.attach("/jipc-pyt-no-such-object")
            except FileNotFoundError:
                pass
            self.assertEqual(fds, self.fds())
            self.assertEqual(maps, self.mappings())
            self.assertEqual(1, maps)


class WaitTest(ChannelTestCase):
    def test_a_wait_releases_the_gil_so_another_thread_runs(self) -> None:
        with jipc.Channel.create(self.name, 4096, 64) as ch, jipc.Channel.attach(self.name) as producer:
            ch.register_consumer()
            result: list[Optional[jipc.Message]] = []
            waiter = threading.Thread(target=lambda: result.append(ch.take(timeout=30)))
            waiter.start()
            m = raw(self.name)
            deadline = time.monotonic() + 10
            # the consumer announced its sleep (consumerWaiting = 1): it is in the futex, holding no GIL
            while struct.unpack_from("<i", m, 388)[0] != 1:
                self.assertLess(time.monotonic(), deadline, "the waiter never went to sleep")
                time.sleep(0.001)
            m.close()
            spins = 0
            start = time.monotonic()
            while time.monotonic() - start < 0.3:
                spins += 1  # pure Python: runs only while the waiting thread does not hold the GIL
            self.assertGreater(spins, 10_000)
            self.assertTrue(waiter.is_alive())
            with self.assertRaises(RuntimeError):
                ch.poll(print)  # one thread per instance: the waiting one has it
            producer.offer(9, b"wake")
            waiter.join(10)
            self.assertEqual([jipc.Message(9, b"wake")], result)

    def _child(self, code: str) -> subprocess.Popen:
        return subprocess.Popen([sys.executable, "-u", "-c", code], stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                                text=True, env=dict(os.environ))

    def _await_consumer_waiting(self, offset: int, value_nonzero: bool = True) -> None:
        m = raw(self.name)
        try:
            deadline = time.monotonic() + 20
            while struct.unpack_from("<q" if offset == 520 else "<i", m, offset)[0] == 0:
                self.assertLess(time.monotonic(), deadline, "the child never went to sleep")
                time.sleep(0.001)
        finally:
            m.close()

    def test_ctrl_c_ends_a_consumer_wait_with_keyboard_interrupt_and_idle_costs_no_cpu(self) -> None:
        with jipc.Channel.create(self.name, 4096, 64):
            child = self._child(
                "import jipc\n"
                f"ch = jipc.Channel.attach({self.name!r})\n"
                "try:\n"
                "    ch.take()\n"
                "except KeyboardInterrupt:\n"
                "    print('interrupted')\n")
            try:
                self._await_consumer_waiting(388)
                cpu = cpu_seconds(child.pid)
                time.sleep(1.0)
                self.assertLess(cpu_seconds(child.pid) - cpu, 0.05, "a sleeping consumer used CPU")
                child.send_signal(signal.SIGINT)
                out, err = child.communicate(timeout=10)
                self.assertEqual("interrupted\n", out, err)
                self.assertEqual(0, child.returncode)
            finally:
                child.kill()
                child.wait()

    def test_ctrl_c_ends_a_producer_wait_for_room_with_keyboard_interrupt(self) -> None:
        with jipc.Channel.create(self.name, 1024, 100) as ch:
            while ch.offer(1, b"x" * 100):
                pass
            ch.close()  # gives the producer role back for the child
            child = self._child(
                "import jipc\n"
                f"ch = jipc.Channel.attach({self.name!r})\n"
                "try:\n"
                "    ch.put(1, b'y' * 100, timeout=None)\n"
                "except KeyboardInterrupt:\n"
                "    print('interrupted')\n")
            try:
                self._await_consumer_waiting(520)  # producersWaiting: its bit is set while it sleeps
                child.send_signal(signal.SIGINT)
                out, err = child.communicate(timeout=10)
                self.assertEqual("interrupted\n", out, err)
            finally:
                child.kill()
                child.wait()


if __name__ == "__main__":
    unittest.main()
