package jipc.channel;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;

import jipc.live.PartyState;
import jipc.process.Spawn;
import jipc.testing.Await;
import jipc.testing.Capture;
import jipc.testing.Gcc;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The C twin ({@code native/jipc_channel.c}, compiled with gcc into {@code src/test/c/channel_peer.c}) at either end
 * of a channel that Java created in POSIX shared memory: the same layout, records and wake protocol.
 */
class ChannelCTest {
    private static final long SEED = 77;
    private static final long COUNT = 500_000;
    private static final int MAX = 1000;

    private String name;

    private static Path peer() {
        return Gcc.program("channel_peer", "jipc_channel.c", "jipc_live.c");
    }

    @BeforeEach
    void name() throws IOException {
        name = "/jipc-chan-c-" + ProcessHandle.current().pid() + "-" + System.nanoTime();
        SharedChannel.unlinkIfExists(name);
    }

    @AfterEach
    void unlink() throws IOException {
        SharedChannel.unlinkIfExists(name);
    }

    @Test
    void javaProducerToCConsumerWithChecksums() throws Exception {
        Path program = peer();
        try (SharedChannel shared = SharedChannel.create(name, 64 * 1024, MAX);
             Capture consumer = Capture.start(Spawn.command(program.toString(), "consume", name, "" + SEED,
                     "" + MAX, "0", "" + COUNT))) {
            OneToOneChannel channel = shared.channel();
            Await.until(Duration.ofSeconds(10), "the C consumer to register",
                    () -> channel.consumerPid() == consumer.child().pid());
            assertTrue(channel.isConsumerAlive(), "the C consumer's liveness token is locked: "
                    + channel.consumerState());
            assertEquals(PartyState.Life.ALIVE, channel.consumerState().life(), channel.consumerState().reason());
            ChannelChild.produce(channel, SEED, MAX, 0, COUNT);
            Capture.Result result = consumer.finish(Duration.ofSeconds(60)).assertSuccess();
            assertEquals("received " + COUNT + "\n", result.out());
            assertEquals(channel.tailPosition(), channel.headPosition());
            assertFalse(channel.isConsumerAlive(), "the C consumer has exited");
        }
    }

    @Test
    void javaProducerCopiesMessagesOnBothSidesOfTheMemcpyThresholdIntactToACConsumer() throws Exception {
        // lengths 1..max at random: most at or above NATIVE_COPY_THRESHOLD (libc's memcpy, a critical downcall), the
        // rest below (the JDK's copy); even messages come from a heap array, odd ones from native memory
        int max = 6 * (int) RingChannel.NATIVE_COPY_THRESHOLD;
        long count = 40_000;
        Path program = peer();
        try (SharedChannel shared = SharedChannel.create(name, 512 * 1024, max);
             java.lang.foreign.Arena arena = java.lang.foreign.Arena.ofConfined();
             Capture consumer = Capture.start(Spawn.command(program.toString(), "consume", name, "" + SEED,
                     "" + max, "0", "" + count))) {
            OneToOneChannel channel = shared.channel();
            byte[] message = new byte[max];
            java.lang.foreign.MemorySegment offHeap = arena.allocate(max, 8);
            int copiedNatively = 0;
            for (long seq = 0; seq < count; seq++) {
                int length = Messages.fill(message, SEED, seq, max);
                copiedNatively += length >= RingChannel.NATIVE_COPY_THRESHOLD ? 1 : 0;
                boolean sent;
                if (seq % 2 == 0) {
                    sent = channel.put(Messages.type(seq), message, 0, length, Duration.ofSeconds(60));
                } else {
                    java.lang.foreign.MemorySegment slice = offHeap.asSlice(0, length);
                    slice.copyFrom(java.lang.foreign.MemorySegment.ofArray(message).asSlice(0, length));
                    sent = channel.put(Messages.type(seq), slice, Duration.ofSeconds(60));
                }
                assertTrue(sent, "no room for message " + seq + " within 60 s");
            }
            assertTrue(copiedNatively > count / 2 && copiedNatively < count, "both copies were used: "
                    + copiedNatively + " of " + count + " at or above the threshold");
            assertEquals("received " + count + "\n", consumer.finish(Duration.ofSeconds(60)).assertSuccess().out());
            assertEquals(channel.tailPosition(), channel.headPosition());
        }
    }

