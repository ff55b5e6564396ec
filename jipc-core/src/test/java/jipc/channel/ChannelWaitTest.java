package jipc.channel;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;

import jipc.testing.Await;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.Test;

/** Blocking calls, wait strategies, the wake protocol's words, tail recovery and consumer identity, in one process. */
class ChannelWaitTest {
    private static final int CAPACITY = 4096;

    private static MemorySegment nativeSegment(Arena arena) {
        return arena.allocate(ChannelDescriptor.segmentSize(CAPACITY), 4096);
    }

    private static WaitStrategy strategy(String name) {
        return switch (name) {
            case "spin" -> WaitStrategy.busySpin();
            case "yield" -> WaitStrategy.yielding();
            case "park" -> WaitStrategy.parking(1_000, 1_000_000);
            case "futex" -> WaitStrategy.futex();
            case "hybrid" -> WaitStrategy.hybrid(100);
            default -> throw new IllegalArgumentException(name);
        };
    }

    @Test
    void timeoutsOfMoreThanAHundredYearsMeanForever() {
        Duration hundredYears = Duration.ofDays(365 * 100);
        assertEquals(WaitStrategy.FOREVER, WaitStrategy.timeoutNanos(null));
        assertEquals(hundredYears.toNanos(), WaitStrategy.timeoutNanos(hundredYears));
        assertEquals(WaitStrategy.FOREVER, WaitStrategy.timeoutNanos(hundredYears.plusNanos(1)));
        assertEquals(WaitStrategy.FOREVER, WaitStrategy.timeoutNanos(hundredYears.plusSeconds(1)));
        assertEquals(WaitStrategy.FOREVER, WaitStrategy.timeoutNanos(Duration.ofSeconds(Long.MAX_VALUE)));
        assertEquals(hundredYears.minusNanos(1).toNanos(), WaitStrategy.timeoutNanos(hundredYears.minusNanos(1)));
        assertEquals(0, WaitStrategy.timeoutNanos(Duration.ZERO));
        assertEquals(1_500_000_000L, WaitStrategy.timeoutNanos(Duration.ofMillis(1500)));
        assertThrows(IllegalArgumentException.class, () -> WaitStrategy.timeoutNanos(Duration.ofNanos(-1)));
    }

    @ParameterizedTest
    @ValueSource(strings = {"spin", "yield", "park", "futex", "hybrid"})
    void everyStrategyMovesMessagesBothWaysThroughATinyRing(String name) throws Exception {
        int messages = 20_000;
        try (Arena arena = Arena.ofShared()) {
            MemorySegment segment = nativeSegment(arena);
            OneToOneChannel consumer = OneToOneChannel.create(segment, 1024, 100).waitStrategy(strategy(name));
            OneToOneChannel producer = OneToOneChannel.attach(segment).waitStrategy(strategy(name));
            CompletableFuture<Void> sending = CompletableFuture.runAsync(() -> {
                byte[] payload = new byte[100];
                try {
                    for (int i = 0; i < messages; i++) {
                        payload[0] = (byte) i;
                        // a 1 KiB ring holds 9 such messages: the producer waits for room all the time
                        assertTrue(producer.put(1 + i, payload, 0, 1 + i % 100, Duration.ofSeconds(30)), "put " + i);
                    }
                } catch (InterruptedException e) {
                    throw new AssertionError(e);
                }
            });
            int[] next = {0};
            while (next[0] < messages) {
                int n = consumer.poll((type, p) -> {
                    assertEquals(1 + next[0], type);
                    assertEquals(1 + next[0] % 100, p.byteSize());
                    assertEquals((byte) next[0], p.get(ValueLayout.JAVA_BYTE, 0));
                    next[0]++;
                }, Duration.ofSeconds(30));
                assertTrue(n > 0, "nothing arrived within 30 s after message " + next[0]);
            }
            sending.get(30, TimeUnit.SECONDS);
            assertEquals(0, consumer.poll((t, p) -> { }));
        }
    }

