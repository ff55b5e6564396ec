package jipc.bench.channel;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;

import jipc.bench.Crew;
import jipc.bench.Peers;
import jipc.bench.channel.ChannelPairs.Peer;
import jipc.bench.report.Figures;
import jipc.bench.suite.Paired;
import jipc.bench.suite.PairedRatio;
import jipc.bench.suite.Plan;
import jipc.bench.suite.Result;
import jipc.bench.suite.Step;
import jipc.bench.suite.Warmup;
import jipc.channel.ChannelDescriptor;
import jipc.channel.OneToOneChannel;
import jipc.shm.Mapping;
import jipc.shm.Memfd;

import org.HdrHistogram.Histogram;

/**
 * The channel goals of issue 16 as {@link Paired paired} ratios: every pair under comparison is started once as a
 * {@link Crew} (its processes kept alive, blocked on their control pipes between blocks) and all pairs of a step are
 * turned through block by block ({@link Paired#rotate}), so each block's ratio compares two pairs measured
 * milliseconds apart, in one speed state of the VM.
 *
 * <ul>
 *   <li>{@code "channel latency SIZE (paired)"}, per latency size: ping-pong of jipc spin / hybrid / futex
 *       ({@code ChannelPeer}), the C twin spin / hybrid / futex ({@code channel_bench.c}), Agrona spin
 *       ({@link AgronaPeer}), the C floors (shm spin flag, raw futex ping-pong) and jipc futex with the echoing
 *       side on a virtual thread. Ratios of the per-block p50s;
 *       p99 and p99.9 of jipc spin / Agrona from each side's samples pooled across blocks, with a bootstrap interval
 *       ({@link Paired#tailRatio}).</li>
 *   <li>{@code "channel throughput 64 B (paired)"}: jipc, the C twin (both hybrid), Agrona (spin), the C SPSC ring
 *       floor (64-byte slots, sequence in the slot, head published every 64 messages) and the one-process memcpy.</li>
 *   <li>{@code "channel throughput 64 KiB (paired)"}: jipc, the C twin and the one-process memcpy.</li>
 * </ul>
 * The steps also report the absolute rows of their jipc and C pairs (pooled over the measured blocks), in place of
 * the single-row steps of {@link ChannelBenchmark} at those sizes; Agrona's rows stay the {@code agrona} suite's
 * (but for the quick run with its own sizes, {@link Plan#quickDefaults}: there the paired steps report Agrona's 64 B
 * round-trip and throughput rows themselves and the {@code agrona} suite measures none, {@link AgronaBenchmark};
 * Agrona's 64 KiB throughput row, which checks no goal, stays the full run's, and the quick run's 64 KiB step starts
 * no Agrona pair). Each Java pair is warmed until the rates of two
 * consecutive warm-up blocks are within {@value #STABLE} of their median ({@link Warmup}, at most
 * {@link #maxWarmupBlocks} blocks; a note says which), and the Java pairs report the bytes their hot threads allocated
 * per message ({@code ThreadMXBean.getThreadAllocatedBytes}), as a paired "ratio" of figure {@value #ALLOCATED}.
 */
public final class ChannelPaired {
    /** The last two warm-up blocks' rates within this of their median (about twice this apart) count as stable. */
    static final double STABLE = 0.025;
    /** The mechanism name of the sides that send with the batch API, {@value #BATCH} messages per batch. */
    static final String BATCHED = "channel (batch 64)";
    /** Messages per batch of the {@value #BATCHED} sides. */
    static final int BATCH = 64;
    /** The {@link PairedRatio#figure()} of the trimmed-mean latency ratios ({@link Paired#trimmedMeanRatio}). */
    static final String TRIMMED_MEAN = "mean 98 %";

    /** The fraction of each block's round trips cut at each end for {@link #TRIMMED_MEAN}. */
    private static final double TRIM = 0.01;

    /** The {@link PairedRatio#figure()} of the allocation lines: bytes allocated per message, per block. */
    static final String ALLOCATED = "allocated B/msg";
    private static final Duration START_LIMIT = Duration.ofSeconds(120);

    private ChannelPaired() {
    }

    /** Whether {@code plan} is a smoke test's (under 1 000 round trips): blocks of a few messages. */
    public static boolean tiny(Plan plan) {
        return plan.rounds() < 1000;
    }

    /** Measured blocks per side: 12 (quick), 24 (full), 4 for a smoke test's plan. */
    public static int blocks(Plan plan) {
        return tiny(plan) ? 4 : plan.quick() ? 12 : 24;
    }

    /** Round trips per block of a spinning pair: 2 000 (quick) or 10 000 (full: p99.9 needs many). */
    static long spinBlock(Plan plan) {
        return tiny(plan) ? 50 : plan.quick() ? 2000 : 10_000;
    }

