package jipc.bench.channel;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.TimeUnit;

import jipc.bench.report.Targets;
import jipc.bench.suite.PairedRatio;
import jipc.bench.suite.Plan;
import jipc.bench.suite.Result;
import jipc.bench.suite.Step;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Runs the paired channel steps ({@link ChannelPaired}) with a tiny {@link Plan}: every pair is a real crew of
 * processes (jipc, the C twin, Agrona, the C floors, the C SPSC ring, the C memcpy), receivers check every sequence
 * number, and each step returns the paired ratios the goals table checks. No timing is asserted.
 */
@Timeout(value = 300, unit = TimeUnit.SECONDS)
class ChannelPairedSmokeTest {
    private static Plan tinyPlan() {
        int[] pin = {0, Runtime.getRuntime().availableProcessors() > 1 ? 1 : 0};
        return new Plan(true, List.of(64), List.of(64, 65536), 100, 300, 1L << 20, 0.2, pin, List.of());
    }

    @Test
    void pairedStepsMeasureEveryGoalsRatioWithAnInterval(@TempDir Path kept) throws Exception {
        Plan plan = tinyPlan().withKeepSamples(kept.resolve("samples"));
        List<Step> steps = new ChannelBenchmark().steps(plan).stream()
                .filter(s -> s.body() instanceof Step.PairedBody).toList();
        assertEquals(List.of("channel latency 64 B: jipc, C twin, Agrona, C floors (paired)",
                "channel throughput 64 B: jipc, C twin, Agrona, C ring, C memcpy (paired)",
                "channel throughput 64 KiB: jipc, C twin, C memcpy (paired)"),
                steps.stream().map(Step::name).toList());
        List<PairedRatio> ratios = new ArrayList<>();
        List<String> rows = new ArrayList<>();
        ByteArrayOutputStream log = new ByteArrayOutputStream();
        try (PrintStream out = new PrintStream(log, true, StandardCharsets.UTF_8)) {
            for (Step step : steps) {
                Step.Outcome outcome = ((Step.PairedBody) step.body()).measure(plan, out);
                for (Result row : outcome.rows()) {
                    rows.add(row.kind() + " " + row.name() + " " + row.messageSize());
                    assertTrue(row.note().contains("paired step"), row.note());
                    assertEquals(row.kind() == Result.Kind.LATENCY ? 4 * (row.mechanism().contains("futex") ? 20 : 50)
                            : 4 * ChannelPaired.messageBlock(plan, row.messageSize()), row.count(), row.name());
                }
                ratios.addAll(outcome.ratios());
            }
        }
        // --keep-samples: one file per round-trip pair, its measured round trips in order, listed in samples.tsv
        List<String> index = Files.readAllLines(kept.resolve("samples/samples.tsv"));
        assertEquals(10, index.size(), String.join("\n", index));
        assertEquals("channel-latency-64-00-jipc-channel-spin.bin\tjipc\tchannel spin\t4\t50", index.get(0));
        assertEquals("channel-latency-64-02-Agrona-channel-spin.bin\tAgrona\tchannel spin\t4\t50", index.get(2));
        for (String line : index) {
            String[] f = line.split("\t");
            long[] samples = ChannelPaired.readSamples(kept.resolve("samples").resolve(f[0]),
                    Long.parseLong(f[3]) * Long.parseLong(f[4]));
            assertTrue(Arrays.stream(samples).allMatch(v -> v > 0), line);
        }
        // Agrona's rows are the agrona suite's: its pairs here serve the ratios only
        assertEquals(List.of("LATENCY jipc channel spin 64", "LATENCY C channel spin 64",
                "LATENCY jipc channel hybrid 64", "LATENCY C channel hybrid 64", "LATENCY jipc channel futex 64",
                "LATENCY C channel futex 64", "LATENCY C shm spin flag 64", "LATENCY C futex 64",
                "LATENCY jipc channel futex (virtual thread) 64",
                "THROUGHPUT jipc channel 64", "THROUGHPUT C channel 64", "THROUGHPUT jipc channel (batch 64) 64",
                "THROUGHPUT C channel (batch 64) 64", "THROUGHPUT C spsc ring 64",
                "THROUGHPUT C memcpy 64", "THROUGHPUT jipc channel 65536", "THROUGHPUT C channel 65536",
                "THROUGHPUT C memcpy 65536"), rows);
        for (PairedRatio r : ratios) {
            assertTrue(r.low() <= r.median() && r.median() <= r.high(), r.toString());
            if (!r.figure().equals(ChannelPaired.ALLOCATED)) {
                assertTrue(r.median() > 0, r.toString());
            }
        }
        List<String> goals = Targets.of(List.of(), ratios).stream().map(Targets.Check::goal).toList();
        for (String expected : List.of(
                "latency 64 B p50 (paired, 4 blocks): jipc channel spin / Agrona channel spin",
                "latency 64 B p50 (paired, 4 blocks): jipc channel spin / C channel spin",
                "latency 64 B p50 (paired, 4 blocks): jipc channel spin / C shm spin flag",
                "latency 64 B p50 (paired, 4 blocks): C channel spin / Agrona channel spin",
                "latency 64 B p99 (pooled, bootstrap): jipc channel spin / Agrona channel spin",
                "latency 64 B p99.9 (pooled, bootstrap): jipc channel spin / Agrona channel spin",
                "latency 64 B p50 (paired, 4 blocks): jipc channel hybrid / jipc channel spin",
                "latency 64 B p50 (paired, 4 blocks): C channel hybrid / C channel spin",
                "latency 64 B p50 (paired, 4 blocks): jipc channel futex / C futex",
                "latency 64 B p50 (paired, 4 blocks): jipc channel futex (virtual thread) / jipc channel futex",
                "throughput 64 B msg/s (paired, 4 blocks): jipc channel (batch 64) / Agrona channel",
                "throughput 64 B msg/s (paired, 4 blocks): jipc channel / C channel",
                "throughput 64 B msg/s (paired, 4 blocks): jipc channel (batch 64) / C channel (batch 64)",
                "throughput 64 B msg/s (paired, 4 blocks): jipc channel (batch 64) / C spsc ring",
                "throughput 64 KiB msg/s (paired, 4 blocks): jipc channel / C channel",
                "throughput 64 KiB msg/s (paired, 4 blocks): jipc channel / C memcpy",
                "allocation 64 B allocated B/msg (paired, 4 blocks): jipc channel spin / messages",
                "allocation 64 B allocated B/msg (paired, 4 blocks): jipc channel / messages")) {
            assertTrue(goals.contains(expected), expected + " not in\n" + String.join("\n", goals));
        }
        // a goal on "jipc channel" is not one on "jipc channel (batch 64)": each check once, batches against batches
        assertEquals(goals.size(), new java.util.HashSet<>(goals).size(), "a goal checked twice:\n"
                + String.join("\n", goals));
        assertFalse(goals.contains("throughput 64 B msg/s (paired, 4 blocks): jipc channel (batch 64) / C channel"),
                String.join("\n", goals));
    }
}
