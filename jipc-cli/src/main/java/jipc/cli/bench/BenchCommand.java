package jipc.cli.bench;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.Callable;

import jipc.bench.Pin;
import jipc.bench.report.ConsoleReport;
import jipc.bench.report.HtmlReport;
import jipc.bench.report.ResultsJson;
import jipc.bench.suite.Benchmark;
import jipc.bench.suite.Plan;
import jipc.bench.suite.Progress;
import jipc.bench.suite.Runner;
import jipc.bench.suite.Step;
import jipc.bench.suite.StepFilter;
import jipc.bench.suite.SuiteRun;
import jipc.cli.ExitCodes;
import jipc.cli.Failure;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/**
 * {@code jipc bench}: runs the cross-process benchmark suite ({@link Runner}) and prints the console table; with
 * {@code --json} and {@code --report} it also writes the raw results and the HTML report.
 */
@Command(name = "bench", sortOptions = false,
        description = {"Measure jipc's pipes, FIFOs and channels between two processes beside C, JDK and Agrona "
                + "baselines, all in the same run, and print latency percentiles, throughput, CPU per message and "
                + "the ratios jipc / baseline.",
                "Progress goes to standard error, the tables to standard output. The machine's load average is "
                        + "recorded with the figures: on a busy machine compare only figures of one run."},
        subcommands = {BenchCompare.class},
        footer = {"%nExamples:",
                "  jipc bench                            # the quick run (~1.5 min on 2 cores)",
                "  jipc bench --full --pin 0,1 --report out/   # thorough, pinned, HTML report in out/index.html",
                "  jipc bench --only pipe,channel --json run.json",
                "  jipc bench --only pipe --throughput-sizes 65536 --repeat 5  # median of 5",
                "  jipc bench --steps 'spin 64 B,idle' --jvm-option=-XX:+PrintCompilation",
                "  jipc bench compare before.json after.json"})
