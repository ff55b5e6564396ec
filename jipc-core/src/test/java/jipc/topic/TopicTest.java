package jipc.topic;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicLong;

import jipc.live.RoleTakenException;
import jipc.testing.Await;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The topic in one process: ring arithmetic, both policies, history, slots and waits, with real threads. */
class TopicTest {
    private static final long SEED = 0x70_91C5L;
    private String name;

    @BeforeEach
    void name() throws IOException {
        name = "/jipc-topic-test-" + ProcessHandle.current().pid() + "-" + System.nanoTime();
        SharedTopic.unlinkIfExists(name);
    }

    @AfterEach
    void unlink() throws IOException {
        SharedTopic.unlinkIfExists(name);
    }

    @Test
    void everySubscriberSeesEveryMessageInOrderAndTheBlockingPublisherWaitsForTheSlowest() throws Exception {
        long count = 200_000;
        int max = 500;
        try (SharedTopic shared = SharedTopic.create(name, 16 * 1024, max);
             ExecutorService pool = Executors.newFixedThreadPool(4)) {
            Topic topic = shared.topic();
            List<TopicSubscriber> subs = new ArrayList<>();
            for (int i = 0; i < 3; i++) {
                subs.add(topic.subscribe());
            }
            List<Future<Long>> readers = new ArrayList<>();
            for (TopicSubscriber sub : subs) {
                readers.add(pool.submit(() -> receive(sub, count, max)));
            }
            try (TopicPublisher pub = topic.publisher()) {
                TopicMessages.publish(pub, SEED, 0, count, max);
            }
            for (Future<Long> r : readers) {
                assertEquals(count, r.get());
            }
            for (TopicSubscriber sub : subs) {
                assertEquals(0, sub.lostMessages());
                sub.close();
            }
        }
    }

    /** Receives {@code count} messages, checking each against the sequence number it carries in the ring. */
    static long receive(TopicSubscriber sub, long count, int max) throws InterruptedException {
        long[] n = {0};
        while (n[0] < count) {
            sub.poll((type, payload) -> {
                TopicMessages.check(SEED, sub.expectedSequence() - 1, max, type, payload);
                n[0]++;
            }, 256, Duration.ofSeconds(30));
        }
        return n[0];
    }

    @Test
    void thirtyTwoSubscribersAtOnceEachSeeEveryMessage() throws Exception {
        long count = 20_000;
        int max = 200;
        try (SharedTopic shared = SharedTopic.create(name, 64 * 1024, max);
             ExecutorService pool = Executors.newVirtualThreadPerTaskExecutor()) {
            Topic topic = shared.topic();
            List<Future<Long>> readers = new ArrayList<>();
            for (int i = 0; i < 32; i++) {
                TopicSubscriber sub = topic.subscribe();
                readers.add(pool.submit(() -> {
                    try (sub) {
                        return receive(sub, count, max);
                    }
                }));
            }
            assertEquals(32, topic.subscriberCount());
            try (TopicPublisher pub = topic.publisher()) {
                TopicMessages.publish(pub, SEED, 0, count, max);
            }
            for (Future<Long> r : readers) {
                assertEquals(count, r.get());
            }
        }
    }

    @Test
    void overwritePublisherNeverWaitsAndALappedSubscriberCountsExactlyWhatItLost() throws Exception {
        long count = 50_000;
        int max = 300;
        try (SharedTopic shared = SharedTopic.create(name, 4096, max, OverflowPolicy.OVERWRITE)) {
            Topic topic = shared.topic();
            try (TopicSubscriber sub = topic.subscribe(); TopicPublisher pub = topic.publisher()) {
                long published = 0;
                long[] seen = {0};
                byte[] scratch = new byte[max];
                while (published < count) {
                    // a burst far bigger than the ring, then a slow read of a few
                    for (int i = 0; i < 100 && published < count; i++, published++) {
                        int length = TopicMessages.length(SEED, published, max);
                        MemorySegment payload = MemorySegment.ofArray(scratch).asSlice(0, length);
                        TopicMessages.fill(payload, SEED, published, length);
                        assertTrue(pub.offer(TopicMessages.type(published), payload));
                    }
                    sub.poll((type, p) -> {
                        TopicMessages.check(SEED, sub.expectedSequence() - 1, max, type, p);
                        seen[0]++;
                    }, 3);
                }
                while (sub.poll((type, p) -> {
                    TopicMessages.check(SEED, sub.expectedSequence() - 1, max, type, p);
                    seen[0]++;
                }, 1000) > 0) {
                    // drain what is left
                }
                assertTrue(sub.lostMessages() > 0, "the subscriber was lapped");
                assertEquals(count, sub.lostMessages() + sub.receivedMessages());
                assertEquals(seen[0], sub.receivedMessages());
            }
        }
    }

