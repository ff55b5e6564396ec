package jipc.security;

import static org.junit.jupiter.api.Assumptions.assumeFalse;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;

import jipc.process.Spawn;
import jipc.testing.Capture;
import jipc.testing.Gcc;
import jipc.testing.Kernel;

/**
 * Another user on this machine: the C program {@code perm_probe} run by {@code setpriv} as user nobody
 * (uid and gid 65534), trying to open, map, attach or post jipc's objects and reporting "ok" or the errno name for
 * each attempt.
 *
 * <p>Needs root (to switch user) and {@code setpriv} (util-linux); without either, {@link #create()} aborts the test
 * with an assumption that says which is missing. The probe is copied into a fresh world-readable directory under
 * {@code /tmp}, since nobody may not be able to reach the build directory.
 */
final class Stranger implements AutoCloseable {
    static final int UID = 65534;
    private final Path setpriv;
    private final Path directory;
    private final Path probe;

    private Stranger(Path setpriv, Path directory, Path probe) {
        this.setpriv = setpriv;
        this.directory = directory;
        this.probe = probe;
    }

    static Stranger create() throws IOException {
        assumeTrue(Kernel.effectiveUid() == 0, "needs root: the test switches to user nobody with setpriv");
        Path setpriv = Gcc.onPath("setpriv");
        assumeFalse(setpriv == null, "needs setpriv (util-linux) to run a process as user nobody");
        Path program = Gcc.program("perm_probe");
        Path directory = Files.createTempDirectory(Path.of("/tmp"), "jipc-stranger-",
                PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwxr-xr-x")));
        Path probe = directory.resolve("perm_probe");
        Files.copy(program, probe, StandardCopyOption.REPLACE_EXISTING);
        Files.setPosixFilePermissions(probe, PosixFilePermissions.fromString("rwxr-xr-x"));
        return new Stranger(setpriv, directory, probe);
    }

    /** A directory that nobody can enter (0755, owned by root): where tests put FIFOs for the stranger. */
    Path directory() {
        return directory;
    }

    /**
     * Runs the attempts ({@code VERB TARGET ACCESS} triples, see {@code perm_probe.c}) as nobody with no groups;
     * returns one result per attempt: "ok" or an errno name such as "EACCES".
     */
    List<String> tries(String... attempts) throws IOException {
        return run(List.of("--clear-groups"), attempts);
    }

    /** As {@link #tries}, with group 0 (root's group, the group of every object this root test creates) added. */
    List<String> triesInGroupZero(String... attempts) throws IOException {
        return run(List.of("--groups=0"), attempts);
    }

    private List<String> run(List<String> groups, String... attempts) throws IOException {
        List<String> argv = new ArrayList<>(List.of(setpriv.toString(), "--reuid=" + UID, "--regid=" + UID));
        argv.addAll(groups);
        argv.add("--");
        argv.add(probe.toString());
        argv.addAll(List.of(attempts));
        Capture.Result result = Capture.run(Spawn.command(argv).directory(Path.of("/"))).assertSuccess();
        List<String> lines = result.out().lines().toList();
        if (lines.size() != attempts.length / 3) {
            throw new AssertionError("expected " + attempts.length / 3 + " results from perm_probe: " + result);
        }
        return lines.stream().map(line -> line.substring(line.lastIndexOf(' ') + 1)).toList();
    }

    @Override
    public void close() throws IOException {
        Files.deleteIfExists(probe);
        try (var left = Files.list(directory)) {
            for (Path p : left.toList()) {
                Files.deleteIfExists(p);
            }
        }
        Files.deleteIfExists(directory);
    }
}
