package jipc.topic;

import static jipc.testing.ThreadAllocation.allocatedBytes;
import static jipc.testing.ThreadAllocation.sliceBytes;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;

import jipc.channel.MessageHandler;

/**
 * A child JVM for {@link TopicAllocationTest}: one thread publishes {@code ROUNDS} messages of {@code SIZE} bytes
 * (after {@code WARMUP} unmeasured ones) on a topic of {@code POLICY} in a shared arena and, after each, polls one
 * subscriber for it; prints the bytes the thread allocated over the measured rounds and what one view of a native
 * segment costs:
 *
 * <pre>
 *   slice BYTES
 *   allocated BYTES RECEIVED
 * </pre>
 *
 * Arguments: {@code SIZE WARMUP ROUNDS BLOCK|OVERWRITE}.
 */
public final class TopicAllocationChild {
    private static final long CAPACITY = 64 * 1024;

    private TopicAllocationChild() {
    }

    /** Counts the messages and checks their sequence numbers. */
    static final class Counter implements MessageHandler {
        long received;

        @Override
        public void onMessage(int type, MemorySegment payload) {
            long seq = payload.get(ValueLayout.JAVA_LONG_UNALIGNED, 0);
            if (seq != received) {
                throw new IllegalStateException("message " + seq + ", expected " + received);
            }
            received++;
        }
    }

    public static void main(String[] args) {
        int size = Integer.parseInt(args[0]);
        int warmup = Integer.parseInt(args[1]);
        int rounds = Integer.parseInt(args[2]);
        OverflowPolicy policy = OverflowPolicy.valueOf(args[3]);
        try (Arena arena = Arena.ofShared()) {
            MemorySegment segment = arena.allocate(TopicDescriptor.segmentSize(CAPACITY), 4096);
            Topic topic = Topic.create(segment, CAPACITY, size, policy);
            MemorySegment payload = arena.allocate(size, 8);
            System.out.println("slice " + sliceBytes(segment));
            try (TopicPublisher publisher = topic.publisher(); TopicSubscriber subscriber = topic.subscribe()) {
                Counter counter = new Counter();
                long before = 0;
                for (int i = 0; i < warmup + rounds; i++) {
                    if (i == warmup) {
                        before = allocatedBytes();
                    }
                    payload.set(ValueLayout.JAVA_LONG, 0, i);
                    if (!publisher.offer(1, payload)) {
                        throw new IllegalStateException("no room for message " + i);
                    }
                    if (subscriber.poll(counter, 1) != 1) {
                        throw new IllegalStateException("message " + i + " not received");
                    }
                }
                long allocated = allocatedBytes() - before;
                System.out.println("allocated " + allocated + " " + counter.received);
            }
        }
    }
}