    @Test
    void aLateSubscriberAsksForHistoryAndGetsTheLastMessagesStillInTheRing() throws Exception {
        int max = 100;
        try (SharedTopic shared = SharedTopic.create(name, 4096, max, OverflowPolicy.OVERWRITE)) {
            Topic topic = shared.topic();
            try (TopicPublisher pub = topic.publisher()) {
                TopicMessages.publish(pub, SEED, 0, 10, max);
                try (TopicSubscriber five = topic.subscribe(5); TopicSubscriber none = topic.subscribe()) {
                    List<Long> got = new ArrayList<>();
                    five.poll((t, p) -> got.add(five.expectedSequence() - 1), 100);
                    assertEquals(List.of(5L, 6L, 7L, 8L, 9L), got);
                    assertEquals(0, none.poll((t, p) -> { }, 100));
                }
                TopicMessages.publish(pub, SEED, 10, 1000, max); // wraps the 4 KiB ring many times
                try (TopicSubscriber all = topic.subscribe(100_000)) {
                    long first = all.expectedSequence();
                    assertTrue(first > 10 && first < 1010, "starts at the oldest message still whole: " + first);
                    long[] n = {0};
                    all.poll((t, p) -> {
                        TopicMessages.check(SEED, all.expectedSequence() - 1, max, t, p);
                        n[0]++;
                    }, 100_000);
                    assertEquals(1010 - first, n[0]);
                    assertEquals(0, all.lostMessages());
                }
            }
        }
    }

    @Test
    void historyInBlockModeStartsNoLowerThanThePublishersFloor() throws Exception {
        int max = 100;
        try (SharedTopic shared = SharedTopic.create(name, 4096, max)) {
            Topic topic = shared.topic();
            try (TopicPublisher pub = topic.publisher()) {
                TopicMessages.publish(pub, SEED, 0, 1000, max); // no subscriber: the ring is overwritten freely
                try (TopicSubscriber sub = topic.subscribe(20)) {
                    assertEquals(980, sub.expectedSequence());
                    long[] n = {0};
                    sub.poll((t, p) -> {
                        TopicMessages.check(SEED, sub.expectedSequence() - 1, max, t, p);
                        n[0]++;
                    }, 100);
                    assertEquals(20, n[0]);
                }
            }
        }
    }

    @Test
    void aBlockingPublisherWaitsUntilTheSubscriberMovesOrLeaves() throws Exception {
        int max = 100;
        try (SharedTopic shared = SharedTopic.create(name, 1024, max)) {
            Topic topic = shared.topic();
            TopicSubscriber sub = topic.subscribe();
            try (TopicPublisher pub = topic.publisher()) {
                MemorySegment payload = MemorySegment.ofArray(new byte[100]);
                int sent = 0;
                while (pub.offer(1, payload)) {
                    sent++;
                }
                assertTrue(sent >= 5 && sent <= 9, "a 1 KiB ring holds a few 128-byte records: " + sent);
                assertFalse(pub.put(1, payload, Duration.ofMillis(50)), "full: the subscriber has read nothing");
                Thread reader = Thread.ofPlatform().start(() -> {
                    try {
                        Await.until(Duration.ofSeconds(10), "the publisher sleeps",
                                () -> topic.segment.get(ValueLayout.JAVA_INT, TopicDescriptor.PUBLISHER_WAITING_OFFSET) == 1);
                        sub.poll((t, p) -> { }, 1);
                    } catch (Exception e) {
                        throw new AssertionError(e);
                    }
                });
                assertTrue(pub.put(1, payload, Duration.ofSeconds(10)), "one message read: room for one");
                reader.join();
                assertFalse(pub.offer(1, payload));
                sub.close();
                assertTrue(pub.offer(1, payload), "a subscriber that left holds nothing back");
            }
        }
    }

    @Test
    void aNewPublisherOnAFullRingOverwritesNothingALiveSubscriberHasNotRead() throws Exception {
        try (SharedTopic shared = SharedTopic.create(name, 4096, 496)) {
            Topic topic = shared.topic();
            try (TopicSubscriber sub = topic.subscribe()) {
                try (TopicPublisher filler = topic.publisher()) {
                    while (filler.offer(1, new byte[0], 0, 0)) {
                        // the smallest records, until the subscriber (which reads nothing) leaves no room
                    }
                }
                long tail = topic.tailPosition();
                assertEquals(4096 - 16, tail, "255 records of 16 bytes and the look-ahead header");
                // a publisher that takes the role now knows no floor yet: it must scan the cursors first
                try (TopicPublisher next = topic.publisher()) {
                    assertFalse(next.offer(1, new byte[] {'x'}, 0, 1), "the ring is full: the subscriber read nothing");
                }
                assertEquals(tail, topic.tailPosition());
                int[] read = {0};
                while (sub.poll((type, payload) -> read[0]++, 1000) > 0) {
                    // drain
                }
                assertEquals(255, read[0]);
                assertEquals(0, sub.lostMessages());
            }
        }
    }

