package jipc.channel;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.file.Path;
import java.time.Duration;

import jipc.process.Spawn;
import jipc.testing.Await;
import jipc.testing.Capture;
import jipc.testing.Gcc;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Batches ({@link RingChannel#beginBatch()}, C {@code jipc_channel_begin_batch}): the producer's wake-up check runs
 * once per batch, before the producer waits for room, and when it detaches; messages still reach a consumer in
 * another process, Java or C, in order and intact.
 *
 * <p>The wake protocol's state is checked where no consumer runs: the test announces a sleeping consumer itself (the
 * waiting flag = 1, as a consumer does before its {@code FUTEX_WAIT}) and reads what the producer did with it, so
 * no wait slice can end in between.
 */
class ChannelBatchTest {
    private static final long SEED = 91;
    private static final int MAX = 1000;
    private static final long COUNT = 300_000;

    private String name;

    @BeforeEach
    void name() throws IOException {
        name = "/jipc-batch-" + ProcessHandle.current().pid() + "-" + System.nanoTime();
        SharedChannel.unlinkIfExists(name);
    }

    @AfterEach
    void unlink() throws IOException {
        SharedChannel.unlinkIfExists(name);
    }

    private static MemorySegment heap(long capacity) {
        return MemorySegment.ofArray(new long[(int) (ChannelDescriptor.segmentSize(capacity) / 8)]);
    }

    private static void announceSleepingConsumer(MemorySegment segment) {
        segment.set(ValueLayout.JAVA_INT, ChannelDescriptor.CONSUMER_WAITING_OFFSET, 1);
    }

    private static int waiting(MemorySegment segment) {
        return segment.get(ValueLayout.JAVA_INT, ChannelDescriptor.CONSUMER_WAITING_OFFSET);
    }

    private static int wakes(MemorySegment segment) {
        return segment.get(ValueLayout.JAVA_INT, ChannelDescriptor.CONSUMER_WAKE_OFFSET);
    }

    private static void checkOneWakePerBatch(MemorySegment segment, RingChannel channel) {
        MemorySegment payload = MemorySegment.ofArray(new byte[16]);
        announceSleepingConsumer(segment);
        channel.beginBatch();
        channel.beginBatch(); // idempotent
        for (int i = 0; i < 5; i++) {
            assertTrue(channel.offer(1, payload));
        }
        assertEquals(1, waiting(segment), "a commit in a batch left the consumer's flag alone");
        assertEquals(0, wakes(segment), "no wake-up before the batch ends");
        channel.endBatch();
        assertEquals(0, waiting(segment), "endBatch took the flag");
        assertEquals(1, wakes(segment), "one wake-up for the batch's five messages");
        channel.endBatch(); // nothing open, nothing pending: no second wake-up
        announceSleepingConsumer(segment);
        channel.beginBatch();
        channel.endBatch();
        assertEquals(1, wakes(segment), "an empty batch wakes nobody");
        assertTrue(channel.offer(1, payload));
        assertEquals(2, wakes(segment), "outside a batch the commit wakes at once");
        assertEquals(6, channel.poll((type, message) -> { }));
    }

    @Test
    void aBatchMakesOneWakeUpCheckAtItsEnd() {
        MemorySegment segment = heap(4096);
        checkOneWakePerBatch(segment, OneToOneChannel.create(segment, 4096, 64));
    }

    @Test
    void aManyProducerBatchMakesOneWakeUpCheckAtItsEnd() {
        MemorySegment segment = heap(4096);
        checkOneWakePerBatch(segment, ManyToOneChannel.create(segment, 4096, 64));
    }

    @Test
    void aPutThatMustWaitWakesTheConsumerFirst() throws InterruptedException {
        MemorySegment segment = heap(1024);
        OneToOneChannel channel = OneToOneChannel.create(segment, 1024, 64);
        MemorySegment payload = MemorySegment.ofArray(new byte[64]);
        channel.beginBatch();
        while (channel.offer(1, payload)) {
            // fill the ring inside the batch
        }
        announceSleepingConsumer(segment);
        assertEquals(0, wakes(segment));
        assertFalse(channel.put(1, payload, Duration.ofMillis(20)), "no consumer: no room comes");
        assertEquals(1, wakes(segment), "the put woke the consumer before it waited for room");
        assertEquals(0, waiting(segment));
        channel.endBatch();
        assertEquals(1, wakes(segment), "nothing was committed since");
    }

    @Test
    void detachingAProducerEndsItsBatch() {
        MemorySegment segment = heap(4096);
        OneToOneChannel channel = OneToOneChannel.create(segment, 4096, 64);
        announceSleepingConsumer(segment);
        channel.beginBatch();
        assertTrue(channel.offer(1, MemorySegment.ofArray(new byte[8])));
        channel.detachProducer();
        assertEquals(1, wakes(segment), "the deferred wake-up happened when the producer left");
    }

    @Test
    void javaBatchesReachASleepingCConsumerIntact() throws Exception {
        Path program = Gcc.program("channel_peer", "jipc_channel.c", "jipc_live.c");
        try (SharedChannel shared = SharedChannel.create(name, 64 * 1024, MAX);
             Capture consumer = Capture.start(Spawn.command(program.toString(), "consume", name, "" + SEED,
                     "" + MAX, "0", "" + COUNT))) {
            OneToOneChannel channel = shared.channel();
            Await.until(Duration.ofSeconds(10), "the C consumer to register",
                    () -> channel.consumerPid() == consumer.child().pid());
            byte[] message = new byte[MAX];
            for (long seq = 0; seq < COUNT; seq++) {
                if (seq % 100 == 0) {
                    channel.endBatch();
                    channel.beginBatch();
                }
                int length = Messages.fill(message, SEED, seq, MAX);
                assertTrue(channel.put(Messages.type(seq), message, 0, length, Duration.ofSeconds(60)),
                        "no room for message " + seq + " within 60 s");
            }
            channel.endBatch();
            assertEquals("received " + COUNT + "\n", consumer.finish(Duration.ofSeconds(60)).assertSuccess().out());
        }
    }

    @Test
    void cBatchesReachASleepingJavaConsumerIntact() throws Exception {
        Path program = Gcc.program("channel_peer", "jipc_channel.c", "jipc_live.c");
        try (SharedChannel shared = SharedChannel.create(name, 64 * 1024, MAX);
             Capture producer = Capture.start(Spawn.command(program.toString(), "produce-batch", name, "" + SEED,
                     "" + MAX, "0", "" + COUNT))) {
            OneToOneChannel channel = shared.channel().registerConsumer();
            Messages.receive(channel, SEED, 0, COUNT, MAX, Duration.ofSeconds(60));
            producer.finish(Duration.ofSeconds(60)).assertSuccess();
            assertEquals(0, channel.poll((t, p) -> { }, Duration.ofMillis(50)));
        }
    }

    @Test
    void theCTwinChecksOnceAtTheEndOfItsBatch() throws Exception {
        Path program = Gcc.program("channel_peer", "jipc_channel.c", "jipc_live.c");
        try (SharedChannel shared = SharedChannel.create(name, 64 * 1024, MAX)) {
            MemorySegment segment = shared.mapping().segment();
            announceSleepingConsumer(segment);
            // 40 messages, one batch (the C peer opens one per 64): no room problem, no wait, one check at the end
            Capture.Result result = Capture.run(Spawn.command(program.toString(), "produce-batch", name, "" + SEED,
                    "" + MAX, "0", "40"));
            assertEquals(0, result.status().code(), result.toString());
            assertEquals(0, waiting(segment), "the C producer's batch end took the flag");
            assertEquals(1, wakes(segment), "one wake-up for 40 messages");
            OneToOneChannel channel = shared.channel();
            Messages.receive(channel, SEED, 0, 40, MAX, Duration.ofSeconds(10));
        }
    }
}
