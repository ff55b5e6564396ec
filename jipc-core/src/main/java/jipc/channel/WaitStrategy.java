package jipc.channel;

import java.util.concurrent.locks.LockSupport;

import jipc.internal.SpinPolicy;

/**
 * How a blocking channel call ({@link OneToOneChannel#poll(MessageHandler, int, java.time.Duration)},
 * {@link OneToOneChannel#put(int, java.lang.foreign.MemorySegment, java.time.Duration)}) waits for the other side.
 *
 * <p>The choice trades latency against CPU: {@link #busySpin()} answers in well under a microsecond and burns a core;
 * {@link #yielding()} burns a core politely; {@link #parking(long, long)} sleeps in growing steps (latency up to its
 * longest step, little CPU); {@link #futex()} sleeps in the kernel until the other side wakes it (no CPU while idle,
 * a wake-up costs the other side one {@code FUTEX_WAKE} system call and this side a few microseconds);
 * {@link #hybrid(int)} spins a little first and then sleeps like {@code futex()}, the default.
 *
 * <p>Every strategy notices {@link Thread#interrupt()}: spinning ones check it as they go, sleeping ones sleep in
 * slices of at most {@link #MAX_SLICE_NANOS}.
 */
@FunctionalInterface
public interface WaitStrategy {
    /** The longest single sleep of the built-in strategies (100 ms): the bound on noticing an interrupt. */
    long MAX_SLICE_NANOS = 100_000_000L;
    /** A timeout meaning "no limit". */
    long FOREVER = Long.MAX_VALUE;

    /**
     * Waits until {@code waitable.isReady()} or until {@code timeoutNanos} have passed.
     *
     * @param waitable the condition and its sleep (the channel's wake protocol)
     * @param timeoutNanos how long at most, {@code >= 0}, or {@link #FOREVER}
     * @return whether the condition holds; {@code false} only when the time ran out
     * @throws InterruptedException if the thread is interrupted while waiting (its flag is cleared)
     */
    boolean await(Waitable waitable, long timeoutNanos) throws InterruptedException;

    /**
     * Re-checks in a tight loop with {@link Thread#onSpinWait()}: lowest latency, one busy core.
     *
     * @return a shared, stateless strategy
     */
    static WaitStrategy busySpin() {
        return (waitable, timeoutNanos) -> spin(waitable, timeoutNanos, false);
    }

    /**
     * Re-checks with {@link Thread#yield()} between checks: low latency, a busy core that others may take.
     *
     * @return a shared, stateless strategy
     */
    static WaitStrategy yielding() {
        return (waitable, timeoutNanos) -> spin(waitable, timeoutNanos, true);
    }

    /**
     * Parks the thread between checks, starting at {@code minParkNanos} and doubling up to {@code maxParkNanos}.
     * No cross-process wake-up: latency is up to {@code maxParkNanos}, but the other side never makes a system call.
     *
     * @param minParkNanos the first park's length in nanoseconds, {@code > 0}
     * @param maxParkNanos the longest park in nanoseconds, {@code >= minParkNanos}
     * @return a stateless strategy (each wait starts again at {@code minParkNanos})
     */
    static WaitStrategy parking(long minParkNanos, long maxParkNanos) {
        if (minParkNanos < 1 || maxParkNanos < minParkNanos || maxParkNanos > MAX_SLICE_NANOS) {
            throw new IllegalArgumentException("minParkNanos=" + minParkNanos + ", maxParkNanos=" + maxParkNanos
                    + ": need 1 <= min <= max <= " + MAX_SLICE_NANOS);
        }
        return (waitable, timeoutNanos) -> {
            long deadline = deadline(timeoutNanos);
            long park = minParkNanos;
            while (!waitable.isReady()) {
                long left = left(deadline);
                if (left <= 0) {
                    return false;
                }
                LockSupport.parkNanos(Math.min(park, left));
                if (Thread.interrupted()) {
                    throw new InterruptedException();
                }
                park = Math.min(park * 2, maxParkNanos);
            }
            return true;
        };
    }

    /**
     * Sleeps in {@code FUTEX_WAIT} at once until the other side wakes it: no CPU while idle.
     *
     * @return a shared, stateless strategy
     */
    static WaitStrategy futex() {
        return (waitable, timeoutNanos) -> sleep(waitable, timeoutNanos);
    }