    @Test
    void offerOfSegmentsCopiesEveryLengthAroundTheSmallCopyLimitIntactToACConsumerAcrossWraps() throws Exception {
        // OneToOneChannel.offer(int, MemorySegment) claims, copies and publishes in one method for records that end
        // before the ring's end (8-byte copy below SMALL_COPY_LIMIT, the JDK's copy above, one 64-bit header store);
        // records that would cross the end take the general path (padding, claim, commit). Lengths 1..max at random
        // in a 4 KiB ring: both copies, and hundreds of wraps. Odd messages from native memory, even ones from a heap
        // segment; a full ring is retried.
        int max = 3 * (int) RingChannel.SMALL_COPY_LIMIT;
        long count = 100_000;
        Path program = peer();
        try (SharedChannel shared = SharedChannel.create(name, 4096, max);
             java.lang.foreign.Arena arena = java.lang.foreign.Arena.ofConfined();
             Capture consumer = Capture.start(Spawn.command(program.toString(), "consume", name, "" + SEED,
                     "" + max, "0", "" + count))) {
            OneToOneChannel channel = shared.channel();
            byte[] message = new byte[max];
            java.lang.foreign.MemorySegment offHeap = arena.allocate(max, 8);
            java.lang.foreign.MemorySegment onHeap = java.lang.foreign.MemorySegment.ofArray(message);
            int small = 0;
            long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
            for (long seq = 0; seq < count; seq++) {
                int length = Messages.fill(message, SEED, seq, max);
                small += length < RingChannel.SMALL_COPY_LIMIT ? 1 : 0;
                java.lang.foreign.MemorySegment payload = onHeap.asSlice(0, length);
                if (seq % 2 == 1) {
                    payload = offHeap.asSlice(0, length).copyFrom(payload);
                }
                while (!channel.offer(Messages.type(seq), payload)) {
                    assertTrue(System.nanoTime() < deadline, "no room for message " + seq + " within 60 s");
                    Thread.onSpinWait();
                }
            }
            assertTrue(small > count / 5 && small < count / 2, "both copies were used: " + small + " of " + count
                    + " below the small-copy limit");
            assertTrue(channel.tailPosition() > 100 * channel.capacity(), "the ring wrapped many times");
            assertEquals("received " + count + "\n", consumer.finish(Duration.ofSeconds(60)).assertSuccess().out());
            assertEquals(channel.tailPosition(), channel.headPosition());
        }
    }

    @Test
    void cConsumerReportsARecordOfImpossibleTypeAndGivesBackOnlyWhatCameBefore() throws Exception {
        Path program = peer();
        try (SharedChannel shared = SharedChannel.create(name, 64 * 1024, MAX)) {
            OneToOneChannel channel = shared.channel();
            ChannelChild.produce(channel, SEED, MAX, 0, 1);
            long forged = channel.tailPosition();
            channel.tryClaim(5, 8);
            channel.commit();
            // type 0 is neither a message (>= 1) nor padding (-1): what a broken or hostile producer might write
            shared.mapping().segment().set(java.lang.foreign.ValueLayout.JAVA_INT,
                    ChannelDescriptor.HEADER_LENGTH + forged + RecordDescriptor.TYPE_OFFSET, 0);
            Capture.Result result = Capture.run(Spawn.command(program.toString(), "consume", name, "" + SEED,
                    "" + MAX, "0", "2"));
            assertEquals(1, result.status().code(), result.toString());
            assertTrue(result.err().contains("Protocol error"), result.err());
            assertEquals(forged, channel.headPosition(), "message 0 given back, the forged record not");
        }
    }

    @Test
    void cTwinRefusesToAttachToAChannelWithFlagsItDoesNotSpeak() throws Exception {
        Path program = peer();
        try (SharedChannel shared = SharedChannel.create(name, 64 * 1024, MAX)) {
            // flags bit 1: a later format (bit 0, many producers, the twin speaks)
            shared.mapping().segment().set(java.lang.foreign.ValueLayout.JAVA_INT, ChannelDescriptor.FLAGS_OFFSET, 2);
            Capture.Result result = Capture.run(Spawn.command(program.toString(), "produce", name, "" + SEED,
                    "" + MAX, "0", "1"));
            assertEquals(2, result.status().code(), result.toString());
            assertTrue(result.err().contains("unsupported flags"), result.err());
            assertEquals(0, shared.channel().tailPosition(), "the C program wrote nothing");
        }
    }

