package jipc.bench;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Enumeration;
import java.util.List;
import java.util.Optional;
import java.util.jar.JarEntry;
import java.util.function.Consumer;
import java.util.jar.JarFile;

import jipc.pipe.Pipe;
import jipc.process.ChildProcess;
import jipc.process.ExitStatus;
import jipc.process.Spawn;

/**
 * A class data sharing archive of the Java peers' classes (HotSpot's dynamic CDS archive), made once per
 * {@code jipc bench} run or taken from the cache between runs ({@link #cachedOrMade}), so that each of the run's peer JVMs (some fifty in a quick run) maps jipc's, HdrHistogram's
 * and Agrona's classes already parsed and verified instead of loading them from the jar: about a fifth less CPU to
 * start a peer on our 2-vCPU VMs (0.75 s instead of 0.95 s for a pipe peer of 200 round trips). It changes nothing of
 * how a peer runs once started: the JIT, C2 included, compiles as before (an archive holds no compiled code or
 * profiles), and the warm-up rules stay the same.
 *
 * <p>The {@link jipc.bench.suite.Runner} calls {@link #begin} and {@link #end} around a run; the first
 * {@link Peers#javaCommand} of the run runs this class's {@link #main} in a JVM with the peers' flags and
 * {@code -XX:ArchiveClassesAtExit} (about 2 s of CPU): it loads every class of {@link #PACKAGES} from the jar and
 * touches the FFM bindings (one pipe, a byte through it), and the JVM writes the archive as it exits. Outside a run
 * (a test calling a step directly) the peers start as before.
 */
public final class ClassArchive {
    /** The packages whose classes go into the archive, as jar entry prefixes. */
    static final List<String> PACKAGES = List.of("jipc/", "org/HdrHistogram/", "org/agrona/");
    private static final Duration LIMIT = Duration.ofSeconds(120);
    private static final Object LOCK = new Object();

    /** The run's directory for the archive while a run may use one, else {@code null}. */
    private static Path dir;
    private static List<String> jvmOptions = List.of();
    private static Consumer<String> log = line -> { };
    /** The archive once made; {@code null} before, and after a failure (then {@link #tried} is set). */
    private static Path archive;
    private static boolean tried;

    private ClassArchive() {
    }

    /**
     * Lets the peers started from now on share an archive, made with the peers' flags and {@code options} the first
     * time a peer's command line is asked for ({@link Peers#javaCommand}), so a run that starts no JVM makes none.
     * Until {@link #end}.
     *
     * @param options the run's extra JVM options ({@code --jvm-option}): the archive is made with them
     * @param lines takes what making the archive logs (its command line, size and time, or why it was not made)
     */
    public static void begin(List<String> options, Consumer<String> lines) throws IOException {
        synchronized (LOCK) {
            end();
            dir = Files.createTempDirectory("jipc-bench-cds-");
            jvmOptions = List.copyOf(options);
            log = lines;
        }
    }

    /** Stops handing the archive to new peers and deletes it (the peers still running keep their mapping). */
    public static void end() {
        synchronized (LOCK) {
            Path old = dir;
            dir = null;
            archive = null;
            tried = false;
            log = line -> { };
            if (old != null) {
                try {
                    Peers.deleteTree(old);
                } catch (IOException | java.io.UncheckedIOException e) {
                    // a temporary directory stays behind
                }
            }
        }
    }

    /**
     * The JVM options that make a peer use the run's archive (made now if this is the first peer of the run): none
     * outside a run ({@link #begin}) or if it could not be made. {@code -Xshare:auto}: a JVM that cannot use the
     * archive runs without it; {@code -Xlog:cds=off}: its reasons stay out of the peer's stderr.
     */
    static List<String> options() {
        synchronized (LOCK) {
            if (dir == null) {
                return List.of();
            }
            if (!tried) {
                tried = true;
                archive = cachedOrMade(dir.resolve("peers.jsa"), jvmOptions, log);
            }
            return archive == null ? List.of()
                    : List.of("-XX:SharedArchiveFile=" + archive, "-Xshare:auto", "-Xlog:cds=off", "-Xlog:aot=off");
        }
    }

    /**
     * The archive from the cache between runs ({@link CProgram#cacheDir}, as gcc's builds) if one was made from the
     * same jar (path, size, modification time), JDK and command line, else made now ({@link #make}) and put there
     * ({@code peers-*.jsa} unused for a day go); made at {@code target} alone when there is no private cache. A run
     * after the first saves the training run (about 2 s of CPU); a rebuilt jar or another JDK makes a new one, as the
     * JVM would refuse the old.
     */
    private static Path cachedOrMade(Path target, List<String> options, Consumer<String> log) {
        Optional<Path> cache = CProgram.privateCacheDir();
        String key;
        try {
            key = key(options);
        } catch (IOException e) {
            log.accept("class archive: no key for the cache between runs (" + e.getMessage() + ")");
            return make(target, options, log);
        }
        if (cache.isEmpty()) {
            return make(target, options, log);
        }
        Path cached = cache.get().resolve("peers-" + key + ".jsa");
        if (Files.isRegularFile(cached)) {
            try {
                // its modification time says when it was last used (see the clean-up below)
                Files.setLastModifiedTime(cached, java.nio.file.attribute.FileTime.fromMillis(
                        System.currentTimeMillis()));
            } catch (IOException e) {
                // kept a day less, no more
            }
            log.accept("class archive: " + cached + " from the cache between runs");
            return cached;
        }
        Path made = make(target, options, log);
        if (made == null) {
            return null;
        }
        try {
            Path partial = Files.createTempFile(cache.get(), "peers-", ".partial");
            try {
                Files.copy(made, partial, java.nio.file.StandardCopyOption.REPLACE_EXISTING);
                Files.move(partial, cached, java.nio.file.StandardCopyOption.ATOMIC_MOVE,
                        java.nio.file.StandardCopyOption.REPLACE_EXISTING);
            } finally {
                Files.deleteIfExists(partial);
            }
            // Archives of other jars may be another checkout's, in use: only those unused for a day go.
            long stale = System.currentTimeMillis() - Duration.ofDays(1).toMillis();
            try (var old = Files.list(cache.get())) {
                for (Path file : old.filter(f -> f.getFileName().toString().matches("peers-[0-9a-f]+\\.jsa")
                        && !f.equals(cached)).toList()) {
                    if (Files.getLastModifiedTime(file).toMillis() < stale) {
                        Files.deleteIfExists(file);
                    }
                }
            }
        } catch (IOException e) {
            log.accept("class archive: not kept in the cache between runs (" + e.getMessage() + ")");
        }
        return made;
    }

