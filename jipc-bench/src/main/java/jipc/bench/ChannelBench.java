package jipc.bench;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

import jipc.channel.ChannelDescriptor;
import jipc.channel.OneToOneChannel;
import jipc.process.ChildProcess;
import jipc.process.ExitStatus;
import jipc.process.Spawn;
import jipc.shm.Mapping;
import jipc.shm.Memfd;

import org.HdrHistogram.Histogram;

/**
 * The channel benchmarks: {@code channel-pingpong} (round-trip latency over two one-producer channels, a to b and b
 * to a) and {@code channel-throughput} (one producer process, one consumer process), each for Java
 * ({@link ChannelPeer}: {@link OneToOneChannel}) beside C ({@code channel_bench.c} with {@code jipc_channel.c}, the
 * C twin of the channel, compiled with gcc at run time) and a physical limit, all in one run so that the ratios are
 * fair on a noisy machine.
 *
 * <p>Every pair runs in a fresh memfd (at fd 3 in both peers) into which this JVM writes the channel headers with
 * {@link OneToOneChannel#create}; the peers only attach. Processes are launched and pinned by {@link Peers}, as in the
 * hand-off harness. Ping-pong round trips go into an HdrHistogram (3 significant digits, {@link LatencyTable});
 * throughput is timed by the consumer over a fixed byte budget after a warm-up, and each side reports its CPU time
 * (utime + stime from {@code /proc/self/stat}) over the measured messages.
 */
public final class ChannelBench {
    /** Ring capacity of every channel: 1 MiB, so a 64 KiB message fits (a message may be an eighth of the ring). */
    static final long CAPACITY = 1L << 20;
    /** Kernel clock ticks per second of utime/stime in /proc/PID/stat (USER_HZ, 100 on Linux). */
    static final long TICKS_PER_SECOND = 100;

    private static final String C_PROGRAM = "channel_bench";
    private static final String[] C_TWIN = {"jipc_channel.c", "jipc_channel.h"};
    private static final List<String> STRATEGIES = List.of("spin", "hybrid", "futex");

    /** The ping-pong histograms of one message size, by row name. */
    record LatencyResult(int size, List<LatencyTable.Row> rows) {
    }

    /**
     * One throughput measurement: the consumer's count and time, and each side's CPU ticks.
     *
     * @param producerTicks the producer's CPU ticks ({@code -1} for the single-process memcpy line)
     */
    record Throughput(String name, int size, long messages, long elapsedNanos, long producerTicks,
            long consumerTicks) {
        double messagesPerSecond() {
            return messages * 1e9 / elapsedNanos;
        }

        double megabytesPerSecond() {
            return messagesPerSecond() * size / 1e6;
        }

        /** CPU nanoseconds per message for {@code ticks}, or NaN for none. */
        double cpuNanosPerMessage(long ticks) {
            return ticks < 0 ? Double.NaN : ticks * (1e9 / TICKS_PER_SECOND) / messages;
        }
    }

    private ChannelBench() {
    }

    /** Runs a mode from the command line; returns the exit code: 0, 64 for bad usage, 74 when a run fails. */
    static int main(boolean throughput, String[] args, PrintStream out, PrintStream err)
            throws IOException, InterruptedException {
        String mode = throughput ? "channel-throughput" : "channel-pingpong";
        ChannelOptions options;
        try {
            options = ChannelOptions.parse(throughput, args);
        } catch (IllegalArgumentException e) {
            err.println(mode + ": " + e.getMessage());
            err.println(ChannelOptions.USAGE);
            return 64;
        }
        try {
            if (throughput) {
                throughput(options, out);
            } else {
                pingPong(options, out);
            }
            return 0;
        } catch (IOException e) {
            out.println();
            err.println(mode + ": " + e.getMessage());
            return 74; // sysexits EX_IOERR: a peer, gcc or a system call failed
        }
    }

    // ---- ping-pong --------------------------------------------------------------------------------------------

