package jipc.sync;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.invoke.VarHandle;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.Objects;

import jipc.internal.Errno;
import jipc.internal.Futex;
import jipc.internal.FutexWaiters;
import jipc.live.Liveness;
import jipc.live.LivenessToken;
import jipc.live.PartyState;

import static jipc.sync.MutexDescriptor.CONSISTENCY_OFFSET;
import static jipc.sync.MutexDescriptor.CONSISTENT;
import static jipc.sync.MutexDescriptor.MAGIC;
import static jipc.sync.MutexDescriptor.MAGIC_OFFSET;
import static jipc.sync.MutexDescriptor.NOT_RECOVERABLE;
import static jipc.sync.MutexDescriptor.OWNER_DIED;
import static jipc.sync.MutexDescriptor.OWNER_OFFSET;
import static jipc.sync.MutexDescriptor.OWNER_PID_OFFSET;
import static jipc.sync.MutexDescriptor.OWNER_THREAD_OFFSET;
import static jipc.sync.MutexDescriptor.UNLOCKED;
import static jipc.sync.MutexDescriptor.WAITERS_OFFSET;

/**
 * A mutual-exclusion lock in shared memory, for threads of any process that maps it, that survives a holder that
 * dies: the next locker gets it within about 100 ms and is told ({@link LockResult#OWNER_DIED}) so it can repair the
 * protected data.
 *
 * <pre>{@code
 * Mutex mutex = Mutex.attach(segment, 0);
 * if (mutex.lock() == LockResult.OWNER_DIED) {
 *     repair(data);             // the previous holder died in the middle of an update
 *     mutex.markConsistent();
 * }
 * try {
 *     update(data);
 * } finally {
 *     mutex.unlock();
 * }
 * }</pre>
 *
 * <p>It is 32 bytes ({@link MutexDescriptor}) at an 8-byte aligned offset of any native segment. The owner is
 * recorded as the holding process's liveness party ({@code jipc.live}) in one 64-bit word taken by compare-and-set,
 * so the lock is never held by an unknown owner. A waiter takes the lock over only when the owner's liveness token is
 * released (the kernel dropped its lock: the process is dead), which holds across pid namespaces and pid reuse: a
 * live holder is never taken over, however long it holds the lock, and one that cannot be judged counts as alive.
 * Semantics follow robust pthread mutexes: after {@link LockResult#OWNER_DIED}, {@link #markConsistent()} then
 * {@link #unlock()} makes it normal again; {@link #unlock()} without {@link #markConsistent()} makes it not
 * recoverable ({@link MutexNotRecoverableException} for every later locker).
 *
 * <p>Ownership is per thread: the thread that locked must unlock, and threads of one process exclude each other
 * like threads of different processes. Locking again from the holding thread, and unlocking from any other thread,
 * throw {@link IllegalMonitorStateException} (it is not reentrant). Death is detected per process: a thread that
 * ends while its process lives on leaves the mutex held, as with {@code java.util.concurrent} locks.
 *
 * <p>Costs: an uncontended lock or unlock is one compare-and-set (or volatile store) and no system call. A waiter
 * spins briefly, then sleeps in {@code futex(FUTEX_WAIT)}; unlock makes a {@code FUTEX_WAKE} system call only when
 * someone sleeps. Sleeps last at most 100 ms; after a sleep that timed out the waiter checks whether the owner still
 * lives (three system calls on its token file) and checks the interrupt flag, so waits answer
 * {@link Thread#interrupt()} within about 100 ms. During a sleep the thread is in a blocking downcall, which pins a
 * virtual thread's carrier thread. The first lock in a process makes its liveness token (a file in
 * {@code /dev/shm}).
 */
public final class Mutex {
    private static final VarHandle INT = ValueLayout.JAVA_INT.varHandle().withInvokeExactBehavior();
    private static final VarHandle LONG = ValueLayout.JAVA_LONG.varHandle().withInvokeExactBehavior();

    /** How many times a locker re-reads the owner word before it goes to sleep. */
    private static final int SPINS = 100;
    /** The longest single sleep: the bound on noticing a dead owner or an interrupt. */
    private static final long SLICE_NANOS = 100_000_000L;

    /**
     * Salt of this process's thread tokens: a random long with the top bit set, so that a token (thread id XOR salt)
     * is never 0 and practically never equals a token another process left behind.
     */
    private static final long TOKEN_SALT = new SecureRandom().nextLong() | Long.MIN_VALUE;

    private final MemorySegment block;

    private Mutex(MemorySegment block) {
        this.block = block;
    }

