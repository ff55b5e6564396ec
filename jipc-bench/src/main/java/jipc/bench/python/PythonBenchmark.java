package jipc.bench.python;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicLong;

import jipc.bench.Crew;
import jipc.bench.Peers;
import jipc.bench.Pin;
import jipc.bench.channel.Rows;
import jipc.bench.report.Figures;
import jipc.bench.suite.Benchmark;
import jipc.bench.suite.Paired;
import jipc.bench.suite.PairedRatio;
import jipc.bench.suite.Plan;
import jipc.bench.suite.Result;
import jipc.bench.suite.Step;
import jipc.bench.suite.Warmup;
import jipc.channel.SharedChannel;
import jipc.shm.Memfd;

/**
 * {@code jipc bench} measurements of jipc from Python ({@code python/}, the package over the C twins) against what a
 * Python user would use instead, each step a paired comparison ({@link Paired#rotate}) of sides kept alive as
 * {@link Crew}s and turned through block by block, the idle ones blocked on their control pipes:
 *
 * <ul>
 *   <li>round trips, per latency size (quick and full: 64 B): Java pings and Python echoes over two jipc channels
 *       ({@code Java->Python jipc channel hybrid}), Python pings and Java echoes ({@code Python->Java ...}), and
 *       Python to a forked Python child over {@code multiprocessing.Pipe}, and in a full run also over
 *       {@code multiprocessing.Queue} and an AF_UNIX socket pair (rows without a goal; the quick run keeps the goal's
 *       three pairs, see {@link #localLatencyWays}). The goal: Pipe / jipc channel, both directions, at least 5 at
 *       64 B;</li>
 *   <li>throughput, per throughput size (64 B and 64 KiB; the quick run 64 KiB only): a Java producer to a Python consumer and to the C twin's
 *       consumer ({@code channel_crew.c}), a Python producer to a Java consumer, and in a full run from 4 KiB on the
 *       three Python to Python ways (the quick run leaves them out: at 64 KiB they took most of the
 *       step). Every consumer reads the 8-byte sequence number at the start of each message and checks it. The
 *       goal: Python consumer / C twin consumer at least 0.8 at 64 KiB (messages per second).</li>
 * </ul>
 * Every jipc end waits hybrid (Java's default, {@code WaitStrategy.hybrid()}: 1000 spins, then futex; the C twin 1000
 * pauses; the Python script re-checks {@code has_message()}/{@code offer} for as long as Java's 1000 spins take,
 * measured at setup, before the package's futex wait); the Python to Python ways block in the kernel. Skipped,
 * with a line saying why, without {@code python3}, {@code gcc} or {@code Python.h}. Run alone:
 * {@code ./jipc bench --only python}.
 */
public final class PythonBenchmark implements Benchmark {
    /** How long a crew may take to start (JVMs on a busy 2-core machine) and a block at most, beyond its messages. */
    static final Duration START_LIMIT = Duration.ofSeconds(120);
    static final Duration BLOCK_LIMIT = Duration.ofSeconds(60);
    /**
     * Estimates: one JVM starting, one Python interpreter starting (with the package), the rig's first use (gcc builds
     * the package's native part and the C consumer), a round trip, and a 64 KiB message of a Python to Python way
     * (multiprocessing.Queue: about 100 us).
     */
    static final double JVM_SECONDS = 0.8;
    static final double PYTHON_SECONDS = 0.2;
    static final double RIG_SECONDS = 8;
    static final double ROUND_TRIP_SECONDS = 60e-6;
    static final double LOCAL_MESSAGE_SECONDS = 100e-6;
    /**
     * From this size on the throughput step of a full run also runs the Python to Python ways (the goal's size is
     * 64 KiB).
     */
    static final int LOCAL_THROUGHPUT_FROM = 4096;

    /**
     * Whether the round-trip step also runs the Python to Python ways other than {@code multiprocessing.Pipe}
     * ({@code multiprocessing.Queue} and a unix socket pair): in a full run. Their rows check no goal (the goal is
     * Pipe / jipc channel, both directions, whose three pairs every run keeps) and the quick run leaves them out, as
     * its throughput steps leave out all the Python to Python ways: two Python pairs fewer to start, warm and turn
     * through.
     */
    static boolean localLatencyWays(Plan plan) {
        return !plan.quick();
    }

