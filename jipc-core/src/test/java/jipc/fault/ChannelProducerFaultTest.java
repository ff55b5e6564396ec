package jipc.fault;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import jipc.channel.MessageChannel;
import jipc.channel.SharedChannel;
import jipc.fault.Faults.Kind;
import jipc.process.Spawn;
import jipc.testing.Await;
import jipc.testing.Capture;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Fault matrix, channel rows with the producer killed: a producer child JVM is SIGKILLed before a claim, after
 * tryClaim, with the whole payload written but not committed, or while blocked in put on a full ring. The consumer
 * (this JVM) receives every committed message whole, in order, exactly once, and nothing of the dead one's open
 * claim; a new producer then sends over the dead one's bytes. Killed mid-copy and (many producers) between the
 * claim's CAS and its header: {@code ChannelProcessTest} and {@code ManyProducerProcessTest}.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class ChannelProducerFaultTest {
    private static final int MAX = 300;
    private static final long BEFORE = 600;
    private static final long AFTER = 1000;

    private String name;

    @BeforeEach
    void name() throws Exception {
        name = Faults.shmName("chan");
    }

    @AfterEach
    void unlink() throws Exception {
        SharedChannel.unlinkIfExists(name);
    }

    static List<Arguments> points() {
        List<Arguments> points = new ArrayList<>();
        for (Kind kind : Kind.values()) {
            for (String point : List.of("idle", "claimed", "written", "blocked-put")) {
                points.add(Arguments.of(kind, point));
            }
        }
        return points;
    }

    @ParameterizedTest(name = "{0}: producer killed {1}")
    @MethodSource("points")
    void consumerGetsEveryCommittedMessageWholeAndANewProducerContinues(Kind kind, String point) throws Exception {
        boolean blocked = point.equals("blocked-put");
        // A small ring for the blocked producer (it fills it at once); for the others one that wraps a few times.
        long capacity = blocked ? 8192 : 32 * 1024;
        try (SharedChannel shared = kind.create(name, capacity, MAX);
             Capture doomed = Capture.start(Spawn.java(ChannelFaultChild.class, "produce", name, "" + MAX, "0", "1",
                     "" + BEFORE, point))) {
            MessageChannel consumer = shared.messageChannel().registerConsumer();
            Faults.Receiver receiver = new Faults.Receiver(MAX);
            if (blocked) {
                // nobody consumes: the producer fills the ring and goes to sleep in FUTEX_WAIT inside put
                Await.until(Duration.ofSeconds(60), "the producer to block on the full ring",
                        () -> Faults.producersWaiting(shared) != 0);
            } else {
                Await.until(Duration.ofSeconds(60), "the producer to stop " + point, () -> {
                    consumer.poll(receiver, Duration.ofMillis(10));
                    return doomed.outSoFar().contains("ready");
                });
            }
            long tail = consumer.tailPosition();
            Faults.kill(doomed.child());
            if (blocked) {
                // the dead sleeper never clears its bit (unless killed between two sleep slices); nobody else sleeps
                long waiting = Faults.producersWaiting(shared);
                assertTrue(Long.bitCount(waiting) <= 1, "producers waiting: 0x" + Long.toHexString(waiting));
            }
            long committed = Faults.lines(doomed.finish().out(), "committed ");

            receiver.drain(consumer, Duration.ofMillis(300));
            assertEquals(committed, receiver.next(0, 1), "every committed message arrived, and nothing else");
            if (!blocked) {
                assertEquals(BEFORE, committed);
            }
            if (kind == Kind.ONE_TO_ONE) {
                assertEquals(tail, consumer.tailPosition(), "the dead producer published nothing more");
            }
            assertEquals(consumer.tailPosition(), consumer.headPosition(), "the consumer is at the tail");

            // A new producer continues, over the dead one's bytes and around the ring several times.
            MessageChannel next = kind.attach(shared.mapping().segment());
            try {
                MemorySegment message = Arena.ofAuto().allocate(MAX);
                long deadline = System.nanoTime() + 30_000_000_000L;
                for (long seq = 0; seq < AFTER; seq++) {
                    int length = FaultMessages.fill(message, 0, 2, seq, MAX);
                    while (!next.offer(FaultMessages.type(0), message.asSlice(0, length))) {
                        consumer.poll(receiver);
                        if (System.nanoTime() - deadline > 0) {
                            throw new AssertionError("the ring stays full: consumer stuck at position "
                                    + consumer.headPosition() + ", tail " + consumer.tailPosition());
                        }
                    }
                }
                receiver.drain(consumer, Duration.ofMillis(100));
            } finally {
                Faults.detach(next);
            }
            assertEquals(AFTER, receiver.next(0, 2));
            assertEquals(committed, receiver.next(0, 1), "nothing more of the dead producer");
            assertEquals(consumer.tailPosition(), consumer.headPosition());
        }
    }
}
