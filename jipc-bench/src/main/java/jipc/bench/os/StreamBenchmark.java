package jipc.bench.os;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

import jipc.bench.CProgram;
import jipc.bench.OnVirtualThread;
import jipc.bench.Peers;
import jipc.bench.Pin;
import jipc.bench.suite.Benchmark;
import jipc.bench.suite.Plan;
import jipc.bench.suite.Result;
import jipc.bench.suite.Step;
import jipc.fifo.Fifo;
import jipc.pipe.Pipe;
import jipc.process.ChildProcess;
import jipc.process.ExitStatus;
import jipc.process.Spawn;

import org.HdrHistogram.Histogram;

/**
 * The operating system's byte streams measured between two processes, each beside a C program doing the same with
 * plain {@code read(2)}/{@code write(2)} in the same run: one {@link Step} per stream and implementation, in which
 * one pair of processes (two JVMs running {@link StreamPeer}, or two {@code os_stream} C processes) runs every
 * latency size and then every throughput size of the {@link Plan}.
 *
 * <ul>
 *   <li>Latency: side a writes a message, side b reads all of it and writes it back, side a reads all of it; side a
 *       times each round trip with the monotonic clock; percentiles from an HdrHistogram (3 digits).</li>
 *   <li>Throughput: side a writes messages back to back, side b reads them (at most the rest of the current
 *       message per read), checks each one's sequence number and the byte count, and times the measured ones;
 *       both report the CPU time (user + system) of their whole process over the measured part.</li>
 * </ul>
 * Pipes are made by this harness ({@code pipe2}) and handed to both peers at fds 3 and 4; FIFOs are made here and
 * opened by name by the peers; both get a capacity of {@value #PIPE_CAPACITY} bytes in each direction, C and Java
 * alike. Subclasses choose the streams: {@link PipeBenchmark} (pipe, FIFO: jipc vs C) and {@link SocketBenchmark}
 * (UNIX domain and TCP loopback stream sockets: JDK vs C). The pipe has a third step between jipc's and C's:
 * {@code "pipe (virtual thread)"}, jipc's peers with their loop on a virtual thread
 * ({@link Peer#JAVA_ON_VIRTUAL_THREAD}), round trips only.
 */
public abstract sealed class StreamBenchmark implements Benchmark permits PipeBenchmark, SocketBenchmark {
    /** The capacity of every pipe and FIFO of the run, each direction ({@code F_SETPIPE_SZ}; Linux's default max). */
    public static final int PIPE_CAPACITY = 1 << 20;
    /**
     * Latency rounds (and warm-up) at 64 KiB and above are this fraction of the others: a round trip there moves
     * 128 KiB and costs several times more.
     */
    static final int LARGE_ROUNDS_DIVISOR = 10;
    /** Messages at and above this size get the reduced latency rounds. */
    static final int LARGE_MESSAGE = 65536;
    /**
     * The most throughput messages per size (the plan's bytes at 64 B would take minutes: a message costs a system
     * call or two, about a microsecond each here).
     */
    static final long QUICK_MAX_MESSAGES = 50_000;
    static final long FULL_MAX_MESSAGES = 1_000_000;
    /** Percentiles of the curve each latency result carries for plots. */
    static final double[] CURVE = {0, 10, 20, 30, 40, 50, 60, 70, 80, 90, 95, 99, 99.5, 99.9, 99.95, 99.99, 100};

    private static final String C_PROGRAM = "os_stream";

    private final List<Stream> streams;

    StreamBenchmark(List<Stream> streams) {
        this.streams = List.copyOf(streams);
    }

    /** Who runs a step's two processes. */
    enum Peer {
        /** Two JVMs running {@link StreamPeer} on their main (platform) threads. */
        JAVA,
        /**
         * Two JVMs running {@link StreamPeer} on a virtual thread ({@link OnVirtualThread}): a read or write that
         * would block parks it, and jipc's poller thread unparks it. Round trips only, and for the pipe only: the
         * figure is the cost of parking beside {@link #JAVA}'s.
         */
        JAVA_ON_VIRTUAL_THREAD,
        /** Two {@code os_stream} C processes. */
        C;

        boolean java() {
            return this != C;
        }

        /** Whether this peer measures throughput too (else only round trips). */
        boolean throughput() {
            return this != JAVA_ON_VIRTUAL_THREAD;
        }
    }

