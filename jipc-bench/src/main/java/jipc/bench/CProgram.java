package jipc.bench;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.List;

import jipc.pipe.Pipe;
import jipc.process.ChildProcess;
import jipc.process.ExitStatus;
import jipc.process.Spawn;

/**
 * A C baseline built at run time: its source ships in the jar ({@code jipc/bench/c/NAME.c}, from
 * {@code jipc-bench/src/main/c}) and is compiled with the machine's {@code gcc}, so the baseline is built for the
 * same machine the Java side runs on.
 *
 * @param executable the compiled program
 * @param compileCommand the gcc command line that built it, for the report (in an earlier run, if the program came
 *        from the cache between runs, {@link #cacheDir})
 * @param compiler {@code gcc --version}'s first line
 */
public record CProgram(Path executable, List<String> compileCommand, String compiler) {
    /** The crew protocol's member half ({@code jipc.bench.Crew}), included by every C peer: copied beside each. */
    static final String CREW_HEADER = "crew.h";
    /** Optimisation flags of every baseline. */
    public static final List<String> CFLAGS = List.of("-O2", "-Wall", "-Wextra");

    /** Programs this JVM has compiled, by name and extra files: a second suite copies the first one's executable. */
    private static final java.util.Map<List<String>, CProgram> COMPILED = new java.util.HashMap<>();

    /**
     * Copies {@code NAME.c}, {@value #CREW_HEADER} and the {@code extraFiles} (e.g. {@code jipc_channel.c},
     * {@code jipc_channel.h}: the repository's {@code native/} directory travels in the jar too) into
     * {@code directory} and compiles
     * {@code NAME.c} with the extra {@code .c} files there to {@code NAME}. gcc runs once per JVM (per run of
     * {@code jipc bench}) for a name and its extra files: the sources come from the jar and do not change, so a later
     * call copies the sources and the executable built by the first one (and reports its command line); and not at
     * all when the cache between runs ({@link #cacheDir}) holds a build of the same sources, flags and gcc.
     *
     * @throws IOException naming gcc's exit status if gcc is missing or fails (its messages go to stderr)
     */
    public static synchronized CProgram compile(String name, Path directory, String... extraFiles)
            throws IOException, InterruptedException {
        List<String> key = new java.util.ArrayList<>(List.of(name));
        key.addAll(List.of(extraFiles));
        CProgram built = COMPILED.get(key);
        if (built != null && Files.isExecutable(built.executable())) {
            copy(name + ".c", directory);
            copy(CREW_HEADER, directory);
            for (String extra : extraFiles) {
                copy(extra, directory);
            }
            Path executable = directory.resolve(name);
            Files.copy(built.executable(), executable, StandardCopyOption.REPLACE_EXISTING,
                    StandardCopyOption.COPY_ATTRIBUTES);
            return new CProgram(executable, built.compileCommand(), built.compiler());
        }
        CProgram program = cachedOrGcc(name, directory, extraFiles);
        COMPILED.put(key, program);
        return program;
    }

    /**
     * Where built programs are kept between runs: {@code $JIPC_BENCH_CACHE}, else {@code $XDG_CACHE_HOME/jipc-bench},
     * else {@code ~/.cache/jipc-bench}; made with mode 0700 and used only if this user owns it and nobody else may
     * write to it (an executable another user could replace would run their code).
     */
    public static Path cacheDir() {
        String explicit = System.getenv("JIPC_BENCH_CACHE");
        if (explicit != null && !explicit.isEmpty()) {
            return Path.of(explicit);
        }
        String xdg = System.getenv("XDG_CACHE_HOME");
        return (xdg != null && !xdg.isEmpty() ? Path.of(xdg) : Path.of(System.getProperty("user.home"), ".cache"))
                .resolve("jipc-bench");
    }

    /** {@link #cacheDir()} if it is (or could be made) private to this user, else empty. */
    public static java.util.Optional<Path> privateCacheDir() {
        Path dir = cacheDir();
        try {
            Files.createDirectories(dir, java.nio.file.attribute.PosixFilePermissions.asFileAttribute(
                    java.nio.file.attribute.PosixFilePermissions.fromString("rwx------")));
            var permissions = Files.getPosixFilePermissions(dir, java.nio.file.LinkOption.NOFOLLOW_LINKS);
            boolean mine = Files.getOwner(dir, java.nio.file.LinkOption.NOFOLLOW_LINKS).getName()
                    .equals(System.getProperty("user.name"));
            if (!mine || permissions.contains(java.nio.file.attribute.PosixFilePermission.GROUP_WRITE)
                    || permissions.contains(java.nio.file.attribute.PosixFilePermission.OTHERS_WRITE)) {
                return java.util.Optional.empty();
            }
            return java.util.Optional.of(dir);
        } catch (IOException | UnsupportedOperationException e) {
            return java.util.Optional.empty();
        }
    }