    /** Runs every pair for every size, prints a table per size, and returns the histograms. */
    static List<LatencyResult> pingPong(ChannelOptions options, PrintStream out)
            throws IOException, InterruptedException {
        Path work = Files.createTempDirectory("jipc-bench-channel-");
        try {
            out.println("Channel ping-pong: 2 processes, 2 one-producer channels (a->b, b->a) of " + CAPACITY
                    + " bytes each in a shared memfd; side a times each round trip (send, then wait for the echo)");
            out.println("  rounds: " + options.rounds() + " measured after " + options.warmup()
                    + " warm-up, per pair and size; sizes: " + options.sizes());
            Setup setup = setup(options, work, out);
            out.println("  wait strategies: spin = WaitStrategy.busySpin() / C re-check with pause; hybrid ="
                    + " WaitStrategy.hybrid() (1000 spins, then futex) / the same in C; futex = WaitStrategy.futex()"
                    + " / jipc_channel_wait_message at once");
            out.println("  floor: C spin-flag ping-pong (payload memcpy into shared memory, release-store of a"
                    + " sequence word, acquire-spin on it)");
            List<LatencyResult> results = new ArrayList<>();
            for (int size : options.sizes()) {
                List<LatencyTable.Row> rows = new ArrayList<>();
                for (String strategy : STRATEGIES) {
                    rows.add(latencyPair(out, "jipc " + strategy, options, setup, work, true,
                            List.of("ping", "@", strategy, String.valueOf(size), String.valueOf(options.warmup()),
                                    String.valueOf(options.rounds()), String.valueOf(CAPACITY))));
                }
                for (String strategy : STRATEGIES) {
                    rows.add(latencyPair(out, "C twin " + strategy, options, setup, work, false,
                            List.of("ping", "@", strategy, String.valueOf(size), String.valueOf(options.warmup()),
                                    String.valueOf(options.rounds()), String.valueOf(CAPACITY))));
                }
                rows.add(latencyPair(out, "C spin flag (floor)", options, setup, work, false,
                        List.of("flag", "@", String.valueOf(size), String.valueOf(options.warmup()),
                                String.valueOf(options.rounds()))));
                List<LatencyTable.Ratio> ratios = new ArrayList<>();
                for (int i = 0; i < STRATEGIES.size(); i++) {
                    ratios.add(new LatencyTable.Ratio("jipc / C twin, " + STRATEGIES.get(i), rows.get(i),
                            rows.get(i + STRATEGIES.size())));
                }
                LatencyTable.Row floor = rows.get(rows.size() - 1);
                ratios.add(new LatencyTable.Ratio("jipc spin / C spin flag", rows.get(0), floor));
                ratios.add(new LatencyTable.Ratio("C twin spin / C spin flag", rows.get(STRATEGIES.size()), floor));
                out.println();
                LatencyTable.print(out, "round trip " + size + " B, ns  (" + options.rounds() + " rounds)", rows,
                        ratios);
                out.println();
                results.add(new LatencyResult(size, rows));
            }
            return results;
        } finally {
            Peers.deleteTree(work);
        }
    }

    /**
     * Runs one ping-pong pair: {@code arguments} with {@code "@"} standing for the side ({@code a} or {@code b});
     * side a also gets the samples file.
     */
    private static LatencyTable.Row latencyPair(PrintStream out, String name, ChannelOptions options, Setup setup,
            Path work, boolean java, List<String> arguments) throws IOException, InterruptedException {
        Path samples = work.resolve("samples");
        Files.deleteIfExists(samples);
        List<String> a = Peers.concat(setup.command(java), side(arguments, "a").toArray(String[]::new));
        a.add(samples.toString());
        List<String> b = Peers.concat(setup.command(java), side(arguments, "b").toArray(String[]::new));
        long total = options.warmup() + options.rounds();
        long channelSize = ChannelDescriptor.segmentSize(CAPACITY);
        out.print("  running " + name + " ... ");
        out.flush();
        long started = System.nanoTime();
        try (Memfd memfd = Memfd.create("jipc-bench-channel", 2 * channelSize); Mapping mapping = memfd.map()) {
            OneToOneChannel.create(mapping.segment().asSlice(0, channelSize), CAPACITY, ChannelOptions.MAX_SIZE);
            OneToOneChannel.create(mapping.segment().asSlice(channelSize, channelSize), CAPACITY,
                    ChannelOptions.MAX_SIZE);
            Peers.runPair(name, Peers.pinned(setup.pin(), true, a), Peers.pinned(setup.pin(), false, b), memfd,
                    Duration.ofSeconds(120).plusNanos(total * 500_000L));
        }
        out.printf("%.1f s%n", (System.nanoTime() - started) / 1e9);
        return new LatencyTable.Row(name, Peers.readSamples(samples, options.rounds()));
    }

