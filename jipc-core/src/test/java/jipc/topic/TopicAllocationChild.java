package jipc.topic;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.MethodHandle;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.MethodType;

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
    private static final MethodHandle ALLOCATED_BYTES = allocatedBytesHandle();
    private static final long CAPACITY = 64 * 1024;
    /** Where a measured slice goes, so that it is made. */
    static volatile MemorySegment sink;

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
            System.out.println("slice " + sliceBytes(payload));
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

    private static long sliceBytes(MemorySegment segment) {
        int n = 10_000;
        long before = allocatedBytes();
        for (int i = 0; i < n; i++) {
            sink = segment.asSlice(i & 7, 8);
        }
        return (allocatedBytes() - before) / n;
    }

    private static MethodHandle allocatedBytesHandle() {
        try {
            Object bean = Class.forName("java.lang.management.ManagementFactory").getMethod("getThreadMXBean")
                    .invoke(null);
            Class<?> type = Class.forName("com.sun.management.ThreadMXBean");
            return MethodHandles.publicLookup()
                    .findVirtual(type, "getCurrentThreadAllocatedBytes", MethodType.methodType(long.class))
                    .bindTo(bean);
        } catch (ReflectiveOperationException e) {
            throw new IllegalStateException("no com.sun.management.ThreadMXBean in this JVM", e);
        }
    }

    private static long allocatedBytes() {
        try {
            return (long) ALLOCATED_BYTES.invokeExact();
        } catch (Throwable t) {
            throw new IllegalStateException(t);
        }
    }
}