    @Override
    public List<Step> steps(Plan plan) {
        CBuild build = new CBuild();
        List<Step> steps = new ArrayList<>();
        for (Stream stream : streams) {
            if (stream == Stream.TCP_LOOPBACK && plan.quickDefaults()) {
                // Only adds rows (no goal): the quick run's sockets are the UNIX ones, the nearest alternative to a
                // pipe and the transport rpc's paired step compares against; TCP loopback is --full's.
                continue;
            }
            List<Peer> peers = stream == Stream.PIPE ? List.of(Peer.JAVA, Peer.JAVA_ON_VIRTUAL_THREAD, Peer.C)
                    : List.of(Peer.JAVA, Peer.C);
            for (Peer peer : peers) {
                if (peer == Peer.JAVA_ON_VIRTUAL_THREAD && plan.roundTripSizes().isEmpty()) {
                    continue; // it measures round trips only
                }
                steps.add(new Step(implementation(stream, peer) + " " + mechanism(stream, peer)
                        + (peer.throughput() ? " (latency, throughput)" : " (latency)"),
                        estimate(plan, stream, peer),
                        (p, log) -> measure(p, log, stream, peer, build)));
            }
        }
        if (streams.contains(Stream.PIPE) && streams.contains(Stream.FIFO)) {
            steps.addAll(StreamPaired.steps(plan, build));
        }
        // The compiled C program lives in a temporary directory that the last step removes.
        Step last = steps.removeLast();
        if (last.body() instanceof Step.PairedBody paired) {
            steps.add(new Step(last.name(), last.estimate(), (Step.PairedBody) (p, log) -> {
                try {
                    return paired.measure(p, log);
                } finally {
                    build.delete();
                }
            }));
        } else {
            steps.add(new Step(last.name(), last.estimate(), (p, log) -> {
                try {
                    return last.body().run(p, log);
                } finally {
                    build.delete();
                }
            }));
        }
        return steps;
    }

    // ---- what a plan asks for -------------------------------------------------------------------------------

    /**
     * Measured round trips at {@code size}: the plan's (half of them in a quick run: a system-call round trip costs
     * ten to twenty times a shared-memory one, for which the quick plan is sized), a tenth of that at 64 KiB.
     */
    static long latencyRounds(Plan plan, int size) {
        long rounds = plan.quick() ? plan.rounds() / 2 : plan.rounds();
        return Math.max(1, size >= LARGE_MESSAGE ? rounds / LARGE_ROUNDS_DIVISOR : rounds);
    }

    /** Warm-up round trips at {@code size}: a quarter of the plan's in a quick run, half in a full one. */
    static long latencyWarmup(Plan plan, int size) {
        long warmup = plan.quick() ? plan.warmupRounds() / 4 : plan.warmupRounds() / 2;
        return size >= LARGE_MESSAGE ? warmup / LARGE_ROUNDS_DIVISOR : warmup;
    }

    /**
     * Pipe and FIFO throughput at {@value #LARGE_MESSAGE} bytes and above: at least this many measured messages and
     * as many warm-up ones (1 GiB each at 64 KiB), in the quick run too. The quick plan's byte budget gave 1 024
     * measured messages after 256 warm-up ones: the Java peers were still being compiled (jipc pipe CPU per 64 KiB
     * message 96 us against C's 34 us there; 33 against 25 in a full run).
     */
    static final long MIN_LARGE_PIPE_MESSAGES = 16_384;

    static long throughputMessages(Plan plan, int size) {
        long max = plan.quick() ? QUICK_MAX_MESSAGES : FULL_MAX_MESSAGES;
        return Math.max(1, Math.min(plan.throughputBytes() / size, max));
    }

    /** The measured messages of {@code stream} at {@code size}: {@link #throughputMessages}, more for large pipes. */
    static long throughputMessages(Plan plan, Stream stream, int size) {
        long messages = throughputMessages(plan, size);
        return largePipe(plan, stream, size) ? Math.max(messages, MIN_LARGE_PIPE_MESSAGES) : messages;
    }

    static long throughputWarmup(Plan plan, Stream stream, int size) {
        long warmup = throughputMessages(plan, stream, size) / 4;
        return largePipe(plan, stream, size) ? Math.max(warmup, MIN_LARGE_PIPE_MESSAGES) : warmup;
    }

    /** Large messages on a pipe or FIFO, unless the plan is a smoke test's (a byte budget under 16 MiB). */
    private static boolean largePipe(Plan plan, Stream stream, int size) {
        return stream.isPipe() && size >= LARGE_MESSAGE && plan.throughputBytes() >= (16L << 20);
    }

