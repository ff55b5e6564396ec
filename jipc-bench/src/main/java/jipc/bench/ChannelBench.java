package jipc.bench;

import java.io.IOException;
import java.io.PrintStream;
import java.util.ArrayList;
import java.util.List;

import jipc.bench.channel.ChannelPairs;
import jipc.bench.channel.ChannelPairs.Peer;
import jipc.channel.OneToOneChannel;

/**
 * The channel benchmarks: {@code channel-pingpong} (round-trip latency over two one-producer channels, a to b and b
 * to a) and {@code channel-throughput} (one producer process, one consumer process), each for Java
 * ({@link ChannelPeer}: {@link OneToOneChannel}) beside C ({@code channel_bench.c} with {@code jipc_channel.c}, the
 * C twin of the channel, compiled with gcc at run time) and a physical limit, all in one run so that the ratios are
 * fair on a noisy machine.
 *
 * <p>The pairs themselves are run by {@link ChannelPairs} (shared with the suite's
 * {@link jipc.bench.channel.ChannelBenchmark}): a fresh memfd per pair (at fd 3 in both peers) into which this JVM
 * writes the channel headers with {@link OneToOneChannel#create}, processes launched and pinned by {@link Peers}.
 * This class adds the command-line options and the tables: ping-pong round trips in an HdrHistogram (3 significant
 * digits, {@link LatencyTable}); throughput timed by the consumer over a fixed byte budget after a warm-up, with each
 * side's CPU time ({@code CLOCK_PROCESS_CPUTIME_ID}) over the measured messages.
 */
public final class ChannelBench {
    /** Ring capacity of every channel: 1 MiB, so a 64 KiB message fits (a message may be an eighth of the ring). */
    static final long CAPACITY = ChannelPairs.MIN_CAPACITY;

    private static final List<String> STRATEGIES = List.of("spin", "hybrid", "futex");

    /** The ping-pong histograms of one message size, by row name. */
    record LatencyResult(int size, List<LatencyTable.Row> rows) {
    }

    /** One named throughput measurement. */
    record Throughput(String name, ChannelPairs.Throughput measured) {
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
        ChannelPairs setup = setup(options, out);
        try {
            out.println("Channel ping-pong: 2 processes, 2 one-producer channels (a->b, b->a) of " + CAPACITY
                    + " bytes each in a shared memfd; side a times each round trip (send, then wait for the echo)");
            out.println("  rounds: " + options.rounds() + " measured after " + options.warmup()
                    + " warm-up, per pair and size; sizes: " + options.sizes());
            out.println("  wait strategies: spin = WaitStrategy.busySpin() / C re-check with pause; hybrid ="
                    + " WaitStrategy.hybrid() (1000 spins, then futex) / the same in C; futex = WaitStrategy.futex()"
                    + " / jipc_channel_wait_message at once");
            out.println("  floor: C spin-flag ping-pong (payload memcpy into shared memory, release-store of a"
                    + " sequence word, acquire-spin on it)");
            List<LatencyResult> results = new ArrayList<>();
            for (int size : options.sizes()) {
                List<LatencyTable.Row> rows = new ArrayList<>();
                for (Peer peer : List.of(Peer.JIPC, Peer.C)) {
                    for (String strategy : STRATEGIES) {
                        String name = (peer == Peer.JIPC ? "jipc " : "C twin ") + strategy;
                        long started = starting(out, name);
                        rows.add(new LatencyTable.Row(name, setup.pingPong(peer, strategy, size, options.warmup(),
                                options.rounds())));
                        done(out, started);
                    }
                }
                long started = starting(out, "C spin flag (floor)");
                rows.add(new LatencyTable.Row("C spin flag (floor)", setup.floor("spin", size, options.warmup(),
                        options.rounds())));
                done(out, started);
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
            setup.deleteFiles();
        }
    }

    private static long starting(PrintStream out, String name) {
        out.print("  running " + name + " ... ");
        out.flush();
        return System.nanoTime();
    }

    private static void done(PrintStream out, long started) {
        out.printf("%.1f s%n", (System.nanoTime() - started) / 1e9);
    }

    // ---- throughput -------------------------------------------------------------------------------------------

