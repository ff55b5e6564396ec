package jipc.topic;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.zip.CRC32C;

import jipc.process.Spawn;
import jipc.testing.Await;
import jipc.testing.Capture;
import jipc.testing.Gcc;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The C twin of the topic ({@code native/jipc_topic.c} with {@code native/jipc_live.c}, through the command-line
 * peers {@code src/test/c/topic_pub.c} and {@code topic_sub.c}) in separate processes: C to C, Java to C and C to
 * Java, on the same bytes. Every message is the one of {@link TopicMessages} that its sequence names (lengths 0 to
 * {@code max} at random), checked byte for byte on arrival; the C peers also print the CRC32C of the payloads they
 * sent or received, summed, which the other end compares.
 */
class TopicCTest {
    private static final long SEED = 0xC7091CL;
    private static final Pattern JOINED = Pattern.compile("joined slot (\\d+) expected (\\d+)");
    private static final Pattern RECEIVED = Pattern.compile("received (\\d+) lost (\\d+) sum (\\d+) last (-?\\d+)");
    private static final Pattern PUBLISHING = Pattern.compile("publishing from (\\d+)");
    private static final Pattern PUBLISHED = Pattern.compile("published (\\d+) next (\\d+) sum (\\d+)");

    private String name;

    private static Path publisherProgram() {
        return Gcc.program("topic_pub", "jipc_topic.c", "jipc_live.c");
    }

    private static Path subscriberProgram() {
        return Gcc.program("topic_sub", "jipc_topic.c", "jipc_live.c");
    }

    @BeforeEach
    void name() throws IOException {
        name = "/jipc-topic-c-" + ProcessHandle.current().pid() + "-" + System.nanoTime();
        SharedTopic.unlinkIfExists(name);
    }

    @AfterEach
    void unlink() throws IOException {
        SharedTopic.unlinkIfExists(name);
    }

    // ---- the C peers ---------------------------------------------------------------------------------------------

    private void createInC(long capacity, int max, OverflowPolicy policy) throws IOException {
        Capture.Result r = Capture.run(Spawn.command(publisherProgram().toString(), "create", name, "" + capacity,
                "" + max, policy.name().toLowerCase())).assertSuccess();
        assertEquals("created\n", r.out());
    }

    private Spawn cPublisher(int max, long count, String... options) {
        List<String> argv = new ArrayList<>(List.of(publisherProgram().toString(), "publish", name, "" + SEED,
                "" + max, "" + count));
        argv.addAll(List.of(options));
        return Spawn.command(argv);
    }

    private Capture startCSubscriber(int max, String... options) throws Exception {
        List<String> argv = new ArrayList<>(List.of(subscriberProgram().toString(), name, "" + SEED, "" + max));
        argv.addAll(List.of(options));
        Capture sub = Capture.start(Spawn.command(argv));
        Await.until(Duration.ofSeconds(30), "the C subscriber to join", () -> JOINED.matcher(sub.outSoFar()).find()
                || !sub.child().isAlive());
        assertTrue(JOINED.matcher(sub.outSoFar()).find(), () -> "the C subscriber did not join: " + finishQuietly(sub));
        return sub;
    }

    private static String finishQuietly(Capture capture) {
        try {
            return capture.finish(Duration.ofSeconds(5)).toString();
        } catch (IOException | AssertionError e) {
            return e.toString();
        }
    }

    /** Received, lost, sum and last sequence from a C subscriber that ended well. */
    private static long[] received(Capture.Result result) {
        Matcher m = RECEIVED.matcher(result.out());
        assertTrue(m.find(), result.toString());
        return new long[] {Long.parseLong(m.group(1)), Long.parseLong(m.group(2)), Long.parseUnsignedLong(m.group(3)),
                Long.parseLong(m.group(4))};
    }

    /** Count, next sequence and sum from a C publisher that ended well. */
    private static long[] published(Capture.Result result) {
        Matcher m = PUBLISHED.matcher(result.out());
        assertTrue(m.find(), result.toString());
        return new long[] {Long.parseLong(m.group(1)), Long.parseLong(m.group(2)), Long.parseUnsignedLong(m.group(3))};
    }

    private static long firstSequence(String out) {
        Matcher m = PUBLISHING.matcher(out);
        assertTrue(m.find(), out);
        return Long.parseLong(m.group(1));
    }

