package jipc.bench;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

import jipc.channel.ChannelDescriptor;
import jipc.channel.OneToOneChannel;
import jipc.shm.Mapping;
import jipc.shm.Memfd;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Smoke tests of the channel benchmarks with tiny counts: every pair really runs across processes (two JVMs with
 * {@link ChannelPeer}, two C processes with {@code channel_bench.c} and the C twin {@code jipc_channel.c}, compiled
 * with gcc in the test), the receivers check every message's sequence number (a peer exits with status 1 on a gap,
 * which fails the run), and the harness gets every round trip and every message. No timing is asserted.
 */
class ChannelSmokeTest {
    private static final int ROUNDS = 200;

    /** Different cores where there are two: two JVMs starting on one core take twice as long. */
    private static Pin pin() {
        return new Pin(0, Runtime.getRuntime().availableProcessors() > 1 ? 1 : 0);
    }

    @Test
    void pingPongRunsEveryJavaAndCPairAndRecordsEveryMeasuredRoundTrip() throws Exception {
        ChannelOptions options = new ChannelOptions(List.of(64), ROUNDS, 50, 0, pin(), List.of());
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        List<ChannelBench.LatencyResult> results;
        try (PrintStream out = new PrintStream(bytes, true, StandardCharsets.UTF_8)) {
            results = ChannelBench.pingPong(options, out);
        }
        String output = bytes.toString(StandardCharsets.UTF_8);
        assertEquals(1, results.size());
        List<String> names = results.get(0).rows().stream().map(LatencyTable.Row::name).toList();
        assertEquals(List.of("jipc spin", "jipc hybrid", "jipc futex", "C twin spin", "C twin hybrid", "C twin futex",
                "C spin flag (floor)"), names);
        for (LatencyTable.Row row : results.get(0).rows()) {
            assertEquals(ROUNDS, row.histogram().getTotalCount(), row.name());
            assertTrue(row.histogram().getMinValue() > 0, "a round trip across processes takes time: " + row.name());
        }
        for (String line : List.of("jipc / C twin, spin", "jipc / C twin, hybrid", "jipc / C twin, futex",
                "jipc spin / C spin flag", "round trip 64 B, ns")) {
            assertTrue(output.lines().anyMatch(l -> l.startsWith(line)), line + " missing in:\n" + output);
        }
    }

    @Test
    void throughputRunsJavaAndCTwinAndMemcpyAndDeliversEveryMessage() throws Exception {
        int size = 4096;
        long count = 500;
        ChannelOptions options = new ChannelOptions(List.of(size), 1, 100, size * count, pin(), List.of());
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        List<ChannelBench.Throughput> results;
        try (PrintStream out = new PrintStream(bytes, true, StandardCharsets.UTF_8)) {
            results = ChannelBench.throughput(options, out);
        }
        String output = bytes.toString(StandardCharsets.UTF_8);
        assertEquals(List.of("jipc (Java -> Java)", "C twin (C -> C)", "C memcpy (limit)"),
                results.stream().map(ChannelBench.Throughput::name).toList());
        for (ChannelBench.Throughput named : results) {
            var t = named.measured();
            assertEquals(count, t.messages(), named.name());
            assertEquals(size, t.size(), named.name());
            assertTrue(t.elapsedNanos() > 0 && t.consumerCpuNanos() > 0, t.toString());
        }
        assertTrue(results.get(0).measured().producerCpuNanos() > 0
                && results.get(1).measured().producerCpuNanos() > 0, results.toString());
        for (String line : List.of("jipc / C twin", "jipc / C memcpy", "C twin / C memcpy")) {
            assertTrue(output.lines().anyMatch(l -> l.startsWith(line)), line + " missing in:\n" + output);
        }
    }

    @Test
    void javaAndCReceiversRejectAMessageOutOfSequence(@TempDir Path work) throws Exception {
        // A message with sequence number 7 where 0 is expected: both receivers must fail the run (exit status 1).
        CProgram c = CProgram.compile("channel_bench", work, "jipc_channel.c", "jipc_channel.h", "jipc_live.c",
                "jipc_live.h");
        List<List<String>> receivers = List.of(List.of(c.executable().toString()),
                Peers.javaCommand(ChannelPeer.class, List.of()));
        for (List<String> receiver : receivers) {
            List<String> command = Peers.concat(receiver, "recv", "hybrid", "64", "0", "1",
                    String.valueOf(ChannelBench.CAPACITY), work.resolve("received").toString());
            long size = ChannelDescriptor.segmentSize(ChannelBench.CAPACITY);
            try (Memfd memfd = Memfd.create("jipc-bench-sequence-test", size); Mapping mapping = memfd.map();
                 Arena arena = Arena.ofConfined()) {
                OneToOneChannel channel = OneToOneChannel.create(mapping.segment(), ChannelBench.CAPACITY, 1024);
                MemorySegment payload = arena.allocate(64, 8);
                payload.set(ValueLayout.JAVA_LONG, 0, 7);
                assertTrue(channel.offer(1, payload));
                IOException e = org.junit.jupiter.api.Assertions.assertThrows(IOException.class,
                        () -> Peers.runPair("recv", List.of("true"), command, memfd, Duration.ofSeconds(30)));
                assertTrue(e.getMessage().startsWith("recv side b failed: exit code 1"), e.getMessage());
            }
        }
    }

    @Test
    void badChannelOptionsAreRejectedWithTheOptionNamed() {
        IllegalArgumentException e = assertThrows(() -> ChannelOptions.parse(false, "--sizes", "8,4"));
        assertTrue(e.getMessage().contains("--sizes=4"), e.getMessage());
        e = assertThrows(() -> ChannelOptions.parse(true, "--sizes", "200000"));
        assertTrue(e.getMessage().contains("--sizes=200000"), e.getMessage());
        e = assertThrows(() -> ChannelOptions.parse(true, "--pin", "1"));
        assertTrue(e.getMessage().contains("--pin"), e.getMessage());
        assertEquals(List.of(64, 65536), ChannelOptions.parse(true).sizes());
        assertEquals(List.of(8, 64), ChannelOptions.parse(false).sizes());
    }

    private static IllegalArgumentException assertThrows(org.junit.jupiter.api.function.Executable call) {
        return org.junit.jupiter.api.Assertions.assertThrows(IllegalArgumentException.class, call);
    }
}
