package jipc.cli;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

import org.HdrHistogram.Histogram;

import jipc.bench.CProgram;
import jipc.bench.Peers;
import jipc.bench.suite.Benchmark;
import jipc.bench.suite.Plan;
import jipc.bench.suite.Result;
import jipc.bench.suite.Step;
import jipc.pipe.Pipe;
import jipc.process.ChildProcess;
import jipc.process.ExitStatus;
import jipc.process.Spawn;

/**
 * A small real benchmark for the {@code jipc bench} ITs (registered by this module's test service file, put on the
 * class path beside {@code jipc.jar}): 64-byte round trips through two pipes to a Java echo peer started by
 * {@link Peers#javaCommand} (so the peer command line of the packaged jar is exercised) and to {@code cat}, plus a
 * step that compiles a C baseline and the C twin from the sources inside the jar.
 */
public final class BenchFixture implements Benchmark {
    static final int ROUNDS = 300;

    @Override
    public String id() {
        return "fixture";
    }

    @Override
    public List<Step> steps(Plan plan) {
        return List.of(
                new Step("latency: jipc pipe echo 64 B", Duration.ofSeconds(1), (p, log) -> {
                    List<String> command = Peers.javaCommand(Echo.class, p.jvmOptions());
                    log.println("peer: " + String.join(" ", command));
                    return List.of(roundTrips("jipc", command, p));
                }),
                new Step("latency: C pipe echo 64 B", Duration.ofMillis(200), (p, log) -> {
                    log.println("peer: cat");
                    return List.of(roundTrips("C", List.of("cat"), p));
                }),
                new Step("compile the C baselines from the jar", Duration.ofSeconds(1), (p, log) -> {
                    Path dir = Files.createTempDirectory("jipc-bench-fixture-");
                    try {
                        CProgram program = CProgram.compile("channel_bench", dir, "jipc_channel.c", "jipc_channel.h",
                                "jipc_live.c", "jipc_live.h");
                        log.println(String.join(" ", program.compileCommand()));
                    } finally {
                        Peers.deleteTree(dir);
                    }
                    return List.of();
                }));
    }

    /** A benchmark whose only step fails. */
    public static final class Broken implements Benchmark {
        @Override
        public String id() {
            return "fixture-broken";
        }

        @Override
        public List<Step> steps(Plan plan) {
            return List.of(new Step("broken on purpose", Duration.ofMillis(10), (p, log) -> {
                throw new IOException("this step always fails");
            }));
        }
    }

    /** A benchmark whose first step is quick and whose second would take a minute (for stopping a run). */
    public static final class Slow implements Benchmark {
        @Override
        public String id() {
            return "fixture-slow";
        }

        @Override
        public List<Step> steps(Plan plan) {
            return List.of(new Step("latency: C pipe echo 64 B", Duration.ofMillis(200),
                    (p, log) -> List.of(roundTrips("C", List.of("cat"), p))),
                    new Step("a minute of nothing", Duration.ofMinutes(1), (p, log) -> {
                        Thread.sleep(60_000);
                        return List.of();
                    }));
        }
    }

    /** The Java echo peer: copies standard input to standard output, 64 bytes at a time, until end of input. */
    public static final class Echo {
        public static void main(String[] args) throws IOException {
            InputStream in = System.in;
            OutputStream out = new java.io.FileOutputStream(java.io.FileDescriptor.out);
            byte[] message = new byte[64];
            while (in.readNBytes(message, 0, message.length) == message.length) {
                out.write(message);
            }
        }
    }

    private static Result roundTrips(String implementation, List<String> peer, Plan plan) throws IOException,
            InterruptedException {
        Histogram histogram = new Histogram(3);
        try (Pipe toPeer = Pipe.open(); Pipe fromPeer = Pipe.open()) {
            ExitStatus status;
            try (ChildProcess child = Spawn.command(peer).fd(0, toPeer.source()).fd(1, fromPeer.sink()).start()) {
                toPeer.source().close();
                fromPeer.sink().close();
                ByteBuffer out = ByteBuffer.allocateDirect(64);
                ByteBuffer in = ByteBuffer.allocateDirect(64);
                for (int i = 0; i < ROUNDS; i++) {
                    out.clear();
                    in.clear();
                    long start = System.nanoTime();
                    toPeer.sink().writeFully(out);
                    fromPeer.source().readFully(in);
                    histogram.recordValue(System.nanoTime() - start);
                }
                toPeer.sink().close();
                status = child.waitFor(Duration.ofSeconds(20)).orElseThrow(() -> new IOException("peer hangs"));
            }
            if (!status.success()) {
                throw new IOException("echo peer failed: " + status);
            }
        }
        return new Result("pipe echo", implementation, Result.Kind.LATENCY, 64, histogram.getTotalCount(),
                histogram.getValueAtPercentile(50), histogram.getValueAtPercentile(90),
                histogram.getValueAtPercentile(99), histogram.getValueAtPercentile(99.9), histogram.getMaxValue(),
                histogram.getMean(), List.of(), Double.NaN, Double.NaN, Double.NaN, Double.NaN, Double.NaN,
                plan.pinning(), "");
    }
}
