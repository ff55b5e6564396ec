package jipc.sync;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.time.Duration;
import java.util.concurrent.TimeUnit;

import jipc.live.PartyState;
import jipc.process.ExitStatus;
import jipc.shm.Mapping;
import jipc.shm.PosixSharedMemory;
import jipc.testing.Await;
import jipc.testing.PidNamespace;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * A {@link Mutex} in POSIX shared memory held by a process in another pid namespace ({@link PidNamespace}: another
 * container of the pod): while the holder lives, however long it holds, a locker here is told BUSY and never
 * OWNER_DIED; once it is killed, OWNER_DIED; a holder that unlocks hands the mutex over normally.
 */
@Timeout(value = 2, unit = TimeUnit.MINUTES)
class MutexAcrossPidNamespacesTest {
    private static final long MUTEX = 64;
    private static final long FLAG = 192;

    private String name;

    @BeforeEach
    void name() throws IOException {
        PidNamespace.assumeAvailable();
        name = "/jipc-pidns-mutex-" + ProcessHandle.current().pid() + "-" + System.nanoTime();
        PosixSharedMemory.unlinkIfExists(name);
    }

    @AfterEach
    void unlink() throws IOException {
        if (name != null) {
            PosixSharedMemory.unlinkIfExists(name);
        }
    }

    /** {@link SyncChild} {@code hold}: maps the object through {@code /dev/shm}, locks, sets the flag, holds. */
    private PidNamespace holder(long holdMillis) throws IOException {
        return PidNamespace.start(PidNamespace.java(SyncChild.class, "hold", "/dev/shm" + name, MUTEX, FLAG,
                holdMillis));
    }

    private static void awaitHeld(MemorySegment shared, PidNamespace holder) throws Exception {
        Await.until(Duration.ofSeconds(90), "the holder in " + holder + " to lock",
                () -> shared.get(ValueLayout.JAVA_INT, FLAG) == 1);
    }

    @Test
    void holderInAnotherNamespaceIsBusyForTwoSecondsWhileAliveAndOwnerDiedOnceKilled() throws Exception {
        try (PosixSharedMemory shm = PosixSharedMemory.create(name, SyncChild.SIZE);
             Mapping mapping = shm.map()) {
            MemorySegment shared = mapping.segment();
            Mutex mutex = Mutex.create(shared, MUTEX);
            try (PidNamespace holder = holder(-1)) {
                awaitHeld(shared, holder);
                PartyState alive = mutex.ownerState();
                assertEquals(PartyState.Life.ALIVE, alive.life(), alive.reason());
                assertTrue(mutex.toString().contains("pid " + holder.namespacePid() + " "), mutex.toString());

                long start = System.nanoTime();
                LockResult waited = mutex.tryLock(Duration.ofSeconds(2));
                long tookMillis = (System.nanoTime() - start) / 1_000_000;
                assertEquals(LockResult.BUSY, waited, "a live holder elsewhere is waited for, never taken over: "
                        + mutex);
                assertTrue(tookMillis >= 1_900, "gave up after " + tookMillis + " ms");
                assertEquals(LockResult.BUSY, mutex.tryLock());

                holder.kill();
                PartyState dead = mutex.ownerState();
                assertEquals(PartyState.Life.DEAD, dead.life(), dead.reason());
                assertEquals(LockResult.OWNER_DIED, mutex.tryLock(), mutex.toString());
                mutex.markConsistent();
                mutex.unlock();
                assertEquals(LockResult.ACQUIRED, mutex.tryLock());
                mutex.unlock();
            }
        }
    }

    @Test
    void holderInAnotherNamespaceThatUnlocksAfterFourSecondsHandsTheMutexOverNormally() throws Exception {
        try (PosixSharedMemory shm = PosixSharedMemory.create(name, SyncChild.SIZE);
             Mapping mapping = shm.map()) {
            MemorySegment shared = mapping.segment();
            Mutex mutex = Mutex.create(shared, MUTEX);
            try (PidNamespace holder = holder(4_000)) {
                awaitHeld(shared, holder);
                assertEquals(LockResult.BUSY, mutex.tryLock(Duration.ofSeconds(2)), mutex.toString());
                assertEquals(LockResult.ACQUIRED, mutex.lock(), "handed over by an unlock, not by a death");
                mutex.unlock();
                ExitStatus status = holder.capture().finish(Duration.ofSeconds(60)).status();
                assertTrue(status.success(), "the holder and its namespace ended normally: " + status);
            }
        }
    }
}