    /** The CRC32C sum the C peers print, of messages first .. first + count - 1. */
    private static long expectedSum(long first, long count, int max) {
        MemorySegment buffer = MemorySegment.ofArray(new byte[max]);
        CRC32C crc = new CRC32C();
        long sum = 0;
        for (long seq = first; seq < first + count; seq++) {
            int length = TopicMessages.length(SEED, seq, max);
            TopicMessages.fill(buffer, SEED, seq, length);
            crc.reset();
            crc.update(buffer.asSlice(0, length).asByteBuffer());
            sum += crc.getValue();
        }
        return sum;
    }

    private static int publisherWaiting(SharedTopic shared) {
        return shared.mapping().segment().get(ValueLayout.JAVA_INT, TopicDescriptor.PUBLISHER_WAITING_OFFSET);
    }

    // ---- C to C --------------------------------------------------------------------------------------------------

    @ParameterizedTest
    @ValueSource(strings = {"futex", "spin"})
    @Timeout(value = 5, unit = TimeUnit.MINUTES)
    void cPublisherReachesCSubscribersWholeAndInOrderOnABlockingTopic(String publisherWait) throws Exception {
        long count = 50_000;
        int max = 4096;
        createInC(1 << 20, max, OverflowPolicy.BLOCK);
        try (Capture sleeper = startCSubscriber(max, "--wait", "futex");
             Capture spinner = startCSubscriber(max, "--wait", "spin");
             Capture pub = Capture.start(cPublisher(max, count, "--wait", publisherWait, "--end"))) {
            long[] sent = published(pub.finish(Duration.ofSeconds(240)).assertSuccess());
            assertEquals(expectedSum(0, count, max), sent[2], "the publisher sent messages 0.." + (count - 1));
            for (Capture sub : List.of(sleeper, spinner)) {
                long[] got = received(sub.finish(Duration.ofSeconds(60)).assertSuccess());
                assertEquals(count, got[0], "received");
                assertEquals(0, got[1], "lost");
                assertEquals(sent[2], got[2], "checksum");
                assertEquals(count - 1, got[3], "last sequence");
            }
        }
        try (SharedTopic shared = SharedTopic.attach(name)) {
            assertEquals(count + 1, shared.topic().nextSequence(), "the messages and the end");
            assertTrue(shared.topic().subscribers().isEmpty(), "both C subscribers gave their slots back");
        }
    }

    @Test
    @Timeout(value = 5, unit = TimeUnit.MINUTES)
    void cPublisherLapsASlowCSubscriberOnAnOverwritingTopicWhichCountsExactlyWhatItLost() throws Exception {
        long count = 200_000;
        int max = 1000;
        createInC(64 * 1024, max, OverflowPolicy.OVERWRITE);
        try (Capture fast = startCSubscriber(max, "--wait", "futex");
             Capture slow = startCSubscriber(max, "--delay-us", "20");
             Capture pub = Capture.start(cPublisher(max, count, "--wait", "spin", "--end"))) {
            published(pub.finish(Duration.ofSeconds(120)).assertSuccess());
            long[] f = received(fast.finish(Duration.ofSeconds(60)).assertSuccess());
            long[] s = received(slow.finish(Duration.ofSeconds(120)).assertSuccess());
            assertEquals(count, f[0] + f[1], "fast: received + lost");
            assertEquals(count, s[0] + s[1], "slow: received + lost");
            assertTrue(s[1] > 0 && s[0] > 0, "the slow subscriber was lapped and read on: received " + s[0]
                    + ", lost " + s[1]);
            assertEquals(count - 1, s[3], "the last message is never lost: nothing is written after it");
        }
    }

