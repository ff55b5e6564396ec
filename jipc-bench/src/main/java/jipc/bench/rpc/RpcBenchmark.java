package jipc.bench.rpc;

import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.concurrent.atomic.AtomicLong;

import jipc.bench.CProgram;
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
import jipc.rpc.SharedRpc;
import jipc.shm.Memfd;

/**
 * {@code jipc bench} measurements of request/response ({@link jipc.rpc}) between two processes, in one step per size
 * that keeps six pairs alive and turns through them block by block ({@link Paired#rotate}): jipc rpc (Java client and
 * service) waiting hybrid (its default) and waiting with futex only, the C twin's rpc ({@code jipc_rpc.c}), the floor (a raw C futex ping-pong: a word stored and always
 * {@code FUTEX_WAKE}d, the other side asleep in {@code FUTEX_WAIT}), and a request/response over an AF_UNIX stream
 * socket in C ({@code write}/{@code read}) and in the JDK ({@code SocketChannel}; not in the quick run with its own sizes,
 * {@link #jdkSocket}). Every pair answers a request of
 * SIZE bytes with SIZE bytes. Paired ratios: jipc rpc futex / raw futex (the goal: at most 1.2; adjacent in the
 * turn), jipc rpc hybrid / raw futex, C rpc / raw futex, and JDK socket / C socket. Run alone: {@code ./jipc bench --only rpc}.
 */
public final class RpcBenchmark implements Benchmark {
    private static final String C_PROGRAM = "rpc_bench";
    private static final String[] C_TWIN = {"jipc_rpc.c", "jipc_rpc.h", "jipc_channel.c", "jipc_channel.h",
        "jipc_live.c", "jipc_live.h"};
    private static final Duration START_LIMIT = Duration.ofSeconds(120);
    private static final AtomicLong NAMES = new AtomicLong();
    private static final Object LOCK = new Object();
    private static Rig shared;

    @Override
    public String id() {
        return "rpc";
    }

    /** Blocks per pair: 20, or 40 in a full run; 4 for a smoke test's plan (under 1000 round trips). */
    static int blocks(Plan plan) {
        return tiny(plan) ? 4 : plan.quick() ? 20 : 40;
    }

    /** The most warm-up blocks of a Java pair: 10, or 20 in a full run; 1 for a smoke test's plan. */
    static int warmupBlocks(Plan plan) {
        return tiny(plan) ? 1 : plan.quick() ? 10 : 20;
    }

    /** When a Java pair is warm ({@link Warmup}): the last 3 blocks' rates within 10 % of their median. */
    static Warmup.Rule javaWarmup(Plan plan) {
        return Warmup.Rule.blocks(3, 0.10, Math.min(3, warmupBlocks(plan)), warmupBlocks(plan));
    }

    /** Round trips per block: 100 (400 in a full run), each about 20-40 us; 20 for a smoke test. */
    static long block(Plan plan) {
        return tiny(plan) ? 20 : plan.quick() ? 100 : 400;
    }

    static boolean tiny(Plan plan) {
        return plan.rounds() < 1000;
    }

    /**
     * Round trips per warm-up block of a Java pair: 2 000, so the Java peers make 20 000 calls (40 000 in a full run)
     * before the first measured block. With 100 per block (1 000 calls) a profile of the Java futex pair still showed C2 compiling and
     * interpreted frames in the measured blocks, and its compiler thread competing with the woken thread for the
     * pinned core.
     */
    static long warmupBlock(Plan plan) {
        return tiny(plan) ? 20 : 2000;
    }

    /**
     * Whether the step runs the JDK's unix-socket request/response pair: not in the quick run with its own sizes
     * ({@link Plan#quickDefaults}). Its row and its ratio to the C socket pair check no goal, and it cost two JVMs and
     * the slowest Java warm-up of the step (blocks of 2 000 round trips of some 25-60 us); the C socket pair stays as
     * the step's socket baseline, and the rpc goal (jipc rpc futex / raw futex) is unchanged.
     */
    static boolean jdkSocket(Plan plan) {
        return !plan.quickDefaults();
    }

