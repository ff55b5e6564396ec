package jipc.bench.python;

import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.URISyntaxException;
import java.net.URL;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileSystem;
import java.nio.file.FileSystemAlreadyExistsException;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.stream.Stream;

import jipc.bench.CProgram;
import jipc.bench.Peers;
import jipc.bench.Pin;
import jipc.pipe.Pipe;
import jipc.process.ChildProcess;
import jipc.process.ExitStatus;
import jipc.process.Spawn;

/**
 * What every step of {@link PythonBenchmark} shares, made once per JVM: the Python side unpacked from the jar into a
 * private temporary directory ({@code py/python_bench.py} and the package {@code py/jipc/}, from the repository's
 * {@code jipc-bench/src/main/python} and {@code python/jipc}, in the jar under {@code jipc/bench/py}; the C twins in
 * {@code native/}, where the package's build looks for them), its native part built once into
 * {@code python-cache/} (mode 0700; built in, and copied from, {@code python/} of the cache between runs of
 * {@link CProgram#cacheDir} when there is one), the C twin's consumer ({@code channel_crew.c}) compiled, the Java peers' command
 * line and the pinning. The directory goes when the JVM exits. The jar carries everything, so the suite runs from any
 * checkout or from the jar alone.
 */
final class PythonRig {
    /** Where the Python side and the C twins sit in the jar. */
    private static final String PYTHON_RESOURCES = "/jipc/bench/py";
    private static final String C_RESOURCES = "/jipc/bench/c";
    private static final String C_PROGRAM = "channel_crew";
    private static final String[] C_TWIN = {"jipc_channel.c", "jipc_channel.h", "jipc_live.c", "jipc_live.h"};
    private static final Object LOCK = new Object();
    private static PythonRig shared;
    private static Optional<String> missing;

    final Path work;
    final Path python;
    final String version;
    final CProgram c;
    final Pin pin;
    final Pin asked;
    final List<String> jvmOptions;
    final List<String> java;
    /** How long {@code WaitStrategy.hybrid()}'s 1000 spins take here: the Python ends spin as long ({@link #wait}). */
    final long spinNanos;

    private PythonRig(Path work, Path python, String version, CProgram c, Pin pin, Pin asked,
            List<String> jvmOptions) {
        this.work = work;
        this.python = python;
        this.version = version;
        this.c = c;
        this.pin = pin;
        this.asked = asked;
        this.jvmOptions = List.copyOf(jvmOptions);
        this.java = Peers.javaCommand(PythonPeer.class, jvmOptions);
        this.spinNanos = hybridSpinNanos();
    }

    /**
     * The median time of 1000 {@link Thread#onSpinWait()} calls (the spins of {@code WaitStrategy.hybrid()}) in this
     * JVM, after enough rounds for C2 to compile the loop: about 18 us on the 2-vCPU AMD EPYC VM of our figures.
     */
    static long hybridSpinNanos() {
        long[] times = new long[2000];
        for (int round = 0; round < times.length; round++) {
            long start = System.nanoTime();
            for (int i = 0; i < 1000; i++) {
                Thread.onSpinWait();
            }
            times[round] = System.nanoTime() - start;
        }
        long[] last = Arrays.copyOfRange(times, times.length / 2, times.length);
        Arrays.sort(last);
        return last[last.length / 2];
    }

    /**
     * The WAIT argument of a Python end for {@code strategy}: {@code hybrid} becomes {@code hybrid:NANOS}, a spin as
     * long as Java's (1000 Python calls of {@code has_message()} would spin several times longer), then the futex wait.
     */
    String wait(String strategy) {
        return strategy.equals("hybrid") ? "hybrid:" + spinNanos : strategy;
    }

    /**
     * Why the suite cannot run here, or empty: {@code python3} or {@code gcc} not on PATH, or no {@code Python.h} for
     * the interpreter (the package's native part is compiled on first import). Asked once per JVM.
     */
    static Optional<String> missing() {
        synchronized (LOCK) {
            if (missing == null) {
                missing = findMissing();
            }
            return missing;
        }
    }

