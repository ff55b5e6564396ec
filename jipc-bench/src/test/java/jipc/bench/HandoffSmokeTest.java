package jipc.bench;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;

import org.HdrHistogram.Histogram;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Smoke tests of the benchmark module: the hand-off harness really runs two JVMs and two C pairs across processes
 * with very few rounds (no timing is asserted), and the JMH benchmark list was generated. The benchmarks themselves
 * are not run by the build.
 */
class HandoffSmokeTest {
    private static final int ROUNDS = 300;

    @Test
    void harnessRunsJavaAndCPairsPinnedWithTasksetAndRecordsEveryMeasuredRound() throws Exception {
        // One run covers everything (two JVMs and a gcc per run is the cost): pinned on different cores where there
        // are two (two JVMs starting on one core take twice as long).
        int cpuB = Runtime.getRuntime().availableProcessors() > 1 ? 1 : 0;
        String output = run(new HandoffOptions(ROUNDS, 50, new Pin(0, cpuB), 10, List.of()));
        boolean taskset = Stream.of(System.getenv("PATH").split(":"))
                .anyMatch(dir -> Files.isExecutable(Path.of(dir, "taskset")));
        String pinning = taskset ? "pinning: side a on CPU 0, side b on CPU " + cpuB
                : "pinning: none (--pin 0," + cpuB + " asked for it, but taskset is not on PATH)";
        assertTrue(output.contains(pinning), output);
        assertTrue(output.contains("-XX:+UseSerialGC"), output);
        for (String row : List.of("jipc Semaphore (Java <-> Java)", "C futex, no spin", "C futex, 10 spins",
                "jipc / C futex, no spin", "jipc / C futex, 10 spins")) {
            assertTrue(output.lines().anyMatch(line -> line.startsWith(row)), row + " missing in:\n" + output);
        }
    }

    /** Runs the harness, checks every pair recorded every measured round, and returns what it printed. */
    private static String run(HandoffOptions options) throws Exception {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        Handoff.Result result;
        try (PrintStream out = new PrintStream(bytes, true, StandardCharsets.UTF_8)) {
            result = Handoff.run(options, out);
        }
        for (Histogram histogram : List.of(result.jipc(), result.cRaw(), result.cSpin())) {
            assertEquals(options.rounds(), histogram.getTotalCount());
            assertTrue(histogram.getMinValue() > 0, "a round trip across processes takes time: " + histogram);
        }
        return bytes.toString(StandardCharsets.UTF_8);
    }

    @Test
    @Timeout(60)
    void deadSideBEndsThePairWithAnErrorWhileSideAStillWaits(@TempDir Path work) throws Exception {
        // Side a (the C program) releases S1 and then waits on S2 for ever: only the harness can end this.
        CProgram c = CProgram.compile("futex_pingpong", work);
        Path samples = work.resolve("samples");
        List<String> sideA = List.of(c.executable().toString(), "a", "0", String.valueOf(ROUNDS), "0",
                String.valueOf(HandoffPeer.S1_OFFSET), String.valueOf(HandoffPeer.S2_OFFSET), samples.toString());
        HandoffOptions options = new HandoffOptions(ROUNDS, 0, null, 0, List.of());
        IOException e = assertThrows(IOException.class, () -> Handoff.runPair(
                new PrintStream(PrintStream.nullOutputStream()), "C", options, sideA, List.of("false"), samples));
        assertTrue(e.getMessage().startsWith("C side b failed: exit code 1"), e.getMessage());
        assertFalse(Files.exists(samples), "side a cannot have finished");
    }

    @Test
    void peerJvmThatCannotStartEndsTheRunWithAnError() {
        HandoffOptions options = new HandoffOptions(ROUNDS, 0, null, 0, List.of("-XX:+NoSuchJvmOption"));
        IOException e = assertThrows(IOException.class,
                () -> Handoff.run(options, new PrintStream(PrintStream.nullOutputStream())));
        assertTrue(e.getMessage().startsWith("jipc side "), e.getMessage());
        assertTrue(e.getMessage().contains("failed"), e.getMessage());
    }

    @Test
    void badOptionsAreRejectedWithTheOptionNamed() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> HandoffOptions.parse("--rounds", "0"));
        assertTrue(e.getMessage().contains("--rounds=0"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> HandoffOptions.parse("--pin", "0"));
        assertTrue(e.getMessage().contains("--pin"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> HandoffOptions.parse("--frobnicate", "1"));
        assertTrue(e.getMessage().contains("--frobnicate"), e.getMessage());
    }

    @Test
    void jmhBenchmarkListWasGeneratedForEverySyncBenchmark() throws IOException {
        String list;
        try (InputStream in = HandoffSmokeTest.class.getClassLoader().getResourceAsStream("META-INF/BenchmarkList")) {
            assertNotNull(in, "no META-INF/BenchmarkList: the JMH annotation processor did not run");
            list = new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
        for (String benchmark : List.of("jipcSemaphoreTryAcquireRelease", "jipcMutexLockUnlock", "segmentCasPair",
                "atomicIntegerCasPair", "jucSemaphoreTryAcquireRelease")) {
            assertTrue(list.contains("SyncBenchmarks_" + benchmark + "_jmhTest"), benchmark + " missing in:\n" + list);
        }
    }
}
