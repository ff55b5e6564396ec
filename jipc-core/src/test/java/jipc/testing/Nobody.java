package jipc.testing;

import static org.junit.jupiter.api.Assumptions.assumeFalse;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.stream.Stream;

import jipc.process.Spawn;

/**
 * User nobody (uid and gid 65534, switched to by {@code setpriv}) and a fresh directory under {@code /tmp} holding
 * copies of what nobody runs: C programs, this JVM's class path.
 *
 * <p>Nobody is never handed a path in the checkout: it may lie under a directory only its owner can enter (a clone
 * in {@code /root}, or under any {@code chmod 700} directory), and so may the dependency jars in {@code ~/.m2}. The
 * copies are world-readable (directories 0755, files 0644, executables 0755, whatever the umask) and sit in a
 * direct child of {@code /tmp} (1777), so every directory on their path lets nobody through. Each copy is then
 * checked as nobody ({@code find -readable}), so a test cannot pass without nobody reaching what it runs, and a
 * failure names the paths nobody cannot use. {@link #close()} deletes the directory and everything in it.
 *
 * <p>Needs root (to switch user) and {@code setpriv} (util-linux); without either, {@link #create()} aborts the test
 * with an assumption that says which is missing. Costs a copy of each file and one short {@code find} process per
 * copy call; a class path (about 12 MB with the test dependencies) is copied once per call.
 */
public final class Nobody implements AutoCloseable {
    public static final int UID = 65534;
    private static final String DIRECTORY_MODE = "rwxr-xr-x";
    private static final String FILE_MODE = "rw-r--r--";
    private static final String PROGRAM_MODE = "rwxr-xr-x";

    private final Path setpriv;
    private final Path directory;
    private int copies;

    private Nobody(Path setpriv, Path directory) {
        this.setpriv = setpriv;
        this.directory = directory;
    }

    /** A new, empty directory for copies; aborts the calling test unless this process is root and has setpriv. */
    public static Nobody create() throws IOException {
        assumeTrue(Kernel.effectiveUid() == 0, "needs root: the test switches to user nobody with setpriv");
        Path setpriv = Gcc.onPath("setpriv");
        assumeFalse(setpriv == null, "needs setpriv (util-linux) to run a process as user nobody");
        // /tmp itself, not java.io.tmpdir: a tmpdir set inside the checkout would be out of nobody's reach.
        Path directory = Files.createTempDirectory(Path.of("/tmp"), "jipc-nobody-");
        Files.setPosixFilePermissions(directory, PosixFilePermissions.fromString(DIRECTORY_MODE));
        return new Nobody(setpriv, directory);
    }

    /** The directory of the copies (0755, owned by root): nobody may enter it but not create anything in it. */
    public Path directory() {
        return directory;
    }

    /**
     * A copy of the file {@code original} in {@link #directory()}, under the same name: 0755 if the original is
     * executable by its owner (a compiled C program), else 0644. Checked as nobody before it is returned.
     */
    public Path copy(Path original) throws IOException {
        Path copy = directory.resolve(original.getFileName().toString());
        copyFile(original, copy);
        assertNobodyCanUse(List.of(copy));
        return copy;
    }

    /**
     * Copies every entry of {@code classPath} (directories with everything in them, jars) into {@link #directory()}
     * and returns the class path of the copies, in the same order; entries that do not exist are left out, as the
     * JVM ignores them. Checked as nobody, together with this JVM's {@code java}, before it is returned.
     */
    public String copyClassPath(String classPath) throws IOException {
        List<Path> copied = new ArrayList<>();
        for (String entry : classPath.split(File.pathSeparator)) {
            Path original = Path.of(entry).toAbsolutePath();
            if (entry.isEmpty() || !Files.exists(original)) {
                continue;
            }
            // A number first: two entries may share a name (every module has a target/classes).
            Path copy = directory.resolve("cp" + ++copies + "-" + original.getFileName());
            if (Files.isDirectory(original)) {
                copyTree(original, copy);
            } else {
                copyFile(original, copy);
            }
            copied.add(copy);
        }
        List<Path> used = new ArrayList<>(copied);
        used.add(JavaCommand.java());
        assertNobodyCanUse(used);
        return String.join(File.pathSeparator, copied.stream().map(Path::toString).toList());
    }

    /**
     * The command line of a JVM that runs {@code mainClass} from a copy of this JVM's class path, with the flags of
     * {@link JavaCommand}; pass it to {@link #argv(List)} to run it as nobody.
     */
    public List<String> java(Class<?> mainClass, String... args) throws IOException {
        return JavaCommand.argv(copyClassPath(System.getProperty("java.class.path")), mainClass, args);
    }

    /** {@code setpriv} running {@code command} as nobody, with no supplementary groups. */
    public List<String> argv(List<String> command) {
        return argv("--clear-groups", command);
    }

    /**
     * {@code setpriv} running {@code command} as nobody with the given group option: {@code --clear-groups}, or for
     * example {@code --groups=0} to be in root's group.
     */
    public List<String> argv(String groupOption, List<String> command) {
        List<String> argv = new ArrayList<>(List.of(setpriv.toString(), "--reuid=" + UID, "--regid=" + UID,
                groupOption, "--"));
        argv.addAll(command);
        return argv;
    }

    /**
     * Fails naming every path under {@code paths} that nobody cannot use: a directory it cannot list or enter, a
     * file it cannot read, an executable it cannot run; and any path it cannot reach at all. Symbolic links given
     * in {@code paths} are followed.
     */
    public void assertNobodyCanUse(List<Path> paths) throws IOException {
        List<String> find = new ArrayList<>(List.of("find", "-H"));
        paths.forEach(p -> find.add(p.toString()));
        // find's -readable and -executable ask access(2), that is: as the real uid, nobody.
        find.addAll(List.of("(",
                "-type", "d", "(", "!", "-readable", "-o", "!", "-executable", ")",
                "-o", "!", "-type", "d", "!", "-readable",
                "-o", "-type", "f", "-perm", "-u+x", "!", "-executable",
                ")", "-print"));
        Capture.Result result = Capture.run(Spawn.command(argv(find)).directory(Path.of("/")));
        if (!result.status().success() || !result.out().isEmpty()) {
            throw new AssertionError("user nobody cannot use these copies (" + result.status() + "): "
                    + result.out() + result.err());
        }
    }

    private static void copyFile(Path original, Path copy) throws IOException {
        Files.copy(original, copy);
        boolean program = Files.getPosixFilePermissions(original).contains(PosixFilePermission.OWNER_EXECUTE);
        Files.setPosixFilePermissions(copy, PosixFilePermissions.fromString(program ? PROGRAM_MODE : FILE_MODE));
    }

    private static void copyTree(Path original, Path copy) throws IOException {
        try (Stream<Path> tree = Files.walk(original)) {
            for (Path p : tree.toList()) {
                Path target = copy.resolve(original.relativize(p).toString());
                if (Files.isDirectory(p, LinkOption.NOFOLLOW_LINKS)) {
                    Files.createDirectory(target);
                    Files.setPosixFilePermissions(target, PosixFilePermissions.fromString(DIRECTORY_MODE));
                } else {
                    copyFile(p, target);
                }
            }
        }
    }

    @Override
    public void close() throws IOException {
        if (!Files.exists(directory, LinkOption.NOFOLLOW_LINKS)) {
            return;
        }
        try (Stream<Path> tree = Files.walk(directory)) {
            for (Path p : tree.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(p);
            }
        }
    }
}
