package jipc.fault;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.time.Duration;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

import jipc.process.Spawn;
import jipc.shm.Mapping;
import jipc.shm.PosixSharedMemory;
import jipc.sync.LockResult;
import jipc.sync.Mutex;
import jipc.sync.MutexDescriptor;
import jipc.sync.Semaphore;
import jipc.sync.SemaphoreDescriptor;
import jipc.sync.SharedSemaphore;
import jipc.testing.Await;
import jipc.testing.Background;
import jipc.testing.Capture;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Fault matrix, semaphore and mutex rows: a child JVM is SIGKILLed while it holds a permit, while it sleeps waiting
 * for one, while it holds the mutex in the middle of an update (this JVM sleeping in {@code lock()}), and while it
 * sleeps waiting for the mutex. The mutex holder killed under a timed {@code tryLock}:
 * {@code MutexProcessTest.holderKilledWithSigkillIsReportedToTheNextLocker}; unlocking without
 * {@code markConsistent}: {@code MutexTest.unlockingWithoutMarkConsistentMakesTheMutexNotRecoverable}.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class SyncFaultTest {
    /** Where the plain semaphore sits in its shared memory object. */
    static final long SEMAPHORE = 64;
    /** Two longs after the mutex that its holder keeps equal. */
    static final long DATA = 64;

    private String name;

    @BeforeEach
    void name() {
        name = Faults.shmName("sync");
    }

    @AfterEach
    void unlink() throws Exception {
        PosixSharedMemory.unlinkIfExists(name);
    }

    /** A semaphore of {@code permits} of the given kind, and this JVM's view of its words. */
    private record Sem(AutoCloseable owner, PosixSharedMemory shm, Mapping words, long offset, Semaphore semaphore)
            implements AutoCloseable {
        static Sem create(String kind, String name, int permits) throws Exception {
            if (kind.equals("named")) {
                SharedSemaphore shared = SharedSemaphore.create(name, permits);
                PosixSharedMemory shm = PosixSharedMemory.open(name); // a second view, to read the waiters word
                return new Sem(shared, shm, shm.map(), 0, shared.semaphore());
            }
            PosixSharedMemory shm = PosixSharedMemory.create(name, 4096);
            Mapping words = shm.map();
            return new Sem(() -> { }, shm, words, SEMAPHORE, Semaphore.create(words.segment(), SEMAPHORE, permits));
        }

        /** Overflow plus the waiting counts of the entries that name a party, read from the documented words. */
        int waiters() {
            MemorySegment segment = words.segment();
            int sum = segment.get(ValueLayout.JAVA_INT, offset + SemaphoreDescriptor.OVERFLOW_OFFSET);
            for (int i = 0; i < SemaphoreDescriptor.ENTRIES; i++) {
                if (!SemaphoreDescriptor.isFree(segment.get(ValueLayout.JAVA_LONG,
                        offset + SemaphoreDescriptor.partyOffset(i)))) {
                    sum += segment.get(ValueLayout.JAVA_INT, offset + SemaphoreDescriptor.waitingOffset(i));
                }
            }
            return sum;
        }

        @Override
        public void close() throws Exception {
            words.close();
            shm.close();
            owner.close();
        }
    }

    @ParameterizedTest(name = "{0} semaphore: holder killed")
    @ValueSource(strings = {"segment", "named"})
    void holderKilledKeepsItsPermitAndTheOthersStayUsable(String kind) throws Exception {
        try (Sem sem = Sem.create(kind, name, 2);
             Capture holder = Capture.start(Spawn.java(SyncFaultChild.class, "sem-hold", kind, name))) {
            Await.until(Duration.ofSeconds(60), "the child to take a permit", () -> holder.outSoFar().contains("ready"));
            Faults.kill(holder.child());
            Semaphore semaphore = sem.semaphore();
            // documented: a semaphore has no owner, so a dead holder's permit is gone (a Mutex detects that)
            assertEquals(1, semaphore.availablePermits(), "the dead holder's permit is not given back");
            assertTrue(semaphore.tryAcquire(Duration.ofSeconds(5)), "the other permit is usable");
            long start = System.nanoTime();
            assertFalse(semaphore.tryAcquire(Duration.ofMillis(200)), "no third permit");
            assertTrue(System.nanoTime() - start >= 200_000_000L, "the timed wait returned early");
            // whoever knows the holder died gives its permit back: the semaphore is whole again
            semaphore.release(2);
            assertEquals(2, semaphore.availablePermits());
        }
    }

    @ParameterizedTest(name = "{0} semaphore: waiter killed asleep")
    @ValueSource(strings = {"segment", "named"})
    void waiterKilledAsleepIsForgottenAtTheFirstWakeThatReachesNobody(String kind) throws Exception {
        try (Sem sem = Sem.create(kind, name, 0);
             Capture waiter = Capture.start(Spawn.java(SyncFaultChild.class, "sem-wait", kind, name))) {
            Await.until(Duration.ofSeconds(60), "the child to sleep on the semaphore", () -> sem.waiters() == 1);
            Faults.kill(waiter.child());
            assertEquals("", waiter.finish().out(), "the dead waiter took nothing");
            assertEquals(1, sem.waiters(), "a dead sleeper stays counted until a release looks");

            Semaphore semaphore = sem.semaphore();
            Future<Boolean> live = Background.call("waiter", () -> semaphore.tryAcquire(Duration.ofSeconds(30)));
            Await.until(Duration.ofSeconds(10), "a live waiter to sleep beside the stale count",
                    () -> sem.waiters() == 2);
            semaphore.release(); // the wake reaches the live sleeper: the dead one is in no futex queue
            assertTrue(live.get(10, TimeUnit.SECONDS), "the live waiter got the permit");
            assertEquals(0, semaphore.availablePermits());
            semaphore.release(); // its wake reaches nobody: the entries are judged, the dead waiter's is freed
            assertEquals(0, sem.waiters(), "the dead waiter is no longer counted: no more needless wakes");
            assertTrue(semaphore.tryAcquire());
        }
    }

    @Test
    void mutexHolderKilledMidUpdateWakesASleepingLockerWithOwnerDiedAndItRepairs() throws Exception {
        try (PosixSharedMemory shm = PosixSharedMemory.create(name, 4096); Mapping mapping = shm.map()) {
            MemorySegment segment = mapping.segment();
            Mutex mutex = Mutex.create(segment, 0);
            try (Capture holder = Capture.start(Spawn.java(SyncFaultChild.class, "mutex-hold", name))) {
                Await.until(Duration.ofSeconds(60), "the child to lock and half-update",
                        () -> holder.outSoFar().contains("ready"));
                Future<String> locker = Background.call("locker", () -> {
                    LockResult result = mutex.lock(); // sleeps: the holder lives
                    long a = segment.get(ValueLayout.JAVA_LONG, DATA);
                    long b = segment.get(ValueLayout.JAVA_LONG, DATA + 8);
                    if (result == LockResult.OWNER_DIED && a != b) {
                        segment.set(ValueLayout.JAVA_LONG, DATA + 8, a); // repair: finish the update
                        mutex.markConsistent();
                    }
                    mutex.unlock();
                    return result + " " + a + " " + b;
                });
                Await.until(Duration.ofSeconds(10), "the locker to sleep", () -> waiters(segment) == 1);
                assertFalse(locker.isDone(), "a live holder is waited for");
                Faults.kill(holder.child());
                assertEquals("OWNER_DIED 1 0", locker.get(10, TimeUnit.SECONDS), "told, and saw the half update");
            }
            assertEquals(LockResult.ACQUIRED, mutex.lock(), "consistent again after the repair");
            assertEquals(segment.get(ValueLayout.JAVA_LONG, DATA), segment.get(ValueLayout.JAVA_LONG, DATA + 8));
            mutex.unlock();
        }
    }

    @Test
    void mutexWaiterKilledAsleepLeavesTheMutexToTheNextWaiter() throws Exception {
        try (PosixSharedMemory shm = PosixSharedMemory.create(name, 4096); Mapping mapping = shm.map()) {
            MemorySegment segment = mapping.segment();
            Mutex mutex = Mutex.create(segment, 0);
            assertEquals(LockResult.ACQUIRED, mutex.lock());
            try (Capture waiter = Capture.start(Spawn.java(SyncFaultChild.class, "mutex-wait", name))) {
                Await.until(Duration.ofSeconds(60), "the child to sleep in lock", () -> waiters(segment) == 1);
                Faults.kill(waiter.child());
                assertEquals("", waiter.finish().out(), "the dead waiter never held it");
            }
            assertEquals(1, waiters(segment), "a dead waiter leaves the waiters count one too high");
            Future<LockResult> next = Background.call("next", () -> {
                LockResult result = mutex.lock();
                mutex.unlock();
                return result;
            });
            Await.until(Duration.ofSeconds(10), "a live waiter to sleep", () -> waiters(segment) == 2);
            mutex.unlock();
            assertEquals(LockResult.ACQUIRED, next.get(10, TimeUnit.SECONDS), "a dead waiter is no dead owner");
            assertEquals(LockResult.ACQUIRED, mutex.tryLock());
            mutex.unlock();
        }
    }

    private static int waiters(MemorySegment segment) {
        return segment.get(ValueLayout.JAVA_INT, MutexDescriptor.WAITERS_OFFSET);
    }
}
