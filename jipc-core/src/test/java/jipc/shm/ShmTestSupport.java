package jipc.shm;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import jipc.process.Spawn;
import jipc.testing.Capture;
import jipc.testing.Gcc;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.LockSupport;
import java.util.function.BooleanSupplier;

/**
 * Names, keys, peers and the leak check shared by the shared memory tests. Everything global that a test creates is
 * named after this JVM's pid, because other test runs share the machine: POSIX names start with
 * {@link #PREFIX}, System V keys carry {@link #KEY_TAG} and the pid.
 */
final class ShmTestSupport {
    private ShmTestSupport() {
    }

    static final long PID = ProcessHandle.current().pid();
    /** Every POSIX name a test makes starts with this. */
    static final String PREFIX = "/jipc-test-" + PID + "-";
    /** Top byte of every System V key a test makes; the next 16 bits are the pid, the low 8 a counter. */
    static final int KEY_TAG = 0x4A;
    private static final AtomicInteger COUNTER = new AtomicInteger();

    static String uniqueName(String what) {
        return PREFIX + what + "-" + COUNTER.incrementAndGet();
    }

    static int uniqueKey() {
        return KEY_TAG << 24 | (int) (PID & 0xFFFF) << 8 | (COUNTER.incrementAndGet() & 0xFF);
    }

    static boolean isOurKey(int key) {
        return key >>> 24 == KEY_TAG && (key >>> 8 & 0xFFFF) == (PID & 0xFFFF);
    }

    /** The POSIX objects of this JVM's tests still in /dev/shm. */
    static List<String> leftoverPosixNames() throws IOException {
        List<String> left = new ArrayList<>();
        for (SharedMemoryInfo info : SharedMemoryListing.posix()) {
            if (info.name().startsWith(PREFIX)) {
                left.add(info.name());
            }
        }
        return left;
    }

    /** The System V segments of this JVM's tests still in /proc/sysvipc/shm: our keys, or created by this JVM. */
    static List<SharedMemoryInfo> leftoverSegments() throws IOException {
        List<SharedMemoryInfo> left = new ArrayList<>();
        for (SharedMemoryInfo info : SharedMemoryListing.systemV()) {
            if (isOurKey(info.key()) || info.creatorPid() == PID) {
                left.add(info);
            }
        }
        return left;
    }

    /**
     * This JVM's descriptors ({@code /proc/self/fd}) and mappings ({@code /proc/self/maps}) that belong to the
     * tests' objects: POSIX names with {@link #PREFIX}, memfds named {@code jipc-test-*}, System V keys of ours.
     */
    static List<String> leftoverFdsAndMappings() throws IOException {
        List<String> left = new ArrayList<>();
        try (var fds = Files.list(Path.of("/proc/self/fd"))) {
            for (Path fd : fds.toList()) {
                try {
                    String target = Files.readSymbolicLink(fd).toString();
                    if (isOurs(target)) {
                        left.add(fd + " -> " + target);
                    }
                } catch (IOException e) {
                    // the fd of the directory listing itself, closed by now
                }
            }
        }
        for (String line : Files.readAllLines(Path.of("/proc/self/maps"))) {
            if (isOurs(line)) {
                left.add(line);
            }
        }
        return left;
    }

    private static boolean isOurs(String path) {
        if (path.contains("/dev/shm" + PREFIX) || path.contains("/memfd:jipc-test-")) {
            return true;
        }
        int sysv = path.indexOf("/SYSV");
        return sysv >= 0 && isOurKey((int) Long.parseLong(path.substring(sysv + 5, sysv + 13), 16));
    }

    /**
     * The suite's leak check: nothing a test made is left in /dev/shm or /proc/sysvipc/shm, and no descriptor or
     * mapping of it is left in this JVM.
     */
    static void assertNothingLeft() throws IOException {
        assertEquals(List.of(), leftoverPosixNames(), "POSIX shared memory left in /dev/shm");
        assertEquals(List.of(), leftoverSegments(), "System V segments left in /proc/sysvipc/shm");
        assertEquals(List.of(), leftoverFdsAndMappings(), "descriptors or mappings left in this JVM");
    }

    /** Whether {@code program} is on the PATH. */
    static boolean onPath(String program) {
        return Gcc.onPath(program) != null;
    }

    record Result(int status, String output) {
    }

    /** Runs a command to its end (at most 30 s, then killed), stdout and stderr together. */
    static Result run(List<String> command) throws IOException {
        Capture.Result r = Capture.run(Spawn.command(command));
        int status = r.status().exited() ? r.status().code() : 128 + r.status().signal();
        return new Result(status, r.out() + r.err());
    }

    /**
     * Polls {@code condition} until it holds, parking 50 µs between looks (a peer process starting up takes
     * hundreds of milliseconds; spinning would steal a core from it); fails after 30 s.
     */
    static void awaitCondition(String what, BooleanSupplier condition) {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() - deadline > 0) {
                throw new AssertionError("timed out waiting for " + what);
            }
            LockSupport.parkNanos(50_000);
        }
    }
}
