package jipc.process;

import java.io.File;
import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;

import jipc.internal.Constants;
import jipc.internal.Errno;
import jipc.internal.LibC;
import jipc.io.Fd;
import jipc.io.HasFd;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

/**
 * Starts a child process with chosen file descriptors at chosen numbers: what {@link ProcessBuilder} cannot do
 * (it gives a child nothing above fd 2).
 *
 * <pre>{@code
 * try (Pipe pipe = Pipe.open();
 *      ChildProcess child = Spawn.command("./reader").fd(3, pipe.source()).start()) {
 *     pipe.sink().writeFully("Hello from parent".getBytes());
 *     pipe.sink().close();             // the reader sees EOF
 *     ExitStatus status = child.waitFor();
 * }
 * }</pre>
 *
 * <p>It runs {@code posix_spawnp(3)} (a vfork-style clone and exec in glibc, cheap even for a large JVM) with file
 * actions that
 * <ol>
 *   <li>{@code dup2} every placed descriptor to its number (clearing close-on-exec there; permutations such as
 *       "swap 3 and 4" are safe because the sources are first copied above every target);</li>
 *   <li>close everything else from 3 up ({@code posix_spawn_file_actions_addclosefrom_np}), so the child gets
 *       nothing of the JVM's by accident; fds 0, 1 and 2 are inherited unless placed;</li>
 * </ol>
 * and attributes that reset the signal mask and every signal's disposition, which the JVM changes (HotSpot blocks
 * SIGQUIT in its threads, for example). Descriptors given with {@link #fd(int, HasFd)} are closed in this process
 * once the child runs: the classic "close the end you gave away". {@link #shareFd(int, HasFd)} keeps them.
 */
public final class Spawn {
    private final List<String> argv;
    private final Map<Integer, HasFd> handOver = new TreeMap<>();
    private final Map<Integer, HasFd> shared = new TreeMap<>();
    private final Map<Integer, String> devNull = new TreeMap<>();
    private final Map<String, String> environment = new LinkedHashMap<>(System.getenv());
    private Path directory;

    private Spawn(List<String> argv) {
        if (Objects.requireNonNull(argv, "argv").isEmpty()) {
            throw new IllegalArgumentException("argv is empty: name a program to run");
        }
        for (String a : argv) {
            Objects.requireNonNull(a, "argv contains null");
            if (a.indexOf('\0') >= 0) {
                throw new IllegalArgumentException("argument contains NUL: " + a.replace("\0", "\\0"));
            }
        }
        this.argv = List.copyOf(argv);
    }

    /**
     * A program and its arguments; the program is looked up in {@code PATH} when it has no '/'.
     *
     * @param argv the program, then its arguments
     * @return a builder; {@link #start()} starts the child
     */
    public static Spawn command(String... argv) {
        return new Spawn(Arrays.asList(Objects.requireNonNull(argv, "argv")));
    }

    /**
     * A program and its arguments; the program is looked up in {@code PATH} when it has no '/'.
     *
     * @param argv the program, then its arguments
     * @return a builder; {@link #start()} starts the child
     */
    public static Spawn command(List<String> argv) {
        return new Spawn(argv);
    }

    /**
     * A fresh JVM running {@code mainClass} with this JVM's {@code java} and class path, native access granted to
     * the class path ({@code --enable-native-access=ALL-UNNAMED}) and flags that make a small child start fast.
     * Extra JVM options go in {@code jvmOptions} before the class name.
     *
     * @param mainClass the class whose {@code main} the child runs; on this JVM's class path
     * @param jvmOptions options before the class name, e.g. {@code -Xmx64m}
     * @param args the arguments of {@code main}
     * @return a builder; {@link #start()} starts the child
     */
    public static Spawn java(Class<?> mainClass, List<String> jvmOptions, String... args) {
        Objects.requireNonNull(mainClass, "mainClass");
        Objects.requireNonNull(jvmOptions, "jvmOptions");
        Objects.requireNonNull(args, "args");
        List<String> cmd = new ArrayList<>();
        cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        cmd.add("-cp");
        cmd.add(System.getProperty("java.class.path"));
        cmd.add("--enable-native-access=ALL-UNNAMED");
        cmd.add("-XX:+UseSerialGC");
        cmd.add("-XX:TieredStopAtLevel=1");
        cmd.add("-Xshare:auto");
        cmd.addAll(jvmOptions);
        cmd.add(mainClass.getName());
        cmd.addAll(Arrays.asList(args)); // a null element is refused by the constructor, naming argv
        return new Spawn(cmd);
    }

    /**
     * {@link #java(Class, List, String...)} without extra JVM options.
     *
     * @param mainClass the class whose {@code main} the child runs; on this JVM's class path
     * @param args the arguments of {@code main}
     * @return a builder; {@link #start()} starts the child
     */
    public static Spawn java(Class<?> mainClass, String... args) {
        return java(mainClass, List.of(), args);
    }

