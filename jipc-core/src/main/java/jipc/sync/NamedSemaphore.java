package jipc.sync;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.channels.AsynchronousCloseException;
import java.nio.channels.ClosedChannelException;
import java.time.Duration;
import java.util.Objects;
import java.util.concurrent.atomic.AtomicInteger;

import jipc.ErrnoException;
import jipc.internal.PosixName;
import jipc.internal.Constants;
import jipc.internal.Errno;
import jipc.internal.LibC;
import jipc.internal.LibSem;
import jipc.internal.Native;
import jipc.internal.SemConstants;
import jipc.internal.SemDescriptor;
import jipc.internal.ShmConstants;
import jipc.io.BlockingCalls;

/**
 * A POSIX named semaphore ({@code sem_open(3)}): a counting semaphore that C programs ({@code sem_open},
 * {@code sem_wait}, {@code sem_post}) and Python ({@code posix_ipc}) share with Java by name.
 *
 * <pre>{@code
 * try (NamedSemaphore ready = NamedSemaphore.create("/app-ready", 0)) {
 *     ready.acquire();            // a C peer: sem_post(sem_open("/app-ready", 0))
 * } finally {
 *     NamedSemaphore.unlink("/app-ready");
 * }
 * }</pre>
 *
 * <p>With glibc the semaphore is a 32-byte file {@code /dev/shm/sem.NAME} that every user maps; the name lives until
 * {@link #unlink(String)} (or a reboot), independently of the processes that use it. A process that dies does not
 * give back what it took: use a {@link SysVSemaphoreSet} (with {@code SEM_UNDO}) or a {@link Mutex} where a dead
 * holder must not leave the count too low.
 *
 * <p>Names follow the POSIX shared memory rules: a leading '/', no other '/', 1 to 251 bytes after it (glibc
 * prefixes {@code "sem."} within the 255-byte file name limit). Objects are created with mode 0600 unless told
 * otherwise, and the mode is exact: {@code sem_open} narrows it by the umask, so {@link #create} follows it with a
 * {@code chmod} of {@code /dev/shm/sem.NAME}. In the instant between the two a peer may see the narrower mode.
 *
 * <p>Costs: {@link #post()}, {@link #tryAcquire()} and {@link #value()} are atomic operations in user space, with a
 * {@code futex} system call only when a post has to wake a sleeper. Waiting sleeps in the kernel without using CPU.
 * {@link #acquire()} and {@link #tryAcquire(Duration)} wait in slices of at most 100 ms ({@code sem_clockwait} on
 * {@code CLOCK_MONOTONIC}, or {@code sem_timedwait} on {@code CLOCK_REALTIME} where glibc lacks it) and check the
 * thread's interrupt flag and {@link #close()} between slices, so they answer {@link Thread#interrupt()} within about
 * 100 ms. During a slice the thread is in a blocking downcall, which pins a virtual thread's carrier thread.
 *
 * <p>Thread safety: all methods may be called from any thread. {@link #close()} waits for nothing: a wait in progress
 * ends with {@link AsynchronousCloseException} at the end of its slice, and the mapping is released
 * ({@code sem_close}) when the last operation in progress has returned, so no call ever touches unmapped memory.
 */
public final class NamedSemaphore implements AutoCloseable {
    /** The mode semaphores are created with unless told otherwise: read and write for the owner only. */
    public static final int DEFAULT_MODE = 0600;
    /** The highest value a POSIX semaphore can hold ({@code SEM_VALUE_MAX}). */
    public static final int MAX_VALUE = SemConstants.SEM_VALUE_MAX;

    /** The longest single sleep in the kernel: the bound on noticing an interrupt or a close. */
    private static final long SLICE_NANOS = 100_000_000L;
    /** Set in {@link #state} once {@link #close()} was called; the low bits count operations in progress. */
    private static final int CLOSED = 1 << 30;

    // One timespec and one int per thread, allocated once: no arena per wait.
    private static final ThreadLocal<MemorySegment> SCRATCH = ThreadLocal.withInitial(
            () -> Arena.ofAuto().allocate(SemDescriptor.TIMESPEC_SIZE + 8, 8));

    private final String name;
    private final MemorySegment sem;
    private final boolean created;
    private final AtomicInteger state = new AtomicInteger();