    /**
     * What a cached archive must have been made from: the jar (or class directory) the peers load, its size and
     * modification time, the JDK ({@code java.home}, {@code java.vm.version}) and the training run's command line.
     */
    private static String key(List<String> options) throws IOException {
        Path source;
        try {
            source = Path.of(ClassArchive.class.getProtectionDomain().getCodeSource().getLocation().toURI());
        } catch (java.net.URISyntaxException e) {
            throw new IOException(e);
        }
        if (!Files.isRegularFile(source)) {
            throw new IOException(source + " is not a jar");
        }
        String what = String.join("\n", source.toString(), String.valueOf(Files.size(source)),
                String.valueOf(Files.getLastModifiedTime(source).toMillis()), System.getProperty("java.home"),
                System.getProperty("java.vm.version"),
                String.join(" ", Peers.javaCommandWithout(ClassArchive.class, options)));
        try {
            byte[] digest = java.security.MessageDigest.getInstance("SHA-256")
                    .digest(what.getBytes(java.nio.charset.StandardCharsets.UTF_8));
            return java.util.HexFormat.of().formatHex(digest, 0, 8);
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new IOException(e);
        }
    }

    /** Runs {@link #main} with {@code -XX:ArchiveClassesAtExit=target}; the archive, or {@code null}. */
    private static Path make(Path target, List<String> options, Consumer<String> log) {
        List<String> command = Peers.javaCommandWithout(ClassArchive.class, Peers.concat(options,
                "-XX:ArchiveClassesAtExit=" + target, "-Xlog:cds=off", "-Xlog:aot=off"));
        log.accept("class archive: " + String.join(" ", command));
        long t0 = System.nanoTime();
        try (ChildProcess child = Spawn.command(command).nullFd(0).start()) {
            Optional<ExitStatus> status = child.waitFor(LIMIT);
            if (status.isEmpty()) {
                child.destroyForcibly();
                log.accept("class archive: not made (still running after " + LIMIT.toSeconds() + " s); the peers"
                        + " load their classes from the jar");
                return null;
            }
            if (!status.get().success() || !Files.isRegularFile(target)) {
                log.accept("class archive: not made (" + status.get() + "); the peers load their classes from the"
                        + " jar");
                return null;
            }
            log.accept(String.format(java.util.Locale.ROOT, "class archive: %s, %d KiB, made in %.1f s", target,
                    Files.size(target) / 1024, (System.nanoTime() - t0) / 1e9));
            return target;
        } catch (IOException e) {
            log.accept("class archive: not made (" + e.getMessage() + "); the peers load their classes from the jar");
            return null;
        }
    }

    /**
     * The training run: loads every class of {@link #PACKAGES} from the jar (or class directory) this class came from
     * and opens and closes one jipc pipe; the JVM's {@code -XX:ArchiveClassesAtExit} does the rest.
     */
    public static void main(String[] args) throws IOException {
        Path source;
        try {
            source = Path.of(ClassArchive.class.getProtectionDomain().getCodeSource().getLocation().toURI());
        } catch (java.net.URISyntaxException e) {
            throw new IOException(e);
        }
        ClassLoader loader = ClassArchive.class.getClassLoader();
        int loaded = 0;
        for (String name : classNames(source)) {
            try {
                Class.forName(name, false, loader);
                loaded++;
            } catch (ClassNotFoundException | LinkageError e) {
                // an optional dependency's class (e.g. Agrona's or JMH's glue) that cannot load here: not archived
            }
        }
        try (Pipe pipe = Pipe.open()) {
            pipe.sink().write(java.nio.ByteBuffer.wrap(new byte[] {1}));
            pipe.source().read(java.nio.ByteBuffer.allocate(1));
        }
        if (loaded == 0) {
            throw new IOException("no class of " + PACKAGES + " found in " + source);
        }
    }

    private static List<String> classNames(Path source) throws IOException {
        List<String> names = new ArrayList<>();
        if (Files.isDirectory(source)) {
            try (var files = Files.walk(source)) {
                files.map(f -> source.relativize(f).toString()).forEach(entry -> add(names, entry));
            }
            return names;
        }
        try (JarFile jar = new JarFile(source.toFile())) {
            for (Enumeration<JarEntry> entries = jar.entries(); entries.hasMoreElements(); ) {
                add(names, entries.nextElement().getName());
            }
        }
        return names;
    }

    private static void add(List<String> names, String entry) {
        if (entry.endsWith(".class") && !entry.contains("-") && PACKAGES.stream().anyMatch(entry::startsWith)) {
            names.add(entry.substring(0, entry.length() - ".class".length()).replace('/', '.'));
        }
    }
}