    /** Runs Java, C twin and memcpy for every size, prints the table, and returns the measurements. */
    static List<Throughput> throughput(ChannelOptions options, PrintStream out)
            throws IOException, InterruptedException {
        ChannelPairs setup = setup(options, out);
        try {
            out.println("Channel throughput: 1 producer process -> 1 consumer process over a one-producer channel"
                    + " of " + CAPACITY + " bytes in a shared memfd; both wait with hybrid (the default strategy)");
            out.println("  per pair and size: " + (options.bytes() < 0 ? ChannelOptions.DEFAULT_BYTES
                    + " payload bytes (at least " + ChannelOptions.MIN_MESSAGES + " messages)"
                    : options.bytes() + " payload bytes") + " measured after a warm-up"
                    + (options.warmup() >= 0 ? " of " + options.warmup() + " messages"
                            : " of a quarter as many messages (at least " + ChannelOptions.MIN_WARMUP_MESSAGES + ")")
                    + "; sizes: " + options.sizes());
            out.println("  timed by the consumer; CPU = CLOCK_PROCESS_CPUTIME_ID of each side (whole process) over"
                    + " the measured messages");
            out.println("  limit: C memcpy of each message into the ring area of a shared memfd by one process");
            List<Throughput> results = new ArrayList<>();
            for (int size : options.sizes()) {
                long count = options.count(size);
                long warmup = options.warmupMessages(size);
                String name = "jipc (Java -> Java)";
                long started = starting(out, name + " " + size + " B");
                results.add(new Throughput(name, setup.throughput(Peer.JIPC, "hybrid", size, warmup, count)));
                done(out, started);
                name = "C twin (C -> C)";
                started = starting(out, name + " " + size + " B");
                results.add(new Throughput(name, setup.throughput(Peer.C, "hybrid", size, warmup, count)));
                done(out, started);
                started = starting(out, "C memcpy " + size + " B");
                results.add(new Throughput("C memcpy (limit)", setup.memcpy(size, warmup, count)));
                done(out, started);
            }
            out.println();
            printThroughput(out, results);
            return results;
        } finally {
            setup.deleteFiles();
        }
    }

    /** One row per measurement, then per size the ratios jipc / C twin, jipc / memcpy, C twin / memcpy. */
    static void printThroughput(PrintStream out, List<Throughput> results) {
        String format = "%-24s%9s%12s%14s%12s%14s%14s%n";
        out.printf(format, "throughput", "size B", "messages", "messages/s", "MB/s", "prod CPU ns/m",
                "cons CPU ns/m");
        for (Throughput named : results) {
            ChannelPairs.Throughput t = named.measured();
            out.printf(format, named.name(), t.size(), t.messages(), String.format("%.0f", t.messagesPerSecond()),
                    String.format("%.0f", t.bytesPerSecond() / 1e6), cpu(t.producerCpuPerMessage()),
                    cpu(t.consumerCpuPerMessage()));
        }
        for (int i = 0; i + 2 < results.size(); i += 3) {
            ChannelPairs.Throughput jipc = results.get(i).measured();
            ChannelPairs.Throughput c = results.get(i + 1).measured();
            ChannelPairs.Throughput limit = results.get(i + 2).measured();
            ratio(out, format, "jipc / C twin", jipc, c);
            ratio(out, format, "jipc / C memcpy", jipc, limit);
            ratio(out, format, "C twin / C memcpy", c, limit);
        }
    }

    private static void ratio(PrintStream out, String format, String name, ChannelPairs.Throughput a,
            ChannelPairs.Throughput b) {
        double rate = a.messagesPerSecond() / b.messagesPerSecond();
        double producer = a.producerCpuPerMessage() / b.producerCpuPerMessage();
        double consumer = a.consumerCpuPerMessage() / b.consumerCpuPerMessage();
        out.printf(format, name, a.size(), "", String.format("%.2f", rate), String.format("%.2f", rate),
                Double.isFinite(producer) ? String.format("%.2f", producer) : "-",
                Double.isFinite(consumer) ? String.format("%.2f", consumer) : "-");
    }

    private static String cpu(double nanos) {
        return Double.isNaN(nanos) ? "-" : String.format("%.0f", nanos);
    }

    // ---- setup --------------------------------------------------------------------------------------------------

    private static ChannelPairs setup(ChannelOptions options, PrintStream out)
            throws IOException, InterruptedException {
        out.println("  machine: " + Machine.describe());
        Pin pin = Peers.pinning(options.pin(), out);
        return ChannelPairs.open(pin, options.jvmOptions(), out);
    }
}