    static final String WAIT = "hybrid";
    static final String JAVA_TO_PYTHON = "Java->Python";
    static final String PYTHON_TO_JAVA = "Python->Java";
    static final String JAVA_TO_C = "Java->C twin";
    static final String CHANNEL = "jipc channel " + WAIT;

    private static final AtomicLong NAMES = new AtomicLong();

    @Override
    public String id() {
        return "python";
    }

    static boolean tiny(Plan plan) {
        return plan.rounds() < 1000;
    }

    /** Blocks per side: 20, or 40 in a full run; 4 for a smoke test's plan. */
    static int blocks(Plan plan) {
        return tiny(plan) ? 4 : plan.quick() ? 20 : 40;
    }

    /** The most warm-up blocks of a side: 10, or 20 in a full run; 1 for a smoke test's plan. */
    static int warmupBlocks(Plan plan) {
        return tiny(plan) ? 1 : plan.quick() ? 10 : 20;
    }

    /** When a side is warm ({@link Warmup}): the last 3 blocks' rates within 10 % of their median. */
    static Warmup.Rule warmup(Plan plan) {
        return Warmup.Rule.blocks(3, 0.10, Math.min(3, warmupBlocks(plan)), warmupBlocks(plan));
    }

    /** {@code "NAME stable after ...; NAME ..."}, for a note. */
    static String warmNotes(List<String> names, List<Warmup.Result> results) {
        List<String> notes = new ArrayList<>();
        for (int i = 0; i < names.size(); i++) {
            notes.add(names.get(i) + " " + results.get(i).describe());
        }
        return String.join("; ", notes);
    }

    /** Round trips per block: 100 (400 in a full run), each about 5 to 60 us; 20 for a smoke test. */
    static long latencyBlock(Plan plan) {
        return tiny(plan) ? 20 : plan.quick() ? 100 : 400;
    }

    /** Round trips per warm-up block of a pair with a JVM: 2 000, so the JIT has compiled the Java end. */
    static long latencyWarmupBlock(Plan plan) {
        return tiny(plan) ? 20 : 2000;
    }

    /** Messages per warm-up throughput block: 4 MiB of payload, 1 000 to 20 000 messages; 50 for a smoke test. */
    static long throughputBlock(Plan plan, int size) {
        return tiny(plan) ? 50 : Math.max(1000, Math.min(20_000, (4L << 20) / size));
    }

    /** How long a measured throughput block should last: 20 ms (50 ms in a full run). */
    static double blockSeconds(Plan plan) {
        return plan.quick() ? 0.020 : 0.050;
    }

    /** A side's measured block: {@link #blockSeconds} at its median warm-up pace, at least a warm-up block. */
    static long calibrated(Plan plan, long warmupCount, double rate) {
        if (tiny(plan)) {
            return warmupCount;
        }
        return Math.max(warmupCount, Math.min(4_000_000, Math.round(rate * blockSeconds(plan))));
    }

    /**
     * The plan's sizes, or for the plan's own defaults: round trips at 64 B; throughput at 64 B and 64 KiB in a full
     * run, at 64 KiB in the quick one (the goal's size: Python consumer / C twin consumer; the 64 B step, three more
     * crews to start and warm for rows without a goal, is the full run's).
     */
    static List<Integer> sizes(Plan plan, boolean latency) {
        Plan base = plan.quick() ? Plan.quickRun() : Plan.fullRun();
        List<Integer> asked = latency ? plan.latencySizes() : plan.throughputSizes();
        if (asked.equals(latency ? base.latencySizes() : base.throughputSizes())) {
            return latency ? List.of(64) : plan.quick() ? List.of(65536) : List.of(64, 65536);
        }
        return asked.stream().map(s -> Math.max(8, Math.min(s, 1 << 20))).distinct().toList();
    }

    /** A ring with room for 8 messages of {@code size}: at least 1 MiB. */
    static long capacity(int size) {
        return Math.max(1L << 20, Long.highestOneBit(8L * (size + 8) - 1) << 1);
    }

