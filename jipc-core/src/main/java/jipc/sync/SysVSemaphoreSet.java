package jipc.sync;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.channels.ClosedChannelException;
import java.time.Duration;
import java.util.Objects;

import jipc.ErrnoException;
import jipc.internal.Errno;
import jipc.internal.LibSem;
import jipc.internal.Native;
import jipc.internal.SemConstants;
import jipc.internal.SemDescriptor;
import jipc.internal.ShmConstants;
import jipc.io.BlockingCalls;

/**
 * A System V semaphore set ({@code semget(2)}): {@code nsems} counting semaphores named together by a numeric key (or
 * private, {@code IPC_PRIVATE}, reachable only through its id), the kind {@code ipcs -s} lists and {@code ipcrm -s}
 * removes.
 *
 * <p>Its strength is {@code SEM_UNDO}: the kernel remembers what each process took and gives it back when the process
 * ends, however it ends (even SIGKILL). This handle passes {@code SEM_UNDO} on every operation unless
 * {@link #undo(boolean) undo(false)} is set. Undo suits a lock (the same process takes and gives back); for a
 * hand-off, where one process only takes and another only gives, turn it off in both, or the giver's exit would take
 * back what it gave.
 *
 * <pre>{@code
 * try (SysVSemaphoreSet set = SysVSemaphoreSet.create(key, 1)) {
 *     set.setValue(0, 1);     // a lock: 1 = free
 *     set.acquire(0);         // if this process dies now, the kernel gives the permit back
 *     ...
 *     set.release(0);
 * }
 * }</pre>
 *
 * <p>Costs: every operation is a system call ({@code semop}, {@code semtimedop} or {@code semctl}); there is no
 * user-space fast path. Values range from 0 to 32767 ({@code SEMVMX}). Waiting sleeps in the kernel without using CPU:
 * {@link #acquire(int)} and {@link #tryAcquire(int, Duration)} wait in {@code semtimedop} slices of at most 100 ms and
 * check the thread's interrupt flag between them, so they answer {@link Thread#interrupt()} within about 100 ms;
 * during a slice the thread is in a blocking downcall, which pins a virtual thread's carrier thread.
 *
 * <p>The set outlives every process until {@link #remove()}. Created with mode 0600 unless told otherwise; the mode is
 * exact (the umask does not apply to System V IPC). This handle holds no descriptor and no memory: {@link #close()}
 * only stops further use of it.
 */
public final class SysVSemaphoreSet implements AutoCloseable {
    /** The mode sets are created with unless told otherwise: read and write (alter) for the owner only. */
    public static final int DEFAULT_MODE = 0600;
    /** The highest value of a System V semaphore ({@code SEMVMX}). */
    public static final int MAX_VALUE = SemConstants.SEMVMX;

    private static final long SLICE_NANOS = 100_000_000L;

    // One sembuf and one timespec per thread, allocated once.
    private static final ThreadLocal<MemorySegment> SCRATCH = ThreadLocal.withInitial(
            () -> Arena.ofAuto().allocate(SemDescriptor.TIMESPEC_SIZE + 8, 8));

    private final int id;
    private final int key;
    private final int size;
    private final boolean created;
    private volatile boolean undo = true;
    private volatile boolean closed;

    private SysVSemaphoreSet(int id, int key, int size, boolean created) {
        this.id = id;
        this.key = key;
        this.size = size;
        this.created = created;
    }

    // ---- creating and opening -----------------------------------------------------------------------------

    /**
     * Creates a new set of {@code nsems} semaphores (all 0) for {@code key} with mode 0600.
     *
     * @param key any key but {@code IPC_PRIVATE} (0)
     * @param nsems 1 to {@code SEMMSL} (32000 by default)
     * @return the new set; close the handle when done (the set stays until {@link #remove()})
     * @throws IOException {@link ErrnoException} EEXIST if the key has a set, or as for {@link #create(int, int, int)}
     */
    public static SysVSemaphoreSet create(int key, int nsems) throws IOException {
        return create(key, nsems, DEFAULT_MODE);
    }