    @Test
    void sleepingConsumerAnnouncesItselfAndTheNextCommitWakesIt() throws Exception {
        try (Arena arena = Arena.ofShared()) {
            MemorySegment segment = nativeSegment(arena);
            OneToOneChannel consumer = OneToOneChannel.create(segment, CAPACITY, 64).waitStrategy(WaitStrategy.futex());
            OneToOneChannel producer = OneToOneChannel.attach(segment);
            AtomicReference<byte[]> received = new AtomicReference<>();
            CompletableFuture<Integer> polled = CompletableFuture.supplyAsync(() -> {
                try {
                    return consumer.poll((t, p) -> received.set(p.toArray(ValueLayout.JAVA_BYTE)),
                            Duration.ofSeconds(30));
                } catch (InterruptedException e) {
                    throw new AssertionError(e);
                }
            });
            Await.until(Duration.ofSeconds(10), "the consumer to set its waiting flag",
                    () -> segment.get(ValueLayout.JAVA_INT, ChannelDescriptor.CONSUMER_WAITING_OFFSET) == 1);
            int wakeBefore = segment.get(ValueLayout.JAVA_INT, ChannelDescriptor.CONSUMER_WAKE_OFFSET);
            assertTrue(producer.offer(3, new byte[] {42}, 0, 1));
            assertEquals(1, polled.get(10, TimeUnit.SECONDS));
            assertArrayEquals(new byte[] {42}, received.get());
            assertEquals(wakeBefore + 1, segment.get(ValueLayout.JAVA_INT, ChannelDescriptor.CONSUMER_WAKE_OFFSET));
            assertEquals(0, segment.get(ValueLayout.JAVA_INT, ChannelDescriptor.CONSUMER_WAITING_OFFSET));
            // nobody sleeps now: a commit leaves the wake word alone (no system call either)
            assertTrue(producer.offer(3, new byte[] {43}, 0, 1));
            assertEquals(wakeBefore + 1, segment.get(ValueLayout.JAVA_INT, ChannelDescriptor.CONSUMER_WAKE_OFFSET));
        }
    }

    @Test
    void producerBlockedOnAFullRingIsCountedAndWokenByPoll() throws Exception {
        try (Arena arena = Arena.ofShared()) {
            MemorySegment segment = nativeSegment(arena);
            OneToOneChannel consumer = OneToOneChannel.create(segment, 1024, 120);
            OneToOneChannel producer = OneToOneChannel.attach(segment).waitStrategy(WaitStrategy.futex());
            while (producer.offer(1, new byte[120], 0, 120)) {
                // fill the ring
            }
            CompletableFuture<Boolean> put = CompletableFuture.supplyAsync(() -> {
                try {
                    return producer.put(2, new byte[120], 0, 120, Duration.ofSeconds(30));
                } catch (InterruptedException e) {
                    throw new AssertionError(e);
                }
            });
            Await.until(Duration.ofSeconds(10), "the producer to count itself as waiting",
                    () -> segment.get(ValueLayout.JAVA_LONG, ChannelDescriptor.PRODUCERS_WAITING_OFFSET)
                            == ChannelDescriptor.ONE_PRODUCER_WAITING_BIT);
            assertEquals(1, consumer.poll((t, p) -> { }, 1));
            assertTrue(put.get(10, TimeUnit.SECONDS));
            assertEquals(0, segment.get(ValueLayout.JAVA_LONG, ChannelDescriptor.PRODUCERS_WAITING_OFFSET));
            assertEquals(1, segment.get(ValueLayout.JAVA_INT, ChannelDescriptor.PRODUCER_WAKE_OFFSET));
        }
    }

    /** One sleep of a minute: returns in time only if the other side's FUTEX_WAKE reaches the sleeper. */
    private static final WaitStrategy ONE_LONG_SLEEP = (waitable, timeoutNanos) ->
            waitable.isReady() || waitable.sleep(60_000_000_000L);

    @Test
    void theWakeReachesAConsumerSleepingWithoutTimeSlices() throws Exception {
        try (Arena arena = Arena.ofShared()) {
            MemorySegment segment = nativeSegment(arena);
            OneToOneChannel consumer = OneToOneChannel.create(segment, CAPACITY, 64).waitStrategy(ONE_LONG_SLEEP);
            OneToOneChannel producer = OneToOneChannel.attach(segment);
            for (int round = 0; round < 20; round++) {
                CompletableFuture<Integer> polled = CompletableFuture.supplyAsync(() -> {
                    try {
                        return consumer.poll((t, p) -> { }, Duration.ofSeconds(60));
                    } catch (InterruptedException e) {
                        throw new AssertionError(e);
                    }
                });
                Await.until(Duration.ofSeconds(10), "the consumer to announce its sleep",
                        () -> segment.get(ValueLayout.JAVA_INT, ChannelDescriptor.CONSUMER_WAITING_OFFSET) == 1);
                assertTrue(producer.offer(1, new byte[8], 0, 8));
                assertEquals(1, polled.get(10, TimeUnit.SECONDS), "round " + round);
            }
        }
    }

