package jipc.sync;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.time.Duration;

import com.code_intelligence.jazzer.api.FuzzedDataProvider;
import com.code_intelligence.jazzer.junit.FuzzTest;
import jipc.live.Liveness;
import jipc.live.LivenessDescriptor;
import jipc.live.LivenessToken;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The hostile peer of the synchronisation words ({@code docs/sync-format.md}): the fuzzer writes any value into a
 * semaphore's count, overflow, max and magic words and its waiter entries' party and waiting words, and into a
 * mutex's owner, waiters, consistency, owner-thread and magic words, between the calls of this process. Every call
 * must return in bounded time (a timed wait by its timeout) with a result that agrees with the words, or one of the
 * documented exceptions: {@link IllegalArgumentException} at attach (no magic, a max below 1),
 * {@link IllegalStateException} for a release beyond the max, {@link IllegalMonitorStateException} for unlocking a
 * mutex this thread does not hold, and {@link MutexNotRecoverableException}. A semaphore's count is just a counter:
 * any value is a count (a negative one gives no permits until releases raise it); a negative or forged waiter count
 * or party only costs a wake-up, or a needless one (waits are 100 ms slices); an owner word that names no live
 * process is a dead owner, taken over with {@link LockResult#OWNER_DIED}.
 */
@Timeout(360)
class SyncFuzzTest {
    private static final Duration WAIT = Duration.ofMillis(2);
    private static final long CALL_BOUND_NANOS = 2_000_000_000L;

    @FuzzTest(maxDuration = "3m")
    void semaphoreSurvivesHostileWords(FuzzedDataProvider data) {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment segment = arena.allocate(SemaphoreDescriptor.LENGTH, 64);
            Semaphore semaphore = data.consumeBoolean() ? Semaphore.createBinary(segment, 0, data.consumeBoolean())
                    : Semaphore.create(segment, 0, data.consumeInt(0, 3));
            long self = ownParty();
            while (data.remainingBytes() > 0) {
                int op = data.consumeInt(0, 6);
                switch (op) {
                    case 0 -> segment.set(ValueLayout.JAVA_INT,
                            4L * data.consumeInt(0, 3), data.pickValue(new int[] {0, 1, -1, Integer.MAX_VALUE,
                                    Integer.MIN_VALUE, data.consumeInt()}));
                    case 1 -> segment.set(ValueLayout.JAVA_INT,
                            SemaphoreDescriptor.waitingOffset(data.consumeInt(0, SemaphoreDescriptor.ENTRIES - 1)),
                            data.pickValue(new int[] {0, 1, -1, Integer.MAX_VALUE, Integer.MIN_VALUE,
                                    data.consumeInt()}));
                    case 6 -> segment.set(ValueLayout.JAVA_LONG,
                            SemaphoreDescriptor.partyOffset(data.consumeInt(0, SemaphoreDescriptor.ENTRIES - 1)),
                            data.pickValue(new long[] {0, -1, self, SemaphoreDescriptor.freed(self),
                                    LivenessDescriptor.partyId(Liveness.storeTag(), 1, 0x0DEADBED),
                                    LivenessDescriptor.partyId(0, 7, -5), data.consumeLong()}));
                    case 2 -> bounded("attach", () -> {
                        try {
                            Semaphore attached = Semaphore.attach(segment, 0);
                            assertTrue(attached.maxPermits() >= 1);
                        } catch (IllegalArgumentException e) {
                            assertTrue(e.getMessage().contains("magic=") || e.getMessage().contains("max="),
                                    e.getMessage());
                        }
                    });
                    case 3 -> bounded("tryAcquire", () -> {
                        int before = semaphore.availablePermits();
                        boolean got = semaphore.tryAcquire();
                        assertEquals(before > 0, got, "count " + before);
                        assertEquals(got ? before - 1 : before, semaphore.availablePermits());
                    });
                    case 4 -> bounded("tryAcquire(timeout)", () -> {
                        int before = semaphore.availablePermits();
                        boolean got = semaphore.tryAcquire(WAIT);
                        assertEquals(before > 0, got, "count " + before);
                    });
                    case 5 -> bounded("release", () -> {
                        int permits = data.consumeInt(1, 3);
                        int before = semaphore.availablePermits();
                        try {
                            semaphore.release(permits);
                            assertTrue((long) before + permits <= semaphore.maxPermits(), "released beyond max");
                            assertEquals(before + permits, semaphore.availablePermits());
                        } catch (IllegalStateException e) {
                            assertTrue((long) before + permits > semaphore.maxPermits(), e.getMessage());
                            assertTrue(e.getMessage().contains("count=" + before), e.getMessage());
                            assertEquals(before, semaphore.availablePermits(), "a refused release changed nothing");
                        }
                    });
                }
            }
        }
    }

    @FuzzTest(maxDuration = "3m")
    void mutexSurvivesHostileWords(FuzzedDataProvider data) {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment segment = arena.allocate(64, 64);
            Mutex mutex = Mutex.create(segment, 0);
            long self = ownParty();
            while (data.remainingBytes() > 0) {
                int op = data.consumeInt(0, 7);
                switch (op) {
                    case 0, 1 -> {
                        long owner = data.pickValue(new long[] {0, -1, self, self + (1L << 32),
                                LivenessDescriptor.partyId(Liveness.storeTag(), 1, 1),
                                LivenessDescriptor.partyId(0, 7, -5), data.consumeLong()});
                        segment.set(ValueLayout.JAVA_LONG, MutexDescriptor.OWNER_OFFSET, owner);
                    }
                    case 2 -> {
                        long[] offsets = {MutexDescriptor.WAITERS_OFFSET, MutexDescriptor.CONSISTENCY_OFFSET,
                            MutexDescriptor.OWNER_THREAD_OFFSET, MutexDescriptor.OWNER_THREAD_OFFSET + 4,
                            MutexDescriptor.MAGIC_OFFSET};
                        segment.set(ValueLayout.JAVA_INT, data.pickValue(offsets), data.pickValue(
                                new int[] {0, 1, -1, Integer.MIN_VALUE, data.consumeInt()}));
                    }
                    case 3 -> bounded("attach", () -> {
                        try {
                            Mutex.attach(segment, 0);
                        } catch (IllegalArgumentException e) {
                            assertTrue(e.getMessage().contains("magic="), e.getMessage());
                        }
                    });
                    case 4 -> bounded("tryLock", () -> lockResult(mutex, segment, () -> mutex.tryLock()));
                    case 5 -> bounded("tryLock(timeout)", () -> lockResult(mutex, segment, () -> mutex.tryLock(WAIT)));
                    case 6 -> bounded("unlock", () -> {
                        boolean held = mutex.isHeldByCurrentThread();
                        try {
                            if (data.consumeBoolean()) {
                                mutex.markConsistent();
                            }
                            mutex.unlock();
                            assertTrue(held, "unlock succeeded without holding");
                        } catch (IllegalMonitorStateException e) {
                            assertTrue(!held, "held, yet " + e.getMessage());
                        }
                    });
                    default -> bounded("toString", () -> assertTrue(mutex.toString().startsWith("Mutex[")));
                }
            }
            if (mutex.isHeldByCurrentThread()) {
                mutex.unlock();
            }
        }
    }

    @Test
    void aNegativeCountIsJustACount() throws Exception {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment segment = arena.allocate(SemaphoreDescriptor.LENGTH, 64);
            Semaphore semaphore = Semaphore.create(segment, 0, 0);
            segment.set(ValueLayout.JAVA_INT, SemaphoreDescriptor.COUNT_OFFSET, -5);
            assertEquals(false, semaphore.tryAcquire(WAIT));
            // max - count overflowed for a counting semaphore (max = 2^31 - 1): the release was refused
            semaphore.release(2);
            assertEquals(-3, semaphore.availablePermits());
            segment.set(ValueLayout.JAVA_INT, SemaphoreDescriptor.COUNT_OFFSET, Integer.MAX_VALUE);
            IllegalStateException e = assertThrows(IllegalStateException.class, () -> semaphore.release(1));
            assertEquals("release: count=2147483647 + permits=1 > max=2147483647", e.getMessage());
        }
    }

    interface Lock {
        LockResult lock() throws Exception;
    }

    private static void lockResult(Mutex mutex, MemorySegment segment, Lock lock) throws Exception {
        long owner = segment.get(ValueLayout.JAVA_LONG, MutexDescriptor.OWNER_OFFSET);
        try {
            LockResult result = lock.lock();
            assertEquals(result != LockResult.BUSY, mutex.isHeldByCurrentThread(), result + " from owner " + owner);
        } catch (MutexNotRecoverableException e) {
            assertTrue(e.getMessage().contains("not recoverable"), e.getMessage());
        } catch (IllegalMonitorStateException e) {
            assertTrue(mutex.isHeldByCurrentThread(), "refused as a re-lock while not held: " + e.getMessage());
        }
    }

    interface Call {
        void run() throws Exception;
    }

    private static void bounded(String what, Call call) {
        long start = System.nanoTime();
        try {
            call.run();
        } catch (Exception e) {
            throw new AssertionError(what + ": undocumented exception", e);
        }
        long took = System.nanoTime() - start;
        if (took > CALL_BOUND_NANOS) {
            fail(what + " took " + took / 1_000_000 + " ms");
        }
    }

    /** This process's owner word in a mutex: its standard token's process party. */
    private static long ownParty() {
        try {
            return LivenessToken.standard().processParty();
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }
}
