package jipc.bench;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

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
            Pin pin = Peers.pinning(options.pin(), out);

            CProgram c = CProgram.compile(C_PROGRAM, work);
            List<String> javaPeer = Peers.javaCommand(HandoffPeer.class, options.jvmOptions());
            out.println("  Java peers: " + String.join(" ", javaPeer) + " a|b ...");
            out.println("  C peers: " + c.compiler() + ": " + String.join(" ", c.compileCommand()));
            out.println("  C pairs: a raw futex ping-pong (no spin), and one spinning " + options.cSpins()
                    + " times before each FUTEX_WAIT (jipc's Semaphore spins 100 times)");

            String warmup = String.valueOf(options.warmup());
            String rounds = String.valueOf(options.rounds());
            Path javaSamples = work.resolve("jipc.samples");
            Histogram jipc = runPair(out, "jipc", options,
                    Peers.pinned(pin, true, Peers.concat(javaPeer, "a", warmup, rounds, javaSamples.toString())),
                    Peers.pinned(pin, false, Peers.concat(javaPeer, "b", warmup, rounds)), javaSamples);

            Histogram cRaw = runC(out, "C raw futex", options, pin, c, 0, work);
            Histogram cSpin = runC(out, "C spin+futex", options, pin, c, options.cSpins(), work);

            out.println();
            LatencyTable.Row jipcRow = new LatencyTable.Row("jipc Semaphore (Java <-> Java)", jipc);
            LatencyTable.Row cRawRow = new LatencyTable.Row("C futex, no spin", cRaw);
            LatencyTable.Row cSpinRow = new LatencyTable.Row("C futex, " + options.cSpins() + " spins", cSpin);
            LatencyTable.print(out, "round trip, ns", List.of(jipcRow, cRawRow, cSpinRow), List.of(
                    new LatencyTable.Ratio("jipc / C futex, no spin", jipcRow, cRawRow),
                    new LatencyTable.Ratio("jipc / C futex, " + options.cSpins() + " spins", jipcRow, cSpinRow)));
            return new Result(jipc, cRaw, cSpin);
        } finally {
            Peers.deleteTree(work);
        }
    }

    /** Runs the C pair with {@code spins} re-reads before each FUTEX_WAIT. */
    private static Histogram runC(PrintStream out, String name, HandoffOptions options, Pin pin,
            CProgram c, long spins, Path work) throws IOException, InterruptedException {
        Path samples = work.resolve("c-" + spins + ".samples");
        List<String> common = List.of(String.valueOf(options.warmup()), String.valueOf(options.rounds()),
                String.valueOf(spins), String.valueOf(HandoffPeer.S1_OFFSET), String.valueOf(HandoffPeer.S2_OFFSET));
        List<String> a = Peers.concat(List.of(c.executable().toString(), "a"), common.toArray(String[]::new));
        a.add(samples.toString());
        List<String> b = Peers.concat(List.of(c.executable().toString(), "b"), common.toArray(String[]::new));
        return runPair(out, name, options, Peers.pinned(pin, true, a), Peers.pinned(pin, false, b), samples);
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
            Peers.runPair(name, sideA, sideB, memfd, limit);
        }
        out.printf("%.1f s%n", (System.nanoTime() - started) / 1e9);
        return Peers.readSamples(samples, options.rounds());
    }
}
