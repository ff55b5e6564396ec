package jipc.bench.topic;

import java.io.IOException;
import java.io.PrintStream;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;

import jipc.bench.Pin;
import jipc.bench.channel.ChannelPairs;
import jipc.bench.channel.Rows;
import jipc.bench.report.Figures;
import jipc.bench.suite.Benchmark;
import jipc.bench.suite.Paired;
import jipc.bench.suite.PairedRatio;
import jipc.bench.suite.Plan;
import jipc.bench.suite.Result;
import jipc.bench.suite.Step;
import jipc.bench.suite.Warmup;
import jipc.bench.topic.TopicRig.Impl;
import jipc.bench.topic.TopicSides.Spec;
import jipc.topic.OverflowPolicy;

/**
 * {@code jipc bench} measurements of publish/subscribe ({@link jipc.topic}) across processes, each step a paired
 * comparison ({@link Paired}) of two sides kept alive as {@link jipc.bench.Crew}s and run alternately in blocks:
 *
 * <ul>
 *   <li>throughput, 1 publisher to 4 subscribers (5 processes), per size: jipc BLOCK / the C twin BLOCK (the goal:
 *       at least 0.8), and jipc OVERWRITE / Agrona's broadcast (which never blocks either; the goal: at least 1).
 *       Every subscriber waits with hybrid (1000 spins, then futex), Agrona's receivers with its backoff idle
 *       strategy (spins, yields, then parks): on 2 cores five processes cannot all spin. The figure is the messages
 *       each subscriber received per second (their mean), from the publisher's start to the last subscriber's end,
 *       so messages lost to lapping do not count. The full run adds the same pairs with 1 subscriber;</li>
 *   <li>the idle CPU of the 4 subscribers of the BLOCK pairs (jipc and the C twin) waiting for a message that does
 *       not come, in the first throughput step;</li>
 *   <li>latency, 1 to 1, per size: a ping-pong over two topics (the echo goes back over a second topic of the same
 *       kind, for every side alike): jipc BLOCK / C BLOCK with futex waits and with busy spinning, jipc OVERWRITE
 *       spinning / Agrona spinning (Agrona has no futex wake-up).</li>
 * </ul>
 * Beside the throughput goals runs the floor, a C {@code memcpy} of the same messages in one process, so a reader sees
 * the machine's speed state. Run alone: {@code ./jipc bench --only topic [--full] [--pin A,B]}.
 */
public final class TopicBenchmark implements Benchmark {
    static final int SUBSCRIBERS = 4;
    /** Estimates: one JVM starting (several start at once), per message and per round trip. */
    static final double JVM_SECONDS = 0.8;
    /**
     * How long idle subscribers settle before their CPU is measured: 1 s, as the channel's idle step
     * ({@code ChannelPairs.IDLE_SETTLE}). In the first half second after a burst the JVMs' compiler threads are
     * still working through the burst's queue (a 500 ms settle gave 1.06 % of a core for the busiest subscriber).
     */
    static final Duration IDLE_SETTLE = Duration.ofSeconds(1);

    private static final Spec JIPC_BLOCK_HYBRID = new Spec(Impl.JIPC, OverflowPolicy.BLOCK, "hybrid");
    private static final Spec C_BLOCK_HYBRID = new Spec(Impl.C, OverflowPolicy.BLOCK, "hybrid");
    private static final Spec JIPC_OVERWRITE_HYBRID = new Spec(Impl.JIPC, OverflowPolicy.OVERWRITE, "hybrid");
    private static final Spec AGRONA_BACKOFF = new Spec(Impl.AGRONA, OverflowPolicy.OVERWRITE, "backoff");

    @Override
    public String id() {
        return "topic";
    }

    /**
     * Whether {@code plan} is a smoke test's (fewer than {@value #TINY_ROUNDS} round trips per measurement): then 4
     * blocks of a few messages each, which checks that every side runs end to end and measures nothing.
     */
    static boolean tiny(Plan plan) {
        return plan.rounds() < TINY_ROUNDS;
    }

    static final long TINY_ROUNDS = 1000;