    @Override
    public List<Step> steps(Plan plan) {
        Optional<String> missing = PythonRig.missing();
        if (missing.isPresent()) {
            String line = "python: skipped: " + missing.get();
            return List.of(new Step(line, Duration.ZERO, (p, log) -> {
                log.println("  " + line);
                return List.of();
            }));
        }
        List<Step> steps = new ArrayList<>();
        double rig = RIG_SECONDS; // the first step builds the rig
        boolean ways = localLatencyWays(plan);
        for (int size : sizes(plan, true)) {
            int local = ways ? 3 : 1;
            long rounds = (long) blocks(plan) * latencyBlock(plan) * (2 + local) + warmupBlocks(plan)
                    * (2 * latencyWarmupBlock(plan) + local * latencyBlock(plan));
            steps.add(new Step("python latency " + Figures.size(size) + ": Java<->Python jipc channel, Python"
                    + " multiprocessing.Pipe" + (ways ? ", multiprocessing.Queue, unix socket" : "") + " (paired)",
                    seconds(rig + 2 * JVM_SECONDS + (1 + 2 * local) * PYTHON_SECONDS
                            + rounds * ROUND_TRIP_SECONDS),
                    (Step.PairedBody) (p, log) -> measureLatency(p, log, size)));
            rig = 0;
        }
        for (int size : sizes(plan, false)) {
            // the Python to Python ways at 64 KiB take most of the step (multiprocessing.Queue: ~4 000 msg/s):
            // full run only
            boolean local = size >= LOCAL_THROUGHPUT_FROM && !plan.quick();
            long k = throughputBlock(plan, size);
            double channelMessages = 3.0 * warmupBlocks(plan) * k;
            double localMessages = local ? 3.0 * (warmupBlocks(plan) + blocks(plan)) * k : 0;
            steps.add(new Step("python throughput " + Figures.size(size) + ": Java->Python, Java->C twin,"
                    + " Python->Java jipc channel" + (local ? ", Python multiprocessing.Pipe, multiprocessing.Queue,"
                    + " unix socket" : "") + " (paired)",
                    seconds(rig + 3 * JVM_SECONDS + (local ? 8 : 2) * PYTHON_SECONDS
                            + channelMessages * Math.max(1e-6, size * 1e-9) + 3 * blocks(plan) * blockSeconds(plan)
                            + localMessages * LOCAL_MESSAGE_SECONDS * size / 65536.0),
                    (Step.PairedBody) (p, log) -> measureThroughput(p, log, size, local)));
            rig = 0;
        }
        return steps;
    }

    private static Duration seconds(double s) {
        return Duration.ofMillis((long) (s * 1000));
    }

    private static Pin pin(Plan plan) {
        return plan.pin() == null ? null : new Pin(plan.pin()[0], plan.pin()[1]);
    }

    private static String name(String what) {
        return "/jipc-bench-py-" + ProcessHandle.current().pid() + "-" + NAMES.incrementAndGet() + "-" + what;
    }

    /** Channels made for one step, unlinked at its end whatever happens. */
    private static final class Channels implements AutoCloseable {
        private final List<SharedChannel> made = new ArrayList<>();

        String create(String what, int size) throws IOException {
            long capacity = capacity(size);
            SharedChannel channel = SharedChannel.create(name(what), capacity, (int) Math.min(capacity / 8 - 8,
                    Integer.MAX_VALUE - 64));
            made.add(channel);
            return channel.name();
        }

        @Override
        public void close() throws IOException {
            IOException failure = null;
            for (SharedChannel channel : made) {
                try {
                    channel.unlink();
                } catch (IOException e) {
                    failure = failure == null ? e : failure;
                } finally {
                    channel.close();
                }
            }
            if (failure != null) {
                throw failure;
            }
        }
    }

    // ---- round trips ------------------------------------------------------------------------------------------------

    /** A ping-pong crew: its member {@code pinger} times the round trips and appends them to {@code samples}. */
    static final class Latency implements AutoCloseable {
        final String implementation;
        final String mechanism;
        final boolean java;
        final Crew crew;
        final int pinger;
        final Path samples;
        int rounds;

