package jipc.sync;

import static jipc.sync.MutexProcessTest.awaitCondition;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import jipc.testing.Gcc;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import jipc.process.ChildProcess;
import jipc.process.ExitStatus;
import jipc.process.Spawn;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Semaphores between real processes: child JVMs and a C program that map the same file. */
class SemaphoreProcessTest {
    private static final long GATE = 0;
    private static final long SEMAPHORE = 128;
    private static final long SECOND = 256;
    private static final long IN_USE = 384;
    private static final long MAX_SEEN = 388;
    private static final long DATA = 448;

    @TempDir
    Path dir;

    @Test
    void countingSemaphoreNeverAdmitsMoreThanItsPermits() throws Exception {
        Path file = dir.resolve("holders");
        int permits = 2;
        try (Arena arena = Arena.ofShared()) {
            MemorySegment shared = SharedFile.map(file, SyncChild.SIZE, arena);
            Semaphore gate = Semaphore.create(shared, GATE, 0);
            Semaphore.create(shared, SEMAPHORE, permits);
            List<ChildProcess> children = new ArrayList<>();
            try {
                for (int i = 0; i < 3; i++) {
                    children.add(Spawn.java(SyncChild.class, "holders", file.toString(), "" + GATE, "" + SEMAPHORE,
                            "" + IN_USE, "" + MAX_SEEN, "" + permits, "300").start());
                }
                awaitCondition(Duration.ofSeconds(30), () -> gate.waiters() == 3);
                gate.release(3);
                for (ChildProcess child : children) {
                    ExitStatus status = child.waitFor(Duration.ofSeconds(60)).orElseThrow();
                    assertTrue(status.success(), child + ": " + status + " (4: too many holders inside)");
                }
            } finally {
                for (ChildProcess child : children) {
                    child.close();
                }
            }
            // The holders checked the bound themselves; this checks that they really overlapped up to it.
            assertEquals(permits, shared.get(ValueLayout.JAVA_INT, MAX_SEEN));
            assertEquals(0, shared.get(ValueLayout.JAVA_INT, IN_USE));
            assertEquals(permits, Semaphore.attach(shared, SEMAPHORE).availablePermits());
        }
    }

    @Test
    void waitingProcessBurnsNoCpuAndWakesOnRelease() throws Exception {
        Path file = dir.resolve("idle");
        try (Arena arena = Arena.ofShared()) {
            MemorySegment shared = SharedFile.map(file, SyncChild.SIZE, arena);
            Semaphore semaphore = Semaphore.create(shared, SEMAPHORE, 0);
            try (ChildProcess waiter = Spawn.java(SyncChild.class, "wait", file.toString(), "" + SEMAPHORE).start()) {
                // The waiters count rises only after the spin phase, when the child is about to sleep.
                awaitCondition(Duration.ofSeconds(30), () -> semaphore.waiters() == 1);
                // A fresh JVM still works for a moment (linking the futex downcall on its first wait, compiling):
                // start measuring once its CPU time stands still. A spinning waiter never gets there.
                long before = awaitSteadyCpu(waiter.pid());
                awaitQuietly(Duration.ofSeconds(1));
                long used = cpuMillis(waiter.pid()) - before;

                semaphore.release();
                ExitStatus status = waiter.waitFor(Duration.ofSeconds(10)).orElseThrow();
                assertTrue(status.success(), status.toString());
                assertTrue(used < 100, "the waiting process used " + used + " ms of CPU in 1 s");
                assertEquals(0, semaphore.availablePermits());
            }
        }
    }

    @Test
    void cProgramAlternatesWithJavaOnTheDocumentedWords() throws Exception {
        Path program = Gcc.program("sync_sem");
        Path file = dir.resolve("alternation");
        int rounds = 10_000;
        try (Arena arena = Arena.ofShared()) {
            MemorySegment shared = SharedFile.map(file, SyncChild.SIZE, arena);
            Semaphore full = Semaphore.createBinary(shared, SEMAPHORE, false);
            Semaphore empty = Semaphore.createBinary(shared, SECOND, true);
            try (ChildProcess peer = Spawn.command(program.toString(), file.toString(), "" + SEMAPHORE, "" + SECOND,
                    "" + DATA, "" + rounds).start()) {
                for (int i = 1; i <= rounds; i++) {
                    assertTrue(empty.tryAcquire(Duration.ofSeconds(10)), "round " + i + ": the C peer stalled");
                    if (i > 1) {
                        assertEquals(-(i - 1), shared.get(ValueLayout.JAVA_INT, DATA), "round " + i);
                    }
                    shared.set(ValueLayout.JAVA_INT, DATA, i);
                    full.release();
                }
                assertTrue(empty.tryAcquire(Duration.ofSeconds(10)), "the C peer stalled in the last round");
                assertEquals(-rounds, shared.get(ValueLayout.JAVA_INT, DATA));
                ExitStatus status = peer.waitFor(Duration.ofSeconds(10)).orElseThrow();
                assertTrue(status.success(), "C peer: " + status);
            }
        }
    }

    /** Waits with a timed wait on a semaphore nobody releases, checking that it does time out. */
    private static void awaitQuietly(Duration duration) throws InterruptedException {
        try (Arena arena = Arena.ofConfined()) {
            Semaphore never = Semaphore.create(arena.allocate(SemaphoreDescriptor.LENGTH, 8), 0, 0);
            long start = System.nanoTime();
            assertFalse(never.tryAcquire(duration));
            assertTrue(System.nanoTime() - start >= duration.toNanos(), "the timed wait returned early");
        }
    }

    /** Waits until a process uses no CPU for 200 ms (at most 10 s) and returns its CPU time then. */
    private static long awaitSteadyCpu(int pid) throws Exception {
        long deadline = System.nanoTime() + 10_000_000_000L;
        long previous = cpuMillis(pid);
        for (;;) {
            awaitQuietly(Duration.ofMillis(200));
            long now = cpuMillis(pid);
            if (now == previous) {
                return now;
            }
            if (System.nanoTime() > deadline) {
                throw new AssertionError("process " + pid + " kept using CPU while it should sleep: " + now + " ms");
            }
            previous = now;
        }
    }

    /** utime + stime of a process from /proc/PID/stat (fields 14 and 15, in USER_HZ = 100 ticks per second). */
    private static long cpuMillis(int pid) throws IOException {
        String stat = Files.readString(Path.of("/proc", Integer.toString(pid), "stat"));
        String[] fields = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
        return (Long.parseLong(fields[11]) + Long.parseLong(fields[12])) * 10;
    }
}
