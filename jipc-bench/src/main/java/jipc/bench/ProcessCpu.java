package jipc.bench;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;

import jipc.internal.LibSem;
import jipc.internal.Native;

/**
 * The CPU time (user + system, all threads) of this process in nanoseconds: {@code clock_gettime(
 * CLOCK_PROCESS_CPUTIME_ID)}, the clock the C peers read too. The benchmarks' throughput peers read it before and
 * after the measured messages (the 10 ms ticks of {@code /proc/self/stat} are too coarse for runs under a second).
 */
public final class ProcessCpu {
    /** {@code CLOCK_PROCESS_CPUTIME_ID} from {@code <time.h>} (Linux). */
    private static final int CLOCK_PROCESS_CPUTIME_ID = 2;
    /** {@code struct timespec} on x86-64: {@code time_t tv_sec; long tv_nsec;}. */
    private static final MemorySegment TIMESPEC = Arena.global().allocate(16, 8);

    private ProcessCpu() {
    }

    /** The process's CPU time so far; callers take differences. */
    public static synchronized long nanos() {
        if (LibSem.clockGettime(CLOCK_PROCESS_CPUTIME_ID, TIMESPEC) != 0) {
            throw new IllegalStateException("clock_gettime(CLOCK_PROCESS_CPUTIME_ID) failed: errno " + Native.errno());
        }
        return TIMESPEC.get(ValueLayout.JAVA_LONG, 0) * 1_000_000_000L + TIMESPEC.get(ValueLayout.JAVA_LONG, 8);
    }
}
