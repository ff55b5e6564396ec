package jipc.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code jipc sem ...} run as the packaged jar in its own JVM, checked against the file glibc keeps in
 * {@code /dev/shm/sem.NAME} and against a Python peer that uses {@code sem_open} through ctypes. Every semaphore gets
 * a name unique to this run and is removed in a finally block.
 */
class SemCommandsIT {
    private static final String PREFIX = "jipc-it-" + ProcessHandle.current().pid() + "-sem-";
    private static final AtomicInteger COUNTER = new AtomicInteger();

    /** No semaphore these tests made may outlive them. */
    @AfterAll
    static void nothingIsLeftInDevShm() throws Exception {
        try (Stream<Path> names = Files.list(Path.of("/dev/shm"))) {
            assertEquals(List.of(), names.filter(p -> p.getFileName().toString().startsWith("sem." + PREFIX))
                    .toList(), "left in /dev/shm");
        }
    }

    private static String uniqueName(String what) {
        return "/" + PREFIX + what + "-" + COUNTER.incrementAndGet() + "-" + Long.toHexString(System.nanoTime());
    }

    private static Path fileOf(String name) {
        return Path.of("/dev/shm", "sem." + name.substring(1));
    }

    private static void removeQuietly(String name) throws Exception {
        Files.deleteIfExists(fileOf(name)); // what sem_unlink does with glibc
    }

    @Test
    void createPostGetWaitRemoveRoundTrip() throws Exception {
        String name = uniqueName("round");
        try {
            Run.Result created = Run.jipc("", "sem", "create", name, "--value", "2", "--mode", "0640", "--exclusive");
            assertEquals(0, created.exitCode(), created.err());
            assertEquals(name + "\n", created.out());
            assertEquals("rw-r-----", PosixFilePermissions.toString(
                    Files.getPosixFilePermissions(fileOf(name), LinkOption.NOFOLLOW_LINKS)));
            assertEquals("2\n", Run.jipc("", "sem", "get", name).out());

            Run.Result posted = Run.jipc("", "sem", "post", name, "--count", "3");
            assertEquals(0, posted.exitCode(), posted.err());
            assertEquals("5\n", Run.jipc("", "sem", "get", name).out());

            Run.Result waited = Run.jipc("", "sem", "wait", name, "--timeout", "5s");
            assertEquals(0, waited.exitCode(), waited.err());
            assertEquals("4\n", Run.jipc("", "sem", "get", name).out());

            Run.Result again = Run.jipc("", "sem", "create", name, "--exclusive");
            assertEquals(ExitCodes.CANNOT_CREATE, again.exitCode(), again.err());
            again.assertNoStackTrace();
            Run.Result reopened = Run.jipc("", "sem", "create", name, "--value", "9");
            assertEquals(0, reopened.exitCode(), reopened.err());
            assertEquals("4\n", Run.jipc("", "sem", "get", name).out(), "create without --exclusive keeps the value");

            Run.Result removed = Run.jipc("", "sem", "rm", name);
            assertEquals(0, removed.exitCode(), removed.err());
            assertFalse(Files.exists(fileOf(name), LinkOption.NOFOLLOW_LINKS));
        } finally {
            removeQuietly(name);
        }
    }

    @Test
    void waitWithATimeoutOnAZeroSemaphoreExitsWithTheTimeoutCode() throws Exception {
        String name = uniqueName("timeout");
        try {
            assertEquals(0, Run.jipc("", "sem", "create", name).exitCode());

            Run.Result waited = Run.jipc("", "sem", "wait", name, "--timeout", "300ms");

            assertEquals(ExitCodes.TIMED_OUT, waited.exitCode(), waited.err());
            waited.assertNoStackTrace();
            assertTrue(waited.err().startsWith("jipc sem wait: timed out after 300ms: " + name), waited.err());
            assertEquals("0\n", Run.jipc("", "sem", "get", name).out());
        } finally {
            removeQuietly(name);
        }
    }

