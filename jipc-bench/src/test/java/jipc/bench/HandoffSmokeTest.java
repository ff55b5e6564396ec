package jipc.bench;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.List;

import org.HdrHistogram.Histogram;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
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
    void harnessRunsJavaAndCPairsAndRecordsEveryMeasuredRound() throws Exception {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        Handoff.Result result;
        try (PrintStream out = new PrintStream(bytes, true, StandardCharsets.UTF_8)) {
            result = Handoff.run(new HandoffOptions(ROUNDS, 50, null, 10, List.of()), out);
        }
        for (Histogram histogram : List.of(result.jipc(), result.cRaw(), result.cSpin())) {
            assertEquals(ROUNDS, histogram.getTotalCount());
            assertTrue(histogram.getMinValue() > 0, "a round trip across processes takes time: " + histogram);
        }
        String output = bytes.toString(StandardCharsets.UTF_8);
        assertTrue(output.contains("pinning: none"), output);
        assertTrue(output.contains("-XX:+UseSerialGC"), output);
        for (String row : List.of("jipc Semaphore (Java <-> Java)", "C futex, no spin", "C futex, 10 spins",
                "jipc / C futex, no spin", "jipc / C futex, 10 spins")) {
            assertTrue(output.lines().anyMatch(line -> line.startsWith(row)), row + " missing in:\n" + output);
        }
    }

    @Test
    void failingPeerEndsTheRunWithAnErrorInsteadOfWaitingForever() {
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
