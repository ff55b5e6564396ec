package jipc.channel;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.lang.foreign.ValueLayout;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;

import jipc.process.ExitStatus;
import jipc.process.Spawn;
import jipc.testing.Await;
import jipc.testing.Capture;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** A channel in POSIX shared memory between this JVM and child JVMs: bulk transfer, SIGKILL mid-message, idle CPU. */
class ChannelProcessTest {
    private static final long SEED = 0x5EED_C0FFEEL;

    private String name;

    @BeforeEach
    void name() throws IOException {
        name = "/jipc-chan-test-" + ProcessHandle.current().pid() + "-" + System.nanoTime();
        SharedChannel.unlinkIfExists(name);
    }

    @AfterEach
    void unlink() throws IOException {
        SharedChannel.unlinkIfExists(name);
    }

    @Test
    void tenMillionRandomMessagesFromAChildJvmArriveWholeAndInOrder() throws Exception {
        long count = 10_000_000; // ~2.5 GB of payload, lengths 1..512 at random, each checksummed and numbered
        int max = 512;
        try (SharedChannel shared = SharedChannel.create(name, 256 * 1024, max);
             Capture producer = Capture.start(Spawn.java(ChannelChild.class, "produce", name, "" + SEED, "" + max,
                     "0", "" + count))) {
            OneToOneChannel channel = shared.channel().registerConsumer();
            Messages.receive(channel, SEED, 0, count, max, Duration.ofSeconds(240));
            producer.finish(Duration.ofSeconds(60)).assertSuccess();
            assertEquals(0, channel.poll((t, p) -> { }, Duration.ofMillis(50)), "nothing after the last message");
            assertEquals(channel.tailPosition(), channel.headPosition());
        }
    }

    @Test
    void producerKilledBetweenClaimAndCommitLeavesOnlyWholeMessagesAndANewProducerContinues() throws Exception {
        int max = 500;
        long before = 1000;
        long after = 20_000;
        try (SharedChannel shared = SharedChannel.create(name, 64 * 1024, max)) {
            OneToOneChannel channel = shared.channel().registerConsumer();
            // The ring holds far fewer than 1000 messages: receive while the doomed producer sends.
            try (Capture doomed = Capture.start(Spawn.java(ChannelChild.class, "claim-half", name, "" + SEED,
                    "" + max, "" + before))) {
                Messages.receive(channel, SEED, 0, before, max, Duration.ofSeconds(60));
                Await.until(Duration.ofSeconds(60), "the producer to claim and half-write message " + before,
                        () -> doomed.outSoFar().contains("ready"));
                long tail = channel.tailPosition();
                doomed.child().destroyForcibly();
                ExitStatus status = doomed.child().waitFor(Duration.ofSeconds(10)).orElseThrow();
                assertEquals(9, status.signal(), "killed by SIGKILL: " + status);
                assertEquals(tail, channel.tailPosition(), "the half-written message was never published");
            }
            assertEquals(0, channel.poll((type, payload) -> {
                throw new AssertionError("a message after the kill: type " + type + ", " + payload.byteSize()
                        + " bytes");
            }, Duration.ofMillis(200)));
            // A new producer takes over at the tail and sends one (shorter) message over the dead one's bytes:
            // the length word behind it lies in those bytes, and the consumer must see "nothing more" there.
            Capture.run(Spawn.java(ChannelChild.class, "produce", name, "" + SEED, "" + max, "" + before, "1"))
                    .assertSuccess();
            Messages.receive(channel, SEED, before, 1, max, Duration.ofSeconds(10));
            assertEquals(0, channel.poll((type, payload) -> {
                throw new AssertionError("read the dead producer's bytes as a message: type " + type);
            }));
            // Another one continues, and the ring wraps many times over what is left of them.
            try (Capture next = Capture.start(Spawn.java(ChannelChild.class, "produce", name, "" + SEED, "" + max,
                    "" + (before + 1), "" + after))) {
                Messages.receive(channel, SEED, before + 1, after, max, Duration.ofSeconds(60));
                next.finish(Duration.ofSeconds(60)).assertSuccess();
            }
            assertEquals(0, channel.poll((t, p) -> { }));
        }
    }