    private NamedSemaphore(String name, MemorySegment sem, boolean created) {
        this.name = name;
        this.sem = sem;
        this.created = created;
    }

    // ---- creating and opening -----------------------------------------------------------------------------

    /**
     * Creates a new semaphore with mode 0600. See {@link #create(String, int, int)}.
     *
     * @param name a leading '/' and 1 to 251 more bytes without '/' (see {@link #checkName(String)})
     * @param initial the starting value, 0 to {@link #MAX_VALUE}
     * @return the open semaphore; close it when done (the name stays until {@link #unlink(String)})
     * @throws IOException {@link ErrnoException} EEXIST if the name is taken, EACCES, ENOSPC as {@code sem_open} says
     */
    public static NamedSemaphore create(String name, int initial) throws IOException {
        return create(name, initial, DEFAULT_MODE);
    }

    /**
     * Creates a new semaphore holding {@code initial} ({@code sem_open} with {@code O_CREAT|O_EXCL}), then sets its
     * mode exactly (not narrowed by the umask).
     *
     * @param initial 0 to {@link #MAX_VALUE}
     * @param mode    permission bits, 0 to 0777
     * @param name a leading '/' and 1 to 251 more bytes without '/' (see {@link #checkName(String)})
     * @return the open semaphore; close it when done (the name stays until {@link #unlink(String)})
     * @throws ErrnoException EEXIST if the name exists; EACCES if {@code /dev/shm} does not let this user create
     */
    public static NamedSemaphore create(String name, int initial, int mode) throws IOException {
        checkName(name);
        checkInitialAndMode(initial, mode);
        NamedSemaphore s = createExclusive(name, initial, mode);
        if (s == null) {
            throw Errno.exception("sem_open", describe(name, Constants.O_CREAT | Constants.O_EXCL, mode, initial),
                    Errno.EEXIST);
        }
        return s;
    }

    /**
     * Opens an existing semaphore ({@code sem_open} without {@code O_CREAT}).
     *
     * @param name the semaphore's name, with its leading '/'
     * @return the open semaphore; close it when done
     * @throws ErrnoException ENOENT if there is none by that name; EACCES if this user may not read and write it
     */
    public static NamedSemaphore open(String name) throws IOException {
        checkName(name);
        NamedSemaphore s = openExisting(name);
        if (s == null) {
            throw Errno.exception("sem_open", Errno.quote(name), Errno.ENOENT);
        }
        return s;
    }

    /**
     * {@link #openOrCreate(String, int, int)} with mode 0600 for a new semaphore.
     *
     * @param name a leading '/' and 1 to 251 more bytes without '/' (see {@link #checkName(String)})
     * @param initial the starting value of a new semaphore, 0 to {@link #MAX_VALUE}
     * @return the open semaphore, new or not ({@link #created()})
     * @throws IOException {@link ErrnoException} EACCES if this user may not read and write it, or as {@code sem_open}
     *     says
     */
    public static NamedSemaphore openOrCreate(String name, int initial) throws IOException {
        return openOrCreate(name, initial, DEFAULT_MODE);
    }

    /**
     * Opens the semaphore, creating it as {@link #create(String, int, int)} does if there is none; {@link #created()}
     * tells which happened. {@code initial} and {@code mode} apply only to a new semaphore.
     *
     * @param name a leading '/' and 1 to 251 more bytes without '/' (see {@link #checkName(String)})
     * @param initial the starting value of a new semaphore, 0 to {@link #MAX_VALUE}
     * @param mode the permission bits of a new semaphore, 0 to 0777, exactly
     * @return the open semaphore, new or not ({@link #created()})
     * @throws IOException {@link ErrnoException} EACCES if this user may not read and write it, or as {@code sem_open}
     *     says
     */
    public static NamedSemaphore openOrCreate(String name, int initial, int mode) throws IOException {
        checkName(name);
        checkInitialAndMode(initial, mode);
        for (;;) {
            NamedSemaphore s = createExclusive(name, initial, mode);
            if (s != null) {
                return s;
            }
            s = openExisting(name);
            if (s != null) {
                return s;
            }
            // unlinked between our two attempts: try to create it again
        }
    }