    /** How many blocks each side of a comparison runs (after its warm-up blocks): 20, or 40 in a full run. */
    static int blocks(Plan plan) {
        return tiny(plan) ? 4 : plan.quick() ? 20 : 40;
    }

    static int warmupBlocks(Plan plan) {
        return tiny(plan) ? 1 : plan.quick() ? 10 : 20;
    }

    /** Messages of the first warm-up throughput block, and the fewest of any block: 4 MiB of payload, 1 000 to 20 000. */
    static long throughputBlock(Plan plan, int size) {
        return tiny(plan) ? 200 : Math.max(1000, Math.min(20_000, (4L << 20) / size));
    }

    /**
     * How long a measured throughput block should last: 20 ms (50 ms in a full run). Each side's block gets its own
     * message count, from its warm pace ({@link Warmup}): sides differ by 100 times in speed (an Agrona transmitter writes
     * 20 000 messages in a millisecond, a jipc OVERWRITE publisher that wakes sleeping subscribers takes 100), and a
     * block of a millisecond measures the subscribers' wake-up, not their rate.
     */
    static double blockSeconds(Plan plan) {
        return plan.quick() ? 0.020 : 0.050;
    }

    /**
     * The messages of a block of {@link #blockSeconds} at the pace of the median warm-up block ({@code warmupCount}
     * messages in {@code warmupSeconds}), and no fewer than a warm-up block's, up to 4 000 000. (A burst that laps
     * parked Agrona receivers lasts about as long as their wake-up, whatever its count: blocks of 1 000 messages gave
     * 5 ms blocks and rates unlike those of 20 000.)
     */
    static long calibrated(Plan plan, long warmupCount, double warmupSeconds) {
        if (tiny(plan)) {
            return warmupCount;
        }
        double k = warmupCount * blockSeconds(plan) / Math.max(warmupSeconds, 1e-6);
        return Math.max(warmupCount, Math.min(4_000_000, Math.round(k)));
    }

    /**
     * Warms the throughput sides up round robin ({@link Warmup#roundRobin}), each until its rate is stable: at least
     * 0.4 s, at most 2 s of its own blocks, the last 3
     * blocks within 10 %; in a full run at least 4 s and at most 10 s for a crew of JVMs (five JVMs compiling on two
     * CPUs: a jipc 1->4 crew at 4 KiB still ran at a tenth of its later rate 3 s after starting, and three equal
     * blocks of that looked stable), 1.5 to 6 s for C. Then the measured block size from that pace. A smoke test's
     * tiny plan runs one block of {@code k}.
     */
    private static List<Warmup.Result> warmUp(Plan plan, List<TopicSides.Throughput> sides, long k)
            throws IOException, InterruptedException {
        if (tiny(plan)) {
            List<Warmup.Result> results = new ArrayList<>();
            for (TopicSides.Throughput side : sides) {
                double rate = side.block(k, false);
                results.add(new Warmup.Result(1, k / rate, false, rate, k, 0));
            }
            return results;
        }
        List<Warmup.Side> warm = new ArrayList<>();
        for (TopicSides.Throughput side : sides) {
            boolean jvms = side.spec.impl() != Impl.C;
            Warmup.Rule rule = new Warmup.Rule(Warmup.WINDOW, 0.10, Warmup.WINDOW, Integer.MAX_VALUE,
                    plan.quick() ? 0.4 : jvms ? 4 : 1.5, plan.quick() ? 2 : jvms ? 10 : 6);
            warm.add(new Warmup.Side(count -> side.block(count, false), rule, k, 4_000_000, blockSeconds(plan)));
        }
        // round robin: both sides warm over the same seconds, as they are then measured
        return Warmup.roundRobin(warm);
    }

    private static String warmupRule(Plan plan) {
        return plan.quick() ? "0.4 to 2 s, the last 3 blocks within 10 %"
                : "4 to 10 s for JVMs, 1.5 to 6 s for C, the last 3 blocks within 10 %";
    }

