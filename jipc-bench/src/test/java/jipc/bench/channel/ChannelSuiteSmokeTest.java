package jipc.bench.channel;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.ServiceLoader;
import java.util.concurrent.TimeUnit;

import jipc.bench.suite.Benchmark;
import jipc.bench.suite.Plan;
import jipc.bench.suite.Result;
import jipc.bench.suite.Step;
import jipc.bench.suite.StepFilter;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Runs every step of {@link ChannelBenchmark} and {@link AgronaBenchmark} with a tiny {@link Plan}: every pair really
 * crosses processes (two JVMs with jipc's channel, two C processes with the C twin, two JVMs with Agrona's ring, the C
 * floors, the C memcpy), the receivers check every message's sequence number (a gap fails the step), and each step
 * returns exactly its row with the counts the plan asked for. No timing is asserted.
 */
@Timeout(value = 180, unit = TimeUnit.SECONDS)
class ChannelSuiteSmokeTest {
    private static final int ROUNDS = 300;
    private static final int LATENCY_SIZE = 64;
    private static final int THROUGHPUT_SIZE = 4096;

    private static Plan tinyPlan() {
        int[] pin = {0, Runtime.getRuntime().availableProcessors() > 1 ? 1 : 0};
        return new Plan(true, List.of(LATENCY_SIZE), List.of(THROUGHPUT_SIZE), 100, ROUNDS, 1L << 20, 0.2, pin,
                List.of());
    }

    private static List<Result> runAll(Benchmark benchmark, Plan plan, List<String> names) throws Exception {
        List<Result> results = new ArrayList<>();
        ByteArrayOutputStream log = new ByteArrayOutputStream();
        try (PrintStream out = new PrintStream(log, true, StandardCharsets.UTF_8)) {
            for (Step step : benchmark.steps(plan)) {
                if (step.body() instanceof Step.PairedBody) {
                    continue; // ChannelPairedSmokeTest runs those
                }
                assertTrue(step.estimate().toMillis() > 0, step.name());
                names.add(step.name());
                List<Result> rows = step.body().run(plan, out);
                // one row a step, but the idle step's four receivers
                assertEquals(step.name().startsWith("idle CPU: ") ? 4 : 1, rows.size(), step.name() + ": " + rows);
                results.addAll(rows);
            }
        }
        return results;
    }

    @Test
    void channelBenchmarkMeasuresEveryRowAcrossProcesses() throws Exception {
        Plan plan = tinyPlan();
        List<String> names = new ArrayList<>();
        List<Result> results = runAll(new ChannelBenchmark(), plan, names);
        // the other latency rows and the 64 B / 64 KiB throughput rows come from the paired steps (ChannelPairedSmokeTest)
        List<String> expected = new ArrayList<>(List.of("THROUGHPUT jipc channel " + THROUGHPUT_SIZE, "THROUGHPUT C channel " + THROUGHPUT_SIZE,
                "THROUGHPUT C memcpy " + THROUGHPUT_SIZE, "IDLE_CPU jipc channel futex 0",
                "IDLE_CPU jipc channel futex (virtual thread) 0", "IDLE_CPU jipc channel hybrid 0",
                "IDLE_CPU C channel futex 0"));
        assertEquals(expected, results.stream().map(r -> r.kind() + " " + r.name() + " " + r.messageSize()).toList(),
                String.join("\n", names));
        for (Result r : results) {
            assertEquals("cpu " + plan.pin()[0] + "," + plan.pin()[1], r.pinning(), r.name());
            assertFalse(r.note().isEmpty(), r.name());
            assertEquals(r.mechanism().endsWith(Result.VIRTUAL_THREAD), r.note().contains("on a virtual thread"),
                    r.name() + ": " + r.note());
            switch (r.kind()) {
                case LATENCY -> {
                    assertEquals(Rows.rounds(plan, LATENCY_SIZE, r.mechanism().contains("futex")), r.count(),
                            r.name());
                    assertTrue(r.p50() > 0 && r.p50() <= r.p99() && r.p99() <= r.max(), r.toString());
                    assertEquals(Rows.CURVE.length, r.curve().size(), r.name());
                    assertTrue(Double.isNaN(r.messagesPerSecond()), r.name());
                }
                case THROUGHPUT -> {
                    assertEquals(Rows.MIN_MESSAGES, r.count(), r.name());
                    assertTrue(r.messagesPerSecond() > 0 && r.receiverCpuNanosPerMessage() > 0, r.toString());
                    assertEquals(r.messagesPerSecond() * THROUGHPUT_SIZE, r.bytesPerSecond(), 1e-3, r.name());
                    assertEquals(r.mechanism().equals("memcpy"), Double.isNaN(r.senderCpuNanosPerMessage()),
                            r.toString());
                }
                case IDLE_CPU -> assertTrue(r.idleCpuPercent() >= 0 && r.idleCpuPercent() < 100, r.toString());
            }
        }
    }