    static String implementation(Stream stream, Peer peer) {
        return peer.java() ? stream.javaImplementation : "C";
    }

    /** The mechanism of {@code peer}'s rows: the stream's, with {@link Result#VIRTUAL_THREAD} on a virtual thread. */
    static String mechanism(Stream stream, Peer peer) {
        return stream.mechanism + (peer == Peer.JAVA_ON_VIRTUAL_THREAD ? Result.VIRTUAL_THREAD : "");
    }

    /**
     * The throughput sizes {@code peer} measures on {@code stream}: the plan's, or none; in a quick run a pipe or FIFO
     * leaves {@value StreamPaired#SIZE} bytes to the paired step ({@link StreamPaired}), whose rows stand in for
     * this step's there (the same two processes per row, 16 384 messages of 64 KiB measured, warmed until stable).
     */
    static List<Integer> throughputSizes(Plan plan, Stream stream, Peer peer) {
        if (!peer.throughput()) {
            return List.of();
        }
        if (plan.quick() && stream.isPipe()) {
            return plan.throughputSizes().stream().filter(size -> size != StreamPaired.SIZE).toList();
        }
        return plan.throughputSizes();
    }

    /** The peers' item arguments: every latency size, then every throughput size {@code peer} measures. */
    static List<String> items(Plan plan, Stream stream, Peer peer) {
        List<String> items = new ArrayList<>();
        if (stream == Stream.FIFO) {
            items.add("pipesize:" + PIPE_CAPACITY);
        }
        for (int size : plan.roundTripSizes()) {
            items.add("lat:" + size + ":" + latencyWarmup(plan, size) + ":" + latencyRounds(plan, size));
        }
        for (int size : throughputSizes(plan, stream, peer)) {
            items.add("tp:" + size + ":" + throughputWarmup(plan, stream, size) + ":"
                    + throughputMessages(plan, stream, size));
        }
        return items;
    }

    /**
     * A 2-core estimate: start-up (two JVMs, or two C processes and a gcc), then round trips of about 25 us (64 KiB:
     * 100 us), then throughput at about 3 us per message plus 0.5 ns per byte (sockets: 1 ns).
     */
    static Duration estimate(Plan plan, Stream stream, Peer peer) {
        double seconds = peer.java() ? 0.8 : 0.25;
        for (int size : plan.roundTripSizes()) {
            double roundTrip = size >= LARGE_MESSAGE ? 100e-6 : 25e-6;
            seconds += (latencyWarmup(plan, size) + latencyRounds(plan, size)) * roundTrip;
        }
        double perByte = stream.isPipe() ? 0.5e-9 : 1e-9;
        for (int size : throughputSizes(plan, stream, peer)) {
            long messages = throughputWarmup(plan, stream, size) + throughputMessages(plan, stream, size);
            seconds += messages * (3e-6 + size * perByte);
        }
        return Duration.ofMillis((long) (seconds * 1000));
    }

    // ---- one step: one pair of processes -------------------------------------------------------------------

