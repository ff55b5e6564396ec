package jipc.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import jipc.fifo.Fifo;
import jipc.shm.PosixSharedMemory;
import jipc.topic.SharedTopic;
import jipc.topic.TopicPublisher;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import picocli.CommandLine;

/**
 * Every user mistake on every subcommand (unknown command, missing or extra arguments, bad numbers, sizes, modes,
 * durations and names, missing objects, objects of the wrong kind) ends with a short message on stderr and the
 * documented exit code of {@link ExitCodes}, never a stack trace.
 *
 * <p>The table runs in this JVM through the same {@code ExitCodes.install(new CommandLine(new JipcCommand()))} that
 * {@code Main} runs (a JVM per row would cost minutes on a busy machine); {@link #thePackagedJarAnswersTheSame}
 * runs a sample of rows as the real {@code java -jar jipc.jar} to show that the two agree. No row reaches standard
 * input: each fails before a command would read it.
 */
@Timeout(value = 300, unit = TimeUnit.SECONDS)
class BadInputIT {
    private static final String MISSING = "/jipc-badcli-" + ProcessHandle.current().pid() + "-missing";
    private static final String PLAIN_SHM = "/jipc-badcli-" + ProcessHandle.current().pid() + "-plain";
    /** A topic whose publisher role this JVM holds. */
    private static final String TOPIC = "/jipc-badcli-" + ProcessHandle.current().pid() + "-topic";
    /** A topic all 64 of whose subscriber slots this JVM holds, its ring full. */
    private static final String FULL_TOPIC = "/jipc-badcli-" + ProcessHandle.current().pid() + "-full";
    private static Path dir;
    private static final List<AutoCloseable> held = new ArrayList<>();

    private static final int USAGE = ExitCodes.USAGE;
    private static final int NO_INPUT = ExitCodes.NO_INPUT;
    private static final int UNAVAILABLE = ExitCodes.UNAVAILABLE;
    private static final int IO_ERROR = ExitCodes.IO_ERROR;

    @BeforeAll
    static void objects() throws IOException {
        dir = Files.createTempDirectory("jipc-badcli-");
        Files.writeString(dir.resolve("regular"), "not a fifo\n");
        Fifo.create(dir.resolve("fifo"));
        Files.createSymbolicLink(dir.resolve("link"), dir.resolve("fifo"));
        PosixSharedMemory.create(PLAIN_SHM, 8192).close(); // shared memory that holds no channel
        SharedTopic topic = SharedTopic.create(TOPIC, 4096, 496);
        held.add(topic);
        held.addFirst(topic.topic().publisher());
        SharedTopic full = SharedTopic.create(FULL_TOPIC, 4096, 496);
        held.add(full);
        for (int i = 0; i < 64; i++) {
            held.addFirst(full.topic().subscribe());
        }
        try (TopicPublisher filler = full.topic().publisher()) {
            while (filler.offer(1, new byte[0], 0, 0)) {
                // empty messages, the smallest records: until the 64 subscribers, none of which reads, leave no room
            }
        }
    }

    @AfterAll
    static void removeObjects() throws Exception {
        for (AutoCloseable end : held) {
            end.close();
        }
        PosixSharedMemory.unlinkIfExists(TOPIC);
        PosixSharedMemory.unlinkIfExists(FULL_TOPIC);
        PosixSharedMemory.unlinkIfExists(PLAIN_SHM);
        try (Stream<Path> left = Files.list(dir)) {
            for (Path p : left.toList()) {
                Files.deleteIfExists(p);
            }
        }
        Files.deleteIfExists(dir);
        try (Stream<Path> shm = Files.list(Path.of("/dev/shm"))) {
            assertEquals(List.of(), shm.map(p -> p.getFileName().toString())
                    .filter(n -> n.contains("jipc-badcli-" + ProcessHandle.current().pid())).toList(),
                    "a bad command line created something in /dev/shm");
        }
    }

    private static Arguments row(int code, String... args) {
        return Arguments.of(String.join(" ", args), code, args);
    }

