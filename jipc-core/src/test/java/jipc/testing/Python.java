package jipc.testing;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import jipc.process.Spawn;
import org.junit.jupiter.api.Assumptions;

/**
 * Runs the Python package of the repository ({@code python/jipc}) without installing it: {@code python/} on
 * {@code PYTHONPATH}, and the native part built on first import into {@code target/python-cache} (mode 0700, inside
 * the build tree, so that no other user can replace the shared library the tests load).
 *
 * <p>Without {@code python3} the calling test is aborted (reported as skipped) with a message saying what to install;
 * under CI ({@code CI} set) a missing interpreter fails instead, because {@code .ci/run} installs it.
 */
public final class Python {
    private static volatile Path interpreter;

    private Python() {
    }

    /** The repository's {@code python/} directory. */
    public static Path packageRoot() {
        return Gcc.moduleDir().getParent().resolve("python");
    }

    /** {@code python/tests/<script>}. */
    public static Path script(String name) {
        return packageRoot().resolve("tests").resolve(name);
    }

    /** Where the native part is built on first import: private to this user, inside the build tree. */
    public static Path cache() {
        Path dir = Gcc.moduleDir().resolve("target/python-cache");
        try {
            if (!Files.isDirectory(dir)) {
                Files.createDirectories(dir, PosixFilePermissions.asFileAttribute(
                        PosixFilePermissions.fromString("rwx------")));
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return dir;
    }

    /** {@code python3 -u ARGV...} with the package on its path (the interpreter resolved once, past pyenv shims). */
    public static Spawn command(String... argv) {
        List<String> command = new ArrayList<>();
        command.add(interpreter().toString());
        command.add("-u");
        command.addAll(List.of(argv));
        return Spawn.command(command)
                .env("PYTHONPATH", packageRoot().toString())
                .env("JIPC_CACHE", cache().toString())
                .env("PYTHONDONTWRITEBYTECODE", "1")
                .directory(packageRoot());
    }

    /** {@code python/tests/<script> ARGS...}. */
    public static Spawn script(String script, String... args) {
        List<String> argv = new ArrayList<>();
        argv.add(script(script).toString());
        argv.addAll(List.of(args));
        return command(argv.toArray(String[]::new));
    }

    /** The real interpreter, found once; builds the native part once so that concurrent children do not all. */
    public static synchronized Path interpreter() {
        if (interpreter != null) {
            return interpreter;
        }
        Path onPath = Gcc.onPath("python3");
        if (onPath == null) {
            String message = "python3 not found on PATH; install Python 3.9+ with its headers (python3-dev) and gcc "
                    + "to run the Python tests";
            if (System.getenv("CI") != null) {
                throw new AssertionError(message);
            }
            Assumptions.abort(message);
        }
        try {
            Capture.Result found = Capture.run(Spawn.command(onPath.toString(), "-c",
                    "import sys; print(sys.executable)"));
            Path real = Path.of(found.assertSuccess().out().strip());
            Capture.Result built = Capture.run(Spawn.command(real.toString(), "-c",
                    "import jipc, jipc._native; print(jipc._native.lib.__file__)")
                    .env("PYTHONPATH", packageRoot().toString())
                    .env("JIPC_CACHE", cache().toString())
                    .env("PYTHONDONTWRITEBYTECODE", "1"));
            built.assertSuccess();
            interpreter = real;
            return real;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Runs {@code python3 -m unittest -v MODULES...} in {@code python/tests} and fails with its output unless it passes. */
    public static Capture.Result unittest(Duration timeout, String... modules) throws IOException {
        List<String> argv = new ArrayList<>(List.of("-m", "unittest", "-v"));
        argv.addAll(List.of(modules));
        try (Capture run = Capture.start(command(argv.toArray(String[]::new)).directory(packageRoot().resolve("tests")))) {
            return run.finish(timeout).assertSuccess();
        }
    }
}
