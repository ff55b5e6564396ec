package jipc.bench.os;

import java.io.PrintStream;
import java.util.List;
import java.util.concurrent.TimeUnit;

import jipc.bench.report.Targets;
import jipc.bench.suite.PairedRatio;
import jipc.bench.suite.Plan;
import jipc.bench.suite.Result;
import jipc.bench.suite.Step;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Runs the paired pipe and FIFO step ({@link StreamPaired}) with a tiny plan: four real crews (jipc and C, pipe and
 * FIFO) moving 64 KiB messages with their sequence numbers checked, and the two goals' ratios with intervals.
 */
@Timeout(value = 180, unit = TimeUnit.SECONDS)
class StreamPairedSmokeTest {
    @Test
    void pairedPipeAndFifoStepGivesBothGoalsRatios() throws Exception {
        int[] pin = {0, Runtime.getRuntime().availableProcessors() > 1 ? 1 : 0};
        Plan plan = new Plan(true, List.of(), List.of(65536), 40, 400, 2L << 20, 0, pin, List.of());
        List<Step> paired = new PipeBenchmark().steps(plan).stream()
                .filter(s -> s.body() instanceof Step.PairedBody).toList();
        assertEquals(List.of("pipe throughput 64 KiB: jipc and C pipe, jipc and C FIFO (paired)"),
                paired.stream().map(Step::name).toList());
        Step.Outcome outcome = ((Step.PairedBody) paired.getFirst().body()).measure(plan,
                new PrintStream(PrintStream.nullOutputStream()));
        // a quick plan: the step's own rows stand in for the single-pair steps' 64 KiB throughput rows
        assertEquals(List.of("jipc pipe", "C pipe", "jipc fifo", "C fifo"), outcome.rows().stream()
                .map(Result::name).toList());
        for (Result r : outcome.rows()) {
            assertEquals(Result.Kind.THROUGHPUT, r.kind());
            assertEquals(65536, r.messageSize());
            assertEquals(4 * StreamPaired.block(plan), r.count(), r.toString());
            assertTrue(r.bytesPerSecond() > 0, r.toString());
            assertTrue(r.senderCpuNanosPerMessage() > 0 && r.receiverCpuNanosPerMessage() > 0, r.toString());
            assertTrue(r.note().startsWith("paired step: 4 blocks of 16 messages"), r.note());
        }
        List<PairedRatio> ratios = outcome.ratios();
        assertEquals(List.of("jipc pipe / C pipe", "jipc fifo / C fifo"), ratios.stream().map(PairedRatio::name)
                .toList());
        for (PairedRatio r : ratios) {
            assertTrue(r.median() > 0 && r.low() <= r.median() && r.median() <= r.high(), r.toString());
            assertEquals(4, r.blocks());
        }
        List<String> goals = Targets.of(List.of(), ratios).stream().map(Targets.Check::goal).toList();
        assertEquals(List.of("throughput 64 KiB msg/s (paired, 4 blocks): jipc pipe / C pipe",
                "throughput 64 KiB msg/s (paired, 4 blocks): jipc fifo / C fifo"), goals);
    }
}
