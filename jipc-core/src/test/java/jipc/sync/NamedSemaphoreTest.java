package jipc.sync;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.channels.AsynchronousCloseException;
import java.nio.channels.ClosedChannelException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import jipc.testing.Gcc;
import jipc.ErrnoException;
import jipc.process.ChildProcess;
import jipc.process.ExitStatus;
import jipc.process.Spawn;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** POSIX named semaphores, within this JVM and against a C program using sem_open/sem_wait/sem_post. */
class NamedSemaphoreTest {
    private static final String PREFIX = "/jipc-test-" + ProcessHandle.current().pid() + "-";
    private static final AtomicInteger COUNTER = new AtomicInteger();

    @TempDir
    Path dir;

    private static String uniqueName(String what) {
        return PREFIX + what + "-" + COUNTER.incrementAndGet();
    }

    private static Path file(String name) {
        return Path.of("/dev/shm", "sem." + name.substring(1));
    }

    @AfterAll
    static void nothingLeftBehind() throws IOException {
        List<String> left = new ArrayList<>();
        try (var files = Files.list(Path.of("/dev/shm"))) {
            files.map(p -> p.getFileName().toString()).filter(n -> n.startsWith("sem." + PREFIX.substring(1)))
                    .forEach(left::add);
        }
        for (String line : Files.readAllLines(Path.of("/proc/self/maps"))) {
            if (line.contains("/dev/shm/sem." + PREFIX.substring(1))) {
                left.add(line);
            }
        }
        assertEquals(List.of(), left, "named semaphores left in /dev/shm or mapped in this JVM");
    }

    @Test
    void cProgramAlternatesWithJavaOverTwoNamedSemaphores() throws Exception {
        Path program = Gcc.program("sync_named_sem");
        String pingName = uniqueName("ping");
        String pongName = uniqueName("pong");
        int rounds = 2_000;
        try (NamedSemaphore ping = NamedSemaphore.create(pingName, 0);
             NamedSemaphore pong = NamedSemaphore.create(pongName, 0);
             ChildProcess peer = Spawn.command(program.toString(), pingName, pongName, "" + rounds).start()) {
            for (int i = 1; i <= rounds; i++) {
                assertEquals(0, ping.value(), "round " + i);
                ping.post();
                assertTrue(pong.tryAcquire(Duration.ofSeconds(10)), "round " + i + ": the C peer stalled");
                assertEquals(0, pong.value(), "round " + i);
            }
            ExitStatus status = peer.waitFor(Duration.ofSeconds(10)).orElseThrow();
            assertTrue(status.success(), "C peer: " + status + " (4: it saw a value other than 0)");
            assertEquals(0, ping.value());
            assertEquals(0, pong.value());
        } finally {
            NamedSemaphore.unlinkIfExists(pingName);
            NamedSemaphore.unlinkIfExists(pongName);
        }
    }

    @Test
    void pythonPeerPostsThroughCtypesSemOpen() throws Exception {
        String name = uniqueName("python");
        String script = String.join("\n",
                "import ctypes, sys",
                "libc = ctypes.CDLL(None, use_errno=True)",
                "libc.sem_open.restype = ctypes.c_void_p",
                "libc.sem_open.argtypes = [ctypes.c_char_p, ctypes.c_int]",
                "sem = libc.sem_open(sys.argv[1].encode(), 0)",
                "if not sem: sys.exit(3)",
                "for _ in range(3):",
                "    if libc.sem_post(ctypes.c_void_p(sem)) != 0: sys.exit(3)",
                "libc.sem_close(ctypes.c_void_p(sem))",
                "");
        try (NamedSemaphore s = NamedSemaphore.create(name, 0);
             ChildProcess python = Spawn.command("python3", "-c", script, name).start()) {
            for (int i = 1; i <= 3; i++) {
                assertTrue(s.tryAcquire(Duration.ofSeconds(30)), "post " + i + " from python did not arrive");
            }
            ExitStatus status = python.waitFor(Duration.ofSeconds(30)).orElseThrow();
            assertTrue(status.success(), "python: " + status);
            assertEquals(0, s.value());
        } finally {
            NamedSemaphore.unlinkIfExists(name);
        }
    }