    @Test
    void theWakeReachesAProducerSleepingWithoutTimeSlices() throws Exception {
        try (Arena arena = Arena.ofShared()) {
            MemorySegment segment = nativeSegment(arena);
            OneToOneChannel consumer = OneToOneChannel.create(segment, 1024, 120);
            OneToOneChannel producer = OneToOneChannel.attach(segment).waitStrategy(ONE_LONG_SLEEP);
            while (producer.offer(1, new byte[120], 0, 120)) {
                // fill
            }
            for (int round = 0; round < 20; round++) {
                CompletableFuture<Boolean> put = CompletableFuture.supplyAsync(() -> {
                    try {
                        return producer.put(2, new byte[120], 0, 120, Duration.ofSeconds(60));
                    } catch (InterruptedException e) {
                        throw new AssertionError(e);
                    }
                });
                Await.until(Duration.ofSeconds(10), "the producer to announce its sleep",
                        () -> segment.get(ValueLayout.JAVA_LONG, ChannelDescriptor.PRODUCERS_WAITING_OFFSET)
                            == ChannelDescriptor.ONE_PRODUCER_WAITING_BIT);
                assertEquals(1, consumer.poll((t, p) -> { }, 1));
                assertTrue(put.get(10, TimeUnit.SECONDS), "round " + round);
            }
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"spin", "yield", "park", "futex", "hybrid"})
    void waitsTimeOutWithNothingAndNoticeInterrupts(String name) throws Exception {
        try (Arena arena = Arena.ofShared()) {
            MemorySegment segment = nativeSegment(arena);
            OneToOneChannel channel = OneToOneChannel.create(segment, CAPACITY, 64).waitStrategy(strategy(name));
            long start = System.nanoTime();
            assertEquals(0, channel.poll((t, p) -> { }, Duration.ofMillis(50)));
            assertTrue(System.nanoTime() - start >= 50_000_000L, "returned before the timeout");

            Thread.currentThread().interrupt();
            assertThrows(InterruptedException.class, () -> channel.poll((t, p) -> { }, Duration.ofSeconds(30)));
            assertFalse(Thread.interrupted(), "the flag is cleared when InterruptedException is thrown");

            Thread waiter = Thread.currentThread();
            boolean sleeps = name.equals("futex") || name.equals("hybrid");
            long t0 = System.nanoTime();
            CompletableFuture<Void> interrupter = CompletableFuture.runAsync(() -> {
                try {
                    // the futex strategies announce their sleep; the others are given 100 ms to get going
                    Await.until(Duration.ofSeconds(10), "the waiter to block", () -> sleeps
                            ? segment.get(ValueLayout.JAVA_INT, ChannelDescriptor.CONSUMER_WAITING_OFFSET) == 1
                            : System.nanoTime() - t0 > 100_000_000L);
                } catch (Exception e) {
                    throw new AssertionError(e);
                } finally {
                    waiter.interrupt();
                }
            });
            long before = System.nanoTime();
            assertThrows(InterruptedException.class, () -> channel.take((t, p) -> { }));
            assertTrue(System.nanoTime() - before < 10_000_000_000L);
            interrupter.get(10, TimeUnit.SECONDS);
        }
    }

    @Test
    void putTimesOutOnAFullRingAndClaimReturnsNull() throws Exception {
        try (Arena arena = Arena.ofShared()) {
            OneToOneChannel channel = OneToOneChannel.create(nativeSegment(arena), 1024, 120);
            while (channel.offer(1, new byte[120], 0, 120)) {
                // fill
            }
            while (channel.offer(1, new byte[1], 0, 1)) {
                // to the last byte that a record may take
            }
            assertFalse(channel.put(1, new byte[1], 0, 1, Duration.ofMillis(20)));
            assertNull(channel.claim(1, 1, Duration.ZERO));
            assertThrows(IllegalArgumentException.class, () -> channel.claim(1, 1, Duration.ofMillis(-1)));
        }
    }