    @Test
    void aSleepingSubscriberWakesOnTheNextMessage() throws Exception {
        try (SharedTopic shared = SharedTopic.create(name, 4096, 64);
             TopicSubscriber a = shared.topic().subscribe();
             TopicSubscriber b = shared.topic().subscribe();
             TopicPublisher pub = shared.topic().publisher()) {
            a.waitStrategy(jipc.channel.WaitStrategy.futex());
            b.waitStrategy(jipc.channel.WaitStrategy.futex());
            AtomicLong got = new AtomicLong();
            List<Thread> sleepers = new ArrayList<>();
            for (TopicSubscriber s : List.of(a, b)) {
                sleepers.add(Thread.ofVirtual().start(() -> {
                    try {
                        got.addAndGet(s.poll((t, p) -> { }, 10, Duration.ofSeconds(30)));
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                    }
                }));
            }
            Await.until(Duration.ofSeconds(10), "both subscribers sleep",
                    () -> Long.bitCount(shared.topic().segment.get(ValueLayout.JAVA_LONG,
                            TopicDescriptor.SLEEPING_OFFSET)) == 2);
            assertTrue(pub.offer(1, MemorySegment.ofArray(new byte[8])));
            for (Thread t : sleepers) {
                t.join(Duration.ofSeconds(10));
                assertFalse(t.isAlive());
            }
            assertEquals(2, got.get());
            assertEquals(0, shared.topic().segment.get(ValueLayout.JAVA_LONG, TopicDescriptor.SLEEPING_OFFSET));
        }
    }

    @Test
    void zeroCopyClaimAndAbortPublishNothingUntilCommit() throws Exception {
        try (SharedTopic shared = SharedTopic.create(name, 4096, 64);
             TopicSubscriber sub = shared.topic().subscribe();
             TopicPublisher pub = shared.topic().publisher()) {
            MemorySegment room = pub.tryClaim(7, 8);
            room.set(ValueLayout.JAVA_LONG, 0, 42);
            assertEquals(0, sub.poll((t, p) -> { }, 10));
            pub.abort();
            room = pub.tryClaim(7, 8);
            room.set(ValueLayout.JAVA_LONG, 0, 43);
            pub.commit();
            long[] v = {0};
            assertEquals(1, sub.poll((t, p) -> v[0] = p.get(ValueLayout.JAVA_LONG, 0) * 100 + t, 10));
            assertEquals(4307, v[0]);
            assertEquals(1, pub.nextSequence());
            assertThrows(IllegalStateException.class, pub::commit);
        }
    }

    @Test
    void theSixtyFifthSubscriberIsRefusedAndASecondPublisherToo() throws Exception {
        try (SharedTopic shared = SharedTopic.create(name, 4096, 64);
             TopicPublisher pub = shared.topic().publisher()) {
            List<TopicSubscriber> subs = new ArrayList<>();
            try {
                for (int i = 0; i < 64; i++) {
                    subs.add(shared.topic().subscribe());
                }
                TopicFullException e = assertThrows(TopicFullException.class, () -> shared.topic().subscribe());
                assertTrue(e.getMessage().contains("64 subscriber slots"), e.getMessage());
                subs.remove(17).close();
                subs.add(shared.topic().subscribe());
                assertEquals(17, subs.get(63).slot());
            } finally {
                subs.forEach(TopicSubscriber::close);
            }
            assertThrows(RoleTakenException.class, () -> shared.topic().publisher());
        }
    }

    @Test
    void attachChecksTheHeaderAndNamesTheField() throws Exception {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment segment = arena.allocate(TopicDescriptor.segmentSize(4096), 4096);
            TopicFormatException e = assertThrows(TopicFormatException.class, () -> Topic.attach(segment));
            assertTrue(e.getMessage().startsWith("magic=0x0"), e.getMessage());
            Topic.create(segment, 4096, 100, OverflowPolicy.BLOCK);
            segment.set(ValueLayout.JAVA_INT, TopicDescriptor.MAX_MESSAGE_LENGTH_OFFSET, 4096);
            e = assertThrows(TopicFormatException.class, () -> Topic.attach(segment));
            assertEquals("maxMessageLength=4096 not in [1, 496]", e.getMessage());
            segment.set(ValueLayout.JAVA_INT, TopicDescriptor.MAX_MESSAGE_LENGTH_OFFSET, 100);
            segment.set(ValueLayout.JAVA_INT, TopicDescriptor.FLAGS_OFFSET, 6);
            e = assertThrows(TopicFormatException.class, () -> Topic.attach(segment));
            assertEquals("flags=0x6 has unknown bits", e.getMessage());
            assertThrows(IllegalArgumentException.class, () -> Topic.create(segment, 4096, 100, OverflowPolicy.BLOCK));
        }
    }
}
