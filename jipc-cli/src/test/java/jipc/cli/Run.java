package jipc.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.io.File;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * Runs the packaged {@code jipc} jar, the {@code ./jipc} launcher or a shell as a real child process and collects
 * what it printed. Every wait has a deadline: a hung child fails the test instead of hanging the build.
 */
final class Run {
    /** The executable fat jar built by {@code package} (set by failsafe). */
    static final Path JAR = Path.of(System.getProperty("jipc.jar", "target/jipc.jar")).toAbsolutePath();
    /** The launcher script at the repository root. */
    static final Path LAUNCHER = Path.of(System.getProperty("jipc.launcher", "../jipc")).toAbsolutePath().normalize();
    /** The JDK 25 {@code java} that runs these tests. */
    static final Path JAVA = Path.of(System.getProperty("java.home"), "bin", "java");
    private static final long DEADLINE_SECONDS = 60;

    /** What a finished process left behind. */
    record Result(int exitCode, String out, String err) {
        /** The message a user sees for a mistake: no Java stack trace, at most a line and a hint. */
        void assertNoStackTrace() {
            assertTrue(!err.contains("\tat ") && !err.contains("Exception in thread"), "stack trace on stderr:\n" + err);
            assertTrue(err.lines().count() <= 3, "more than a short message on stderr:\n" + err);
        }
    }

    private Run() {
    }

    /** {@code java -jar jipc.jar ARGS} with {@code stdin} written to its standard input (a pipe). */
    static Result jipc(String stdin, String... args) throws Exception {
        return jipc(List.of(), stdin, args);
    }

    /** {@code java JVM_OPTIONS -jar jipc.jar ARGS}. */
    static Result jipc(List<String> jvmOptions, String stdin, String... args) throws Exception {
        List<String> command = new ArrayList<>();
        command.add(JAVA.toString());
        command.addAll(jvmOptions);
        command.add("-jar");
        command.add(JAR.toString());
        command.addAll(List.of(args));
        return run(new ProcessBuilder(command), stdin);
    }

    /**
     * {@code java -jar jipc.jar ARGS} as user nobody (uid and gid 65534, no groups, by {@code setpriv}), from a copy
     * of the jar in a fresh directory under {@code /tmp}: nobody may not reach the build directory (a checkout under
     * a {@code chmod 700} directory). The copy is world-readable whatever the umask, checked as nobody before the
     * run, and deleted afterwards. jipc-core's tests do the same with {@code jipc.testing.Nobody}.
     */
    static Result jipcAsNobody(String... args) throws Exception {
        Path directory = Files.createTempDirectory(Path.of("/tmp"), "jipc-nobody-");
        Path jar = directory.resolve(JAR.getFileName());
        try {
            Files.setPosixFilePermissions(directory, PosixFilePermissions.fromString("rwxr-xr-x"));
            Files.copy(JAR, jar);
            Files.setPosixFilePermissions(jar, PosixFilePermissions.fromString("rw-r--r--"));
            Result check = run(asNobody(List.of("test", "-r", jar.toString(), "-a", "-x", JAVA.toString())), "");
            assertEquals(0, check.exitCode(), "user nobody cannot read " + jar + " or run " + JAVA + ": " + check);
            List<String> command = new ArrayList<>(List.of(JAVA.toString(), "-jar", jar.toString()));
            command.addAll(List.of(args));
            return run(asNobody(command), "");
        } finally {
            Files.deleteIfExists(jar);
            Files.delete(directory);
        }
    }

    private static ProcessBuilder asNobody(List<String> command) {
        List<String> argv = new ArrayList<>(List.of("setpriv", "--reuid=65534", "--regid=65534", "--clear-groups",
                "--"));
        argv.addAll(command);
        return new ProcessBuilder(argv).directory(new File("/"));
    }

    /** {@code bash -c SCRIPT _ ARGS} with {@code $JAVA} and {@code $JAR} set, so a script can pipe into jipc. */
    static Result bash(String script, String... args) throws Exception {
        return run(bashBuilder(script, args), "");
    }

    static ProcessBuilder bashBuilder(String script, String... args) {
        List<String> command = new ArrayList<>(List.of("bash", "-c", script, "_"));
        command.addAll(List.of(args));
        ProcessBuilder builder = new ProcessBuilder(command);
        Map<String, String> env = builder.environment();
        env.put("JAVA", JAVA.toString());
        env.put("JAR", JAR.toString());
        return builder;
    }

    /** Starts {@code builder}, feeds {@code stdin}, waits (with a deadline) and collects stdout and stderr. */
    static Result run(ProcessBuilder builder, String stdin) throws Exception {
        Path out = Files.createTempFile("jipc-it-", ".out");
        Path err = Files.createTempFile("jipc-it-", ".err");
        try {
            Process process = builder.redirectOutput(out.toFile()).redirectError(err.toFile()).start();
            try {
                try (OutputStream in = process.getOutputStream()) {
                    in.write(stdin.getBytes(StandardCharsets.UTF_8));
                } catch (IOException e) {
                    // The process exited without reading its input; its exit code and stderr tell why.
                }
                int code = waitFor(process);
                return new Result(code, Files.readString(out), Files.readString(err));
            } finally {
                process.destroyForcibly();
            }
        } finally {
            Files.deleteIfExists(out);
            Files.deleteIfExists(err);
        }
    }

    /** Waits at most a minute for {@code process}, killing it and failing the test if it does not end. */
    static int waitFor(Process process) throws InterruptedException {
        if (!process.waitFor(DEADLINE_SECONDS, TimeUnit.SECONDS)) {
            process.destroyForcibly();
            fail("still running after " + DEADLINE_SECONDS + " s: " + process.info().commandLine().orElse("?"));
        }
        return process.exitValue();
    }
}