    /**
     * Removes the name ({@code sem_unlink}). Processes that have the semaphore open keep using it; new opens fail
     * with ENOENT and a new semaphore may take the name.
     *
     * @param name the semaphore's name, with its leading '/'
     * @throws ErrnoException ENOENT if there is no such semaphore
     */
    public static void unlink(String name) throws IOException {
        checkName(name);
        try (Arena arena = Arena.ofConfined()) {
            if (LibSem.semUnlink(arena.allocateFrom(name)) < 0) {
                throw Errno.last("sem_unlink", Errno.quote(name));
            }
        }
    }

    /**
     * {@link #unlink(String)} that returns {@code false} instead of failing when there is no such semaphore.
     *
     * @param name the semaphore's name, with its leading '/'
     * @return {@code true} if the name was removed, {@code false} if there was no such semaphore
     * @throws IOException {@link ErrnoException} for any other failure of {@code sem_unlink} (EACCES, ...)
     */
    public static boolean unlinkIfExists(String name) throws IOException {
        try {
            unlink(name);
            return true;
        } catch (ErrnoException e) {
            if (e.errno() == Errno.ENOENT) {
                return false;
            }
            throw e;
        }
    }

    /**
     * Checks a semaphore name: a leading '/', no other '/', no NUL, 1 to 251 UTF-8 bytes after the '/', not "." or
     * "..".
     *
     * @param name the name to check
     * @throws IllegalArgumentException saying which rule {@code name} breaks
     */
    public static void checkName(String name) {
        PosixName.check("semaphore", name, SemConstants.SEM_NAME_MAX,
                SemConstants.SEM_NAME_MAX + " (NAME_MAX=" + ShmConstants.NAME_MAX + " minus \"sem.\")");
    }

    private static void checkInitialAndMode(int initial, int mode) {
        if (initial < 0) {
            throw new IllegalArgumentException("initial=" + initial + " < 0");
        }
        if ((mode & ~0777) != 0) {
            throw new IllegalArgumentException("mode=0" + Integer.toOctalString(mode) + " has bits outside 0777");
        }
    }

    /** Creates with O_EXCL and sets the exact mode; null if the name already exists. */
    private static NamedSemaphore createExclusive(String name, int initial, int mode) throws IOException {
        int flags = Constants.O_CREAT | Constants.O_EXCL;
        MemorySegment sem;
        try (Arena arena = Arena.ofConfined()) {
            sem = LibSem.semOpen(arena.allocateFrom(name), flags, mode, initial);
            if (LibSem.semFailed(sem)) {
                int errno = Native.errno();
                if (errno == Errno.EEXIST) {
                    return null;
                }
                throw Errno.exception("sem_open", describe(name, flags, mode, initial), errno);
            }
            // sem_open applied mode & ~umask; chmod is not subject to the umask. glibc keeps the semaphore in
            // /dev/shm/sem.NAME (NAME without its '/'). AT_SYMLINK_NOFOLLOW: should anything but our file be at
            // that name now, the mode of whatever a symbolic link points to is never changed.
            String file = "/dev/shm/sem." + name.substring(1);
            if (LibC.fchmodat(Constants.AT_FDCWD, arena.allocateFrom(file), mode,
                    Constants.AT_SYMLINK_NOFOLLOW) < 0) {
                ErrnoException e = Errno.last("fchmodat", Errno.quote(file) + ", 0" + Integer.toOctalString(mode));
                LibSem.semClose(sem);
                try (Arena again = Arena.ofConfined()) {
                    LibSem.semUnlink(again.allocateFrom(name));
                }
                throw e;
            }
        }
        return new NamedSemaphore(name, sem.reinterpret(32), true);
    }