    @Test
    @Timeout(value = 3, unit = TimeUnit.MINUTES)
    void aCSubscriberKilledWhileTheCPublisherBlocksOnItIsDroppedWithinASlice() throws Exception {
        long count = 20_000;
        int max = 1024;
        createInC(16 * 1024, max, OverflowPolicy.BLOCK);
        try (SharedTopic shared = SharedTopic.attach(name);
             Capture reader = startCSubscriber(max);
             Capture stuck = startCSubscriber(max, "--hang-after", "10");
             Capture pub = Capture.start(cPublisher(max, count, "--end"))) {
            Topic topic = shared.topic();
            // blocked on the stuck subscriber: it hangs, the publisher waits, the reader has taken everything (else
            // the publisher may be waiting for the reader and go on once it catches up), and the tail has stayed put
            // for 100 ms (a wait observed just before a wake-up would not be one)
            long[] since = {0, Long.MIN_VALUE};
            Await.until(Duration.ofSeconds(60), "the stuck subscriber to stop reading and the publisher to wait on it",
                    () -> {
                        long tail = topic.tailPosition();
                        boolean blocked = stuck.outSoFar().contains("hanging") && publisherWaiting(shared) == 1
                                && topic.subscribers().stream().filter(s -> s.lagBytes() > 0).count() == 1;
                        if (!blocked || tail != since[1]) {
                            since[0] = System.nanoTime();
                            since[1] = tail;
                            return false;
                        }
                        return System.nanoTime() - since[0] >= 100_000_000L;
                    });
            long blockedAt = topic.tailPosition();
            long threeSlices = System.nanoTime() + 300_000_000L;
            Await.until(Duration.ofSeconds(5), "three slices to pass", () -> System.nanoTime() - threeSlices >= 0);
            assertEquals(blockedAt, topic.tailPosition(), "the live stuck subscriber holds the publisher back");
            stuck.child().destroyForcibly();
            long killed = System.nanoTime();
            Await.until(Duration.ofSeconds(10), "the publisher to go on", () -> topic.tailPosition() != blockedAt);
            long millis = (System.nanoTime() - killed) / 1_000_000;
            assertTrue(millis < 1000, "the publisher went on " + millis + " ms after the kill (a slice is 100 ms)");
            long[] sent = published(pub.finish(Duration.ofSeconds(60)).assertSuccess());
            long[] got = received(reader.finish(Duration.ofSeconds(60)).assertSuccess());
            assertEquals(count, got[0]);
            assertEquals(0, got[1]);
            assertEquals(sent[2], got[2]);
            assertEquals(0, topic.subscriberCount(), "the dead subscriber's slot was freed: " + topic.subscribers());
        }
    }

    @ParameterizedTest
    @EnumSource(OverflowPolicy.class)
    @Timeout(value = 5, unit = TimeUnit.MINUTES)
    void aCPublisherKilledMidStreamLeavesNoTornMessageAndANewCPublisherContinues(OverflowPolicy policy)
            throws Exception {
        int max = 4096;
        long more = 2000;
        createInC(64 * 1024, max, policy);
        try (SharedTopic shared = SharedTopic.attach(name);
             Capture sub = startCSubscriber(max)) {
            Topic topic = shared.topic();
            MemorySegment header = shared.mapping().segment();
            int midWrite = 0;
            int rounds = 4;
            for (int round = 0; round < rounds; round++) {
                long from = topic.tailPosition();
                // three killed at a moment the test does not choose, the last in the middle of a message for sure
                boolean claim = round == rounds - 1;
                try (Capture doomed = Capture.start(claim ? cPublisher(max, 1000, "--then-claim")
                        : cPublisher(max, Long.MAX_VALUE / 2))) {
                    long target = from + (1 << 20) + 4096L * round;
                    Await.until(Duration.ofSeconds(60), "the doomed publisher to get well into the stream",
                            () -> claim ? doomed.outSoFar().contains("claimed") : topic.tailPosition() - target > 0);
                    doomed.child().destroyForcibly();
                    doomed.child().waitFor();
                }
                long intent = header.get(ValueLayout.JAVA_LONG, TopicDescriptor.INTENT_OFFSET);
                if (intent - topic.tailPosition() > 16) {
                    midWrite++; // killed between raising the intent and publishing the tail
                }
            }
            System.out.printf("%s: %d of %d publishers were killed in the middle of a message%n", policy, midWrite,
                    rounds);
            assertTrue(midWrite >= 1, "the claiming publisher died with its claim open");
            assertTrue(topic.publisherState().isDead(), topic.publisherState().toString());
            Capture.Result next = Capture.run(cPublisher(max, more, "--end")).assertSuccess();
            long first = firstSequence(next.out());
            long[] sent = published(next);
            assertEquals(first + more + 1, sent[1]);
            long[] got = received(sub.finish(Duration.ofSeconds(120)).assertSuccess());
            assertEquals(first + more, got[0] + got[1], "every message, received or (OVERWRITE) lost; none torn");
            assertEquals(first + more - 1, got[3]);
            if (policy == OverflowPolicy.BLOCK) {
                assertEquals(0, got[1], "BLOCK loses nothing");
            }
        }
    }

