package jipc.testing;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.lang.ProcessBuilder.Redirect;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Assumptions;

/**
 * Compiles the C programs of {@code src/test/c} with gcc, each at most once per test run, into
 * {@code target/test-c/<name>}.
 *
 * <p>Without gcc the calling test is aborted (reported as skipped) with a message saying what to install; under CI
 * ({@code CI} set in the environment) a missing gcc fails instead, because {@code .ci/run} installs it.
 */
public final class Gcc {
    private static final Map<String, Path> BUILT = new ConcurrentHashMap<>();

    private Gcc() {
    }

    /** The executable built from {@code src/test/c/<name>.c}, compiled on first use. */
    public static Path program(String name) {
        return BUILT.computeIfAbsent(name, Gcc::compile);
    }

    /**
     * The executable built from {@code src/test/c/<name>.c} together with the given C files of the repository's
     * {@code native/} directory (for example {@code "jipc_channel.c"}), with {@code native/} on the include path;
     * compiled on first use. A program's sources must be the same on every call.
     */
    public static Path program(String name, String... nativeSources) {
        if (nativeSources.length == 0) {
            return program(name);
        }
        return BUILT.computeIfAbsent(name, n -> {
            Path nativeDir = nativeDir();
            List<String> extra = new ArrayList<>();
            extra.add("-I" + nativeDir);
            for (String source : nativeSources) {
                Path path = nativeDir.resolve(source);
                if (!Files.isRegularFile(path)) {
                    throw new IllegalArgumentException("no C source " + path);
                }
                extra.add(path.toString());
            }
            return compile(n, extra);
        });
    }

    /** The repository's {@code native/} directory (next to the jipc-core module). */
    public static Path nativeDir() {
        return moduleDir().getParent().resolve("native");
    }

    /** The jipc-core module directory (Surefire runs tests there and sets {@code basedir}). */
    public static Path moduleDir() {
        return Path.of(System.getProperty("basedir", System.getProperty("user.dir"))).toAbsolutePath();
    }

    private static Path compile(String name) {
        return compile(name, List.of());
    }

    private static Path compile(String name, List<String> extraArguments) {
        Path source = moduleDir().resolve("src/test/c").resolve(name + ".c");
        if (!Files.isRegularFile(source)) {
            throw new IllegalArgumentException("no C source " + source);
        }
        Path gcc = onPath("gcc");
        if (gcc == null) {
            String message = "gcc not found on PATH; install gcc and libc6-dev (as .ci/run does) to run the tests "
                    + "that use C programs";
            if (System.getenv("CI") != null) {
                throw new AssertionError(message);
            }
            Assumptions.abort(message);
        }
        try {
            Path outDir = moduleDir().resolve("target/test-c");
            Files.createDirectories(outDir);
            Path out = outDir.resolve(name);
            Path partial = outDir.resolve(name + ".partial-" + ProcessHandle.current().pid());
            List<String> command = new ArrayList<>(List.of(gcc.toString(), "-std=gnu11", "-O1", "-Wall", "-Wextra",
                    "-Werror", "-o", partial.toString(), source.toString()));
            command.addAll(extraArguments);
            Process p = new ProcessBuilder(command)
                    .redirectErrorStream(true)
                    .redirectInput(Redirect.from(Path.of("/dev/null").toFile()))
                    .start();
            String output;
            try (InputStream in = p.getInputStream()) {
                output = new String(in.readAllBytes(), StandardCharsets.UTF_8);
            }
            if (!p.waitFor(120, TimeUnit.SECONDS)) {
                p.destroyForcibly().waitFor();
                throw new AssertionError("gcc did not finish compiling " + source + " within 120 s");
            }
            if (p.exitValue() != 0) {
                Files.deleteIfExists(partial);
                throw new AssertionError("gcc failed on " + source + " (exit " + p.exitValue() + "):\n" + output);
            }
            Files.move(partial, out, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
            return out;
        } catch (IOException e) {
            throw new UncheckedIOException("compiling " + source, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError("interrupted while compiling " + source, e);
        }
    }

    /** The first executable {@code name} in a {@code PATH} directory, or null. */
    public static Path onPath(String name) {
        String path = System.getenv("PATH");
        if (path == null) {
            return null;
        }
        for (String dir : path.split(":")) {
            if (dir.isEmpty()) {
                continue;
            }
            Path candidate = Path.of(dir, name);
            if (Files.isRegularFile(candidate) && Files.isExecutable(candidate)) {
                return candidate;
            }
        }
        return null;
    }
}
