package jipc.channel;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.time.Duration;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

import jipc.process.ExitStatus;
import jipc.process.Spawn;
import jipc.testing.Await;
import jipc.testing.Background;
import jipc.testing.Capture;
import jipc.testing.Gcc;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * A consumer killed with SIGKILL in the middle of a poll, on both kinds of channel, while a producer keeps sending
 * (and blocks on the full ring once the consumer is gone): the next consumer (Java, or the C twin) receives every
 * message from the first one the dead consumer had not finished with, whole and in order, and the producer goes on.
 */
@Timeout(value = 3, unit = TimeUnit.MINUTES)
class ChannelConsumerCrashTest {
    private static final long SEED = 4242;
    private static final int MAX = 1000;
    private static final long TOTAL = 3000;
    private static final long COUNT = 1000;
    private static final int BATCH = 40;

    private String name;

    @BeforeEach
    void name() throws IOException {
        name = "/jipc-chan-crash-" + ProcessHandle.current().pid() + "-" + System.nanoTime();
        SharedChannel.unlinkIfExists(name);
    }

    @AfterEach
    void unlink() throws IOException {
        SharedChannel.unlinkIfExists(name);
    }

    private SharedChannel create(boolean many) throws IOException {
        // 64 KiB holds ~130 messages of up to 1000 bytes: the ring wraps many times, and fills while no one consumes
        return many ? SharedChannel.createManyToOne(name, 64 * 1024, MAX) : SharedChannel.create(name, 64 * 1024, MAX);
    }

    /** Messages 0..TOTAL-1 from a producer of its own (another attach), blocking on a full ring for up to 60 s. */
    private Future<Void> produce() {
        return Background.run("producer", () -> {
            try (SharedChannel producer = SharedChannel.attach(name)) {
                MessageChannel out = producer.messageChannel();
                byte[] message = new byte[MAX];
                for (long seq = 0; seq < TOTAL; seq++) {
                    int length = Messages.fill(message, SEED, seq, MAX);
                    if (!out.put(Messages.type(seq), message, 0, length, Duration.ofSeconds(60))) {
                        throw new AssertionError("no room for message " + seq + " within 60 s");
                    }
                }
            }
        });
    }

    private static String[] killAtReady(Capture doomed) throws Exception {
        Await.until(Duration.ofSeconds(60), "the consumer to reach the point it dies at",
                () -> doomed.outSoFar().contains("ready"));
        doomed.child().destroyForcibly();
        ExitStatus status = doomed.child().waitFor(Duration.ofSeconds(10)).orElseThrow();
        assertEquals(9, status.signal(), "killed by SIGKILL: " + status);
        String line = doomed.outSoFar().lines().filter(l -> l.startsWith("ready")).findFirst().orElseThrow();
        return line.split(" ");
    }

    @ParameterizedTest(name = "many producers: {0}")
    @ValueSource(booleans = {false, true})
    void consumerKilledInsideItsHandlerLeavesTheWholeBatchToTheNextConsumer(boolean many) throws Exception {
        try (SharedChannel shared = create(many)) {
            MessageChannel channel = shared.messageChannel();
            Future<Void> producer = produce();
            long first;
            try (Capture doomed = Capture.start(Spawn.java(ConsumerCrashChild.class, "die-in-handler", name,
                    "" + SEED, "" + MAX, "" + COUNT, "" + BATCH))) {
                first = Long.parseLong(killAtReady(doomed)[1]);
            }
            assertTrue(first <= COUNT && first > COUNT - BATCH, "first message of the interrupted poll: " + first);
            assertFalse(channel.isConsumerAlive(), "the killed consumer is seen dead");
            channel.registerConsumer();
            // Nothing of the interrupted poll was given back: its messages come again, then the rest, in order.
            Messages.receive(channel, SEED, first, TOTAL - first, MAX, Duration.ofSeconds(60));
            producer.get(60, TimeUnit.SECONDS);
            assertEquals(0, channel.poll((t, p) -> {
                throw new AssertionError("a message beyond the last: type " + t);
            }));
            assertEquals(channel.tailPosition(), channel.headPosition());
        }
    }

    @ParameterizedTest(name = "many producers: {0}, next consumer: {1}")
    @CsvSource({"false, java", "true, java", "false, c", "true, c"})
    void consumerKilledWhileGivingRoomBackIsFinishedByTheNextConsumer(boolean many, String next) throws Exception {
        try (SharedChannel shared = create(many)) {
            MessageChannel channel = shared.messageChannel();
            MemorySegment segment = shared.mapping().segment();
            Future<Void> producer = produce();
            long head;
            long pending;
            try (Capture doomed = Capture.start(Spawn.java(ConsumerCrashChild.class, "die-giving-back", name,
                    "" + SEED, "" + MAX, "" + COUNT, "" + BATCH))) {
                String[] ready = killAtReady(doomed);
                head = Long.parseLong(ready[1]);
                pending = Long.parseLong(ready[2]);
            }
            assertEquals(head, channel.headPosition(), "the dead consumer never published its head");
            assertEquals(pending, segment.get(ValueLayout.JAVA_LONG, ChannelDescriptor.PENDING_HEAD_OFFSET));
            assertFalse(channel.isConsumerAlive(), "the killed consumer is seen dead");
            long rest = TOTAL - COUNT - BATCH;
            if (next.equals("java")) {
                channel.registerConsumer();
                assertEquals(pending, channel.headPosition(), "registering finished the give-back");
                Messages.receive(channel, SEED, COUNT + BATCH, rest, MAX, Duration.ofSeconds(60));
            } else {
                Capture.Result c = Capture.run(Spawn.command(Gcc.program("channel_peer", "jipc_channel.c",
                        "jipc_live.c").toString(), "consume", name, "" + SEED, "" + MAX, "" + (COUNT + BATCH),
                        "" + rest));
                c.assertSuccess();
                assertEquals("received " + rest + "\n", c.out());
            }
            producer.get(60, TimeUnit.SECONDS);
            assertEquals(channel.tailPosition(), channel.headPosition());
        }
    }

    @Test
    void anImpossiblePendingHeadIsReportedAsCorruptionAtRegistration() throws Exception {
        try (SharedChannel shared = create(false)) {
            MemorySegment segment = shared.mapping().segment();
            segment.set(ValueLayout.JAVA_LONG, ChannelDescriptor.PENDING_HEAD_OFFSET, 1L << 40);
            ChannelCorruptedException e = assertThrows(ChannelCorruptedException.class,
                    () -> shared.channel().registerConsumer());
            assertTrue(e.getMessage().contains("pending head=1099511627776"), e.getMessage());
            assertEquals(0, shared.channel().headPosition(), "nothing was zeroed or published");
        }
    }
}
