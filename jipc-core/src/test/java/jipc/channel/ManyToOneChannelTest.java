package jipc.channel;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicReference;

import jipc.live.Liveness;
import jipc.live.LivenessDescriptor;
import jipc.live.PartyState;
import jipc.testing.Await;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The many-producer ring on heap segments: claims by compare-and-set, the negative header of an open claim, and the
 * consumer's recovery of claims whose producer is dead (a dead producer is simulated by writing into its slot a party
 * id whose liveness token does not exist in this host's store).
 */
class ManyToOneChannelTest {
    private static final int CAPACITY = 1024;
    /** A party id in this host's token store whose token file does not exist: certainly dead. */
    private static final long DEAD = LivenessDescriptor.partyId(Liveness.storeTag(), 2, 0x0DEADBEF);

    private static MemorySegment newSegment() {
        return MemorySegment.ofArray(new long[(int) (ChannelDescriptor.segmentSize(CAPACITY) / 8)]);
    }

    private static byte[] bytes(int length, int seed) {
        byte[] b = new byte[length];
        for (int i = 0; i < length; i++) {
            b[i] = (byte) (seed + i);
        }
        return b;
    }

    private static List<byte[]> drain(ManyToOneChannel channel) {
        List<byte[]> out = new ArrayList<>();
        channel.poll((type, payload) -> out.add(payload.toArray(ValueLayout.JAVA_BYTE)));
        return out;
    }

    /** Marks the producer in slot {@code slot} dead: its identity now names a process that no longer exists. */
    private static void kill(MemorySegment segment, int slot) {
        segment.set(ValueLayout.JAVA_LONG, ChannelDescriptor.producerSlotOffset(slot)
                + ChannelDescriptor.SLOT_PARTY_OFFSET, DEAD);
    }

    private static long claimPosition(MemorySegment segment, int slot) {
        return segment.get(ValueLayout.JAVA_LONG, ChannelDescriptor.producerSlotOffset(slot)
                + ChannelDescriptor.SLOT_CLAIM_OFFSET);
    }

    /** Makes {@code producer} claim a message and "die" right after its CAS of the tail, before any header. */
    private static void claimAndDieBeforeHeader(ManyToOneChannel producer, int length) {
        Thread self = Thread.currentThread();
        ManyToOneChannel.afterClaimBeforeHeader = () -> {
            if (Thread.currentThread() == self) {
                throw new IllegalStateException("died");
            }
        };
        try {
            assertThrows(IllegalStateException.class, () -> producer.tryClaim(1, length));
        } finally {
            ManyToOneChannel.afterClaimBeforeHeader = null;
        }
    }

    @AfterEach
    void clearHook() {
        ManyToOneChannel.afterClaimBeforeHeader = null;
    }

    @Test
    void producersTakeOwnSlotsAndMessagesOfAllArriveInOrder() throws Exception {
        MemorySegment segment = newSegment();
        ManyToOneChannel consumer = ManyToOneChannel.create(segment, CAPACITY, 100);
        ManyToOneChannel a = ManyToOneChannel.attach(segment);
        ManyToOneChannel b = ManyToOneChannel.attach(segment);
        assertEquals(-1, consumer.producerSlot(), "attaching takes no slot");
        assertTrue(a.offer(1, bytes(3, 1), 0, 3));
        assertTrue(b.offer(2, bytes(9, 2), 0, 9));
        assertEquals(0, a.producerSlot());
        assertEquals(1, b.producerSlot());
        assertTrue(Liveness.check(segment.get(ValueLayout.JAVA_LONG, ChannelDescriptor.producerSlotOffset(1)))
                .life() == PartyState.Life.ALIVE, "slot 1 holds a live party of this process");
        assertEquals(-1, claimPosition(segment, 0), "not claiming after a commit");
        List<Integer> types = new ArrayList<>();
        assertEquals(2, consumer.poll((t, p) -> types.add(t)));
        assertEquals(List.of(1, 2), types);
        assertEquals(16 + 24, consumer.headPosition());
        b.detachProducer();
        assertEquals(0, segment.get(ValueLayout.JAVA_LONG, ChannelDescriptor.producerSlotOffset(1)));
        assertEquals(1, ManyToOneChannel.attach(segment).attachProducer(), "a freed slot is taken again");
    }

