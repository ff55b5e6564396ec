package jipc.channel;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import jipc.process.ExitStatus;
import jipc.process.Spawn;
import jipc.testing.Await;
import jipc.testing.Capture;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * A many-producer channel in POSIX shared memory, fed by child JVMs: bulk transfer from three producers at once, and
 * producers killed with SIGKILL in the middle of a claim (after the header, and before it), stopped with SIGSTOP
 * first to show that a live, slow producer is waited for.
 */
class ManyProducerProcessTest {
    static final long SEED = 0xC0FFEE_5EEDL;
    private static final int SIGKILL = 9;
    private static final int SIGSTOP = 19;

    private String name;

    @BeforeEach
    void name() throws IOException {
        name = "/jipc-mpsc-test-" + ProcessHandle.current().pid() + "-" + System.nanoTime();
        SharedChannel.unlinkIfExists(name);
    }

    @AfterEach
    void unlink() throws IOException {
        SharedChannel.unlinkIfExists(name);
    }

    /** Checks each producer's messages in its own order; {@code next[p]} is producer p's next sequence number. */
    static final class Receiver implements MessageHandler {
        final long[] next;
        final int max;
        final byte[] scratch;

        Receiver(int producers, int max) {
            this.next = new long[producers];
            this.max = max;
            this.scratch = new byte[max];
        }

        @Override
        public void onMessage(int type, MemorySegment payload) {
            int p = type - 1;
            if (p < 0 || p >= next.length) {
                throw new AssertionError("type " + type + " names no producer");
            }
            // Messages.check verifies length, the carried sequence number, the CRC32C and every byte
            Messages.check(SEED + p, next[p], max, Messages.type(next[p]), payload, scratch);
            next[p]++;
        }

        long total() {
            long sum = 0;
            for (long n : next) {
                sum += n;
            }
            return sum;
        }

        /** Polls until {@code done} holds, failing if {@code timeout} passes without a message. */
        void receiveUntil(ManyToOneChannel channel, Duration timeout, Await.Condition done) throws Exception {
            while (!done.holds()) {
                long before = total();
                channel.poll(this, Duration.ofMillis(50));
                if (total() == before) {
                    long start = System.nanoTime();
                    while (!done.holds() && channel.poll(this, Duration.ofMillis(50)) == 0) {
                        if (System.nanoTime() - start > timeout.toNanos()) {
                            throw new AssertionError("no message within " + timeout + "; received "
                                    + java.util.Arrays.toString(next));
                        }
                    }
                }
            }
        }
    }

    @Test
    void threeProducerProcessesDeliverTenMillionMessagesWholeAndInEachProducersOrder() throws Exception {
        int max = 256;
        long count = 3_333_334; // per producer: 10 000 002 in all, lengths 1..256 at random, checksummed and numbered
        List<Capture> producers = new ArrayList<>();
        try (SharedChannel shared = SharedChannel.createManyToOne(name, 256 * 1024, max)) {
            ManyToOneChannel channel = shared.manyToOne().registerConsumer();
            try {
                for (int p = 0; p < 3; p++) {
                    producers.add(Capture.start(Spawn.java(ManyProducerChild.class, "produce", name, "" + SEED,
                            "" + max, "" + p, "" + count)));
                }
                Receiver receiver = new Receiver(3, max);
                receiver.receiveUntil(channel, Duration.ofSeconds(240), () -> receiver.total() == 3 * count);
                for (Capture producer : producers) {
                    producer.finish(Duration.ofSeconds(60)).assertSuccess();
                }
                assertEquals(0, channel.poll(receiver, Duration.ofMillis(50)), "nothing after the last messages");
                assertEquals(channel.tailPosition(), channel.headPosition());
                for (int i = 0; i < ChannelDescriptor.MAX_PRODUCER_SLOTS; i++) {
                    assertEquals(0, shared.mapping().segment().get(ValueLayout.JAVA_LONG,
                            ChannelDescriptor.producerSlotOffset(i)), "producer slot " + i + " freed on close");
                }
            } finally {
                for (Capture producer : producers) {
                    producer.close();
                }
            }
        }
    }

