package jipc.sync;

import java.io.IOException;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.VarHandle;
import java.time.Duration;
import java.util.Objects;

import jipc.internal.SpinPolicy;
import jipc.internal.Futex;
import jipc.internal.FutexWaiters;
import jipc.live.Liveness;
import jipc.live.LivenessToken;

import static jipc.sync.SemaphoreDescriptor.COUNT_OFFSET;
import static jipc.sync.SemaphoreDescriptor.ENTRIES;
import static jipc.sync.SemaphoreDescriptor.ENTRY_RESERVED_OFFSET;
import static jipc.sync.SemaphoreDescriptor.MAGIC;
import static jipc.sync.SemaphoreDescriptor.MAGIC_OFFSET;
import static jipc.sync.SemaphoreDescriptor.MAGIC_VERSION_1;
import static jipc.sync.SemaphoreDescriptor.MAX_OFFSET;
import static jipc.sync.SemaphoreDescriptor.OVERFLOW_OFFSET;
import static jipc.sync.SemaphoreDescriptor.VERSION_1_LENGTH;
import static jipc.sync.SemaphoreDescriptor.entryOffset;
import static jipc.sync.SemaphoreDescriptor.freed;
import static jipc.sync.SemaphoreDescriptor.isFree;
import static jipc.sync.SemaphoreDescriptor.partyOffset;
import static jipc.sync.SemaphoreDescriptor.waitingOffset;

/**
 * A counting semaphore in shared memory that processes (and threads) use to limit how many hold a resource at once,
 * or, in its binary form, to hand a turn back and forth.
 *
 * <p>It is 128 bytes ({@link SemaphoreDescriptor}) at an 8-byte aligned offset of any native segment the caller
 * maps, so several semaphores can share one segment with the data they guard, and a C program can use the same words
 * ({@code docs/sync-format.md}). {@link #create} initialises the words; {@link #attach} only checks them and never
 * writes: exactly one process creates, the others attach.
 *
 * <p>Costs: an uncontended {@link #tryAcquire()} or {@link #release()} is one compare-and-set and no system call
 * (a release also reads the waiter counts: 8 loads on the semaphore's two cache lines when nobody waits). A waiter
 * spins briefly, then counts itself in its process's waiter entry and sleeps in {@code futex(FUTEX_WAIT)} on the
 * count word; a release makes a {@code FUTEX_WAKE} system call only when some entry says someone sleeps. A process's
 * first wait makes its liveness token if it has none ({@link LivenessToken}: a few system calls, once) and finds or
 * takes its entry; only when no entry is free does it judge the other processes' tokens (three system calls each,
 * at most every 100 ms per instance). A sleeping waiter uses no CPU.
 *
 * <p>Blocking: waits are slices of at most 100 ms in the kernel, and the thread's interrupt flag is checked between
 * slices, so {@link #acquire()} answers {@link Thread#interrupt()} within about 100 ms. During a slice the thread is
 * in a blocking downcall, which pins a virtual thread's carrier thread.
 *
 * <p>Failure: a process that dies while holding permits does not give them back (use a {@link Mutex} where a dead
 * holder must be detected). A process that dies while waiting leaves its entry's count frozen; the first release
 * whose {@code FUTEX_WAKE} then wakes nobody judges the entries by their liveness tokens (at most every 100 ms per
 * instance) and frees the dead ones, so later releases make no system call for it. Only a waiter that found all
 * seven entries held by live processes counts in the overflow word, and a process killed in that rare case leaves it
 * one too high for good, which costs later releases a needless wake-up call but is otherwise harmless. If this
 * process cannot make a liveness token at all, its waiters count in the overflow word too.
 */
public final class Semaphore {
    private static final VarHandle INT = ValueLayout.JAVA_INT.varHandle().withInvokeExactBehavior();
    private static final VarHandle LONG = ValueLayout.JAVA_LONG.varHandle().withInvokeExactBehavior();

    /** How many times a waiter re-reads the count before it goes to sleep: none on a one-CPU machine. */
    private static final int SPINS = SpinPolicy.spins(100);
    /** The longest single sleep in the kernel: the bound on noticing an interrupt. */
    private static final long SLICE_NANOS = 100_000_000L;
    /** The shortest time between two looks for dead waiters by one instance: a token check is three system calls. */
    private static final long FORGET_INTERVAL_NANOS = 100_000_000L;
    /** The same for a waiter that found no free entry and judges the holders of the others. */
    private static final long JUDGING_INTERVAL_NANOS = 100_000_000L;
    /** Taking an entry: one thread of this process at a time, so that its threads do not take two entries. */
    private static final Object TAKING = new Object();