    @Test
    void heapSegmentsWaitByParking() throws Exception {
        MemorySegment heap = MemorySegment.ofArray(new long[(int) (ChannelDescriptor.segmentSize(1024) / 8)]);
        OneToOneChannel channel = OneToOneChannel.create(heap, 1024, 64);
        assertEquals(0, channel.poll((t, p) -> { }, Duration.ofMillis(5)));
        assertTrue(channel.put(1, new byte[3], 0, 3, Duration.ofMillis(5)));
        assertEquals(1, channel.poll((t, p) -> { }, Duration.ofMillis(5)));
    }

    @Test
    void newProducerStartsAfterARecordWhoseTailMoveWasLost() throws Exception {
        MemorySegment heap = MemorySegment.ofArray(new long[(int) (ChannelDescriptor.segmentSize(1024) / 8)]);
        OneToOneChannel first = OneToOneChannel.create(heap, 1024, 64);
        assertTrue(first.offer(1, new byte[] {1}, 0, 1));
        // a producer that died between the record's length and the tail: undo the tail move by hand
        heap.set(ValueLayout.JAVA_LONG, ChannelDescriptor.TAIL_OFFSET, 0);
        first.detachProducer(); // its role goes, as a dead producer's would be taken over
        OneToOneChannel second = OneToOneChannel.attach(heap);
        assertTrue(second.offer(2, new byte[] {2}, 0, 1));
        List<Integer> types = new ArrayList<>();
        OneToOneChannel.attach(heap).poll((t, p) -> types.add(t));
        assertEquals(List.of(1, 2), types);
        assertEquals(32, second.tailPosition());
    }

    @Test
    void bytesADeadProducerLeftInFreeSpaceAreNeverReadAsRecords() throws Exception {
        MemorySegment heap = MemorySegment.ofArray(new long[(int) (ChannelDescriptor.segmentSize(1024) / 8)]);
        OneToOneChannel dead = OneToOneChannel.create(heap, 1024, 120);
        MemorySegment slot = dead.tryClaim(1, 120);
        assertNotNull(slot);
        slot.fill((byte) 0x7F); // half-written claim: what looks like lengths of 0x7F7F7F7F everywhere
        dead.detachProducer(); // its role goes, as a dead producer's would be taken over
        OneToOneChannel next = OneToOneChannel.attach(heap);
        OneToOneChannel consumer = OneToOneChannel.attach(heap);
        for (int i = 0; i < 20; i++) {
            assertTrue(next.offer(1 + i, new byte[i], 0, i), "offer " + i);
            List<Integer> types = new ArrayList<>();
            consumer.poll((t, p) -> types.add(t));
            assertEquals(List.of(1 + i), types, "after offer " + i);
        }
    }

    @Test
    void consumerIdentityIsThisProcessUntilUnregistered() throws Exception {
        try (Arena arena = Arena.ofShared()) {
            MemorySegment segment = nativeSegment(arena);
            OneToOneChannel producer = OneToOneChannel.create(segment, CAPACITY, 64);
            assertFalse(producer.isConsumerAlive(), "no consumer registered yet");
            assertEquals(0, producer.consumerPid());
            OneToOneChannel consumer = OneToOneChannel.attach(segment).registerConsumer();
            assertEquals(ProcessHandle.current().pid(), producer.consumerPid());
            assertTrue(producer.isConsumerAlive());
            consumer.unregisterConsumer();
            assertFalse(producer.isConsumerAlive());
            assertEquals(0, producer.consumerPid());
        }
    }

    @Test
    void sharedChannelCreateAndAttachAreSeparateAndCloseUnmaps() throws Exception {
        String name = "/jipc-chan-unit-" + ProcessHandle.current().pid();
        SharedChannel.unlinkIfExists(name);
        try (SharedChannel created = SharedChannel.create(name, CAPACITY, 64);
             SharedChannel attached = SharedChannel.attach(name)) {
            assertThrows(jipc.ErrnoException.class, () -> SharedChannel.create(name, CAPACITY, 64));
            attached.channel().registerConsumer();
            assertTrue(created.channel().offer(5, new byte[] {9}, 0, 1));
            assertEquals(1, attached.channel().poll((t, p) -> assertEquals(5, t), Duration.ofSeconds(1)));
            assertTrue(created.channel().isConsumerAlive());
            attached.close();
            assertFalse(created.channel().isConsumerAlive(), "closing the consumer's side clears its identity");
            assertThrows(IllegalStateException.class, () -> attached.channel().poll((t, p) -> { }));
            attached.close();
        } finally {
            SharedChannel.unlinkIfExists(name);
        }
        assertThrows(jipc.ErrnoException.class, () -> SharedChannel.attach(name));
    }
}