        Latency(String implementation, String mechanism, boolean java, Crew crew, int pinger, Path samples) {
            this.implementation = implementation;
            this.mechanism = mechanism;
            this.java = java;
            this.crew = crew;
            this.pinger = pinger;
            this.samples = samples;
        }

        /** One block of {@code count} round trips; its median round trip (ns). Warm-up samples are dropped. */
        double block(long count, boolean measured) throws IOException {
            List<Crew.Report> reports = crew.block(count, BLOCK_LIMIT.plusNanos(count * 1_000_000L));
            if (measured) {
                rounds += (int) count;
            } else {
                Files.write(samples, new byte[0]);
            }
            return reports.get(pinger).p50();
        }

        Result row(int size, String pinning, String note) throws IOException {
            return Rows.latency(mechanism, implementation, size, Peers.readSamples(samples, rounds), pinning, note);
        }

        @Override
        public void close() throws IOException {
            crew.close();
        }
    }

    private static Step.Outcome measureLatency(Plan plan, PrintStream log, int size) throws IOException,
            InterruptedException {
        PythonRig rig = PythonRig.shared(pin(plan), plan.jvmOptions(), log);
        String s = String.valueOf(size);
        long k = latencyBlock(plan);
        List<Latency> sides = new ArrayList<>();
        List<Result> rows = new ArrayList<>();
        List<PairedRatio> ratios = new ArrayList<>();
        List<Path> samples = new ArrayList<>();
        boolean ways = localLatencyWays(plan);
        for (int i = 0; i < (ways ? 5 : 3); i++) {
            samples.add(Files.createTempFile(rig.work, "samples-", ".bin"));
        }
        try (Channels channels = new Channels(); Memfd unused = Memfd.create("jipc-bench-python", 4096)) {
            String jpOut = channels.create("jp-ab", size);
            String jpBack = channels.create("jp-ba", size);
            String pjOut = channels.create("pj-ab", size);
            String pjBack = channels.create("pj-ba", size);
            try {
                // side b (the echo) first, then side a (the pinger): crew member 1 times the round trips
                sides.add(new Latency(JAVA_TO_PYTHON, CHANNEL, true, Crew.launch("Java->Python channel", List.of(
                        rig.python(false, "echo", jpOut, jpBack, s, rig.wait(WAIT)),
                        rig.java(true, "ping", jpOut, jpBack, s, WAIT, samples.get(0).toString())), unused), 1,
                        samples.get(0)));
                sides.add(local(rig, "multiprocessing.Pipe", "pipe", s, samples.get(1), unused));
                sides.add(new Latency(PYTHON_TO_JAVA, CHANNEL, true, Crew.launch("Python->Java channel", List.of(
                        rig.java(false, "echo", pjOut, pjBack, s, WAIT),
                        rig.python(true, "ping", pjOut, pjBack, s, rig.wait(WAIT), samples.get(2).toString())),
                        unused), 1, samples.get(2)));
                if (ways) {
                    sides.add(local(rig, "multiprocessing.Queue", "queue", s, samples.get(3), unused));
                    sides.add(local(rig, "unix socket", "unix", s, samples.get(4), unused));
                }
                List<Warmup.Side> warm = new ArrayList<>();
                for (Latency side : sides) {
                    side.crew.awaitReady(START_LIMIT);
                    warm.add(Warmup.Side.fixed(n -> 1e9 / Math.max(1, side.block(n, false)), warmup(plan),
                            side.java ? latencyWarmupBlock(plan) : k));
                }
                String warmed = warmNotes(sides.stream().map(x -> x.implementation + " " + x.mechanism).toList(),
                        Warmup.roundRobin(warm));
                List<Paired.Side> turn = new ArrayList<>();
                for (Latency side : sides) {
                    turn.add(() -> side.block(k, true));
                }
                Paired.Rotation rotation = Paired.rotate(turn, blocks(plan));
                String common = "; " + size + " B each way; blocks of " + k + " round trips after warm-up blocks"
                        + " of " + latencyWarmupBlock(plan) + " (pairs with a JVM) or " + k + " until "
                        + warmup(plan).describe() + " (" + warmed + "); " + (ways ? "five" : "three") + " pairs alive,"
                        + " turned through in the order Java->Python channel, Pipe, Python->Java channel"
                        + (ways ? ", Queue, unix socket" : "") + " (the others blocked on their control pipes"
                        + (ways ? "" : "; multiprocessing.Queue and a unix socket pair: full run only") + ")";
                String channel = " over two jipc channels of " + capacity(size) + " B (named POSIX shared memory"
                        + " objects; Python attaches by name), offer then poll; Java waits WaitStrategy.hybrid() (1000"
                        + " spins, then futex), the Python script re-checks has_message() for as long as Java's 1000"
                        + " spins take (" + rig.spinNanos + " ns, measured at setup), then the package's futex wait"
                        + " (poll(timeout=None), GIL released)";
                rows.add(sides.get(0).row(size, rig.pinning(), "Java (side a) pings, Python echoes each message from"
                        + " the ring" + channel + common));
                rows.add(sides.get(1).row(size, rig.pinning(), "Python to a forked Python child (multiprocessing,"
                        + " fork) over multiprocessing.Pipe() (duplex: a socketpair) with send_bytes/recv_bytes_into"
                        + " (no pickling, the fastest way to use it); blocking" + selfPinned(rig) + common));
                rows.add(sides.get(2).row(size, rig.pinning(), "Python (side a) pings, Java echoes" + channel
                        + common));
                if (ways) {
                    rows.add(sides.get(3).row(size, rig.pinning(), "Python to a forked Python child over two"
                            + " multiprocessing.Queue()s of bytes (put pickles them in its feeder thread, get"
                            + " unpickles); blocking" + selfPinned(rig) + common));
                    rows.add(sides.get(4).row(size, rig.pinning(), "Python to a forked Python child over"
                            + " socket.socketpair(AF_UNIX, SOCK_STREAM), sendall/recv_into; blocking"
                            + selfPinned(rig) + common));
                }
                Result pipe = rows.get(1);
                String floor = String.format(Locale.ROOT, "Python multiprocessing.Pipe %s: p50 %s ns",
                        Figures.size(size), Figures.nanos(pipe.p50()));
                String note = "each block's median round trip; blocks of the same turn";
                ratios.add(PairedRatio.of(pipe, rows.get(0), "p50", rotation.ratio(1, 0), floor, note));
                ratios.add(PairedRatio.of(pipe, rows.get(2), "p50", rotation.ratio(1, 2), floor, note));
                ratios.forEach(r -> log.println("  paired " + r.name() + ": " + r.median() + " [" + r.low() + ", "
                        + r.high() + "]"));
            } finally {
                closeAll(sides, !rows.isEmpty());
                for (Path p : samples) {
                    Files.deleteIfExists(p);
                }
            }
        }
        return new Step.Outcome(rows, ratios);
    }