public final class BenchCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Option(names = "--quick", description = "The quick run (default): few sizes, short measurements.")
    boolean quick;

    @Option(names = "--full", description = "The thorough run: more sizes and longer measurements (under 15 min).")
    boolean full;

    @Option(names = "--only", split = ",", paramLabel = "ID",
            description = "Run only these benchmarks (see --list), e.g. --only pipe,channel.")
    List<String> only = new ArrayList<>();

    @Option(names = "--steps", split = ",", paramLabel = "TEXT",
            description = "Run only the steps whose name contains one of these texts (case-sensitive; see --list), "
                    + "e.g. --steps 'spin 64 B,throughput: jipc'.")
    List<String> steps = new ArrayList<>();

    @Option(names = "--latency-sizes", paramLabel = "SIZES",
            description = "Round trips at these message sizes in bytes (comma-separated) instead of the plan's, or "
                    + "none: no latency steps. Every benchmark honours it.")
    String latencySizes;

    @Option(names = "--throughput-sizes", paramLabel = "SIZES",
            description = "Throughput at these message sizes in bytes instead of the plan's, or none.")
    String throughputSizes;

    @Option(names = "--repeat", paramLabel = "N", defaultValue = "1",
            description = "Run every selected step N times, round robin (all steps, then all again, so a burst of "
                    + "load hits every implementation alike), and keep each row's median run.")
    int repeat;

    @Option(names = "--jvm-option", paramLabel = "OPT",
            description = "An option for the Java peers' JVMs (repeatable; write --jvm-option=OPT when OPT starts "
                    + "with '-'), e.g. --jvm-option=-XX:StartFlightRecording:filename=/tmp/jfr/,settings=profile.")
    List<String> jvmOptions = new ArrayList<>();

    @Option(names = "--pin", paramLabel = "A,B",
            description = "Run side a on CPU A and side b on CPU B (taskset -c); the same CPU twice shares a core.")
    String pin;

    @Option(names = "--report", paramLabel = "DIR",
            description = "Also write DIR/index.html (tables and plots, self-contained), DIR/results.json and "
                    + "DIR/log.txt (the steps' log).")
    Path report;

    @Option(names = "--json", paramLabel = "FILE", description = "Also write the raw results and run facts to FILE.")
    Path json;

    @Option(names = "--keep-samples", paramLabel = "DIR",
            description = "Keep every round trip the channel's paired latency steps measured: one file of "
                    + "little-endian 64-bit nanoseconds per pair in DIR, listed in DIR/samples.tsv.")
    Path keepSamples;

    @Option(names = "--verbose", description = "Print what the steps log (commands, compiler lines) on stderr.")
    boolean verbose;

    @Option(names = "--list", description = "List the benchmarks and the steps a run would run (after --only, --steps "
            + "and the size options) with estimates, and run nothing.")
    boolean list;

    @Override
    public Integer call() throws IOException, InterruptedException {
        if (quick && full) {
            throw new ParameterException(spec.commandLine(), "--quick and --full exclude each other");
        }
        Plan plan = full ? Plan.fullRun() : Plan.quickRun();
        if (pin != null) {
            Pin cpus = Pin.parse("--pin", pin);
            plan = plan.withPin(cpus.cpuA(), cpus.cpuB());
        }
        if (latencySizes != null) {
            plan = plan.withLatencySizes(Plan.parseSizes("--latency-sizes", latencySizes));
        }
        if (throughputSizes != null) {
            plan = plan.withThroughputSizes(Plan.parseSizes("--throughput-sizes", throughputSizes));
        }
        plan = plan.withJvmOptions(jvmOptions).withKeepSamples(keepSamples);
        if (repeat < 1) {
            throw new ParameterException(spec.commandLine(), "--repeat takes a count of at least 1: " + repeat);
        }
        StepFilter filter = new StepFilter(steps);
        List<Benchmark> benchmarks = Runner.select(Runner.registered(), only);
        if (benchmarks.isEmpty()) {
            throw new Failure(ExitCodes.UNAVAILABLE, "no benchmarks are registered in this build "
                    + "(META-INF/services/jipc.bench.suite.Benchmark is empty)");
        }
        if (!filter.texts().isEmpty() && !selectsAStep(benchmarks, plan, filter)) {
            throw new ParameterException(spec.commandLine(), "--steps " + String.join(",", filter.texts())
                    + ": no step of " + String.join(", ", benchmarks.stream().map(Benchmark::id).toList())
                    + " has a name containing " + (filter.texts().size() == 1 ? "it" : "any of them")
                    + " (--list shows the step names)");
        }
        if (list) {
            list(benchmarks, plan, filter);
            if (repeat > 1) {
                System.out.println("(--repeat " + repeat + ": each step " + repeat + " times)");
            }
            return ExitCodes.OK;
        }
        System.setProperty("java.awt.headless", "true");
        List<String> logLines = Collections.synchronizedList(new ArrayList<>());
        SuiteRun run;
        try (Progress progress = Progress.onStandardError()) {
            Runner runner = new Runner(plan, filter, repeat, progress, line -> {
                logLines.add(line);
                if (verbose) {
                    progress.line("  | " + line);
                }
            });
            Thread partial = new Thread(() -> printPartial(runner, progress), "jipc-bench-interrupted");
            Runtime.getRuntime().addShutdownHook(partial);
            run = runner.run(benchmarks);
            Runtime.getRuntime().removeShutdownHook(partial);
        }
        ConsoleReport.print(System.out, run);
        if (json != null) {
            ResultsJson.write(run, json);
            System.err.println("results: " + json);
        }
        if (report != null) {
            Path index = HtmlReport.write(run, report);
            Files.write(report.resolve("log.txt"), logLines, StandardCharsets.UTF_8);
            System.err.println("report: " + index);
        }
        if (!run.succeeded()) {
            throw new Failure(ExitCodes.SOFTWARE, run.failures().size() + " of the run's steps failed (listed above)");
        }
        return ExitCodes.OK;
    }

    /**
     * Ctrl-C or a kill during the run: prints the tables of the steps that finished (and writes --json), so a long run
     * stopped early still shows its figures. Runs as a shutdown hook: no HTML report (plots take seconds).
     */
    private void printPartial(Runner runner, Progress progress) {
        SuiteRun soFar = runner.soFar();
        if (soFar == null) {
            return;
        }
        progress.close();
        System.err.println("jipc bench: stopped; the results of the steps that finished:");
        ConsoleReport.print(System.out, soFar);
        if (json != null) {
            try {
                ResultsJson.write(soFar, json);
                System.err.println("results so far: " + json);
            } catch (IOException | RuntimeException e) {
                System.err.println("jipc bench: cannot write " + json + ": " + e.getMessage());
            }
        }
    }

    /** Whether {@code filter} selects a step of {@code benchmarks} (a benchmark that cannot list its steps counts). */
    private static boolean selectsAStep(List<Benchmark> benchmarks, Plan plan, StepFilter filter) {
        for (Benchmark benchmark : benchmarks) {
            try {
                if (!filter.apply(benchmark.steps(plan)).isEmpty()) {
                    return true;
                }
            } catch (RuntimeException | LinkageError e) {
                return true; // the run reports it as the benchmark's failure
            }
        }
        return false;
    }

    private static void list(List<Benchmark> benchmarks, Plan plan, StepFilter filter) {
        for (Benchmark benchmark : benchmarks) {
            List<Step> steps = filter.apply(benchmark.steps(plan));
            if (steps.isEmpty() && !filter.texts().isEmpty()) {
                continue;
            }
            Duration total = steps.stream().map(Step::estimate).reduce(Duration.ZERO, Duration::plus);
            System.out.printf("%s: %d steps, about %d s%n", benchmark.id(), steps.size(), total.toSeconds());
            if (steps.isEmpty()) {
                // e.g. agrona in the quick run: its rows come from the channel suite's paired steps
                System.out.println("  (none of its own in this plan: another suite's steps measure its rows)");
            }
            for (Step step : steps) {
                System.out.printf("  %s (%.1f s)%n", step.name(), step.estimate().toMillis() / 1000.0);
            }
        }
    }
}
