package jipc.bench.python;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import jipc.bench.suite.PairedRatio;
import jipc.bench.suite.Plan;
import jipc.bench.suite.Result;
import jipc.bench.suite.Step;

import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Runs the steps of {@link PythonBenchmark} with a tiny {@link Plan}: Java and Python ends over jipc channels, the
 * Python to Python ways (a forked child over {@code multiprocessing.Pipe}, {@code Queue} and a unix socket pair) and
 * the C twin's consumer, each kept alive as a crew and turned through 4 blocks of a few messages; every message's
 * sequence number is checked by its receiver. No timing is asserted. Without python3, gcc or Python.h it is skipped
 * (aborted) with the reason the suite gives.
 */
@Timeout(value = 300, unit = TimeUnit.SECONDS)
class PythonSuiteSmokeTest {
    @Test
    void everySideRunsAndTheGoalRatiosPairAdjacentBlocks() throws Exception {
        PythonRig.missing().ifPresent(reason -> Assumptions.abort("the python suite is skipped here: " + reason));
        int[] pin = {0, Runtime.getRuntime().availableProcessors() > 1 ? 1 : 0};
        // a full run's tiny plan: the quick run leaves the Python to Python ways at 64 KiB out (below)
        Plan plan = new Plan(false, List.of(64), List.of(64, 65536), 100, 300, 1L << 20, 0.2, pin, List.of());
        // the quick run: the goals' steps and pairs only (round trips without Queue and the unix socket pair,
        // throughput at 64 KiB only)
        assertEquals(List.of("python latency 64 B: Java<->Python jipc channel, Python multiprocessing.Pipe (paired)",
                "python throughput 64 KiB: Java->Python, Java->C twin, Python->Java jipc channel (paired)"),
                new PythonBenchmark().steps(Plan.quickRun()).stream().map(Step::name).toList());
        List<Step> steps = new PythonBenchmark().steps(plan);
        assertEquals(List.of(
                "python latency 64 B: Java<->Python jipc channel, Python multiprocessing.Pipe, multiprocessing.Queue,"
                        + " unix socket (paired)",
                "python throughput 64 B: Java->Python, Java->C twin, Python->Java jipc channel (paired)",
                "python throughput 64 KiB: Java->Python, Java->C twin, Python->Java jipc channel, Python"
                        + " multiprocessing.Pipe, multiprocessing.Queue, unix socket (paired)"),
                steps.stream().map(Step::name).toList());
        ByteArrayOutputStream log = new ByteArrayOutputStream();
        Step.Outcome latency;
        Step.Outcome small;
        Step.Outcome large;
        try (PrintStream out = new PrintStream(log, true, StandardCharsets.UTF_8)) {
            latency = assertInstanceOf(Step.PairedBody.class, steps.get(0).body()).measure(plan, out);
            small = assertInstanceOf(Step.PairedBody.class, steps.get(1).body()).measure(plan, out);
            large = assertInstanceOf(Step.PairedBody.class, steps.get(2).body()).measure(plan, out);
        }
        String logText = log.toString(StandardCharsets.UTF_8);
        assertEquals(List.of("Java->Python jipc channel hybrid", "Python multiprocessing.Pipe blocking",
                "Python->Java jipc channel hybrid", "Python multiprocessing.Queue blocking",
                "Python unix socket blocking"), latency.rows().stream().map(Result::name).toList(), logText);
        for (Result r : latency.rows()) {
            assertEquals(PythonBenchmark.blocks(plan) * PythonBenchmark.latencyBlock(plan), r.count(), r.name());
            assertTrue(r.p50() > 0 && r.p50() <= r.max(), r.toString());
        }
        assertEquals(List.of("Python multiprocessing.Pipe blocking / Java->Python jipc channel hybrid",
                "Python multiprocessing.Pipe blocking / Python->Java jipc channel hybrid"),
                latency.ratios().stream().map(PairedRatio::name).toList());
        assertEquals(List.of("Java->Python jipc channel hybrid", "Java->C twin jipc channel hybrid",
                "Python->Java jipc channel hybrid"), small.rows().stream().map(Result::name).toList(), logText);
        assertEquals(List.of("Java->Python jipc channel hybrid", "Java->C twin jipc channel hybrid",
                "Python->Java jipc channel hybrid", "Python multiprocessing.Pipe blocking",
                "Python multiprocessing.Queue blocking", "Python unix socket blocking"),
                large.rows().stream().map(Result::name).toList(), logText);
        for (Result r : Stream.concat(small.rows().stream(), large.rows().stream()).toList()) {
            assertEquals(PythonBenchmark.blocks(plan) * PythonBenchmark.throughputBlock(plan, r.messageSize()),
                    r.count(), r.name());
            assertTrue(r.messagesPerSecond() > 0, r.toString());
        }
        assertEquals(List.of("Java->Python jipc channel hybrid / Java->C twin jipc channel hybrid"),
                large.ratios().stream().map(PairedRatio::name).toList());
        assertTrue(large.ratios().getFirst().floor().startsWith("Java->C twin 64 KiB: "),
                large.ratios().getFirst().floor());
        try (Stream<Path> shm = Files.list(Path.of("/dev/shm"))) {
            String mine = "jipc-bench-py-" + ProcessHandle.current().pid() + "-";
            assertEquals(List.of(), shm.map(p -> p.getFileName().toString()).filter(n -> n.startsWith(mine))
                    .toList(), "every channel of the suite is unlinked");
        }
    }
}