    /**
     * Creates a new set of {@code nsems} semaphores for {@code key} ({@code IPC_CREAT|IPC_EXCL}). Linux starts every
     * value at 0; {@link #setValue(int, int)} sets them.
     *
     * @param key   any key but {@code IPC_PRIVATE} (0), for which there is {@link #createPrivate(int, int)}
     * @param nsems 1 to {@code SEMMSL} (32000 by default)
     * @param mode  permission bits, 0 to 0777
     * @return the new set; close the handle when done (the set stays until {@link #remove()})
     * @throws ErrnoException EEXIST if the key has a set; EINVAL if {@code nsems} is above {@code SEMMSL};
     *                        ENOSPC if the system has no room for another set
     */
    public static SysVSemaphoreSet create(int key, int nsems, int mode) throws IOException {
        if (key == ShmConstants.IPC_PRIVATE) {
            throw new IllegalArgumentException("key=0 is IPC_PRIVATE: use createPrivate");
        }
        check(nsems, mode);
        int id = semget(key, nsems, ShmConstants.IPC_CREAT | ShmConstants.IPC_EXCL | mode);
        return new SysVSemaphoreSet(id, key, nsems, true);
    }

    /**
     * A new private set with mode 0600. See {@link #createPrivate(int, int)}.
     *
     * @param nsems 1 to {@code SEMMSL} (32000 by default)
     * @return the new set; close the handle when done (the set stays until {@link #remove()})
     * @throws IOException {@link ErrnoException} ENOSPC if the system has no room for another set
     */
    public static SysVSemaphoreSet createPrivate(int nsems) throws IOException {
        return createPrivate(nsems, DEFAULT_MODE);
    }

    /**
     * A new set with key {@code IPC_PRIVATE}: no other process can find it by key, only by its {@link #id()} (pass
     * the number to a child, which uses {@link #ofId(int)}).
     *
     * @param nsems 1 to {@code SEMMSL} (32000 by default)
     * @param mode permission bits, 0 to 0777
     * @return the new set; close the handle when done (the set stays until {@link #remove()})
     * @throws IOException {@link ErrnoException} ENOSPC if the system has no room for another set
     */
    public static SysVSemaphoreSet createPrivate(int nsems, int mode) throws IOException {
        check(nsems, mode);
        int id = semget(ShmConstants.IPC_PRIVATE, nsems, ShmConstants.IPC_CREAT | mode);
        return new SysVSemaphoreSet(id, ShmConstants.IPC_PRIVATE, nsems, true);
    }

    /**
     * The existing set for {@code key}, checking that this user may read and alter it; one more
     * {@code semctl(IPC_STAT)} reads its size.
     *
     * @param key the set's key, not {@code IPC_PRIVATE}
     * @return a handle on the set
     * @throws ErrnoException ENOENT if the key has no set; EACCES if its mode does not allow read and alter
     */
    public static SysVSemaphoreSet open(int key) throws IOException {
        int id = semget(key, 0, 0600);
        return new SysVSemaphoreSet(id, key, Stat.of(id).nsems(), false);
    }

    /**
     * The set with id {@code id} (as {@code ipcs -s} shows it, or as another process passed it): one
     * {@code semctl(IPC_STAT)} checks it exists and reads its key and size.
     *
     * @param id the set's id ({@code semid})
     * @return a handle on the set
     * @throws ErrnoException EINVAL (or EIDRM) if there is no such set; EACCES if this user may not read it
     */
    public static SysVSemaphoreSet ofId(int id) throws IOException {
        Stat stat = Stat.of(id);
        return new SysVSemaphoreSet(id, stat.key(), stat.nsems(), false);
    }

