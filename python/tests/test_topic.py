"""jipc.Topic from Python alone: both policies, views, bad input, leaks, Ctrl-C (run by jipc.topic.PythonTopicTest)."""
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
from jipc.errors import FormatError, RoleTakenError
from test_channel import fresh_name, raw


class TopicTestCase(unittest.TestCase):
    def setUp(self) -> None:
        self.name = fresh_name()
        jipc.unlink(self.name)

    def tearDown(self) -> None:
        jipc.unlink(self.name)


class TopicTest(TopicTestCase):
    def test_every_subscriber_reads_every_message_in_order(self) -> None:
        with jipc.Topic.create(self.name, 4096, 100) as topic:
            with topic.subscriber() as a, topic.subscriber() as b, topic.publisher() as pub:
                self.assertTrue(pub.offer(1, b"one"))
                self.assertTrue(pub.put(2, b"two", timeout=1))
                view = pub.claim(3, 5)
                view[:] = b"three"
                pub.commit()
                pub.claim(4, 4)
                pub.abort()
                got = []
                self.assertEqual(3, a.poll(lambda t, p: got.append((t, bytes(p)))))
                self.assertEqual([(1, b"one"), (2, b"two"), (3, b"three")], got)
                self.assertEqual([(1, b"one"), (2, b"two"), (3, b"three")],
                                 [tuple(b.take(timeout=1)) for _ in range(3)])
                self.assertIsNone(b.take(timeout=0.01))
                self.assertEqual(3, a.received)
                with topic.subscriber(history=2) as late:
                    self.assertEqual(jipc.Message(2, b"two"), late.take(timeout=1))

    def test_a_block_publisher_waits_for_the_slowest_and_overwrite_laps_it(self) -> None:
        with jipc.Topic.create(self.name, 1024, 100) as topic:
            with topic.subscriber() as slow, topic.publisher() as pub:
                sent = 0
                while pub.offer(1, b"x" * 100):
                    sent += 1
                self.assertFalse(pub.put(1, b"x" * 100, timeout=0.01))
                self.assertIsNone(pub.claim(1, 100))
                self.assertEqual(sent, slow.poll(lambda t, p: None))
                self.assertTrue(pub.offer(1, b"x"))
        jipc.unlink(self.name)
        with jipc.Topic.create(self.name, 1024, 100, overwrite=True) as topic:
            self.assertTrue(topic.overwrite)
            with topic.subscriber() as slow, topic.publisher() as pub:
                for i in range(100):
                    self.assertTrue(pub.offer(1, struct.pack("<q", i) * 12))
                seen = []
                while slow.poll(lambda t, p: seen.append(struct.unpack_from("<q", p)[0])):
                    pass
                self.assertGreater(slow.lost, 0)
                self.assertEqual(100, slow.lost + slow.received)
                self.assertEqual(99, seen[-1])
                self.assertEqual(sorted(seen), seen)

    def test_a_handler_that_raises_stops_the_poll_with_its_message_delivered(self) -> None:
        with jipc.Topic.create(self.name, 4096, 100) as topic:
            with topic.subscriber() as sub, topic.publisher() as pub:
                for i in range(1, 5):
                    pub.offer(i, b"m")

                def handler(t: int, p: memoryview) -> None:
                    if t == 2:
                        raise KeyError("boom")

                with self.assertRaises(KeyError):
                    sub.poll(handler)
                self.assertEqual(2, sub.received)
                self.assertEqual(jipc.Message(3, b"m"), sub.take(timeout=1))

    def test_views_are_released_after_the_handler_and_held_buffers_block_close(self) -> None:
        topic = jipc.Topic.create(self.name, 4096, 100)
        sub = topic.subscriber()
        pub = topic.publisher()
        pub.offer(1, b"abc")
        pub.offer(2, b"def")
        kept, held = [], []
        sub.poll(lambda t, p: kept.append(p), limit=1)
        with self.assertRaises(ValueError):
            bytes(kept[0])
        sub.poll(lambda t, p: held.append(memoryview(p)), limit=1)
        with self.assertRaises(BufferError):
            sub.close()
        with self.assertRaises(RuntimeError):
            topic.close()  # its ends are open
        held[0].release()
        sub.close()
        view = pub.claim(3, 3)
        with self.assertRaises(BufferError):
            pub.close()
        del view
        pub.close()
        topic.close()

    def test_bad_input_raises_python_exceptions(self) -> None:
        with jipc.Topic.create(self.name, 4096, 100) as topic:
            with topic.publisher() as pub, topic.subscriber() as sub:
                for call in (lambda: pub.offer("1", b"x"), lambda: pub.offer(1, "text"), lambda: sub.poll(None),
                             lambda: sub.take(timeout="x"), lambda: topic.subscriber(history="all")):
                    with self.assertRaises(TypeError):
                        call()
                for call in (lambda: pub.offer(0, b"x"), lambda: pub.offer(1, b"x" * 101), lambda: pub.claim(1, -1),
                             lambda: sub.poll(print, limit=0), lambda: topic.subscriber(history=-1),
                             lambda: sub.take(timeout=-1)):
                    with self.assertRaises(ValueError):
                        call()
                with self.assertRaises(RuntimeError):
                    pub.commit()
                with self.assertRaises(RoleTakenError):
                    topic.publisher()
            for call in (lambda: pub.offer(1, b"x"), lambda: sub.poll(print), lambda: sub.take(0)):
                with self.assertRaisesRegex(ValueError, "closed"):
                    call()
        with self.assertRaisesRegex(ValueError, "closed"):
            topic.publisher()
        for capacity, max_length in ((1000, 10), (4096, 0), (4096, 4096)):
            with self.assertRaises(ValueError):
                jipc.Topic.create(fresh_name(), capacity, max_length)

    def test_a_forged_header_is_a_format_error_and_a_channel_is_not_a_topic(self) -> None:
        for offset, fmt, value in ((0, "<Q", 1), (8, "<i", 9), (12, "<i", 2), (16, "<q", 1000), (28, "<i", 4096),
                                   (56, "<i", 65)):
            with self.subTest(offset=offset):
                jipc.unlink(self.name)
                jipc.Topic.create(self.name, 4096, 100).close()
                m = raw(self.name)
                struct.pack_into(fmt, m, offset, value)
                m.close()
                with self.assertRaises(FormatError):
                    jipc.Topic.attach(self.name)
        jipc.unlink(self.name)
        jipc.Channel.create(self.name, 16384, 100).close()
        with self.assertRaises(FormatError):
            jipc.Topic.attach(self.name)

    def test_a_thousand_subscribe_publish_close_cycles_leave_no_fd_or_mapping(self) -> None:
        with jipc.Topic.create(self.name, 4096, 100):
            def fds() -> int:
                return len(os.listdir("/proc/self/fd"))

            def maps() -> int:
                with open("/proc/self/maps") as f:
                    return sum(1 for line in f if self.name in line)

            jipc.Topic.attach(self.name).close()
            before = fds(), maps()
            for i in range(1000):
                with jipc.Topic.attach(self.name) as topic:
                    with topic.subscriber() as sub, topic.publisher() as pub:
                        pub.offer(1, b"x")
                        sub.poll(lambda t, p: None)
            self.assertEqual(before, (fds(), maps()))

    def test_a_wait_releases_the_gil_and_ctrl_c_ends_it(self) -> None:
        with jipc.Topic.create(self.name, 4096, 100) as topic:
            with topic.subscriber() as sub, topic.publisher() as pub:
                result = []
                waiter = threading.Thread(target=lambda: result.append(sub.take(timeout=30)))
                waiter.start()
                m = raw(self.name)
                deadline = time.monotonic() + 10
                while struct.unpack_from("<Q", m, 392)[0] == 0:  # its sleeping bit
                    self.assertLess(time.monotonic(), deadline)
                    time.sleep(0.001)
                m.close()
                spins, start = 0, time.monotonic()
                while time.monotonic() - start < 0.2:
                    spins += 1
                self.assertGreater(spins, 10_000)
                pub.offer(5, b"wake")
                waiter.join(10)
                self.assertEqual([jipc.Message(5, b"wake")], result)
            child = subprocess.Popen(
                [sys.executable, "-u", "-c",
                 "import jipc\n"
                 f"t = jipc.Topic.attach({self.name!r})\n"
                 "s = t.subscriber()\n"
                 "try:\n"
                 "    s.take()\n"
                 "except KeyboardInterrupt:\n"
                 "    print('interrupted')\n"],
                stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
            try:
                m = raw(self.name)
                deadline = time.monotonic() + 20
                while struct.unpack_from("<Q", m, 392)[0] == 0:
                    self.assertLess(time.monotonic(), deadline, "the child never went to sleep")
                    time.sleep(0.001)
                m.close()
                child.send_signal(signal.SIGINT)
                out, err = child.communicate(timeout=10)
                self.assertEqual("interrupted\n", out, err)
            finally:
                child.kill()
                child.wait()


if __name__ == "__main__":
    unittest.main()
