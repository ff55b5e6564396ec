package jipc.bench.os;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

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
 * <p>Usage: {@code StreamRun --quick|--full [--pin CPU_A,CPU_B] [--only pipe|socket]}.
 */
public final class StreamRun {
    private StreamRun() {
    }

    public static void main(String[] args) throws Exception {
        Plan plan = null;
        int[] pin = null;
        String only = null;
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "--quick" -> plan = Plan.quickRun();
                case "--full" -> plan = Plan.fullRun();
                case "--pin" -> pin = parsePin(i + 1 < args.length ? args[++i] : "");
                case "--only" -> only = i + 1 < args.length ? args[++i] : "";
                default -> usage("unknown argument " + args[i]);
            }
        }
        if (plan == null) {
            usage("say --quick or --full");
        }
        plan = new Plan(plan.quick(), plan.latencySizes(), plan.throughputSizes(), plan.warmupRounds(),
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
        System.exit(run(plan, benchmarks, System.out) ? 0 : 74);
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
        System.err.println("usage: StreamRun --quick|--full [--pin CPU_A,CPU_B] [--only pipe|socket]");
        System.exit(64);
    }

    /** Runs every step, prints the tables; {@code false} if a step failed. */
    static boolean run(Plan plan, List<Benchmark> benchmarks, PrintStream out) throws InterruptedException {
        out.println((plan.quick() ? "quick" : "full") + " run, " + Instant.now() + ", pinning " + plan.pinning());
        out.println("machine: " + Machine.describe());
        out.println("load average before: " + loadAverage());
        List<Result> results = new ArrayList<>();
        boolean ok = true;
        long started = System.nanoTime();
        for (Benchmark benchmark : benchmarks) {
            for (Step step : benchmark.steps(plan)) {
                long t0 = System.nanoTime();
                try {
                    results.addAll(step.body().run(plan, out));
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
