package jipc.testing;

import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.AccessDeniedException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.locks.LockSupport;

import jipc.io.HasFd;
import jipc.live.Liveness;
import jipc.process.ExitStatus;
import jipc.process.Spawn;

/**
 * "Another container" for tests: a command run in a new pid namespace that shares this machine's {@code /dev/shm}, as
 * the containers of one pod do. A pid recorded there means nothing here, and the reverse.
 *
 * <p>The namespace comes from {@code unshare --pid --fork --kill-child --mount-proc} (as root), or, where that is
 * refused, {@code unshare --user --map-root-user --pid --fork --kill-child --mount-proc}; with neither, the calling
 * test is skipped by an assumption whose reason is printed. Inside, a bash plays the container's init (pid 1) and
 * starts the command as its only child: at pid 2, or at a chosen pid ({@code /proc/sys/kernel/ns_last_pid}), with
 * this process's stdin passed on when asked. So the command can be killed on its own from here ({@link #kill()}):
 * the init then exits with 137, {@code unshare} with it, and this process reaps {@code unshare}, which reaped both.
 * If {@code unshare} itself is killed, {@code --kill-child} kills the init and with it the whole namespace.
 *
 * <p>{@link #close()} leaves nothing behind: it kills the command if it still runs, reaps {@code unshare}, and removes
 * the liveness token files ({@code /dev/shm/jipc.live.*}) that processes of the namespace left, once they are dead.
 *
 * <p>Costs: the first use probes with one or two {@code unshare ... true} runs; each namespace is an {@code unshare},
 * a bash and the command, plus a scan of {@code /proc} for the command's pid.
 */
public final class PidNamespace implements AutoCloseable {
    /**
     * The init: sets the next pid if asked, starts the command with the init's stdin, and exits as it does (without
     * bash's "Killed" line on stderr when that was by a signal).
     */
    private static final String INIT = """
            if [ "$1" != 0 ]; then echo $(($1 - 1)) > /proc/sys/kernel/ns_last_pid || exit 90; fi
            shift
            "$@" <&0 &
            wait $! 2>/dev/null
            """;
    private static final Duration START = Duration.ofSeconds(60);

    private final Capture capture;
    private final int pid;
    private final int namespacePid;
    private final long inode;

    private PidNamespace(Capture capture, int pid, int namespacePid, long inode) {
        this.capture = capture;
        this.pid = pid;
        this.namespacePid = namespacePid;
        this.inode = inode;
    }

    /** Skips the calling test, printing why, unless a new pid namespace can be made here (see the class comment). */
    public static void assumeAvailable() {
        Probe probe = Probe.RESULT;
        assumeTrue(probe.unshare != null, probe.reason);
    }

    /**
     * The {@code unshare} command and options that make a namespace here: the root form, or the user-namespace form
     * where the root form is refused. Skips the calling test if neither works.
     */
    public static List<String> unshare() {
        assumeAvailable();
        return Probe.RESULT.unshare;
    }

    /**
     * The command line that runs {@code command} to its end in a new pid namespace, as the init's child (pid 2):
     * for commands whose pid nobody needs ({@code jipc clean}). Skips the calling test if no namespace can be made.
     */
    public static List<String> argv(List<String> command) {
        return argv(command, 0);
    }

    private static List<String> argv(List<String> command, int pid) {
        List<String> argv = new ArrayList<>(unshare());
        argv.addAll(List.of("--", "bash", "-c", INIT, "jipc-pidns-init", Integer.toString(pid)));
        argv.addAll(command);
        return argv;
    }

    /**
     * The command line of a child JVM for a namespace: {@link JavaCommand#argv(Class, String...)} with
     * {@code -XX:-UsePerfData}, because the namespaces share {@code /tmp}, and a JVM's perf data file
     * {@code /tmp/hsperfdata_USER/PID} would collide with that of a JVM of the same pid in another namespace (a
     * warning on stderr, and a file left behind).
     */
    public static List<String> java(Class<?> mainClass, Object... args) {
        List<String> argv = new ArrayList<>(JavaCommand.argv(mainClass,
                Arrays.stream(args).map(String::valueOf).toArray(String[]::new)));
        argv.add(1, "-XX:-UsePerfData");
        return argv;
    }

    /** Starts {@code command} in a new pid namespace at pid 2, stdin {@code /dev/null}. */
    public static PidNamespace start(List<String> command) throws IOException {
        return start(command, 0, null);
    }

