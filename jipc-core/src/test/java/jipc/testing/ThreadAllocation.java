package jipc.testing;

import java.lang.foreign.MemorySegment;
import java.lang.invoke.MethodHandle;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.MethodType;

/**
 * The bytes the current thread has allocated, for the allocation tests' child JVMs (FutexRoundTripChild,
 * TopicAllocationChild): {@code com.sun.management.ThreadMXBean.getCurrentThreadAllocatedBytes()} of the platform
 * bean, looked up reflectively (the test sources compile inside the jipc.core module, which does not read
 * jdk.management; the children run on the class path) and called through an exact handle: no boxing, no allocation.
 */
public final class ThreadAllocation {
    private static final MethodHandle ALLOCATED_BYTES = allocatedBytesHandle();
    /** Where a measured slice goes, so that it is made. */
    static volatile MemorySegment sink;

    private ThreadAllocation() {
    }

    /** The bytes this thread has allocated so far. */
    public static long allocatedBytes() {
        try {
            return (long) ALLOCATED_BYTES.invokeExact();
        } catch (Throwable t) {
            throw new IllegalStateException(t);
        }
    }

    /**
     * The bytes one {@code asSlice} of {@code segment} (at least 1 KiB) allocates in this JVM, after as many unmeasured
     * ones: what a view per message would cost.
     */
    public static long sliceBytes(MemorySegment segment) {
        for (int i = 0; i < 10_000; i++) {
            sink = segment.asSlice(i & 1023, 8);
        }
        int n = 10_000;
        long before = allocatedBytes();
        for (int i = 0; i < n; i++) {
            sink = segment.asSlice(i & 1023, 8);
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
}