    private static void check(int nsems, int mode) {
        if (nsems < 1) {
            throw new IllegalArgumentException("nsems=" + nsems + " < 1");
        }
        if ((mode & ~0777) != 0) {
            throw new IllegalArgumentException("mode=0" + Integer.toOctalString(mode) + " has bits outside 0777");
        }
    }

    private static int semget(int key, int nsems, int flags) throws ErrnoException {
        int id = LibSem.semget(key, nsems, flags);
        if (id < 0) {
            StringBuilder s = new StringBuilder(keyName(key)).append(", ").append(nsems).append(", ");
            if ((flags & ShmConstants.IPC_CREAT) != 0) {
                s.append("IPC_CREAT|");
            }
            if ((flags & ShmConstants.IPC_EXCL) != 0) {
                s.append("IPC_EXCL|");
            }
            s.append('0').append(Integer.toOctalString(flags & 0777));
            throw Errno.last("semget", s.toString());
        }
        return id;
    }

    static String keyName(int key) {
        return key == ShmConstants.IPC_PRIVATE ? "IPC_PRIVATE" : String.format("key 0x%08x", key);
    }

    // ---- describing ----------------------------------------------------------------------------------------

    /**
     * The set id ({@code semid}), the number {@code ipcs -s} shows and {@code ipcrm -s} takes.
     *
     * @return the set id
     */
    public int id() {
        return id;
    }

    /**
     * The key this handle was made with ({@code 0} for {@code IPC_PRIVATE}).
     *
     * @return the key, {@code 0} for a private set
     */
    public int key() {
        return key;
    }

    /**
     * How many semaphores the set has.
     *
     * @return the number of semaphores, fixed at creation
     */
    public int size() {
        return size;
    }

    /**
     * Whether this handle created the set.
     *
     * @return {@code true} if this handle's {@code semget} created the set
     */
    public boolean created() {
        return created;
    }

    /**
     * Whether operations pass {@code SEM_UNDO} (the default).
     *
     * @return {@code true} if this handle's operations pass {@code SEM_UNDO}
     */
    public boolean undo() {
        return undo;
    }

    /**
     * Whether the operations of this handle pass {@code SEM_UNDO}, so that the kernel reverses them when this process
     * ends. Returns this handle.
     *
     * @param undo {@code false} for a hand-off where one process only takes and another only gives
     * @return this handle
     */
    public SysVSemaphoreSet undo(boolean undo) {
        this.undo = undo;
        return this;
    }

    /**
     * What the kernel knows about the set now ({@code semctl(IPC_STAT)}).
     *
     * @return the set's owner, mode, size and times
     * @throws IOException {@link ErrnoException} EIDRM/EINVAL if the set was removed, EACCES if this user may not read
     *     it
     */
    public Stat stat() throws IOException {
        ensureOpen();
        return Stat.of(id);
    }

    /**
     * What {@code semctl(IPC_STAT)} reports about a set.
     *
     * @param key         the key ({@code 0} for {@code IPC_PRIVATE})
     * @param uid         the owner's user id
     * @param mode        the permission bits
     * @param nsems       how many semaphores the set has
     * @param otimeSecond when the last {@code semop} completed, seconds since the epoch (0: never)
     * @param ctimeSecond when the set was created or last changed by {@code semctl}, seconds since the epoch
     */
    public record Stat(int key, int uid, int mode, int nsems, long otimeSecond, long ctimeSecond) {
        static Stat of(int id) throws ErrnoException {
            try (Arena arena = Arena.ofConfined()) {
                MemorySegment ds = arena.allocate(SemDescriptor.SEMID_DS_SIZE, SemDescriptor.SEMID_DS_ALIGNMENT);
                if (LibSem.semctl(id, 0, ShmConstants.IPC_STAT, ds) < 0) {
                    throw Errno.last("semctl", "id " + id + ", IPC_STAT");
                }
                return new Stat(ds.get(ValueLayout.JAVA_INT, SemDescriptor.PERM_KEY_OFFSET),
                        ds.get(ValueLayout.JAVA_INT, SemDescriptor.PERM_UID_OFFSET),
                        ds.get(ValueLayout.JAVA_INT, SemDescriptor.PERM_MODE_OFFSET) & 0777,
                        (int) ds.get(ValueLayout.JAVA_LONG, SemDescriptor.NSEMS_OFFSET),
                        ds.get(ValueLayout.JAVA_LONG, SemDescriptor.OTIME_OFFSET),
                        ds.get(ValueLayout.JAVA_LONG, SemDescriptor.CTIME_OFFSET));
            }
        }
    }