    @Test
    void openClaimCarriesANegativeLengthAndTheSlotAndIsPublishedByCommit() throws Exception {
        MemorySegment segment = newSegment();
        ManyToOneChannel consumer = ManyToOneChannel.create(segment, CAPACITY, 100);
        ManyToOneChannel a = ManyToOneChannel.attach(segment);
        ManyToOneChannel b = ManyToOneChannel.attach(segment);
        b.attachProducer();
        a.attachProducer();
        MemorySegment slot = a.tryClaim(5, 10);
        assertNotNull(slot);
        MemorySegment ring = segment.asSlice(ChannelDescriptor.HEADER_LENGTH);
        assertEquals(-18, ring.get(ValueLayout.JAVA_INT, 0));
        assertEquals(1, ring.get(ValueLayout.JAVA_INT, 4), "the claimant's slot");
        assertEquals(0, claimPosition(segment, 1));
        assertTrue(b.offer(6, bytes(1, 0), 0, 1), "a later claim commits first");
        assertEquals(0, consumer.poll((t, p) -> { }), "the consumer waits at the open claim of a live producer");
        assertEquals(0, consumer.headPosition());
        MemorySegment.copy(MemorySegment.ofArray(bytes(10, 7)), 0, slot, 0, 10);
        a.commit();
        List<byte[]> got = drain(consumer);
        assertEquals(2, got.size());
        assertArrayEquals(bytes(10, 7), got.get(0));
    }

    @Test
    void negativeHeaderOfADeadProducerBecomesPaddingAndTheOthersContinue() throws Exception {
        MemorySegment segment = newSegment();
        ManyToOneChannel consumer = ManyToOneChannel.create(segment, CAPACITY, 100);
        ManyToOneChannel doomed = ManyToOneChannel.attach(segment);
        ManyToOneChannel other = ManyToOneChannel.attach(segment);
        MemorySegment half = doomed.tryClaim(1, 40);
        half.asSlice(0, 20).fill((byte) 0x55);
        assertTrue(other.offer(2, bytes(5, 3), 0, 5));
        assertEquals(0, consumer.poll((t, p) -> { }), "alive: wait");
        kill(segment, doomed.producerSlot());
        List<byte[]> got = drain(consumer);
        assertEquals(1, got.size(), "the dead claim is skipped, the message behind it arrives");
        assertArrayEquals(bytes(5, 3), got.get(0));
        assertEquals(consumer.tailPosition(), consumer.headPosition());
        assertEquals(0, segment.asSlice(ChannelDescriptor.HEADER_LENGTH, 64).toArray(ValueLayout.JAVA_LONG)[0],
                "the dead claim's bytes are zeroed like any consumed record");
    }

    @Test
    void deadClaimWithoutHeaderIsSkippedUpToTheNextHeader() throws Exception {
        MemorySegment segment = newSegment();
        ManyToOneChannel consumer = ManyToOneChannel.create(segment, CAPACITY, 100);
        ManyToOneChannel doomed = ManyToOneChannel.attach(segment);
        ManyToOneChannel other = ManyToOneChannel.attach(segment);
        claimAndDieBeforeHeader(doomed, 30); // 40 bytes of zeros at position 0
        assertEquals(40, consumer.tailPosition());
        assertEquals(0, claimPosition(segment, doomed.producerSlot()));
        assertTrue(other.offer(2, bytes(7, 1), 0, 7));
        assertEquals(0, consumer.poll((t, p) -> { }), "a live producer is claiming at the head: wait");
        assertEquals(0, consumer.headPosition());
        kill(segment, doomed.producerSlot());
        List<byte[]> got = drain(consumer);
        assertEquals(1, got.size());
        assertArrayEquals(bytes(7, 1), got.get(0));
        assertEquals(40 + 16, consumer.headPosition());
    }

    @Test
    void deadClaimWithoutHeaderIsSkippedUpToTheTail() throws Exception {
        MemorySegment segment = newSegment();
        ManyToOneChannel consumer = ManyToOneChannel.create(segment, CAPACITY, 100);
        ManyToOneChannel doomed = ManyToOneChannel.attach(segment);
        claimAndDieBeforeHeader(doomed, 100);
        kill(segment, doomed.producerSlot());
        assertEquals(0, consumer.poll((t, p) -> { }));
        assertEquals(112, consumer.headPosition(), "the zeros up to the tail became padding and were consumed");
        ManyToOneChannel next = ManyToOneChannel.attach(segment);
        assertTrue(next.offer(3, bytes(4, 4), 0, 4));
        assertArrayEquals(bytes(4, 4), drain(consumer).get(0));
    }

