package jipc.bench.os;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.ServiceLoader;
import java.util.stream.Stream;

import jipc.bench.suite.Benchmark;
import jipc.bench.suite.Plan;
import jipc.bench.suite.Result;
import jipc.bench.suite.Step;
import jipc.process.Spawn;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Smoke test of the pipe, FIFO and socket benchmarks: every step runs its two real processes (JVMs or C) with a tiny
 * plan, and every row is there with the counts asked for and the data checked by the receivers. No timing is
 * asserted.
 */
@Timeout(180)
class StreamBenchmarkSmokeTest {
    /** A few hundred round trips, a couple of MiB, C1 only in the Java peers (they start faster). */
    private static Plan tinyPlan(int[] pin) {
        return new Plan(true, List.of(8, 65536), List.of(64, 1 << 20), 40, 400, 2L << 20, 0, pin,
                List.of("-XX:TieredStopAtLevel=1"));
    }

    @Test
    void everyStepRunsAcrossProcessesAndReportsEveryRowWithItsCounts() throws Exception {
        int cpuB = Runtime.getRuntime().availableProcessors() > 1 ? 1 : 0;
        Plan plan = tinyPlan(new int[] {0, cpuB});
        boolean taskset = Stream.of(System.getenv("PATH").split(":"))
                .anyMatch(dir -> Files.isExecutable(Path.of(dir, "taskset")));
        String pinning = taskset ? "cpu 0," + cpuB : "none";

        List<Result> results = new ArrayList<>();
        PrintStream log = new PrintStream(PrintStream.nullOutputStream());
        for (Benchmark benchmark : List.of(new PipeBenchmark(), new SocketBenchmark())) {
            List<Step> steps = benchmark.steps(plan);
            // pipe: jipc, jipc on a virtual thread, C; FIFO: jipc, C (sockets: JDK, C each)
            assertEquals(benchmark.id().equals("pipe") ? 5 : 4, steps.size(), benchmark.id());
            for (Step step : steps) {
                assertTrue(step.estimate().compareTo(Duration.ZERO) > 0, step.name());
                results.addAll(step.body().run(plan, log));
            }
        }

        assertEquals(4 * 2 * 4 + plan.latencySizes().size(), results.size(), results.toString());
        for (String mechanism : List.of("pipe", "fifo", "unix socket", "tcp loopback")) {
            String java = mechanism.endsWith("socket") || mechanism.startsWith("tcp") ? "JDK" : "jipc";
            for (String implementation : List.of(java, "C")) {
                for (int size : plan.latencySizes()) {
                    Result r = find(results, mechanism, implementation, Result.Kind.LATENCY, size);
                    assertEquals(StreamBenchmark.latencyRounds(plan, size), r.count(), r.toString());
                    assertTrue(r.p50() > 0 && r.p50() <= r.p99() && r.p99() <= r.max(), r.toString());
                    assertEquals(StreamBenchmark.CURVE.length, r.curve().size(), r.toString());
                    for (int i = 1; i < r.curve().size(); i++) {
                        assertTrue(r.curve().get(i - 1).nanos() <= r.curve().get(i).nanos(), r.toString());
                    }
                    assertEquals(pinning, r.pinning());
                }
                for (int size : plan.throughputSizes()) {
                    Result r = find(results, mechanism, implementation, Result.Kind.THROUGHPUT, size);
                    assertEquals(StreamBenchmark.throughputMessages(plan, size), r.count(), r.toString());
                    assertEquals(r.messagesPerSecond() * size, r.bytesPerSecond(), r.bytesPerSecond() * 1e-9);
                    assertTrue(r.bytesPerSecond() > 0, r.toString());
                    assertTrue(r.senderCpuNanosPerMessage() > 0 && r.receiverCpuNanosPerMessage() > 0, r.toString());
                    assertEquals(pinning, r.pinning());
                }
            }
        }
        for (int size : plan.latencySizes()) {
            // the virtual-thread twin of jipc's pipe: round trips only
            Result r = find(results, "pipe (virtual thread)", "jipc", Result.Kind.LATENCY, size);
            assertEquals(StreamBenchmark.latencyRounds(plan, size), r.count(), r.toString());
            assertTrue(r.p50() > 0 && r.p50() <= r.p99() && r.p99() <= r.max(), r.toString());
            assertTrue(r.note().contains("on a virtual thread"), r.note());
        }
        assertTrue(results.stream().noneMatch(r -> r.mechanism().endsWith(Result.VIRTUAL_THREAD)
                && r.kind() != Result.Kind.LATENCY), results.toString());
        for (Result r : results) {
            boolean pipe = r.mechanism().startsWith("pipe") || r.mechanism().equals("fifo");
            assertEquals(pipe, r.note().contains("capacity 1024 KiB each way"), r.note());
        }
    }

    @Test
    void largePipeMessagesGetAGibibyteOfWarmUpAndOfMeasuredMessagesInTheQuickRunToo() {
        for (Plan plan : List.of(Plan.quickRun(), Plan.fullRun())) {
            for (jipc.bench.os.Stream stream : List.of(jipc.bench.os.Stream.PIPE, jipc.bench.os.Stream.FIFO)) {
                assertEquals(16_384, StreamBenchmark.throughputMessages(plan, stream, 65536), plan.describe());
                assertEquals(16_384, StreamBenchmark.throughputWarmup(plan, stream, 65536), plan.describe());
            }
            // sockets and small messages keep the plan's budget
            assertEquals(StreamBenchmark.throughputMessages(plan, 65536),
                    StreamBenchmark.throughputMessages(plan, jipc.bench.os.Stream.UNIX_SOCKET, 65536));
            assertEquals(StreamBenchmark.throughputMessages(plan, 64),
                    StreamBenchmark.throughputMessages(plan, jipc.bench.os.Stream.PIPE, 64));
        }
    }