    /** Round trips per block of a pair that sleeps every round trip (15-50 us each). */
    static long futexBlock(Plan plan) {
        return tiny(plan) ? 20 : plan.quick() ? 200 : 1000;
    }

    /** How many times a spinning Java pair's warm-up goes round its rings ({@link #javaWarmupBlock}). */
    static final int WARMUP_LAPS = 4;

    /**
     * Round trips per warm-up block of a Java pair of {@code size}-byte messages. The fewest warm-up blocks
     * ({@link #minWarmupBlocks}, 3) call the timed round trip more than C2's 5 000 invocations
     * ({@code CrewMember.timedRoundTrips}), sleeping pairs too, and take a spinning pair {@value #WARMUP_LAPS} times
     * round its rings: a producer's wrap takes the branch that re-reads the consumer's head, which C2 compiled as never
     * taken, so the compiled method running there is thrown away and recompiled (an uncommon trap, then milliseconds
     * of slower code), one compiled method per lap (the trip's lambda, the echo's, then {@code offer} itself); in the
     * measured blocks that was a block with a fifth to half of its round trips 60 % slower (docs/benchmarks.md, "The
     * first seconds of a paired step"). A sleeping pair (20-50 us a round trip) goes round a 1 MiB ring of small
     * messages only after seconds, and a wrap's trap is small beside its sleeps.
     */
    static long javaWarmupBlock(Plan plan, boolean sleeping, int size) {
        if (tiny(plan)) {
            return 50;
        }
        if (sleeping) {
            return 1700; // three blocks: 5 100 calls
        }
        long lap = ChannelPairs.capacity(size) / ((size + 8 + 7) & ~7L); // records per lap, jipc's and Agrona's
        long block = Math.max(5000, (WARMUP_LAPS * lap + minWarmupBlocks(plan) - 1) / minWarmupBlocks(plan));
        return (block + 15) & ~15L; // a multiple of 16: the records' places in their lines go on as before
    }

    static int minWarmupBlocks(Plan plan) {
        return tiny(plan) ? 1 : 3;
    }

    /** The most warm-up blocks of a Java side: 10 (quick), 20 (full), 2 for a smoke test. */
    public static int maxWarmupBlocks(Plan plan) {
        return tiny(plan) ? 2 : plan.quick() ? 10 : 20;
    }

    /** Messages per throughput block. */
    static long messageBlock(Plan plan, int size) {
        if (size >= Rows.LARGE) {
            return tiny(plan) ? 64 : plan.quick() ? 8192 : 32_768;
        }
        return tiny(plan) ? 4096 : plan.quick() ? 500_000 : 2_000_000;
    }

    /** Whether a paired step measures throughput at {@code size} (64 B and 64 KiB, the goals' sizes). */
    static boolean pairedThroughput(int size) {
        return size == 64 || size == 65536;
    }

    /** The paired steps of {@code plan}: one per latency size, and throughput at 64 B and 64 KiB if planned. */
    static List<Step> steps(Plan plan) {
        List<Step> steps = new ArrayList<>();
        for (int size : plan.roundTripSizes()) {
            // typically 4 warm-up blocks per Java side; a spinning round trip of 64 KiB takes about 2 us here
            double seconds = 5 * ChannelBenchmark.JVM_PAIR_SECONDS + (blocks(plan) + 4)
                    * (5 * spinBlock(plan) * (1e-6 + size * 3e-11) + 4 * futexBlock(plan) * 40e-6);
            steps.add(new Step("channel latency " + Figures.size(size) + ": jipc, C twin, Agrona, C floors (paired)",
                    ChannelBenchmark.seconds(seconds), (Step.PairedBody) (p, log) -> latency(p, log, size)));
        }
        for (int size : plan.throughputSizes()) {
            if (pairedThroughput(size)) {
                // a channel or memcpy moves 64 KiB messages at 40-100 GB/s here, 64 B ones at 10-50 M/s
                double seconds = (size == 64 ? 2 : 1) * ChannelBenchmark.JVM_PAIR_SECONDS
                        + (blocks(plan) + 4) * (size == 64 ? 5 : 3) * messageBlock(plan, size)
                        * Math.max(60e-9, size / 40e9);
                steps.add(new Step("channel throughput " + Figures.size(size) + ": jipc, C twin"
                        + (size == 64 ? ", Agrona, C ring" : "")
                        + ", C memcpy (paired)",
                        ChannelBenchmark.seconds(seconds), (Step.PairedBody) (p, log) -> throughput(p, log, size)));
            }
        }
        return steps;
    }