    /**
     * The program from the cache between runs ({@link #cacheDir}) if a build of the same sources, flags and gcc is
     * there, else built by {@link #gcc} and put there: a run then compiles only what changed since the last one (gcc
     * took some 8 s of a quick run's CPU for its six programs, the Python package's native part included).
     */
    private static CProgram cachedOrGcc(String name, Path directory, String... extraFiles) throws IOException,
            InterruptedException {
        String compiler = firstLine("gcc", "--version");
        java.util.Optional<Path> cache = privateCacheDir();
        if (cache.isEmpty()) {
            return gcc(name, directory, compiler, extraFiles);
        }
        Path cached = cache.get().resolve(name + "-" + digest(name, compiler, extraFiles));
        Path executable = directory.resolve(name);
        List<String> files = new java.util.ArrayList<>(List.of(name + ".c", CREW_HEADER));
        files.addAll(List.of(extraFiles));
        if (Files.isExecutable(cached)) {
            for (String file : files) {
                copy(file, directory);
            }
            Files.copy(cached, executable, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.COPY_ATTRIBUTES);
            return new CProgram(executable, command(name, directory, extraFiles), compiler);
        }
        CProgram built = gcc(name, directory, compiler, extraFiles);
        Path partial = Files.createTempFile(cache.get(), name + "-", ".partial");
        try {
            Files.copy(built.executable(), partial, StandardCopyOption.REPLACE_EXISTING,
                    StandardCopyOption.COPY_ATTRIBUTES);
            Files.move(partial, cached, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } finally {
            Files.deleteIfExists(partial);
        }
        return built;
    }

    /** A digest of the flags, gcc's version line and every file the program is built from (from the jar). */
    private static String digest(String name, String compiler, String... extraFiles) throws IOException {
        java.security.MessageDigest sha;
        try {
            sha = java.security.MessageDigest.getInstance("SHA-256");
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new IOException(e);
        }
        sha.update((String.join(" ", CFLAGS) + "\n" + compiler + "\n").getBytes(StandardCharsets.UTF_8));
        List<String> files = new java.util.ArrayList<>(List.of(name + ".c", CREW_HEADER));
        files.addAll(List.of(extraFiles));
        for (String file : files) {
            sha.update((file + "\n").getBytes(StandardCharsets.UTF_8));
            try (InputStream in = CProgram.class.getResourceAsStream("c/" + file)) {
                if (in == null) {
                    throw new IOException("C source " + file + " is not in the jar (expected jipc/bench/c/" + file
                            + ")");
                }
                sha.update(in.readAllBytes());
            }
        }
        return java.util.HexFormat.of().formatHex(sha.digest(), 0, 8);
    }

    /** The gcc command line that builds {@code name} in {@code directory}. */
    private static List<String> command(String name, Path directory, String... extraFiles) {
        List<String> command = new java.util.ArrayList<>(List.of("gcc"));
        command.addAll(CFLAGS);
        command.addAll(List.of("-o", directory.resolve(name).toString(), directory.resolve(name + ".c").toString()));
        for (String extra : extraFiles) {
            if (extra.endsWith(".c")) {
                command.add(directory.resolve(extra).toString());
            }
        }
        return List.copyOf(command);
    }

    private static CProgram gcc(String name, Path directory, String compiler, String... extraFiles)
            throws IOException, InterruptedException {
        copy(name + ".c", directory);
        copy(CREW_HEADER, directory);
        for (String extra : extraFiles) {
            copy(extra, directory);
        }
        List<String> command = command(name, directory, extraFiles);
        ExitStatus status;
        try (ChildProcess gcc = Spawn.command(command).nullFd(0).start()) {
            status = gcc.waitFor();
        }
        if (!status.success()) {
            throw new IOException(String.join(" ", command) + " failed: " + status);
        }
        return new CProgram(directory.resolve(name), command, compiler);
    }

    /** Copies the resource {@code jipc/bench/c/FILE} into {@code directory}. */
    private static Path copy(String file, Path directory) throws IOException {
        Path target = directory.resolve(file);
        try (InputStream in = CProgram.class.getResourceAsStream("c/" + file)) {
            if (in == null) {
                throw new IOException("C source " + file + " is not in the jar (expected jipc/bench/c/" + file + ")");
            }
            Files.copy(in, target, StandardCopyOption.REPLACE_EXISTING);
        }
        return target;
    }

    /** The first line a command prints on stdout (for version strings). */
    private static String firstLine(String... command) throws IOException, InterruptedException {
        byte[] output;
        try (Pipe pipe = Pipe.open(); ChildProcess child = Spawn.command(command).nullFd(0).fd(1, pipe.sink())
                .start()) {
            output = pipe.source().readAllBytes();
            child.waitFor();
        }
        String text = new String(output, StandardCharsets.UTF_8).strip();
        int end = text.indexOf('\n');
        return end < 0 ? text : text.substring(0, end);
    }
}
