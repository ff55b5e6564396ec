package jipc.bench.suite;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Collectors;

/**
 * What a {@code jipc bench} run measures and how long it may take: the message sizes, how many round trips or bytes
 * per measurement, and where the two processes run. {@link #quickRun()} is the short run a new user runs first;
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
 * @param keepSamples a directory where the paired round-trip steps copy every side's measured round trips, or
 *        {@code null} to keep none ({@code jipc bench --keep-samples})
 */
public record Plan(boolean quick, List<Integer> latencySizes, List<Integer> throughputSizes, long warmupRounds,
        long rounds, long throughputBytes, double idleSeconds, int[] pin, List<String> jvmOptions,
        Path keepSamples) {
    /** The largest message size {@link #parseSizes} accepts: 16 MiB. */
    public static final int MAX_SIZE = 1 << 24;

    public Plan {
        latencySizes = List.copyOf(latencySizes);
        throughputSizes = List.copyOf(throughputSizes);
        jvmOptions = List.copyOf(jvmOptions);
        pin = pin == null ? null : pin.clone();
    }

    /** A plan that keeps no samples. */
    public Plan(boolean quick, List<Integer> latencySizes, List<Integer> throughputSizes, long warmupRounds,
            long rounds, long throughputBytes, double idleSeconds, int[] pin, List<String> jvmOptions) {
        this(quick, latencySizes, throughputSizes, warmupRounds, rounds, throughputBytes, idleSeconds, pin,
                jvmOptions, null);
    }

    /**
     * The quick run: 64 B and 4 KiB latency, 64 B and 64 KiB throughput, short measurements (the paired steps of
     * several JVM pairs at 64 B only: see the benchmarks' {@code steps}).
     */
    public static Plan quickRun() {
        return new Plan(true, List.of(64, 4096), List.of(64, 65536), 20_000, 20_000, 64L << 20, 1.0, null,
                List.of());
    }

    /**
     * Whether this plan is the quick run with its own sizes (not a quick run with {@code --latency-sizes} or
     * {@code --throughput-sizes}): then the suites leave to the full run the steps that only add rows (see the
     * benchmarks' {@code steps}).
     */
    public boolean quickDefaults() {
        Plan defaults = quickRun();
        return quick && latencySizes.equals(defaults.latencySizes) && throughputSizes.equals(defaults.throughputSizes);
    }

    /**
     * The round-trip sizes the channel's paired steps and the pipe and socket single-pair steps measure: the plan's,
     * but 64 B only for the quick run with its own sizes ({@link #quickDefaults}), whose 4 KiB round trips check no
     * goal (a second set of five JVM pairs in the channel's paired step; about a third of the single-pair steps'
     * time): they are {@code --full}'s, or a quick run's with sizes of its own.
     */
    public List<Integer> roundTripSizes() {
        return quickDefaults() ? List.of(64) : latencySizes;
    }

    /** The thorough run: 8 B to 64 KiB latency, 64 B to 1 MiB throughput. */
    public static Plan fullRun() {
        return new Plan(false, List.of(8, 64, 4096, 65536), List.of(64, 4096, 65536, 1 << 20), 100_000, 200_000,
                1L << 30, 3.0, null, List.of());
    }

    /** This plan with side a on CPU {@code cpuA} and side b on CPU {@code cpuB} ({@code taskset -c}). */
    public Plan withPin(int cpuA, int cpuB) {
        return new Plan(quick, latencySizes, throughputSizes, warmupRounds, rounds, throughputBytes, idleSeconds,
                new int[] {cpuA, cpuB}, jvmOptions, keepSamples);
    }

    /** This plan with round trips at {@code sizes} instead of its own latency sizes (none: no latency steps). */
    public Plan withLatencySizes(List<Integer> sizes) {
        return new Plan(quick, sizes, throughputSizes, warmupRounds, rounds, throughputBytes, idleSeconds, pin,
                jvmOptions, keepSamples);
    }

    /** This plan with throughput at {@code sizes} instead of its own throughput sizes (none: no throughput steps). */
    public Plan withThroughputSizes(List<Integer> sizes) {
        return new Plan(quick, latencySizes, sizes, warmupRounds, rounds, throughputBytes, idleSeconds, pin,
                jvmOptions, keepSamples);
    }

    /** This plan with {@code options} for the Java peers' command line (before the main class). */
    public Plan withJvmOptions(List<String> options) {
        return new Plan(quick, latencySizes, throughputSizes, warmupRounds, rounds, throughputBytes, idleSeconds, pin,
                options, keepSamples);
    }

    /**
     * This plan with the paired round-trip steps copying every side's measured round trips into {@code directory}
     * ({@code null}: none); see {@code ChannelPaired}'s class javadoc for the files.
     */
    public Plan withKeepSamples(Path directory) {
        return new Plan(quick, latencySizes, throughputSizes, warmupRounds, rounds, throughputBytes, idleSeconds, pin,
                jvmOptions, directory);
    }

    /**
     * Parses the value of a size option ({@code --latency-sizes}, {@code --throughput-sizes}): message sizes in bytes
     * from 1 to {@value #MAX_SIZE}, separated by commas, or {@code none} for no sizes.
     *
     * @throws IllegalArgumentException naming {@code option} otherwise
     */
    public static List<Integer> parseSizes(String option, String value) {
        if (value.equals("none")) {
            return List.of();
        }
        List<Integer> sizes = new ArrayList<>();
        for (String size : value.split(",", -1)) {
            int n;
            try {
                n = Integer.parseInt(size.strip().replace("_", ""));
            } catch (NumberFormatException e) {
                n = 0;
            }
            if (n < 1 || n > MAX_SIZE) {
                throw new IllegalArgumentException(option + " takes message sizes in bytes from 1 to " + MAX_SIZE
                        + ", separated by commas, or none: '" + value + "'");
            }
            sizes.add(n);
        }
        return sizes;
    }

    /**
     * What this plan is, as a run's facts record it: {@code "quick"} or {@code "full"}, followed by {@code "; "} and
     * what differs from that plan's defaults (sizes, JVM options), if anything; the pinning is recorded apart.
     */
    public String describe() {
        Plan base = quick ? quickRun() : fullRun();
        List<String> changes = new ArrayList<>();
        if (!latencySizes.equals(base.latencySizes)) {
            changes.add("latency sizes " + sizes(latencySizes));
        }
        if (!throughputSizes.equals(base.throughputSizes)) {
            changes.add("throughput sizes " + sizes(throughputSizes));
        }
        if (warmupRounds != base.warmupRounds || rounds != base.rounds || throughputBytes != base.throughputBytes
                || idleSeconds != base.idleSeconds) {
            changes.add(warmupRounds + " warm-up rounds, " + rounds + " rounds, " + throughputBytes
                    + " throughput bytes, " + idleSeconds + " s idle");
        }
        if (!jvmOptions.isEmpty()) {
            changes.add("JVM options " + String.join(" ", jvmOptions));
        }
        return (quick ? "quick" : "full") + (changes.isEmpty() ? "" : "; " + String.join("; ", changes));
    }

    private static String sizes(List<Integer> sizes) {
        return sizes.isEmpty() ? "none" : sizes.stream().map(String::valueOf).collect(
                Collectors.joining(",", "", " B"));
    }

    /** {@code "cpu A,B"} or {@code "none"}, as results record it. */
    public String pinning() {
        return pin == null ? "none" : "cpu " + pin[0] + "," + pin[1];
    }
}