    /**
     * One pair (or the one memcpy process) kept alive as a crew and measured block by block; also used by the paired
     * pipe and FIFO step ({@code jipc.bench.os.StreamPaired}).
     */
    public static final class Side implements AutoCloseable {
        final String implementation;
        final String mechanism;
        final boolean java;
        final boolean latency;
        final long block;
        final long warmupBlock;
        final Crew crew;
        final AutoCloseable resources;
        final Path samples;
        long measured;
        long elapsed;
        long[] cpu;
        final List<Double> allocatedPerMessage = new ArrayList<>();
        String warmNote = "";

        /**
         * A side of {@code crew}: {@code latency} sides report their last member's median round trip per block,
         * the others messages per second; {@code resources} (shared memory, pipes) are closed after the crew.
         */
        public Side(String implementation, String mechanism, boolean java, boolean latency, long block,
                long warmupBlock, Crew crew, AutoCloseable resources, Path samples) {
            this.implementation = implementation;
            this.mechanism = mechanism;
            this.java = java;
            this.latency = latency;
            this.block = block;
            this.warmupBlock = warmupBlock;
            this.crew = crew;
            this.resources = resources;
            this.samples = samples;
            this.cpu = new long[crew.size()];
        }

        /** {@code "jipc"}, {@code "C"}, {@code "Agrona"}. */
        public String implementation() {
            return implementation;
        }

        /** {@code "channel spin"}, {@code "pipe"}. */
        public String mechanism() {
            return mechanism;
        }

        /** {@code "jipc pipe"}. */
        public String name() {
            return implementation + " " + mechanism;
        }

        /** Messages per second over the measured blocks (first member's start to last member's end, per block). */
        public double messagesPerSecond() {
            return measured * 1e9 / elapsed;
        }

        /** Messages (or round trips) over the measured blocks. */
        public long measuredMessages() {
            return measured;
        }

        /** Crew member {@code member}'s CPU (whole process) per measured message, in ns; NaN before any block. */
        public double cpuPerMessage(int member) {
            return measured == 0 ? Double.NaN : (double) cpu[member] / measured;
        }

        /**
         * The warm-up's outcome, e.g. {@code "stable after 4 warm-up blocks (0.2 s, the last ones within 1.2 %), blocks
         * of 5000"}.
         */
        public String warmNote() {
            return warmNote;
        }

        /**
         * One block; returns its figure: side a's median round trip (latency) or messages per second from the first
         * member's start to the last one's end (throughput).
         */
        public double block(boolean measuring) throws IOException {
            long count = measuring ? block : warmupBlock;
            List<Crew.Report> reports = crew.block(count, Duration.ofSeconds(60).plusNanos(count * 1_000_000L));
            long t0 = Long.MAX_VALUE;
            long t1 = Long.MIN_VALUE;
            long allocated = 0;
            boolean allocatedKnown = true;
            for (int i = 0; i < reports.size(); i++) {
                Crew.Report r = reports.get(i);
                t0 = Math.min(t0, r.t0());
                t1 = Math.max(t1, r.t1());
                if (measuring) {
                    cpu[i] += r.cpu();
                }
                allocatedKnown &= r.allocated() >= 0;
                allocated += r.allocated();
            }
            if (measuring) {
                measured += count;
                elapsed += t1 - t0;
                if (java && allocatedKnown) {
                    allocatedPerMessage.add((double) allocated / count);
                }
            }
            return latency ? reports.get(reports.size() - 1).p50() : count * 1e9 / (t1 - t0);
        }

        @Override
        public void close() throws IOException {
            try {
                crew.close();
            } finally {
                try {
                    resources.close();
                } catch (IOException | RuntimeException e) {
                    throw e;
                } catch (Exception e) {
                    throw new IOException(e);
                }
                if (samples != null) {
                    Files.deleteIfExists(samples);
                }
            }
        }
    }

    /**
     * When a Java side is warm ({@link Warmup}): the last two blocks within {@value #STABLE} of their median (about
     * twice that apart), after at least {@link #minWarmupBlocks} and at most {@link #maxWarmupBlocks} blocks.
     */
    public static Warmup.Rule javaWarmup(Plan plan) {
        return Warmup.Rule.blocks(2, STABLE, minWarmupBlocks(plan), maxWarmupBlocks(plan));
    }

