package jipc.topic;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.lang.foreign.MemorySegment;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import jipc.live.PartyState;
import jipc.process.Spawn;
import jipc.testing.Await;
import jipc.testing.Capture;
import jipc.testing.Gcc;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** The topic between JVMs: bulk fan-out to four subscriber processes, and peers killed with SIGKILL. */
class TopicProcessTest {
    private static final long SEED = 0x70_91C5L;
    private String name;

    @BeforeEach
    void name() throws IOException {
        name = "/jipc-topic-proc-" + ProcessHandle.current().pid() + "-" + System.nanoTime();
        SharedTopic.unlinkIfExists(name);
    }

    @AfterEach
    void unlink() throws IOException {
        SharedTopic.unlinkIfExists(name);
    }

    @Test
    @Timeout(value = 10, unit = TimeUnit.MINUTES)
    void fourSubscriberJvmsAndACSubscriberEachReceiveTenMillionRandomMessagesWholeAndInOrder() throws Exception {
        long count = 10_000_000;
        int max = 4096; // lengths 0..4 KiB at random, each checked byte for byte against its sequence number
        try (SharedTopic shared = SharedTopic.create(name, 1 << 20, max)) {
            List<Capture> subs = new ArrayList<>();
            try {
                for (int i = 0; i < 4; i++) {
                    subs.add(Capture.start(Spawn.java(TopicChild.class, "sub", name, "" + SEED, "" + max, "" + count)));
                }
                // and the C twin as a fifth subscriber, checking every byte the same way
                Capture c = Capture.start(Spawn.command(Gcc.program("topic_sub", "jipc_topic.c", "jipc_live.c").toString(),
                        name, "" + SEED, "" + max, "--count", "" + count, "--timeout-s", "300"));
                subs.add(c);
                for (Capture sub : subs) {
                    Await.until(Duration.ofSeconds(60), "a subscriber joined", () -> sub.outSoFar().startsWith("joined"));
                }
                assertEquals(5, shared.topic().subscriberCount());
                try (TopicPublisher pub = shared.topic().publisher()) {
                    TopicMessages.publish(pub, SEED, 0, count, max);
                }
                for (Capture sub : subs.subList(0, 4)) {
                    Capture.Result r = sub.finish(Duration.ofSeconds(600)).assertSuccess();
                    assertTrue(r.out().contains("done " + count + " 0"), r.out());
                }
                Capture.Result r = c.finish(Duration.ofSeconds(600)).assertSuccess();
                assertTrue(r.out().contains("received " + count + " lost 0 "), r.out());
            } finally {
                for (Capture sub : subs) {
                    sub.close();
                }
            }
        }
    }

    @Test
    void aSubscriberKilledWhileTheBlockingPublisherWaitsOnItIsDroppedWithinASlice() throws Exception {
        int max = 100;
        try (SharedTopic shared = SharedTopic.create(name, 4096, max);
             Capture holder = Capture.start(Spawn.java(TopicChild.class, "hold", name));
             TopicSubscriber reader = shared.topic().subscribe();
             TopicPublisher pub = shared.topic().publisher()) {
            Await.until(Duration.ofSeconds(60), "the holder joined", () -> holder.outSoFar().startsWith("joined"));
            MemorySegment payload = MemorySegment.ofArray(new byte[max]);
            while (pub.offer(1, payload)) {
                reader.poll((t, p) -> { }, 100); // the live subscriber keeps up; only the holder lags
            }
            assertFalse(pub.put(1, payload, Duration.ofMillis(200)), "the live holder keeps the ring full");
            holder.child().signal(9);
            long start = System.nanoTime();
            assertTrue(pub.put(1, payload, Duration.ofSeconds(30)), "the dead holder no longer holds the ring");
            long millis = (System.nanoTime() - start) / 1_000_000;
            assertEquals(1, shared.topic().subscriberCount(), "the dead holder's slot is free: " + millis + " ms");
            reader.poll((t, p) -> { }, 1000);
            assertEquals(0, reader.lostMessages());
        }
    }

    @Test
    void aPublisherKilledMidWriteLeavesOnlyWholeMessagesAndANewPublisherContinues() throws Exception {
        for (OverflowPolicy policy : OverflowPolicy.values()) {
            SharedTopic.unlinkIfExists(name);
            int max = 1000;
            long first = 5000;
            try (SharedTopic shared = SharedTopic.create(name, 64 * 1024, max, policy);
                 TopicSubscriber sub = shared.topic().subscribe()) {
                long[] n = {0};
                try (Capture doomed = Capture.start(Spawn.java(TopicChild.class, "pub-then-claim", name, "" + SEED,
                        "" + max, "0", "" + first))) {
                    while (!doomed.outSoFar().contains("claimed")) {
                        sub.poll((t, p) -> {
                            TopicMessages.check(SEED, sub.expectedSequence() - 1, max, t, p);
                            n[0]++;
                        }, 100, Duration.ofMillis(10));
                    }
                    doomed.child().signal(9);
                    doomed.child().waitFor();
                }
                while (sub.poll((t, p) -> {
                    TopicMessages.check(SEED, sub.expectedSequence() - 1, max, t, p);
                    n[0]++;
                }, 1000) > 0) {
                    // the rest of the whole messages
                }
                assertEquals(first, n[0] + sub.lostMessages(), policy + ": every whole message, nothing torn");
                assertEquals(first, shared.topic().nextSequence());
                assertTrue(shared.topic().publisherState().isDead(), shared.topic().publisherState().toString());
                try (TopicPublisher next = shared.topic().publisher()) {
                    assertEquals(first, next.nextSequence());
                    TopicMessages.publish(next, SEED, first, 100, max);
                }
                while (n[0] + sub.lostMessages() < first + 100) {
                    sub.poll((t, p) -> {
                        TopicMessages.check(SEED, sub.expectedSequence() - 1, max, t, p);
                        n[0]++;
                    }, 1000, Duration.ofSeconds(10));
                }
                if (policy == OverflowPolicy.BLOCK) {
                    assertEquals(0, sub.lostMessages());
                }
            }
        }
    }