    /**
     * Starts {@code command} in a new pid namespace and returns once it runs there (a {@code /proc} scan).
     *
     * @param pid   the command's pid in the namespace (2 or more), or 0 for whatever comes next (2)
     * @param stdin the command's standard input (handed over: closed here once it runs), or {@code null} for
     *              {@code /dev/null}
     */
    public static PidNamespace start(List<String> command, int pid, HasFd stdin) throws IOException {
        if (pid == 1 || pid < 0) {
            throw new IllegalArgumentException("pid=" + pid + ": pid 1 is the init's; choose 2 or more, or 0");
        }
        Spawn spawn = Spawn.command(argv(command, pid));
        Capture capture = stdin == null ? Capture.start(spawn) : Capture.startKeepingStdin(spawn.fd(0, stdin));
        try {
            ProcessHandle init = onlyChild(capture, ProcessHandle.of(capture.child().pid()).orElseThrow(), "init");
            long inode = namespaceInode(init.pid());
            if (inode == ownNamespaceInode()) {
                throw new AssertionError("unshare ran its init in this pid namespace (" + inode + ")");
            }
            ProcessHandle child = onlyChild(capture, init, "command");
            int inside = namespacePid(child.pid());
            return new PidNamespace(capture, (int) child.pid(), inside, inode);
        } catch (IOException | RuntimeException | Error e) {
            capture.close();
            throw e;
        }
    }

    /** The only child of {@code parent}, waiting for it to appear; fails if {@code unshare} ends first. */
    private static ProcessHandle onlyChild(Capture capture, ProcessHandle parent, String what) {
        long deadline = System.nanoTime() + START.toNanos();
        for (;;) {
            List<ProcessHandle> children = parent.children().toList();
            if (children.size() == 1) {
                return children.getFirst();
            }
            if (children.size() > 1) {
                throw new AssertionError(parent.pid() + " has " + children.size() + " children, expected the "
                        + what + " only");
            }
            Optional<ExitStatus> ended = exitStatus(capture);
            if (ended.isPresent()) {
                throw new AssertionError("unshare ended with " + ended.get() + " before the " + what + " ran; "
                        + "stdout: " + capture.outSoFar());
            }
            if (System.nanoTime() - deadline > 0) {
                throw new AssertionError("no " + what + " under pid " + parent.pid() + " after " + START);
            }
            LockSupport.parkNanos(1_000_000);
        }
    }

    private static Optional<ExitStatus> exitStatus(Capture capture) {
        try {
            return capture.child().waitFor(Duration.ZERO);
        } catch (IOException e) {
            throw new AssertionError("waitpid of unshare: " + e.getMessage(), e);
        }
    }

    /** The command's pid in this (the test's) pid namespace: what {@link #kill()} signals. */
    public int pid() {
        return pid;
    }

    /** The command's pid in its own namespace, as it sees it ({@code getpid()}) and records it. */
    public int namespacePid() {
        return namespacePid;
    }

    /** The inode of the namespace ({@code /proc/PID/ns/pid} = {@code pid:[INODE]}), as jipc records it. */
    public long inode() {
        return inode;
    }

    /** The command's (and unshare's) output so far and its end. */
    public Capture capture() {
        return capture;
    }

    /**
     * Waits for the command to print a line starting with {@code prefix} on stdout and returns the line; fails if it
     * does not within {@code timeout} or the namespace ends first.
     */
    public String awaitLine(String prefix, Duration timeout) throws Exception {
        String[] found = new String[1];
        Await.until(timeout, "a line starting with '" + prefix + "' from " + this, () -> {
            found[0] = capture.outSoFar().lines().filter(l -> l.startsWith(prefix)).findFirst().orElse(null);
            if (found[0] == null && exitStatus(capture).isPresent()) {
                throw new AssertionError(this + " ended before printing '" + prefix + "': " + capture.finish());
            }
            return found[0] != null;
        });
        return found[0];
    }

    /**
     * Kills the command with SIGKILL and waits for the namespace to end: its init exits as the command did, and
     * {@code unshare} (reaped here) exits with that code, 137. When this returns, the command's descriptors are
     * closed and its locks released.
     *
     * @return how {@code unshare} ended
     */
    public ExitStatus kill() throws IOException {
        if (exitStatus(capture).isEmpty()) {
            // the init has not reaped the command while unshare runs, so the pid is still the command's
            ProcessHandle.of(pid).ifPresent(ProcessHandle::destroyForcibly);
        }
        return capture.child().waitFor(Duration.ofSeconds(30))
                .orElseThrow(() -> new AssertionError("unshare did not end within 30 s after SIGKILL of " + pid));
    }

