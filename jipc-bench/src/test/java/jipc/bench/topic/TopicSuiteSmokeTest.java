package jipc.bench.topic;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.ServiceLoader;
import java.util.concurrent.TimeUnit;

import jipc.bench.suite.Benchmark;
import jipc.bench.suite.PairedRatio;
import jipc.bench.suite.Plan;
import jipc.bench.suite.Result;
import jipc.bench.suite.Step;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Runs every step of {@link TopicBenchmark} with a tiny {@link Plan} (4 blocks of a few messages): each comparison
 * really starts its crews (5 JVMs of jipc.topic, 5 C processes of the C twin, 5 JVMs of Agrona's broadcast buffer per
 * 1->4 side), the subscribers check every message's sequence number (a loss in BLOCK mode fails the step), and each
 * step returns its two rows and one paired ratio of 4 blocks. No timing is asserted.
 */
@Timeout(value = 300, unit = TimeUnit.SECONDS)
class TopicSuiteSmokeTest {
    private static Plan tinyPlan() {
        int[] pin = {0, Runtime.getRuntime().availableProcessors() > 1 ? 1 : 0};
        return new Plan(true, List.of(64), List.of(64), 100, 300, 1L << 20, 0.2, pin, List.of());
    }

    @Test
    void everyComparisonRunsEndToEndWithItsRowsAndRatio() throws Exception {
        Plan plan = tinyPlan();
        List<Result> rows = new ArrayList<>();
        List<PairedRatio> ratios = new ArrayList<>();
        ByteArrayOutputStream log = new ByteArrayOutputStream();
        try (PrintStream out = new PrintStream(log, true, StandardCharsets.UTF_8)) {
            for (Step step : new TopicBenchmark().steps(plan)) {
                assertTrue(step.estimate().toMillis() > 0, step.name());
                Step.PairedBody body = assertInstanceOf(Step.PairedBody.class, step.body(), step.name());
                Step.Outcome outcome = body.measure(plan, out);
                assertEquals(1, outcome.ratios().size(), step.name());
                rows.addAll(outcome.rows());
                ratios.addAll(outcome.ratios());
            }
        }
        assertEquals(List.of("THROUGHPUT jipc topic BLOCK 1->4 hybrid", "THROUGHPUT C topic BLOCK 1->4 hybrid",
                "IDLE_CPU jipc topic BLOCK subscriber hybrid (max of 4)",
                "IDLE_CPU C topic BLOCK subscriber hybrid (max of 4)",
                "THROUGHPUT jipc topic OVERWRITE 1->4 hybrid", "THROUGHPUT Agrona broadcast 1->4 backoff",
                "LATENCY jipc topic BLOCK 1->1 futex", "LATENCY C topic BLOCK 1->1 futex",
                "LATENCY jipc topic OVERWRITE 1->1 spin", "LATENCY Agrona broadcast 1->1 spin"),
                rows.stream().map(r -> r.kind() + " " + r.name()).toList(), log.toString(StandardCharsets.UTF_8));
        for (Result r : rows) {
            assertEquals("cpu " + plan.pin()[0] + "," + plan.pin()[1], r.pinning(), r.name());
            assertFalse(r.note().isEmpty(), r.name());
            switch (r.kind()) {
                case THROUGHPUT -> {
                    assertEquals(TopicBenchmark.blocks(plan) * TopicBenchmark.throughputBlock(plan, 64), r.count(),
                            r.name());
                    assertTrue(r.messagesPerSecond() > 0 && r.receiverCpuNanosPerMessage() > 0, r.toString());
                    if (r.mechanism().contains("BLOCK")) {
                        assertTrue(r.note().contains("nothing lost"), r.note());
                    }
                }
                case LATENCY -> {
                    assertEquals(TopicBenchmark.blocks(plan) * TopicBenchmark.latencyBlock(plan, "spin"), r.count(),
                            r.name());
                    assertTrue(r.p50() > 0 && r.p50() <= r.p99() && r.p99() <= r.max(), r.toString());
                }
                case IDLE_CPU -> {
                    assertTrue(r.idleCpuPercent() >= 0 && r.idleCpuPercent() < 100, r.toString());
                    assertTrue(r.note().contains("the busiest one's threads: "), r.note());
                }
            }
        }
        assertEquals(List.of("jipc topic BLOCK 1->4 hybrid / C topic BLOCK 1->4 hybrid",
                "jipc topic OVERWRITE 1->4 hybrid / Agrona broadcast 1->4 backoff",
                "jipc topic BLOCK 1->1 futex / C topic BLOCK 1->1 futex",
                "jipc topic OVERWRITE 1->1 spin / Agrona broadcast 1->1 spin"),
                ratios.stream().map(PairedRatio::name).toList());
        for (PairedRatio ratio : ratios) {
            assertEquals(TopicBenchmark.blocks(plan), ratio.blocks(), ratio.name());
            assertEquals(ratio.blocks(), ratio.ratios().size(), ratio.name());
            assertTrue(ratio.low() <= ratio.median() && ratio.median() <= ratio.high(), ratio.toString());
        }
        assertTrue(ratios.get(0).floor().startsWith("C memcpy 64 B"), ratios.get(0).floor());
    }

    @Test
    void theQuickRunHasTheBlockGoalAndTheFullRunAddsOverwriteOneSubscriberAndRoundTrips() {
        List<String> quick = new TopicBenchmark().steps(Plan.quickRun()).stream().map(Step::name).toList();
        assertEquals(List.of(
                "topic throughput 1->4 64 B: jipc BLOCK hybrid / C BLOCK hybrid + idle CPU (paired)"), quick);
        List<String> withLatency = new TopicBenchmark().steps(Plan.quickRun().withLatencySizes(List.of(64)))
                .stream().map(Step::name).toList();
        assertEquals(List.of("topic latency 1->1 64 B: jipc BLOCK futex / C BLOCK futex (paired)",
                "topic latency 1->1 64 B: jipc OVERWRITE spin / Agrona spin (paired)"),
                withLatency.subList(1, withLatency.size()));
        List<String> ownSizes = new TopicBenchmark().steps(Plan.quickRun().withThroughputSizes(List.of(64)))
                .stream().map(Step::name).toList();
        assertEquals(List.of(
                "topic throughput 1->4 64 B: jipc BLOCK hybrid / C BLOCK hybrid + idle CPU (paired)",
                "topic throughput 1->4 64 B: jipc OVERWRITE hybrid / Agrona backoff (paired)"), ownSizes);
        List<String> full = new TopicBenchmark().steps(Plan.fullRun()).stream().map(Step::name).toList();
        assertEquals(14, full.size(), full.toString());
        assertTrue(full.contains("topic throughput 1->1 4 KiB: jipc OVERWRITE hybrid / Agrona backoff (paired)"),
                full.toString());
        assertTrue(full.contains("topic latency 1->1 4 KiB: jipc BLOCK spin / C BLOCK spin (paired)"),
                full.toString());
        List<String> ids = ServiceLoader.load(Benchmark.class).stream().map(p -> p.get().id()).toList();
        assertTrue(ids.contains("topic") && ids.contains("rpc"), ids.toString());
    }
}
