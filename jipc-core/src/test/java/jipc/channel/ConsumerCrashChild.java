package jipc.channel;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.time.Duration;
import java.util.concurrent.locks.LockSupport;

/**
 * A consumer in a child JVM that {@link ChannelConsumerCrashTest} kills with SIGKILL at a chosen point, on a channel
 * of either kind. Modes (arguments {@code NAME SEED MAX COUNT BATCH}):
 * <ul>
 * <li>{@code die-in-handler}: registers, receives messages 0..COUNT-1 in polls of at most BATCH, and in the
 *     handler of message COUNT prints {@code ready FIRST} (FIRST: the first message of that poll) and blocks
 *     there: killed inside its handler, before its poll gives anything back.</li>
 * <li>{@code die-giving-back}: registers, receives messages 0..COUNT-1, then does what {@code poll} does with the
 *     next BATCH messages up to the middle of giving their room back: reads and checks them, stores the new head
 *     as the pending head (offset 656), zeroes the first half of their bytes, prints {@code ready HEAD PENDING}
 *     and blocks (the state a consumer of a many-producer channel killed inside its zeroing leaves; poll does not
 *     stop there on its own). A one-producer consumer zeroes nothing since layout version 2; there the zeros only
 *     make the leftovers harsher than a real dead consumer's (its successor must not rely on those bytes).</li>
 * </ul>
 */
public final class ConsumerCrashChild {
    private ConsumerCrashChild() {
    }

    public static void main(String[] args) throws Exception {
        String mode = args[0];
        long seed = Long.parseLong(args[2]);
        int max = Integer.parseInt(args[3]);
        long count = Long.parseLong(args[4]);
        int batch = Integer.parseInt(args[5]);
        try (SharedChannel shared = SharedChannel.attach(args[1])) {
            MessageChannel channel = shared.messageChannel().registerConsumer();
            switch (mode) {
                case "die-in-handler" -> {
                    byte[] scratch = new byte[max];
                    long[] next = {0};
                    for (;;) {
                        long first = next[0];
                        channel.poll((type, payload) -> {
                            Messages.check(seed, next[0], max, type, payload, scratch);
                            if (next[0] == count) {
                                ready("ready " + first);
                            }
                            next[0]++;
                        }, batch, Duration.ofSeconds(60));
                    }
                }
                case "die-giving-back" -> {
                    receiveExactly(channel, seed, max, count);
                    MemorySegment segment = shared.mapping().segment();
                    MemorySegment ring = segment.asSlice(ChannelDescriptor.HEADER_LENGTH, channel.capacity());
                    long mask = channel.capacity() - 1;
                    long head = channel.headPosition();
                    long position = head;
                    byte[] scratch = new byte[max];
                    for (long seq = count; seq < count + batch; ) {
                        long header = awaitHeader(ring, position & mask);
                        int length = RecordDescriptor.headerLength(header);
                        int type = RecordDescriptor.headerType(header);
                        if (type != RecordDescriptor.PADDING_TYPE) {
                            Messages.check(seed, seq++, max, type, ring.asSlice((position & mask)
                                    + RecordDescriptor.HEADER_LENGTH, length - RecordDescriptor.HEADER_LENGTH),
                                    scratch);
                        }
                        position += RecordDescriptor.align(length);
                    }
                    segment.set(ValueLayout.JAVA_LONG, ChannelDescriptor.PENDING_HEAD_OFFSET, position);
                    long half = ((position - head) / 2) & ~7L;
                    for (long p = head; p < head + half; p += 8) {
                        ring.set(ValueLayout.JAVA_LONG, p & mask, 0L);
                    }
                    ready("ready " + head + " " + position);
                }
                default -> throw new IllegalArgumentException("mode " + mode);
            }
        }
    }

    private static void receiveExactly(MessageChannel channel, long seed, int max, long count)
            throws InterruptedException {
        byte[] scratch = new byte[max];
        long[] next = {0};
        while (next[0] < count) {
            channel.poll((type, payload) -> Messages.check(seed, next[0]++, max, type, payload, scratch),
                    (int) Math.min(Integer.MAX_VALUE, count - next[0]), Duration.ofSeconds(60));
        }
    }

    /** The published header at {@code index}, waiting (60 s at most) for the producer to publish it. */
    private static long awaitHeader(MemorySegment ring, long index) {
        long deadline = System.nanoTime() + 60_000_000_000L;
        for (;;) {
            long header = (long) RingChannel.LONG.getAcquire(ring, index);
            if (RecordDescriptor.headerLength(header) > 0) {
                return header;
            }
            if (System.nanoTime() - deadline > 0) {
                throw new AssertionError("no record published at ring index " + index + " within 60 s");
            }
            Thread.onSpinWait();
        }
    }

    private static void ready(String line) {
        System.out.println(line);
        System.out.flush();
        for (;;) {
            LockSupport.park();
        }
    }
}
