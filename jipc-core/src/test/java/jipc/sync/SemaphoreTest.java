package jipc.sync;

import static jipc.sync.MutexProcessTest.awaitCondition;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicReference;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The semaphore's rules and its blocking, with threads of one process on native memory. */
class SemaphoreTest {
    private final Arena arena = Arena.ofShared();
    private final MemorySegment memory = arena.allocate(256, 64);

    @AfterEach
    void freeMemory() {
        arena.close();
    }

    @Test
    void tryAcquireTakesPermitsUntilNoneAreLeft() {
        Semaphore semaphore = Semaphore.create(memory, 16, 3);
        assertTrue(semaphore.tryAcquire());
        assertTrue(semaphore.tryAcquire());
        assertTrue(semaphore.tryAcquire());
        assertFalse(semaphore.tryAcquire());
        assertEquals(0, semaphore.availablePermits());
        semaphore.release(2);
        assertEquals(2, semaphore.availablePermits());
        assertEquals(Integer.MAX_VALUE, semaphore.maxPermits());
    }

    @Test
    void binarySemaphoreRefusesASecondRelease() {
        Semaphore turn = Semaphore.createBinary(memory, 0, true);
        IllegalStateException e = assertThrows(IllegalStateException.class, turn::release);
        assertEquals("release: count=1 + permits=1 > max=1", e.getMessage());
        assertEquals(1, turn.availablePermits());
        assertTrue(turn.tryAcquire());
        turn.release();
        assertEquals(1, turn.availablePermits());
    }

    @Test
    void attachReadsTheWordsWithoutRewritingThem() {
        Semaphore created = Semaphore.createBinary(memory, 32, true);
        assertTrue(created.tryAcquire());
        Semaphore attached = Semaphore.attach(memory, 32);
        assertEquals(0, attached.availablePermits());
        assertEquals(1, attached.maxPermits());
        attached.release();
        assertEquals(1, created.availablePermits());

        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Semaphore.attach(memory, 64));
        assertEquals("no semaphore at offset=64: magic=0x0, expected 0x4a534d31", e.getMessage());
    }

    @Test
    void badPlacementAndArgumentsAreRefusedWithTheirValues() {
        assertTrue(assertThrows(IllegalArgumentException.class, () -> Semaphore.create(memory, 2, 1))
                .getMessage().startsWith("offset=2 puts the semaphore at address 0x"));
        assertEquals("offset=248 + length=16 > segment size=256 (semaphore)",
                assertThrows(IndexOutOfBoundsException.class, () -> Semaphore.create(memory, 248, 1)).getMessage());
        assertThrows(IllegalArgumentException.class,
                () -> Semaphore.create(MemorySegment.ofArray(new int[8]), 0, 1));
        assertEquals("permits=-1 < 0",
                assertThrows(IllegalArgumentException.class, () -> Semaphore.create(memory, 0, -1)).getMessage());
        Semaphore semaphore = Semaphore.create(memory, 0, 0);
        assertEquals("permits=0 < 1",
                assertThrows(IllegalArgumentException.class, () -> semaphore.release(0)).getMessage());
    }

    @Test
    void timedAcquireTimesOutAfterItsTimeout() throws InterruptedException {
        Semaphore semaphore = Semaphore.create(memory, 0, 0);
        long start = System.nanoTime();
        assertFalse(semaphore.tryAcquire(Duration.ofMillis(250)));
        assertTrue(System.nanoTime() - start >= 250_000_000L);
        assertEquals(0, waiters());
    }

    @Test
    void releaseWakesAThreadSleepingInAcquire() throws InterruptedException {
        Semaphore semaphore = Semaphore.create(memory, 0, 0);
        Thread waiter = Thread.ofPlatform().start(() -> {
            try {
                semaphore.acquire();
            } catch (InterruptedException e) {
                throw new AssertionError(e);
            }
        });
        awaitCondition(Duration.ofSeconds(10), () -> waiters() == 1);
        semaphore.release();
        assertTrue(waiter.join(Duration.ofSeconds(10)), "the waiter did not wake");
        assertEquals(0, semaphore.availablePermits());
        assertEquals(0, waiters());
    }

    @Test
    void interruptEndsASleepingAcquireWithoutTakingAPermit() throws InterruptedException {
        Semaphore semaphore = Semaphore.create(memory, 0, 0);
        AtomicReference<Throwable> outcome = new AtomicReference<>();
        Thread waiter = Thread.ofPlatform().start(() -> {
            try {
                semaphore.acquire();
            } catch (Throwable t) {
                outcome.set(t);
            }
        });
        awaitCondition(Duration.ofSeconds(10), () -> waiters() == 1);
        waiter.interrupt();
        assertTrue(waiter.join(Duration.ofSeconds(10)), "the interrupted waiter did not return");
        assertInstanceOf(InterruptedException.class, outcome.get());
        assertEquals(0, semaphore.availablePermits());
        assertEquals(0, waiters());
    }

    private int waiters() {
        return memory.get(ValueLayout.JAVA_INT, SemaphoreDescriptor.WAITERS_OFFSET);
    }
}
