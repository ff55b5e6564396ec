package jipc.internal;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Whether a spin-then-sleep waiter ({@code WaitStrategy.hybrid}, {@code Semaphore}) spins at all: not on a machine
 * with one online CPU, where the side it waits for cannot run while it spins (every spin only burns the time slice
 * the other side needs), so it sleeps at once.
 *
 * <p>Deliberately not the CPUs this process may run on: two processes pinned to one CPU each still run side by side,
 * and spinning is what gives them a sub-microsecond hand-over. Nor adaptive by success: a trial that halved the budget
 * after every wait that had to sleep (and probed the full budget now and then) made two peers on different CPUs fall
 * into a stable "both sleep" state after a burst of load (each one's probe failed because the other was asleep, not
 * spinning): a hybrid ping-pong p50 of 2 ms against 210 ns for the C twin's fixed spins in the same run.
 */
public final class SpinPolicy {
    private static final boolean ONE_CPU = onlineCpus() == 1;

    private SpinPolicy() {
    }

    /** {@code max} re-checks before sleeping, or none on a machine with one online CPU. */
    public static int spins(int max) {
        return ONE_CPU ? 0 : max;
    }

    /** Whether this machine has one online CPU (then nothing spins). */
    public static boolean oneCpu() {
        return ONE_CPU;
    }

    /**
     * The number of online CPUs from {@code /sys/devices/system/cpu/online} (a list such as {@code 0-1,4}), or
     * {@link Runtime#availableProcessors()} if that cannot be read.
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