    @Test
    void consumerBlockedInFutexWaitBurnsNoCpuAndWakesOnTheNextMessage() throws Exception {
        int max = 64;
        try (SharedChannel shared = SharedChannel.create(name, 4096, max);
             Capture consumer = Capture.start(Spawn.java(ChannelChild.class, "consume", name, "" + SEED, "" + max,
                     "1"))) {
            OneToOneChannel channel = shared.channel();
            int pid = consumer.child().pid();
            // The waiting flag is set only after the spin phase, right before FUTEX_WAIT.
            Await.until(Duration.ofSeconds(30), "the consumer to register and announce its sleep",
                    () -> channel.consumerPid() == pid && shared.mapping().segment()
                            .get(ValueLayout.JAVA_INT, ChannelDescriptor.CONSUMER_WAITING_OFFSET) == 1);
            assertTrue(channel.isConsumerAlive());
            // A fresh JVM still works for a moment (JIT, GC threads): measure once its CPU time stands still.
            long start = awaitSteadyCpu(pid);
            long end = System.nanoTime() + 1_000_000_000L;
            Await.until(Duration.ofSeconds(5), "one second to pass", () -> System.nanoTime() - end >= 0);
            long used = cpuMillis(pid) - start;
            assertTrue(used < 100, "the sleeping consumer used " + used + " ms of CPU in 1 s");
            assertEquals(1, shared.mapping().segment().get(ValueLayout.JAVA_INT,
                    ChannelDescriptor.CONSUMER_WAITING_OFFSET), "still asleep");

            byte[] message = new byte[max];
            int length = Messages.fill(message, SEED, 0, max);
            assertTrue(channel.offer(Messages.type(0), message, 0, length));
            consumer.finish(Duration.ofSeconds(10)).assertSuccess();
            assertEquals(channel.tailPosition(), channel.headPosition(), "the consumer took the message");
            assertFalse(channel.isConsumerAlive(), "the consumer unregistered when it closed");
        }
    }

    @Test
    void producerSeesTheConsumerDieBySigkillAndAReusedIdentityNeverMatches() throws Exception {
        try (SharedChannel shared = SharedChannel.create(name, 4096, 64);
             Capture consumer = Capture.start(Spawn.java(ChannelChild.class, "register", name))) {
            OneToOneChannel channel = shared.channel();
            Await.until(Duration.ofSeconds(30), "the consumer to register", () -> consumer.outSoFar().contains("ready"));
            assertEquals(consumer.child().pid(), channel.consumerPid());
            assertTrue(channel.isConsumerAlive());
            consumer.child().destroyForcibly();
            // dead as soon as it is a zombie, before anyone reaps it
            Await.until(Duration.ofSeconds(10), "the killed consumer to count as dead", () -> !channel.isConsumerAlive());
            consumer.child().waitFor(Duration.ofSeconds(10)).orElseThrow();
            assertFalse(channel.isConsumerAlive());
            assertEquals(consumer.child().pid(), channel.consumerPid(), "a killed consumer cannot unregister");
            // a new consumer may register in place of the dead one
            channel.registerConsumer();
            assertTrue(channel.isConsumerAlive());
        }
    }

    /** Waits until a process uses no CPU for 200 ms (at most 10 s) and returns its CPU time then. */
    static long awaitSteadyCpu(int pid) throws Exception {
        long deadline = System.nanoTime() + 10_000_000_000L;
        long previous = cpuMillis(pid);
        for (;;) {
            long end = System.nanoTime() + 200_000_000L;
            Await.until(Duration.ofSeconds(5), "200 ms to pass", () -> System.nanoTime() - end >= 0);
            long now = cpuMillis(pid);
            if (now == previous) {
                return now;
            }
            if (System.nanoTime() > deadline) {
                throw new AssertionError("process " + pid + " kept using CPU while it should sleep: " + now + " ms");
            }
            previous = now;
        }
    }

    /** utime + stime of a process from /proc/PID/stat (fields 14 and 15, in USER_HZ = 100 ticks per second). */
    static long cpuMillis(int pid) throws IOException {
        String stat = Files.readString(Path.of("/proc", Integer.toString(pid), "stat"));
        String[] fields = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
        return (Long.parseLong(fields[11]) + Long.parseLong(fields[12])) * 10;
    }
}
