package jipc.sync;

import static jipc.sync.MutexProcessTest.awaitCondition;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import jipc.live.Liveness;
import jipc.live.LivenessDescriptor;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The mutex's rules, with threads of one process; dead owners are staged through the documented owner word. */
class MutexTest {
    private final Arena arena = Arena.ofShared();
    private final MemorySegment memory = arena.allocate(256, 64);
    private final Mutex mutex = Mutex.create(memory, 0);

    @AfterEach
    void freeMemory() {
        arena.close();
    }

    @Test
    void relockingFromTheHoldingThreadIsAnError() throws InterruptedException {
        assertEquals(LockResult.ACQUIRED, mutex.lock());
        IllegalMonitorStateException e = assertThrows(IllegalMonitorStateException.class, mutex::lock);
        assertEquals("lock: the mutex is already held by this thread (pid " + Liveness.selfPid()
                + ", thread " + Thread.currentThread().threadId() + "); it is not reentrant", e.getMessage());
        assertThrows(IllegalMonitorStateException.class, mutex::tryLock);
        assertTrue(mutex.isHeldByCurrentThread());
        mutex.unlock();
        assertFalse(mutex.isHeldByCurrentThread());
    }

    @Test
    void anotherThreadCanNeitherLockNorUnlockAHeldMutex() throws Exception {
        assertEquals(LockResult.ACQUIRED, mutex.lock());
        long holder = Thread.currentThread().threadId();
        CompletableFuture<String> other = CompletableFuture.supplyAsync(() -> {
            assertEquals(LockResult.BUSY, mutex.tryLock());
            return assertThrows(IllegalMonitorStateException.class, mutex::unlock).getMessage();
        });
        String message = other.get(10, TimeUnit.SECONDS);
        assertTrue(message.startsWith("unlock: the calling thread (pid " + Liveness.selfPid() + ", thread "),
                message);
        assertTrue(message.matches(".*does not hold the mutex; owner=pid " + Liveness.selfPid()
                + " \\(party 0x[0-9a-f]+\\), thread " + holder + " of this process"), message);
        mutex.unlock();
        assertEquals("unlock: the calling thread (pid " + Liveness.selfPid() + ", thread " + holder
                + ") does not hold the mutex; owner=none (unlocked)",
                assertThrows(IllegalMonitorStateException.class, mutex::unlock).getMessage());
    }

    @Test
    void threadsOfOneProcessExcludeEachOther() throws Exception {
        Runnable increments = () -> {
            try {
                for (int i = 0; i < 20_000; i++) {
                    mutex.lock();
                    long value = memory.get(ValueLayout.JAVA_LONG, 128);
                    memory.set(ValueLayout.JAVA_LONG, 128, value + 1);
                    mutex.unlock();
                }
            } catch (InterruptedException e) {
                throw new AssertionError(e);
            }
        };
        CompletableFuture<Void> a = CompletableFuture.runAsync(increments);
        CompletableFuture<Void> b = CompletableFuture.runAsync(increments);
        a.get(60, TimeUnit.SECONDS);
        b.get(60, TimeUnit.SECONDS);
        assertEquals(40_000, memory.get(ValueLayout.JAVA_LONG, 128));
    }

    @Test
    void ownerWhoseTokenIsGoneCountsAsDeadAndMarkConsistentRestoresTheMutex() throws InterruptedException {
        // A party of this host's token store whose token file does not exist: what a holder looks like after it
        // died and a cleaner removed its token.
        stageOwner(LivenessDescriptor.partyId(Liveness.storeTag(), 1, 0x0DEADBEF));
        assertEquals(LockResult.OWNER_DIED, mutex.tryLock());
        mutex.markConsistent();
        mutex.unlock();
        assertEquals(LockResult.ACQUIRED, mutex.lock());
        mutex.unlock();
    }

    @Test
    void unlockingWithoutMarkConsistentMakesTheMutexNotRecoverable() throws InterruptedException {
        stageOwner(LivenessDescriptor.partyId(Liveness.storeTag(), 1, 0x0DEADBEE));
        assertEquals(LockResult.OWNER_DIED, mutex.tryLock(Duration.ofSeconds(5)));
        mutex.unlock();
        assertThrows(MutexNotRecoverableException.class, mutex::lock);
        assertThrows(MutexNotRecoverableException.class, mutex::tryLock);
        assertEquals(MutexDescriptor.NOT_RECOVERABLE, memory.get(ValueLayout.JAVA_LONG, MutexDescriptor.OWNER_OFFSET));
    }

    @Test
    void interruptEndsASleepingLock() throws Exception {
        assertEquals(LockResult.ACQUIRED, mutex.lock());
        AtomicReference<Throwable> outcome = new AtomicReference<>();
        Thread waiter = Thread.ofPlatform().start(() -> {
            try {
                mutex.lock();
            } catch (Throwable t) {
                outcome.set(t);
            }
        });
        awaitCondition(Duration.ofSeconds(10),
                () -> memory.get(ValueLayout.JAVA_INT, MutexDescriptor.WAITERS_OFFSET) == 1);
        waiter.interrupt();
        assertTrue(waiter.join(Duration.ofSeconds(10)), "the interrupted locker did not return");
        assertInstanceOf(InterruptedException.class, outcome.get());
        assertTrue(mutex.isHeldByCurrentThread());
        mutex.unlock();
    }

    @Test
    void attachRefusesMemoryWithoutAMutex() {
        assertEquals("no mutex at offset=64: magic=0x0, expected 0x4a4d5832",
                assertThrows(IllegalArgumentException.class, () -> Mutex.attach(memory, 64)).getMessage());
        assertTrue(assertThrows(IllegalArgumentException.class, () -> Mutex.create(memory, 4))
                .getMessage().startsWith("offset=4 puts the mutex at address 0x"));
    }

    private void stageOwner(long identity) {
        memory.set(ValueLayout.JAVA_LONG, MutexDescriptor.OWNER_OFFSET, identity);
        memory.set(ValueLayout.JAVA_LONG, MutexDescriptor.OWNER_THREAD_OFFSET, 12345L);
    }
}