    /**
     * Re-checks {@code spins} times with {@link Thread#onSpinWait()}, then sleeps like {@link #futex()}: a message
     * that arrives within the spin costs no system call on either side. On a machine with one online CPU it does not
     * spin (the other side cannot run meanwhile) and sleeps at once. Two processes pinned to the same CPU should wait
     * with {@link #futex()}: spinning there burns the time slice the other side needs.
     *
     * @param spins how many re-checks before sleeping, {@code >= 0}
     * @return a stateless strategy
     */
    static WaitStrategy hybrid(int spins) {
        if (spins < 0) {
            throw new IllegalArgumentException("spins=" + spins + " < 0");
        }
        int budget = SpinPolicy.spins(spins);
        return (waitable, timeoutNanos) -> {
            for (int i = 0; i < budget; i++) {
                if (waitable.isReady()) {
                    return true;
                }
                Thread.onSpinWait();
            }
            return sleep(waitable, timeoutNanos);
        };
    }

    /**
     * {@link #hybrid(int)} with 1000 spins; none on a one-CPU machine. How long 1000 spins take depends on the CPU
     * ({@link Thread#onSpinWait()} is the x86 {@code PAUSE}, whose length differs several times between CPU models):
     * 19 µs on the 2-vCPU AMD EPYC VM of jipc's benchmarks (6 Dec 2026, the shortest of 2 000 runs of a C loop).
     *
     * @return a stateless strategy
     */
    static WaitStrategy hybrid() {
        return hybrid(1000);
    }

    private static boolean spin(Waitable waitable, long timeoutNanos, boolean yield) throws InterruptedException {
        long deadline = deadline(timeoutNanos);
        for (int i = 1; !waitable.isReady(); i++) {
            if (yield) {
                Thread.yield();
            } else {
                Thread.onSpinWait();
            }
            if ((i & 255) == 0) {
                if (Thread.interrupted()) {
                    throw new InterruptedException();
                }
                if (left(deadline) <= 0) {
                    return waitable.isReady();
                }
            }
        }
        return true;
    }

    private static boolean sleep(Waitable waitable, long timeoutNanos) throws InterruptedException {
        long deadline = deadline(timeoutNanos);
        for (;;) {
            if (waitable.isReady()) {
                return true;
            }
            if (Thread.interrupted()) {
                throw new InterruptedException();
            }
            long left = left(deadline);
            if (left <= 0) {
                return false;
            }
            if (waitable.sleep(Math.min(left, MAX_SLICE_NANOS))) {
                return true;
            }
        }
    }

    /**
     * The nanoseconds a blocking call's {@code timeout} argument means: {@link #FOREVER} for {@code null} or for more
     * than a hundred years, else {@code timeout.toNanos()}.
     *
     * @param timeout how long a call may wait; {@code null} for as long as it takes
     * @return the timeout in nanoseconds, {@code >= 0}, or {@link #FOREVER}
     * @throws IllegalArgumentException if {@code timeout} is negative
     */
    static long timeoutNanos(java.time.Duration timeout) {
        if (timeout == null) {
            return FOREVER;
        }
        if (timeout.isNegative()) {
            throw new IllegalArgumentException("timeout=" + timeout + " is negative");
        }
        // "More than a hundred years" compared field by field: Duration.ofDays per call allocated on every timed
        // put/poll whenever the JIT did not inline compareTo (24 bytes per call, seen by HotPathAllocationTest).
        long seconds = timeout.getSeconds();
        long hundredYears = 365L * 100 * 86_400;
        return seconds > hundredYears || seconds == hundredYears && timeout.getNano() > 0 ? FOREVER
                : timeout.toNanos();
    }

    /** A {@link System#nanoTime()} deadline, or {@link #FOREVER}. */
    private static long deadline(long timeoutNanos) {
        if (timeoutNanos < 0) {
            throw new IllegalArgumentException("timeoutNanos=" + timeoutNanos + " < 0");
        }
        return timeoutNanos == FOREVER ? FOREVER : System.nanoTime() + timeoutNanos;
    }

    private static long left(long deadline) {
        return deadline == FOREVER ? FOREVER : deadline - System.nanoTime();
    }
}
