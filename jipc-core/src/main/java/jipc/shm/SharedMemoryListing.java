package jipc.shm;

import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import jipc.ErrnoException;
import jipc.internal.ShmConstants;
import jipc.io.FileStat;

/**
 * Lists the shared memory on this host the way {@code ls /dev/shm} and {@code ipcs -m} do, as records a program (or
 * {@code jipc shm ls}) can print or filter.
 *
 * <p>POSIX objects are the regular files in {@code /dev/shm} (one {@code lstat} each; POSIX named semaphores appear as
 * {@code /sem.NAME}); System V segments are the rows of {@code /proc/sysvipc/shm}, which lists every segment of this
 * IPC namespace whatever its permissions. Whether a creator process is alive is a look at {@code /proc/PID}. The
 * listing is a snapshot: objects come and go while it is taken, and those that vanish half-way are left out.
 */
public final class SharedMemoryListing {
    private SharedMemoryListing() {
    }

    private static final Path DEV_SHM = Path.of("/dev/shm");
    private static final Path PROC_SYSVIPC_SHM = Path.of("/proc/sysvipc/shm");

    /**
     * POSIX objects then System V segments.
     *
     * @return every object, POSIX first
     * @throws IOException if {@code /dev/shm} or {@code /proc/sysvipc/shm} cannot be read
     */
    public static List<SharedMemoryInfo> all() throws IOException {
        List<SharedMemoryInfo> all = new ArrayList<>(posix());
        all.addAll(systemV());
        return all;
    }

    /**
     * The POSIX objects in {@code /dev/shm}, sorted by name.
     *
     * @return one entry per object, sorted by name
     * @throws IOException if {@code /dev/shm} cannot be listed
     */
    public static List<SharedMemoryInfo> posix() throws IOException {
        return posix(DEV_SHM);
    }

    static List<SharedMemoryInfo> posix(Path directory) throws IOException {
        List<SharedMemoryInfo> list = new ArrayList<>();
        try (DirectoryStream<Path> entries = Files.newDirectoryStream(directory)) {
            for (Path entry : entries) {
                FileStat stat;
                try {
                    stat = FileStat.ofLink(entry.toString());
                } catch (ErrnoException e) {
                    continue; // removed since the directory was read
                }
                if (!stat.isRegularFile()) {
                    continue;
                }
                list.add(new SharedMemoryInfo(SharedMemoryInfo.Kind.POSIX, "/" + entry.getFileName(), 0, -1,
                        stat.size(), stat.uid(), stat.permissions(), -1, 0, 0, SharedMemoryInfo.Liveness.UNKNOWN,
                        false));
            }
        } catch (NoSuchFileException e) {
            return List.of(); // no /dev/shm mounted: no POSIX objects
        }
        list.sort(Comparator.comparing(SharedMemoryInfo::name));
        return list;
    }

    /**
     * The System V segments in {@code /proc/sysvipc/shm}, sorted by id.
     *
     * @return one entry per segment, sorted by id
     * @throws IOException if {@code /proc/sysvipc/shm} cannot be read
     */
    public static List<SharedMemoryInfo> systemV() throws IOException {
        List<String> lines;
        try {
            lines = Files.readAllLines(PROC_SYSVIPC_SHM);
        } catch (NoSuchFileException e) {
            return List.of(); // kernel without System V IPC
        }
        return parseSysvipc(lines);
    }

    /** Parses {@code /proc/sysvipc/shm}: a header line naming the columns, then one segment per line. */
    static List<SharedMemoryInfo> parseSysvipc(List<String> lines) {
        if (lines.isEmpty()) {
            return List.of();
        }
        String[] header = lines.getFirst().trim().split("\\s+");
        Map<String, Integer> column = new HashMap<>();
        for (int i = 0; i < header.length; i++) {
            column.put(header[i], i);
        }
        List<SharedMemoryInfo> list = new ArrayList<>();
        for (String line : lines.subList(1, lines.size())) {
            if (line.isBlank()) {
                continue;
            }
            String[] f = line.trim().split("\\s+");
            int key = (int) Long.parseLong(f[column.get("key")]);
            int perms = Integer.parseInt(f[column.get("perms")], 8);
            int cpid = Integer.parseInt(f[column.get("cpid")]);
            list.add(new SharedMemoryInfo(SharedMemoryInfo.Kind.SYSV, String.format("0x%08x", key), key,
                    Integer.parseInt(f[column.get("shmid")]),
                    Long.parseUnsignedLong(f[column.get("size")]),
                    Integer.parseInt(f[column.get("uid")]),
                    perms & 0777,
                    Long.parseLong(f[column.get("nattch")]),
                    cpid,
                    Integer.parseInt(f[column.get("lpid")]),
                    // pid 0: the creator ran in a pid namespace not visible from here; cannot tell
                    cpid <= 0 ? SharedMemoryInfo.Liveness.UNKNOWN
                            : isAlive(cpid) ? SharedMemoryInfo.Liveness.ALIVE : SharedMemoryInfo.Liveness.DEAD,
                    (perms & ShmConstants.SHM_DEST) != 0));
        }
        list.sort(Comparator.comparingInt(SharedMemoryInfo::id));
        return list;
    }

    /**
     * Whether process {@code pid} exists in this pid namespace ({@code /proc/PID} is there). A pid can be reused, so
     * "alive" means "some process has that number".
     */
    static boolean isAlive(int pid) {
        return pid > 0 && Files.isDirectory(Path.of("/proc", Integer.toString(pid)));
    }
}
