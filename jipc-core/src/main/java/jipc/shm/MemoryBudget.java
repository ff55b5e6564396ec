package jipc.shm;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

import jipc.ErrnoException;
import jipc.internal.Errno;

/**
 * Guards the one reservation that can hurt the whole machine: {@code fallocate} on tmpfs takes real memory at once,
 * and a memfd's tmpfs has no size limit, so reserving more than the machine has does not fail with ENOSPC; it
 * runs the kernel out of memory and the OOM killer ends some process, not necessarily this one. Before reserving,
 * the amount is compared with {@code /proc/meminfo}:
 * <ul>
 *   <li>a reservation larger than {@code MemAvailable} is refused with ENOMEM before any system call;</li>
 *   <li>mapping read-write (which reserves the pages a peer left sparse) refuses an object larger than
 *       {@code MemTotal + SwapTotal}, which no machine of this size can back.</li>
 * </ul>
 * {@code MemAvailable} is the kernel's estimate and may change at once: this catches the mistake (a wrong unit, a
 * negative number read as unsigned), not every race. Without a readable {@code /proc/meminfo} nothing is checked.
 */
final class MemoryBudget {
    private static final Path MEMINFO = Path.of("/proc/meminfo");

    private MemoryBudget() {
    }

    /**
     * Checks that reserving {@code bytes} more memory for {@code what} leaves the machine running.
     *
     * @throws ErrnoException ENOMEM (with {@code MemAvailable} in the message) if it would not
     */
    static void checkReservation(String syscall, String what, long bytes) throws ErrnoException {
        long available = field("MemAvailable");
        if (bytes > available) {
            throw Errno.exception(syscall, what + ", " + bytes + " bytes: more than MemAvailable=" + available
                    + " bytes in /proc/meminfo, not attempted", Errno.ENOMEM);
        }
    }

    /**
     * Checks that an object of {@code size} bytes could be backed by this machine's memory at all.
     *
     * @throws ErrnoException ENOMEM if {@code size} exceeds {@code MemTotal + SwapTotal}
     */
    static void checkBackable(String syscall, String what, long size) throws ErrnoException {
        long total = field("MemTotal");
        long swap = field("SwapTotal");
        long limit = total == Long.MAX_VALUE || swap == Long.MAX_VALUE ? Long.MAX_VALUE : total + swap;
        if (size > limit) {
            throw Errno.exception(syscall, what + ", " + size + " bytes: more than MemTotal+SwapTotal=" + limit
                    + " bytes in /proc/meminfo, not attempted", Errno.ENOMEM);
        }
    }

    /** A field of /proc/meminfo in bytes; {@link Long#MAX_VALUE} (no limit) if it cannot be read. */
    private static long field(String name) {
        try {
            for (String line : Files.readAllLines(MEMINFO)) {
                if (line.startsWith(name + ":")) {
                    String[] parts = line.substring(name.length() + 1).trim().split("\\s+");
                    return Math.multiplyExact(Long.parseLong(parts[0]), 1024L); // the kernel prints kB
                }
            }
        } catch (IOException | RuntimeException e) {
            // no /proc (a container without it): the kernel's own limits are all there is
        }
        return Long.MAX_VALUE;
    }
}