    /**
     * Places {@code end}'s descriptor in the child at {@code childFd} and closes this process's copy once the child
     * has started (the usual hand-over: the parent must not keep the end it gave away).
     *
     * @param childFd the descriptor number in the child, {@code >= 0}
     * @param end the end to hand over
     * @return this builder
     */
    public Spawn fd(int childFd, HasFd end) {
        place(childFd, end, handOver);
        return this;
    }

    /**
     * Places {@code end}'s descriptor in the child at {@code childFd} and keeps this process's copy open.
     *
     * @param childFd the descriptor number in the child, {@code >= 0}
     * @param end the end to share
     * @return this builder
     */
    public Spawn shareFd(int childFd, HasFd end) {
        place(childFd, end, shared);
        return this;
    }

    /**
     * Opens {@code /dev/null} in the child at {@code childFd} (e.g. 0 for an empty stdin).
     *
     * @param childFd the descriptor number in the child, {@code >= 0}
     * @return this builder
     */
    public Spawn nullFd(int childFd) {
        checkFree(childFd);
        devNull.put(childFd, "/dev/null");
        return this;
    }

    private void place(int childFd, HasFd end, Map<Integer, HasFd> into) {
        Objects.requireNonNull(end, "end");
        checkFree(childFd);
        into.put(childFd, end);
    }

    private void checkFree(int childFd) {
        if (childFd < 0) {
            throw new IllegalArgumentException("childFd=" + childFd + " < 0");
        }
        if (childFd > 1023) {
            throw new IllegalArgumentException("childFd=" + childFd + " > 1023");
        }
        if (handOver.containsKey(childFd) || shared.containsKey(childFd) || devNull.containsKey(childFd)) {
            throw new IllegalArgumentException("childFd=" + childFd + " is already placed");
        }
    }

    /**
     * Sets one environment variable of the child (the child starts with this JVM's environment).
     *
     * @param name the variable's name
     * @param value its value
     * @return this builder
     */
    public Spawn env(String name, String value) {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(value, "value");
        if (name.isEmpty() || name.indexOf('=') >= 0 || name.indexOf('\0') >= 0 || value.indexOf('\0') >= 0) {
            throw new IllegalArgumentException("bad environment entry: " + name);
        }
        environment.put(name, value);
        return this;
    }

    /**
     * Removes one environment variable from the child's environment.
     *
     * @param name the variable's name
     * @return this builder
     */
    public Spawn unsetEnv(String name) {
        Objects.requireNonNull(name, "name");
        environment.remove(name);
        return this;
    }

    /**
     * The child's working directory (default: this process's).
     *
     * @param directory an existing directory
     * @return this builder
     */
    public Spawn directory(Path directory) {
        this.directory = Objects.requireNonNull(directory, "directory");
        return this;
    }

    /**
     * Starts the child.
     *
     * @return the running child; close it to kill and reap it if it still runs
     * @throws jipc.ErrnoException from {@code posix_spawnp} (e.g. ENOENT for a program that is not found, EACCES
     *                             for one that is not executable); nothing is started, no descriptor is closed
     * @throws java.nio.channels.ClosedChannelException if a placed descriptor is already closed
     */
    public ChildProcess start() throws IOException {
        Map<Integer, HasFd> placed = new TreeMap<>(shared);
        placed.putAll(handOver);
        int highestTarget = 2;
        for (int target : placed.keySet()) {
            highestTarget = Math.max(highestTarget, target);
        }
        for (int target : devNull.keySet()) {
            highestTarget = Math.max(highestTarget, target);
        }
        // Copies of the sources above every target, so that no dup2 can overwrite a source still to be placed.
        List<Fd> copies = new ArrayList<>();
        try (Arena arena = Arena.ofConfined()) {
            Map<Integer, Integer> sources = new TreeMap<>();
            for (Map.Entry<Integer, HasFd> e : placed.entrySet()) {
                Fd copy = e.getValue().fd().duplicateAtLeast(highestTarget + 1);
                copies.add(copy);
                sources.put(e.getKey(), copy.number());
            }
            ChildProcess child = spawn(arena, sources, highestTarget);
            for (HasFd given : handOver.values()) {
                given.fd().close();
            }
            return child;
        } finally {
            for (Fd copy : copies) {
                copy.close();
            }
        }
    }

    private ChildProcess spawn(Arena arena, Map<Integer, Integer> sources, int highestTarget) throws IOException {
        MemorySegment actions = arena.allocate(Constants.POSIX_SPAWN_FILE_ACTIONS_SIZE, 16);
        MemorySegment attr = arena.allocate(Constants.POSIX_SPAWNATTR_SIZE, 16);
        check(LibC.fileActionsInit(actions), "posix_spawn_file_actions_init");
        try {
            check(LibC.spawnAttrInit(attr), "posix_spawnattr_init");
            try {
                addFileActions(arena, actions, sources, highestTarget);
                setSignalAttributes(arena, attr);
                MemorySegment pidOut = arena.allocate(JAVA_INT);
                int rc = LibC.posixSpawnp(pidOut, arena.allocateFrom(argv.getFirst()), actions, attr,
                        stringArray(arena, argv), stringArray(arena, environmentList()));
                if (rc != 0) {
                    // A failing chdir action reports through the same error as a missing program: name both.
                    String what = directory == null ? Errno.quote(argv.getFirst())
                            : Errno.quote(argv.getFirst()) + ", in directory " + Errno.quote(directory.toString());
                    throw Errno.exception("posix_spawnp", what, rc);
                }
                int pid = pidOut.get(JAVA_INT, 0);
                return new ChildProcess(pid, openPidfd(pid), describe());
            } finally {
                LibC.spawnAttrDestroy(attr);
            }
        } finally {
            LibC.fileActionsDestroy(actions);
        }
    }