    @Test
    void agronaBenchmarkMeasuresItsRingAcrossProcesses() throws Exception {
        Plan plan = tinyPlan();
        List<Result> results = runAll(new AgronaBenchmark(), plan, new ArrayList<>());
        assertEquals(List.of("LATENCY Agrona channel spin " + LATENCY_SIZE,
                "THROUGHPUT Agrona channel " + THROUGHPUT_SIZE),
                results.stream().map(r -> r.kind() + " " + r.name() + " " + r.messageSize()).toList());
        assertEquals(ROUNDS, results.get(0).count());
        assertEquals(ROUNDS / 4, Rows.rounds(plan, LATENCY_SIZE, true));
        assertEquals(Rows.MIN_MESSAGES, results.get(1).count());
        for (Result r : results) {
            assertTrue(r.note().contains("--add-exports java.base/jdk.internal.misc=ALL-UNNAMED"), r.note());
        }
    }

    @Test
    void bothAreServicesAndLargeMessagesGetABiggerRing() {
        List<String> ids = ServiceLoader.load(Benchmark.class).stream().map(p -> p.get().id()).toList();
        assertTrue(ids.contains("channel") && ids.contains("agrona"), ids.toString());
        assertEquals(1L << 20, ChannelPairs.capacity(65536));
        assertEquals(16L << 20, ChannelPairs.capacity(1 << 20));
        assertTrue(ChannelPairs.maxMessageLength(ChannelPairs.capacity(1 << 20)) >= 1 << 20);
    }

    @Test
    void everyLatencySizeHasItsPairedStep() {
        List<String> names = new ChannelBenchmark().steps(Plan.fullRun()).stream().map(Step::name).toList();
        for (String size : List.of("8 B", "64 B", "4 KiB", "64 KiB")) {
            assertTrue(names.contains("channel latency " + size + ": jipc, C twin, Agrona, C floors (paired)"),
                    names.toString());
        }
        assertTrue(names.stream().noneMatch(n -> n.startsWith("latency: ")), names.toString());
        // the four idle receivers are one step, in --full too
        assertEquals(1, names.stream().filter(n -> n.startsWith("idle CPU: ")).count(), names.toString());
        assertTrue(names.contains("idle CPU: jipc channel futex, futex (virtual thread), hybrid; C channel futex"), names.toString());
    }

    @Test
    void theQuickRunPairsLatencyAt64BytesAndAgronasRows() {
        List<String> names = new ChannelBenchmark().steps(Plan.quickRun()).stream().map(Step::name).toList();
        assertEquals(List.of("channel latency 64 B: jipc, C twin, Agrona, C floors (paired)",
                "channel throughput 64 B: jipc, C twin, Agrona, C ring, C memcpy (paired)",
                "channel throughput 64 KiB: jipc, C twin, C memcpy (paired)",
                "idle CPU: jipc channel futex, futex (virtual thread), hybrid; C channel futex"), names);
        // Agrona's quick rows all come from the paired steps (64 B; its 64 KiB row, without a goal, is --full's)
        assertEquals(List.of(), new AgronaBenchmark().steps(Plan.quickRun()).stream().map(Step::name).toList());
        // the quick run with sizes of its own keeps every step
        Plan sized = Plan.quickRun().withLatencySizes(List.of(64));
        assertEquals(3, new AgronaBenchmark().steps(sized).size());
    }

    @Test
    void theSizeOptionsAndTheStepFilterOfJipcBenchShapeTheirSteps() {
        // --latency-sizes 128 --throughput-sizes none
        Plan sized = Plan.fullRun().withLatencySizes(Plan.parseSizes("--latency-sizes", "128"))
                .withThroughputSizes(Plan.parseSizes("--throughput-sizes", "none"));
        for (Benchmark benchmark : List.of(new ChannelBenchmark(), new AgronaBenchmark())) {
            List<String> names = benchmark.steps(sized).stream().map(Step::name).toList();
            List<String> latency = names.stream().filter(n -> n.startsWith("latency: ")
                    || n.startsWith("channel latency ")).toList();
            assertFalse(latency.isEmpty(), names.toString());
            assertTrue(latency.stream().allMatch(n -> n.contains(" 128 B")), names.toString());
            assertTrue(names.stream().noneMatch(n -> n.contains("throughput")), names.toString());
        }
        // --steps 'latency 64 B,idle'
        List<String> picked = new StepFilter(List.of("latency 64 B", "idle")).apply(new ChannelBenchmark().steps(
                Plan.fullRun())).stream().map(Step::name).toList();
        assertEquals(List.of("channel latency 64 B: jipc, C twin, Agrona, C floors (paired)",
                "idle CPU: jipc channel futex, futex (virtual thread), hybrid; C channel futex"), picked);
    }
}