    @Test
    void anOverwritingPublisherLapsASlowSubscriberProcessWhichCountsExactlyWhatItLost() throws Exception {
        long count = 200_000;
        int max = 200;
        try (SharedTopic shared = SharedTopic.create(name, 16 * 1024, max, OverflowPolicy.OVERWRITE);
             Capture slow = Capture.start(Spawn.java(TopicChild.class, "slow", name, "" + SEED, "" + max,
                     "" + count))) {
            Await.until(Duration.ofSeconds(60), "the slow subscriber joined", () -> slow.outSoFar().startsWith("joined"));
            try (TopicPublisher pub = shared.topic().publisher()) {
                TopicMessages.publish(pub, SEED, 0, count, max); // never waits
            }
            Capture.Result r = slow.finish(Duration.ofSeconds(120)).assertSuccess();
            String[] done = r.out().lines().filter(l -> l.startsWith("done")).findFirst().orElseThrow().split(" ");
            long received = Long.parseLong(done[1]);
            long lost = Long.parseLong(done[2]);
            assertEquals(count, received + lost, r.out());
            assertTrue(lost > 0 && received > 0, r.out());
            List<SubscriberInfo> none = shared.topic().subscribers();
            assertTrue(none.isEmpty(), none.toString());
        }
    }

    @Test
    @Timeout(value = 3, unit = TimeUnit.MINUTES)
    void aSubscriberProcessLappedByAPublisherThatNeverStopsStillDeliversWholeMessages() throws Exception {
        // A publisher that writes a record faster than the subscriber copies one: a subscriber that always resumed
        // at the oldest record (the next one overwritten) would lose every copy to it while the publisher runs.
        long count = 2_000;
        int length = 8192;
        try (SharedTopic shared = SharedTopic.create(name, 1 << 20, length, OverflowPolicy.OVERWRITE);
             Capture chaser = Capture.start(Spawn.java(TopicChild.class, "chase", name, "" + length,
                     "" + count))) {
            Await.until(Duration.ofSeconds(60), "the subscriber joined", () -> chaser.outSoFar().startsWith("joined"));
            long joined = Long.parseLong(chaser.outSoFar().lines().findFirst().orElseThrow().split(" ")[2]);
            long published = 0;
            try (TopicPublisher pub = shared.topic().publisher()) {
                while (!chaser.outSoFar().contains("done")) { // publishes until the subscriber has its messages
                    for (int i = 0; i < 256; i++, published++) {
                        MemorySegment room = pub.claim(TopicMessages.type(published), length, Duration.ZERO);
                        TopicMessages.fillChase(room, published);
                        pub.commit();
                    }
                }
            }
            Capture.Result r = chaser.finish(Duration.ofSeconds(60)).assertSuccess();
            String[] done = r.out().lines().filter(l -> l.startsWith("done")).findFirst().orElseThrow().split(" ");
            long received = Long.parseLong(done[1]);
            long lost = Long.parseLong(done[2]);
            long expected = Long.parseLong(done[3]);
            System.out.printf("lapped subscriber: published %d, received %d, lost %d in %s gaps%n", published, received,
                    lost, done[4]);
            assertTrue(received >= count, "delivered " + received + " of " + count + " in a minute while lapped again"
                    + " and again (published " + published + ", lost " + lost + ")");
            assertEquals(expected - joined, received + lost, "every message it went past was delivered or counted");
            assertTrue(lost > 0, "it was lapped: lost " + lost + " of " + published);
        }
    }

    @Test
    void statShowsEachSubscribersLagCountsAndLiveness() throws Exception {
        try (SharedTopic shared = SharedTopic.create(name, 4096, 64, OverflowPolicy.OVERWRITE);
             Capture holder = Capture.start(Spawn.java(TopicChild.class, "hold", name));
             TopicPublisher pub = shared.topic().publisher()) {
            Await.until(Duration.ofSeconds(60), "the holder joined", () -> holder.outSoFar().startsWith("joined"));
            pub.offer(1, MemorySegment.ofArray(new byte[16]));
            SubscriberInfo info = shared.topic().subscribers().getFirst();
            assertEquals(holder.child().pid(), info.pid());
            assertEquals(PartyState.Life.ALIVE, info.state().life());
            assertEquals(32, info.lagBytes());
            holder.child().signal(9);
            holder.child().waitFor();
            assertEquals(PartyState.Life.DEAD, shared.topic().subscribers().getFirst().state().life());
            // the dead holder's slot is taken over once no slot is free
            List<TopicSubscriber> live = new ArrayList<>();
            try {
                for (int i = 0; i < TopicDescriptor.SLOT_COUNT; i++) {
                    live.add(shared.topic().subscribe());
                }
                assertEquals(info.slot(), live.getLast().slot());
                assertTrue(shared.topic().subscribers().stream().allMatch(s -> s.state().mayBeAlive()));
            } finally {
                live.forEach(TopicSubscriber::close);
            }
        }
    }
}