    /**
     * Waits until every side's crew is ready ({@link Crew#awaitReady}), then warms every side round robin
     * ({@link Warmup#roundRobin}): one block for a C side ({@link Warmup.Rule#ONCE}), a Java side until
     * {@link #javaWarmup}. Then empties the sample files.
     */
    public static void warm(List<Side> sides, Plan plan) throws IOException {
        for (Side side : sides) {
            // the crews were launched one after the other without waiting: they started at once
            side.crew.awaitReady(START_LIMIT);
        }
        List<Warmup.Side> warm = new ArrayList<>();
        for (Side side : sides) {
            Warmup.Block block = count -> {
                double figure = side.block(false);
                // a latency side's figure is its median round trip: the rate is its inverse
                return side.latency ? 1e9 / Math.max(figure, 1) : figure;
            };
            warm.add(Warmup.Side.fixed(block, side.java ? javaWarmup(plan) : Warmup.Rule.ONCE, side.warmupBlock));
        }
        List<Warmup.Result> results;
        try {
            results = Warmup.roundRobin(warm);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("warm-up interrupted", e);
        }
        for (int s = 0; s < sides.size(); s++) {
            Side side = sides.get(s);
            side.warmNote = results.get(s).describe() + ", blocks of " + side.warmupBlock;
        }
        for (Side side : sides) {
            if (side.samples != null) {
                Files.write(side.samples, new byte[0]);
            }
        }
    }

    private static Side start(List<Side> sides, String implementation, String mechanism, boolean java,
            boolean latency, long block, long warmupBlock, List<List<String>> members, Memfd memfd, Path samples)
            throws IOException {
        try {
            Crew crew = Crew.launch(implementation + " " + mechanism, members, memfd);
            Side side = new Side(implementation, mechanism, java, latency, block, warmupBlock, crew, memfd,
                    samples);
            sides.add(side);
            return side;
        } catch (IOException | RuntimeException e) {
            memfd.close();
            throw e;
        }
    }

    private static List<String> crewCommand(ChannelPairs pairs, Peer peer, boolean sideA, String... args) {
        return Peers.pinned(pairs.pin(), sideA, Peers.concat(pairs.command(peer), Peers.concat(List.of("crew"), args)
                .toArray(String[]::new)));
    }

    /** A memfd holding two jipc channels (a to b, b to a) of {@code capacity}, or zeroed Agrona rings. */
    private static Memfd pingMemfd(Peer peer, long capacity) throws IOException {
        long ring = ChannelPairs.ringBytes(peer, capacity);
        Memfd memfd = Memfd.create("jipc-bench-paired", 2 * ring);
        if (peer != Peer.AGRONA) {
            try (Mapping mapping = memfd.map()) {
                int max = ChannelPairs.maxMessageLength(capacity);
                OneToOneChannel.create(mapping.segment().asSlice(0, ring), capacity, max);
                OneToOneChannel.create(mapping.segment().asSlice(ring, ring), capacity, max);
            } catch (IOException | RuntimeException e) {
                memfd.close();
                throw e;
            }
        }
        return memfd;
    }

