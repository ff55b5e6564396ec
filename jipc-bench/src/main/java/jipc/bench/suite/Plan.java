package jipc.bench.suite;

import java.util.List;

/**
 * What a {@code jipc bench} run measures and how long it may take: the message sizes, how many round trips or bytes
 * per measurement, and where the two processes run. {@link #quickRun()} is the under-a-minute run the README shows;
 * {@link #fullRun()} the thorough one (under 15 minutes on 2 cores).
 *
 * @param quick whether this is the quick run (benchmarks may skip their slowest variants then)
 * @param latencySizes message sizes of ping-pong runs
 * @param throughputSizes message sizes of throughput runs
 * @param warmupRounds round trips before measuring, per latency measurement
 * @param rounds measured round trips per latency measurement (fewer for large messages is up to the benchmark)
 * @param throughputBytes payload bytes per throughput measurement (after a warm-up of a quarter as many)
 * @param idleSeconds how long an idle receiver is watched for {@link Result.Kind#IDLE_CPU}
 * @param pin the CPUs of side a and side b ({@code taskset -c}), or {@code null} to let the scheduler place them
 * @param jvmOptions extra options for the Java peers
 */
public record Plan(boolean quick, List<Integer> latencySizes, List<Integer> throughputSizes, long warmupRounds,
        long rounds, long throughputBytes, double idleSeconds, int[] pin, List<String> jvmOptions) {

    public Plan {
        latencySizes = List.copyOf(latencySizes);
        throughputSizes = List.copyOf(throughputSizes);
        jvmOptions = List.copyOf(jvmOptions);
        pin = pin == null ? null : pin.clone();
    }

    /** The under-a-minute run: 64 B and 4 KiB latency, 64 B and 64 KiB throughput, short measurements. */
    public static Plan quickRun() {
        return new Plan(true, List.of(64, 4096), List.of(64, 65536), 20_000, 20_000, 64L << 20, 1.0, null,
                List.of());
    }

    /** The thorough run: 8 B to 64 KiB latency, 64 B to 1 MiB throughput. */
    public static Plan fullRun() {
        return new Plan(false, List.of(8, 64, 4096, 65536), List.of(64, 4096, 65536, 1 << 20), 100_000, 200_000,
                1L << 30, 3.0, null, List.of());
    }

    /** This plan with side a on CPU {@code cpuA} and side b on CPU {@code cpuB} ({@code taskset -c}). */
    public Plan withPin(int cpuA, int cpuB) {
        return new Plan(quick, latencySizes, throughputSizes, warmupRounds, rounds, throughputBytes, idleSeconds,
                new int[] {cpuA, cpuB}, jvmOptions);
    }

    /** {@code "cpu A,B"} or {@code "none"}, as results record it. */
    public String pinning() {
        return pin == null ? "none" : "cpu " + pin[0] + "," + pin[1];
    }
}
