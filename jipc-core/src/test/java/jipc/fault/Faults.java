package jipc.fault;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.IOException;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;

import jipc.channel.ChannelDescriptor;
import jipc.channel.MessageChannel;
import jipc.channel.MessageHandler;
import jipc.channel.SharedChannel;
import jipc.process.ChildProcess;
import jipc.process.ExitStatus;

/** What the fault tests share: killing a peer and reaping it, the channel kinds, and a checking receiver. */
final class Faults {
    static final int SIGKILL = 9;

    private Faults() {
    }

    /** Sends SIGKILL and reaps the child (at most 10 s), asserting that SIGKILL is what ended it. */
    static ExitStatus kill(ChildProcess child) throws IOException {
        child.signal(SIGKILL);
        ExitStatus status = child.waitFor(Duration.ofSeconds(10)).orElseThrow(
                () -> new AssertionError(child + " still runs 10 s after SIGKILL"));
        assertEquals(SIGKILL, status.signal(), "killed by SIGKILL: " + status);
        return status;
    }

    /** A unique POSIX shared memory name for one test. */
    static String shmName(String what) {
        return "/jipc-fault-" + what + "-" + ProcessHandle.current().pid() + "-" + System.nanoTime();
    }

    /** How many lines of {@code out} start with {@code prefix}. */
    static long lines(String out, String prefix) {
        return out.lines().filter(line -> line.startsWith(prefix)).count();
    }

    /** The two channel kinds. */
    enum Kind {
        ONE_TO_ONE, MANY_TO_ONE;

        SharedChannel create(String name, long capacity, int max) throws IOException {
            return this == ONE_TO_ONE ? SharedChannel.create(name, capacity, max)
                    : SharedChannel.createManyToOne(name, capacity, max);
        }

        /** A second instance on the same mapping: another producer (many) or the next producer (one). */
        MessageChannel attach(MemorySegment segment) throws IOException {
            return this == ONE_TO_ONE ? jipc.channel.OneToOneChannel.attach(segment)
                    : jipc.channel.ManyToOneChannel.attach(segment);
        }
    }

    /** Gives up a many-producer instance's slot; nothing for a one-producer instance. */
    static void detach(MessageChannel producer) {
        if (producer instanceof jipc.channel.ManyToOneChannel many) {
            many.detachProducer();
        }
    }

    /**
     * The channel header's 64-bit set of producers asleep on a full ring (bit i: producer slot i; bit 63: the producer
     * of a one-producer channel, in the high half, so never read as an int).
     */
    static long producersWaiting(SharedChannel shared) {
        return shared.mapping().segment().get(ValueLayout.JAVA_LONG, ChannelDescriptor.PRODUCERS_WAITING_OFFSET);
    }

    /** The channel header's flag that says the consumer is asleep in FUTEX_WAIT. */
    static int consumerWaiting(SharedChannel shared) {
        return shared.mapping().segment().get(ValueLayout.JAVA_INT, ChannelDescriptor.CONSUMER_WAITING_OFFSET);
    }

    /**
     * Checks every message whole ({@link FaultMessages#check}) and that each producer incarnation's sequence numbers
     * arrive as 0, 1, 2... exactly once; counts them.
     */
    static final class Receiver implements MessageHandler {
        private final int max;
        private final Map<Long, Long> next = new HashMap<>();
        long total;

        Receiver(int max) {
            this.max = max;
        }

        private static long key(int producer, int incarnation) {
            return ((long) producer << 32) | (incarnation & 0xFFFFFFFFL);
        }

        @Override
        public void onMessage(int type, MemorySegment payload) {
            FaultMessages.Id id = FaultMessages.check(type, payload, max);
            long expected = next(id.producer(), id.incarnation());
            if (id.seq() != expected) {
                throw new AssertionError(id + " arrived where seq " + expected + " was due ("
                        + (id.seq() > expected ? "lost" : "duplicated") + ")");
            }
            next.put(key(id.producer(), id.incarnation()), expected + 1);
            total++;
        }

        /** Expects (producer, incarnation) to continue at {@code seq} (another consumer took the ones before). */
        Receiver expect(int producer, int incarnation, long seq) {
            next.put(key(producer, incarnation), seq);
            return this;
        }

        /** How many messages of (producer, incarnation) arrived: the next sequence number due. */
        long next(int producer, int incarnation) {
            return next.getOrDefault(key(producer, incarnation), 0L);
        }

        /** Polls until nothing arrives for {@code quiet}; returns how many messages arrived. */
        long drain(MessageChannel consumer, Duration quiet) throws InterruptedException {
            long before = total;
            while (consumer.poll(this, quiet) > 0) {
                // until a quiet period
            }
            return total - before;
        }
    }
}