    /** Round trips per latency block: 500 spinning, 100 sleeping (4x in a full run). */
    static long latencyBlock(Plan plan, String wait) {
        if (tiny(plan)) {
            return 20;
        }
        long k = wait.equals("spin") ? 500 : 100;
        return plan.quick() ? k : 4 * k;
    }

    /**
     * The plan's sizes, or for the plan's own defaults the topic's: quick 64 B throughput and no latency (the quick run
     * measures the goals' comparisons only; {@code --latency-sizes} adds the round trips); full 64 B and 4 KiB.
     */
    static List<Integer> sizes(Plan plan, boolean latency) {
        Plan base = plan.quick() ? Plan.quickRun() : Plan.fullRun();
        List<Integer> asked = latency ? plan.latencySizes() : plan.throughputSizes();
        if (asked.equals(latency ? base.latencySizes() : base.throughputSizes())) {
            return plan.quick() ? (latency ? List.of() : List.of(64)) : List.of(64, 4096);
        }
        return asked.stream().map(s -> Math.max(8, s)).filter(s -> s <= TopicRig.capacity(s) / 8 - 16).distinct()
                .toList();
    }

    @Override
    public List<Step> steps(Plan plan) {
        List<Step> steps = new ArrayList<>();
        boolean idle = true;
        // The quick run's own sizes: the BLOCK goal only; the OVERWRITE / Agrona comparison (a tug of war more than a
        // rate, a second crew of ten JVMs) is the full run's, or a quick run's with sizes of its own.
        boolean overwrite = !plan.quick() || !plan.throughputSizes().equals(Plan.quickRun().throughputSizes());
        for (int size : sizes(plan, false)) {
            steps.add(throughput(plan, size, SUBSCRIBERS, JIPC_BLOCK_HYBRID, C_BLOCK_HYBRID, idle));
            idle = false;
            if (overwrite) {
                steps.add(throughput(plan, size, SUBSCRIBERS, JIPC_OVERWRITE_HYBRID, AGRONA_BACKOFF, false));
            }
            if (!plan.quick()) {
                steps.add(throughput(plan, size, 1, JIPC_BLOCK_HYBRID, C_BLOCK_HYBRID, false));
                steps.add(throughput(plan, size, 1, JIPC_OVERWRITE_HYBRID, AGRONA_BACKOFF, false));
            }
        }
        for (int size : sizes(plan, true)) {
            steps.add(latency(plan, size, new Spec(Impl.JIPC, OverflowPolicy.BLOCK, "futex"),
                    new Spec(Impl.C, OverflowPolicy.BLOCK, "futex")));
            if (!plan.quick()) {
                steps.add(latency(plan, size, new Spec(Impl.JIPC, OverflowPolicy.BLOCK, "spin"),
                        new Spec(Impl.C, OverflowPolicy.BLOCK, "spin")));
            }
            steps.add(latency(plan, size, new Spec(Impl.JIPC, OverflowPolicy.OVERWRITE, "spin"),
                    new Spec(Impl.AGRONA, OverflowPolicy.OVERWRITE, "spin")));
        }
        return steps;
    }

    private static int jvms(Spec spec, int processes) {
        return spec.impl() == Impl.C ? 0 : processes;
    }

    private static Duration seconds(double s) {
        return Duration.ofMillis((long) (s * 1000));
    }

    private static Pin pin(Plan plan) {
        return plan.pin() == null ? null : new Pin(plan.pin()[0], plan.pin()[1]);
    }

    // ---- throughput -----------------------------------------------------------------------------------------------

    private static Step throughput(Plan plan, int size, int subscribers, Spec a, Spec b, boolean idle) {
        int processes = subscribers + 1;
        long k = throughputBlock(plan, size);
        double warmup = tiny(plan) ? 2 * k * 2e-6
                : plan.quick() ? 1.2 : (a.impl() == Impl.C ? 2 : 5) + (b.impl() == Impl.C ? 2 : 5);
        Duration estimate = seconds(JVM_SECONDS * (jvms(a, processes) + jvms(b, processes)) + warmup
                + 2 * blocks(plan) * blockSeconds(plan)
                + (idle ? plan.idleSeconds() + IDLE_SETTLE.toMillis() / 1e3 : 0));
        String name = "topic throughput 1->" + subscribers + " " + Figures.size(size) + ": " + a.label() + " / "
                + b.label() + (idle ? " + idle CPU" : "") + " (paired)";
        return new Step(name, estimate, (Step.PairedBody) (p, log) -> measureThroughput(p, log, size, subscribers,
                a, b, idle));
    }