    /**
     * Initialises an unlocked, consistent mutex in the 32 bytes at {@code offset} of {@code segment} and returns it.
     * Other processes then {@link #attach} to it. Creating over a mutex that is in use breaks it for its users.
     *
     * @param offset where the mutex's 32 bytes start in {@code segment}, 8-byte aligned
     * @param segment native, writable memory that the other processes map too
     * @return the mutex, unlocked; any number of threads of this process may use it
     * @throws IllegalArgumentException if the segment is not native and writable, or the address is not 8-byte
     *                                  aligned
     * @throws IndexOutOfBoundsException if the 32 bytes do not fit in the segment
     */
    public static Mutex create(MemorySegment segment, long offset) {
        Objects.requireNonNull(segment, "segment");
        MemorySegment block = Segments.block(segment, offset, MutexDescriptor.LENGTH, MutexDescriptor.ALIGNMENT,
                "mutex");
        LONG.setVolatile(block, OWNER_OFFSET, UNLOCKED);
        INT.setVolatile(block, WAITERS_OFFSET, 0);
        INT.setVolatile(block, CONSISTENCY_OFFSET, CONSISTENT);
        LONG.setVolatile(block, OWNER_THREAD_OFFSET, 0L);
        INT.setVolatile(block, OWNER_PID_OFFSET, 0);
        // Publish last: an attacher that sees the magic sees the fields above.
        INT.setRelease(block, MAGIC_OFFSET, MAGIC);
        return new Mutex(block);
    }

    /**
     * Attaches to a mutex that some process {@link #create created} at {@code offset} of {@code segment}. Reads the
     * magic, writes nothing.
     *
     * @param offset where the mutex's 32 bytes start in {@code segment}
     * @param segment this process's mapping of the memory the mutex was created in
     * @return the mutex, in whatever state it is
     * @throws IllegalArgumentException if no mutex is there (wrong magic), or as for {@link #create}
     */
    public static Mutex attach(MemorySegment segment, long offset) {
        Objects.requireNonNull(segment, "segment");
        MemorySegment block = Segments.block(segment, offset, MutexDescriptor.LENGTH, MutexDescriptor.ALIGNMENT,
                "mutex");
        int magic = (int) INT.getAcquire(block, MAGIC_OFFSET);
        if (magic == MutexDescriptor.MAGIC_VERSION_1) {
            throw new IllegalArgumentException("mutex at offset=" + offset + " has layout version 1 (magic 0x"
                    + Integer.toHexString(magic) + ", owners named by pid); this jipc speaks version 2 (magic 0x"
                    + Integer.toHexString(MAGIC) + ", owners named by liveness token): create it anew");
        }
        if (magic != MAGIC) {
            throw new IllegalArgumentException("no mutex at offset=" + offset + ": magic=0x"
                    + Integer.toHexString(magic) + ", expected 0x" + Integer.toHexString(MAGIC));
        }
        return new Mutex(block);
    }

    /**
     * Locks, waiting as long as a live holder keeps the mutex. Blocks in the kernel (pinning a virtual thread's
     * carrier) in slices of at most 100 ms.
     *
     * @return {@link LockResult#ACQUIRED}, or {@link LockResult#OWNER_DIED} if the previous holder died holding it
     * @throws InterruptedException          if the thread is interrupted on entry or while waiting (noticed within
     *                                       ~100 ms); the mutex is not held then
     * @throws IllegalMonitorStateException  if this thread already holds it
     * @throws MutexNotRecoverableException  if the mutex is not recoverable
     */
    public LockResult lock() throws InterruptedException {
        if (Thread.interrupted()) {
            throw new InterruptedException();
        }
        return acquire(false, 0);
    }

    /**
     * Locks if that is possible now. Never sleeps. When the mutex is held by another process, checks whether that
     * process is dead (by its liveness token), and takes the mutex over if it is.
     *
     * @return {@link LockResult#ACQUIRED}, {@link LockResult#OWNER_DIED}, or {@link LockResult#BUSY} if a live
     *         holder has it
     * @throws IllegalMonitorStateException  if this thread already holds it
     * @throws MutexNotRecoverableException  if the mutex is not recoverable
     */
    public LockResult tryLock() {
        return attempt(self(), threadToken(), true);
    }

    /**
     * Locks, waiting at most {@code timeout} for a live holder to unlock. A dead holder is noticed within about
     * 100 ms and at the deadline.
     *
     * @param timeout the longest wait for a live holder; {@code null} waits as long as it takes
     * @return {@link LockResult#ACQUIRED}, {@link LockResult#OWNER_DIED}, or {@link LockResult#BUSY} if the time
     *         ran out
     * @throws InterruptedException as for {@link #lock()}
     */
    public LockResult tryLock(Duration timeout) throws InterruptedException {
        Objects.requireNonNull(timeout, "timeout");
        long deadline = System.nanoTime() + timeout.toNanos();
        if (Thread.interrupted()) {
            throw new InterruptedException();
        }
        return acquire(true, deadline);
    }

