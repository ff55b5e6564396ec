package jipc.bench.suite;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.concurrent.TimeUnit;

import jipc.bench.Machine;

/**
 * What a reader of {@code jipc bench} figures needs to know about the run besides the figures: when, on what machine,
 * with which JDK and C compiler, how the processes were pinned, and how busy the machine was (the load average at the
 * start and at the end: the figures of a noisy machine are only comparable within one run).
 *
 * @param date when the run started, ISO-8601 UTC
 * @param machine {@link Machine#describe()}
 * @param jdk the JDK of the runner (and of the Java peers)
 * @param gcc the first line of {@code gcc --version}, or why there is none
 * @param pinning the plan's {@link Plan#pinning()}
 * @param plan {@code "quick"} or {@code "full"}, followed by {@code "; "} and what the run changed of that plan, if
 *        anything (sizes, JVM options, a step filter, repetitions), e.g.
 *        {@code "full; latency sizes 64 B; steps containing 'pipe'"}
 * @param benchmarks the ids of the benchmarks run
 * @param loadStart {@code /proc/loadavg}'s 1, 5 and 15 minute load averages at the start
 * @param loadEnd the same at the end
 * @param seconds the run's wall time
 */
public record RunInfo(String date, String machine, String jdk, String gcc, String pinning, String plan,
        List<String> benchmarks, String loadStart, String loadEnd, double seconds) {

    public RunInfo {
        benchmarks = List.copyOf(benchmarks);
    }

    /** The facts of a run of {@code plan} over {@code benchmarks} starting now (end figures still empty). */
    public static RunInfo start(Plan plan, List<String> benchmarks) {
        return start(plan.describe(), plan.pinning(), benchmarks);
    }

    /**
     * The facts of a run starting now (end figures still empty).
     *
     * @param plan {@code "quick"} or {@code "full"}, then {@code "; "} and what differs from it (see
     *        {@link Plan#describe()}), if anything
     */
    public static RunInfo start(String plan, String pinning, List<String> benchmarks) {
        return new RunInfo(Instant.now().truncatedTo(ChronoUnit.SECONDS).toString(), Machine.describe(),
                System.getProperty("java.vm.vendor") + " " + System.getProperty("java.runtime.version"),
                gccVersion(), pinning, plan, benchmarks, loadAverage(), "", 0);
    }

    /** This info with the end load average and the wall time filled in. */
    public RunInfo finish(double wallSeconds) {
        return new RunInfo(date, machine, jdk, gcc, pinning, plan, benchmarks, loadStart, loadAverage(),
                wallSeconds);
    }

    /** The first three fields of {@code /proc/loadavg}, e.g. {@code "1.52 1.10 0.98"}. */
    public static String loadAverage() {
        try {
            String[] fields = Files.readString(Path.of("/proc/loadavg")).strip().split("\\s+");
            return fields.length < 3 ? "unknown" : fields[0] + " " + fields[1] + " " + fields[2];
        } catch (IOException e) {
            return "unknown";
        }
    }

    /** {@code gcc --version}'s first line, or a sentence saying why there is none (no gcc, no C baselines). */
    static String gccVersion() {
        try {
            Process gcc = new ProcessBuilder("gcc", "--version").redirectErrorStream(true)
                    .redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null"))).start();
            String text;
            try (InputStream in = gcc.getInputStream()) {
                text = new String(in.readNBytes(4096), StandardCharsets.UTF_8).strip();
            }
            if (!gcc.waitFor(10, TimeUnit.SECONDS)) {
                gcc.destroyForcibly();
                return "gcc did not answer --version";
            }
            int end = text.indexOf('\n');
            return end < 0 ? text : text.substring(0, end);
        } catch (IOException e) {
            return "no gcc (" + e.getMessage() + ")";
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return "unknown";
        }
    }
}