    /** Kills what still runs, reaps it, and removes the dead liveness tokens of the namespace's processes. */
    @Override
    public void close() throws IOException {
        try {
            if (exitStatus(capture).isEmpty()) {
                ProcessHandle.of(pid).ifPresent(ProcessHandle::destroyForcibly);
                if (capture.child().waitFor(Duration.ofSeconds(10)).isEmpty()) {
                    capture.close(); // SIGKILL of unshare: --kill-child kills the init, and the namespace with it
                }
            }
        } finally {
            capture.close();
            removeDeadTokens(inode);
        }
    }

    /**
     * Removes every liveness token file in {@code /dev/shm} that names pid namespace {@code inode} on its line for
     * people ({@code pid P pidns N}) and is dead ({@link Liveness#removeIfDead}): what killed processes of that
     * namespace left. Returns how many it removed.
     */
    public static int removeDeadTokens(long inode) throws IOException {
        int removed = 0;
        for (String name : Liveness.tokenFiles()) {
            String line;
            try {
                line = Files.readString(Path.of("/dev/shm", name), StandardCharsets.US_ASCII);
            } catch (NoSuchFileException | AccessDeniedException e) {
                continue; // gone meanwhile, or another user's (not ours to judge by its line)
            }
            if (line.strip().endsWith(" pidns " + inode) && Liveness.removeIfDead(name)) {
                removed++;
            }
        }
        return removed;
    }

    /** The inode of the pid namespace of process {@code pid}, from {@code /proc/PID/ns/pid}. */
    public static long namespaceInode(long pid) throws IOException {
        String link = Files.readSymbolicLink(Path.of("/proc/" + pid + "/ns/pid")).toString(); // pid:[4026531836]
        return Long.parseLong(link.substring(link.indexOf('[') + 1, link.indexOf(']')));
    }

    /** The inode of this process's pid namespace. */
    public static long ownNamespaceInode() throws IOException {
        return namespaceInode(ProcessHandle.current().pid());
    }

    /** The pid of {@code pid} in its innermost namespace: the last number of the {@code NSpid:} status line. */
    private static int namespacePid(long pid) throws IOException {
        for (String line : Files.readAllLines(Path.of("/proc/" + pid + "/status"))) {
            if (line.startsWith("NSpid:")) {
                String[] fields = line.substring(6).trim().split("\\s+");
                return Integer.parseInt(fields[fields.length - 1]);
            }
        }
        throw new AssertionError("no NSpid line in /proc/" + pid + "/status");
    }

    @Override
    public String toString() {
        return "PidNamespace[" + inode + ", pid " + namespacePid + " there, " + pid + " here]";
    }

    /** What the first use found: the {@code unshare} options that work here, or why none do. */
    private record Probe(List<String> unshare, String reason) {
        static final Probe RESULT = probe();

        private static Probe probe() {
            if (Gcc.onPath("unshare") == null || Gcc.onPath("bash") == null) {
                return skip("unshare (util-linux) or bash is not on PATH");
            }
            List<String> root = List.of("unshare", "--pid", "--fork", "--kill-child", "--mount-proc");
            List<String> user = List.of("unshare", "--user", "--map-root-user", "--pid", "--fork", "--kill-child",
                    "--mount-proc");
            StringBuilder why = new StringBuilder();
            for (List<String> options : List.of(root, user)) {
                List<String> argv = new ArrayList<>(options);
                argv.addAll(List.of("--", "bash", "-c", "test -w /proc/sys/kernel/ns_last_pid"));
                try {
                    Capture.Result result = Capture.run(Spawn.command(argv));
                    if (result.status().success()) {
                        return new Probe(options, null);
                    }
                    why.append(String.join(" ", options)).append(": ").append(result.status()).append(' ')
                            .append(result.err().strip()).append("; ");
                } catch (IOException e) {
                    why.append(String.join(" ", options)).append(": ").append(e.getMessage()).append("; ");
                }
            }
            return skip("cannot make a pid namespace here: " + why);
        }

        private static Probe skip(String reason) {
            System.out.println("PidNamespace: tests across pid namespaces are skipped: " + reason);
            return new Probe(null, reason);
        }
    }
}
