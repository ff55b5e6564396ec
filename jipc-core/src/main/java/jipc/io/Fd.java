package jipc.io;

import java.io.IOException;
import java.io.InterruptedIOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteBuffer;
import java.nio.channels.ByteChannel;
import java.nio.channels.ClosedChannelException;
import java.time.Duration;
import java.util.Objects;
import java.util.concurrent.locks.LockSupport;

import jipc.ErrnoException;
import jipc.internal.Constants;
import jipc.internal.Errno;
import jipc.internal.LibC;
import jipc.internal.Native;

import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;
import static java.lang.foreign.ValueLayout.JAVA_SHORT;

/**
 * An owned Linux file descriptor.
 *
 * <p>jipc opens every descriptor with {@code O_CLOEXEC}, so a descriptor reaches a child process only when it is
 * placed there on purpose (see {@code jipc.process.Spawn}). {@link #close()} is idempotent and safe against races:
 * a state word counts the operations in flight, and the descriptor number is released with {@code close(2)} exactly
 * once, when the last of them has finished. A descriptor number is therefore never closed twice and never reused
 * under a running operation; the price is that {@code close()} does not wake a thread blocked in {@code read(2)} on
 * it (Linux itself does not): that thread returns when data, EOF or an error arrives, and the number is freed then.
 * Use non-blocking mode with {@link #awaitReadable(Duration)} where another thread must be able to stop a reader.
 *
 * <p>Costs: {@link #read(MemorySegment)} and {@link #write(MemorySegment)} are one system call each (EINTR is retried)
 * plus two atomic updates of the state word. Native segments and direct buffers go to the kernel without a copy;
 * heap segments and heap buffers are copied through a per-thread 64 KiB native buffer, so one call moves at most
 * 64 KiB of heap memory. Blocking calls are plain downcalls: {@link Thread#interrupt()} does not stop them, and they
 * pin a virtual thread's carrier while they block.
 */
public final class Fd implements ByteChannel, HasFd {
    // state: bit 0 = close requested, bit 1 = number released, bits 2.. = operations in flight (step 4)
    private static final int CLOSED = 1;
    private static final int RELEASED = 2;
    private static final int ONE_OP = 4;
    private static final VarHandle STATE;