    private final MemorySegment block;
    private final int max;
    /** Permission bits and group of the objects this semaphore lives in: the access class of its waiters' token. */
    private final int tokenMode;
    private final int tokenGid;

    /** This process's token for the entries, made at the first wait; null before, or if none can be made. */
    private volatile LivenessToken token;
    private volatile boolean noToken;
    /** The entry that last held this process's party: a hint, checked against the party word before use. */
    private int entryHint = -1;
    /** When this instance may next look for dead waiters (System.nanoTime()). */
    private volatile long nextForget = System.nanoTime();
    /** When a waiter of this instance that finds no free entry may next judge the others' tokens. */
    private volatile long nextJudging = System.nanoTime();

    private Semaphore(MemorySegment block, int max, int tokenMode, int tokenGid) {
        this.block = block;
        this.max = max;
        this.tokenMode = tokenMode;
        this.tokenGid = tokenGid;
    }

    /**
     * Initialises a counting semaphore with {@code permits} permits in the 128 bytes at {@code offset} of
     * {@code segment} and returns it. The count may grow up to {@link Integer#MAX_VALUE}. Other processes then
     * {@link #attach} to it. Creating over a semaphore that is in use breaks it for its users.
     *
     * @param permits the starting count, {@code >= 0}
     * @param offset where the semaphore's 128 bytes start in {@code segment}, 8-byte aligned
     * @param segment native, writable memory that the other processes map too
     * @return the semaphore; any number of threads of this process may use it
     * @throws IllegalArgumentException if {@code permits < 0}, the segment is not native and writable, or the
     *                                  address is not 8-byte aligned
     * @throws IndexOutOfBoundsException if the 128 bytes do not fit in the segment
     */
    public static Semaphore create(MemorySegment segment, long offset, int permits) {
        return create(segment, offset, permits, Integer.MAX_VALUE);
    }

    /**
     * Initialises a binary semaphore (count 0 or 1) in the 128 bytes at {@code offset}: a turn that one side takes
     * with {@link #acquire()} and gives with {@link #release()}. Releasing a binary semaphore whose count is already
     * 1 is an error ({@link IllegalStateException}), not a silent no-op.
     *
     * @param available whether the count starts at 1
     * @param offset where the semaphore's 128 bytes start in {@code segment}, 8-byte aligned
     * @param segment native, writable memory that the other processes map too
     * @return the semaphore; any number of threads of this process may use it
     */
    public static Semaphore createBinary(MemorySegment segment, long offset, boolean available) {
        return create(segment, offset, available ? 1 : 0, 1);
    }

    private static Semaphore create(MemorySegment segment, long offset, int permits, int max) {
        Objects.requireNonNull(segment, "segment");
        if (permits < 0) {
            throw new IllegalArgumentException("permits=" + permits + " < 0");
        }
        MemorySegment block = Segments.block(segment, offset, SemaphoreDescriptor.LENGTH,
                SemaphoreDescriptor.ALIGNMENT, "semaphore");
        INT.setVolatile(block, COUNT_OFFSET, permits);
        INT.setVolatile(block, OVERFLOW_OFFSET, 0);
        INT.setVolatile(block, MAX_OFFSET, max);
        for (int i = 0; i < ENTRIES; i++) {
            LONG.setVolatile(block, partyOffset(i), 0L);
            INT.setVolatile(block, waitingOffset(i), 0);
            INT.setVolatile(block, entryOffset(i) + ENTRY_RESERVED_OFFSET, 0);
        }
        // Publish last: an attacher that sees the magic sees the fields above.
        INT.setRelease(block, MAGIC_OFFSET, MAGIC);
        return new Semaphore(block, max, 0600, -1);
    }