    private static Optional<String> findMissing() {
        Optional<Path> python = Peers.findOnPath("python3");
        if (python.isEmpty()) {
            return Optional.of("python3 is not on PATH (install Python 3.9+, its headers python3-dev and gcc)");
        }
        if (Peers.findOnPath("gcc").isEmpty()) {
            return Optional.of("gcc is not on PATH (the jipc package's native part is compiled with it)");
        }
        try {
            String include = output(List.of(python.get().toString(), "-c",
                    "import sysconfig; print(sysconfig.get_paths()['include'])"));
            if (!Files.isRegularFile(Path.of(include, "Python.h"))) {
                return Optional.of("Python.h is not in " + include + " (install the Python development headers,"
                        + " e.g. apt-get install python3-dev)");
            }
        } catch (IOException e) {
            return Optional.of("python3 -c 'import sysconfig' failed: " + e.getMessage());
        }
        return Optional.empty();
    }

    /** The rig for {@code pin} and {@code jvmOptions}: unpacked, built and compiled on first use. */
    static PythonRig shared(Pin pin, List<String> jvmOptions, PrintStream log) throws IOException,
            InterruptedException {
        synchronized (LOCK) {
            if (shared == null || !Objects.equals(shared.asked, pin) || !shared.jvmOptions.equals(jvmOptions)) {
                Path work = Files.createTempDirectory("jipc-bench-python-");
                Runtime.getRuntime().addShutdownHook(new Thread(() -> {
                    try {
                        Peers.deleteTree(work);
                    } catch (IOException | UncheckedIOException e) {
                        // the temporary directory stays behind
                    }
                }));
                unpack(work);
                Path real = Path.of(output(List.of(Peers.findOnPath("python3").orElseThrow().toString(), "-c",
                        "import sys; print(sys.executable)")));
                String version = output(List.of(real.toString(), "-c", "import sys; print(sys.version.split()[0])"));
                // the package's first import compiles its native part: once here, not in every peer at once; gcc
                // runs single-threaded, so the C consumer is compiled meanwhile (the machine may have 2 cores)
                CompletableFuture<String> nativePart = CompletableFuture
                        .supplyAsync(() -> {
                            try {
                                return output(List.of(real.toString(), "-c",
                                        "import jipc._native; print(jipc._native.lib.__file__)"), Map.of(
                                        "PYTHONPATH", work.resolve("py").toString(),
                                        "JIPC_CACHE", CProgram.privateCacheDir().map(d -> d.resolve("python"))
                                                .orElse(work.resolve("python-cache")).toString(),
                                        "PYTHONDONTWRITEBYTECODE", "1"));
                            } catch (IOException e) {
                                throw new UncheckedIOException(e);
                            }
                        });
                CProgram c;
                String built;
                try {
                    c = CProgram.compile(C_PROGRAM, work, C_TWIN);
                } finally {
                    built = joined(nativePart);
                }
                // built in the cache between runs (CProgram.cacheDir): the peers find it in python-cache/
                Path module = Path.of(built);
                Path local = work.resolve("python-cache").resolve(module.getFileName());
                if (!module.equals(local)) {
                    Files.copy(module, local, StandardCopyOption.COPY_ATTRIBUTES);
                }
                PythonRig rig = new PythonRig(work, real, version, c, Peers.pinning(pin, log), pin, jvmOptions);
                log.println("  Python peers: " + real + " (Python " + version + ") "
                        + work.resolve("py/python_bench.py") + "; jipc's native part: " + built);
                log.println("  C peer: " + c.compiler() + ": " + String.join(" ", c.compileCommand()));
                log.println("  Java peers: " + String.join(" ", rig.java) + " ...");
                log.println("  hybrid: 1000 Thread.onSpinWait() take " + rig.spinNanos + " ns here; the Python ends"
                        + " spin as long before their futex wait");
                shared = rig;
            }
            return shared;
        }
    }

    /** What {@code output} returned, or its IOException. */
    private static String joined(CompletableFuture<String> output) throws IOException {
        try {
            return output.join();
        } catch (CompletionException e) {
            if (e.getCause() instanceof UncheckedIOException io) {
                throw io.getCause();
            }
            throw e;
        }
    }

        /** {@code py/} (the script and the package) and {@code native/} (the C twins) under {@code work}. */
    private static void unpack(Path work) throws IOException {
        Files.createDirectories(work.resolve("python-cache"), PosixFilePermissions.asFileAttribute(
                PosixFilePermissions.fromString("rwx------")));
        copyResources(PYTHON_RESOURCES, "python_bench.py", work.resolve("py"), name -> !name.contains("__pycache__")
                && (name.endsWith(".py") || name.endsWith(".c") || name.endsWith("py.typed")));
        copyResources(C_RESOURCES, "jipc_channel.h", work.resolve("native"), name -> name.matches(
                "(.*/)?jipc_[a-z_]+\\.[ch]"));
    }

