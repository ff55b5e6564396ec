package jipc.internal;

import java.io.UncheckedIOException;
import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemorySegment;
import java.lang.invoke.MethodHandle;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

/**
 * The {@code futex(2)} system call on a 32-bit word in shared memory: sleep while the word holds an expected value,
 * and wake sleepers after changing it.
 *
 * <p>Only the <em>shared</em> operations are used ({@code FUTEX_WAIT}, {@code FUTEX_WAKE} without
 * {@code FUTEX_PRIVATE_FLAG}): the kernel keys a shared futex by the page behind the address (inode and offset for a
 * file or shm mapping), so processes that map the same object at different addresses meet on the same futex.
 * glibc has no wrapper, so the call goes through {@code syscall(SYS_futex, ...)}.
 *
 * <p>{@link #await} always takes a relative timeout (CLOCK_MONOTONIC): callers wait in bounded slices so they can
 * re-check {@link Thread#interrupted()} and anything else between slices. The wait is a blocking downcall: it cannot be
 * interrupted by {@link Thread#interrupt()} and pins a virtual thread's carrier while it lasts.
 *
 * <p>Neither call allocates, whatever the JIT compiler inlines: they are on the per-message path of every sleeping
 * channel and topic, so the downcall is bound without errno capture (see {@link #SYSCALL_FUTEX}).
 */
@SuppressWarnings("restricted")
public final class Futex {
    private Futex() {
    }

    /** {@code FUTEX_WAIT} from {@code <linux/futex.h>}: sleep if {@code *uaddr == val}. */
    public static final int FUTEX_WAIT = 0;
    /** {@code FUTEX_WAKE}: wake at most {@code val} sleepers on {@code uaddr}. */
    public static final int FUTEX_WAKE = 1;

    /** {@code struct timespec} on x86-64: {@code time_t tv_sec; long tv_nsec;}. */
    private static final long TIMESPEC_SIZE = 16;
    private static final long TV_SEC_OFFSET = 0;
    private static final long TV_NSEC_OFFSET = 8;

    private static final FunctionDescriptor FUTEX_DESCRIPTOR =
            FunctionDescriptor.of(JAVA_LONG, JAVA_LONG, ADDRESS, JAVA_INT, JAVA_INT, ADDRESS, ADDRESS, JAVA_INT);

    /**
     * {@snippet lang=c :
     * long syscall(long number, ...);
     * // called as syscall(SYS_futex, uint32_t *uaddr, int futex_op, uint32_t val,
     * //                   const struct timespec *timeout, uint32_t *uaddr2, uint32_t val3)
     * }
     * Bound without errno capture: the capture slices its segment on every call, an allocation per wait and per
     * wake wherever C2 does not inline the whole call (see {@link Native}). errno is read on failure only
     * ({@link Native#errnoNow()}), and an unexpected one is confirmed through {@link #SYSCALL_FUTEX_CAPTURING}.
     */
    private static final MethodHandle SYSCALL_FUTEX = Native.downcall("syscall", FUTEX_DESCRIPTOR,
            Linker.Option.firstVariadicArg(1));
    /** The same call with errno captured: to confirm a failure before it becomes an exception. */
    private static final MethodHandle SYSCALL_FUTEX_CAPTURING = Native.errnoDowncall("syscall", FUTEX_DESCRIPTOR,
            Linker.Option.firstVariadicArg(1));

    /** A zero timeout: the confirming {@code FUTEX_WAIT} must not sleep. */
    private static final MemorySegment ZERO_TIMEOUT = Arena.global().allocate(TIMESPEC_SIZE, 8);

    // One timespec per thread, allocated once: no arena per wait.
    private static final ThreadLocal<MemorySegment> TIMESPEC =
            ThreadLocal.withInitial(() -> Arena.ofAuto().allocate(TIMESPEC_SIZE, 8));