    /**
     * Attaches to a semaphore that some process {@link #create created} at {@code offset} of {@code segment} (its
     * own mapping of the same memory). Reads the words, writes nothing.
     *
     * @param offset where the semaphore's 128 bytes start in {@code segment}
     * @param segment this process's mapping of the memory the semaphore was created in
     * @return the semaphore, with the kind and count it has
     * @throws IllegalArgumentException if no semaphore is there (wrong magic), a semaphore of layout version 1 is
     *                                  there, or as for {@link #create}
     */
    public static Semaphore attach(MemorySegment segment, long offset) {
        Objects.requireNonNull(segment, "segment");
        refuseVersion1(segment, offset, "semaphore at offset=" + offset);
        MemorySegment block = Segments.block(segment, offset, SemaphoreDescriptor.LENGTH,
                SemaphoreDescriptor.ALIGNMENT, "semaphore");
        int magic = (int) INT.getAcquire(block, MAGIC_OFFSET);
        if (magic != MAGIC) {
            throw new IllegalArgumentException("no semaphore at offset=" + offset + ": magic=0x"
                    + Integer.toHexString(magic) + ", expected 0x" + Integer.toHexString(MAGIC));
        }
        int max = (int) INT.getVolatile(block, MAX_OFFSET);
        if (max < 1) {
            throw new IllegalArgumentException("corrupt semaphore at offset=" + offset + ": max=" + max);
        }
        return new Semaphore(block, max, 0600, -1);
    }

    /**
     * Refuses a layout version 1 semaphore (16 bytes, magic at the same offset as today's) by name, before the
     * 128-byte bounds check could call it merely too small. Does nothing where no such magic can be read.
     */
    static void refuseVersion1(MemorySegment segment, long offset, String what) {
        if (!segment.isNative() || offset < 0 || offset > segment.byteSize() - VERSION_1_LENGTH
                || (segment.address() + offset) % Integer.BYTES != 0) {
            return;
        }
        int magic = (int) INT.getAcquire(segment, offset + MAGIC_OFFSET);
        if (magic == MAGIC_VERSION_1) {
            throw new IllegalArgumentException(what + " has layout version 1 (magic 0x"
                    + Integer.toHexString(MAGIC_VERSION_1) + ", 16 bytes, one waiters count); this jipc speaks"
                    + " version 2 (magic 0x" + Integer.toHexString(MAGIC) + ", " + SemaphoreDescriptor.LENGTH
                    + " bytes, waiters counted per process): create it anew");
        }
    }

    /**
     * This semaphore with its waiters' liveness token in the access class of an object with permission bits
     * {@code mode} and group {@code gid} ({@link LivenessToken#forAccess}), so that every process that may open the
     * object may judge this one's waiters. Same words; the default is {@code 0600} and this process's group.
     */
    Semaphore withTokenAccess(int mode, int gid) {
        return new Semaphore(block, max, mode, gid);
    }

    /**
     * Takes a permit if one is available now. Never blocks; no system call.
     *
     * @return whether a permit was taken
     */
    public boolean tryAcquire() {
        for (;;) {
            int count = (int) INT.getVolatile(block, COUNT_OFFSET);
            if (count <= 0) {
                return false;
            }
            if ((boolean) INT.compareAndSet(block, COUNT_OFFSET, count, count - 1)) {
                return true;
            }
        }
    }

    /**
     * Takes a permit, waiting as long as it takes. Blocks in the kernel (pinning a virtual thread's carrier) in
     * slices of at most 100 ms.
     *
     * @throws InterruptedException if the thread is interrupted on entry or while waiting (noticed within ~100 ms);
     *                              no permit is taken then
     */
    public void acquire() throws InterruptedException {
        if (Thread.interrupted()) {
            throw new InterruptedException();
        }
        if (!tryAcquire() && !spinThenAwait(false, 0)) {
            throw new AssertionError("an untimed wait returned without a permit");
        }
    }

    /**
     * Takes a permit, waiting at most {@code timeout}.
     *
     * @param timeout the longest wait; {@code null} waits as long as it takes
     * @return whether a permit was taken; {@code false} when the time ran out
     * @throws InterruptedException as for {@link #acquire()}
     */
    public boolean tryAcquire(Duration timeout) throws InterruptedException {
        Objects.requireNonNull(timeout, "timeout");
        long timeoutNanos = timeout.toNanos();
        if (Thread.interrupted()) {
            throw new InterruptedException();
        }
        // The clock only when the permit is not there at once.
        return tryAcquire() || timeoutNanos > 0 && spinThenAwait(true, System.nanoTime() + timeoutNanos);
    }

    private boolean spinThenAwait(boolean timed, long deadline) throws InterruptedException {
        for (int i = 0; i < SPINS; i++) {
            Thread.onSpinWait();
            if ((int) INT.getVolatile(block, COUNT_OFFSET) > 0 && tryAcquire()) {
                return true;
            }
        }
        LivenessToken token = token();
        // Count ourselves before looking at the count again: a release that comes after this increment sees us
        // and wakes, and one that came before left a permit that the tryAcquire below (or FUTEX_WAIT) sees.
        long counter = countWaiting(token == null ? 0 : token.processParty());
        try {
            return awaitPermit(timed, deadline);
        } finally {
            add(counter, -1);
        }
    }