    private static Step.Outcome latency(Plan plan, PrintStream log, int size) throws IOException,
            InterruptedException {
        ChannelPairs pairs = Rows.pairs(plan, log);
        long capacity = ChannelPairs.capacity(size);
        String s = String.valueOf(size);
        String cap = String.valueOf(capacity);
        List<Side> sides = new ArrayList<>();
        Path work = Files.createTempDirectory("jipc-bench-paired-");
        try {
            for (String strategy : ChannelBenchmark.STRATEGIES) {
                boolean sleeping = strategy.equals("futex");
                long block = sleeping ? futexBlock(plan) : spinBlock(plan);
                for (Peer peer : List.of(Peer.JIPC, Peer.C)) {
                    Path samples = Files.createTempFile(work, "samples-", ".bin");
                    start(sides, ChannelBenchmark.implementation(peer), "channel " + strategy, peer == Peer.JIPC,
                            true, block, peer == Peer.JIPC ? javaWarmupBlock(plan, sleeping, size) : block, List.of(
                                    crewCommand(pairs, peer, false, "ping", "b", strategy, s, cap),
                                    crewCommand(pairs, peer, true, "ping", "a", strategy, s, cap,
                                            samples.toString())), pingMemfd(peer, capacity), samples);
                }
                if (strategy.equals("spin")) {
                    Path samples = Files.createTempFile(work, "samples-", ".bin");
                    start(sides, "Agrona", "channel spin", true, true, block, javaWarmupBlock(plan, false, size),
                            List.of(crewCommand(pairs, Peer.AGRONA, false, "ping", "b", "spin", s, cap),
                                    crewCommand(pairs, Peer.AGRONA, true, "ping", "a", "spin", s, cap,
                                            samples.toString())), pingMemfd(Peer.AGRONA, capacity), samples);
                }
            }
            for (String wait : List.of("spin", "futex")) {
                Path samples = Files.createTempFile(work, "samples-", ".bin");
                long buffer = (size + 4095) & ~4095L;
                start(sides, "C", wait.equals("spin") ? "shm spin flag" : "futex", false, true,
                        wait.equals("spin") ? spinBlock(plan) : futexBlock(plan),
                        wait.equals("spin") ? spinBlock(plan) : futexBlock(plan), List.of(
                                crewCommand(pairs, Peer.C, false, "flag", "b", wait, s),
                                crewCommand(pairs, Peer.C, true, "flag", "a", wait, s, samples.toString())),
                        Memfd.create("jipc-bench-paired-flag", 4096 + 2 * buffer), samples);
            }
            // the virtual-thread row: side b (echoing) on a virtual thread, side a (measuring) on a platform thread
            Path vtSamples = Files.createTempFile(work, "samples-", ".bin");
            start(sides, "jipc", ChannelBenchmark.mechanism(Peer.JIPC_VIRTUAL, "futex"), true, true,
                    futexBlock(plan), javaWarmupBlock(plan, true, size), List.of(
                            crewCommand(pairs, Peer.JIPC_VIRTUAL, false, "ping", "b", "futex", s, cap),
                            crewCommand(pairs, Peer.JIPC, true, "ping", "a", "futex", s, cap, vtSamples.toString())),
                    pingMemfd(Peer.JIPC, capacity), vtSamples);
            // sides: 0 jipc spin, 1 C spin, 2 Agrona spin, 3 jipc hybrid, 4 C hybrid, 5 jipc futex, 6 C futex,
            // 7 C shm spin flag, 8 C futex (raw ping-pong), 9 jipc futex (virtual thread)
            warm(sides, plan);
            List<Paired.Side> turn = new ArrayList<>();
            for (Side side : sides) {
                turn.add(() -> side.block(true));
            }
            Paired.Rotation rotation = Paired.rotate(turn, blocks(plan));
            List<Result> rows = new ArrayList<>();
            List<long[]> raw = new ArrayList<>();
            for (Side side : sides) {
                long[] samples = readSamples(side.samples, side.measured);
                raw.add(samples);
                Histogram h = new Histogram(3);
                for (long v : samples) {
                    h.recordValue(v);
                }
                rows.add(Rows.latency(side.mechanism, side.implementation, size, h, Rows.pinning(pairs),
                        latencyNote(side, capacity, plan)));
            }
            String floor = String.format(Locale.ROOT, "C shm spin flag %s: p50 %s ns; C raw futex: p50 %s ns",
                    Figures.size(size), Figures.nanos(rows.get(7).p50()), Figures.nanos(rows.get(8).p50()));
            String note = "each block's median round trip; " + sides.size() + " pairs alive, turned through in"
                    + " the order " + String.join(", ", sides.stream().map(Side::name).toList()) + " (the others"
                    + " blocked on their control pipes); blocks of " + spinBlock(plan) + " (spinning) or "
                    + futexBlock(plan) + " (futex) round trips after " + jipc.bench.CrewMember.SYNC_ROUND_TRIPS + " untimed ones; warm-up: "
                    + warmNotes(sides);
            List<PairedRatio> ratios = new ArrayList<>();
            int[][] pairsOf = {{0, 2}, {0, 1}, {0, 7}, {1, 2}, {1, 7}, {3, 0}, {4, 1}, {5, 8}, {6, 8}, {9, 5}};
            for (int[] ab : pairsOf) {
                ratios.add(PairedRatio.of(rows.get(ab[0]), rows.get(ab[1]), "p50", rotation.ratio(ab[0], ab[1]),
                        floor, note));
            }
            // beside the p50 goals: the same pairs by the mean of each block's central 98 % (multimodal at 8 B)
            for (int[] ab : new int[][] {{0, 2}, {1, 2}, {0, 1}}) {
                ratios.add(PairedRatio.of(rows.get(ab[0]), rows.get(ab[1]), TRIMMED_MEAN,
                        Paired.trimmedMeanRatio(raw.get(ab[0]), raw.get(ab[1]), blocks(plan), TRIM,
                                rotation.seconds()), floor, "each block's mean round trip without its lowest and"
                                + " highest 1 %, block by block; not a goal: beside the p50 for sizes whose round"
                                + " trips have several modes (docs/benchmarks.md, \"The 8 B spin round trip\")"));
            }
            for (double q : new double[] {0.99, 0.999}) {
                Paired.Estimate e = Paired.tailRatio(raw.get(0), raw.get(2), q, Paired.TAIL_REPLICATES,
                        Paired.TAIL_SEED);
                ratios.add(new PairedRatio(rows.get(0).name(), rows.get(2).name(), Result.Kind.LATENCY, size,
                        q == 0.99 ? "p99" : "p99.9", blocks(plan), e.median(), e.low(), e.high(), e.confidence(),
                        rotation.seconds(), floor, List.of(), String.format(Locale.ROOT, "each side's %d samples"
                                + " pooled across its %d blocks; ratio of the pooled quantiles, 95%% percentile"
                                + " bootstrap interval (%d replicates, seed %d)", raw.get(0).length, blocks(plan),
                                Paired.TAIL_REPLICATES, Paired.TAIL_SEED)));
            }
            allocation(ratios, sides, rows, Result.Kind.LATENCY, size, rotation.seconds());
            if (plan.keepSamples() != null) {
                keepSamples(plan.keepSamples(), "channel-latency-" + size, sides, blocks(plan));
            }
            return new Step.Outcome(ownRows(plan, rows), ratios);
        } finally {
            closeAll(sides);
            Peers.deleteTree(work);
        }
    }