    /** The plan's latency sizes, or for the plan's own defaults: quick 64 B; full 64 B and 4 KiB. */
    static List<Integer> sizes(Plan plan) {
        Plan base = plan.quick() ? Plan.quickRun() : Plan.fullRun();
        if (plan.latencySizes().equals(base.latencySizes())) {
            return plan.quick() ? List.of(64) : List.of(64, 4096);
        }
        return plan.latencySizes().stream().map(s -> Math.max(8, Math.min(s, 65536))).distinct().toList();
    }

    @Override
    public List<Step> steps(Plan plan) {
        List<Step> steps = new ArrayList<>();
        for (int size : sizes(plan)) {
            int java = jdkSocket(plan) ? 3 : 2;
            long rounds = (3L + java) * blocks(plan) * block(plan) + warmupBlocks(plan) * (java * warmupBlock(plan)
                    + 3 * block(plan));
            steps.add(new Step("rpc latency " + Figures.size(size) + ": jipc rpc, C rpc, C raw futex, C"
                    + (jdkSocket(plan) ? " and JDK" : "") + " unix socket (paired)",
                    Duration.ofMillis((long) (1000 * (2 * java * 0.8 + rounds * 40e-6))),
                    (Step.PairedBody) (p, log) -> measure(p, log, size)));
        }
        return steps;
    }

    /** The C program, the Java peers' command, the pinning: made once per JVM. */
    record Rig(Path work, CProgram c, Pin pin, Pin asked, List<String> jvmOptions, List<String> java) {
        List<String> c(boolean client, String... args) {
            List<String> command = new ArrayList<>(List.of(c.executable().toString()));
            command.addAll(List.of(args));
            return Peers.pinned(pin, client, command);
        }

        List<String> java(boolean client, String... args) {
            List<String> command = new ArrayList<>(java);
            command.addAll(List.of(args));
            return Peers.pinned(pin, client, command);
        }

        String pinning() {
            return pin == null ? "none" : "cpu " + pin.cpuA() + "," + pin.cpuB();
        }
    }

    static Rig rig(Plan plan, PrintStream log) throws IOException, InterruptedException {
        Pin pin = plan.pin() == null ? null : new Pin(plan.pin()[0], plan.pin()[1]);
        synchronized (LOCK) {
            if (shared == null || !Objects.equals(shared.asked(), pin) || !shared.jvmOptions().equals(
                    plan.jvmOptions())) {
                Path work = Files.createTempDirectory("jipc-bench-rpc-");
                CProgram c = CProgram.compile(C_PROGRAM, work, C_TWIN);
                Rig rig = new Rig(work, c, Peers.pinning(pin, log), pin, plan.jvmOptions(),
                        Peers.javaCommand(RpcPeer.class, plan.jvmOptions()));
                log.println("  C peers: " + c.compiler() + ": " + String.join(" ", c.compileCommand()));
                log.println("  Java peers: " + String.join(" ", rig.java()) + " ...");
                Runtime.getRuntime().addShutdownHook(new Thread(() -> {
                    try {
                        Peers.deleteTree(work);
                    } catch (IOException | UncheckedIOException e) {
                        // the temporary directory stays behind
                    }
                }));
                shared = rig;
            }
            return shared;
        }
    }

    /** A client and a server kept alive as a crew (server first), run in blocks of round trips. */
    static final class Pair implements AutoCloseable {
        final String implementation;
        final String mechanism;
        final Crew crew;
        final Path samples;
        int rounds;

        Pair(String implementation, String mechanism, Crew crew, Path samples) {
            this.implementation = implementation;
            this.mechanism = mechanism;
            this.crew = crew;
            this.samples = samples;
        }

        double block(long count, boolean measured) throws IOException {
            List<Crew.Report> reports = crew.block(count, Duration.ofSeconds(60).plusNanos(count * 1_000_000L));
            if (measured) {
                rounds += (int) count;
            } else {
                Files.write(samples, new byte[0]);
            }
            return reports.get(1).p50();
        }

        Result row(int size, String pinning, String note) throws IOException {
            return Rows.latency(mechanism, implementation, size, Peers.readSamples(samples, rounds), pinning, note);
        }

