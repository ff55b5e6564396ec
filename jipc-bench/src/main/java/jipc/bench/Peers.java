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

import jipc.io.HasFd;
import jipc.process.ChildProcess;
import jipc.process.ExitStatus;
import jipc.process.Spawn;

import org.HdrHistogram.Histogram;

/**
 * Launching the two processes of a cross-process benchmark, shared by the harnesses ({@link Handoff},
 * {@link ChannelBench}): the Java peer command line, pinning with {@code taskset}, starting side b then side a with the
 * shared memory at fd {@value #SHM_FD}, waiting for both with a deadline, and reading side a's round-trip samples.
 */
public final class Peers {
    /** The fd at which the harnesses place the shared memory in both peers. */
    public static final int SHM_FD = 3;

    private Peers() {
    }

    /** The CPUs to pin to, or {@code null}; says so in the output either way. */
    public static Pin pinning(Pin pin, PrintStream out) {
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

    /**
     * This JVM's java and class path, native access, and the peers' fixed flags (C2 enabled, one GC thread: the loops
     * allocate next to nothing and the machine may have 2 cores), the run's {@link ClassArchive} if one was made, then
     * {@code main}.
     */
    public static List<String> javaCommand(Class<?> main, List<String> jvmOptions) {
        return javaCommand(main, ClassArchive.options(), jvmOptions);
    }

    /** As {@link #javaCommand}, without the run's class archive (the JVM that makes it). */
    static List<String> javaCommandWithout(Class<?> main, List<String> jvmOptions) {
        return javaCommand(main, List.of(), jvmOptions);
    }

    private static List<String> javaCommand(Class<?> main, List<String> archive, List<String> jvmOptions) {
        List<String> command = new ArrayList<>();
        command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        command.add("--enable-native-access=ALL-UNNAMED");
        command.add("-XX:+UseSerialGC");
        command.addAll(archive);
        command.addAll(jvmOptions);
        command.add("-cp");
        command.add(System.getProperty("java.class.path"));
        command.add(main.getName());
        return command;
    }

    /**
     * As {@link #javaCommand}, with {@code main} run on a virtual thread by {@link OnVirtualThread}: the peer's
     * blocking calls park instead of sleeping in the kernel.
     */
    public static List<String> virtualThreadCommand(Class<?> main, List<String> jvmOptions) {
        return concat(javaCommand(OnVirtualThread.class, jvmOptions), main.getName());
    }

    /** {@code command} under {@code taskset -c CPU} of side a ({@code sideA}) or side b, or as it is. */
    public static List<String> pinned(Pin pin, boolean sideA, List<String> command) {
        if (pin == null) {
            return command;
        }
        int cpu = sideA ? pin.cpuA() : pin.cpuB();
        return concat(List.of("taskset", "-c", String.valueOf(cpu)), command.toArray(String[]::new));
    }

    /**
     * Starts side b, then side a (when not {@code null}), each with {@code shared} at fd {@link #SHM_FD} and stdin
     * from /dev/null, and waits for both to succeed.
     *
     * @throws IOException if a side fails or the pair outlives {@code limit} (both are killed then)
     */
    public static void runPair(String name, List<String> sideA, List<String> sideB, HasFd shared, Duration limit)
            throws IOException {
        long deadline = System.nanoTime() + limit.toNanos();
        try (ChildProcess b = Spawn.command(sideB).nullFd(0).shareFd(SHM_FD, shared).start();
             ChildProcess a = Spawn.command(sideA).nullFd(0).shareFd(SHM_FD, shared).start()) {
            awaitBoth(name, a, b, deadline);
        }
    }

    /** Waits for both sides to succeed; a failure of either (or the deadline) ends the wait at once. */
    private static void awaitBoth(String name, ChildProcess a, ChildProcess b, long deadline) throws IOException {
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
    public static Histogram readSamples(Path file, int rounds) throws IOException {
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

    public static List<String> concat(List<String> head, String... tail) {
        List<String> all = new ArrayList<>(head);
        all.addAll(List.of(tail));
        return all;
    }

    public static Optional<Path> findOnPath(String program) {
        String path = System.getenv("PATH");
        if (path == null) {
            return Optional.empty();
        }
        return Stream.of(path.split(":")).filter(dir -> !dir.isEmpty()).map(dir -> Path.of(dir, program))
                .filter(Files::isExecutable).findFirst();
    }

    public static void deleteTree(Path root) throws IOException {
        try (Stream<Path> paths = Files.walk(root)) {
            for (Path p : paths.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(p);
            }
        }
    }
}