    private static List<Result> measure(Plan plan, PrintStream log, Stream stream, Peer peer, CBuild build)
            throws IOException, InterruptedException {
        String implementation = implementation(stream, peer);
        String mechanism = mechanism(stream, peer);
        Pin requested = plan.pin() == null ? null : new Pin(plan.pin()[0], plan.pin()[1]);
        Pin pin = Peers.pinning(requested, log);
        String pinning = pin == null ? "none" : "cpu " + pin.cpuA() + "," + pin.cpuB();
        List<String> program = switch (peer) {
            case JAVA -> Peers.javaCommand(StreamPeer.class, plan.jvmOptions());
            case JAVA_ON_VIRTUAL_THREAD -> Peers.virtualThreadCommand(StreamPeer.class, plan.jvmOptions());
            case C -> List.of(build.program(log).executable().toString());
        };
        Path work = Files.createTempDirectory("jipc-bench-os-");
        try {
            String endpoint = switch (stream) {
                case PIPE -> "-";
                case FIFO -> work.toString();
                case UNIX_SOCKET -> work.resolve("s.sock").toString();
                case TCP_LOOPBACK -> work.resolve("port").toString();
            };
            List<String> items = items(plan, stream, peer);
            // The virtual-thread row: side a (it measures) stays on a platform thread, side b echoes on a virtual one.
            List<String> programA = peer == Peer.JAVA_ON_VIRTUAL_THREAD
                    ? Peers.javaCommand(StreamPeer.class, plan.jvmOptions()) : program;
            List<String> sideA = command(programA, stream, endpoint, "a", work, items);
            List<String> sideB = command(program, stream, endpoint, "b", work, items);
            log.println("  " + implementation + " " + mechanism + ": " + String.join(" ", sideA));
            Duration limit = estimate(plan, stream, peer).multipliedBy(10).plusSeconds(60);
            String capacity = "";
            if (stream == Stream.PIPE) {
                try (Pipe ab = Pipe.open(); Pipe ba = Pipe.open()) {
                    int abCapacity = ab.setCapacity(PIPE_CAPACITY);
                    int baCapacity = ba.setCapacity(PIPE_CAPACITY);
                    capacity = capacityNote(abCapacity, baCapacity) + ", pipe2 by the harness at fds 3/4";
                    runPair(implementation + " " + mechanism,
                            Spawn.command(Peers.pinned(pin, false, sideB)).fd(3, ab.source()).fd(4, ba.sink()),
                            Spawn.command(Peers.pinned(pin, true, sideA)).fd(3, ba.source()).fd(4, ab.sink()),
                            limit);
                }
            } else {
                if (stream == Stream.FIFO) {
                    Fifo.create(work.resolve("ab"));
                    Fifo.create(work.resolve("ba"));
                    capacity = "FIFO capacity " + PIPE_CAPACITY / 1024 + " KiB each way (F_SETPIPE_SZ by each writer)";
                } else {
                    capacity = "default socket buffers" + (stream == Stream.TCP_LOOPBACK ? ", TCP_NODELAY" : "");
                }
                runPair(implementation + " " + mechanism, Spawn.command(Peers.pinned(pin, false, sideB)),
                        Spawn.command(Peers.pinned(pin, true, sideA)), limit);
            }
            List<Result> results = new ArrayList<>();
            if (peer == Peer.JAVA_ON_VIRTUAL_THREAD) {
                capacity += "; the echoing side b's loop on a virtual thread (jipc.bench.OnVirtualThread; side a,"
                        + " which measures, on a platform thread): a read or write that finds the pipe empty or full parks it, the jipc-fd-poller thread (epoll) unparks it";
            }
            for (int size : plan.roundTripSizes()) {
                results.add(latencyResult(plan, mechanism, implementation, size, pinning, capacity, work));
            }
            for (int size : throughputSizes(plan, stream, peer)) {
                results.add(throughputResult(plan, stream, implementation, size, pinning, capacity, work));
            }
            return results;
        } finally {
            Peers.deleteTree(work);
        }
    }

    private static String capacityNote(int ab, int ba) {
        return ab == ba ? "pipe capacity " + ab / 1024 + " KiB each way"
                : "pipe capacity " + ab / 1024 + " KiB a->b, " + ba / 1024 + " KiB b->a";
    }

    private static List<String> command(List<String> program, Stream stream, String endpoint, String side,
            Path work, List<String> items) {
        List<String> command = new ArrayList<>(program);
        command.addAll(List.of(stream.transport, endpoint, side, work.toString()));
        command.addAll(items);
        return command;
    }

    /**
     * Starts side b, then side a, with stdin from /dev/null, and waits for both to succeed.
     *
     * @throws IOException if a side fails or the pair outlives {@code limit} (both are killed then)
     */
    static void runPair(String name, Spawn sideB, Spawn sideA, Duration limit) throws IOException,
            InterruptedException {
        long deadline = System.nanoTime() + limit.toNanos();
        try (ChildProcess b = sideB.nullFd(0).start(); ChildProcess a = sideA.nullFd(0).start()) {
            while (a.exitStatus().isEmpty() || b.exitStatus().isEmpty()) {
                for (ChildProcess side : List.of(a, b)) {
                    Optional<ExitStatus> status = side.waitFor(side == a ? Duration.ofMillis(50) : Duration.ZERO);
                    if (status.isPresent() && !status.get().success()) {
                        throw new IOException(name + " side " + (side == a ? "a" : "b") + " failed: "
                                + status.get() + " (" + side + ")");
                    }
                }
                if (System.nanoTime() - deadline > 0) {
                    throw new IOException(name + " pair did not finish in " + limit.toSeconds() + " s");
                }
                if (Thread.interrupted()) {
                    throw new InterruptedException(name + " pair interrupted");
                }
            }
        }
    }

    // ---- results ---------------------------------------------------------------------------------------------