    private LockResult acquire(boolean timed, long deadline) throws InterruptedException {
        long self = self();
        long me = threadToken();
        LockResult result = attempt(self, me, false);
        for (int i = 0; i < SPINS && result == LockResult.BUSY; i++) {
            Thread.onSpinWait();
            if ((long) LONG.getVolatile(block, OWNER_OFFSET) == UNLOCKED) {
                result = attempt(self, me, false);
            }
        }
        return result == LockResult.BUSY ? await(self, me, timed, deadline) : result;
    }

    private LockResult await(long self, long me, boolean timed, long deadline) throws InterruptedException {
        // Count ourselves before reading the owner again: an unlock after this increment sees us and wakes, and one
        // before it left the word changed, which the attempt below (or FUTEX_WAIT's compare) sees.
        addWaiters(1);
        try {
            boolean checkOwner = false;
            for (;;) {
                LockResult result = attempt(self, me, checkOwner);
                if (result != LockResult.BUSY) {
                    return result;
                }
                if (Thread.interrupted()) {
                    throw new InterruptedException();
                }
                long slice = SLICE_NANOS;
                if (timed) {
                    long left = deadline - System.nanoTime();
                    if (left <= 0) {
                        return checkOwner ? LockResult.BUSY : attempt(self, me, true);
                    }
                    slice = Math.min(slice, left);
                }
                long owner = (long) LONG.getVolatile(block, OWNER_OFFSET);
                if (owner == UNLOCKED || owner == NOT_RECOVERABLE) {
                    checkOwner = false;
                    continue;
                }
                // Sleep on the pid half. A whole slice without any change is the moment to ask whether the owner
                // still lives: cheap enough every 100 ms, never on the hot path.
                checkOwner = FutexWaiters.await(block, (int) owner, slice) == Errno.ETIMEDOUT;
            }
        } finally {
            addWaiters(-1);
        }
    }

    /** One look at the owner word: take a free mutex, or a dead owner's if {@code checkOwner}; else BUSY. */
    private LockResult attempt(long self, long me, boolean checkOwner) {
        long owner = (long) LONG.getVolatile(block, OWNER_OFFSET);
        if (owner == UNLOCKED) {
            if ((boolean) LONG.compareAndSet(block, OWNER_OFFSET, UNLOCKED, self)) {
                LONG.setRelease(block, OWNER_THREAD_OFFSET, me);
                INT.setRelease(block, OWNER_PID_OFFSET, Liveness.selfPid());
                return LockResult.ACQUIRED;
            }
            return LockResult.BUSY;
        }
        if (owner == NOT_RECOVERABLE) {
            throw new MutexNotRecoverableException("mutex at 0x" + Long.toHexString(block.address())
                    + " is not recoverable: an owner died holding it and its successor unlocked it without"
                    + " markConsistent()");
        }
        if (owner == self) {
            // Another thread of this process holds it, or we do. Only we ever write our token here, and a holder
            // clears it before unlocking, so seeing our token means we hold it. (A dead process's holder leaves its
            // token until the taker overwrites it; tokens are salted per process so that it never equals ours.)
            if ((long) LONG.getAcquire(block, OWNER_THREAD_OFFSET) == me) {
                throw new IllegalMonitorStateException("lock: the mutex is already held by this thread (pid "
                        + Liveness.selfPid() + ", thread " + threadId(me) + "); it is not reentrant");
            }
            return LockResult.BUSY;
        }
        if (checkOwner && Liveness.check(owner).isDead()
                && (boolean) LONG.compareAndSet(block, OWNER_OFFSET, owner, self)) {
            // The dead owner may have left the data half-updated: inconsistent until the new owner says otherwise.
            INT.setVolatile(block, CONSISTENCY_OFFSET, OWNER_DIED);
            if (jipc.internal.Jfr.PRESENT) {
                jipc.internal.Jfr.ownerDied("mutex at 0x" + Long.toHexString(block.address()),
                        (int) INT.getAcquire(block, OWNER_PID_OFFSET), owner);
            }
            LONG.setRelease(block, OWNER_THREAD_OFFSET, me);
            INT.setRelease(block, OWNER_PID_OFFSET, Liveness.selfPid());
            Liveness.removeDeadToken(owner);
            return LockResult.OWNER_DIED;
        }
        return LockResult.BUSY;
    }

