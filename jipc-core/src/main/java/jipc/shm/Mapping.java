package jipc.shm;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.invoke.VarHandle;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Objects;
import java.util.function.Consumer;

import jipc.ErrnoException;
import jipc.internal.Errno;
import jipc.internal.LibShm;
import jipc.internal.Native;
import jipc.internal.ShmConstants;

import static java.lang.foreign.ValueLayout.JAVA_BYTE;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

/**
 * Shared memory mapped into this process: a bounds-checked {@link MemorySegment} over exactly the bytes of the
 * shared object, with no header of jipc's in front, so a C, Python or Java peer sees the same bytes at the same
 * offsets.
 *
 * <p>The segment's lifetime is one shared {@link Arena}: {@link #close()} unmaps ({@code munmap}, or {@code shmdt} for a
 * System V segment) and from then on every access through {@link #segment()}, {@link #asByteBuffer()} or the helpers
 * here throws {@link IllegalStateException}; it never touches unmapped memory. Any thread may use the mapping. A
 * read-only mapping hands out a read-only segment: writes throw {@link IllegalArgumentException} (and
 * {@link java.nio.ReadOnlyBufferException} through the buffer) instead of faulting.
 *
 * <p>Costs: plain reads and writes are memory accesses, no system call and no copy; {@code getBytes}/{@code setBytes}
 * and the string helpers copy. {@link #close()} is one system call plus a handshake with every thread (the price of a
 * shared arena). Closing the object the mapping came from (its {@code SharedMemory}) closes the mapping too.
 *
 * <h2>Memory ordering</h2>
 * The atomic helpers take a byte offset that must be aligned (4 for int, 8 for long; the mapping itself starts on a
 * page boundary), else they throw {@link IllegalArgumentException}. They are the {@link VarHandle} access modes and
 * work across processes because both sides use the same physical page:
 * <ul>
 *   <li>{@code setIntRelease}/{@code setLongRelease}: every write this thread made before it is visible to a thread
 *       (in any process) that reads the value with an acquire load and sees it. Use it to publish.</li>
 *   <li>{@code getIntAcquire}/{@code getLongAcquire}: reads after it cannot move before it. Use it to consume what
 *       a release store published.</li>
 *   <li>{@code getIntVolatile}/{@code setIntVolatile}: sequentially consistent (a full fence on x86-64 stores).</li>
 *   <li>{@code compareAndSetInt}, {@code getAndAddInt} and the long forms: atomic read-modify-write
 *       ({@code lock cmpxchg}/{@code lock xadd}), sequentially consistent.</li>
 * </ul>
 * Plain {@code segment().get/set} have no ordering guarantee towards other threads or processes.
 */
public final class Mapping implements AutoCloseable {
    private static final VarHandle INT = JAVA_INT.varHandle().withInvokeExactBehavior();
    private static final VarHandle LONG = JAVA_LONG.varHandle().withInvokeExactBehavior();
    /** The page size {@link #touchEveryPage} steps by (x86-64 and arm64 Linux: at least 4 KiB). */
    private static final long PAGE = 4096;

    private final Arena arena;
    private final MemorySegment segment;
    private final boolean readOnly;
    private final String description;
    private final MappingSet owner;
    /** Where {@link #touchEveryPage} leaves its loads' result, so they are not removed. */
    @SuppressWarnings("unused")
    private volatile byte touched;

    private Mapping(Arena arena, MemorySegment segment, boolean readOnly, String description, MappingSet owner) {
        this.arena = arena;
        this.segment = segment;
        this.readOnly = readOnly;
        this.description = description;
        this.owner = owner;
    }

    /**
     * Wraps {@code size} bytes mapped at {@code address} in a new shared arena; {@code unmap} runs (once) when the
     * arena closes and receives a zero-length segment at the mapping's address.
     */
    static Mapping of(MemorySegment address, long size, boolean readOnly, String description,
                      Consumer<MemorySegment> unmap, MappingSet owner) {
        Arena arena = Arena.ofShared();
        MemorySegment segment = address.reinterpret(size, arena, unmap);
        return new Mapping(arena, readOnly ? segment.asReadOnly() : segment, readOnly, description, owner);
    }