    /**
     * Copies every latency side's measured round trips into {@code directory} ({@code jipc bench --keep-samples}):
     * one file {@code PREFIX-NN-IMPLEMENTATION-MECHANISM.bin} per side, in the step's side order (NN from 00), holding
     * the round trips in nanoseconds as little-endian signed 64-bit integers in the order they were measured (block 1's
     * round trips, then block 2's, ...), and one line per file appended to {@code directory/samples.tsv}: file name,
     * implementation, mechanism, blocks, round trips per block. A file of the same name is replaced.
     */
    static void keepSamples(Path directory, String prefix, List<Side> sides, int blocks) throws IOException {
        Files.createDirectories(directory);
        StringBuilder index = new StringBuilder();
        for (int s = 0; s < sides.size(); s++) {
            Side side = sides.get(s);
            if (side.samples == null) {
                continue;
            }
            String name = String.format(Locale.ROOT, "%s-%02d-%s-%s.bin", prefix, s, side.implementation,
                    side.mechanism).replaceAll("[^A-Za-z0-9._-]+", "-");
            Files.copy(side.samples, directory.resolve(name), StandardCopyOption.REPLACE_EXISTING);
            index.append(name).append('\t').append(side.implementation).append('\t').append(side.mechanism)
                    .append('\t').append(blocks).append('\t').append(side.measured / blocks).append('\n');
        }
        Files.writeString(directory.resolve("samples.tsv"), index, StandardOpenOption.CREATE,
                StandardOpenOption.APPEND);
    }

