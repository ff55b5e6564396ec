package jipc.bench.suite;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

import org.HdrHistogram.Histogram;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import jipc.pipe.Pipe;
import jipc.process.ChildProcess;
import jipc.process.ExitStatus;
import jipc.process.Spawn;

/**
 * The runner with a small real benchmark: round trips through two pipes to a {@code cat} child process, a step that
 * fails, and a benchmark that cannot even list its steps.
 */
@Timeout(30)
class RunnerTest {
    private static final int ROUNDS = 200;

    /** 64-byte messages to {@code cat} and back, {@value #ROUNDS} times: a real cross-process round trip. */
    static List<Result> catRoundTrips(Plan plan, PrintStream log) throws IOException, InterruptedException {
        Histogram histogram = new Histogram(3);
        log.println("spawning cat");
        try (Pipe toCat = Pipe.open(); Pipe fromCat = Pipe.open()) {
            ExitStatus status;
            try (ChildProcess cat = Spawn.command("cat").fd(0, toCat.source()).fd(1, fromCat.sink()).start()) {
                toCat.source().close();
                fromCat.sink().close();
                ByteBuffer out = ByteBuffer.allocateDirect(64);
                ByteBuffer in = ByteBuffer.allocateDirect(64);
                for (int i = 0; i < ROUNDS; i++) {
                    out.clear();
                    in.clear();
                    long start = System.nanoTime();
                    toCat.sink().writeFully(out);
                    fromCat.source().readFully(in);
                    histogram.recordValue(System.nanoTime() - start);
                }
                toCat.sink().close();
                status = cat.waitFor(Duration.ofSeconds(10)).orElseThrow(() -> new IOException("cat did not exit"));
            }
            if (!status.success()) {
                throw new IOException("cat failed: " + status);
            }
        }
        log.println("done: " + histogram.getTotalCount() + " round trips");
        return List.of(new Result("pipe via cat", "jipc", Result.Kind.LATENCY, 64, histogram.getTotalCount(),
                histogram.getValueAtPercentile(50), histogram.getValueAtPercentile(90),
                histogram.getValueAtPercentile(99), histogram.getValueAtPercentile(99.9), histogram.getMaxValue(),
                histogram.getMean(), List.of(), Double.NaN, Double.NaN, Double.NaN, Double.NaN, Double.NaN,
                plan.pinning(), ""));
    }

    /** A benchmark of fixed steps. */
    record Fixed(String id, List<Step> steps) implements Benchmark {
        @Override
        public List<Step> steps(Plan plan) {
            return steps;
        }
    }

    private final ByteArrayOutputStream progressBytes = new ByteArrayOutputStream();
    private final List<String> log = new ArrayList<>();

    private SuiteRun run(List<Benchmark> benchmarks) throws InterruptedException {
        Progress progress = new Progress(new PrintStream(progressBytes, true, StandardCharsets.UTF_8), false, 100);
        return new Runner(Plan.quickRun().withPin(0, 0), progress, log::add).run(benchmarks);
    }

