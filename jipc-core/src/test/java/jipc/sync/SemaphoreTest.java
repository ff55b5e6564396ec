package jipc.sync;

import static jipc.sync.MutexProcessTest.awaitCondition;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicReference;

import jipc.live.Liveness;
import jipc.live.LivenessDescriptor;
import jipc.live.LivenessToken;
import jipc.live.Party;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The semaphore's rules and its blocking, with threads of one process on native memory; other processes' waiter
 * entries (live and dead) are staged through the documented words.
 */
class SemaphoreTest {
    private final Arena arena = Arena.ofShared();
    private final MemorySegment memory = arena.allocate(512, 64);
    private final List<Party> parties = new ArrayList<>();

    @AfterEach
    void freeMemory() {
        parties.forEach(Party::close);
        arena.close();
    }

    @Test
    void tryAcquireTakesPermitsUntilNoneAreLeft() {
        Semaphore semaphore = Semaphore.create(memory, 128, 3);
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
        Semaphore created = Semaphore.createBinary(memory, 128, true);
        assertTrue(created.tryAcquire());
        Semaphore attached = Semaphore.attach(memory, 128);
        assertEquals(0, attached.availablePermits());
        assertEquals(1, attached.maxPermits());
        attached.release();
        assertEquals(1, created.availablePermits());

        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Semaphore.attach(memory, 256));
        assertEquals("no semaphore at offset=256: magic=0x0, expected 0x4a534d32", e.getMessage());
    }

    @Test
    void attachRefusesLayoutVersion1NamingBothVersions() {
        for (long offset : new long[] {0, 512 - SemaphoreDescriptor.VERSION_1_LENGTH}) {
            // count 1, waiters 0, max 1, magic "JSM1": a version 1 binary semaphore, as an old peer created it
            memory.set(ValueLayout.JAVA_INT, offset, 1);
            memory.set(ValueLayout.JAVA_INT, offset + 8, 1);
            memory.set(ValueLayout.JAVA_INT, offset + 12, SemaphoreDescriptor.MAGIC_VERSION_1);
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                    () -> Semaphore.attach(memory, offset));
            assertEquals("semaphore at offset=" + offset + " has layout version 1 (magic 0x4a534d31, 16 bytes, one"
                    + " waiters count); this jipc speaks version 2 (magic 0x4a534d32, 128 bytes, waiters counted per"
                    + " process): create it anew", e.getMessage());
        }
    }

    @Test
    void badPlacementAndArgumentsAreRefusedWithTheirValues() {
        assertTrue(assertThrows(IllegalArgumentException.class, () -> Semaphore.create(memory, 2, 1))
                .getMessage().startsWith("offset=2 puts the semaphore at address 0x"));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> Semaphore.create(memory, 4, 1))
                .getMessage().endsWith("not 8-byte aligned"));
        assertEquals("offset=448 + length=128 > segment size=512 (semaphore)",
                assertThrows(IndexOutOfBoundsException.class, () -> Semaphore.create(memory, 448, 1)).getMessage());
        assertThrows(IllegalArgumentException.class,
                () -> Semaphore.create(MemorySegment.ofArray(new long[16]), 0, 1));
        assertEquals("permits=-1 < 0",
                assertThrows(IllegalArgumentException.class, () -> Semaphore.create(memory, 0, -1)).getMessage());
        Semaphore semaphore = Semaphore.create(memory, 0, 0);
        assertEquals("permits=0 < 1",
                assertThrows(IllegalArgumentException.class, () -> semaphore.release(0)).getMessage());
    }

    @Test
    void createWritesEveryWordOfTheLayout() {
        memory.fill((byte) 0x5A);
        Semaphore.create(memory, 128, 3);
        assertEquals(3, memory.get(ValueLayout.JAVA_INT, 128 + SemaphoreDescriptor.COUNT_OFFSET));
        assertEquals(0, memory.get(ValueLayout.JAVA_INT, 128 + SemaphoreDescriptor.OVERFLOW_OFFSET));
        assertEquals(Integer.MAX_VALUE, memory.get(ValueLayout.JAVA_INT, 128 + SemaphoreDescriptor.MAX_OFFSET));
        assertEquals(0x4A534D32, memory.get(ValueLayout.JAVA_INT, 128 + SemaphoreDescriptor.MAGIC_OFFSET));
        assertEquals(128, SemaphoreDescriptor.LENGTH);
        for (long at = 128 + SemaphoreDescriptor.ENTRIES_OFFSET; at < 256; at += 4) {
            assertEquals(0, memory.get(ValueLayout.JAVA_INT, at), "entry word at " + at);
        }
        assertEquals((byte) 0x5A, memory.get(ValueLayout.JAVA_BYTE, 127), "nothing before the semaphore");
        assertEquals((byte) 0x5A, memory.get(ValueLayout.JAVA_BYTE, 256), "nothing after it");
    }

    @Test
    void timedAcquireTimesOutAfterItsTimeout() throws InterruptedException {
        Semaphore semaphore = Semaphore.create(memory, 0, 0);
        long start = System.nanoTime();
        assertFalse(semaphore.tryAcquire(Duration.ofMillis(250)));
        assertTrue(System.nanoTime() - start >= 250_000_000L);
        assertEquals(0, semaphore.waiters());
        assertEquals(self(), party(0), "the entry stays this process's");
        assertEquals(0, waiting(0));
    }

    @Test
    void releaseWakesAThreadSleepingInAcquire() throws InterruptedException {
        Semaphore semaphore = Semaphore.create(memory, 0, 0);
        Thread waiter = startWaiter(semaphore);
        awaitCondition(Duration.ofSeconds(10), () -> semaphore.waiters() == 1);
        assertEquals(self(), party(0), "the sleeper counts in an entry named by this process's token");
        assertEquals(1, waiting(0));
        assertEquals(0, overflow());
        semaphore.release();
        assertTrue(waiter.join(Duration.ofSeconds(10)), "the waiter did not wake");
        assertEquals(0, semaphore.availablePermits());
        assertEquals(0, semaphore.waiters());
        assertEquals(0, waiting(0));
    }

    @Test
    void threadsOfOneProcessCountInOneEntry() throws InterruptedException {
        Semaphore semaphore = Semaphore.create(memory, 0, 0);
        List<Thread> waiters = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            waiters.add(startWaiter(Semaphore.attach(memory, 0))); // also across instances of one semaphore
        }
        awaitCondition(Duration.ofSeconds(10), () -> semaphore.waiters() == 3);
        assertEquals(self(), party(0));
        assertEquals(3, waiting(0));
        for (int i = 1; i < SemaphoreDescriptor.ENTRIES; i++) {
            assertEquals(0, party(i), "entry " + i);
        }
        semaphore.release(3);
        for (Thread waiter : waiters) {
            assertTrue(waiter.join(Duration.ofSeconds(10)), "a waiter did not wake");
        }
        assertEquals(0, waiting(0));
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
        awaitCondition(Duration.ofSeconds(10), () -> semaphore.waiters() == 1);
        waiter.interrupt();
        assertTrue(waiter.join(Duration.ofSeconds(10)), "the interrupted waiter did not return");
        assertInstanceOf(InterruptedException.class, outcome.get());
        assertEquals(0, semaphore.availablePermits());
        assertEquals(0, semaphore.waiters());
    }

    @Test
    void releaseThatWakesNobodyFreesTheEntryOfADeadWaiter() {
        Semaphore semaphore = Semaphore.create(memory, 0, 0);
        long dead = deadParty();
        stageEntry(2, dead, 2); // a process killed while two of its threads slept
        assertEquals(2, semaphore.waiters(), "a dead process's sleepers stay counted until a release looks");

        semaphore.release();
        assertEquals(SemaphoreDescriptor.freed(dead), party(2), "freed: the party number cleared, the token kept");
        assertTrue(SemaphoreDescriptor.isFree(party(2)));
        assertEquals(2, waiting(2), "the frozen count stays for the next taker to subtract");
        assertEquals(0, semaphore.waiters());
        assertEquals(1, semaphore.availablePermits());
    }

    @Test
    void releaseLeavesTheEntryOfALiveProcessWhoseWakeReachedNobody() throws Exception {
        Semaphore semaphore = Semaphore.create(memory, 0, 0);
        long live = liveParty(); // about to sleep, say: counted, not yet in FUTEX_WAIT
        stageEntry(0, live, 1);
        semaphore.release();
        assertEquals(live, party(0));
        assertEquals(1, semaphore.waiters());
    }

    @Test
    void waiterTakingAFreedEntrySubtractsItsFrozenCount() throws InterruptedException {
        Semaphore semaphore = Semaphore.create(memory, 0, 0);
        stageEntry(0, SemaphoreDescriptor.freed(deadParty()), 5);
        Thread waiter = startWaiter(semaphore);
        awaitCondition(Duration.ofSeconds(10), () -> party(0) == self() && waiting(0) == 1);
        assertEquals(1, semaphore.waiters());
        semaphore.release();
        assertTrue(waiter.join(Duration.ofSeconds(10)), "the waiter did not wake");
        assertEquals(0, waiting(0));
    }

    @Test
    void waiterTakesADeadProcesssEntryWhenNoneIsFree() throws InterruptedException {
        Semaphore semaphore = Semaphore.create(memory, 0, 0);
        for (int i = 0; i < SemaphoreDescriptor.ENTRIES - 1; i++) {
            stageEntry(i, liveParty(), 0);
        }
        long dead = deadParty();
        stageEntry(SemaphoreDescriptor.ENTRIES - 1, dead, 3);
        Thread waiter = startWaiter(semaphore);
        int last = SemaphoreDescriptor.ENTRIES - 1;
        awaitCondition(Duration.ofSeconds(10), () -> party(last) == self() && waiting(last) == 1);
        assertEquals(1, semaphore.waiters());
        semaphore.release();
        assertTrue(waiter.join(Duration.ofSeconds(10)), "the waiter did not wake");
        assertEquals(0, semaphore.waiters());
    }

    @Test
    void waiterCountsInOverflowWhenEveryEntryNamesALiveProcess() throws InterruptedException {
        Semaphore semaphore = Semaphore.create(memory, 0, 0);
        for (int i = 0; i < SemaphoreDescriptor.ENTRIES; i++) {
            stageEntry(i, liveParty(), 0);
        }
        Thread waiter = startWaiter(semaphore);
        awaitCondition(Duration.ofSeconds(10), () -> overflow() == 1);
        assertEquals(1, semaphore.waiters());
        semaphore.release();
        assertTrue(waiter.join(Duration.ofSeconds(10)), "the overflow waiter did not wake");
        assertEquals(0, overflow());
    }

    private Thread startWaiter(Semaphore semaphore) {
        return Thread.ofPlatform().start(() -> {
            try {
                semaphore.acquire();
            } catch (InterruptedException e) {
                throw new AssertionError(e);
            }
        });
    }

    private void stageEntry(int i, long party, int waiting) {
        memory.set(ValueLayout.JAVA_LONG, SemaphoreDescriptor.partyOffset(i), party);
        memory.set(ValueLayout.JAVA_INT, SemaphoreDescriptor.waitingOffset(i), waiting);
    }

    private long party(int i) {
        return memory.get(ValueLayout.JAVA_LONG, SemaphoreDescriptor.partyOffset(i));
    }

    private int waiting(int i) {
        return memory.get(ValueLayout.JAVA_INT, SemaphoreDescriptor.waitingOffset(i));
    }

    private int overflow() {
        return memory.get(ValueLayout.JAVA_INT, SemaphoreDescriptor.OVERFLOW_OFFSET);
    }

    /** This process's party in the entries: its standard token's process party. */
    private static long self() {
        try {
            return LivenessToken.standard().processParty();
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    /** A live party other than this process's own: another party number of its token, alive while handed out. */
    private long liveParty() {
        try {
            Party party = LivenessToken.standard().newParty();
            parties.add(party);
            return party.id();
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    /** A process party in this /dev/shm whose token file does not exist: dead. */
    static long deadParty() {
        for (;;) {
            int number = ThreadLocalRandom.current().nextInt();
            long party = LivenessDescriptor.partyId(Liveness.storeTag(), LivenessDescriptor.PROCESS_PARTY, number);
            if (number != 0 && number != -1 && !Files.exists(Path.of(LivenessDescriptor.TOKEN_DIRECTORY,
                    LivenessDescriptor.tokenFileName(party)))) {
                return party;
            }
        }
    }
}