    private static Step.Outcome throughput(Plan plan, PrintStream log, int size) throws IOException,
            InterruptedException {
        ChannelPairs pairs = Rows.pairs(plan, log);
        long capacity = ChannelPairs.capacity(size);
        String s = String.valueOf(size);
        String cap = String.valueOf(capacity);
        long block = messageBlock(plan, size);
        List<Side> sides = new ArrayList<>();
        try {
            // Agrona: at 64 B, for the goals (its 64 KiB row, without a goal, is the agrona suite's in --full)
            boolean agrona = size == 64;
            for (Peer peer : agrona ? List.of(Peer.JIPC, Peer.C, Peer.AGRONA) : List.of(Peer.JIPC, Peer.C)) {
                String strategy = peer == Peer.AGRONA ? "spin" : "hybrid";
                long ring = ChannelPairs.ringBytes(peer, capacity);
                Memfd memfd = Memfd.create("jipc-bench-paired", ring);
                if (peer != Peer.AGRONA) {
                    try (Mapping mapping = memfd.map()) {
                        OneToOneChannel.create(mapping.segment(), capacity, ChannelPairs.maxMessageLength(capacity));
                    }
                }
                start(sides, ChannelBenchmark.implementation(peer), "channel", peer != Peer.C, false, block, block,
                        List.of(crewCommand(pairs, peer, false, "recv", strategy, s, cap),
                                crewCommand(pairs, peer, true, "send", strategy, s, cap)), memfd, null);
            }
            if (size == 64) {
                // the batch API (beginBatch/endBatch, one wake-up check per BATCH messages) on both twins
                for (Peer peer : List.of(Peer.JIPC, Peer.C)) {
                    Memfd memfd = Memfd.create("jipc-bench-paired-batch", ChannelPairs.ringBytes(peer, capacity));
                    try (Mapping mapping = memfd.map()) {
                        OneToOneChannel.create(mapping.segment(), capacity, ChannelPairs.maxMessageLength(capacity));
                    }
                    start(sides, ChannelBenchmark.implementation(peer), BATCHED, peer != Peer.C, false, block, block,
                            List.of(crewCommand(pairs, peer, false, "recv", "hybrid", s, cap),
                                    crewCommand(pairs, peer, true, "send", "hybrid", s, cap, String.valueOf(BATCH))),
                            memfd, null);
                }
                start(sides, "C", "spsc ring", false, false, block, block, List.of(
                        crewCommand(pairs, Peer.C, false, "ring-recv", s),
                        crewCommand(pairs, Peer.C, true, "ring-send", s)),
                        Memfd.create("jipc-bench-paired-ring", 4096 + (1L << 20)), null);
            }
            start(sides, "C", "memcpy", false, false, block, block, List.of(
                    crewCommand(pairs, Peer.C, true, "memcpy", s, cap)),
                    Memfd.create("jipc-bench-paired-memcpy", ChannelDescriptor.segmentSize(capacity)), null);
            warm(sides, plan);
            List<Paired.Side> turn = new ArrayList<>();
            for (Side side : sides) {
                turn.add(() -> side.block(true));
            }
            Paired.Rotation rotation = Paired.rotate(turn, blocks(plan));
            List<Result> rows = new ArrayList<>();
            for (Side side : sides) {
                boolean pair = side.cpu.length == 2;
                rows.add(Rows.throughput(side.mechanism, side.implementation, new ChannelPairs.Throughput(size,
                        side.measured, side.elapsed, pair ? side.cpu[1] : -1, side.cpu[0]), Rows.pinning(pairs),
                        throughputNote(side, capacity, plan)));
            }
            int memcpy = sides.size() - 1;
            int ringIndex = size == 64 ? 5 : -1;
            String floor = String.format(Locale.ROOT, "C memcpy %s: %s", Figures.size(size),
                    rate(rows.get(memcpy), size)) + (ringIndex < 0 ? "" : "; C spsc ring 64 B: "
                    + rate(rows.get(ringIndex), size));
            String note = "each block's messages per second (first member's start to the last one's end); "
                    + sides.size() + " sides alive, turned through in the order " + String.join(", ",
                    sides.stream().map(Side::name).toList()) + "; blocks of " + block + " messages; jipc and the C"
                    + " twin wait hybrid, Agrona and the C ring spin; warm-up: " + warmNotes(sides);
            List<PairedRatio> ratios = new ArrayList<>();
            List<int[]> pairsOf = new ArrayList<>(List.of(new int[] {0, 1}, new int[] {0, memcpy},
                    new int[] {1, memcpy}));
            if (size == 64) {
                // 0 jipc, 1 C twin, 2 Agrona, 3 jipc batched, 4 C twin batched, 5 C ring
                pairsOf.addAll(List.of(new int[] {0, 2}, new int[] {0, ringIndex}, new int[] {1, 2},
                        new int[] {3, 4}, new int[] {3, 2}, new int[] {3, ringIndex}, new int[] {3, 1},
                        new int[] {4, 2}, new int[] {3, 0}));
            }
            for (int[] ab : pairsOf) {
                ratios.add(PairedRatio.of(rows.get(ab[0]), rows.get(ab[1]), "msg/s", rotation.ratio(ab[0], ab[1]),
                        floor, note));
            }
            allocation(ratios, sides, rows, Result.Kind.THROUGHPUT, size, rotation.seconds());
            return new Step.Outcome(ownRows(plan, rows), ratios);
        } finally {
            closeAll(sides);
        }
    }

    /**
     * The rows a paired step reports: all but Agrona's (the {@code agrona} suite measures Agrona's rows on its own,
     * and a run of both suites must not have two rows of one name; its Agrona pair serves the ratios only), except in
     * the quick run with its own sizes ({@link Plan#quickDefaults}), where the {@code agrona} suite leaves these rows
     * to the paired steps.
     */
    private static List<Result> ownRows(Plan plan, List<Result> rows) {
        return plan.quickDefaults() ? rows : rows.stream().filter(r -> !r.implementation().equals("Agrona")).toList();
    }

    private static String latencyNote(Side side, long capacity, Plan plan) {
        String how = side.implementation.equals("Agrona") ? AgronaBenchmark.PEER_NOTE + "two OneToOneRingBuffers of "
                + capacity + " B (a to b, b to a), write + read, busy spin with Thread.onSpinWait()"
                : switch (side.mechanism) {
            case "shm spin flag" -> "floor: payload memcpy into shared memory, release store of a 32-bit sequence"
                    + " word, acquire spin on it with pause; the reader reads the 8-byte sequence number";
            case "futex" -> "floor: payload memcpy into shared memory, release store of a 32-bit sequence word,"
                    + " FUTEX_WAIT on it; the writer always FUTEX_WAKEs (raw futex ping-pong)";
            default -> "two one-producer channels of " + capacity + " B (a to b, b to a), offer + zero-copy poll; "
                    + ChannelBenchmark.note(side.mechanism.startsWith("channel futex") ? "futex"
                            : side.mechanism.substring("channel ".length()))
                    + ChannelBenchmark.threadNote(side.mechanism.endsWith(Result.VIRTUAL_THREAD)
                            ? Peer.JIPC_VIRTUAL : Peer.JIPC);
        };
        return how + "; measured in the paired step (" + blocks(plan) + " blocks of " + side.block
                + " round trips, each after " + jipc.bench.CrewMember.SYNC_ROUND_TRIPS + " untimed ones, turned"
                + " through with the other pairs of its size; samples pooled); warm-up: " + side.warmNote;
    }

