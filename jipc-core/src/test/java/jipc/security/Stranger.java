package jipc.security;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import jipc.process.Spawn;
import jipc.testing.Capture;
import jipc.testing.Gcc;
import jipc.testing.Nobody;

/**
 * Another user on this machine: the C program {@code perm_probe} run by {@code setpriv} as user nobody
 * (uid and gid 65534), trying to open, map, attach or post jipc's objects and reporting "ok" or the errno name for
 * each attempt.
 *
 * <p>Needs root (to switch user) and {@code setpriv} (util-linux); without either, {@link #create()} aborts the test
 * with an assumption that says which is missing. The probe runs from a copy that nobody can read (see
 * {@link Nobody}), since nobody may not be able to reach the build directory.
 */
final class Stranger implements AutoCloseable {
    private final Nobody nobody;
    private final Path probe;

    private Stranger(Nobody nobody, Path probe) {
        this.nobody = nobody;
        this.probe = probe;
    }

    static Stranger create() throws IOException {
        Nobody nobody = Nobody.create();
        try {
            return new Stranger(nobody, nobody.copy(Gcc.program("perm_probe")));
        } catch (IOException | RuntimeException | Error e) {
            nobody.close();
            throw e;
        }
    }

    /** A directory that nobody can enter (0755, owned by root): where tests put FIFOs for the stranger. */
    Path directory() {
        return nobody.directory();
    }

    /**
     * Runs the attempts ({@code VERB TARGET ACCESS} triples, see {@code perm_probe.c}) as nobody with no groups;
     * returns one result per attempt: "ok" or an errno name such as "EACCES".
     */
    List<String> tries(String... attempts) throws IOException {
        return run("--clear-groups", attempts);
    }

    /** As {@link #tries}, with group 0 (root's group, the group of every object this root test creates) added. */
    List<String> triesInGroupZero(String... attempts) throws IOException {
        return run("--groups=0", attempts);
    }

    private List<String> run(String groups, String... attempts) throws IOException {
        List<String> command = new ArrayList<>(List.of(probe.toString()));
        command.addAll(List.of(attempts));
        Capture.Result result = Capture.run(Spawn.command(nobody.argv(groups, command)).directory(Path.of("/")))
                .assertSuccess();
        List<String> lines = result.out().lines().toList();
        if (lines.size() != attempts.length / 3) {
            throw new AssertionError("expected " + attempts.length / 3 + " results from perm_probe: " + result);
        }
        return lines.stream().map(line -> line.substring(line.lastIndexOf(' ') + 1)).toList();
    }

    @Override
    public void close() throws IOException {
        nobody.close();
    }
}