    @Test
    void cProducerReportsATailForgedMoreThanARingAheadInsteadOfWaitingForRoom() throws Exception {
        Path program = peer();
        try (SharedChannel shared = SharedChannel.create(name, 64 * 1024, MAX)) {
            // no producer leaves the tail more than a ring ahead of the head: claims against it never find room
            shared.mapping().segment().set(java.lang.foreign.ValueLayout.JAVA_LONG, ChannelDescriptor.TAIL_OFFSET,
                    4L * 64 * 1024);
            Capture.Result result = Capture.run(Spawn.command(program.toString(), "produce", name, "" + SEED,
                    "" + MAX, "0", "1"));
            assertEquals(2, result.status().code(), result.toString());
            assertTrue(result.err().contains("Protocol error"), result.toString());
        }
    }

    @Test
    void cProducerToJavaConsumerWithChecksums() throws Exception {
        Path program = peer();
        try (SharedChannel shared = SharedChannel.create(name, 64 * 1024, MAX);
             Capture producer = Capture.start(Spawn.command(program.toString(), "produce", name, "" + SEED,
                     "" + MAX, "0", "" + COUNT))) {
            OneToOneChannel channel = shared.channel().registerConsumer();
            Messages.receive(channel, SEED, 0, COUNT, MAX, Duration.ofSeconds(60));
            producer.finish(Duration.ofSeconds(60)).assertSuccess();
            assertEquals(0, channel.poll((t, p) -> { }, Duration.ofMillis(50)));
        }
    }

    @Test
    void cConsumerSleepsInTheFutexWithoutCpuAndWakesOnTheNextMessage() throws Exception {
        Path program = peer();
        try (SharedChannel shared = SharedChannel.create(name, 4096, 64);
             Capture consumer = Capture.start(Spawn.command(program.toString(), "consume", name, "" + SEED, "64",
                     "0", "1"))) {
            OneToOneChannel channel = shared.channel();
            int pid = consumer.child().pid();
            Await.until(Duration.ofSeconds(10), "the C consumer to register and announce its sleep",
                    () -> channel.consumerPid() == pid && shared.mapping().segment().get(
                            java.lang.foreign.ValueLayout.JAVA_INT, ChannelDescriptor.CONSUMER_WAITING_OFFSET) == 1);
            long start = ChannelProcessTest.cpuMillis(pid);
            long end = System.nanoTime() + 1_000_000_000L;
            Await.until(Duration.ofSeconds(5), "one second to pass", () -> System.nanoTime() - end >= 0);
            long used = ChannelProcessTest.cpuMillis(pid) - start;
            assertTrue(used < 50, "the sleeping C consumer used " + used + " ms of CPU in 1 s");
            ChannelChild.produce(channel, SEED, 64, 0, 1);
            assertEquals("received 1\n", consumer.finish(Duration.ofSeconds(10)).assertSuccess().out());
        }
    }

    @Test
    void cProducerContinuesAfterAJavaProducerAndAJavaProducerAfterIt() throws Exception {
        Path program = peer();
        try (SharedChannel shared = SharedChannel.create(name, 8 * 1024, 500)) {
            OneToOneChannel consumer = shared.channel().registerConsumer();
            try (SharedChannel javaSide = SharedChannel.attach(name)) {
                ChannelChild.produce(javaSide.channel(), SEED, 500, 0, 7);
            }
            Messages.receive(consumer, SEED, 0, 7, 500, Duration.ofSeconds(10));
            Capture.run(Spawn.command(program.toString(), "produce", name, "" + SEED, "500", "7", "3"))
                    .assertSuccess();
            try (SharedChannel javaSide = SharedChannel.attach(name)) {
                ChannelChild.produce(javaSide.channel(), SEED, 500, 10, 5);
            }
            Messages.receive(consumer, SEED, 7, 8, 500, Duration.ofSeconds(10));
            assertEquals(0, consumer.poll((t, p) -> { }));
        }
    }
}