    @Test
    void theQuickRunLeavesTcpLoopbackToTheFullRun() {
        List<String> quick = new SocketBenchmark().steps(Plan.quickRun()).stream().map(Step::name).toList();
        assertEquals(List.of("JDK unix socket (latency, throughput)", "C unix socket (latency, throughput)"), quick);
        for (Plan plan : List.of(Plan.fullRun(), Plan.quickRun().withLatencySizes(List.of(64)))) {
            List<String> names = new SocketBenchmark().steps(plan).stream().map(Step::name).toList();
            assertEquals(List.of("JDK unix socket (latency, throughput)", "C unix socket (latency, throughput)",
                    "JDK tcp loopback (latency, throughput)", "C tcp loopback (latency, throughput)"), names,
                    plan.describe());
        }
    }

    @Test
    void benchmarksAreRegisteredForTheRunner() {
        List<String> ids = ServiceLoader.load(Benchmark.class).stream().map(p -> p.get().id()).toList();
        assertTrue(ids.contains("pipe") && ids.contains("socket"), ids.toString());
    }

    @Test
    void aFailingPeerEndsThePairWithAnErrorNamingTheSide() {
        IOException e = assertThrows(IOException.class, () -> StreamBenchmark.runPair("C pipe",
                Spawn.command("sleep", "30"), Spawn.command("false"), Duration.ofSeconds(20)));
        assertTrue(e.getMessage().startsWith("C pipe side a failed: exit code 1"), e.getMessage());
    }

    @Test
    void theJvmOptionsOfThePlanReachTheJavaPeers() {
        // jipc bench --jvm-option: an option the JVM refuses makes both Java peers exit 1 at once
        Plan plan = tinyPlan(null).withJvmOptions(List.of("-XX:+JipcNoSuchFlag"));
        Step java = new PipeBenchmark().steps(plan).getFirst();
        assertTrue(java.name().startsWith("jipc pipe"), java.name());
        IOException e = assertThrows(IOException.class, () -> java.body().run(plan,
                new PrintStream(PrintStream.nullOutputStream())));
        assertTrue(e.getMessage().matches("jipc pipe side [ab] failed: exit code 1.*"), e.getMessage());
    }

    @Test
    void theQuickRunLeavesPipeAndFifoThroughputAt64KiBToThePairedStep() {
        for (jipc.bench.os.Stream stream : jipc.bench.os.Stream.values()) {
            for (StreamBenchmark.Peer peer : List.of(StreamBenchmark.Peer.JAVA, StreamBenchmark.Peer.C)) {
                List<String> quick = StreamBenchmark.items(Plan.quickRun(), stream, peer);
                List<String> full = StreamBenchmark.items(Plan.fullRun(), stream, peer);
                assertTrue(quick.stream().anyMatch(i -> i.startsWith("tp:64:")), quick.toString());
                assertEquals(!stream.isPipe(), quick.stream().anyMatch(i -> i.startsWith("tp:65536:")),
                        stream + " " + quick);
                assertTrue(full.stream().anyMatch(i -> i.startsWith("tp:65536:")), full.toString());
            }
        }
    }

    @Test
    void theQuickRunLeavesRoundTripsAt4KiBToTheFullRun() {
        for (jipc.bench.os.Stream stream : jipc.bench.os.Stream.values()) {
            for (StreamBenchmark.Peer peer : StreamBenchmark.Peer.values()) {
                List<String> quick = StreamBenchmark.items(Plan.quickRun(), stream, peer).stream()
                        .filter(i -> i.startsWith("lat:")).toList();
                assertEquals(List.of("lat:64:5000:10000"), quick, stream + " " + peer);
                // a quick run with sizes of its own measures them (the quick plan's own 64,4096 would be its defaults)
                for (Plan plan : List.of(Plan.fullRun(), Plan.quickRun().withLatencySizes(List.of(4096)),
                        Plan.quickRun().withThroughputSizes(List.of(64)))) {
                    List<String> sizes = StreamBenchmark.items(plan, stream, peer).stream()
                            .filter(i -> i.startsWith("lat:")).map(i -> i.split(":")[1]).toList();
                    assertEquals(plan.latencySizes().stream().map(String::valueOf).toList(), sizes,
                            plan.describe());
                }
            }
        }
        // the virtual-thread step (round trips only) stays in the quick run, at 64 B
        assertTrue(new PipeBenchmark().steps(Plan.quickRun()).stream()
                .anyMatch(s -> s.name().equals("jipc pipe (virtual thread) (latency)")));
    }

    @Test
    void quickRunFitsItsTimeBudgetByEstimate() {
        // The runner's progress bar trusts these; the quick run of both families must stay near 24 s on 2 cores
        // (15 s before the 64 KiB pipe and FIFO throughput got 1 GiB of warm-up and 1 GiB measured, and the
        // paired pipe/FIFO step of StreamPaired).
        Duration total = Duration.ZERO;
        for (Benchmark benchmark : List.of(new PipeBenchmark(), new SocketBenchmark())) {
            for (Step step : benchmark.steps(Plan.quickRun())) {
                total = total.plus(step.estimate());
            }
        }
        assertTrue(total.compareTo(Duration.ofSeconds(24)) <= 0, total.toString());
        assertFalse(total.isZero());
    }

    private static Result find(List<Result> results, String mechanism, String implementation, Result.Kind kind,
            int size) {
        return results.stream().filter(r -> r.mechanism().equals(mechanism) && r.implementation().equals(
                implementation) && r.kind() == kind && r.messageSize() == size).findFirst()
                .orElseThrow(() -> new AssertionError("no row " + implementation + " " + mechanism + " " + kind
                        + " " + size + " in " + results));
    }
}
