package jipc.sync;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import jipc.process.ChildProcess;
import jipc.process.ExitStatus;
import jipc.process.Spawn;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The mutex between real processes: child JVMs that map the same file. */
class MutexProcessTest {
    private static final long GATE = 0;
    private static final long MUTEX = 128;
    private static final long COUNTER = 192;
    private static final long FLAG = 256;

    @TempDir
    Path dir;

    @Test
    void fourProcessesIncrementingUnderTheMutexEndAtExactly400000() throws Exception {
        Path file = dir.resolve("counter");
        try (Arena arena = Arena.ofShared()) {
            MemorySegment shared = SharedFile.map(file, SyncChild.SIZE, arena);
            Semaphore gate = Semaphore.create(shared, GATE, 0);
            Mutex.create(shared, MUTEX);
            List<ChildProcess> children = new ArrayList<>();
            try {
                for (int i = 0; i < 4; i++) {
                    children.add(Spawn.java(SyncChild.class, "count", file.toString(), "" + GATE, "" + MUTEX,
                            "" + COUNTER, "100000").start());
                }
                // Open the gate only when all four sleep at it, so that they really count at the same time.
                awaitCondition(Duration.ofSeconds(30), () -> gate.waiters() == 4);
                long start = System.nanoTime();
                gate.release(4);
                for (ChildProcess child : children) {
                    ExitStatus status = child.waitFor(Duration.ofSeconds(60)).orElseThrow();
                    assertTrue(status.success(), child + ": " + status);
                }
                System.out.printf("4 processes x 100000 locked increments: %d ms%n",
                        (System.nanoTime() - start) / 1_000_000);
            } finally {
                for (ChildProcess child : children) {
                    child.close();
                }
            }
            assertEquals(400_000, shared.get(ValueLayout.JAVA_LONG, COUNTER));
        }
    }

    @Test
    void holderKilledWithSigkillIsReportedToTheNextLocker() throws Exception {
        Path file = dir.resolve("killed");
        try (Arena arena = Arena.ofShared()) {
            MemorySegment shared = SharedFile.map(file, SyncChild.SIZE, arena);
            Mutex mutex = Mutex.create(shared, MUTEX);
            try (ChildProcess holder = Spawn.java(SyncChild.class, "hold", file.toString(), "" + MUTEX, "" + FLAG,
                    "-1").start()) {
                awaitCondition(Duration.ofSeconds(30), () -> shared.get(ValueLayout.JAVA_INT, FLAG) == 1);
                assertEquals(LockResult.BUSY, mutex.tryLock());

                holder.destroyForcibly(); // not reaped yet: the next locker must see through the zombie
                long start = System.nanoTime();
                LockResult result = mutex.tryLock(Duration.ofSeconds(10));
                long tookMillis = (System.nanoTime() - start) / 1_000_000;

                assertEquals(LockResult.OWNER_DIED, result, mutex.toString());
                assertTrue(tookMillis < 5_000, "took " + tookMillis + " ms to notice the dead owner");
                assertEquals(9, holder.waitFor().signal());
            }
            mutex.markConsistent();
            mutex.unlock();
            assertEquals(LockResult.ACQUIRED, mutex.lock());
            mutex.unlock();
        }
    }

    @Test
    void slowLiveHolderIsNeverTakenOver() throws Exception {
        Path file = dir.resolve("slow");
        try (Arena arena = Arena.ofShared()) {
            MemorySegment shared = SharedFile.map(file, SyncChild.SIZE, arena);
            Mutex mutex = Mutex.create(shared, MUTEX);
            try (ChildProcess holder = Spawn.java(SyncChild.class, "hold", file.toString(), "" + MUTEX, "" + FLAG,
                    "2000").start()) {
                awaitCondition(Duration.ofSeconds(30), () -> shared.get(ValueLayout.JAVA_INT, FLAG) == 1);

                // Several 100 ms slices pass, each ending with a liveness check of the holder: it must stay BUSY.
                long start = System.nanoTime();
                assertEquals(LockResult.BUSY, mutex.tryLock(Duration.ofMillis(500)));
                assertTrue(System.nanoTime() - start >= 500_000_000L, "the timed lock returned early");

                assertEquals(LockResult.ACQUIRED, mutex.lock(), "the holder unlocked normally");
                assertTrue(holder.waitFor().success());
                mutex.unlock();
            }
        }
    }

    /** Polls {@code condition} until it holds, failing after {@code timeout}. */
    static void awaitCondition(Duration timeout, java.util.function.BooleanSupplier condition) {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("condition not met within " + timeout);
            }
            Thread.onSpinWait();
            Thread.yield();
        }
    }
}