    // ---- operations ----------------------------------------------------------------------------------------

    /**
     * Takes one from semaphore {@code index}, waiting as long as it takes ({@code semtimedop} slices of at most
     * 100 ms, the interrupt flag checked between them).
     *
     * @param index the semaphore's index in the set, from 0
     * @throws InterruptedException if the thread is interrupted on entry or while waiting; nothing is taken then
     * @throws ErrnoException       EIDRM/EINVAL if the set was removed
     */
    public void acquire(int index) throws IOException, InterruptedException {
        if (!await(index, false, 0)) {
            throw new AssertionError("an untimed wait returned without taking");
        }
    }

    /**
     * Takes one from semaphore {@code index} if its value is above zero now ({@code semop} with
     * {@code IPC_NOWAIT}). Never blocks.
     *
     * @param index the semaphore's index in the set, from 0
     * @return {@code true} if it took one, {@code false} if the value was 0
     * @throws IOException {@link ErrnoException} EIDRM/EINVAL if the set was removed
     */
    public boolean tryAcquire(int index) throws IOException {
        checkIndex(index);
        return op(index, -1, SemConstants.IPC_NOWAIT, MemorySegment.NULL);
    }

    /**
     * Takes one from semaphore {@code index}, waiting at most {@code timeout}.
     *
     * @param timeout the longest wait; {@code null} waits as long as it takes
     * @param index the semaphore's index in the set, from 0
     * @return whether it took one; {@code false} when the time ran out
     * @throws InterruptedException if the thread is interrupted on entry or while waiting; nothing is taken then
     * @throws IOException {@link ErrnoException} EIDRM/EINVAL if the set was removed
     */
    public boolean tryAcquire(int index, Duration timeout) throws IOException, InterruptedException {
        Objects.requireNonNull(timeout, "timeout");
        long deadline = System.nanoTime() + timeout.toNanos();
        return await(index, true, deadline);
    }

    /**
     * Adds one to semaphore {@code index}, waking a waiter. See {@link #release(int, int)}.
     *
     * @param index the semaphore's index in the set, from 0
     * @throws IOException {@link ErrnoException} ERANGE if the value would exceed {@link #MAX_VALUE}, EIDRM/EINVAL if
     *     the set was removed
     */
    public void release(int index) throws IOException {
        release(index, 1);
    }

    /**
     * Adds {@code n} to semaphore {@code index} ({@code semop}), waking waiters. Never blocks.
     *
     * @param n 1 to {@link #MAX_VALUE}
     * @param index the semaphore's index in the set, from 0
     * @throws ErrnoException ERANGE if the value would exceed {@link #MAX_VALUE}
     */
    public void release(int index, int n) throws IOException {
        checkIndex(index);
        if (n < 1 || n > MAX_VALUE) {
            throw new IllegalArgumentException("n=" + n + " must be 1 to " + MAX_VALUE);
        }
        op(index, n, (short) 0, MemorySegment.NULL);
    }

    /**
     * The value of semaphore {@code index} now ({@code semctl(GETVAL)}): a snapshot.
     *
     * @param index the semaphore's index in the set, from 0
     * @return the value, 0 to {@link #MAX_VALUE}
     * @throws IOException {@link ErrnoException} EIDRM/EINVAL if the set was removed
     */
    public int value(int index) throws IOException {
        checkIndex(index);
        int v = LibSem.semctl(id, index, SemConstants.GETVAL, 0);
        if (v < 0) {
            throw Errno.last("semctl", description() + ", " + index + ", GETVAL");
        }
        return v;
    }