    static {
        try {
            STATE = MethodHandles.lookup().findVarHandle(Fd.class, "state", int.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    private static final int SCRATCH_SIZE = 64 * 1024;
    private static final ThreadLocal<MemorySegment> SCRATCH =
            ThreadLocal.withInitial(() -> Arena.ofAuto().allocate(SCRATCH_SIZE, 64));
    private static final ThreadLocal<MemorySegment> POLLFD =
            ThreadLocal.withInitial(() -> Arena.ofAuto().allocate(Constants.POLLFD_SIZE, 8));
    /** The longest single poll(2) sleep, so that waits notice {@link Thread#interrupt()} in bounded time. */
    private static final int POLL_SLICE_MILLIS = 100;

    private final int fd;
    @SuppressWarnings("unused") // accessed through STATE
    private volatile int state;
    /**
     * How a virtual thread waits on this descriptor: {@link #UNKNOWN_KIND} until first asked, {@link #PARKS} for a
     * pipe or FIFO (per-call non-blocking attempts, then the poller), {@link #PINS} for anything else or a kernel
     * without {@code RWF_NOWAIT} on pipes (the blocking call, as on a platform thread).
     */
    private volatile int virtualWait;
    private static final int UNKNOWN_KIND = 0;
    private static final int PARKS = 1;
    private static final int PINS = 2;

    private Fd(int fd) {
        this.fd = fd;
    }

    /**
     * Takes ownership of an open descriptor number: from now on only this object closes it.
     *
     * @param fd the descriptor number
     * @return the owner of {@code fd}
     * @throws ErrnoException with EBADF if {@code fd} is not open in this process
     */
    public static Fd adopt(int fd) throws ErrnoException {
        if (fd < 0) {
            throw new IllegalArgumentException("fd=" + fd + " < 0");
        }
        if (LibC.fcntl(fd, Constants.F_GETFD, 0) < 0) {
            throw Errno.last("fcntl", "fd " + fd + ", F_GETFD");
        }
        return new Fd(fd);
    }

    /**
     * Takes ownership of a descriptor that this process inherited (e.g. fd 3 placed by a parent) and marks it
     * close-on-exec, so that it goes no further than this process unless placed on purpose.
     *
     * @param fd the inherited descriptor's number
     * @return the owner of {@code fd}
     * @throws ErrnoException with EBADF if {@code fd} is not open in this process
     */
    public static Fd inherit(int fd) throws ErrnoException {
        Fd owned = adopt(fd);
        if (LibC.fcntl(fd, Constants.F_SETFD, Constants.FD_CLOEXEC) < 0) {
            throw Errno.last("fcntl", "fd " + fd + ", F_SETFD, FD_CLOEXEC");
        }
        return owned;
    }

    /** Wraps a number just returned by the kernel to this package's callers; no check. */
    static Fd wrapNew(int fd) {
        return new Fd(fd);
    }

    @Override
    public Fd fd() {
        return this;
    }

    /**
     * The descriptor number. Valid while this object is open; printing it after close is harmless.
     *
     * @return the number, {@code >= 0}
     */
    public int number() {
        return fd;
    }

    @Override
    public boolean isOpen() {
        return ((int) STATE.getVolatile(this) & CLOSED) == 0;
    }

    /**
     * Marks the descriptor in use for one operation and returns its number; every call must be paired with
     * {@link #release()} in a {@code finally} block.
     *
     * @return the descriptor number, open until the matching {@link #release()}
     * @throws ClosedChannelException if {@link #close()} has been called
     */
    public int acquire() throws ClosedChannelException {
        for (;;) {
            int s = (int) STATE.getVolatile(this);
            if ((s & CLOSED) != 0) {
                throw new ClosedChannelException();
            }
            if (STATE.compareAndSet(this, s, s + ONE_OP)) {
                return fd;
            }
        }
    }

    /** Ends an operation begun with {@link #acquire()}; the last one after a close releases the number. */
    public void release() {
        int s = (int) STATE.getAndAdd(this, -ONE_OP) - ONE_OP;
        if (s == CLOSED) {
            releaseNumber();
        }
    }

    /**
     * Closes the descriptor. Idempotent and thread-safe; if operations are in flight the number is released when
     * the last one returns.
     */
    @Override
    public void close() {
        for (;;) {
            int s = (int) STATE.getVolatile(this);
            if ((s & CLOSED) != 0) {
                return;
            }
            if (STATE.compareAndSet(this, s, s | CLOSED)) {
                if (s == 0) {
                    releaseNumber();
                } else if (virtualWait == PARKS) {
                    FdPoller.closing(fd); // virtual threads parked on it wake, see it closed, and return
                }
                return;
            }
        }
    }

    private void releaseNumber() {
        if (STATE.compareAndSet(this, CLOSED, CLOSED | RELEASED)) {
            FdPoller.closing(fd);
            // close(2) releases the number even when it reports EINTR or EIO; never retry (the number may be reused).
            LibC.close(fd);
        }
    }

    // ---- reading and writing ----------------------------------------------------------------------------

    /**
     * Reads into a segment.
     *
     * @param dst where the bytes go, up to its size
     * @return the number of bytes read; {@code -1} at end of file (every writer of a pipe or FIFO has closed);
     *         {@code 0} if the descriptor is non-blocking and nothing is there now (EAGAIN), or {@code dst} is empty
     * @throws IOException {@link jipc.ErrnoException} if {@code read} fails,
     *     {@link java.nio.channels.ClosedChannelException} after close
     */
    public int read(MemorySegment dst) throws IOException {
        if (Objects.requireNonNull(dst, "dst").isReadOnly()) {
            throw new IllegalArgumentException("read into a read-only segment");
        }
        int length = (int) Math.min(dst.byteSize(), Integer.MAX_VALUE);
        if (!dst.isNative()) {
            MemorySegment scratch = SCRATCH.get();
            int n = readNative(scratch, Math.min(length, SCRATCH_SIZE));
            if (n > 0) {
                MemorySegment.copy(scratch, 0, dst, 0, n);
            }
            return n;
        }
        return readNative(dst, length);
    }

    /** As {@link #read(MemorySegment)}, filling {@code dst} from its position and advancing it. */
    @Override
    public int read(ByteBuffer dst) throws IOException {
        if (Objects.requireNonNull(dst, "dst").isReadOnly()) {
            throw new IllegalArgumentException("read into a read-only buffer");
        }
        int n = read(MemorySegment.ofBuffer(dst));
        if (n > 0) {
            dst.position(dst.position() + n);
        }
        return n;
    }

    private int readNative(MemorySegment dst, int length) throws IOException {
        if (length == 0) {
            return 0;
        }
        if (Thread.currentThread().isVirtual() && parksVirtualThreads()) {
            return readParking(dst, length);
        }
        int number = acquire();
        try {
            for (;;) {
                long n = LibC.read(number, dst, length);
                if (n > 0) {
                    return (int) n;
                }
                if (n == 0) {
                    return -1;
                }
                int errno = Native.errno();
                if (errno == Errno.EINTR) {
                    continue;
                }
                if (errno == Errno.EAGAIN) {
                    return 0;
                }
                throw Errno.exception("read", "fd " + number, errno);
            }
        } finally {
            release();
        }
    }

    /**
     * Writes from a segment. A blocking write to a pipe returns when all bytes are in (it may block while the pipe
     * is full); a non-blocking one writes what fits.
     *
     * @param src the bytes to write
     * @return the number of bytes written; {@code 0} if the descriptor is non-blocking and full (EAGAIN)
     * @throws jipc.BrokenPipeException if no reader is left (EPIPE)
     */
    public int write(MemorySegment src) throws IOException {
        Objects.requireNonNull(src, "src");
        int length = (int) Math.min(src.byteSize(), Integer.MAX_VALUE);
        if (!src.isNative()) {
            MemorySegment scratch = SCRATCH.get();
            int chunk = Math.min(length, SCRATCH_SIZE);
            MemorySegment.copy(src, 0, scratch, 0, chunk);
            return writeNative(scratch, chunk);
        }
        return writeNative(src, length);
    }

    /** As {@link #write(MemorySegment)}, taking bytes from the buffer's position and advancing it. */
    @Override
    public int write(ByteBuffer src) throws IOException {
        Objects.requireNonNull(src, "src");
        int n = write(MemorySegment.ofBuffer(src));
        if (n > 0) {
            src.position(src.position() + n);
        }
        return n;
    }

    private int writeNative(MemorySegment src, int length) throws IOException {
        if (length == 0) {
            return 0;
        }
        if (Thread.currentThread().isVirtual() && parksVirtualThreads()) {
            return writeParking(src, length);
        }
        int number = acquire();
        try {
            for (;;) {
                long n = LibC.write(number, src, length);
                if (n >= 0) {
                    return (int) n;
                }
                int errno = Native.errno();
                if (errno == Errno.EINTR) {
                    continue;
                }
                if (errno == Errno.EAGAIN) {
                    return 0;
                }
                throw Errno.exception("write", "fd " + number, errno);
            }
        } finally {
            release();
        }
    }

    // ---- virtual threads ------------------------------------------------------------------------------------

    /** Whether a virtual thread parks on this descriptor instead of blocking its carrier (see {@link #virtualWait}). */
    private boolean parksVirtualThreads() throws IOException {
        int kind = virtualWait;
        if (kind == UNKNOWN_KIND) {
            kind = stat().isFifo() ? PARKS : PINS;
            virtualWait = kind;
        }
        return kind == PARKS;
    }

    /**
     * A read on a virtual thread: {@code preadv2(RWF_NOWAIT)} never blocks, whatever {@code O_NONBLOCK} says (the
     * flag belongs to the open file description, which other processes may share, so it is never changed behind
     * their backs); when nothing is there, a non-blocking descriptor returns 0 and a blocking one parks the thread
     * until the poller sees data, end of file or an error.
     */
    private int readParking(MemorySegment dst, int length) throws IOException {
        int number = acquire();
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment iov = iovec(arena, dst, length);
            for (;;) {
                long n = LibC.preadv2(number, iov, 1, -1, Constants.RWF_NOWAIT);
                if (n > 0) {
                    return (int) n;
                }
                if (n == 0) {
                    return -1;
                }
                int errno = Native.errno();
                if (errno == Errno.EINTR) {
                    continue;
                }
                if (errno == Errno.EOPNOTSUPP || errno == Errno.EINVAL) {
                    virtualWait = PINS; // a kernel without RWF_NOWAIT on pipes: block as a platform thread does
                    long r = LibC.read(number, dst, length);
                    if (r >= 0) {
                        return r == 0 ? -1 : (int) r;
                    }
                    throw Errno.last("read", "fd " + number);
                }
                if (errno != Errno.EAGAIN) {
                    throw Errno.exception("read", "fd " + number, errno);
                }
                if (!blockingMode(number)) {
                    return 0;
                }
                parkUntil(number, Constants.EPOLLIN);
            }
        } finally {
            release();
        }
    }

    /**
     * A write on a virtual thread: {@code pwritev2(RWF_NOWAIT)}, then (blocking descriptor) park until there is room
     * and go on until every byte is in, as a blocking {@code write} would. A write of at most {@code PIPE_BUF} bytes
     * is all or nothing with {@code RWF_NOWAIT} too, so it is never interleaved with other writers'.
     */
    private int writeParking(MemorySegment src, int length) throws IOException {
        int number = acquire();
        try (Arena arena = Arena.ofConfined()) {
            int written = 0;
            for (;;) {
                MemorySegment iov = iovec(arena, src.asSlice(written), length - written);
                long n = LibC.pwritev2(number, iov, 1, -1, Constants.RWF_NOWAIT);
                if (n >= 0) {
                    written += (int) n;
                    if (written == length) {
                        return written;
                    }
                    continue;
                }
                int errno = Native.errno();
                if (errno == Errno.EINTR) {
                    continue;
                }
                if (errno == Errno.EOPNOTSUPP || errno == Errno.EINVAL) {
                    virtualWait = PINS;
                    long r = LibC.write(number, src.asSlice(written), length - written);
                    if (r >= 0) {
                        return written + (int) r;
                    }
                    throw Errno.last("write", "fd " + number);
                }
                if (errno != Errno.EAGAIN) {
                    throw Errno.exception("write", "fd " + number, errno);
                }
                if (!blockingMode(number)) {
                    return written;
                }
                parkUntil(number, Constants.EPOLLOUT);
            }
        } finally {
            release();
        }
    }

    private static MemorySegment iovec(Arena arena, MemorySegment buffer, long length) {
        MemorySegment iov = arena.allocate(Constants.IOVEC_SIZE, 8);
        iov.set(java.lang.foreign.ValueLayout.ADDRESS, 0, buffer);
        iov.set(JAVA_LONG, Constants.IOVEC_LEN_OFFSET, length);
        return iov;
    }

    private static boolean blockingMode(int number) throws ErrnoException {
        int flags = LibC.fcntl(number, Constants.F_GETFL, 0);
        if (flags < 0) {
            throw Errno.last("fcntl", "fd " + number + ", F_GETFL");
        }
        return (flags & Constants.O_NONBLOCK) == 0;
    }

    /**
     * Parks this virtual thread until the poller reports {@code events} on the descriptor, the descriptor is closed
     * ({@link java.nio.channels.AsynchronousCloseException}) or the thread is interrupted
     * ({@link InterruptedIOException}, the interrupt flag cleared, as {@link #awaitReadable} does).
     */
    private void parkUntil(int number, int events) throws IOException {
        if (Thread.interrupted()) {
            throw new InterruptedIOException("interrupted while waiting on fd " + number);
        }
        FdPoller.register(number, events);
        try {
            if (isOpen()) {
                LockSupport.park(this);
            }
        } finally {
            FdPoller.cancel(number);
        }
        if (!isOpen()) {
            throw new java.nio.channels.AsynchronousCloseException();
        }
        if (Thread.interrupted()) {
            throw new InterruptedIOException("interrupted while waiting on fd " + number);
        }
    }

    // ---- modes and waiting -------------------------------------------------------------------------------

    /**
     * Switches {@code O_NONBLOCK}. Note that the flag belongs to the open file description: every duplicate of this
     * descriptor, in this or another process, sees the change.
     *
     * @param blocking {@code false} to set {@code O_NONBLOCK}, {@code true} to clear it
     * @throws IOException {@link jipc.ErrnoException} if {@code fcntl} fails, or
     *     {@link java.nio.channels.ClosedChannelException} after close
     */
    public void setBlocking(boolean blocking) throws IOException {
        int number = acquire();
        try {
            int flags = LibC.fcntl(number, Constants.F_GETFL, 0);
            if (flags < 0) {
                throw Errno.last("fcntl", "fd " + number + ", F_GETFL");
            }
            int wanted = blocking ? flags & ~Constants.O_NONBLOCK : flags | Constants.O_NONBLOCK;
            if (wanted != flags && LibC.fcntl(number, Constants.F_SETFL, wanted) < 0) {
                throw Errno.last("fcntl", "fd " + number + ", F_SETFL");
            }
        } finally {
            release();
        }
    }

    /**
     * Whether reads and writes block (no {@code O_NONBLOCK} on the open file description).
     *
     * @return {@code true} if {@code O_NONBLOCK} is clear
     * @throws IOException {@link jipc.ErrnoException} if {@code fcntl} fails, or
     *     {@link java.nio.channels.ClosedChannelException} after close
     */
    public boolean isBlocking() throws IOException {
        int number = acquire();
        try {
            int flags = LibC.fcntl(number, Constants.F_GETFL, 0);
            if (flags < 0) {
                throw Errno.last("fcntl", "fd " + number + ", F_GETFL");
            }
            return (flags & Constants.O_NONBLOCK) == 0;
        } finally {
            release();
        }
    }

    /**
     * Waits with {@code poll(2)} until a read would not block: data, end of file or an error.
     *
     * @param timeout how long to wait at most; {@code null} waits without limit
     * @return {@code false} if the time ran out
     * @throws InterruptedIOException if the thread is interrupted while waiting (noticed within 100 ms)
     */
    public boolean awaitReadable(Duration timeout) throws IOException {
        return await(Constants.POLLIN, timeout);
    }

    /**
     * Waits with {@code poll(2)} until a write would not block: room in the pipe, or an error such as no reader.
     *
     * @param timeout how long to wait at most; {@code null} waits without limit
     * @return {@code false} if the time ran out
     * @throws InterruptedIOException if the thread is interrupted while waiting (noticed within 100 ms)
     */
    public boolean awaitWritable(Duration timeout) throws IOException {
        return await(Constants.POLLOUT, timeout);
    }

    private boolean await(short events, Duration timeout) throws IOException {
        long deadline = timeout == null ? Long.MAX_VALUE : System.nanoTime() + timeout.toNanos();
        MemorySegment pollfd = POLLFD.get();
        boolean parks = Thread.currentThread().isVirtual() && parksVirtualThreads();
        int number = acquire();
        try {
            for (;;) {
                if (parks) {
                    // a look without waiting, then the poller: the carrier is free while this thread waits
                    pollfd.set(JAVA_INT, 0, number);
                    pollfd.set(JAVA_SHORT, Constants.POLLFD_EVENTS_OFFSET, events);
                    pollfd.set(JAVA_SHORT, Constants.POLLFD_REVENTS_OFFSET, (short) 0);
                    if (LibC.poll(pollfd, 1, 0) > 0) {
                        return true;
                    }
                    long left = timeout == null ? Long.MAX_VALUE : deadline - System.nanoTime();
                    if (left <= 0) {
                        return false;
                    }
                    if (Thread.currentThread().isInterrupted()) {
                        Thread.interrupted();
                        throw new InterruptedIOException("interrupted while waiting on fd " + number);
                    }
                    FdPoller.register(number, events);
                    try {
                        if (isOpen()) {
                            LockSupport.parkNanos(this, left);
                        }
                    } finally {
                        FdPoller.cancel(number);
                    }
                    if (!isOpen()) {
                        throw new java.nio.channels.AsynchronousCloseException();
                    }
                    continue;
                }
                if (Thread.interrupted()) {
                    throw new InterruptedIOException("interrupted while waiting on fd " + number);
                }
                long remaining = timeout == null ? POLL_SLICE_MILLIS
                        : Math.max(0, (deadline - System.nanoTime() + 999_999) / 1_000_000);
                int slice = (int) Math.min(remaining, POLL_SLICE_MILLIS);
                pollfd.set(JAVA_INT, 0, number);
                pollfd.set(JAVA_SHORT, Constants.POLLFD_EVENTS_OFFSET, events);
                pollfd.set(JAVA_SHORT, Constants.POLLFD_REVENTS_OFFSET, (short) 0);
                int n = LibC.poll(pollfd, 1, slice);
                if (n > 0) {
                    short revents = pollfd.get(JAVA_SHORT, Constants.POLLFD_REVENTS_OFFSET);
                    if ((revents & Constants.POLLNVAL) != 0) {
                        throw Errno.exception("poll", "fd " + number, Errno.EBADF);
                    }
                    return true;
                }
                if (n < 0) {
                    int errno = Native.errno();
                    if (errno != Errno.EINTR) {
                        throw Errno.exception("poll", "fd " + number, errno);
                    }
                }
                if (timeout != null && System.nanoTime() - deadline >= 0) {
                    return false;
                }
            }
        } finally {
            release();
        }
    }

    // ---- other control -------------------------------------------------------------------------------------

    /**
     * A new descriptor for the same open file description ({@code fcntl(F_DUPFD_CLOEXEC)}), owned separately.
     *
     * @return the new descriptor, close-on-exec; close it separately
     * @throws IOException {@link jipc.ErrnoException} EMFILE if the process has no free descriptor, or
     *     {@link java.nio.channels.ClosedChannelException} after close
     */
    public Fd duplicate() throws IOException {
        return duplicateAtLeast(0);
    }

    /**
     * As {@link #duplicate()}, choosing the lowest free number that is {@code >= minimum}.
     *
     * @param minimum the lowest number the new descriptor may have
     * @return the new descriptor, close-on-exec; close it separately
     * @throws IOException {@link jipc.ErrnoException} EMFILE if no number from {@code minimum} up is free, or
     *     {@link java.nio.channels.ClosedChannelException} after close
     */
    public Fd duplicateAtLeast(int minimum) throws IOException {
        int number = acquire();
        try {
            int copy = LibC.fcntl(number, Constants.F_DUPFD_CLOEXEC, minimum);
            if (copy < 0) {
                throw Errno.last("fcntl", "fd " + number + ", F_DUPFD_CLOEXEC, " + minimum);
            }
            return new Fd(copy);
        } finally {
            release();
        }
    }

    /**
     * Runs {@code fcntl(fd, cmd, arg)} and returns its non-negative result, for commands without their own method.
     *
     * @param cmd the {@code F_*} command
     * @param arg its integer argument
     * @param what how error messages name the command, e.g. {@code "F_GETPIPE_SZ"}
     * @return the result, {@code >= 0}
     * @throws IOException {@link jipc.ErrnoException} naming {@code what} if {@code fcntl} fails, or
     *     {@link java.nio.channels.ClosedChannelException} after close
     */
    public int fcntl(int cmd, int arg, String what) throws IOException {
        int number = acquire();
        try {
            int r = LibC.fcntl(number, cmd, arg);
            if (r < 0) {
                throw Errno.last("fcntl", "fd " + number + ", " + what);
            }
            return r;
        } finally {
            release();
        }
    }

    /**
     * Bytes that can be read now without blocking ({@code ioctl(FIONREAD)}); for pipes, FIFOs and sockets.
     *
     * @return the number of bytes, {@code >= 0}
     * @throws IOException {@link jipc.ErrnoException} if {@code ioctl} fails (ENOTTY for a regular file), or
     *     {@link java.nio.channels.ClosedChannelException} after close
     */
    public int available() throws IOException {
        int number = acquire();
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment count = arena.allocate(JAVA_INT);
            if (LibC.ioctl(number, Constants.FIONREAD, count) < 0) {
                throw Errno.last("ioctl", "fd " + number + ", FIONREAD");
            }
            return count.get(JAVA_INT, 0);
        } finally {
            release();
        }
    }

    /**
     * The kernel's view of this descriptor ({@code fstat(2)}).
     *
     * @return the file's type, mode, owner and size
     * @throws IOException {@link jipc.ErrnoException} if {@code fstat} fails, or
     *     {@link java.nio.channels.ClosedChannelException} after close
     */
    public FileStat stat() throws IOException {
        int number = acquire();
        try {
            return FileStat.of(number);
        } finally {
            release();
        }
    }

    @Override
    public String toString() {
        return "Fd[" + fd + (isOpen() ? "" : ", closed") + "]";
    }
}