    @Test
    void createdSemaphoreHasExactlyTheRequestedModeDespiteTheUmask() throws Exception {
        String name = uniqueName("mode");
        try (NamedSemaphore s = NamedSemaphore.create(name, 3, 0666)) {
            assertEquals("rw-rw-rw-", PosixFilePermissions.toString(Files.getPosixFilePermissions(file(name))));
            assertEquals(3, s.value());
            assertTrue(s.created());
        } finally {
            NamedSemaphore.unlink(name);
        }
        String other = uniqueName("default");
        try (NamedSemaphore s = NamedSemaphore.create(other, 0)) {
            assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(file(other))));
            assertEquals(0, s.value());
        } finally {
            NamedSemaphore.unlink(other);
        }
    }

    @Test
    void postAndTryAcquireCountThroughASecondHandle() throws Exception {
        String name = uniqueName("count");
        try (NamedSemaphore a = NamedSemaphore.create(name, 2);
             NamedSemaphore b = NamedSemaphore.open(name);
             NamedSemaphore c = NamedSemaphore.openOrCreate(name, 99)) {
            assertFalse(b.created());
            assertFalse(c.created());
            assertTrue(b.tryAcquire());
            assertTrue(b.tryAcquire());
            assertFalse(b.tryAcquire());
            a.post();
            assertEquals(1, c.value());
            assertTrue(c.tryAcquire(Duration.ZERO));
            assertEquals(0, a.value());
        } finally {
            NamedSemaphore.unlink(name);
        }
        try (NamedSemaphore d = NamedSemaphore.openOrCreate(name, 5)) {
            assertTrue(d.created());
            assertEquals(5, d.value());
        } finally {
            NamedSemaphore.unlink(name);
        }
    }

    @Test
    void timedWaitTimesOutWhenNobodyPosts() throws Exception {
        String name = uniqueName("timeout");
        try (NamedSemaphore s = NamedSemaphore.create(name, 0)) {
            long start = System.nanoTime();
            assertFalse(s.tryAcquire(Duration.ofMillis(300)));
            assertTrue(System.nanoTime() - start >= TimeUnit.MILLISECONDS.toNanos(300), "returned early");
            assertEquals(0, s.value());
        } finally {
            NamedSemaphore.unlink(name);
        }
    }

    @Test
    void acquireWakesOnPostFromAnotherThreadAndAnswersInterrupt() throws Exception {
        String name = uniqueName("wake");
        try (NamedSemaphore s = NamedSemaphore.create(name, 0)) {
            CompletableFuture<Void> waiter = CompletableFuture.runAsync(() -> {
                try {
                    s.acquire();
                } catch (Exception e) {
                    throw new RuntimeException(e);
                }
            });
            s.post();
            waiter.get(10, TimeUnit.SECONDS);
            assertEquals(0, s.value());

            AtomicInteger outcome = new AtomicInteger();
            Thread t = Thread.ofPlatform().start(() -> {
                try {
                    s.acquire();
                    outcome.set(1);
                } catch (InterruptedException e) {
                    outcome.set(2);
                } catch (IOException e) {
                    outcome.set(3);
                }
            });
            // Let the thread get into its wait (a native call: its state stays RUNNABLE, so there is nothing to
            // poll): a timed wait of our own on the same empty semaphore is the delay.
            assertFalse(s.tryAcquire(Duration.ofMillis(300)));
            assertTrue(t.isAlive(), "acquire returned without a post");
            t.interrupt();
            t.join(10_000);
            assertFalse(t.isAlive(), "acquire did not answer the interrupt");
            assertEquals(2, outcome.get());
            assertEquals(0, s.value(), "an interrupted acquire took nothing");
        } finally {
            NamedSemaphore.unlink(name);
        }
    }

    @Test
    void closeEndsAWaitAndIsIdempotent() throws Exception {
        String name = uniqueName("close");
        NamedSemaphore s = NamedSemaphore.create(name, 0);
        try {
            CompletableFuture<Void> waiter = CompletableFuture.runAsync(() -> {
                try {
                    s.acquire();
                } catch (Exception e) {
                    throw new RuntimeException(e);
                }
            });
            assertFalse(s.tryAcquire(Duration.ofMillis(300))); // lets the waiter get into its wait
            s.close();
            ExecutionException e = assertThrows(ExecutionException.class, () -> waiter.get(10, TimeUnit.SECONDS));
            assertInstanceOf(AsynchronousCloseException.class, e.getCause().getCause());
            s.close();
            assertThrows(ClosedChannelException.class, s::post);
            assertThrows(ClosedChannelException.class, s::value);
        } finally {
            s.close();
            NamedSemaphore.unlink(name);
        }
    }

    @Test
    void openingAMissingNameFailsWithEnoent() {
        String name = uniqueName("missing");
        ErrnoException e = assertThrows(ErrnoException.class, () -> NamedSemaphore.open(name));
        assertEquals("sem_open(\"" + name + "\") failed: ENOENT (No such file or directory)", e.getMessage());
        ErrnoException u = assertThrows(ErrnoException.class, () -> NamedSemaphore.unlink(name));
        assertTrue(u.is("ENOENT"), u.getMessage());
        assertTrue(u.getMessage().startsWith("sem_unlink(\"" + name + "\")"), u.getMessage());
    }

    @Test
    void creatingAnExistingNameFailsWithEexist() throws Exception {
        String name = uniqueName("exists");
        try (NamedSemaphore s = NamedSemaphore.create(name, 1)) {
            ErrnoException e = assertThrows(ErrnoException.class, () -> NamedSemaphore.create(name, 0));
            assertEquals("sem_open(\"" + name + "\", O_CREAT|O_EXCL, 0600, 0) failed: EEXIST (File exists)",
                    e.getMessage());
            assertEquals(1, s.value(), "the failed create changed nothing");
        } finally {
            NamedSemaphore.unlink(name);
        }
    }

    @Test
    void badNamesAndArgumentsAreRejectedWithTheRuleTheyBreak() throws Exception {
        assertMessage("must start with '/'", () -> NamedSemaphore.open("x"));
        assertMessage("must not contain '/' after the first character", () -> NamedSemaphore.create("/a/b", 0));
        assertMessage("needs at least one character", () -> NamedSemaphore.create("/", 0));
        assertMessage("must not contain NUL", () -> NamedSemaphore.unlink("/a\0b"));
        assertMessage("is not a file name", () -> NamedSemaphore.open("/.."));
        String base = PREFIX.substring(1) + "long-";
        String longest = "/" + base + "x".repeat(251 - base.length());
        assertMessage("252 bytes after '/', more than 251", () -> NamedSemaphore.create(longest + "y", 0));
        assertMessage("initial=-1 < 0", () -> NamedSemaphore.create(uniqueName("neg"), -1));
        assertMessage("mode=01777 has bits outside 0777", () -> NamedSemaphore.create(uniqueName("m"), 0, 01777));
        try (NamedSemaphore s = NamedSemaphore.create(longest, 0)) {
            assertEquals(longest, s.name(), "the longest name the rules allow really works");
        } finally {
            NamedSemaphore.unlink(longest);
        }
    }

    private static void assertMessage(String expected, org.junit.jupiter.api.function.Executable call) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, call);
        assertTrue(e.getMessage().contains(expected), e.getMessage());
    }
}