    private static List<String> side(List<String> arguments, String side) {
        return arguments.stream().map(argument -> argument.equals("@") ? side : argument).toList();
    }

    // ---- throughput -------------------------------------------------------------------------------------------

    /** Runs Java, C twin and memcpy for every size, prints the table, and returns the measurements. */
    static List<Throughput> throughput(ChannelOptions options, PrintStream out)
            throws IOException, InterruptedException {
        Path work = Files.createTempDirectory("jipc-bench-channel-");
        try {
            out.println("Channel throughput: 1 producer process -> 1 consumer process over a one-producer channel"
                    + " of " + CAPACITY + " bytes in a shared memfd; both wait with hybrid (the default strategy)");
            out.println("  per pair and size: " + (options.bytes() < 0 ? ChannelOptions.DEFAULT_BYTES
                    + " payload bytes (at least " + ChannelOptions.MIN_MESSAGES + " messages)"
                    : options.bytes() + " payload bytes") + " measured after a warm-up"
                    + (options.warmup() >= 0 ? " of " + options.warmup() + " messages"
                            : " of a quarter as many messages (at least " + ChannelOptions.MIN_WARMUP_MESSAGES + ")")
                    + "; sizes: " + options.sizes());
            out.println("  timed by the consumer; CPU = utime + stime from /proc/self/stat of each side over the"
                    + " measured messages (" + (1000 / TICKS_PER_SECOND) + " ms ticks: coarse for runs under ~1 s)");
            out.println("  limit: C memcpy of each message into the ring area of a shared memfd by one process");
            Setup setup = setup(options, work, out);
            List<Throughput> results = new ArrayList<>();
            for (int size : options.sizes()) {
                long count = options.count(size);
                long warmup = options.warmupMessages(size);
                List<String> arguments = List.of("hybrid", String.valueOf(size), String.valueOf(warmup),
                        String.valueOf(count), String.valueOf(CAPACITY));
                results.add(throughputPair(out, "jipc (Java -> Java)", size, setup, work, true, arguments,
                        warmup + count));
                results.add(throughputPair(out, "C twin (C -> C)", size, setup, work, false, arguments,
                        warmup + count));
                results.add(memcpy(out, size, setup, work, warmup, count));
            }
            out.println();
            printThroughput(out, results);
            return results;
        } finally {
            Peers.deleteTree(work);
        }
    }

    private static Throughput throughputPair(PrintStream out, String name, int size, Setup setup, Path work,
            boolean java, List<String> arguments, long total) throws IOException, InterruptedException {
        Path sent = work.resolve("sent");
        Path received = work.resolve("received");
        Files.deleteIfExists(sent);
        Files.deleteIfExists(received);
        List<String> a = Peers.concat(setup.command(java), "send");
        a.addAll(arguments);
        a.add(sent.toString());
        List<String> b = Peers.concat(setup.command(java), "recv");
        b.addAll(arguments);
        b.add(received.toString());
        out.print("  running " + name + " " + size + " B ... ");
        out.flush();
        long started = System.nanoTime();
        long channelSize = ChannelDescriptor.segmentSize(CAPACITY);
        try (Memfd memfd = Memfd.create("jipc-bench-channel", channelSize); Mapping mapping = memfd.map()) {
            OneToOneChannel.create(mapping.segment(), CAPACITY, ChannelOptions.MAX_SIZE);
            Peers.runPair(name, Peers.pinned(setup.pin(), true, a), Peers.pinned(setup.pin(), false, b), memfd,
                    Duration.ofSeconds(120).plusNanos(total * 20_000L));
        }
        out.printf("%.1f s%n", (System.nanoTime() - started) / 1e9);
        long[] producer = readResult(sent);
        long[] consumer = readResult(received);
        return new Throughput(name, size, consumer[0], consumer[1], producer[2], consumer[2]);
    }