    private static String throughputNote(Side side, long capacity, Plan plan) {
        String how = side.implementation.equals("Agrona") ? AgronaBenchmark.PEER_NOTE + "one producer process, one"
                + " consumer process, a OneToOneRingBuffer of " + capacity + " B; write + read, both spin (no"
                + " cross-process wake-up in Agrona)" : switch (side.mechanism) {
            case "memcpy" -> "the physical limit: one process memcpy-ing each message into the ring area (" + capacity
                    + " B) of a shared memfd, no consumer; receiver CPU = the copier's";
            case "spsc ring" -> "the C SPSC ring floor: 64-byte slots, the sequence number + 1 in the slot (stored"
                    + " last, release), the consumer publishes its head every 64 messages, the producer reads it only"
                    + " when its cached copy says full; both spin with pause; no wake-up, no crash safety";
            case BATCHED -> "one producer process, one consumer process, a one-producer channel of " + capacity
                    + " B; offer (put when full) in batches of " + BATCH + " (beginBatch/endBatch: one wake-up check"
                    + " per batch) + zero-copy poll, both wait with hybrid";
            default -> "one producer process, one consumer process, a one-producer channel of " + capacity
                    + " B; offer (put when full) + zero-copy poll, both wait with hybrid";
        };
        return how + "; measured in the paired step (" + blocks(plan) + " blocks of " + side.block + " messages,"
                + " from the first member's start to the last one's end, turned through with the other sides of its"
                + " size); CPU per message: CLOCK_PROCESS_CPUTIME_ID of each whole process; warm-up: "
                + side.warmNote;
    }

    private static String rate(Result row, int size) {
        return size >= Rows.LARGE ? String.format(Locale.ROOT, "%.1f GB/s", row.bytesPerSecond() / 1e9)
                : String.format(Locale.ROOT, "%.1f M msg/s", row.messagesPerSecond() / 1e6);
    }

    /** The allocation line of every Java pair: its hot threads' bytes per message, per measured block. */
    private static void allocation(List<PairedRatio> ratios, List<Side> sides, List<Result> rows, Result.Kind kind,
            int size, double seconds) {
        for (int i = 0; i < sides.size(); i++) {
            Side side = sides.get(i);
            if (!side.java || side.allocatedPerMessage.isEmpty()) {
                continue;
            }
            double[] perBlock = side.allocatedPerMessage.stream().mapToDouble(Double::doubleValue).toArray();
            Paired.Estimate e = Paired.estimate(perBlock);
            ratios.add(new PairedRatio(rows.get(i).name(), "messages", kind, size, ALLOCATED, e.blocks(),
                    e.median(), e.low(), e.high(), e.confidence(), seconds, "", side.allocatedPerMessage,
                    "bytes the hot threads of both processes allocated per message"
                            + " (ThreadMXBean.getThreadAllocatedBytes around each block's loop), block by block; max "
                            + String.format(Locale.ROOT, "%.4f", Arrays.stream(perBlock).max().orElse(0))));
        }
    }

    /** The warm-up notes of the Java sides, for a ratio's note. */
    public static String warmNotes(List<Side> sides) {
        List<String> notes = new ArrayList<>();
        for (Side side : sides) {
            if (side.java) {
                notes.add(side.name() + " " + side.warmNote);
            }
        }
        return notes.isEmpty() ? "C only, 1 block each" : String.join("; ", notes) + "; C pairs 1 block";
    }

    /** Side a's samples: little-endian int64 nanoseconds, exactly {@code count} of them. */
    static long[] readSamples(Path file, long count) throws IOException {
        byte[] bytes = Files.readAllBytes(file);
        if (bytes.length != count * Long.BYTES) {
            throw new IOException(file + " has " + bytes.length + " bytes, expected " + count + " samples of 8");
        }
        long[] samples = new long[(int) count];
        ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN).asLongBuffer().get(samples);
        return samples;
    }

    /** Closes every side, throwing the first failure after trying all. */
    public static void closeAll(List<Side> sides) throws IOException {
        IOException failure = null;
        for (Side side : sides) {
            try {
                side.close();
            } catch (IOException e) {
                failure = failure == null ? e : failure;
            }
        }
        if (failure != null) {
            throw failure;
        }
    }
}