    @Test
    void deadWrappingClaimWithoutHeaderIsSkippedToTheRingEndAndThenToTheNextHeader() throws Exception {
        MemorySegment segment = newSegment();
        ManyToOneChannel consumer = ManyToOneChannel.create(segment, CAPACITY, 100);
        ManyToOneChannel doomed = ManyToOneChannel.attach(segment);
        ManyToOneChannel other = ManyToOneChannel.attach(segment);
        // 9 records of 104 bytes = 936; 88 bytes remain before the end of the ring
        for (int i = 0; i < 9; i++) {
            assertTrue(other.offer(1, bytes(96, i), 0, 96));
        }
        assertEquals(9, drain(consumer).size());
        claimAndDieBeforeHeader(doomed, 96); // needs 104 > 88: claims 88 of padding + 104 at index 0
        assertEquals(936 + 88 + 104, consumer.tailPosition());
        assertTrue(other.offer(2, bytes(8, 9), 0, 8));
        kill(segment, doomed.producerSlot());
        List<byte[]> got = drain(consumer);
        assertEquals(1, got.size());
        assertArrayEquals(bytes(8, 9), got.get(0));
        assertEquals(consumer.tailPosition(), consumer.headPosition());
    }

    @Test
    void deadRegionEndsWhereALiveProducerClaimsEvenBeforeItsHeaderIsWritten() throws Exception {
        MemorySegment segment = newSegment();
        ManyToOneChannel consumer = ManyToOneChannel.create(segment, CAPACITY, 100);
        ManyToOneChannel doomed = ManyToOneChannel.attach(segment);
        ManyToOneChannel slow = ManyToOneChannel.attach(segment);
        claimAndDieBeforeHeader(doomed, 30);  // [0, 40)
        claimAndDieBeforeHeader(slow, 30);    // [40, 80): its process lives, it is only slow
        kill(segment, doomed.producerSlot());
        assertEquals(0, consumer.poll((t, p) -> { }));
        assertEquals(40, consumer.headPosition(), "only the dead claim is skipped; the live one's zeros are kept");
        assertEquals(0, consumer.poll((t, p) -> { }));
        assertEquals(40, consumer.headPosition());
        kill(segment, slow.producerSlot());
        assertEquals(0, consumer.poll((t, p) -> { }));
        assertEquals(80, consumer.headPosition());
    }

    @Test
    void consumerAsleepInTheFutexNoticesADeadClaimantThatWakesNobody() throws Exception {
        try (Arena arena = Arena.ofShared()) {
            // native memory: the blocking take sleeps in FUTEX_WAIT, not in parkNanos
            MemorySegment segment = arena.allocate(ChannelDescriptor.segmentSize(CAPACITY), 4096);
            ManyToOneChannel consumer = ManyToOneChannel.create(segment, CAPACITY, 100);
            ManyToOneChannel doomed = ManyToOneChannel.attach(segment);
            claimAndDieBeforeHeader(doomed, 20);
            AtomicReference<byte[]> got = new AtomicReference<>();
            AtomicReference<Throwable> failure = new AtomicReference<>();
            Thread taker = Thread.ofPlatform().start(() -> {
                try {
                    consumer.take((type, payload) -> got.set(payload.toArray(ValueLayout.JAVA_BYTE)));
                } catch (Throwable t) {
                    failure.set(t);
                }
            });
            ManyToOneChannel other = ManyToOneChannel.attach(segment).waitStrategy(WaitStrategy.futex());
            assertTrue(other.offer(4, bytes(6, 6), 0, 6)); // wakes the consumer, which must go back to sleep
            Await.until(Duration.ofSeconds(10), "the consumer to sleep at the dead claim",
                    () -> segment.get(ValueLayout.JAVA_INT, ChannelDescriptor.CONSUMER_WAITING_OFFSET) == 1);
            assertEquals(0, consumer.headPosition(), "it waits while the claimant lives");
            kill(segment, doomed.producerSlot());
            taker.join(Duration.ofSeconds(10));
            assertTrue(!taker.isAlive(), "take() still waits after the claimant died");
            if (failure.get() != null) {
                throw new AssertionError(failure.get());
            }
            assertArrayEquals(bytes(6, 6), got.get());
        }
    }