    // ---- Java and C ----------------------------------------------------------------------------------------------

    @Test
    @Timeout(value = 10, unit = TimeUnit.MINUTES)
    void javaPublisherReachesCSubscribersWithAMillionWholeMessagesOnABlockingTopic() throws Exception {
        long count = 1_000_000;
        int max = 1024;
        try (SharedTopic shared = SharedTopic.create(name, 1 << 20, max, OverflowPolicy.BLOCK);
             Capture sleeper = startCSubscriber(max, "--count", "" + count);
             Capture spinner = startCSubscriber(max, "--count", "" + count, "--wait", "spin")) {
            assertEquals(2, shared.topic().subscriberCount());
            long start = System.nanoTime();
            try (TopicPublisher pub = shared.topic().publisher()) {
                TopicMessages.publish(pub, SEED, 0, count, max);
            }
            long sum = expectedSum(0, count, max);
            for (Capture sub : List.of(sleeper, spinner)) {
                long[] got = received(sub.finish(Duration.ofSeconds(300)).assertSuccess());
                assertEquals(count, got[0], "received");
                assertEquals(0, got[1], "lost");
                assertEquals(sum, got[2], "checksum");
            }
            System.out.printf("Java publisher -> 2 C subscribers (futex, spin): %d messages of 0..%d bytes in %d ms%n",
                    count, max, (System.nanoTime() - start) / 1_000_000);
            assertTrue(shared.topic().subscribers().isEmpty(), shared.topic().subscribers().toString());
        }
    }

    @Test
    @Timeout(value = 10, unit = TimeUnit.MINUTES)
    void cPublisherReachesAJavaSubscriberWithAMillionWholeMessagesOnABlockingTopic() throws Exception {
        long count = 1_000_000;
        int max = 1024;
        try (SharedTopic shared = SharedTopic.create(name, 1 << 20, max, OverflowPolicy.BLOCK);
             TopicSubscriber sub = shared.topic().subscribe()) {
            CRC32C crc = new CRC32C();
            long[] sum = {0};
            long start = System.nanoTime();
            try (Capture pub = Capture.start(cPublisher(max, count))) {
                while (sub.receivedMessages() < count) {
                    sub.poll((type, payload) -> {
                        TopicMessages.check(SEED, sub.expectedSequence() - 1, max, type, payload);
                        crc.reset();
                        crc.update(payload.asByteBuffer());
                        sum[0] += crc.getValue();
                    }, 256, Duration.ofSeconds(60));
                }
                long[] sent = published(pub.finish(Duration.ofSeconds(60)).assertSuccess());
                assertEquals(sent[2], sum[0], "checksum");
            }
            System.out.printf("C publisher -> Java subscriber: %d messages of 0..%d bytes in %d ms%n", count, max,
                    (System.nanoTime() - start) / 1_000_000);
            assertEquals(count, sub.receivedMessages());
            assertEquals(0, sub.lostMessages());
            assertEquals(count, sub.expectedSequence());
        }
    }

    @Test
    @Timeout(value = 3, unit = TimeUnit.MINUTES)
    void javaPublisherTakingOverFromAKilledCPublisherStillWaitsForALiveCSubscriberAndThenGoesOn() throws Exception {
        int max = 1024;
        try (SharedTopic shared = SharedTopic.create(name, 16 * 1024, max, OverflowPolicy.BLOCK);
             Capture stuck = startCSubscriber(max, "--hang-after", "5")) {
            Topic topic = shared.topic();
            try (Capture doomed = Capture.start(cPublisher(max, 1_000_000))) {
                Await.until(Duration.ofSeconds(60), "the C publisher to wait for the stuck C subscriber",
                        () -> stuck.outSoFar().contains("hanging") && publisherWaiting(shared) == 1);
                doomed.child().destroyForcibly();
                doomed.child().waitFor();
            }
            long next = topic.nextSequence();
            MemorySegment payload = MemorySegment.ofArray(new byte[max]);
            try (TopicPublisher pub = topic.publisher()) {
                assertEquals(next, pub.nextSequence(), "the look-ahead says where to go on");
                assertTrue(!pub.offer(TopicMessages.type(next), payload), "the ring is a live subscriber's: no room");
                stuck.child().destroyForcibly();
                stuck.child().waitFor();
                assertTrue(pub.put(TopicMessages.type(next), payload, Duration.ofSeconds(10)),
                        "the dead subscriber is dropped");
            }
            assertEquals(next + 1, topic.nextSequence());
            assertEquals(0, topic.subscriberCount());
        }
    }

