package jipc.sync;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.VarHandle;
import java.time.Duration;
import java.util.Objects;

import jipc.internal.SpinPolicy;
import jipc.internal.Futex;

import static jipc.sync.SemaphoreDescriptor.COUNT_OFFSET;
import static jipc.sync.SemaphoreDescriptor.MAGIC;
import static jipc.sync.SemaphoreDescriptor.MAGIC_OFFSET;
import static jipc.sync.SemaphoreDescriptor.MAX_OFFSET;
import static jipc.sync.SemaphoreDescriptor.WAITERS_OFFSET;

/**
 * A counting semaphore in shared memory that processes (and threads) use to limit how many hold a resource at once,
 * or, in its binary form, to hand a turn back and forth.
 *
 * <p>It is 16 bytes ({@link SemaphoreDescriptor}) at a 4-byte aligned offset of any native segment the caller maps,
 * so several semaphores can share one segment with the data they guard, and a C program can use the same words
 * ({@code docs/sync-format.md}). {@link #create} initialises the words; {@link #attach} only checks them and never
 * writes: exactly one process creates, the others attach.
 *
 * <p>Costs: an uncontended {@link #tryAcquire()} or {@link #release()} is one compare-and-set and no system call.
 * A waiter spins briefly, then sleeps in {@code futex(FUTEX_WAIT)} on the count word; a release makes a
 * {@code FUTEX_WAKE} system call only when the waiters count says someone sleeps. A sleeping waiter uses no CPU.
 *
 * <p>Blocking: waits are slices of at most 100 ms in the kernel, and the thread's interrupt flag is checked between
 * slices, so {@link #acquire()} answers {@link Thread#interrupt()} within about 100 ms. During a slice the thread is
 * in a blocking downcall, which pins a virtual thread's carrier thread.
 *
 * <p>Failure: a process that dies while holding permits does not give them back (use a {@link Mutex} where a dead
 * holder must be detected). A process that dies while waiting leaves the waiters count one too high, which costs
 * later releases a needless wake-up call but is otherwise harmless.
 */
public final class Semaphore {
    private static final VarHandle INT = ValueLayout.JAVA_INT.varHandle().withInvokeExactBehavior();

    /** How many times a waiter re-reads the count before it goes to sleep: none on a one-CPU machine. */
    private static final int SPINS = SpinPolicy.spins(100);
    /** The longest single sleep in the kernel: the bound on noticing an interrupt. */
    private static final long SLICE_NANOS = 100_000_000L;

    private final MemorySegment block;
    private final int max;

    private Semaphore(MemorySegment block, int max) {
        this.block = block;
        this.max = max;
    }

    /**
     * Initialises a counting semaphore with {@code permits} permits in the 16 bytes at {@code offset} of
     * {@code segment} and returns it. The count may grow up to {@link Integer#MAX_VALUE}. Other processes then
     * {@link #attach} to it. Creating over a semaphore that is in use breaks it for its users.
     *
     * @throws IllegalArgumentException if {@code permits < 0}, the segment is not native and writable, or the
     *                                  address is not 4-byte aligned
     * @throws IndexOutOfBoundsException if the 16 bytes do not fit in the segment
     */
    public static Semaphore create(MemorySegment segment, long offset, int permits) {
        return create(segment, offset, permits, Integer.MAX_VALUE);
    }

    /**
     * Initialises a binary semaphore (count 0 or 1) in the 16 bytes at {@code offset}: a turn that one side takes
     * with {@link #acquire()} and gives with {@link #release()}. Releasing a binary semaphore whose count is already
     * 1 is an error ({@link IllegalStateException}), not a silent no-op.
     *
     * @param available whether the count starts at 1
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
        INT.setVolatile(block, WAITERS_OFFSET, 0);
        INT.setVolatile(block, MAX_OFFSET, max);
        // Publish last: an attacher that sees the magic sees the fields above.
        INT.setRelease(block, MAGIC_OFFSET, MAGIC);
        return new Semaphore(block, max);
    }

    /**
     * Attaches to a semaphore that some process {@link #create created} at {@code offset} of {@code segment} (its
     * own mapping of the same memory). Reads the words, writes nothing.
     *
     * @throws IllegalArgumentException if no semaphore is there (wrong magic), or as for {@link #create}
     */
    public static Semaphore attach(MemorySegment segment, long offset) {
        Objects.requireNonNull(segment, "segment");
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
        return new Semaphore(block, max);
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
        // Count ourselves before looking at the count again: a release that comes after this increment sees us
        // and wakes, and one that came before left a permit that the tryAcquire below (or FUTEX_WAIT) sees.
        addWaiters(1);
        try {
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
                Futex.await(block, 0, slice);
            }
        } finally {
            addWaiters(-1);
        }
    }

    /** Gives back one permit. See {@link #release(int)}. */
    public void release() {
        release(1);
    }

    /**
     * Adds {@code permits} permits and wakes up to that many sleeping waiters. One compare-and-set, plus one
     * {@code FUTEX_WAKE} system call only if someone waits. Never blocks.
     *
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
        // The count changed before this read (both sequentially consistent): a waiter we miss here has not yet
        // re-checked the count and will find the permit.
        if ((int) INT.getVolatile(block, WAITERS_OFFSET) > 0) {
            Futex.wake(block, permits);
        }
    }

    /** The number of permits available now (a snapshot that may change at once). */
    public int availablePermits() {
        return (int) INT.getVolatile(block, COUNT_OFFSET);
    }

    /** The highest count: 1 for a binary semaphore, {@link Integer#MAX_VALUE} for a counting one. */
    public int maxPermits() {
        return max;
    }

    /** Sequentially consistent add to the waiters count (its result is of no use to anyone). */
    private void addWaiters(int delta) {
        int unused = (int) INT.getAndAdd(block, WAITERS_OFFSET, delta);
    }

    @Override
    public String toString() {
        return "Semaphore[count=" + availablePermits() + ", max=" + max + ", waiters="
                + (int) INT.getVolatile(block, WAITERS_OFFSET) + ", at 0x" + Long.toHexString(block.address()) + "]";
    }
}