    private static Step.Outcome measureThroughput(Plan plan, PrintStream log, int size, int subscribers, Spec a,
            Spec b, boolean idle) throws IOException, InterruptedException {
        TopicRig rig = TopicRig.shared(pin(plan), plan.jvmOptions(), log);
        long k = throughputBlock(plan, size);
        List<Result> rows = new ArrayList<>();
        Paired.Run run;
        String floor;
        try (TopicSides.Throughput sideA = TopicSides.Throughput.start(rig, a, subscribers, size);
             TopicSides.Throughput sideB = TopicSides.Throughput.start(rig, b, subscribers, size);
             TopicSides.Memcpy memcpy = TopicSides.Memcpy.start(rig, size)) {
            sideA.awaitReady();
            sideB.awaitReady();
            List<Warmup.Result> warmed = warmUp(plan, List.of(sideA, sideB), k);
            Warmup.Result warmA = warmed.get(0);
            Warmup.Result warmB = warmed.get(1);
            long kA = warmA.count();
            long kB = warmB.count();
            log.println("  warm-up: " + a.label() + " " + warmA.describe() + ", " + Figures.rate(warmA.rate())
                    + " msg/s; " + b.label() + " " + warmB.describe() + ", " + Figures.rate(warmB.rate()) + " msg/s");
            run = Paired.alternate(() -> sideA.block(kA, true), () -> sideB.block(kB, true), blocks(plan));
            double[] copies = new double[tiny(plan) ? 1 : 5];
            for (int i = 0; i < copies.length; i++) {
                copies[i] = memcpy.block(k);
            }
            double rate = Paired.estimate(copies).median();
            floor = String.format(Locale.ROOT, "C memcpy %s (one process, %d blocks of %d): %s msg/s, %s MB/s",
                    Figures.size(size), copies.length, k, Figures.rate(rate), Figures.megabytes(rate * size));
            String common = "1 publisher, " + subscribers + " subscriber" + (subscribers == 1 ? "" : "s")
                    + " (processes) on one ring of " + TopicRig.capacity(size) + " B; msg/s = messages each"
                    + " subscriber received per second (mean), publisher start to last subscriber end; CPU recv ="
                    + " all subscribers together per published message; warm-up until the rate is stable ("
                    + warmupRule(plan) + "), then blocks of about " + Math.round(blockSeconds(plan) * 1000)
                    + " ms (";
            rows.add(sideA.row(rig.pinning(), a.waitNote() + "; " + common + kA + " messages; " + warmA.describe()
                    + "), alternating with " + b.label()));
            rows.add(sideB.row(rig.pinning(), b.waitNote() + "; " + common + kB + " messages; " + warmB.describe()
                    + "), alternating with " + a.label()));
            if (idle) {
                List<TopicSides.Throughput> sides = List.of(sideA, sideB);
                ChannelPairs.Idle[][] idles = TopicSides.Throughput.idle(sides, IDLE_SETTLE, plan.idleSeconds());
                for (int s = 0; s < sides.size(); s++) {
                    TopicSides.Throughput side = sides.get(s);
                    ChannelPairs.Idle busiest = idles[s][0];
                    StringBuilder each = new StringBuilder();
                    for (ChannelPairs.Idle one : idles[s]) {
                        each.append(each.isEmpty() ? "" : ", ").append(String.format(Locale.ROOT, "%.2f%%",
                                one.percent()));
                        busiest = one.percent() > busiest.percent() ? one : busiest;
                    }
                    double max = busiest.percent();
                    rows.add(Rows.idle("topic " + side.spec.policy() + " subscriber " + side.spec.strategy()
                                    + " (max of " + subscribers + ")", side.spec.impl().label, max, rig.pinning(),
                            "each of " + subscribers + " subscribers of one topic waiting for a message that does not"
                                    + " come, for " + plan.idleSeconds() + " s after " + IDLE_SETTLE.toMillis()
                                    + " ms to settle (both crews' subscribers at once); CPU of all its threads"
                                    + " (/proc/PID/task/*/schedstat): " + each + "; the busiest one's threads: "
                                    + busiest.busiest() + "; " + side.spec.waitNote()));
                }
            }
        }
        PairedRatio ratio = PairedRatio.of(rows.get(0), rows.get(1), "msg/s", run, floor, "A and B alternate in blocks"
                + " of about " + Math.round(blockSeconds(plan) * 1000) + " ms; both crews stay alive, the idle one"
                + " blocked on its control pipe");
        log.println("  paired " + ratio.name() + ": " + ratio.median() + " [" + ratio.low() + ", " + ratio.high()
                + "]; " + floor);
        return new Step.Outcome(rows, List.of(ratio));
    }