    /**
     * The mapped bytes: offset 0 is the first byte of the shared object, {@link #size()} bytes long. Accesses after
     * {@link #close()} throw {@link IllegalStateException}; writes to a read-only mapping throw
     * {@link IllegalArgumentException} ("Attempt to write a read-only segment").
     *
     * @return the segment, {@link #size()} bytes, valid until {@link #close()}
     */
    public MemorySegment segment() {
        return segment;
    }

    /**
     * The mapped length in bytes.
     *
     * @return the size in bytes, fixed when the mapping was made
     */
    public long size() {
        return segment.byteSize();
    }

    /**
     * Whether the mapping was made without write permission ({@code PROT_READ} only, or {@code SHM_RDONLY}).
     *
     * @return {@code true} for a read-only mapping
     */
    public boolean isReadOnly() {
        return readOnly;
    }

    /**
     * Whether the mapping is still mapped.
     *
     * @return {@code false} once {@link #close()} has unmapped it
     */
    public boolean isOpen() {
        return arena.scope().isAlive();
    }

    /**
     * The mapping as a direct {@link ByteBuffer} (read-only for a read-only mapping), positioned at 0 with limit
     * {@link #size()}; no copy. It fails with {@link IllegalStateException} after {@link #close()}, like the segment.
     *
     * @return a buffer over the mapped bytes, shared with the segment (writes through one show in the other)
     * @throws UnsupportedOperationException if the mapping is larger than {@link Integer#MAX_VALUE} bytes
     */
    public ByteBuffer asByteBuffer() {
        if (!isOpen()) {
            throw new IllegalStateException(this + " is closed");
        }
        return segment.asByteBuffer();
    }

    /**
     * Makes every page of the mapping ready for use from this process now, so that no later access pays a first-touch
     * cost in the middle of whatever it is doing. A fresh mapping has none of the object's pages in this process's
     * page tables; each page's first access is a minor page fault, and in a virtual machine the first access to a
     * page from a process costs more again even after that (no fault the guest kernel counts): in the Firecracker guest
     * jipc's benchmarks run in, some 25 microseconds per 4 KiB page, after {@code MAP_POPULATE} too. For a channel
     * that is the first lap around a fresh ring: one such stall every 4 KiB (every 256th 16-byte record), in each
     * process. Call it once after mapping where tail latency matters from the first message on.
     *
     * <p>It asks the kernel to fault every page in ({@code madvise(MADV_POPULATE_WRITE)}, {@code MADV_POPULATE_READ}
     * for a read-only mapping; Linux 5.14 and later, skipped on an older kernel, which answers EINVAL), then reads one
     * byte of every page. It takes about what it saves (in that guest 2-14 ms per MiB, 0.18 s for 64 MiB), writes
     * nothing, and does not pin the pages: memory pressure may still reclaim them. The memory itself was reserved when
     * the mapping was made.
     *
     * @throws ErrnoException EFAULT if part of the mapping is no longer backed by the object (a peer truncated it
     *                        below the mapped size), before any page is read; ENOMEM as {@code madvise(2)} gives it
     * @throws IllegalStateException if the mapping is closed
     */
    public void populate() throws IOException {
        if (!isOpen()) {
            throw new IllegalStateException(this + " is closed");
        }
        int advice = readOnly ? ShmConstants.MADV_POPULATE_READ : ShmConstants.MADV_POPULATE_WRITE;
        while (LibShm.madvise(segment, segment.byteSize(), advice) != 0) {
            int errno = Native.errno();
            if (errno == Errno.EINVAL) {
                break; // a kernel before 5.14 has no MADV_POPULATE_*: the reads below fault the pages in
            }
            if (errno != Errno.EINTR) {
                throw Errno.exception("madvise", description + ", " + segment.byteSize() + " bytes, "
                        + (readOnly ? "MADV_POPULATE_READ" : "MADV_POPULATE_WRITE"), errno);
            }
        }
        touchEveryPage();
    }