    @Test
    @Timeout(value = 5, unit = TimeUnit.MINUTES)
    void javaPublisherLapsASlowCSubscriberWhichCountsExactlyWhatItLostAndReadsNothingTorn() throws Exception {
        long count = 200_000;
        int max = 200;
        try (SharedTopic shared = SharedTopic.create(name, 16 * 1024, max, OverflowPolicy.OVERWRITE);
             Capture slow = startCSubscriber(max, "--count", "" + count, "--delay-us", "20");
             Capture spinner = startCSubscriber(max, "--count", "" + count, "--wait", "spin")) {
            try (TopicPublisher pub = shared.topic().publisher()) {
                TopicMessages.publish(pub, SEED, 0, count, max); // never waits
            }
            // the spinning one reads while the publisher overwrites: it is lapped in the middle of copies, too
            for (Capture sub : List.of(slow, spinner)) {
                long[] got = received(sub.finish(Duration.ofSeconds(120)).assertSuccess());
                System.out.printf("Java publisher -> C subscriber on OVERWRITE: received %d, lost %d%n", got[0],
                        got[1]);
                assertEquals(count, got[0] + got[1], "received + lost");
                assertTrue(got[0] > 0, "read on after being lapped: received " + got[0] + ", lost " + got[1]);
                assertEquals(count - 1, got[3]);
                if (sub == slow) {
                    assertTrue(got[1] > 0, "the slow one was lapped");
                }
            }
        }
    }

    @Test
    @Timeout(value = 3, unit = TimeUnit.MINUTES)
    void aCSubscriberLappedByAJavaPublisherThatNeverStopsStillDeliversWholeMessages() throws Exception {
        long count = 5_000;
        int max = 4096;
        try (SharedTopic shared = SharedTopic.create(name, 256 * 1024, max, OverflowPolicy.OVERWRITE);
             Capture chaser = startCSubscriber(max, "--receive", "" + count, "--wait", "spin")) {
            long published = 0;
            try (TopicPublisher pub = shared.topic().publisher()) {
                while (chaser.child().isAlive()) { // publishes until the subscriber has its messages (or failed)
                    TopicMessages.publish(pub, SEED, published, 256, max);
                    published += 256;
                }
            }
            long[] got = received(chaser.finish(Duration.ofSeconds(60)).assertSuccess());
            System.out.printf("C subscriber lapped by a Java publisher that never stops: published %d, received %d,"
                    + " lost %d%n", published, got[0], got[1]);
            assertTrue(got[0] >= count, "received " + got[0]);
            assertEquals(got[3] + 1, got[0] + got[1], "received + lost = every message up to its last");
        }
    }

    @Test
    @Timeout(value = 5, unit = TimeUnit.MINUTES)
    void cPublisherLapsASlowJavaSubscriberWhichCountsExactlyWhatItLost() throws Exception {
        long count = 200_000;
        int max = 200;
        try (SharedTopic shared = SharedTopic.create(name, 16 * 1024, max, OverflowPolicy.OVERWRITE);
             TopicSubscriber sub = shared.topic().subscribe()) {
            try (Capture pub = Capture.start(cPublisher(max, count))) {
                while (sub.receivedMessages() + sub.lostMessages() < count) {
                    sub.poll((type, payload) -> TopicMessages.check(SEED, sub.expectedSequence() - 1, max, type,
                            payload), 1, Duration.ofSeconds(60));
                    java.util.concurrent.locks.LockSupport.parkNanos(20_000);
                }
                published(pub.finish(Duration.ofSeconds(60)).assertSuccess());
            }
            assertEquals(count, sub.receivedMessages() + sub.lostMessages());
            assertTrue(sub.lostMessages() > 0, "lapped: lost " + sub.lostMessages());
        }
    }
}
