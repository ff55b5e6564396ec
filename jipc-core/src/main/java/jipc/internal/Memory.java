package jipc.internal;

import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemorySegment;
import java.lang.invoke.MethodHandle;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

/**
 * libc's {@code memcpy} and {@code memset} for large blocks: the JDK's {@link MemorySegment#copy} and
 * {@link MemorySegment#fill} beat a downcall on small blocks, but on larger ones libc's vector loops are faster
 * (measured on JDK 25, x86-64: a 64 KiB copy about 1.3x, a 64 KiB fill about 1.6x; a channel's spinning round
 * trip of 2 KiB or 4 KiB messages 1.15-1.25x faster with {@code memcpy}, the same at 1 KiB).
 *
 * <p>Both are critical downcalls that may take heap segments ({@link Linker.Option#critical(boolean)
 * critical(true)}): no thread-state transition, and the garbage collector waits for them, which is fine for copies of
 * a bounded size. The callers check the bounds: these wrappers pass exactly {@code length} bytes of segments that the
 * caller sliced to at least that size.
 */
@SuppressWarnings("restricted")
public final class Memory {
    private Memory() {
    }

    /** {@snippet lang=c : void *memcpy(void *dest, const void *src, size_t n); } */
    private static final MethodHandle MEMCPY = Native.downcall("memcpy",
            FunctionDescriptor.of(ADDRESS, ADDRESS, ADDRESS, JAVA_LONG), Linker.Option.critical(true));
    /** {@snippet lang=c : void *memset(void *s, int c, size_t n); } */
    private static final MethodHandle MEMSET = Native.downcall("memset",
            FunctionDescriptor.of(ADDRESS, ADDRESS, JAVA_INT, JAVA_LONG), Linker.Option.critical(true));

    /**
     * Copies the first {@code length} bytes of {@code src} to the start of {@code dst}; both at least that long and
     * not overlapping.
     *
     * @throws IndexOutOfBoundsException if either segment is shorter than {@code length}
     */
    public static void copy(MemorySegment src, MemorySegment dst, long length) {
        if (length < 0 || src.byteSize() < length || dst.byteSize() < length) {
            throw new IndexOutOfBoundsException("length=" + length + " src.byteSize()=" + src.byteSize()
                    + " dst.byteSize()=" + dst.byteSize());
        }
        if (dst.isReadOnly()) {
            throw new IllegalArgumentException("dst is read-only");
        }
        try {
            MemorySegment unused = (MemorySegment) MEMCPY.invokeExact(dst, src, length);
        } catch (Throwable t) {
            throw Native.rethrow(t);
        }
    }

    /**
     * Copies the first {@code length} bytes of {@code src} to {@code dst} from {@code dstOffset} on (not overlapping):
     * {@link #copy} into a slice of {@code dst}. The slice costs an allocation wherever the compiler does not drop it
     * (it did in the spinning benchmark pairs, not always in the futex pair: {@code docs/benchmarks.md}).
     *
     * @param src the bytes to copy, at least {@code length} of them
     * @param dst the segment to copy into
     * @param dstOffset where in {@code dst} the copy starts
     * @param length how many bytes to copy
     * @throws IndexOutOfBoundsException if {@code src} is shorter than {@code length} or {@code dst} has fewer than
     *         {@code length} bytes from {@code dstOffset}
     */
    public static void copyInto(MemorySegment src, MemorySegment dst, long dstOffset, long length) {
        copy(src, dst.asSlice(dstOffset, length), length);
    }

    /**
     * Zeroes the first {@code length} bytes of {@code dst}.
     *
     * @throws IndexOutOfBoundsException if {@code dst} is shorter than {@code length}
     */
    public static void zero(MemorySegment dst, long length) {
        if (length < 0 || dst.byteSize() < length) {
            throw new IndexOutOfBoundsException("length=" + length + " dst.byteSize()=" + dst.byteSize());
        }
        if (dst.isReadOnly()) {
            throw new IllegalArgumentException("dst is read-only");
        }
        try {
            MemorySegment unused = (MemorySegment) MEMSET.invokeExact(dst, 0, length);
        } catch (Throwable t) {
            throw Native.rethrow(t);
        }
    }
}