    /** The single-process C memcpy line: the bandwidth of copying each message into shared memory once. */
    private static Throughput memcpy(PrintStream out, int size, Setup setup, Path work, long warmup, long count)
            throws IOException, InterruptedException {
        Path result = work.resolve("memcpy");
        List<String> command = Peers.pinned(setup.pin(), true, Peers.concat(setup.c(), "memcpy",
                String.valueOf(size), String.valueOf(warmup), String.valueOf(count), String.valueOf(CAPACITY),
                result.toString()));
        out.print("  running C memcpy " + size + " B ... ");
        out.flush();
        long started = System.nanoTime();
        try (Memfd memfd = Memfd.create("jipc-bench-memcpy", ChannelDescriptor.segmentSize(CAPACITY));
             ChildProcess child = Spawn.command(command).nullFd(0).shareFd(Peers.SHM_FD, memfd).start()) {
            Optional<ExitStatus> status = child.waitFor(Duration.ofSeconds(120).plusNanos((warmup + count) * 20_000L));
            if (status.isEmpty() || !status.get().success()) {
                throw new IOException("C memcpy failed: " + status.map(String::valueOf).orElse("did not finish"));
            }
        }
        out.printf("%.1f s%n", (System.nanoTime() - started) / 1e9);
        long[] values = readResult(result);
        return new Throughput("C memcpy (limit)", size, values[0], values[1], -1, values[2]);
    }

    /** A result file: "MESSAGES ELAPSED_NS CPU_TICKS". */
    private static long[] readResult(Path file) throws IOException {
        String[] fields = Files.readString(file).strip().split(" ");
        if (fields.length != 3) {
            throw new IOException(file + ": expected MESSAGES ELAPSED_NS CPU_TICKS, got " + String.join(" ", fields));
        }
        long[] values = new long[3];
        for (int i = 0; i < 3; i++) {
            values[i] = Long.parseLong(fields[i]);
        }
        return values;
    }

    /** One row per measurement, then per size the ratios jipc / C twin, jipc / memcpy, C twin / memcpy. */
    static void printThroughput(PrintStream out, List<Throughput> results) {
        String format = "%-24s%9s%12s%14s%12s%14s%14s%n";
        out.printf(format, "throughput", "size B", "messages", "messages/s", "MB/s", "prod CPU ns/m",
                "cons CPU ns/m");
        for (Throughput t : results) {
            out.printf(format, t.name(), t.size(), t.messages(), String.format("%.0f", t.messagesPerSecond()),
                    String.format("%.0f", t.megabytesPerSecond()), cpu(t, t.producerTicks()),
                    cpu(t, t.consumerTicks()));
        }
        for (int i = 0; i + 2 < results.size(); i += 3) {
            Throughput jipc = results.get(i);
            Throughput c = results.get(i + 1);
            Throughput limit = results.get(i + 2);
            ratio(out, format, "jipc / C twin", jipc, c);
            ratio(out, format, "jipc / C memcpy", jipc, limit);
            ratio(out, format, "C twin / C memcpy", c, limit);
        }
    }

    private static void ratio(PrintStream out, String format, String name, Throughput a, Throughput b) {
        double rate = a.messagesPerSecond() / b.messagesPerSecond();
        double producer = a.cpuNanosPerMessage(a.producerTicks()) / b.cpuNanosPerMessage(b.producerTicks());
        double consumer = a.cpuNanosPerMessage(a.consumerTicks()) / b.cpuNanosPerMessage(b.consumerTicks());
        out.printf(format, name, a.size(), "", String.format("%.2f", rate), String.format("%.2f", rate),
                Double.isFinite(producer) ? String.format("%.2f", producer) : "-",
                Double.isFinite(consumer) ? String.format("%.2f", consumer) : "-");
    }

    private static String cpu(Throughput t, long ticks) {
        return ticks < 0 ? "-" : String.format("%.0f", t.cpuNanosPerMessage(ticks));
    }

    // ---- setup --------------------------------------------------------------------------------------------------

    /** The compiled C program, the Java peer command and the pinning of a run. */
    private record Setup(List<String> java, List<String> c, Pin pin) {
        List<String> command(boolean javaSide) {
            return javaSide ? java : c;
        }
    }

    private static Setup setup(ChannelOptions options, Path work, PrintStream out)
            throws IOException, InterruptedException {
        out.println("  machine: " + Machine.describe());
        Pin pin = Peers.pinning(options.pin(), out);
        CProgram c = CProgram.compile(C_PROGRAM, work, C_TWIN);
        List<String> java = Peers.javaCommand(ChannelPeer.class, options.jvmOptions());
        out.println("  Java peers: " + String.join(" ", java) + " ...");
        out.println("  C peers: " + c.compiler() + ": " + String.join(" ", c.compileCommand()));
        return new Setup(java, List.of(c.executable().toString()), pin);
    }
}