    private boolean awaitPermit(boolean timed, long deadline) throws InterruptedException {
        for (;;) {
            if (tryAcquire()) {
                return true;
            }
            if (Thread.interrupted()) {
                throw new InterruptedException();
            }
            long slice = SLICE_NANOS;
            if (timed) {
                long left = deadline - System.nanoTime();
                if (left <= 0) {
                    return false;
                }
                slice = Math.min(slice, left);
            }
            // Any outcome (woken, count already changed, slice over, signal, spurious) leads back to the top.
            FutexWaiters.await(block, 0, slice); // a virtual thread parks, a platform thread sleeps in the kernel
        }
    }

    /**
     * Adds 1 for the calling thread to this process's entry (found, or taken from a free or dead party), or to the
     * overflow word if there is none ({@code self == 0}: no token); returns the offset of the counter it added to.
     */
    private long countWaiting(long self) {
        int entry = self == 0 ? -1 : entryOf(self);
        long counter = entry < 0 ? OVERFLOW_OFFSET : waitingOffset(entry);
        add(counter, 1);
        return counter;
    }

    /** The entry that names {@code self}: the one it has, else one it takes; -1 if all are held by live parties. */
    private int entryOf(long self) {
        int hint = entryHint;
        if (hint >= 0 && party(hint) == self) {
            return hint;
        }
        synchronized (TAKING) {
            int entry = findOrTakeEntry(self);
            entryHint = entry;
            return entry;
        }
    }

    private int findOrTakeEntry(long self) {
        for (int i = 0; i < ENTRIES; i++) {
            if (party(i) == self) {
                return i;
            }
        }
        for (int i = 0; i < ENTRIES; i++) {
            long holder = party(i);
            if (isFree(holder) && takeEntry(i, holder, self)) {
                return i;
            }
        }
        // No free entry: judge the others by their tokens (three system calls each). When all of them lived, the
        // waits of the next 100 ms count in overflow without judging them again.
        long now = System.nanoTime();
        if (now - nextJudging < 0) {
            return -1;
        }
        nextJudging = now + JUDGING_INTERVAL_NANOS;
        for (int i = 0; i < ENTRIES; i++) {
            long holder = party(i);
            if (!isFree(holder) && holder != self && Liveness.check(holder).isDead() && takeEntry(i, holder, self)) {
                if (jipc.internal.Jfr.PRESENT) {
                    jipc.internal.Jfr.recovery("entry " + i + " of the semaphore at 0x"
                            + Long.toHexString(block.address()), "taken over from a dead holder", "a dead process", holder);
                }
                Liveness.removeDeadToken(holder); // the cleaner's job, done by whoever recovers from the dead
                return i;
            }
        }
        return -1;
    }

    /**
     * Makes entry {@code i} ours if its party word still holds {@code holder} (free, or a party found dead before
     * this call): the holder's waiting count is frozen, so the value read before the compare-and-set is exactly what
     * to subtract after it. An add, not a store, because another process's thread is never in it, but one of ours
     * may be by then.
     */
    private boolean takeEntry(int i, long holder, long self) {
        int frozen = (int) INT.getVolatile(block, waitingOffset(i));
        if ((boolean) LONG.compareAndSet(block, partyOffset(i), holder, self)) {
            if (frozen != 0) {
                add(waitingOffset(i), -frozen);
            }
            return true;
        }
        return false;
    }

    /** Gives back one permit. See {@link #release(int)}. */
    public void release() {
        release(1);
    }

    /**
     * Adds {@code permits} permits and wakes up to that many sleeping waiters. One compare-and-set, plus one
     * {@code FUTEX_WAKE} system call only if someone waits. Never blocks. A wake that reaches nobody (a waiter
     * killed asleep left its count) leads to a look for dead waiters (token checks) at most every 100 ms.
     *
     * @param permits how many to add, {@code >= 1}
     * @throws IllegalArgumentException if {@code permits < 1}
     * @throws IllegalStateException    if the count would exceed the maximum (1 for a binary semaphore); nothing
     *                                  is added then
     */
    public void release(int permits) {
        if (permits < 1) {
            throw new IllegalArgumentException("permits=" + permits + " < 1");
        }
        for (;;) {
            int count = (int) INT.getVolatile(block, COUNT_OFFSET);
            // in long: a count another process set below zero must not overflow the bound into a false refusal
            if ((long) count + permits > max) {
                throw new IllegalStateException("release: count=" + count + " + permits=" + permits + " > max="
                        + max);
            }
            if ((boolean) INT.compareAndSet(block, COUNT_OFFSET, count, count + permits)) {
                break;
            }
        }
        // The count changed before these reads (all sequentially consistent): a waiter we miss here has not yet
        // re-checked the count and will find the permit.
        if (someoneMayWait() && Futex.wake(block, permits) == 0) {
            forgetDeadWaiters();
        }
    }