    @Test
    void deadProducersClaimsAreSkippedOnlyOnceTheyAreDeadAndTheOthersContinue() throws Exception {
        int max = 400;
        long before = 1000;
        long after = 20_000;
        try (SharedChannel shared = SharedChannel.createManyToOne(name, 1024 * 1024, max);
             Capture half = Capture.start(Spawn.java(ManyProducerChild.class, "claim-half", name, "" + SEED,
                     "" + max, "0", "" + before))) {
            ManyToOneChannel channel = shared.manyToOne().registerConsumer();
            Receiver receiver = new Receiver(3, max);
            // 1. producer 0 sends 1000 messages, claims the next one and writes half of it
            receiver.receiveUntil(channel, Duration.ofSeconds(60),
                    () -> receiver.next[0] == before && half.outSoFar().contains("ready"));
            // (a padding record in front of the claim, if it wrapped, is consumed by one more poll)
            assertEquals(0, channel.poll(receiver, Duration.ofMillis(100)));
            long halfClaim = channel.headPosition();
            assertTrue(channel.tailPosition() > halfClaim, "producer 0's claim is below the tail");
            try (Capture noHeader = Capture.start(Spawn.java(ManyProducerChild.class, "claim-no-header", name,
                    "" + SEED, "" + max, "1", "" + before))) {
                // 2. producer 1 sends 1000 messages behind it (the ring holds them all) and stops between its
                //    claim's CAS and its header; the consumer cannot get them past producer 0's open claim yet
                Await.until(Duration.ofSeconds(60), "producer 1 to stop after its claim",
                        () -> noHeader.outSoFar().contains("ready"));
                long noHeaderClaim = claimPositionOfPid(shared, noHeader.child().pid());
                assertTrue(noHeaderClaim > halfClaim, "producer 1 claimed after producer 0");
                try (Capture other = Capture.start(Spawn.java(ManyProducerChild.class, "produce", name,
                        "" + SEED, "" + max, "2", "" + after))) {
                    // 3. both stopped (alive, only slow): the consumer waits at producer 0's claim
                    half.child().signal(SIGSTOP);
                    noHeader.child().signal(SIGSTOP);
                    assertNothingSkippedFor(channel, receiver, Duration.ofMillis(500), halfClaim);
                    assertEquals(0, receiver.next[1], "nothing of producer 1 passes producer 0's open claim");
                    // 4. producer 0 dies: its claim is skipped, producer 1's 1000 messages arrive, and the
                    //    consumer waits at producer 1's header-less claim while producer 1 lives
                    kill(half);
                    receiver.receiveUntil(channel, Duration.ofSeconds(30), () -> receiver.next[1] == before);
                    Await.until(Duration.ofSeconds(30), "the consumer to reach producer 1's claim",
                            () -> {
                                channel.poll(receiver, Duration.ofMillis(20));
                                return channel.headPosition() == noHeaderClaim;
                            });
                    assertNothingSkippedFor(channel, receiver, Duration.ofMillis(500), noHeaderClaim);
                    assertEquals(before, receiver.next[0], "no part of producer 0's half message arrived");
                    // 5. producer 1 dies: its zeros are skipped and producer 2 finishes
                    kill(noHeader);
                    receiver.receiveUntil(channel, Duration.ofSeconds(60), () -> receiver.next[2] == after);
                    other.finish(Duration.ofSeconds(60)).assertSuccess();
                }
            }
            assertEquals(0, channel.poll(receiver, Duration.ofMillis(100)), "nothing after the last message");
            assertEquals(before, receiver.next[0]);
            assertEquals(before, receiver.next[1]);
            assertEquals(channel.tailPosition(), channel.headPosition());
            // the channel goes on: a new producer takes a slot (perhaps a dead one's) and is heard
            try (Capture late = Capture.start(Spawn.java(ManyProducerChild.class, "produce", name, "" + SEED,
                    "" + max, "0", "" + 10))) {
                Receiver fresh = new Receiver(1, max);
                fresh.receiveUntil(channel, Duration.ofSeconds(30), () -> fresh.next[0] == 10);
                late.finish(Duration.ofSeconds(30)).assertSuccess();
            }
        }
    }

    /** Polls for {@code duration} and asserts that the head stays at {@code position} and no message arrives. */
    static void assertNothingSkippedFor(ManyToOneChannel channel, Receiver receiver, Duration duration,
                                        long position) throws Exception {
        long total = receiver.total();
        long end = System.nanoTime() + duration.toNanos();
        while (System.nanoTime() - end < 0) {
            channel.poll(receiver, Duration.ofMillis(50));
            assertEquals(position, channel.headPosition(), "the consumer skipped a live producer's claim");
        }
        assertEquals(total, receiver.total(), "a message passed a live producer's open claim");
    }

    static void kill(Capture capture) throws IOException {
        capture.child().signal(SIGKILL);
        ExitStatus status = capture.child().waitFor(Duration.ofSeconds(10)).orElseThrow();
        assertEquals(SIGKILL, status.signal(), "killed by SIGKILL: " + status);
    }

    /** The claim position in the producer slot of the process {@code pid}. */
    static long claimPositionOfPid(SharedChannel shared, int pid) {
        MemorySegment segment = shared.mapping().segment();
        for (int i = 0; i < ChannelDescriptor.MAX_PRODUCER_SLOTS; i++) {
            long offset = ChannelDescriptor.producerSlotOffset(i);
            if (segment.get(ValueLayout.JAVA_LONG, offset + ChannelDescriptor.SLOT_PARTY_OFFSET) != 0
                    && segment.get(ValueLayout.JAVA_INT, offset + ChannelDescriptor.SLOT_PID_OFFSET) == pid) {
                return segment.get(ValueLayout.JAVA_LONG, offset + ChannelDescriptor.SLOT_CLAIM_OFFSET);
            }
        }
        throw new AssertionError("no producer slot of pid " + pid);
    }
}