    private static Latency local(PythonRig rig, String mechanism, String kind, String size, Path samples,
            Memfd unused) throws IOException {
        return new Latency("Python", mechanism + " blocking", false, Crew.launch("Python " + mechanism, List.of(
                rig.pythonPair("local-ping", kind, size, samples.toString())), unused), 0, samples);
    }

    /** How a Python to Python crew member placed itself and its child, for notes. */
    private static String selfPinned(PythonRig rig) {
        return rig.pin == null ? "" : " (the script pins itself to CPU " + rig.pin.cpuA() + " and its child to CPU "
                + rig.pin.cpuB() + ")";
    }

    // ---- throughput -------------------------------------------------------------------------------------------------

    /**
     * A producer and a consumer as a crew (consumer first), or one Python member that forks its consumer; adds up what
     * its measured blocks did.
     */
    static final class Throughput implements AutoCloseable {
        final String implementation;
        final String mechanism;
        final boolean java;
        final int size;
        final Crew crew;
        long messages;
        long elapsed;
        long producerCpu;
        long consumerCpu;
        int blocks;

        Throughput(String implementation, String mechanism, boolean java, int size, Crew crew) {
            this.implementation = implementation;
            this.mechanism = mechanism;
            this.java = java;
            this.size = size;
            this.crew = crew;
        }