    /**
     * A Python peer opens the semaphore with sem_open, waits until glibc's waiter count in the semaphore (the high
     * half of its first 64-bit word) says that {@code jipc sem wait} sleeps on it, and posts: the wait returns 0.
     */
    @Test
    void waitReturnsWhenAPythonPeerPostsThroughSemOpen(@TempDir Path tmp) throws Exception {
        String name = uniqueName("python");
        Path peer = tmp.resolve("peer.py");
        Files.writeString(peer, """
                import ctypes, ctypes.util, mmap, struct, sys, time
                name = sys.argv[1]
                libc = ctypes.CDLL(None, use_errno=True)
                if not hasattr(libc, "sem_open"):
                    libc = ctypes.CDLL(ctypes.util.find_library("pthread"), use_errno=True)
                libc.sem_open.restype = ctypes.c_void_p
                libc.sem_open.argtypes = [ctypes.c_char_p, ctypes.c_int]
                libc.sem_post.argtypes = [ctypes.c_void_p]
                sem = libc.sem_open(name.encode(), 0)
                if not sem:
                    sys.exit("sem_open: errno %d" % ctypes.get_errno())
                with open("/dev/shm/sem." + name[1:], "rb") as f:
                    words = mmap.mmap(f.fileno(), 32, prot=mmap.PROT_READ)
                deadline = time.monotonic() + 30
                while struct.unpack_from("<I", words, 4)[0] == 0:
                    if time.monotonic() > deadline:
                        sys.exit("no waiter within 30 s")
                    time.sleep(0.005)
                if libc.sem_post(sem) != 0:
                    sys.exit("sem_post: errno %d" % ctypes.get_errno())
                print("python posted")
                """);
        try {
            assertEquals(0, Run.jipc("", "sem", "create", name, "--exclusive").exitCode());

            Run.Result result = Run.bash("""
                    "$JAVA" -jar "$JAR" sem wait "$1" --timeout 60s & waiter=$!
                    python3 "$2" "$1" || { kill $waiter; exit 9; }
                    wait $waiter
                    echo "wait exited $?"
                    """, name, peer.toString());

            assertEquals(0, result.exitCode(), result.out() + result.err());
            assertEquals("python posted\nwait exited 0\n", result.out(), result.err());
            assertEquals("0\n", Run.jipc("", "sem", "get", name).out(), "the wait took the post");
        } finally {
            removeQuietly(name);
        }
    }

    @Test
    void everyCommandOnAMissingNameExitsNoInputWithOneLine() throws Exception {
        String name = uniqueName("missing");
        for (List<String> args : List.of(List.of("post", name), List.of("wait", name, "--timeout", "1s"),
                List.of("get", name), List.of("rm", name))) {
            List<String> command = new java.util.ArrayList<>(List.of("sem"));
            command.addAll(args);
            Run.Result result = Run.jipc("", command.toArray(String[]::new));
            assertEquals(ExitCodes.NO_INPUT, result.exitCode(), args + ": " + result.err());
            result.assertNoStackTrace();
            assertTrue(result.err().contains("ENOENT"), result.err());
        }
        Run.Result forced = Run.jipc("", "sem", "rm", "--force", name);
        assertEquals(0, forced.exitCode(), forced.err());
    }

    @Test
    void badNamesAndValuesAreUsageErrors() throws Exception {
        Run.Result slash = Run.jipc("", "sem", "create", "/a/b");
        assertEquals(ExitCodes.USAGE, slash.exitCode(), slash.err());
        slash.assertNoStackTrace();
        Run.Result negative = Run.jipc("", "sem", "create", uniqueName("negative"), "--value", "-1");
        assertEquals(ExitCodes.USAGE, negative.exitCode(), negative.err());
        negative.assertNoStackTrace();
        Run.Result count = Run.jipc("", "sem", "post", uniqueName("count"), "--count", "0");
        assertEquals(ExitCodes.USAGE, count.exitCode(), count.err());
    }
}
