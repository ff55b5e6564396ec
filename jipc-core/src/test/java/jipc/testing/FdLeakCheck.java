package jipc.testing;

import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.locks.LockSupport;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

import org.junit.jupiter.api.extension.AfterEachCallback;
import org.junit.jupiter.api.extension.BeforeEachCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * Fails a test that leaves a descriptor open or a child process behind (running, or a zombie nobody reaped): snapshots {@code /proc/self/fd} (number and {@code readlink} target)
 * before each test and compares after it (after the test's own {@code @AfterEach} methods).
 *
 * <p>Only descriptors of the kinds jipc creates are judged, so that the JVM's lazy opens (jars, class files,
 * {@code /dev/urandom}) never count: pipes, sockets, {@code anon_inode:} objects (pidfds, eventfds), memfds and
 * POSIX shared memory, FIFOs anywhere, and any file below the temporary directory or the module's
 * {@code target} directory (except jars and class files). A descriptor counts as new if its number was not open
 * before or now points somewhere else.
 *
 * <p>Registered for every test of jipc-core through {@code META-INF/services} and
 * {@code junit.jupiter.extensions.autodetection.enabled} in {@code junit-platform.properties}.
 */
public final class FdLeakCheck implements BeforeEachCallback, AfterEachCallback {
    private static final ExtensionContext.Namespace NAMESPACE = ExtensionContext.Namespace.create(FdLeakCheck.class);
    private static final String KEY = "fds";
    /** How long a descriptor may take to be closed by another thread after the test before it counts as leaked. */
    private static final Duration SETTLE = Duration.ofSeconds(2);
    private static final String CHILDREN = "children";
    private static final int S_IFMT = 0170000;
    private static final int S_IFIFO = 0010000;
    private static final List<String> WATCHED_DIRS = watchedDirs();

    @Override
    public void beforeEach(ExtensionContext context) {
        context.getStore(NAMESPACE).put(KEY, snapshot());
        context.getStore(NAMESPACE).put(CHILDREN, children());
    }

    @Override
    public void afterEach(ExtensionContext context) {
        @SuppressWarnings("unchecked")
        Map<Integer, String> before = context.getStore(NAMESPACE).remove(KEY, Map.class);
        List<String> leaked = newWatchedDescriptors(before, snapshot());
        // Some descriptors are closed by other threads shortly after a test ends (the JDK's process reaper closes a
        // finished Process's pipes asynchronously): a leak is a descriptor that is still open once that has settled.
        long deadline = System.nanoTime() + SETTLE.toNanos();
        while (!leaked.isEmpty() && System.nanoTime() - deadline < 0) {
            LockSupport.parkNanos(5_000_000);
            leaked = newWatchedDescriptors(before, snapshot());
        }
        if (!leaked.isEmpty()) {
            throw new AssertionError(context.getDisplayName() + " left " + leaked.size()
                    + " descriptor(s) open: " + String.join(", ", leaked));
        }
        @SuppressWarnings("unchecked")
        List<Long> childrenBefore = context.getStore(NAMESPACE).remove(CHILDREN, List.class);
        List<Long> childrenLeft = new ArrayList<>(children());
        childrenLeft.removeAll(childrenBefore);
        if (!childrenLeft.isEmpty()) {
            throw new AssertionError(context.getDisplayName() + " left child process(es) running or unreaped: "
                    + childrenLeft);
        }
    }

    /** The pids of this process's children, running or zombie (not yet reaped). */
    private static List<Long> children() {
        return ProcessHandle.current().children().map(ProcessHandle::pid).toList();
    }

    /** The open descriptors of this process: number to {@code readlink} target. */
    public static Map<Integer, String> snapshot() {
        Map<Integer, String> fds = new TreeMap<>();
        try (DirectoryStream<Path> dir = Files.newDirectoryStream(Path.of("/proc/self/fd"))) {
            for (Path entry : dir) {
                try {
                    fds.put(Integer.parseInt(entry.getFileName().toString()),
                            Files.readSymbolicLink(entry).toString());
                } catch (NoSuchFileException e) {
                    // closed while we listed (the directory stream's own descriptor, or another thread's)
                }
            }
        } catch (IOException e) {
            throw new AssertionError("cannot list /proc/self/fd", e);
        }
        return fds;
    }

    /** "57 -> pipe:[1234]" for every watched descriptor in {@code after} that is not the same in {@code before}. */
    public static List<String> newWatchedDescriptors(Map<Integer, String> before, Map<Integer, String> after) {
        List<String> leaked = new ArrayList<>();
        after.forEach((fd, target) -> {
            if (!target.equals(before.get(fd)) && watched(target)) {
                leaked.add(fd + " -> " + target);
            }
        });
        return leaked;
    }

    static boolean watched(String target) {
        if (target.startsWith("/dev/shm/jipc.live.") || target.equals("anon_inode:[eventpoll]")) {
            // this JVM's liveness token and the fd poller's epoll instance: held for the life of the process
            return false;
        }
        if (target.startsWith("pipe:") || target.startsWith("socket:") || target.startsWith("anon_inode:")
                || target.startsWith("/memfd:") || target.startsWith("/dev/shm/")) {
            return true;
        }
        if (!target.startsWith("/") || target.startsWith("/proc/")
                || target.endsWith(".jar") || target.endsWith(".class")) {
            return false;
        }
        for (String dir : WATCHED_DIRS) {
            if (target.startsWith(dir)) {
                return true;
            }
        }
        return isFifo(target);
    }

    private static boolean isFifo(String path) {
        try {
            int mode = (Integer) Files.getAttribute(Path.of(path), "unix:mode", LinkOption.NOFOLLOW_LINKS);
            return (mode & S_IFMT) == S_IFIFO;
        } catch (IOException | RuntimeException e) {
            return false; // deleted, or not a path we can look at
        }
    }

    private static List<String> watchedDirs() {
        List<String> dirs = new ArrayList<>();
        for (Path dir : List.of(Path.of(System.getProperty("java.io.tmpdir")), Gcc.moduleDir().resolve("target"))) {
            dirs.add(dir.toAbsolutePath().normalize() + "/");
            try {
                dirs.add(dir.toRealPath() + "/");
            } catch (IOException e) {
                // not there (yet): the absolute form is enough
            }
        }
        return List.copyOf(dirs);
    }
}