        @Override
        public void close() throws IOException {
            crew.close();
        }
    }

    private static Step.Outcome measure(Plan plan, PrintStream log, int size) throws IOException,
            InterruptedException {
        Rig rig = rig(plan, log);
        String s = String.valueOf(size);
        String name = "/jipc-bench-rpc-" + ProcessHandle.current().pid() + "-" + NAMES.incrementAndGet();
        long capacity = Math.max(1L << 16, Long.highestOneBit(8L * (size + 32) - 1) << 1);
        Path socketC = rig.work().resolve("c-" + NAMES.incrementAndGet() + ".sock");
        Path socketJdk = rig.work().resolve("jdk-" + NAMES.incrementAndGet() + ".sock");
        List<Path> samples = new ArrayList<>();
        boolean jdk = jdkSocket(plan);
        for (int i = 0; i < (jdk ? 6 : 5); i++) {
            samples.add(Files.createTempFile(rig.work(), "samples-", ".bin"));
        }
        List<Pair> pairs = new ArrayList<>();
        List<Result> rows = new ArrayList<>();
        List<PairedRatio> ratios = new ArrayList<>();
        long k = block(plan);
        try (SharedRpc hybridRpc = SharedRpc.create(name + "-jh", 1, capacity, capacity);
             SharedRpc futexRpc = SharedRpc.create(name + "-jf", 1, capacity, capacity);
             SharedRpc cRpc = SharedRpc.create(name + "-c", 1, capacity, capacity);
             Memfd futex = Memfd.create("jipc-bench-futex", 4096 + 2 * ((size + 4095) & ~4095L))) {
            try {
                pairs.add(new Pair("jipc", "rpc hybrid", Crew.launch("jipc rpc hybrid", List.of(
                        rig.java(false, "rpc-service", s, hybridRpc.name()),
                        rig.java(true, "rpc-client", s, hybridRpc.name(), samples.get(0).toString())), futex),
                        samples.get(0)));
                pairs.add(new Pair("jipc", "rpc futex", Crew.launch("jipc rpc futex", List.of(
                        rig.java(false, "rpc-service-futex", s, futexRpc.name()),
                        rig.java(true, "rpc-client-futex", s, futexRpc.name(), samples.get(1).toString())), futex),
                        samples.get(1)));
                pairs.add(new Pair("C", "raw futex ping-pong", Crew.launch("C raw futex", List.of(
                        rig.c(false, "futex-b", s), rig.c(true, "futex-a", s, samples.get(2).toString())), futex),
                        samples.get(2)));
                pairs.add(new Pair("C", "rpc futex", Crew.launch("C rpc", List.of(
                        rig.c(false, "rpc-service", s, cRpc.name()),
                        rig.c(true, "rpc-client", s, cRpc.name(), samples.get(3).toString())), futex),
                        samples.get(3)));
                pairs.add(new Pair("C", "unix socket request/response", Crew.launch("C unix socket", List.of(
                        rig.c(false, "unix-server", s, socketC.toString()),
                        rig.c(true, "unix-client", s, socketC.toString(), samples.get(4).toString())), futex),
                        samples.get(4)));
                if (jdk) {
                    pairs.add(new Pair("JDK", "unix socket request/response", Crew.launch("JDK unix socket",
                            List.of(rig.java(false, "unix-server", s, socketJdk.toString()), rig.java(true,
                                    "unix-client", s, socketJdk.toString(), samples.get(5).toString())), futex),
                            samples.get(5)));
                }
                List<Warmup.Side> warm = new ArrayList<>();
                for (Pair pair : pairs) {
                    // launched one after the other without waiting: the crews started at once
                    pair.crew.awaitReady(START_LIMIT);
                    // the C pairs need no JIT: one warm-up block of the measured size
                    boolean c = pair.implementation.equals("C");
                    warm.add(Warmup.Side.fixed(n -> 1e9 / Math.max(1, pair.block(n, false)), c ? Warmup.Rule.ONCE
                            : javaWarmup(plan), c ? k : warmupBlock(plan)));
                }
                List<Warmup.Result> warmed = Warmup.roundRobin(warm);
                List<String> warmNotes = new ArrayList<>();
                for (int i = 0; i < pairs.size(); i++) {
                    warmNotes.add(pairs.get(i).implementation + " " + pairs.get(i).mechanism + " "
                            + warmed.get(i).describe());
                }
                List<Paired.Side> sides = new ArrayList<>();
                for (Pair pair : pairs) {
                    sides.add(() -> pair.block(k, true));
                }
                Paired.Rotation rotation = Paired.rotate(sides, blocks(plan));
                String common = "; " + size + " B request, " + size + " B response; client on side a, server on"
                        + " side b; blocks of " + k + " round trips after warm-up blocks of " + warmupBlock(plan)
                        + " (Java pairs, until " + javaWarmup(plan).describe() + ") or one of " + k + " (C pairs): "
                        + String.join(", ", warmNotes) + ";"
                        + (jdk ? " six" : " five") + " pairs alive, turned through in the order jipc rpc hybrid, jipc"
                        + " rpc futex, raw futex, C rpc, C socket" + (jdk ? ", JDK socket" : "") + " (the others"
                        + " blocked on their control pipes" + (jdk ? "" : "; the JDK socket pair: full run only") + ")";
                String jipc = "jipc.rpc: RpcClient.call (request copied once, response read in place) to"
                        + " RpcService.poll answering with Responder.respond; ";
                rows.add(pairs.get(0).row(size, rig.pinning(), jipc + "client and service wait hybrid, jipc.rpc's"
                        + " default: 1000 spins, then FUTEX_WAIT" + common));
                rows.add(pairs.get(1).row(size, rig.pinning(), jipc + "client and service sleep in FUTEX_WAIT at"
                        + " once (RpcClient/RpcService.waitStrategy(WaitStrategy.futex()))" + common));
                rows.add(pairs.get(2).row(size, rig.pinning(), "the floor: SIZE bytes copied into shared memory, a"
                        + " 32-bit word stored (release) and always FUTEX_WAKEd; the other side sleeps in FUTEX_WAIT on"
                        + " it and answers the same way" + common));
                rows.add(pairs.get(3).row(size, rig.pinning(), "the C twin jipc_rpc.c: jipc_rpc_call (request and"
                        + " response copied) to jipc_rpc_service_poll; both sleep in FUTEX_WAIT at once"
                        + " (jipc_channel_wait_message)" + common));
                rows.add(pairs.get(4).row(size, rig.pinning(), "write(2) SIZE bytes, read(2) SIZE bytes back;"
                        + " blocking" + common));
                if (jdk) {
                    rows.add(pairs.get(5).row(size, rig.pinning(), "JDK SocketChannel (UNIX family, blocking) with"
                            + " a direct buffer" + common));
                }
                Result floorRow = rows.get(2);
                String floor = String.format(Locale.ROOT, "C raw futex ping-pong %s: p50 %s ns",
                        Figures.size(size), Figures.nanos(floorRow.p50()));
                String note = "each block's median round trip; blocks of the same turn";
                ratios.add(PairedRatio.of(rows.get(1), floorRow, "p50", rotation.ratio(1, 2), floor, note));
                ratios.add(PairedRatio.of(rows.get(0), floorRow, "p50", rotation.ratio(0, 2), floor, note));
                ratios.add(PairedRatio.of(rows.get(3), floorRow, "p50", rotation.ratio(3, 2), floor, note));
                if (jdk) {
                    ratios.add(PairedRatio.of(rows.get(5), rows.get(4), "p50", rotation.ratio(5, 4), floor, note));
                }
            } finally {
                IOException failure = null;
                for (Pair pair : pairs) {
                    try {
                        pair.close();
                    } catch (IOException e) {
                        failure = failure == null ? e : failure;
                    }
                }
                hybridRpc.unlink();
                futexRpc.unlink();
                cRpc.unlink();
                for (Path p : samples) {
                    Files.deleteIfExists(p);
                }
                Files.deleteIfExists(socketC);
                Files.deleteIfExists(socketJdk);
                if (failure != null && !rows.isEmpty()) {
                    throw failure;
                }
            }
        }
        return new Step.Outcome(rows, ratios);
    }
}