    /**
     * Reads one byte of every 4 KiB page ({@link #populate()}'s second step; on a kernel without
     * {@code MADV_POPULATE_*} also its first: a read fault of a shared tmpfs mapping maps the page writable where the
     * mapping is, so later writes fault no more). Package-private for its test.
     */
    void touchEveryPage() {
        long size = segment.byteSize();
        byte sink = 0;
        for (long offset = 0; offset < size; offset += PAGE) {
            sink ^= segment.get(JAVA_BYTE, offset);
        }
        touched = sink; // keeps the loads
    }

    // ---- bytes and strings --------------------------------------------------------------------------------

    /**
     * Copies {@code length} bytes starting at {@code offset} out of the mapping.
     *
     * @param length how many bytes, {@code >= 0}
     * @param offset where the bytes start, from 0
     * @return a new array with the bytes
     * @throws IndexOutOfBoundsException if the range is not inside the mapping (checked before anything is
     *                                   allocated, so a huge {@code length} is this exception, not an
     *                                   {@link OutOfMemoryError})
     */
    public byte[] getBytes(long offset, int length) {
        Objects.checkFromIndexSize(offset, length, segment.byteSize());
        byte[] bytes = new byte[length];
        MemorySegment.copy(segment, JAVA_BYTE, offset, bytes, 0, length);
        return bytes;
    }

    /**
     * Copies {@code bytes} into the mapping at {@code offset}.
     *
     * @param offset where the bytes go, from 0
     * @param bytes the bytes to copy; the range must lie inside the mapping
     */
    public void setBytes(long offset, byte[] bytes) {
        Objects.requireNonNull(bytes, "bytes");
        MemorySegment.copy(bytes, 0, segment, JAVA_BYTE, offset, bytes.length);
    }

    /**
     * The UTF-8 string at {@code offset}, up to its terminating NUL byte (the C convention) or to the end of the
     * mapping if there is none.
     *
     * @param offset where the string starts, from 0
     * @return the decoded string (malformed UTF-8 becomes U+FFFD)
     */
    public String getString(long offset) {
        Objects.checkIndex(offset, segment.byteSize() + 1);
        long end = offset;
        long size = segment.byteSize();
        while (end < size && segment.get(JAVA_BYTE, end) != 0) {
            end++;
        }
        return new String(getBytes(offset, Math.toIntExact(end - offset)), StandardCharsets.UTF_8);
    }

    /**
     * Writes {@code value} as UTF-8 followed by a NUL byte at {@code offset}, as C's {@code strcpy} would.
     *
     * @param value the string to write (a NUL inside it ends the string for a C reader)
     * @param offset where the string goes, from 0
     * @return the number of bytes written, the NUL included
     * @throws IndexOutOfBoundsException if it does not fit; nothing is written then
     */
    public long setString(long offset, String value) {
        Objects.requireNonNull(value, "value");
        byte[] utf8 = value.getBytes(StandardCharsets.UTF_8);
        Objects.checkFromIndexSize(offset, utf8.length + 1L, segment.byteSize());
        setBytes(offset, utf8);
        segment.set(JAVA_BYTE, offset + utf8.length, (byte) 0);
        return utf8.length + 1L;
    }

    // ---- atomics (see the class comment for their ordering) -------------------------------------------------

    /**
     * An acquire load of the int at {@code offset}.
     *
     * @param offset the int's offset, 4-byte aligned
     * @return the value
     */
    public int getIntAcquire(long offset) {
        return (int) INT.getAcquire(segment, offset);
    }

    /**
     * A release store of the int at {@code offset}.
     *
     * @param offset the int's offset, 4-byte aligned
     * @param value the value to store
     */
    public void setIntRelease(long offset, int value) {
        INT.setRelease(segment, offset, value);
    }