    private static Result latencyResult(Plan plan, String mechanism, String implementation, int size,
            String pinning, String capacity, Path work) throws IOException {
        long rounds = latencyRounds(plan, size);
        Histogram h = Peers.readSamples(work.resolve("lat-" + size + ".samples"), Math.toIntExact(rounds));
        List<Result.Point> curve = new ArrayList<>();
        for (double percentile : CURVE) {
            curve.add(new Result.Point(percentile, percentile == 100 ? h.getMaxValue()
                    : percentile == 0 ? h.getMinValue() : h.getValueAtPercentile(percentile)));
        }
        String note = capacity + "; " + rounds + " round trips after " + latencyWarmup(plan, size) + " warm-up"
                + (size >= LARGE_MESSAGE ? " (1/" + LARGE_ROUNDS_DIVISOR + " of the smaller sizes')" : "");
        return new Result(mechanism, implementation, Result.Kind.LATENCY, size, h.getTotalCount(),
                h.getValueAtPercentile(50), h.getValueAtPercentile(90), h.getValueAtPercentile(99),
                h.getValueAtPercentile(99.9), h.getMaxValue(), h.getMean(), curve, Double.NaN, Double.NaN,
                Double.NaN, Double.NaN, Double.NaN, pinning, note);
    }

    private static Result throughputResult(Plan plan, Stream stream, String implementation, int size,
            String pinning, String capacity, Path work) throws IOException {
        long[] writer = numbers(work.resolve("tp-" + size + ".a"), 2);
        long[] reader = numbers(work.resolve("tp-" + size + ".b"), 4);
        long messages = reader[0];
        long expected = throughputMessages(plan, stream, size);
        if (messages != expected || writer[0] != expected || reader[1] != expected * size) {
            throw new IOException(implementation + " " + stream.mechanism + " " + size + " B: reader counted "
                    + messages + " messages and " + reader[1] + " bytes, writer " + writer[0] + ", expected "
                    + expected + " of " + size + " B");
        }
        double seconds = reader[2] / 1e9;
        String note = capacity + "; " + messages + " messages after " + throughputWarmup(plan, stream, size)
                + " warm-up, reads of at most the rest of a message, sequence numbers checked; CPU = whole process";
        return new Result(stream.mechanism, implementation, Result.Kind.THROUGHPUT, size, messages, Double.NaN,
                Double.NaN, Double.NaN, Double.NaN, Double.NaN, Double.NaN, List.of(), messages / seconds,
                reader[1] / seconds, (double) writer[1] / messages, (double) reader[3] / messages, Double.NaN,
                pinning, note);
    }

    /** The {@code count} numbers of the one line a peer wrote to {@code file}. */
    private static long[] numbers(Path file, int count) throws IOException {
        if (!Files.exists(file)) {
            throw new IOException("the peer wrote no " + file.getFileName());
        }
        String[] fields = Files.readString(file).strip().split(" ");
        if (fields.length != count) {
            throw new IOException(file.getFileName() + ": expected " + count + " numbers: " + String.join(" ",
                    fields));
        }
        long[] values = new long[count];
        for (int i = 0; i < count; i++) {
            values[i] = Long.parseLong(fields[i]);
        }
        return values;
    }

    /**
     * The C program, compiled by the first C step that needs it and removed after the last step, or when the JVM exits
     * if the last step does not run (a {@code --steps} filter that leaves it out, an interrupted run).
     */
    static final class CBuild {
        private Path directory;
        private CProgram program;
        private Thread atExit;

        synchronized CProgram program(PrintStream log) throws IOException, InterruptedException {
            if (program == null) {
                directory = Files.createTempDirectory("jipc-bench-os-c-");
                Path created = directory;
                atExit = new Thread(() -> {
                    try {
                        Peers.deleteTree(created);
                    } catch (IOException e) {
                        // the JVM is exiting: a temporary directory left behind is all that can go wrong
                    }
                }, "jipc-bench-os-c-cleanup");
                Runtime.getRuntime().addShutdownHook(atExit);
                program = CProgram.compile(C_PROGRAM, directory);
                log.println("  C peers: " + program.compiler() + ": " + String.join(" ", program.compileCommand()));
            }
            return program;
        }

        synchronized void delete() throws IOException {
            if (directory != null) {
                Peers.deleteTree(directory);
                directory = null;
                program = null;
                try {
                    Runtime.getRuntime().removeShutdownHook(atExit);
                } catch (IllegalStateException e) {
                    // the JVM is already exiting; the hook finds nothing left to delete
                }
                atExit = null;
            }
        }
    }
}