    /** Opens without O_CREAT; null if there is no such name. */
    private static NamedSemaphore openExisting(String name) throws IOException {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment sem = LibSem.semOpen(arena.allocateFrom(name), 0, 0, 0);
            if (LibSem.semFailed(sem)) {
                int errno = Native.errno();
                if (errno == Errno.ENOENT) {
                    return null;
                }
                throw Errno.exception("sem_open", Errno.quote(name), errno);
            }
            return new NamedSemaphore(name, sem.reinterpret(32), false);
        }
    }

    private static String describe(String name, int flags, int mode, int initial) {
        StringBuilder s = new StringBuilder(Errno.quote(name)).append(", ");
        s.append((flags & Constants.O_EXCL) != 0 ? "O_CREAT|O_EXCL" : "O_CREAT");
        return s.append(", 0").append(Integer.toOctalString(mode)).append(", ").append(initial).toString();
    }

    // ---- using ---------------------------------------------------------------------------------------------

    /**
     * The name, with its leading '/'.
     *
     * @return the name given to {@code create} or {@code open}
     */
    public String name() {
        return name;
    }

    /**
     * Whether this handle created the semaphore.
     *
     * @return {@code true} if this handle's {@code sem_open} created it, {@code false} if it opened an existing one
     */
    public boolean created() {
        return created;
    }

    /**
     * Adds one to the value, waking one waiter if any ({@code sem_post}). No system call unless someone sleeps.
     *
     * @throws ErrnoException EOVERFLOW if the value is already {@link #MAX_VALUE}
     * @throws ClosedChannelException if this handle is closed
     */
    public void post() throws IOException {
        enter();
        try {
            if (LibSem.semPost(sem) < 0) {
                throw Errno.last("sem_post", Errno.quote(name));
            }
        } finally {
            exit();
        }
    }

    /**
     * Takes one if the value is above zero now ({@code sem_trywait}). Never blocks; no system call.
     *
     * @return whether the value was decremented
     * @throws ClosedChannelException if this handle is closed
     */
    public boolean tryAcquire() throws IOException {
        enter();
        try {
            return tryWait();
        } finally {
            exit();
        }
    }

    /**
     * Takes one, waiting as long as it takes. Sleeps in the kernel in slices of at most 100 ms (pinning a virtual
     * thread's carrier while it sleeps) and checks for an interrupt or a close between slices.
     *
     * @throws InterruptedException       if the thread is interrupted on entry or while waiting (noticed within about
     *                                    100 ms); nothing is taken then
     * @throws AsynchronousCloseException if this handle is closed while waiting
     * @throws ClosedChannelException     if this handle is closed
     */
    public void acquire() throws IOException, InterruptedException {
        if (!await(false, 0)) {
            throw new AssertionError("an untimed wait returned without taking");
        }
    }

    /**
     * Takes one, waiting at most {@code timeout}.
     *
     * @param timeout the longest wait; {@code null} waits as long as it takes
     * @return whether the value was decremented; {@code false} when the time ran out
     * @throws InterruptedException as for {@link #acquire()}
     * @throws IOException {@link ErrnoException} if {@code sem_timedwait} fails otherwise than by timing out
     */
    public boolean tryAcquire(Duration timeout) throws IOException, InterruptedException {
        Objects.requireNonNull(timeout, "timeout");
        long deadline = System.nanoTime() + timeout.toNanos();
        return await(true, deadline);
    }

    /**
     * The value now ({@code sem_getvalue}): a snapshot that may change at once. With glibc it is never negative;
     * waiters are not shown.
     *
     * @return the value, {@code >= 0}
     * @throws IOException {@link ErrnoException} if {@code sem_getvalue} fails (a closed handle throws
     *     {@code IllegalStateException})
     */
    public int value() throws IOException {
        enter();
        try {
            MemorySegment value = SCRATCH.get().asSlice(SemDescriptor.TIMESPEC_SIZE, 4);
            if (LibSem.semGetvalue(sem, value) < 0) {
                throw Errno.last("sem_getvalue", Errno.quote(name));
            }
            return value.get(ValueLayout.JAVA_INT, 0);
        } finally {
            exit();
        }
    }

    private boolean await(boolean timed, long deadline) throws IOException, InterruptedException {
        if (Thread.interrupted()) {
            throw new InterruptedException();
        }
        enter();
        try {
            MemorySegment abstime = SCRATCH.get().asSlice(0, SemDescriptor.TIMESPEC_SIZE);
            for (;;) {
                if (tryWait()) {
                    return true;
                }
                if (Thread.interrupted()) {
                    throw new InterruptedException();
                }
                if ((state.get() & CLOSED) != 0) {
                    throw new AsynchronousCloseException();
                }
                long slice = SLICE_NANOS;
                if (timed) {
                    long left = deadline - System.nanoTime();
                    if (left <= 0) {
                        return false;
                    }
                    slice = Math.min(slice, left);
                }
                if (sleepingSlice(abstime, slice)) {
                    return true;
                }
            }
        } finally {
            exit();
        }
    }

    /**
     * {@link #sleepSlice} on this thread, or, on a virtual thread, on jipc's small pool of platform threads
     * ({@link BlockingCalls}: glibc's {@code sem_t} has no word jipc may wait on) while the thread parks; a permit
     * taken for a thread that was interrupted meanwhile is posted back.
     */
    private boolean sleepingSlice(MemorySegment abstime, long slice) throws IOException, InterruptedException {
        try {
            return BlockingCalls.call(() -> sleepSlice(abstime, slice), took -> {
                if (took) {
                    LibSem.semPost(sem);
                }
            });
        } catch (java.io.InterruptedIOException e) {
            throw new InterruptedException(e.getMessage());
        }
    }

    /** Waits up to {@code slice} nanoseconds; true if it took one, false on timeout or a signal. */
    private boolean sleepSlice(MemorySegment abstime, long slice) throws ErrnoException {
        boolean monotonic = LibSem.hasSemClockwait();
        int clock = monotonic ? SemConstants.CLOCK_MONOTONIC : SemConstants.CLOCK_REALTIME;
        if (LibSem.clockGettime(clock, abstime) < 0) {
            throw Errno.last("clock_gettime", Integer.toString(clock));
        }
        long nanos = abstime.get(ValueLayout.JAVA_LONG, SemDescriptor.TV_NSEC_OFFSET) + slice;
        abstime.set(ValueLayout.JAVA_LONG, SemDescriptor.TV_SEC_OFFSET,
                abstime.get(ValueLayout.JAVA_LONG, SemDescriptor.TV_SEC_OFFSET) + nanos / 1_000_000_000L);
        abstime.set(ValueLayout.JAVA_LONG, SemDescriptor.TV_NSEC_OFFSET, nanos % 1_000_000_000L);
        int r = monotonic ? LibSem.semClockwait(sem, clock, abstime) : LibSem.semTimedwait(sem, abstime);
        if (r == 0) {
            return true;
        }
        int errno = Native.errno();
        if (errno == Errno.ETIMEDOUT || errno == Errno.EINTR) {
            return false;
        }
        throw Errno.exception(monotonic ? "sem_clockwait" : "sem_timedwait", Errno.quote(name), errno);
    }

    private boolean tryWait() throws ErrnoException {
        for (;;) {
            if (LibSem.semTrywait(sem) == 0) {
                return true;
            }
            int errno = Native.errno();
            if (errno == Errno.EAGAIN) {
                return false;
            }
            if (errno != Errno.EINTR) {
                throw Errno.exception("sem_trywait", Errno.quote(name), errno);
            }
        }
    }

    // ---- lifetime ------------------------------------------------------------------------------------------

    private void enter() throws ClosedChannelException {
        for (;;) {
            int s = state.get();
            if ((s & CLOSED) != 0) {
                throw new ClosedChannelException();
            }
            if (state.compareAndSet(s, s + 1)) {
                return;
            }
        }
    }

    private void exit() {
        if (state.decrementAndGet() == CLOSED) {
            release();
        }
    }

    /**
     * Unmaps this process's view of the semaphore ({@code sem_close}), once the operations in progress have
     * returned. The semaphore and its name stay ({@link #unlink(String)} removes the name). Idempotent.
     */
    @Override
    public void close() {
        for (;;) {
            int s = state.get();
            if ((s & CLOSED) != 0) {
                return;
            }
            if (state.compareAndSet(s, s | CLOSED)) {
                if (s == 0) {
                    release();
                }
                return;
            }
        }
    }

    /** Runs exactly once: when the state becomes "closed, nothing in progress". */
    private void release() {
        // sem_close fails only for an address that is not an open semaphore, which this is.
        LibSem.semClose(sem);
    }

    @Override
    public String toString() {
        return "NamedSemaphore[" + name + ((state.get() & CLOSED) != 0 ? ", closed" : "") + "]";
    }
}