    static Stream<Arguments> badCommandLines() {
        String fifo = dir.resolve("fifo").toString();
        String regular = dir.resolve("regular").toString();
        String link = dir.resolve("link").toString();
        String longName = "/" + "n".repeat(300);
        List<Arguments> rows = new ArrayList<>(List.of(
                // the command tree ("jipc demo" alone runs every demo: not a mistake)
                row(USAGE),
                row(USAGE, "frobnicate"),
                row(USAGE, "--no-such-option"),
                row(USAGE, "shm"),
                row(USAGE, "sem"),
                row(USAGE, "fifo"),
                row(USAGE, "pipe"),
                row(USAGE, "channel"),
                row(USAGE, "topic"),
                row(USAGE, "shm", "frobnicate"),
                row(USAGE, "demo", "frobnicate"),

                // shm
                row(USAGE, "shm", "create"),
                row(USAGE, "shm", "create", "/x"),
                row(USAGE, "shm", "create", "/a/b", "--size", "4096"),
                row(USAGE, "shm", "create", "/..", "--size", "4096"),
                row(USAGE, "shm", "create", longName, "--size", "4096"),
                row(USAGE, "shm", "create", "key:zzz", "--size", "4096"),
                row(USAGE, "shm", "create", MISSING, "--size", "-1"),
                row(USAGE, "shm", "create", MISSING, "--size", "0"),
                row(USAGE, "shm", "create", MISSING, "--size", "abc"),
                row(USAGE, "shm", "create", MISSING, "--size", "99999999999T"),
                row(USAGE, "shm", "create", MISSING, "--size", "4096", "--mode", "999"),
                row(USAGE, "shm", "create", MISSING, "--size", "4096", "--mode", "01000"),
                row(USAGE, "shm", "create", MISSING, "--size", "4096", "extra"),
                row(IO_ERROR, "shm", "create", MISSING, "--size", "1T"), // ENOMEM: more than the machine has
                row(NO_INPUT, "shm", "rm", MISSING),
                row(USAGE, "shm", "rm", "id:abc"),
                row(NO_INPUT, "shm", "read", MISSING),
                row(USAGE, "shm", "read", MISSING, "--offset", "-1"),
                row(USAGE, "shm", "read", MISSING, "--length", "abc"),
                row(NO_INPUT, "shm", "dump", MISSING),
                row(NO_INPUT, "shm", "write", MISSING, "--string", "hi"),
                row(USAGE, "shm", "ls", "extra"),
                row(USAGE, "shm", "ls", "--bogus"),

                // sem
                row(USAGE, "sem", "create"),
                row(USAGE, "sem", "create", "/a/b"),
                row(USAGE, "sem", "create", longName),
                row(USAGE, "sem", "create", MISSING, "--value", "-1"),
                row(USAGE, "sem", "create", MISSING, "--value", "abc"),
                row(USAGE, "sem", "create", MISSING, "--mode", "8"),
                row(NO_INPUT, "sem", "get", MISSING),
                row(NO_INPUT, "sem", "post", MISSING),
                row(USAGE, "sem", "post", MISSING, "--count", "0"),
                row(USAGE, "sem", "post", MISSING, "--count", "-1"),
                row(NO_INPUT, "sem", "wait", MISSING, "--timeout", "10ms"),
                row(USAGE, "sem", "wait", MISSING, "--timeout", "abc"),
                row(USAGE, "sem", "wait", MISSING, "--timeout", "-5s"),
                row(NO_INPUT, "sem", "rm", MISSING),
                row(USAGE, "sem", "get", MISSING, "extra"),

                // fifo
                row(USAGE, "fifo", "create"),
                row(NO_INPUT, "fifo", "create", dir.resolve("missing/fifo").toString()),
                row(USAGE, "fifo", "create", dir.resolve("m").toString(), "--mode", "9"),
                row(ExitCodes.CANNOT_CREATE, "fifo", "create", link),
                row(NO_INPUT, "fifo", "read", dir.resolve("missing").toString()),
                row(NO_INPUT, "fifo", "read", regular),
                row(NO_INPUT, "fifo", "read", link),
                row(NO_INPUT, "fifo", "read", dir.toString()),
                row(NO_INPUT, "fifo", "write", dir.resolve("missing").toString()),
                row(NO_INPUT, "fifo", "write", link),
                row(USAGE, "fifo", "write", fifo, "--timeout", "soon"),
                row(UNAVAILABLE, "fifo", "write", fifo, "--nonblock"),
                row(UNAVAILABLE, "fifo", "write", fifo, "--timeout", "100ms"),
                row(NO_INPUT, "fifo", "rm", dir.resolve("missing").toString()),
                row(NO_INPUT, "fifo", "rm", regular),
                row(NO_INPUT, "fifo", "rm", link),

                // pipe
                row(USAGE, "pipe", "stat", "abc"),
                row(USAGE, "pipe", "stat", "-1"),
                row(NO_INPUT, "pipe", "stat", "999"),
                row(USAGE, "pipe", "resize"),
                row(USAGE, "pipe", "resize", "abc"),
                row(USAGE, "pipe", "resize", "-4096", "999"),
                row(NO_INPUT, "pipe", "resize", "4096", "999"),
                row(USAGE, "pipe", "to"),
                row(USAGE, "pipe", "to", "--fd", "3"),
                row(USAGE, "pipe", "to", "--fd", "abc", "true"),
                row(ExitCodes.COMMAND_NOT_FOUND, "pipe", "to", "--fd", "3", "/nonexistent/jipc-program"),

                // channel
                row(USAGE, "channel", "create"),
                row(USAGE, "channel", "create", "noslash"),
                row(USAGE, "channel", "create", "/a/b"),
                row(USAGE, "channel", "create", MISSING, "--capacity", "1000"),
                row(USAGE, "channel", "create", MISSING, "--capacity", "abc"),
                row(USAGE, "channel", "create", MISSING, "--max-message", "0"),
                row(USAGE, "channel", "create", MISSING, "--capacity", "4K", "--max-message", "4K"),
                row(IO_ERROR, "channel", "create", MISSING, "--capacity", "1T"),
                row(NO_INPUT, "channel", "send", MISSING),
                row(USAGE, "channel", "send", MISSING, "--timeout", "abc"),
                row(NO_INPUT, "channel", "recv", MISSING),
                row(USAGE, "channel", "recv", MISSING, "--count", "abc"),
                row(NO_INPUT, "channel", "stat", MISSING),
                row(NO_INPUT, "channel", "stat", PLAIN_SHM),
                row(NO_INPUT, "channel", "recv", PLAIN_SHM),
                row(NO_INPUT, "channel", "rm", MISSING),
                row(USAGE, "channel", "rm", "/a/b"),

                // topic
                row(USAGE, "topic", "frobnicate"),
                row(USAGE, "topic", "create"),
                row(USAGE, "topic", "create", "noslash"),
                row(USAGE, "topic", "create", "/a/b"),
                row(USAGE, "topic", "create", MISSING, "--capacity", "1000"),
                row(USAGE, "topic", "create", MISSING, "--capacity", "abc"),
                row(USAGE, "topic", "create", MISSING, "--max-message", "0"),
                row(USAGE, "topic", "create", MISSING, "--capacity", "4K", "--max-message", "4K"),
                row(USAGE, "topic", "create", MISSING, "--mode", "9"),
                row(IO_ERROR, "topic", "create", MISSING, "--capacity", "1T"),
                row(ExitCodes.CANNOT_CREATE, "topic", "create", TOPIC),
                row(NO_INPUT, "topic", "pub", MISSING, "x"),
                row(NO_INPUT, "topic", "pub", PLAIN_SHM, "x"),
                row(USAGE, "topic", "pub", MISSING, "--timeout", "abc"),
                row(USAGE, "topic", "pub", FULL_TOPIC, "x".repeat(600)),
                row(IO_ERROR, "topic", "pub", TOPIC, "x"), // the publisher role is taken (by this JVM)
                row(UNAVAILABLE, "topic", "pub", FULL_TOPIC, "--timeout", "10ms", "x"),
                row(NO_INPUT, "topic", "sub", MISSING),
                row(NO_INPUT, "topic", "sub", PLAIN_SHM),
                row(USAGE, "topic", "sub", MISSING, "--count", "0"),
                row(USAGE, "topic", "sub", MISSING, "--history", "-1"),
                row(USAGE, "topic", "sub", MISSING, "--timeout", "-5s"),
                row(IO_ERROR, "topic", "sub", FULL_TOPIC, "--timeout", "10ms"), // all 64 slots are taken
                row(UNAVAILABLE, "topic", "sub", TOPIC, "--timeout", "10ms"), // nothing came
                row(NO_INPUT, "topic", "stat", MISSING),
                row(NO_INPUT, "topic", "stat", PLAIN_SHM),
                row(USAGE, "topic", "stat", MISSING, "extra"),
                row(NO_INPUT, "topic", "rm", MISSING),
                row(NO_INPUT, "topic", "rm", PLAIN_SHM),

                // demo
                row(USAGE, "demo", "sem", "--rounds", "abc"),
                row(USAGE, "demo", "sem", "--rounds", "-1"),
                row(USAGE, "demo", "channel", "--messages", "-5"),
                row(USAGE, "demo", "pipe", "extra"),
                row(USAGE, "demo", "topic", "extra")));
        return rows.stream();
    }

