package jipc.bench;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.LongBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.stream.Stream;

import jipc.process.ChildProcess;
import jipc.process.ExitStatus;
import jipc.process.Spawn;
import jipc.shm.Mapping;
import jipc.shm.Memfd;
import jipc.sync.Semaphore;

import org.HdrHistogram.Histogram;

/**
 * The cross-process hand-off harness: two processes pass a turn back and forth over two binary {@link Semaphore}s in
 * a shared memfd (a releases S1, b acquires S1 and releases S2, a acquires S2: one round trip), once as two JVMs
 * running jipc ({@link HandoffPeer}), then twice as two C processes doing the same on the same words with raw futex
 * calls ({@code futex_pingpong.c}): without spinning, and spinning before each sleep as jipc does. All in one run,
 * so a noisy machine still gives fair ratios.
 *
 * <p>Both pairs are children of this JVM, started the same way: side b first, then side a, each with the memfd at
 * fd 3, optionally under {@code taskset -c CPU}. Side a times every measured round trip with the monotonic clock
 * ({@code System.nanoTime} / {@code clock_gettime(CLOCK_MONOTONIC)}) and hands the raw times back in a file; this
 * JVM records them in an {@link Histogram HdrHistogram} (3 significant digits). Round trips are back to back (a
 * closed loop with no intended send times), so there is no coordinated omission to correct.
 */
public final class Handoff {
    private static final String C_PROGRAM = "futex_pingpong";

    /** The histograms of one run: jipc, C without spinning, C spinning {@code cSpins} times. */
    record Result(Histogram jipc, Histogram cRaw, Histogram cSpin) {
    }

    private Handoff() {
    }

    /** Runs the harness from the command line; returns the exit code: 0, 64 for bad usage, 74 when a run fails. */
    static int main(String[] args, PrintStream out, PrintStream err) throws IOException, InterruptedException {
        HandoffOptions options;
        try {
            options = HandoffOptions.parse(args);
        } catch (IllegalArgumentException e) {
            err.println("handoff: " + e.getMessage());
            err.println(HandoffOptions.USAGE);
            return 64;
        }
        try {
            run(options, out);
            return 0;
        } catch (IOException e) {
            out.println();
            err.println("handoff: " + e.getMessage());
            return 74; // sysexits EX_IOERR: a peer, gcc or a system call failed
        }
    }

    /** Runs the three pairs, prints the setup and the table to {@code out}, and returns the histograms. */
    static Result run(HandoffOptions options, PrintStream out) throws IOException, InterruptedException {
        Path work = Files.createTempDirectory("jipc-bench-");
        try {
            out.println("Cross-process hand-off: 2 processes, 2 binary semaphores in a shared memfd (S1 at +"
                    + HandoffPeer.S1_OFFSET + ", S2 at +" + HandoffPeer.S2_OFFSET + ")");
            out.println("  rounds: " + options.rounds() + " measured after " + options.warmup() + " warm-up");
            out.println("  machine: " + Machine.describe());
            HandoffOptions.Pin pin = pinning(options, out);

            CProgram c = CProgram.compile(C_PROGRAM, work);
            List<String> javaPeer = javaPeerCommand(options);
            out.println("  Java peers: " + String.join(" ", javaPeer) + " a|b ...");
            out.println("  C peers: " + c.compiler() + ": " + String.join(" ", c.compileCommand()));
            out.println("  C pairs: a raw futex ping-pong (no spin), and one spinning " + options.cSpins()
                    + " times before each FUTEX_WAIT (jipc's Semaphore spins 100 times)");

            String warmup = String.valueOf(options.warmup());
            String rounds = String.valueOf(options.rounds());
            Path javaSamples = work.resolve("jipc.samples");
            Histogram jipc = runPair(out, "jipc", options,
                    pinned(pin, true, concat(javaPeer, "a", warmup, rounds, javaSamples.toString())),
                    pinned(pin, false, concat(javaPeer, "b", warmup, rounds)), javaSamples);

            Histogram cRaw = runC(out, "C raw futex", options, pin, c, 0, work);
            Histogram cSpin = runC(out, "C spin+futex", options, pin, c, options.cSpins(), work);

            out.println();
            HandoffTable.print(out, List.of(
                    new HandoffTable.Row("jipc Semaphore (Java <-> Java)", jipc),
                    new HandoffTable.Row("C futex, no spin", cRaw),
                    new HandoffTable.Row("C futex, " + options.cSpins() + " spins", cSpin)));
            return new Result(jipc, cRaw, cSpin);
        } finally {
            deleteTree(work);
        }
    }

    /** Runs the C pair with {@code spins} re-reads before each FUTEX_WAIT. */
    private static Histogram runC(PrintStream out, String name, HandoffOptions options, HandoffOptions.Pin pin,
            CProgram c, long spins, Path work) throws IOException, InterruptedException {
        Path samples = work.resolve("c-" + spins + ".samples");
        List<String> common = List.of(String.valueOf(options.warmup()), String.valueOf(options.rounds()),
                String.valueOf(spins), String.valueOf(HandoffPeer.S1_OFFSET), String.valueOf(HandoffPeer.S2_OFFSET));
        List<String> a = concat(List.of(c.executable().toString(), "a"), common.toArray(String[]::new));
        a.add(samples.toString());
        List<String> b = concat(List.of(c.executable().toString(), "b"), common.toArray(String[]::new));
        return runPair(out, name, options, pinned(pin, true, a), pinned(pin, false, b), samples);
    }

