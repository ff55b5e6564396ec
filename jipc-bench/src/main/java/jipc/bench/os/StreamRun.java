package jipc.bench.os;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import jipc.bench.Machine;
import jipc.bench.suite.Benchmark;
import jipc.bench.suite.Plan;
import jipc.bench.suite.Result;
import jipc.bench.suite.Step;

/**
 * Runs {@link PipeBenchmark} and {@link SocketBenchmark} from the command line and prints their results as plain
 * rows with the ratio of each Java row to the C row of the same mechanism, kind and size: a stand-in for
 * {@code jipc bench} while that runner does not exist, and a quick way to measure one family.
 *
 * <p>Usage: {@code StreamRun --quick|--full [--pin CPU_A,CPU_B] [--only pipe|socket] [--repeat N]
 * [--latency-sizes S,...|none] [--throughput-sizes S,...|none] [--verbose]}. The size options replace the plan's
 * sizes (to measure one case again). With
 * {@code --repeat N} every step runs N times, round robin (so a burst of load on a shared machine hits C and Java
 * alike), and each row shows its median run: by bytes per second for throughput, by p50 for latency.
 * {@code --verbose} prints the peers' command lines and the gcc line.
 */
public final class StreamRun {
    private StreamRun() {
    }

    public static void main(String[] args) throws Exception {
        Plan plan = null;
        int[] pin = null;
        String only = null;
        int repeat = 1;
        List<Integer> latencySizes = null;
        List<Integer> throughputSizes = null;
        boolean verbose = false;
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "--quick" -> plan = Plan.quickRun();
                case "--full" -> plan = Plan.fullRun();
                case "--pin" -> pin = parsePin(i + 1 < args.length ? args[++i] : "");
                case "--only" -> only = i + 1 < args.length ? args[++i] : "";
                case "--verbose" -> verbose = true;
                case "--latency-sizes" -> latencySizes = parseSizes(i + 1 < args.length ? args[++i] : "");
                case "--throughput-sizes" -> throughputSizes = parseSizes(i + 1 < args.length ? args[++i] : "");
                case "--repeat" -> repeat = parseRepeat(i + 1 < args.length ? args[++i] : "");
                default -> usage("unknown argument " + args[i]);
            }
        }
        if (plan == null) {
            usage("say --quick or --full");
        }
        plan = new Plan(plan.quick(), latencySizes == null ? plan.latencySizes() : latencySizes,
                throughputSizes == null ? plan.throughputSizes() : throughputSizes, plan.warmupRounds(),
                plan.rounds(), plan.throughputBytes(), plan.idleSeconds(), pin, plan.jvmOptions());
        List<Benchmark> benchmarks = new ArrayList<>();
        for (Benchmark b : List.of(new PipeBenchmark(), new SocketBenchmark())) {
            if (only == null || only.equals(b.id())) {
                benchmarks.add(b);
            }
        }
        if (benchmarks.isEmpty()) {
            usage("--only takes pipe or socket");
        }
        PrintStream log = verbose ? System.out : new PrintStream(PrintStream.nullOutputStream());
        System.exit(run(plan, benchmarks, repeat, System.out, log) ? 0 : 74);
    }

    /** {@code S,...} as sizes in bytes, or {@code none} for no sizes. */
    private static List<Integer> parseSizes(String value) {
        if (value.equals("none")) {
            return List.of();
        }
        List<Integer> sizes = new ArrayList<>();
        for (String size : value.split(",", -1)) {
            try {
                int n = Integer.parseInt(size);
                if (n >= 1 && n <= 1 << 24) {
                    sizes.add(n);
                    continue;
                }
            } catch (NumberFormatException e) {
                // falls through to the usage message
            }
            usage("sizes are bytes from 1 to 16777216, separated by commas, or none: " + value);
        }
        return sizes;
    }

    private static int parseRepeat(String value) {
        try {
            int n = Integer.parseInt(value);
            if (n >= 1) {
                return n;
            }
        } catch (NumberFormatException e) {
            // falls through to the usage message
        }
        usage("--repeat takes a count of at least 1: " + value);
        return 1;
    }

    private static int[] parsePin(String value) {
        String[] cpus = value.split(",", -1);
        try {
            if (cpus.length == 2) {
                return new int[] {Integer.parseInt(cpus[0]), Integer.parseInt(cpus[1])};
            }
        } catch (NumberFormatException e) {
            // falls through to the usage message
        }
        usage("--pin takes two CPU numbers, CPU_A,CPU_B: " + value);
        return null;
    }

    private static void usage(String problem) {
        System.err.println("StreamRun: " + problem);
        System.err.println("usage: StreamRun --quick|--full [--pin CPU_A,CPU_B] [--only pipe|socket] [--repeat N]"
                + " [--latency-sizes S,...|none] [--throughput-sizes S,...|none] [--verbose]");
        System.exit(64);
    }

    /** Runs every step, prints the tables; {@code false} if a step failed. */
    static boolean run(Plan plan, List<Benchmark> benchmarks, int repeat, PrintStream out, PrintStream log)
            throws InterruptedException {
        out.println((plan.quick() ? "quick" : "full") + " run, " + Instant.now() + ", pinning " + plan.pinning());
        out.println("machine: " + Machine.describe());
        out.println("load average before: " + loadAverage() + (repeat > 1 ? "; every step " + repeat
                + " times, round robin, median run shown" : ""));
        double estimate = 0;
        for (Step step : steps(benchmarks, plan)) {
            estimate += step.estimate().toMillis() / 1e3;
        }
        out.printf("estimate: %.0f s on 2 idle cores%n", estimate * repeat);
        List<Result> results = new ArrayList<>();
        boolean ok = true;
        long started = System.nanoTime();
        for (int round = 0; round < repeat; round++) {
            for (Step step : steps(benchmarks, plan)) {
                long t0 = System.nanoTime();
                try {
                    results.addAll(step.body().run(plan, log));
                    out.printf("  %-45s %6.1f s (estimate %.1f s)%n", step.name(), (System.nanoTime() - t0) / 1e9,
                            step.estimate().toMillis() / 1e3);
                } catch (IOException e) {
                    ok = false;
                    out.println("  " + step.name() + " FAILED: " + e.getMessage());
                }
            }
        }
        out.printf("all steps: %.1f s; load average after: %s%n%n", (System.nanoTime() - started) / 1e9,
                loadAverage());
        results = medians(results);
        printLatency(out, results);
        out.println();
        printThroughput(out, results);
        return ok;
    }

    private static void printLatency(PrintStream out, List<Result> results) {
        out.printf("%-22s %8s %8s %9s %9s %9s %9s %10s %9s %12s%n", "latency (round trip)", "size", "count",
                "p50 us", "p90 us", "p99 us", "p99.9 us", "max us", "mean us", "p50/C mean/C");
        for (Result r : results) {
            if (r.kind() != Result.Kind.LATENCY) {
                continue;
            }
            Result c = cRow(results, r);
            String ratio = c == null || c == r ? "" : String.format("%5.2f %6.2f", r.p50() / c.p50(),
                    r.mean() / c.mean());
            out.printf("%-22s %8s %8d %9.1f %9.1f %9.1f %9.1f %10.1f %9.1f %12s%n", r.name(), size(r.messageSize()),
                    r.count(), r.p50() / 1e3, r.p90() / 1e3, r.p99() / 1e3, r.p999() / 1e3, r.max() / 1e3,
                    r.mean() / 1e3, ratio);
        }
    }

    private static void printThroughput(PrintStream out, List<Result> results) {
        out.printf("%-22s %8s %8s %11s %10s %12s %12s %8s%n", "throughput (one way)", "size", "messages",
                "msg/s", "MB/s", "send cpu ns", "recv cpu ns", "x C");
        for (Result r : results) {
            if (r.kind() != Result.Kind.THROUGHPUT) {
                continue;
            }
            Result c = cRow(results, r);
            String ratio = c == null || c == r ? "" : String.format("%.2f", r.bytesPerSecond() / c.bytesPerSecond());
            out.printf("%-22s %8s %8d %11.0f %10.1f %12.0f %12.0f %8s%n", r.name(), size(r.messageSize()),
                    r.count(), r.messagesPerSecond(), r.bytesPerSecond() / 1e6, r.senderCpuNanosPerMessage(),
                    r.receiverCpuNanosPerMessage(), ratio);
        }
        out.println("(per-message CPU: user + system of the whole sending / receiving process)");
    }

    /** A fresh list of steps (the steps of one list share their compiled C program, removed after the last). */
    private static List<Step> steps(List<Benchmark> benchmarks, Plan plan) {
        List<Step> steps = new ArrayList<>();
        for (Benchmark benchmark : benchmarks) {
            steps.addAll(benchmark.steps(plan));
        }
        return steps;
    }

    /** Of the results of one row (name, kind, size), in first-seen order, the median run. */
    private static List<Result> medians(List<Result> results) {
        Map<String, List<Result>> rows = new LinkedHashMap<>();
        for (Result r : results) {
            rows.computeIfAbsent(r.name() + "|" + r.kind() + "|" + r.messageSize(), k -> new ArrayList<>()).add(r);
        }
        List<Result> medians = new ArrayList<>();
        for (List<Result> runs : rows.values()) {
            List<Result> sorted = new ArrayList<>(runs);
            sorted.sort(Comparator.comparingDouble(r -> r.kind() == Result.Kind.THROUGHPUT
                    ? r.bytesPerSecond() : r.p50()));
            medians.add(sorted.get(sorted.size() / 2));
        }
        return medians;
    }

    /** The C result of the same mechanism, kind and size, or {@code null}. */
    private static Result cRow(List<Result> results, Result r) {
        return results.stream().filter(c -> c.implementation().equals("C") && c.mechanism().equals(r.mechanism())
                && c.kind() == r.kind() && c.messageSize() == r.messageSize()).findFirst().orElse(null);
    }

    private static String size(int bytes) {
        return bytes >= 1 << 20 && bytes % (1 << 20) == 0 ? bytes / (1 << 20) + " MiB"
                : bytes >= 1024 && bytes % 1024 == 0 ? bytes / 1024 + " KiB" : bytes + " B";
    }

    static String loadAverage() {
        try {
            String[] fields = Files.readString(Path.of("/proc/loadavg")).split(" ");
            return fields[0] + " " + fields[1] + " " + fields[2];
        } catch (IOException e) {
            return "unknown";
        }
    }
}