    /** What one in-process run printed and returned. */
    record Outcome(int code, String out, String err) {
    }

    /** Runs {@code args} as {@code Main} would, in this JVM, with stdout and stderr captured. */
    static Outcome runInProcess(String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        ByteArrayOutputStream rawErr = new ByteArrayOutputStream();
        PrintStream systemErr = System.err;
        System.setErr(new PrintStream(rawErr, true, StandardCharsets.UTF_8));
        try {
            CommandLine command = ExitCodes.install(new CommandLine(new JipcCommand()));
            command.setOut(new PrintWriter(out, true));
            command.setErr(new PrintWriter(err, true));
            int code = command.execute(args);
            return new Outcome(code, out.toString(), err + rawErr.toString(StandardCharsets.UTF_8));
        } finally {
            System.setErr(systemErr);
        }
    }

    private static void assertShortMessage(String shown, String err) {
        assertFalse(err.isBlank(), shown + ": says nothing on stderr");
        assertFalse(err.contains("Exception"), shown + ": stderr names an exception:\n" + err);
        assertFalse(err.contains("at jipc.") || err.contains("\tat "), shown + ": stack trace on stderr:\n" + err);
        assertTrue(err.lines().count() <= 3, shown + ": more than a short message on stderr:\n" + err);
    }

    @ParameterizedTest(name = "jipc {0} -> {1}")
    @MethodSource("badCommandLines")
    void everyMistakeGetsAShortMessageAndItsExitCode(String shown, int code, String[] args) {
        Outcome outcome = assertTimeoutPreemptively(Duration.ofSeconds(30), () -> runInProcess(args),
                "jipc " + shown + " did not end");
        assertEquals(code, outcome.code(), "jipc " + shown + " printed:\n" + outcome.err());
        assertShortMessage("jipc " + shown, outcome.err());
    }

    @Test
    void thePackagedJarAnswersTheSame() throws Exception {
        String[][] sample = {
                {"shm", "create", MISSING, "--size", "abc"},
                {"fifo", "read", dir.resolve("link").toString()},
                {"topic", "stat", PLAIN_SHM},
        };
        for (String[] args : sample) {
            Run.Result real = Run.jipc("", args);
            Outcome here = runInProcess(args);
            assertEquals(here.code(), real.exitCode(), String.join(" ", args) + ": " + real.err());
            assertEquals(here.err(), real.err(), String.join(" ", args));
            assertShortMessage(String.join(" ", args), real.err());
        }
    }
}