    /** Whether the overflow word or an entry of a party counts a waiter: up to 15 loads, no system call. */
    private boolean someoneMayWait() {
        if ((int) INT.getVolatile(block, OVERFLOW_OFFSET) > 0) {
            return true;
        }
        for (int i = 0; i < ENTRIES; i++) {
            if ((int) INT.getVolatile(block, waitingOffset(i)) > 0 && !isFree(party(i))) {
                return true;
            }
        }
        return false;
    }

    /**
     * After a wake that woke nobody: frees the entries that count waiters of certainly dead parties, so that their
     * frozen counts stop costing every release a system call. Their counts stay; whoever takes the entry next
     * subtracts them. At most every 100 ms per instance, because it asks the tokens (three system calls per entry).
     */
    private void forgetDeadWaiters() {
        long now = System.nanoTime();
        if (now - nextForget < 0) {
            return;
        }
        nextForget = now + FORGET_INTERVAL_NANOS;
        for (int i = 0; i < ENTRIES; i++) {
            if ((int) INT.getVolatile(block, waitingOffset(i)) <= 0) {
                continue;
            }
            long holder = party(i);
            if (!isFree(holder) && Liveness.check(holder).isDead()
                    && (boolean) LONG.compareAndSet(block, partyOffset(i), holder, freed(holder))) {
                if (jipc.internal.Jfr.PRESENT) {
                    jipc.internal.Jfr.recovery("entry " + i + " of the semaphore at 0x"
                            + Long.toHexString(block.address()), "a dead waiter forgotten", "a dead process", holder);
                }
                Liveness.removeDeadToken(holder);
            }
        }
    }

    /**
     * The number of permits available now (a snapshot that may change at once).
     *
     * @return the count, {@code >= 0} (one volatile load)
     */
    public int availablePermits() {
        return (int) INT.getVolatile(block, COUNT_OFFSET);
    }

    /**
     * The highest count: 1 for a binary semaphore, {@link Integer#MAX_VALUE} for a counting one.
     *
     * @return 1 or {@link Integer#MAX_VALUE}
     */
    public int maxPermits() {
        return max;
    }

    /**
     * How many threads, in all processes, are counted as sleeping or about to sleep now: the waiting counts of the
     * entries that name a party, plus the overflow word (a snapshot; a process killed asleep stays counted until a
     * release has freed its entry). Reads 15 words; no system call.
     *
     * @return the number of waiting threads counted, {@code >= 0}
     */
    public int waiters() {
        long sum = Math.max(0, (int) INT.getVolatile(block, OVERFLOW_OFFSET));
        for (int i = 0; i < ENTRIES; i++) {
            int waiting = (int) INT.getVolatile(block, waitingOffset(i));
            if (waiting > 0 && !isFree(party(i))) {
                sum += waiting;
            }
        }
        return (int) Math.min(sum, Integer.MAX_VALUE);
    }

    private long party(int i) {
        return (long) LONG.getVolatile(block, partyOffset(i));
    }

    /** This process's token for this semaphore's access class, made on first use; null if it cannot be made. */
    private LivenessToken token() {
        LivenessToken t = token;
        if (t == null && !noToken) {
            try {
                t = LivenessToken.forAccess(tokenMode, tokenGid);
                token = t;
            } catch (IOException | RuntimeException e) {
                noToken = true; // the waiters of this instance count in the overflow word
            }
        }
        return t;
    }

    /** Sequentially consistent add to a waiter counter (its result is of no use to anyone). */
    private void add(long counter, int delta) {
        int unused = (int) INT.getAndAdd(block, counter, delta);
    }

    @Override
    public String toString() {
        return "Semaphore[count=" + availablePermits() + ", max=" + max + ", waiters=" + waiters() + ", at 0x"
                + Long.toHexString(block.address()) + "]";
    }
}