    /**
     * The values of all semaphores, read atomically together ({@code semctl(GETALL)}).
     *
     * @return one value per semaphore, in index order
     * @throws IOException {@link ErrnoException} EIDRM/EINVAL if the set was removed
     */
    public int[] values() throws IOException {
        ensureOpen();
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment array = arena.allocate(ValueLayout.JAVA_SHORT, size);
            if (LibSem.semctl(id, 0, SemConstants.GETALL, array) < 0) {
                throw Errno.last("semctl", description() + ", GETALL");
            }
            int[] values = new int[size];
            for (int i = 0; i < size; i++) {
                values[i] = Short.toUnsignedInt(array.getAtIndex(ValueLayout.JAVA_SHORT, i));
            }
            return values;
        }
    }

    /**
     * Sets semaphore {@code index} to {@code value} ({@code semctl(SETVAL)}), waking waiters as needed. Clears every
     * process's undo record for that semaphore, so set values before handing the set out.
     *
     * @param value 0 to {@link #MAX_VALUE}
     * @param index the semaphore's index in the set, from 0
     * @throws IOException {@link ErrnoException} ERANGE for a value above {@link #MAX_VALUE}, EIDRM/EINVAL if the set
     *     was removed
     */
    public void setValue(int index, int value) throws IOException {
        checkIndex(index);
        if (value < 0 || value > MAX_VALUE) {
            throw new IllegalArgumentException("value=" + value + " must be 0 to " + MAX_VALUE);
        }
        if (LibSem.semctl(id, index, SemConstants.SETVAL, value) < 0) {
            throw Errno.last("semctl", description() + ", " + index + ", SETVAL, " + value);
        }
    }

    /**
     * Removes the set at once ({@code semctl(IPC_RMID)}): waiters in every process wake with EIDRM, and the key is
     * free for a new set. Then closes this handle.
     *
     * @throws IOException {@link ErrnoException} EPERM if this user neither owns nor created the set, EIDRM/EINVAL if
     *     it is gone
     */
    public void remove() throws IOException {
        ensureOpen();
        if (LibSem.semctl(id, 0, ShmConstants.IPC_RMID, 0) < 0) {
            throw Errno.last("semctl", description() + ", IPC_RMID");
        }
        close();
    }

    /**
     * Removes the set with id {@code id} ({@code semctl(IPC_RMID)}): what {@code ipcrm -s id} does.
     *
     * @param id the set's id ({@code semid})
     * @throws IOException {@link ErrnoException} EPERM if this user neither owns nor created the set, EINVAL if there
     *     is no such set
     */
    public static void remove(int id) throws IOException {
        if (LibSem.semctl(id, 0, ShmConstants.IPC_RMID, 0) < 0) {
            throw Errno.last("semctl", "id " + id + ", IPC_RMID");
        }
    }

    private boolean await(int index, boolean timed, long deadline) throws IOException, InterruptedException {
        checkIndex(index);
        MemorySegment timeout = SCRATCH.get().asSlice(0, SemDescriptor.TIMESPEC_SIZE);
        for (;;) {
            if (Thread.interrupted()) {
                throw new InterruptedException();
            }
            ensureOpen();
            long slice = SLICE_NANOS;
            if (timed) {
                long left = deadline - System.nanoTime();
                if (left <= 0) {
                    return op(index, -1, SemConstants.IPC_NOWAIT, MemorySegment.NULL);
                }
                slice = Math.min(slice, left);
            }
            timeout.set(ValueLayout.JAVA_LONG, SemDescriptor.TV_SEC_OFFSET, slice / 1_000_000_000L);
            timeout.set(ValueLayout.JAVA_LONG, SemDescriptor.TV_NSEC_OFFSET, slice % 1_000_000_000L);
            if (sleepingOp(index, timeout)) {
                return true;
            }
        }
    }

    /**
     * One {@code semtimedop} slice that may sleep: on a virtual thread it runs on jipc's small pool of platform
     * threads ({@link BlockingCalls}) while the thread parks; a permit taken for a thread that was interrupted
     * meanwhile is given back.
     */
    private boolean sleepingOp(int index, MemorySegment timeout) throws IOException, InterruptedException {
        try {
            return BlockingCalls.call(() -> op(index, -1, (short) 0, timeout), took -> {
                if (took) {
                    try {
                        op(index, 1, SemConstants.IPC_NOWAIT, MemorySegment.NULL);
                    } catch (IOException e) {
                        // removed meanwhile: nothing to give back to
                    }
                }
            });
        } catch (java.io.InterruptedIOException e) {
            throw new InterruptedException(e.getMessage());
        }
    }

    /**
     * One {@code semop}/{@code semtimedop} on semaphore {@code index}. Returns false when it would block
     * (IPC_NOWAIT: EAGAIN), the slice ran out (EAGAIN) or a signal came (EINTR); nothing changed then.
     */
    private boolean op(int index, int delta, short flags, MemorySegment timeout) throws IOException {
        ensureOpen();
        MemorySegment sops = SCRATCH.get().asSlice(SemDescriptor.TIMESPEC_SIZE, SemDescriptor.SEMBUF_SIZE);
        short flg = (short) (flags | (undo ? SemConstants.SEM_UNDO : 0));
        sops.set(ValueLayout.JAVA_SHORT, SemDescriptor.SEMBUF_NUM_OFFSET, (short) index);
        sops.set(ValueLayout.JAVA_SHORT, SemDescriptor.SEMBUF_OP_OFFSET, (short) delta);
        sops.set(ValueLayout.JAVA_SHORT, SemDescriptor.SEMBUF_FLG_OFFSET, flg);
        int r = timeout.equals(MemorySegment.NULL)
                ? LibSem.semop(id, sops, 1)
                : LibSem.semtimedop(id, sops, 1, timeout);
        if (r == 0) {
            return true;
        }
        int errno = Native.errno();
        if (errno == Errno.EAGAIN || errno == Errno.EINTR) {
            return false;
        }
        throw Errno.exception(timeout.equals(MemorySegment.NULL) ? "semop" : "semtimedop",
                description() + ", {" + index + ", " + delta + ", " + flagNames(flg) + "}", errno);
    }

    private static String flagNames(short flg) {
        if (flg == 0) {
            return "0";
        }
        StringBuilder s = new StringBuilder();
        if ((flg & SemConstants.IPC_NOWAIT) != 0) {
            s.append("IPC_NOWAIT");
        }
        if ((flg & SemConstants.SEM_UNDO) != 0) {
            s.append(s.isEmpty() ? "" : "|").append("SEM_UNDO");
        }
        return s.toString();
    }

    private void checkIndex(int index) throws ClosedChannelException {
        ensureOpen();
        if (index < 0 || index >= size) {
            throw new IndexOutOfBoundsException("index=" + index + " outside 0.." + (size - 1));
        }
    }

    private void ensureOpen() throws ClosedChannelException {
        if (closed) {
            throw new ClosedChannelException();
        }
    }

    private String description() {
        return keyName(key) + " (id " + id + ")";
    }

    /**
     * Stops further use of this handle. Idempotent. The set stays until {@link #remove()}; undo records of this
     * process are applied only when the process ends.
     */
    @Override
    public void close() {
        closed = true;
    }

    @Override
    public String toString() {
        return "SysVSemaphoreSet[" + description() + ", " + size + " semaphores" + (closed ? ", closed" : "") + "]";
    }
}
