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
 * a bounded size. The wrappers check the bounds before the call ({@code length} bytes must lie inside the
 * destination from its offset on) and allocate nothing: the destination goes to libc as an address, not a slice, and
 * the pointer {@code memcpy} and {@code memset} return is not asked for.
 */
@SuppressWarnings("restricted")
public final class Memory {
    private Memory() {
    }

    /**
     * {@snippet lang=c : void *memcpy(void *dest, const void *src, size_t n); }
     * Bound as {@code void memcpy(uintptr_t dest, const void *src, size_t n, const void *keepAlive)}: the destination
     * as a raw address inside a segment, so that copying into the middle of a segment needs no slice (an allocation
     * per call wherever C2 does not remove it), and that segment as a fourth argument, which {@code memcpy} never
     * reads (on x86-64 and AArch64 an extra argument is a register the callee ignores) but the downcall acquires for
     * the call's duration, as it does every segment argument: a concurrent close of the segment's arena throws in
     * the closing thread instead of unmapping the destination under the copy.
     */
    private static final MethodHandle MEMCPY_INTO = Native.downcall("memcpy",
            FunctionDescriptor.ofVoid(JAVA_LONG, ADDRESS, JAVA_LONG, ADDRESS), Linker.Option.critical(true));
    /**
     * {@snippet lang=c : void *memset(void *s, int c, size_t n); }
     * Bound as {@code void memset(uintptr_t s, int c, size_t n, const void *keepAlive)}, for the reason and with the
     * guarantee of {@link #MEMCPY_INTO}.
     */
    private static final MethodHandle MEMSET_INTO = Native.downcall("memset",
            FunctionDescriptor.ofVoid(JAVA_LONG, JAVA_INT, JAVA_LONG, ADDRESS), Linker.Option.critical(true));

    /**
     * Copies the first {@code length} bytes of {@code src} to {@code dst} from {@code dstOffset} on (not
     * overlapping), without a slice of {@code dst}: allocates nothing, whatever the compiler inlines. A heap
     * {@code dst} (no address to pass) is copied with the JDK's copy.
     *
     * @param src the bytes to copy, at least {@code length} of them
     * @param dst the segment to copy into
     * @param dstOffset where in {@code dst} the copy starts
     * @param length how many bytes to copy
     * @throws IndexOutOfBoundsException if {@code src} is shorter than {@code length} or {@code dst} has fewer than
     *         {@code length} bytes from {@code dstOffset}
     * @throws IllegalStateException if {@code dst}'s arena is closed (as any access to it would)
     */
    public static void copyInto(MemorySegment src, MemorySegment dst, long dstOffset, long length) {
        if (length < 0 || src.byteSize() < length || dstOffset < 0 || dstOffset > dst.byteSize() - length) {
            throw new IndexOutOfBoundsException("length=" + length + " src.byteSize()=" + src.byteSize()
                    + " dstOffset=" + dstOffset + " dst.byteSize()=" + dst.byteSize());
        }
        if (dst.isReadOnly()) {
            throw new IllegalArgumentException("dst is read-only");
        }
        if (!dst.isNative()) {
            MemorySegment.copy(src, 0, dst, dstOffset, length);
            return;
        }
        try {
            MEMCPY_INTO.invokeExact(dst.address() + dstOffset, src, length, dst);
        } catch (Throwable t) {
            throw Native.rethrow(t);
        }
    }

    /**
     * Zeroes {@code length} bytes of {@code dst} from {@code dstOffset} on with libc's {@code memset}, without a slice
     * of {@code dst} (see {@link #copyInto}); a heap {@code dst} is filled by the JDK.
     *
     * @param dst the segment to zero bytes of
     * @param dstOffset where in {@code dst} the zeroing starts
     * @param length how many bytes to zero
     * @throws IndexOutOfBoundsException if {@code dst} has fewer than {@code length} bytes from {@code dstOffset}
     * @throws IllegalStateException if {@code dst}'s arena is closed (as any access to it would)
     */
    public static void zeroInto(MemorySegment dst, long dstOffset, long length) {
        if (length < 0 || dstOffset < 0 || dstOffset > dst.byteSize() - length) {
            throw new IndexOutOfBoundsException("length=" + length + " dstOffset=" + dstOffset + " dst.byteSize()="
                    + dst.byteSize());
        }
        if (dst.isReadOnly()) {
            throw new IllegalArgumentException("dst is read-only");
        }
        if (!dst.isNative()) {
            dst.asSlice(dstOffset, length).fill((byte) 0);
            return;
        }
        try {
            MEMSET_INTO.invokeExact(dst.address() + dstOffset, 0, length, dst);
        } catch (Throwable t) {
            throw Native.rethrow(t);
        }
    }
}