    @Test
    void runsEveryStepInOrderAndGoesOnAfterAFailingOne() throws Exception {
        Benchmark pipes = new Fixed("pipes", List.of(
                new Step("latency: jipc pipe via cat 64 B", Duration.ofMillis(300), RunnerTest::catRoundTrips),
                new Step("broken", Duration.ofMillis(10), (plan, out) -> {
                    out.print("about to fail");
                    throw new IOException("gcc failed: exit 1");
                }),
                new Step("latency: jipc pipe via cat again", Duration.ofMillis(300), RunnerTest::catRoundTrips)));
        Benchmark unlisted = new Benchmark() {
            @Override
            public String id() {
                return "unlisted";
            }

            @Override
            public List<Step> steps(Plan plan) {
                throw new IllegalStateException("no steps today");
            }
        };

        SuiteRun run = run(List.of(pipes, unlisted));

        assertEquals(2, run.results().size());
        for (Result result : run.results()) {
            assertEquals(ROUNDS, result.count());
            assertTrue(result.p50() > 0 && result.p50() <= result.max(), result.toString());
            assertEquals("cpu 0,0", result.pinning());
        }
        assertEquals(List.of(new StepFailure("steps of unlisted", "IllegalStateException: no steps today"),
                new StepFailure("broken", "IOException: gcc failed: exit 1")), run.failures());
        assertEquals(List.of("pipes", "unlisted"), run.info().benchmarks());
        assertEquals("cpu 0,0", run.info().pinning());
        assertTrue(run.info().seconds() > 0);

        String progress = progressBytes.toString(StandardCharsets.UTF_8);
        List<String> lines = progress.lines().toList();
        assertEquals(4, lines.size(), progress);
        assertEquals("steps of unlisted FAILED: IllegalStateException: no steps today", lines.get(0));
        assertTrue(lines.get(1).startsWith("[1/3] latency: jipc pipe via cat 64 B: "), progress);
        assertTrue(lines.get(1).matches(".*\\(estimate 0\\.3 s\\), 0:0\\d elapsed, ~0:0\\d left"), progress);
        assertEquals("[2/3] broken FAILED: IOException: gcc failed: exit 1", lines.get(2));
        assertTrue(lines.get(3).startsWith("[3/3] latency: jipc pipe via cat again: "), progress);
        assertTrue(lines.get(3).endsWith("~0:00 left"), progress);

        assertEquals(List.of("== latency: jipc pipe via cat 64 B", "spawning cat", "done: 200 round trips",
                "== broken", "about to fail", "FAILED: IOException: gcc failed: exit 1",
                "== latency: jipc pipe via cat again", "spawning cat", "done: 200 round trips"), log);
    }