    @Test
    void abortTurnsTheClaimIntoPadding() throws Exception {
        MemorySegment segment = newSegment();
        ManyToOneChannel consumer = ManyToOneChannel.create(segment, CAPACITY, 100);
        ManyToOneChannel a = ManyToOneChannel.attach(segment);
        ManyToOneChannel b = ManyToOneChannel.attach(segment);
        assertNotNull(a.tryClaim(1, 50));
        assertTrue(b.offer(2, bytes(2, 2), 0, 2));
        a.abort();
        List<Integer> types = new ArrayList<>();
        assertEquals(1, consumer.poll((t, p) -> types.add(t)));
        assertEquals(List.of(2), types);
        assertEquals(-1, claimPosition(segment, a.producerSlot()));
    }

    @Test
    void slotsOfDeadProcessesAreTakenOverAndLiveOnesNever() throws Exception {
        MemorySegment segment = newSegment();
        ManyToOneChannel.create(segment, CAPACITY, 100);
        for (int i = 0; i < ChannelDescriptor.MAX_PRODUCER_SLOTS; i++) {
            assertEquals(i, ManyToOneChannel.attach(segment).attachProducer());
        }
        IllegalStateException full = assertThrows(IllegalStateException.class,
                () -> ManyToOneChannel.attach(segment).attachProducer());
        assertTrue(full.getMessage().contains("52 producer slots"), full.getMessage());
        kill(segment, 7);
        assertEquals(7, ManyToOneChannel.attach(segment).attachProducer());
        assertTrue(Liveness.check(segment.get(ValueLayout.JAVA_LONG, ChannelDescriptor.producerSlotOffset(7)))
                .life() == PartyState.Life.ALIVE, "slot 7 taken over by a live party of this process");
        assertEquals(-1, claimPosition(segment, 7));
    }

    @Test
    void oneAndManyProducerChannelsRefuseEachOthersAttach() {
        MemorySegment many = newSegment();
        ManyToOneChannel.create(many, CAPACITY, 100);
        assertTrue(assertThrows(ChannelFormatException.class, () -> OneToOneChannel.attach(many)).getMessage()
                .contains("many-producer"));
        MemorySegment one = newSegment();
        OneToOneChannel.create(one, CAPACITY, 100);
        assertTrue(assertThrows(ChannelFormatException.class, () -> ManyToOneChannel.attach(one)).getMessage()
                .contains("one-producer"));
    }

    @Test
    void threeThreadsEachWithItsOwnInstanceLoseNothing() throws Exception {
        MemorySegment segment = newSegment();
        ManyToOneChannel consumer = ManyToOneChannel.create(segment, CAPACITY, 60);
        int perProducer = 50_000;
        AtomicReference<Throwable> failure = new AtomicReference<>();
        List<Thread> threads = new ArrayList<>();
        for (int p = 0; p < 3; p++) {
            int producerId = p;
            ManyToOneChannel producer = ManyToOneChannel.attach(segment);
            threads.add(Thread.ofPlatform().start(() -> {
                try {
                    byte[] message = new byte[60];
                    for (int seq = 0; seq < perProducer; seq++) {
                        int length = 8 + seq % 50;
                        MemorySegment.ofArray(message).set(ValueLayout.JAVA_INT_UNALIGNED, 0, seq);
                        MemorySegment.ofArray(message).set(ValueLayout.JAVA_INT_UNALIGNED, 4, length);
                        while (!producer.offer(producerId + 1, message, 0, length)) {
                            Thread.onSpinWait();
                        }
                    }
                    producer.detachProducer();
                } catch (Throwable t) {
                    failure.compareAndSet(null, t);
                }
            }));
        }
        int[] next = new int[3];
        long deadline = System.nanoTime() + 60_000_000_000L;
        while ((next[0] + next[1] + next[2]) < 3 * perProducer && failure.get() == null) {
            consumer.poll((type, payload) -> {
                int seq = payload.get(ValueLayout.JAVA_INT_UNALIGNED, 0);
                assertEquals(next[type - 1], seq, "producer " + type);
                assertEquals(8 + seq % 50, payload.get(ValueLayout.JAVA_INT_UNALIGNED, 4));
                assertEquals(8 + seq % 50, payload.byteSize());
                next[type - 1]++;
            });
            assertTrue(System.nanoTime() < deadline, "timed out at " + next[0] + "/" + next[1] + "/" + next[2]);
        }
        for (Thread t : threads) {
            t.join();
        }
        if (failure.get() != null) {
            throw new AssertionError(failure.get());
        }
        assertEquals(consumer.tailPosition(), consumer.headPosition());
    }
}