    /**
     * Sleeps while the 32-bit word at the start of {@code word} holds {@code expected}, for at most
     * {@code timeoutNanos}. The kernel compares and enqueues atomically, so a wake that follows a change of the word
     * is never lost.
     *
     * @param word         a native segment whose first 4 bytes are the futex word (4-byte aligned)
     * @param timeoutNanos relative timeout, {@code >= 0}
     * @return {@code 0} when woken (or spuriously, which includes a failure whose errno the JVM overwrote before it
     *         was read and that a second, capturing call did not repeat), {@link Errno#EAGAIN} when the word did not
     *         hold {@code expected}, {@link Errno#ETIMEDOUT} when the time ran out, {@link Errno#EINTR} when a signal
     *         handler ran
     * @throws UncheckedIOException wrapping the {@link jipc.ErrnoException} of any other failure (EFAULT, EINVAL:
     *                              a bad address, which callers rule out before calling)
     */
    public static int await(MemorySegment word, int expected, long timeoutNanos) {
        MemorySegment timeout = TIMESPEC.get();
        timeout.set(JAVA_LONG, TV_SEC_OFFSET, timeoutNanos / 1_000_000_000L);
        timeout.set(JAVA_LONG, TV_NSEC_OFFSET, timeoutNanos % 1_000_000_000L);
        long r = futex(word, FUTEX_WAIT, expected, timeout);
        if (r == 0) {
            return 0;
        }
        int errno = Native.errnoNow();
        if (isExpectedWaitErrno(errno)) {
            return errno;
        }
        // Perhaps errno was overwritten after the call: a bad address or argument fails again, and at once, with a
        // zero timeout; anything else was a wake-up this thread cannot tell from a spurious one.
        r = futexCapturing(word, FUTEX_WAIT, expected, ZERO_TIMEOUT);
        errno = r == 0 ? 0 : Native.errno();
        if (r == 0 || isExpectedWaitErrno(errno)) {
            return 0;
        }
        throw new UncheckedIOException(Errno.exception("futex",
                "FUTEX_WAIT, 0x" + Long.toHexString(word.address()) + ", " + expected, errno));
    }

    private static boolean isExpectedWaitErrno(int errno) {
        return errno == Errno.EAGAIN || errno == Errno.ETIMEDOUT || errno == Errno.EINTR;
    }

    /**
     * Wakes at most {@code count} sleepers on the 32-bit word at the start of {@code word}. A system call: callers
     * make it only when their waiters count says someone may sleep.
     *
     * @return how many sleepers were woken
     * @throws UncheckedIOException wrapping the {@link jipc.ErrnoException} of a failure (EFAULT, EINVAL)
     */
    public static int wake(MemorySegment word, int count) {
        long r = futex(word, FUTEX_WAKE, count, MemorySegment.NULL);
        if (r < 0) {
            // The failure again with errno captured (a second wake is harmless: sleepers re-check their condition)
            r = futexCapturing(word, FUTEX_WAKE, count, MemorySegment.NULL);
            if (r < 0) {
                throw new UncheckedIOException(Errno.last("futex",
                        "FUTEX_WAKE, 0x" + Long.toHexString(word.address()) + ", " + count));
            }
        }
        return (int) r;
    }

    private static long futex(MemorySegment word, int op, int val, MemorySegment timeout) {
        try {
            return (long) SYSCALL_FUTEX.invokeExact(Constants.SYS_futex, word, op, val, timeout,
                    MemorySegment.NULL, 0);
        } catch (Throwable t) {
            throw Native.rethrow(t);
        }
    }

    private static long futexCapturing(MemorySegment word, int op, int val, MemorySegment timeout) {
        try {
            return (long) SYSCALL_FUTEX_CAPTURING.invokeExact(Native.callState(), Constants.SYS_futex, word, op, val,
                    timeout, MemorySegment.NULL, 0);
        } catch (Throwable t) {
            throw Native.rethrow(t);
        }
    }
}