    /**
     * Unlocks. If the mutex was taken with {@link LockResult#OWNER_DIED} and not {@linkplain #markConsistent()
     * marked consistent}, it becomes not recoverable instead, and every waiter is woken to learn that. One volatile
     * store, plus one {@code FUTEX_WAKE} system call only if someone waits.
     *
     * @throws IllegalMonitorStateException if the calling thread does not hold the mutex
     */
    public void unlock() {
        checkHeld("unlock");
        LONG.setRelease(block, OWNER_THREAD_OFFSET, 0L);
        if ((int) INT.getVolatile(block, CONSISTENCY_OFFSET) == OWNER_DIED) {
            LONG.setVolatile(block, OWNER_OFFSET, NOT_RECOVERABLE);
            Futex.wake(block, Integer.MAX_VALUE);
            return;
        }
        // Volatile store, then volatile read: not reordered, so a waiter we miss here has not yet re-read the word.
        LONG.setVolatile(block, OWNER_OFFSET, UNLOCKED);
        if ((int) INT.getVolatile(block, WAITERS_OFFSET) > 0) {
            Futex.wake(block, 1);
        }
    }

    /**
     * Declares the protected data repaired after {@link LockResult#OWNER_DIED}, so that {@link #unlock()} leaves a
     * normal mutex. Does nothing if the mutex is consistent already.
     *
     * @throws IllegalMonitorStateException if the calling thread does not hold the mutex
     */
    public void markConsistent() {
        checkHeld("markConsistent");
        INT.setVolatile(block, CONSISTENCY_OFFSET, CONSISTENT);
    }

    /**
     * Whether the calling thread holds the mutex.
     *
     * @return {@code true} between this thread's lock and its unlock
     */
    public boolean isHeldByCurrentThread() {
        return (long) LONG.getVolatile(block, OWNER_OFFSET) == self()
                && (long) LONG.getAcquire(block, OWNER_THREAD_OFFSET) == threadToken();
    }

    private void checkHeld(String operation) {
        long owner = (long) LONG.getVolatile(block, OWNER_OFFSET);
        long thread = (long) LONG.getAcquire(block, OWNER_THREAD_OFFSET);
        long me = threadToken();
        if (owner != self() || thread != me) {
            throw new IllegalMonitorStateException(operation + ": the calling thread (pid " + Liveness.selfPid()
                    + ", thread " + threadId(me) + ") does not hold the mutex; owner=" + describe(owner, thread));
        }
    }

    private String describe(long owner, long thread) {
        if (owner == UNLOCKED) {
            return "none (unlocked)";
        }
        if (owner == NOT_RECOVERABLE) {
            return "none (not recoverable)";
        }
        return "pid " + (int) INT.getAcquire(block, OWNER_PID_OFFSET) + " (party 0x" + Long.toHexString(owner) + ")"
                + (owner == self() ? ", thread " + threadId(thread) + " of this process" : "");
    }

    /**
     * The verdict on the holder now: by its liveness token, never a timer or {@code /proc}; {@code NONE} if
     * unlocked or not recoverable.
     *
     * @return the verdict with its reason (a few system calls on the holder's token file)
     */
    public PartyState ownerState() {
        long owner = (long) LONG.getVolatile(block, OWNER_OFFSET);
        return owner == UNLOCKED || owner == NOT_RECOVERABLE ? Liveness.check(0) : Liveness.check(owner);
    }

    /** This process's owner word: the party of its standard liveness token that stands for the whole process. */
    private static long self() {
        return Self.PARTY;
    }

    private static final class Self {
        static final LivenessToken TOKEN = standardToken();
        static final long PARTY = TOKEN.processParty();

        private static LivenessToken standardToken() {
            try {
                return LivenessToken.standard();
            } catch (IOException e) {
                throw new UncheckedIOException("cannot make this process's liveness token: " + e.getMessage(), e);
            }
        }
    }

    /** The calling thread's token for the ownerThread field. */
    private static long threadToken() {
        return Thread.currentThread().threadId() ^ TOKEN_SALT;
    }

    /** The Java thread id behind a token written by this process. */
    private static long threadId(long token) {
        return token ^ TOKEN_SALT;
    }

    /** Sequentially consistent add to the waiters count (its result is of no use to anyone). */
    private void addWaiters(int delta) {
        int unused = (int) INT.getAndAdd(block, WAITERS_OFFSET, delta);
    }

    @Override
    public String toString() {
        long owner = (long) LONG.getVolatile(block, OWNER_OFFSET);
        return "Mutex[owner=" + describe(owner, (long) LONG.getAcquire(block, OWNER_THREAD_OFFSET))
                + ", consistent=" + ((int) INT.getVolatile(block, CONSISTENCY_OFFSET) == CONSISTENT)
                + ", waiters=" + (int) INT.getVolatile(block, WAITERS_OFFSET)
                + ", at 0x" + Long.toHexString(block.address()) + "]";
    }
}