    /** The CPUs to pin to, or {@code null}; says so in the output either way. */
    private static HandoffOptions.Pin pinning(HandoffOptions options, PrintStream out) {
        HandoffOptions.Pin pin = options.pin();
        if (pin == null) {
            out.println("  pinning: none (the scheduler places both processes; use --pin A,B to pin)");
            return null;
        }
        if (findOnPath("taskset").isEmpty()) {
            out.println("  pinning: none (--pin " + pin.cpuA() + "," + pin.cpuB()
                    + " asked for it, but taskset is not on PATH)");
            return null;
        }
        out.println("  pinning: side a on CPU " + pin.cpuA() + ", side b on CPU " + pin.cpuB()
                + (pin.cpuA() == pin.cpuB() ? " (same core)" : " (different cores)") + ", with taskset -c");
        return pin;
    }

    /** This JVM's java and class path, native access, and the peer's fixed flags; no TieredStopAtLevel here. */
    private static List<String> javaPeerCommand(HandoffOptions options) {
        List<String> command = new ArrayList<>();
        command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        command.add("--enable-native-access=ALL-UNNAMED");
        // One GC thread and no concurrent GC work: the loops allocate nothing, and the machine may have 2 cores.
        command.add("-XX:+UseSerialGC");
        command.addAll(options.jvmOptions());
        command.add("-cp");
        command.add(System.getProperty("java.class.path"));
        command.add(HandoffPeer.class.getName());
        return command;
    }

    /** {@code command} under {@code taskset -c CPU} of side a ({@code sideA}) or side b, or as it is. */
    private static List<String> pinned(HandoffOptions.Pin pin, boolean sideA, List<String> command) {
        if (pin == null) {
            return command;
        }
        int cpu = sideA ? pin.cpuA() : pin.cpuB();
        return concat(List.of("taskset", "-c", String.valueOf(cpu)), command.toArray(String[]::new));
    }

    /**
     * Creates the memfd and both semaphores, starts side b then side a, waits for both, and reads a's samples.
     *
     * @throws IOException if a side fails or the pair takes far longer than any sane run (both are killed then)
     */
    static Histogram runPair(PrintStream out, String name, HandoffOptions options, List<String> sideA,
            List<String> sideB, Path samples) throws IOException, InterruptedException {
        long total = options.warmup() + options.rounds();
        Duration limit = Duration.ofSeconds(120).plusNanos(total * 500_000L);
        out.print("  running " + name + " pair ... ");
        out.flush();
        long started = System.nanoTime();
        try (Memfd memfd = Memfd.create("jipc-bench-handoff", HandoffPeer.SEGMENT_SIZE);
             Mapping mapping = memfd.map()) {
            Semaphore.createBinary(mapping.segment(), HandoffPeer.S1_OFFSET, false);
            Semaphore.createBinary(mapping.segment(), HandoffPeer.S2_OFFSET, false);
            try (ChildProcess b = Spawn.command(sideB).nullFd(0).shareFd(HandoffPeer.SHM_FD, memfd).start();
                 ChildProcess a = Spawn.command(sideA).nullFd(0).shareFd(HandoffPeer.SHM_FD, memfd).start()) {
                awaitBoth(name, a, b, System.nanoTime() + limit.toNanos());
            }
        }
        out.printf("%.1f s%n", (System.nanoTime() - started) / 1e9);
        return readSamples(samples, options.rounds());
    }

    /** Waits for both sides to succeed; a failure of either (or the deadline) ends the wait at once. */
    private static void awaitBoth(String name, ChildProcess a, ChildProcess b, long deadline)
            throws IOException {
        Duration slice = Duration.ofMillis(100);
        while (a.exitStatus().isEmpty() || b.exitStatus().isEmpty()) {
            for (ChildProcess side : List.of(a, b)) {
                Optional<ExitStatus> status = side.waitFor(side == a ? slice : Duration.ZERO);
                if (status.isPresent() && !status.get().success()) {
                    throw new IOException(name + " side " + (side == a ? "a" : "b") + " failed: " + status.get()
                            + " (" + side + ")");
                }
            }
            if (System.nanoTime() - deadline > 0) {
                throw new IOException(name + " pair did not finish in time: a " + a.exitStatus().map(
                        String::valueOf).orElse("running") + ", b " + b.exitStatus().map(String::valueOf)
                        .orElse("running"));
            }
        }
    }

    /** The samples file as written by side a: little-endian int64 nanoseconds, one per measured round trip. */
    static Histogram readSamples(Path file, int rounds) throws IOException {
        byte[] bytes = Files.readAllBytes(file);
        if (bytes.length != (long) rounds * Long.BYTES) {
            throw new IOException(file + " has " + bytes.length + " bytes, expected " + rounds + " samples of 8");
        }
        LongBuffer values = ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN).asLongBuffer();
        Histogram histogram = new Histogram(3);
        while (values.hasRemaining()) {
            long value = values.get();
            if (value < 0) {
                throw new IOException(file + ": negative round trip " + value + " ns (clock went backwards?)");
            }
            histogram.recordValue(value);
        }
        return histogram;
    }

    private static List<String> concat(List<String> head, String... tail) {
        List<String> all = new ArrayList<>(head);
        all.addAll(List.of(tail));
        return all;
    }

    private static Optional<Path> findOnPath(String program) {
        String path = System.getenv("PATH");
        if (path == null) {
            return Optional.empty();
        }
        return Stream.of(path.split(":")).filter(dir -> !dir.isEmpty()).map(dir -> Path.of(dir, program))
                .filter(Files::isExecutable).findFirst();
    }

    private static void deleteTree(Path root) throws IOException {
        try (Stream<Path> paths = Files.walk(root)) {
            for (Path p : paths.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(p);
            }
        }
    }
}
