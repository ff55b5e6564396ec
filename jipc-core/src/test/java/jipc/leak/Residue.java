package jipc.leak;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

import jipc.testing.FdLeakCheck;

/**
 * What this process holds of the kernel objects jipc makes, read from {@code /proc} and {@code /dev/shm}: every open
 * descriptor, every shared mapping ({@code /proc/self/maps} lines whose permissions end in {@code s}: POSIX objects,
 * memfds, System V segments), the files in {@code /dev/shm} whose names start with a prefix, the System V segments
 * this process created ({@code cpid} in {@code /proc/sysvipc/shm}) and the System V semaphore sets among given ids
 * ({@code /proc/sysvipc/sem} records no creator, so the test names the ids it made).
 *
 * <p>Two snapshots taken around a loop differ exactly by what the loop left behind.
 */
record Residue(Map<Integer, String> fds, List<String> sharedMappings, int mapsLines, Set<String> shmFiles,
               Set<Integer> sysvShmIds, Set<Integer> sysvSemIds) {

    private static final Path DEV_SHM = Path.of("/dev/shm");
    private static final long PID = ProcessHandle.current().pid();

    /**
     * Takes a snapshot.
     *
     * @param shmPrefix file names in {@code /dev/shm} that count (e.g. {@code "jipc-leak-123-"}; a named semaphore's
     *                  file is {@code sem.} and its name, so both forms are matched)
     */
    static Residue take(String shmPrefix) {
        List<String> shared = new ArrayList<>();
        int lines = 0;
        try {
            for (String line : Files.readAllLines(Path.of("/proc/self/maps"))) {
                lines++;
                String[] f = line.split("\\s+", 6);
                if (f.length > 1 && f[1].length() == 4 && f[1].charAt(3) == 's') {
                    shared.add(line);
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return new Residue(FdLeakCheck.snapshot(), List.copyOf(shared), lines, shmFiles(shmPrefix), ownSysvShm(),
                sysvSem());
    }

    private static Set<String> shmFiles(String prefix) {
        Set<String> names = new TreeSet<>();
        try (DirectoryStream<Path> dir = Files.newDirectoryStream(DEV_SHM)) {
            for (Path entry : dir) {
                String name = entry.getFileName().toString();
                if (name.startsWith(prefix) || name.startsWith("sem." + prefix)) {
                    names.add(name);
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return names;
    }

    /** The ids of the System V segments whose creator ({@code cpid}) is this process. */
    private static Set<Integer> ownSysvShm() {
        Set<Integer> ids = new TreeSet<>();
        List<String[]> rows = sysvipc("shm");
        if (rows.isEmpty()) {
            return ids;
        }
        List<String> header = List.of(rows.getFirst());
        int shmid = header.indexOf("shmid");
        int cpid = header.indexOf("cpid");
        for (String[] row : rows.subList(1, rows.size())) {
            if (Long.parseLong(row[cpid]) == PID) {
                ids.add(Integer.parseInt(row[shmid]));
            }
        }
        return ids;
    }

    /** The ids of every System V semaphore set in this IPC namespace. */
    private static Set<Integer> sysvSem() {
        Set<Integer> ids = new TreeSet<>();
        List<String[]> rows = sysvipc("sem");
        if (rows.isEmpty()) {
            return ids;
        }
        int semid = List.of(rows.getFirst()).indexOf("semid");
        for (String[] row : rows.subList(1, rows.size())) {
            ids.add(Integer.parseInt(row[semid]));
        }
        return ids;
    }

    private static List<String[]> sysvipc(String what) {
        List<String[]> rows = new ArrayList<>();
        try {
            for (String line : Files.readAllLines(Path.of("/proc/sysvipc", what))) {
                if (!line.isBlank()) {
                    rows.add(line.trim().split("\\s+"));
                }
            }
        } catch (NoSuchFileException e) {
            return rows;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return rows;
    }

    /**
     * What {@code after} holds that this snapshot did not, one line each; empty if nothing. Semaphore sets count only
     * if {@code ourSemIds} (the ids the loop made) contains them: other programs on the machine make sets too.
     */
    List<String> leakedIn(Residue after, Set<Integer> ourSemIds) {
        List<String> leaks = new ArrayList<>();
        after.fds.forEach((fd, target) -> {
            // The snapshot's own reads of /proc/self (its directory stream) land on whatever number is free.
            if (!target.equals(fds.get(fd)) && !target.startsWith("/proc/")) {
                leaks.add("fd " + fd + " -> " + target);
            }
        });
        if (after.fds.size() > fds.size()) {
            leaks.add("open descriptors: " + fds.size() + " before, " + after.fds.size() + " after");
        }
        List<String> mappings = new ArrayList<>(after.sharedMappings);
        mappings.removeAll(sharedMappings);
        if (after.sharedMappings.size() > sharedMappings.size()) {
            leaks.add("shared mappings: " + sharedMappings.size() + " before, " + after.sharedMappings.size()
                    + " after; new: " + mappings.subList(0, Math.min(5, mappings.size())));
        }
        for (String name : after.shmFiles) {
            if (!shmFiles.contains(name)) {
                leaks.add("/dev/shm/" + name);
            }
        }
        for (int id : after.sysvShmIds) {
            if (!sysvShmIds.contains(id)) {
                leaks.add("System V segment id " + id);
            }
        }
        for (int id : after.sysvSemIds) {
            if (ourSemIds.contains(id) && !sysvSemIds.contains(id)) {
                leaks.add("System V semaphore set id " + id);
            }
        }
        return leaks;
    }
}
