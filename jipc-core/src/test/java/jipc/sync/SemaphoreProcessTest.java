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

import jipc.live.Liveness;
import jipc.live.LivenessDescriptor;
import jipc.live.PartyState;
import jipc.process.ChildProcess;
import jipc.process.ExitStatus;
import jipc.process.Spawn;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Semaphores between real processes: child JVMs and a C program that map the same file. */
class SemaphoreProcessTest {
    private static final int SIGKILL = 9;

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
    void waiterKilledAsleepIsForgottenByTheNextReleaseAndALiveWaiterInAnotherProcessStillWakes() throws Exception {
        Path file = dir.resolve("killed-waiter");
        try (Arena arena = Arena.ofShared()) {
            MemorySegment shared = SharedFile.map(file, SyncChild.SIZE, arena);
            Semaphore semaphore = Semaphore.create(shared, SEMAPHORE, 0);
            long killed;
            try (ChildProcess waiter = Spawn.java(SyncChild.class, "wait", file.toString(), "" + SEMAPHORE).start()) {
                awaitCondition(Duration.ofSeconds(30), () -> countedWaiters(shared) == 1);
                killed = party(shared, 0);
                assertEquals(1, waiting(shared, 0), "the child counts in the first entry");
                assertEquals(PartyState.Life.ALIVE, Liveness.check(killed).life(), "named by its live token");
                waiter.signal(SIGKILL);
                assertEquals(SIGKILL, waiter.waitFor(Duration.ofSeconds(10)).orElseThrow().signal());
            }
            assertTrue(Liveness.check(killed).isDead(), "its token's lock went with it");
            assertEquals(1, countedWaiters(shared), "a dead sleeper stays counted until a release looks");

            // A live waiter in another process sleeps beside the dead one's count: the release must reach it.
            try (ChildProcess live = Spawn.java(SyncChild.class, "wait", file.toString(), "" + SEMAPHORE).start()) {
                awaitCondition(Duration.ofSeconds(30), () -> countedWaiters(shared) == 2);
                assertEquals(killed, party(shared, 0), "the live waiter took a free entry, not the dead one's");
                assertEquals(1, waiting(shared, 1));
                semaphore.release();
                ExitStatus status = live.waitFor(Duration.ofSeconds(10)).orElseThrow();
                assertTrue(status.success(), "the live waiter got the permit: " + status);
            }
            assertEquals(0, semaphore.availablePermits());

            // The next release's wake reaches nobody: it judges the entries and frees the dead one's. (The first
            // may have done so already, if its wake came before the live waiter was in FUTEX_WAIT.)
            semaphore.release();
            assertEquals(SemaphoreDescriptor.freed(killed), party(shared, 0));
            assertEquals(0, countedWaiters(shared), "no live waiter is counted any more");
            assertEquals(0, semaphore.waiters());
            assertFalse(Files.exists(Path.of(LivenessDescriptor.TOKEN_DIRECTORY,
                    LivenessDescriptor.tokenFileName(killed))), "the dead waiter's token file is cleaned up");
            for (int i = 0; i < SemaphoreDescriptor.ENTRIES; i++) {
                long party = party(shared, i);
                assertTrue(SemaphoreDescriptor.isFree(party) || waiting(shared, i) == 0,
                        "entry " + i + ": party 0x" + Long.toHexString(party) + " waiting " + waiting(shared, i));
            }
            assertTrue(semaphore.tryAcquire(), "the permit is there");
        }
    }

    @Test
    void cWaiterKilledAsleepIsJudgedByItsTokenAndForgotten() throws Exception {
        Path program = Gcc.program("sync_sem");
        Path file = dir.resolve("killed-c-waiter");
        try (Arena arena = Arena.ofShared()) {
            MemorySegment shared = SharedFile.map(file, SyncChild.SIZE, arena);
            Semaphore full = Semaphore.createBinary(shared, SEMAPHORE, false);
            Semaphore.createBinary(shared, SECOND, true);
            long killed;
            try (ChildProcess peer = Spawn.command(program.toString(), file.toString(), "" + SEMAPHORE, "" + SECOND,
                    "" + DATA, "1").start()) {
                awaitCondition(Duration.ofSeconds(30), () -> countedWaiters(shared) == 1);
                killed = party(shared, 0);
                assertEquals(PartyState.Life.ALIVE, Liveness.check(killed).life(),
                        "the C peer's token is locked: " + Liveness.check(killed).reason());
                peer.signal(SIGKILL);
                assertEquals(SIGKILL, peer.waitFor(Duration.ofSeconds(10)).orElseThrow().signal());
            }
            assertTrue(Liveness.check(killed).isDead(), Liveness.check(killed).reason());
            full.release();
            assertEquals(SemaphoreDescriptor.freed(killed), party(shared, 0));
            assertEquals(0, full.waiters());
            assertEquals(1, full.availablePermits());
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
            long peerParty;
            try (ChildProcess peer = Spawn.command(program.toString(), file.toString(), "" + SEMAPHORE, "" + SECOND,
                    "" + DATA, "" + rounds).start()) {
                // Before the first round the peer sleeps on FULL, counted in an entry named by its own token.
                awaitCondition(Duration.ofSeconds(30), () -> countedWaiters(shared) == 1);
                peerParty = party(shared, 0);
                assertEquals(PartyState.Life.ALIVE, Liveness.check(peerParty).life(),
                        Liveness.check(peerParty).reason());
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
            assertTrue(Liveness.check(peerParty).isDead(), "the peer removed its token at exit: "
                    + Liveness.check(peerParty).reason());
            assertEquals(0, countedWaiters(shared));
        }
    }

    /** Overflow plus the waiting counts of the entries that name a party, read from the bytes of {@link #SEMAPHORE}. */
    private static int countedWaiters(MemorySegment shared) {
        int sum = shared.get(ValueLayout.JAVA_INT, SEMAPHORE + SemaphoreDescriptor.OVERFLOW_OFFSET);
        for (int i = 0; i < SemaphoreDescriptor.ENTRIES; i++) {
            if (!SemaphoreDescriptor.isFree(party(shared, i))) {
                sum += waiting(shared, i);
            }
        }
        return sum;
    }

    private static long party(MemorySegment shared, int i) {
        return shared.get(ValueLayout.JAVA_LONG, SEMAPHORE + SemaphoreDescriptor.partyOffset(i));
    }

    private static int waiting(MemorySegment shared, int i) {
        return shared.get(ValueLayout.JAVA_INT, SEMAPHORE + SemaphoreDescriptor.waitingOffset(i));
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
