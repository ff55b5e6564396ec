package jipc.stale;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;

import jipc.internal.Errno;
import jipc.internal.LibC;
import jipc.internal.Native;
import jipc.internal.ProcessIdentity;

/**
 * Whether the process a System V segment recorded by pid alone ({@code shm_cpid}, {@code shm_lpid}) is provably
 * gone, using the time the kernel recorded with it to see through pid reuse.
 *
 * <p>A process started at {@code btime + starttime / USER_HZ} seconds since the epoch ({@code btime} from
 * {@code /proc/stat}, {@code starttime} field 22 of {@code /proc/PID/stat}). The recorded process existed at the
 * recorded time; a process that started {@value #SLACK_SECONDS} seconds or more after it cannot be that process
 * (both times are whole seconds, hence the slack), so its pid was reused.
 */
final class ProcessClock {
    private ProcessClock() {
    }

    /** USER_HZ, the unit of {@code /proc/PID/stat} times: 100 in the Linux ABI of x86-64 and arm64. */
    static final long TICKS_PER_SECOND = 100;
    static final long SLACK_SECONDS = 2;

    private static final class Boot {
        static final long EPOCH_SECOND = bootTime();
    }

    /**
     * Why the process that had {@code pid} at {@code recorded} is provably gone ({@code "gone"}, {@code "a zombie"},
     * {@code "reused by a process started at ..."}), or {@code null} if a process with that pid exists that may be it.
     * A process this user may not look at ({@code /proc} mounted with {@code hidepid}) may be it.
     */
    static String whyGone(int pid, Instant recorded) {
        if (pid <= 0) {
            return null; // 0: recorded by a process of a pid namespace we cannot see into; cannot decide
        }
        if (LibC.kill(pid, 0) < 0 && Native.errno() == Errno.ESRCH) {
            return "gone";
        }
        ProcessIdentity.Stat stat;
        try {
            stat = ProcessIdentity.readStat(pid);
        } catch (UncheckedIOException e) {
            return LibC.kill(pid, 0) < 0 && Native.errno() == Errno.ESRCH ? "gone" : null;
        }
        if (stat.state() == 'Z' || stat.state() == 'X') {
            return "ended (a zombie)";
        }
        long started = Boot.EPOCH_SECOND + stat.startTime() / TICKS_PER_SECOND;
        if (started >= recorded.getEpochSecond() + SLACK_SECONDS) {
            return "gone (pid reused by a process started at " + Instant.ofEpochSecond(started) + ", after "
                    + recorded + ")";
        }
        return null;
    }

    private static long bootTime() {
        try {
            for (String line : Files.readAllLines(Path.of("/proc/stat"))) {
                if (line.startsWith("btime ")) {
                    return Long.parseLong(line.substring(6).trim());
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        throw new IllegalStateException("no btime line in /proc/stat");
    }
}
