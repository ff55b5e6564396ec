package jipc.stale;

import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.Set;

/**
 * The POSIX objects ({@code /dev/shm} files) that processes have mapped ({@code /proc/PID/maps}) or open
 * ({@code /proc/PID/fd}) right now: an attached end of a channel that records no identity (the producer of a
 * one-producer channel) still shows here.
 *
 * <p>Only processes whose {@code /proc} entries this user may read are seen: one's own processes, or all of them as
 * root. Another user's process can use an object only if its mode lets that user in (jipc creates 0600) or it runs
 * as root. This process counts like any other: call it while holding no mapping of the objects judged.
 * Cost: two reads per process of the pid namespace.
 */
final class OpenedShm {
    private OpenedShm() {
    }

    private static final String DEV_SHM = "/dev/shm/";

    /** Object names ({@code /name}) that processes map or hold open. */
    static Set<String> inAnyProcess() {
        Set<String> names = new HashSet<>();
        try (DirectoryStream<Path> proc = Files.newDirectoryStream(Path.of("/proc"), "[0-9]*")) {
            for (Path process : proc) {
                addMapped(process.resolve("maps"), names);
                addOpen(process.resolve("fd"), names);
            }
        } catch (IOException e) {
            // /proc unreadable: nothing seen
        }
        return names;
    }

    private static void addMapped(Path maps, Set<String> names) {
        try {
            for (String line : Files.readAllLines(maps)) {
                int at = line.indexOf(DEV_SHM);
                if (at > 0 && !line.endsWith(" (deleted)")) {
                    names.add("/" + line.substring(at + DEV_SHM.length()));
                }
            }
        } catch (IOException | RuntimeException e) {
            // gone meanwhile, or not ours to read
        }
    }

    private static void addOpen(Path fds, Set<String> names) {
        try (DirectoryStream<Path> dir = Files.newDirectoryStream(fds)) {
            for (Path fd : dir) {
                try {
                    String target = Files.readSymbolicLink(fd).toString();
                    if (target.startsWith(DEV_SHM) && !target.endsWith(" (deleted)")) {
                        names.add("/" + target.substring(DEV_SHM.length()));
                    }
                } catch (IOException | RuntimeException e) {
                    // closed meanwhile
                }
            }
        } catch (IOException | RuntimeException e) {
            // gone meanwhile, or not ours to read
        }
    }
}
