package jipc.internal;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * How long a waiter spins before it sleeps, adapted to what spinning brought lately: the spin-then-sleep waits of
 * {@code WaitStrategy.hybrid} and {@code Semaphore} use one each.
 *
 * <p>Spinning pays only while the other side runs on another CPU at the same time. When both share one CPU (a
 * one-CPU machine, or two processes pinned to the same core), every spin burns the time slice the other side needs
 * to make progress, and a wait costs a whole spin budget for nothing. So:
 * <ul>
 *   <li>on a machine with one online CPU it never spins;</li>
 *   <li>otherwise a wait that ended while spinning sets the budget back to the maximum, and one that had to sleep
 *       halves it, down to zero; at zero, every {@value #PROBE_EVERY}th wait spins the full budget once again to
 *       find out whether spinning pays now (a burst after an idle time, a peer moved to another CPU).</li>
 * </ul>
 * A waiter that always sleeps thus loses at most 1/{@value #PROBE_EVERY} of a budget per wait; one whose peer
 * answers within the budget keeps spinning.
 *
 * <p>Not thread-safe by design: the state is two plain ints and a racy update only shifts a heuristic.
 */
public final class AdaptiveSpin {
    /** At a budget of zero, one wait in this many spins the full budget (a probe). */
    static final int PROBE_EVERY = 16;

    private static final boolean ONE_CPU = onlineCpus() == 1;

    private final int max;
    private int budget;
    private int sinceProbe;

    /** @param max the most spins per wait, {@code >= 0} */
    public AdaptiveSpin(int max) {
        if (max < 0) {
            throw new IllegalArgumentException("max=" + max + " < 0");
        }
        this.max = max;
        this.budget = ONE_CPU ? 0 : max;
    }

    /** How many times to re-check before sleeping, for the wait that starts now. */
    public int budget() {
        if (budget > 0 || ONE_CPU) {
            return budget;
        }
        if (++sinceProbe >= PROBE_EVERY) {
            sinceProbe = 0;
            return max;
        }
        return 0;
    }

    /** The wait ended while spinning: spinning pays, spin the full budget next time. */
    public void spun() {
        budget = max;
    }

    /** The wait had to sleep: halve the budget. */
    public void slept() {
        budget >>= 1;
    }

    /** Whether this machine has one online CPU (then nothing spins). */
    public static boolean oneCpu() {
        return ONE_CPU;
    }

    /**
     * The number of online CPUs from {@code /sys/devices/system/cpu/online} (a list such as {@code 0-1,4}), or
     * {@link Runtime#availableProcessors()} if that cannot be read. Not the CPUs this process may run on: two
     * processes pinned to one CPU each still run side by side.
     */
    static int onlineCpus() {
        try {
            String list = Files.readString(Path.of("/sys/devices/system/cpu/online")).trim();
            int count = 0;
            for (String range : list.split(",")) {
                int dash = range.indexOf('-');
                count += dash < 0 ? 1
                        : Integer.parseInt(range.substring(dash + 1)) - Integer.parseInt(range.substring(0, dash)) + 1;
            }
            return count;
        } catch (IOException | RuntimeException e) {
            return Runtime.getRuntime().availableProcessors();
        }
    }
}