    // ---- latency --------------------------------------------------------------------------------------------------

    /** Round trips per warm-up block: 2 000, so the Java peers make 20 000 (40 000 full) before measuring. */
    static long latencyWarmupBlock(Plan plan) {
        return tiny(plan) ? 20 : 2000;
    }

    private static Step latency(Plan plan, int size, Spec a, Spec b) {
        long k = latencyBlock(plan, a.strategy());
        double perRound = a.strategy().equals("spin") ? 2e-6 : 40e-6;
        Duration estimate = seconds(JVM_SECONDS * (jvms(a, 2) + jvms(b, 2))
                + 2.0 * (blocks(plan) * k + warmupBlocks(plan) * latencyWarmupBlock(plan)) * perRound);
        String name = "topic latency 1->1 " + Figures.size(size) + ": " + a.label() + " / " + b.label()
                + " (paired)";
        return new Step(name, estimate, (Step.PairedBody) (p, log) -> measureLatency(p, log, size, a, b));
    }

    private static Step.Outcome measureLatency(Plan plan, PrintStream log, int size, Spec a, Spec b)
            throws IOException, InterruptedException {
        TopicRig rig = TopicRig.shared(pin(plan), plan.jvmOptions(), log);
        long k = latencyBlock(plan, a.strategy());
        List<Result> rows = new ArrayList<>();
        Paired.Run run;
        try (TopicSides.Latency sideA = TopicSides.Latency.start(rig, a, size);
             TopicSides.Latency sideB = TopicSides.Latency.start(rig, b, size)) {
            double[] ratesA = new double[warmupBlocks(plan)];
            double[] ratesB = new double[warmupBlocks(plan)];
            for (int i = 0; i < warmupBlocks(plan); i++) {
                ratesA[i] = sideA.block(k, false);
                ratesB[i] = sideB.block(k, false);
            }
            // the median warm-up block's pace (one block alone may have been preempted)
            long kA = calibrated(plan, k, k / Paired.estimate(ratesA).median());
            long kB = calibrated(plan, k, k / Paired.estimate(ratesB).median());
            run = Paired.alternate(() -> sideA.block(kA, true), () -> sideB.block(kB, true), blocks(plan));
            String common = "ping-pong over two topics of " + TopicRig.capacity(size) + " B (a to b, the echo b to"
                    + " a on a second topic of the same kind); blocks of " + k + " round trips after "
                    + warmupBlocks(plan) + " warm-up blocks, alternating with ";
            rows.add(sideA.row(rig.pinning(), a.waitNote() + "; " + common + b.label()));
            rows.add(sideB.row(rig.pinning(), b.waitNote() + "; " + common + a.label()));
        }
        PairedRatio ratio = PairedRatio.of(rows.get(0), rows.get(1), "p50", run, "", "each block's median round"
                + " trip; A and B alternate in blocks of " + k + " round trips");
        return new Step.Outcome(rows, List.of(ratio));
    }
}
