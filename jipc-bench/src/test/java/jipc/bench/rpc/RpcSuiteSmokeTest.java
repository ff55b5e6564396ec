package jipc.bench.rpc;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.TimeUnit;

import jipc.bench.suite.PairedRatio;
import jipc.bench.suite.Plan;
import jipc.bench.suite.Result;
import jipc.bench.suite.Step;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Runs the step of {@link RpcBenchmark} with a tiny {@link Plan}: six pairs (jipc rpc in two JVMs waiting hybrid and
 * waiting with futex, the C twin's rpc,
 * the raw C futex ping-pong, C and JDK unix-socket request/response) kept alive and turned through 4 blocks of 20
 * round trips; every answer must echo its request's sequence number. No timing is asserted.
 */
@Timeout(value = 180, unit = TimeUnit.SECONDS)
class RpcSuiteSmokeTest {
    @Test
    void everyPairAnswersAndTheRatiosPairAdjacentBlocks() throws Exception {
        int[] pin = {0, Runtime.getRuntime().availableProcessors() > 1 ? 1 : 0};
        Plan plan = new Plan(true, List.of(64), List.of(64), 100, 300, 1L << 20, 0.2, pin, List.of());
        List<Step> steps = new RpcBenchmark().steps(plan);
        assertEquals(List.of("rpc latency 64 B: jipc rpc, C rpc, C raw futex, C and JDK unix socket (paired)"),
                steps.stream().map(Step::name).toList());
        // the quick run with its own sizes leaves the JDK socket pair (no goal) to the full run
        assertEquals(List.of("rpc latency 64 B: jipc rpc, C rpc, C raw futex, C unix socket (paired)"),
                new RpcBenchmark().steps(Plan.quickRun()).stream().map(Step::name).toList());
        Step.Outcome outcome;
        ByteArrayOutputStream log = new ByteArrayOutputStream();
        try (PrintStream out = new PrintStream(log, true, StandardCharsets.UTF_8)) {
            outcome = assertInstanceOf(Step.PairedBody.class, steps.getFirst().body()).measure(plan, out);
        }
        assertEquals(List.of("jipc rpc hybrid", "jipc rpc futex", "C raw futex ping-pong", "C rpc futex",
                "C unix socket request/response", "JDK unix socket request/response"),
                outcome.rows().stream().map(Result::name).toList(), log.toString(StandardCharsets.UTF_8));
        for (Result r : outcome.rows()) {
            assertEquals(RpcBenchmark.blocks(plan) * RpcBenchmark.block(plan), r.count(), r.name());
            assertTrue(r.p50() > 0 && r.p50() <= r.max(), r.toString());
        }
        assertEquals(List.of("jipc rpc futex / C raw futex ping-pong", "jipc rpc hybrid / C raw futex ping-pong",
                "C rpc futex / C raw futex ping-pong",
                "JDK unix socket request/response / C unix socket request/response"),
                outcome.ratios().stream().map(PairedRatio::name).toList());
        assertTrue(outcome.ratios().getFirst().floor().startsWith("C raw futex ping-pong 64 B: p50 "),
                outcome.ratios().getFirst().floor());
    }
}
