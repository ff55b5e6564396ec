package jipc.bench.channel;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

import jipc.bench.Machine;
import jipc.bench.Pin;
import jipc.bench.suite.Benchmark;
import jipc.bench.suite.Plan;
import jipc.bench.suite.Result;
import jipc.bench.suite.Step;

/**
 * A stand-in runner for one {@link Benchmark} until {@code jipc bench} runs them all: {@code --quick|--full
 * [--pin A,B] [--jvm-option OPT]... [--only TEXT[|TEXT]...]} (only the steps whose name contains one of the TEXTs), each step in order with its estimate and actual time on stderr, every
 * {@link Result} as one text row on stdout.
 */
final class TextRun {
    static final String USAGE = "usage: BENCHMARK --quick|--full [--pin A,B] [--jvm-option OPT]... [--only TEXT[|TEXT]...]";

    private TextRun() {
    }

    /** Returns the exit code: 0, 64 for bad usage, 74 if a step failed (the others still run). */
    static int run(Benchmark benchmark, String[] args, PrintStream out, PrintStream err)
            throws InterruptedException {
        Plan plan;
        try {
            plan = parse(args);
        } catch (IllegalArgumentException e) {
            err.println(benchmark.id() + ": " + e.getMessage());
            err.println(USAGE);
            return 64;
        }
        out.println("# " + benchmark.id() + " (" + (plan.quick() ? "quick" : "full") + "), " + Instant.now() + ", "
                + Machine.describe() + ", load average " + loadAverage() + ", pinning " + plan.pinning()
                + (plan.jvmOptions().isEmpty() ? "" : ", JVM options " + plan.jvmOptions()));
        String only = only(args);
        List<String> texts = only == null ? List.of("") : List.of(only.split("\\|"));
        List<Step> steps = benchmark.steps(plan).stream().filter(s -> texts.stream().anyMatch(s.name()::contains))
                .toList();
        double estimate = steps.stream().mapToDouble(s -> s.estimate().toMillis() / 1e3).sum();
        err.printf("%s: %d steps, estimated %.0f s%n", benchmark.id(), steps.size(), estimate);
        out.println(header());
        int failed = 0;
        String lastNote = "";
        long started = System.nanoTime();
        for (int i = 0; i < steps.size(); i++) {
            Step step = steps.get(i);
            err.printf("[%d/%d] %s (estimate %.1f s) ... ", i + 1, steps.size(), step.name(),
                    step.estimate().toMillis() / 1e3);
            long t0 = System.nanoTime();
            try {
                List<Result> results = step.body().run(plan, err);
                err.printf("%.1f s%n", (System.nanoTime() - t0) / 1e9);
                for (Result result : results) {
                    out.println(row(result));
                    if (!result.note().equals(lastNote)) {
                        out.println("#   " + result.note());
                        lastNote = result.note();
                    }
                }
            } catch (IOException | RuntimeException e) {
                failed++;
                err.println("failed: " + e);
            }
        }
        out.printf("# %d steps in %.1f s (estimated %.0f s), %d failed, load average %s%n", steps.size(),
                (System.nanoTime() - started) / 1e9, estimate, failed, loadAverage());
        return failed == 0 ? 0 : 74;
    }

    static Plan parse(String... args) {
        Plan base = null;
        int[] pin = null;
        List<String> jvmOptions = new ArrayList<>();
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "--quick" -> base = Plan.quickRun();
                case "--full" -> base = Plan.fullRun();
                case "--only" -> i++;
                case "--pin", "--jvm-option" -> {
                    if (i + 1 >= args.length) {
                        throw new IllegalArgumentException(args[i] + " needs a value");
                    }
                    String value = args[++i];
                    if (args[i - 1].equals("--pin")) {
                        Pin parsed = Pin.parse("--pin", value);
                        pin = new int[] {parsed.cpuA(), parsed.cpuB()};
                    } else {
                        jvmOptions.add(value);
                    }
                }
                default -> throw new IllegalArgumentException("unknown option: " + args[i]);
            }
        }
        if (base == null) {
            throw new IllegalArgumentException("--quick or --full is required");
        }
        return new Plan(base.quick(), base.latencySizes(), base.throughputSizes(), base.warmupRounds(),
                base.rounds(), base.throughputBytes(), base.idleSeconds(), pin, jvmOptions);
    }

    /** The value of {@code --only}, or {@code null}. */
    private static String only(String... args) {
        for (int i = 0; i + 1 < args.length; i++) {
            if (args[i].equals("--only")) {
                return args[i + 1];
            }
        }
        return null;
    }

    private static String header() {
        return String.format("%-22s %-7s %-10s %8s %9s | %8s %8s %8s %8s %9s %8s | %12s %9s %8s %8s | %6s | %s",
                "mechanism", "impl", "kind", "size", "count", "p50 ns", "p90", "p99", "p99.9", "max", "mean",
                "msg/s", "MB/s", "tx ns/m", "rx ns/m", "idle %", "pinning");
    }

    /** One result as a text row: NaN fields print as "-". */
    static String row(Result r) {
        return String.format("%-22s %-7s %-10s %8d %9d | %8s %8s %8s %8s %9s %8s | %12s %9s %8s %8s | %6s | %s",
                r.mechanism(), r.implementation(), r.kind().name().toLowerCase(), r.messageSize(), r.count(),
                number(r.p50(), "%.0f"), number(r.p90(), "%.0f"), number(r.p99(), "%.0f"), number(r.p999(), "%.0f"),
                number(r.max(), "%.0f"), number(r.mean(), "%.0f"), number(r.messagesPerSecond(), "%.0f"),
                number(r.bytesPerSecond() / 1e6, "%.0f"), number(r.senderCpuNanosPerMessage(), "%.1f"),
                number(r.receiverCpuNanosPerMessage(), "%.1f"), number(r.idleCpuPercent(), "%.2f"), r.pinning());
    }

    private static String number(double value, String format) {
        return Double.isNaN(value) ? "-" : String.format(format, value);
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