    /**
     * A volatile (sequentially consistent) load of the int at {@code offset}.
     *
     * @param offset the int's offset, 4-byte aligned
     * @return the value
     */
    public int getIntVolatile(long offset) {
        return (int) INT.getVolatile(segment, offset);
    }

    /**
     * A volatile (sequentially consistent) store of the int at {@code offset}.
     *
     * @param offset the int's offset, 4-byte aligned
     * @param value the value to store
     */
    public void setIntVolatile(long offset, int value) {
        INT.setVolatile(segment, offset, value);
    }

    /**
     * Atomically sets the int at {@code offset} to {@code value} if it is {@code expected}; true if it did.
     *
     * @param offset the int's offset, 4-byte aligned
     * @param expected the value the int must have
     * @param value the value to store
     * @return {@code true} if the int was {@code expected} and is now {@code value}
     */
    public boolean compareAndSetInt(long offset, int expected, int value) {
        return (boolean) INT.compareAndSet(segment, offset, expected, value);
    }

    /**
     * Atomically adds {@code delta} to the int at {@code offset} and returns the previous value.
     *
     * @param offset the int's offset, 4-byte aligned
     * @param delta what to add (wrapping on overflow)
     * @return the value before the addition
     */
    public int getAndAddInt(long offset, int delta) {
        return (int) INT.getAndAdd(segment, offset, delta);
    }

    /**
     * An acquire load of the long at {@code offset}.
     *
     * @param offset the long's offset, 8-byte aligned
     * @return the value
     */
    public long getLongAcquire(long offset) {
        return (long) LONG.getAcquire(segment, offset);
    }

    /**
     * A release store of the long at {@code offset}.
     *
     * @param offset the long's offset, 8-byte aligned
     * @param value the value to store
     */
    public void setLongRelease(long offset, long value) {
        LONG.setRelease(segment, offset, value);
    }

    /**
     * A volatile (sequentially consistent) load of the long at {@code offset}.
     *
     * @param offset the long's offset, 8-byte aligned
     * @return the value
     */
    public long getLongVolatile(long offset) {
        return (long) LONG.getVolatile(segment, offset);
    }

    /**
     * A volatile (sequentially consistent) store of the long at {@code offset}.
     *
     * @param offset the long's offset, 8-byte aligned
     * @param value the value to store
     */
    public void setLongVolatile(long offset, long value) {
        LONG.setVolatile(segment, offset, value);
    }

    /**
     * Atomically sets the long at {@code offset} to {@code value} if it is {@code expected}; true if it did.
     *
     * @param offset the long's offset, 8-byte aligned
     * @param expected the value the long must have
     * @param value the value to store
     * @return {@code true} if the long was {@code expected} and is now {@code value}
     */
    public boolean compareAndSetLong(long offset, long expected, long value) {
        return (boolean) LONG.compareAndSet(segment, offset, expected, value);
    }

    /**
     * Atomically adds {@code delta} to the long at {@code offset} and returns the previous value.
     *
     * @param offset the long's offset, 8-byte aligned
     * @param delta what to add (wrapping on overflow)
     * @return the value before the addition
     */
    public long getAndAddLong(long offset, long delta) {
        return (long) LONG.getAndAdd(segment, offset, delta);
    }

    // ---- lifetime -----------------------------------------------------------------------------------------

    /**
     * Unmaps. Idempotent and thread-safe; afterwards every access through this mapping throws
     * {@link IllegalStateException}.
     *
     * @throws IllegalStateException if a native call that was handed this segment (a {@code read} or {@code write}
     *                               into it, say) is still running in another thread; the mapping stays open then
     */
    @Override
    public void close() {
        synchronized (this) {
            if (!arena.scope().isAlive()) {
                return;
            }
            arena.close(); // runs the unmap cleanup
        }
        owner.forget(this);
    }

    @Override
    public String toString() {
        return "Mapping[" + description + ", " + segment.byteSize() + " bytes, "
                + (readOnly ? "read-only" : "read-write") + (isOpen() ? "" : ", closed") + "]";
    }
}