    @Test
    void onlyPicksTheNamedBenchmarksInRegistrationOrder() {
        List<Benchmark> all = List.of(new Fixed("pipe", List.of()), new Fixed("socket", List.of()),
                new Fixed("channel", List.of()));

        assertEquals(List.of("pipe", "channel"), Runner.select(all, List.of("channel", "pipe")).stream()
                .map(Benchmark::id).toList());
        assertEquals(3, Runner.select(all, Set.of()).size());
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> Runner.select(all, List.of("pipe", "shm")));
        assertEquals("--only: no benchmark 'shm'; known: pipe, socket, channel", e.getMessage());
    }

    @Test
    void theStepFilterAndRepeatRunTheSelectedStepsRoundRobinAndKeepTheMedianRun() throws Exception {
        int[] runs = {0};
        double[] p50s = {300, 100, 200};
        Benchmark pipes = new Fixed("pipes", List.of(
                new Step("latency: jipc pipe via cat 64 B", Duration.ofMillis(300), RunnerTest::catRoundTrips),
                new Step("latency: made up 128 B", Duration.ofMillis(10), (plan, out) -> List.of(new Result("made up",
                        "jipc", Result.Kind.LATENCY, 8, 1, p50s[runs[0]], 1, 1, 1, p50s[runs[0]++], 1, List.of(),
                        Double.NaN, Double.NaN, Double.NaN, Double.NaN, Double.NaN, "none", "one figure"))),
                new Step("never selected", Duration.ofMillis(10), (plan, out) -> {
                    throw new IOException("the filter should have left this out");
                })));
        Benchmark other = new Fixed("other", List.of(new Step("unrelated", Duration.ofMillis(10), (plan, out) -> {
            throw new IOException("the filter should have left this out");
        })));
        Progress progress = new Progress(new PrintStream(progressBytes, true, StandardCharsets.UTF_8), false, 100);

        SuiteRun run = new Runner(Plan.quickRun().withLatencySizes(List.of(8)), new StepFilter(List.of("cat",
                "made up")), 3, progress, log::add).run(List.of(pipes, other));

        assertEquals(List.of(), run.failures());
        assertEquals(List.of("pipes"), run.info().benchmarks());
        assertEquals("quick; latency sizes 8 B; steps containing 'cat' or 'made up'; every step 3 times, round robin,"
                + " the median run shown", run.info().plan());
        List<String> lines = progressBytes.toString(StandardCharsets.UTF_8).lines().toList();
        assertEquals(6, lines.size(), lines.toString());
        assertTrue(lines.get(0).startsWith("[1/6] latency: jipc pipe via cat 64 B (run 1/3): "), lines.toString());
        assertTrue(lines.get(1).startsWith("[2/6] latency: made up 128 B (run 1/3): "), lines.toString());
        assertTrue(lines.get(2).startsWith("[3/6] latency: jipc pipe via cat 64 B (run 2/3): "), lines.toString());
        assertTrue(lines.get(5).startsWith("[6/6] latency: made up 128 B (run 3/3): "), lines.toString());
        assertEquals(2, run.results().size(), run.results().toString());
        Result cat = run.results().get(0);
        assertEquals("pipe via cat", cat.mechanism());
        assertTrue(cat.note().startsWith("the median run by p50 (ns) of 3 runs, round robin ("), cat.note());
        Result madeUp = run.results().get(1);
        assertEquals(200, madeUp.p50()); // of 300, 100, 200; its other figures from the same run
        assertEquals(200, madeUp.max());
        assertEquals("one figure; the median run by p50 (ns) of 3 runs, round robin (100.0 to 300.0)",
                madeUp.note());
    }

    @Test
    void stepsOfOneKindAndSizeRunNextToEachOtherAcrossBenchmarks() {
        List<String> names = List.of("jipc pipe (latency, throughput)", "latency: jipc channel spin 64 B",
                "latency: jipc channel spin 4 KiB", "throughput: jipc channel 64 B", "throughput: C memcpy 1 MiB",
                "idle CPU: jipc channel futex", "latency: Agrona channel spin 64 B",
                "latency: Agrona channel spin 4 KiB", "throughput: Agrona channel 64 B",
                "throughput: Agrona channel 1 MiB", "broken");
        List<Step> steps = names.stream().map(n -> new Step(n, Duration.ZERO, (plan, out) -> List.of())).toList();
        assertEquals(List.of("jipc pipe (latency, throughput)", "latency: jipc channel spin 64 B",
                "latency: Agrona channel spin 64 B", "latency: jipc channel spin 4 KiB",
                "latency: Agrona channel spin 4 KiB", "throughput: jipc channel 64 B",
                "throughput: Agrona channel 64 B", "throughput: C memcpy 1 MiB", "throughput: Agrona channel 1 MiB",
                "idle CPU: jipc channel futex", "broken"), Runner.bySize(steps).stream().map(Step::name).toList());
    }

    @Test
    void stepFiltersSizesAndPlanDescriptions() {
        assertEquals(List.of(8, 65536), Plan.parseSizes("--latency-sizes", "8,65536"));
        assertEquals(List.of(), Plan.parseSizes("--throughput-sizes", "none"));
        for (String bad : List.of("", "0", "64,", "16777217", "1k", "none,64")) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                    () -> Plan.parseSizes("--latency-sizes", bad));
            assertEquals("--latency-sizes takes message sizes in bytes from 1 to 16777216, separated by commas, or "
                    + "none: '" + bad + "'", e.getMessage());
        }
        assertEquals("full", Plan.fullRun().withPin(0, 1).describe());
        assertEquals("quick; throughput sizes none; JVM options -Xint -Dx=1", Plan.quickRun()
                .withThroughputSizes(List.of()).withJvmOptions(List.of("-Xint", "-Dx=1")).describe());
        assertEquals(List.of("-Xint", "-Dx=1"), Plan.quickRun().withJvmOptions(List.of("-Xint", "-Dx=1"))
                .jvmOptions());

        Step a = new Step("latency: jipc pipe 64 B", Duration.ofSeconds(1), (plan, out) -> List.of());
        Step b = new Step("throughput: C fifo 64 KiB", Duration.ofSeconds(1), (plan, out) -> List.of());
        assertEquals(List.of(a, b), StepFilter.ALL.apply(List.of(a, b)));
        assertEquals(List.of(b), new StepFilter(List.of("fifo", "socket")).apply(List.of(a, b)));
        assertEquals(List.of(), new StepFilter(List.of("Pipe")).apply(List.of(a, b))); // case-sensitive
        assertThrows(IllegalArgumentException.class, () -> new StepFilter(List.of("pipe", "")));
        assertThrows(IllegalArgumentException.class, () -> new Runner(Plan.quickRun(), StepFilter.ALL, 0,
                new Progress(new PrintStream(progressBytes), false, 100), log::add));
    }

    @Test
    void registeredBenchmarksComeFromTheServiceFile() {
        // src/test/resources registers RegisteredFixture beside whatever src/main registers
        assertTrue(Runner.registered().stream().anyMatch(b -> b instanceof RegisteredFixture),
                Runner.registered().toString());
    }
}