    /**
     * Copies every file under the resource directory {@code directory} (which holds {@code probe}) that {@code keep}
     * accepts (by its path relative to {@code directory}) into {@code target}: from the jar, or from the class
     * directory when run from the build tree.
     */
    private static void copyResources(String directory, String probe, Path target,
            java.util.function.Predicate<String> keep) throws IOException {
        URL url = PythonRig.class.getResource(directory + "/" + probe);
        if (url == null) {
            throw new IOException(directory + "/" + probe + " is not in the jar (the Python benchmark's files travel in"
                    + " it: a build from a checkout puts them there)");
        }
        URI uri;
        try {
            uri = url.toURI();
        } catch (URISyntaxException e) {
            throw new IOException("resource URL " + url + ": " + e.getMessage(), e);
        }
        if (uri.getScheme().equals("jar")) {
            FileSystem jar;
            boolean opened;
            try {
                jar = FileSystems.newFileSystem(uri, Map.of());
                opened = true;
            } catch (FileSystemAlreadyExistsException e) {
                jar = FileSystems.getFileSystem(uri);
                opened = false;
            }
            try {
                copyTree(jar.getPath(directory), target, keep);
            } finally {
                if (opened) {
                    jar.close();
                }
            }
        } else {
            copyTree(Path.of(uri).getParent(), target, keep);
        }
    }

    private static void copyTree(Path from, Path target, java.util.function.Predicate<String> keep)
            throws IOException {
        try (Stream<Path> files = Files.walk(from)) {
            for (Path file : files.filter(Files::isRegularFile).toList()) {
                String relative = from.relativize(file).toString();
                if (keep.test(relative)) {
                    Path to = target.resolve(relative);
                    Files.createDirectories(to.getParent());
                    Files.copy(file, to, StandardCopyOption.REPLACE_EXISTING);
                }
            }
        }
    }

    /** What {@code command} prints on stdout, stripped; an IOException with its exit status if it fails. */
    static String output(List<String> command) throws IOException {
        return output(command, Map.of());
    }

    /** As {@link #output(List)}, with {@code env} added to the child's environment. */
    static String output(List<String> command, Map<String, String> env) throws IOException {
        byte[] out;
        ExitStatus status;
        Spawn spawn = Spawn.command(command).nullFd(0);
        env.forEach(spawn::env);
        try (Pipe pipe = Pipe.open(); ChildProcess child = spawn.fd(1, pipe.sink()).start()) {
            out = pipe.source().readAllBytes();
            status = child.waitFor();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException(String.join(" ", command) + ": interrupted", e);
        }
        if (!status.success()) {
            throw new IOException(String.join(" ", command) + " failed: " + status + " (its messages are on stderr)");
        }
        return new String(out, StandardCharsets.UTF_8).strip();
    }

    /** {@code python3 -u python_bench.py ARGS}, pinned to side a ({@code sideA}) or b. */
    List<String> python(boolean sideA, String... args) {
        List<String> command = new ArrayList<>(List.of(python.toString(), "-u",
                work.resolve("py/python_bench.py").toString()));
        command.addAll(List.of(args));
        return Peers.pinned(pin, sideA, command);
    }

    /**
     * {@code python3 -u python_bench.py ARGS} for a Python-to-Python pair in one crew member that forks its peer: not
     * under taskset (the child would inherit the CPU); the script pins itself and its child when given {@code pin A B}.
     */
    List<String> pythonPair(String... args) {
        List<String> command = new ArrayList<>(List.of(python.toString(), "-u",
                work.resolve("py/python_bench.py").toString()));
        command.addAll(List.of(args));
        if (pin != null) {
            command.addAll(List.of("pin", String.valueOf(pin.cpuA()), String.valueOf(pin.cpuB())));
        }
        return command;
    }

    /** {@code java ... PythonPeer ARGS}, pinned to side a or b. */
    List<String> java(boolean sideA, String... args) {
        List<String> command = new ArrayList<>(java);
        command.addAll(List.of(args));
        return Peers.pinned(pin, sideA, command);
    }

    /** The C twin's consumer {@code channel_crew ARGS}, pinned to side a or b. */
    List<String> c(boolean sideA, String... args) {
        List<String> command = new ArrayList<>(List.of(c.executable().toString()));
        command.addAll(List.of(args));
        return Peers.pinned(pin, sideA, command);
    }

    /** How the processes are placed, as {@link jipc.bench.suite.Result#pinning()} records it. */
    String pinning() {
        return pin == null ? "none" : "cpu " + pin.cpuA() + "," + pin.cpuB();
    }
}