        /** One block of {@code count} messages; messages per second from the producer's start to the consumer's end. */
        double block(long count, boolean measured) throws IOException {
            List<Crew.Report> reports = crew.block(count, BLOCK_LIMIT.plusNanos(count * 100_000L));
            Crew.Report consumer = reports.getFirst();
            Crew.Report producer = reports.getLast();
            long nanos = Math.max(1, consumer.t1() - producer.t0());
            if (measured) {
                messages += count;
                elapsed += nanos;
                producerCpu += producer.cpu();
                consumerCpu += reports.size() > 1 ? consumer.cpu() : 0;
                blocks++;
            }
            return count * 1e9 / nanos;
        }

        Result row(String pinning, String note) {
            double rate = messages * 1e9 / elapsed;
            return new Result(mechanism, implementation, Result.Kind.THROUGHPUT, size, messages, Double.NaN,
                    Double.NaN, Double.NaN, Double.NaN, Double.NaN, Double.NaN, List.of(), rate, rate * size,
                    (double) producerCpu / messages, crew.size() > 1 ? (double) consumerCpu / messages : Double.NaN,
                    Double.NaN, pinning, note + "; " + blocks + " blocks");
        }

        @Override
        public void close() throws IOException {
            crew.close();
        }
    }

    private static Step.Outcome measureThroughput(Plan plan, PrintStream log, int size, boolean local)
            throws IOException, InterruptedException {
        PythonRig rig = PythonRig.shared(pin(plan), plan.jvmOptions(), log);
        String s = String.valueOf(size);
        long k = throughputBlock(plan, size);
        List<Throughput> sides = new ArrayList<>();
        List<Result> rows = new ArrayList<>();
        List<PairedRatio> ratios = new ArrayList<>();
        try (Channels channels = new Channels(); Memfd unused = Memfd.create("jipc-bench-python", 4096)) {
            String toPython = channels.create("to-py", size);
            String toC = channels.create("to-c", size);
            String toJava = channels.create("to-java", size);
            try {
                // the consumer (side b) first, then the producer (side a)
                sides.add(new Throughput(JAVA_TO_PYTHON, CHANNEL, true, size, Crew.launch("Java->Python channel",
                        List.of(rig.python(false, "recv", toPython, s, rig.wait(WAIT)), rig.java(true, "send",
                                toPython, s, WAIT)), unused)));
                sides.add(new Throughput(JAVA_TO_C, CHANNEL, true, size, Crew.launch("Java->C twin channel",
                        List.of(rig.c(false, "recv", toC, s, WAIT), rig.java(true, "send", toC, s, WAIT)), unused)));
                sides.add(new Throughput(PYTHON_TO_JAVA, CHANNEL, true, size, Crew.launch("Python->Java channel",
                        List.of(rig.java(false, "recv", toJava, s, WAIT), rig.python(true, "send", toJava, s,
                                rig.wait(WAIT))), unused)));
                if (local) {
                    for (String[] way : new String[][] {{"multiprocessing.Pipe", "pipe"},
                        {"multiprocessing.Queue", "queue"}, {"unix socket", "unix"}}) {
                        sides.add(new Throughput("Python", way[0] + " blocking", false, size, Crew.launch("Python "
                                + way[0], List.of(rig.pythonPair("local-send", way[1], s)), unused)));
                    }
                }
                List<Warmup.Side> warm = new ArrayList<>();
                for (Throughput side : sides) {
                    side.crew.awaitReady(START_LIMIT);
                    warm.add(Warmup.Side.fixed(n -> side.block(n, false), warmup(plan), k));
                }
                List<Warmup.Result> warmed = Warmup.roundRobin(warm);
                List<Paired.Side> turn = new ArrayList<>();
                List<Long> counts = new ArrayList<>();
                for (int side = 0; side < sides.size(); side++) {
                    // the median of the last warm-up blocks' pace (one block alone may have been preempted)
                    long count = calibrated(plan, k, warmed.get(side).rate());
                    Throughput t = sides.get(side);
                    counts.add(count);
                    turn.add(() -> t.block(count, true));
                }
                Paired.Rotation rotation = Paired.rotate(turn, blocks(plan));
                String common = "; " + size + " B messages, each one's 8-byte sequence number read and checked by"
                        + " the consumer; msg/s from the producer's start to the consumer's end of each block; "
                        + "warm-up blocks of " + k + " messages until " + warmup(plan).describe() + " ("
                        + warmNotes(sides.stream().map(x -> x.implementation + " " + x.mechanism).toList(), warmed)
                        + "), then blocks of about "
                        + Math.round(blockSeconds(plan) * 1000) + " ms (";
                String turnNote = " messages); " + sides.size() + " pairs alive, turned through in the order"
                        + " Java->Python, Java->C twin, Python->Java" + (local ? ", Pipe, Queue, unix socket" : "")
                        + " (the others blocked on their control pipes)";
                String channel = " over a jipc channel of " + capacity(size) + " B (a named POSIX shared memory"
                        + " object); ";
                String javaSends = "the Java producer offers (put with WaitStrategy.hybrid() when full)";
                rows.add(sides.get(0).row(rig.pinning(), "Java producer to a Python consumer" + channel + javaSends
                        + "; the Python consumer polls with a handler that reads the sequence number"
                        + " (struct.unpack_from), re-checking has_message() for " + rig.spinNanos + " ns (Java's 1000"
                        + " spins), then futex" + common
                        + counts.get(0) + turnNote));
                rows.add(sides.get(1).row(rig.pinning(), "the baseline: Java producer to the C twin's consumer"
                        + " (channel_crew.c: jipc_channel_poll with a handler that reads the sequence number; 1000"
                        + " pauses, then jipc_channel_wait_message)" + channel + javaSends + common + counts.get(1)
                        + turnNote));
                rows.add(sides.get(2).row(rig.pinning(), "Python producer (offer of a bytearray: one copy; on a full"
                        + " ring offers for " + rig.spinNanos + " ns, then put) to a Java consumer (poll,"
                        + " WaitStrategy.hybrid())" + channel.replace("; ", "") + common + counts.get(2) + turnNote));
                if (local) {
                    String child = "Python to a forked Python child (multiprocessing, fork) that reads each message's"
                            + " sequence number and answers once it has the block; CPU send is the parent's, the"
                            + " child's is not measured";
                    rows.add(sides.get(3).row(rig.pinning(), child + "; multiprocessing.Pipe() (a socketpair),"
                            + " send_bytes/recv_bytes_into; blocking" + selfPinned(rig) + common + counts.get(3)
                            + turnNote));
                    rows.add(sides.get(4).row(rig.pinning(), child + "; multiprocessing.Queue() of bytes (pickled"
                            + " by its feeder thread); blocking" + selfPinned(rig) + common + counts.get(4)
                            + turnNote));
                    rows.add(sides.get(5).row(rig.pinning(), child + "; socket.socketpair(AF_UNIX, SOCK_STREAM),"
                            + " sendall/recv_into; blocking" + selfPinned(rig) + common + counts.get(5) + turnNote));
                }
                Result c = rows.get(1);
                String floor = String.format(Locale.ROOT, "Java->C twin %s: %s msg/s, %s MB/s", Figures.size(size),
                        Figures.rate(c.messagesPerSecond()), Figures.megabytes(c.bytesPerSecond()));
                ratios.add(PairedRatio.of(rows.get(0), c, "msg/s", rotation.ratio(0, 1), floor, "each block's"
                        + " msg/s; the two consumers' blocks adjacent in the turn, the same Java producer"));
                ratios.forEach(r -> log.println("  paired " + r.name() + ": " + r.median() + " [" + r.low() + ", "
                        + r.high() + "]; " + floor));
            } finally {
                closeAll(sides, !rows.isEmpty());
            }
        }
        return new Step.Outcome(rows, ratios);
    }

    /** Closes every crew; the first failure is thrown only if the step measured something (else it hides nothing). */
    private static void closeAll(List<? extends AutoCloseable> sides, boolean measured) throws IOException {
        IOException failure = null;
        for (AutoCloseable side : sides) {
            try {
                side.close();
            } catch (IOException e) {
                failure = failure == null ? e : failure;
            } catch (Exception e) {
                failure = failure == null ? new IOException(e) : failure;
            }
        }
        if (failure != null && measured) {
            throw failure;
        }
    }
}