    private void addFileActions(Arena arena, MemorySegment actions, Map<Integer, Integer> sources, int highestTarget)
            throws IOException {
        for (Map.Entry<Integer, Integer> e : sources.entrySet()) {
            // dup2 to a different number clears FD_CLOEXEC on the target: the child keeps it across exec.
            check(LibC.fileActionsAddDup2(actions, e.getValue(), e.getKey()), "posix_spawn_file_actions_adddup2");
        }
        for (Map.Entry<Integer, String> e : devNull.entrySet()) {
            check(LibC.fileActionsAddOpen(actions, e.getKey(), arena.allocateFrom(e.getValue()), Constants.O_RDWR, 0),
                    "posix_spawn_file_actions_addopen");
        }
        // Close the numbers between 3 and the highest target that were not placed. glibc's child-side close action
        // ignores EBADF for numbers in range, so closing one that is not open is harmless.
        for (int gap = 3; gap < highestTarget; gap++) {
            if (!sources.containsKey(gap) && !devNull.containsKey(gap)) {
                check(LibC.fileActionsAddClose(actions, gap), "posix_spawn_file_actions_addclose");
            }
        }
        check(LibC.fileActionsAddCloseFrom(actions, Math.max(3, highestTarget + 1)),
                "posix_spawn_file_actions_addclosefrom_np");
        if (directory != null) {
            check(LibC.fileActionsAddChdir(actions, arena.allocateFrom(directory.toString())),
                    "posix_spawn_file_actions_addchdir_np");
        }
    }

    /** SIGCANCEL and SIGSETXID: real-time signals glibc keeps for itself (sigaddset refuses them). */
    private static final int[] GLIBC_INTERNAL_SIGNALS = {32, 33};

    private static void setSignalAttributes(Arena arena, MemorySegment attr) throws IOException {
        MemorySegment emptyMask = arena.allocate(Constants.SIGSET_SIZE, 8);
        MemorySegment allSignals = arena.allocate(Constants.SIGSET_SIZE, 8);
        LibC.sigEmptySet(emptyMask);
        LibC.sigFillSet(allSignals);
        // glibc's sigfillset leaves out its two internal signals (32 SIGCANCEL, 33 SIGSETXID), and posix_spawn then
        // sets any signal outside the "default" set that it handles internally to SIG_IGN in the child, where the
        // ignored disposition survives exec (and reaches grandchildren). Setting their bits by hand makes the child
        // start with SIG_DFL for every signal. The set is glibc's 1024-bit sigset_t: bit (sig - 1), in 64-bit words.
        for (int signal : GLIBC_INTERNAL_SIGNALS) {
            long offset = (signal - 1) / 64 * 8L;
            allSignals.set(JAVA_LONG, offset, allSignals.get(JAVA_LONG, offset) | 1L << ((signal - 1) % 64));
        }
        check(LibC.spawnAttrSetSigMask(attr, emptyMask), "posix_spawnattr_setsigmask");
        check(LibC.spawnAttrSetSigDefault(attr, allSignals), "posix_spawnattr_setsigdefault");
        check(LibC.spawnAttrSetFlags(attr,
                (short) (Constants.POSIX_SPAWN_SETSIGMASK | Constants.POSIX_SPAWN_SETSIGDEF)),
                "posix_spawnattr_setflags");
    }

    private static Fd openPidfd(int pid) throws IOException {
        int pidfd = LibC.pidfdOpen(pid, 0);
        if (pidfd < 0) {
            throw Errno.last("pidfd_open", String.valueOf(pid));
        }
        return Fd.adopt(pidfd); // pidfds are close-on-exec by definition
    }

    private List<String> environmentList() {
        List<String> env = new ArrayList<>(environment.size());
        environment.forEach((k, v) -> env.add(k + "=" + v));
        return env;
    }

    private static MemorySegment stringArray(Arena arena, List<String> strings) {
        MemorySegment array = arena.allocate(ADDRESS, strings.size() + 1L);
        for (int i = 0; i < strings.size(); i++) {
            array.setAtIndex(ADDRESS, i, arena.allocateFrom(strings.get(i)));
        }
        array.setAtIndex(ADDRESS, strings.size(), MemorySegment.NULL);
        return array;
    }

    private static void check(int rc, String call) throws IOException {
        if (rc != 0) {
            throw Errno.exception(call, "", rc);
        }
    }

    private String describe() {
        String first = argv.getFirst();
        int slash = first.lastIndexOf(File.separatorChar);
        return slash >= 0 ? first.substring(slash + 1) : first;
    }
}
