package jipc.internal;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.function.LongPredicate;

/**
 * A process identity that survives pid reuse, packed into one 64-bit word: the pid in the low 32 bits and the low
 * 32 bits of the process start time (field 22 of {@code /proc/PID/stat}, clock ticks since boot) in the high 32.
 * A recycled pid comes with a later start time, so it never matches an identity recorded for the process that had
 * the pid before. (The start time wraps after 2^32 ticks, 497 days at 100 Hz; a false match would need the pid to
 * be recycled at exactly that distance, to the tick.)
 *
 * <p>Identities are only comparable between processes in the same pid namespace, which is why no shared structure
 * records them any more: channels and mutexes name their parties by liveness token ({@code jipc.live}). What is left
 * here serves the System V staleness rules ({@code jipc.stale.ProcessClock}, which has only the kernel's pids).
 */
public final class ProcessIdentity {
    private ProcessIdentity() {
    }

    private static final class Self {
        static final int PID = LibC.getpid();
        static final long START_TIME = readStat(PID).startTime();
        static final long IDENTITY = of(PID, START_TIME);
    }

    /** This process's identity (read from {@code /proc/self/stat} once). */
    public static long self() {
        return Self.IDENTITY;
    }

    /** This process's pid. */
    public static int selfPid() {
        return Self.PID;
    }

    public static long of(int pid, long startTime) {
        return (startTime << 32) | (pid & 0xFFFF_FFFFL);
    }

    public static int pid(long identity) {
        return (int) identity;
    }

    public static int startTime(long identity) {
        return (int) (identity >>> 32);
    }

    public static String describe(long identity) {
        return "pid " + pid(identity) + " (start " + Integer.toUnsignedString(startTime(identity)) + ")";
    }

    /**
     * Whether the process named by {@code identity} still runs. "Dead" means certain: no process has the pid
     * ({@code kill(pid, 0)} fails with ESRCH), or the process with that pid started at another time (the pid was
     * reused), or it is a zombie (ended, not yet reaped). When the state cannot be read (e.g. {@code /proc} mounted
     * with {@code hidepid}) the process counts as alive: a live holder must never be taken over.
     *
     * <p>Cost: one {@code kill} system call and, when the pid exists, reading {@code /proc/PID/stat}.
     */
    public static boolean isAlive(long identity) {
        return isAlive(pid(identity), actual -> (int) actual == startTime(identity));
    }

    /**
     * Whether the process with {@code pid} that started at {@code startTime} (the full field 22 of
     * {@code /proc/PID/stat}) still runs; the same rules and cost as {@link #isAlive(long)}.
     */
    public static boolean isAlive(int pid, long startTime) {
        return isAlive(pid, actual -> actual == startTime);
    }

    /** This process's start time in clock ticks since boot (field 22 of {@code /proc/self/stat}, read once). */
    public static long selfStartTime() {
        return Self.START_TIME;
    }

    private static boolean isAlive(int pid, LongPredicate startTimeMatches) {
        if (pid <= 0) {
            return false;
        }
        if (LibC.kill(pid, 0) < 0 && Native.errno() == Errno.ESRCH) {
            return false;
        }
        Stat stat;
        try {
            stat = readStat(pid);
        } catch (UncheckedIOException e) {
            // Gone between kill and open (then kill now fails with ESRCH), or hidden from us by hidepid or
            // permissions (then it exists and must count as alive).
            return !(LibC.kill(pid, 0) < 0 && Native.errno() == Errno.ESRCH);
        }
        if (stat.state() == 'Z' || stat.state() == 'X') {
            return false;
        }
        return startTimeMatches.test(stat.startTime());
    }

    public record Stat(char state, long startTime) {
    }

    /**
     * Parses {@code /proc/PID/stat}. Field 2, the command name, is in parentheses and may itself contain spaces and
     * parentheses, so fields are counted from the last ')'.
     */
    public static Stat readStat(int pid) {
        String text;
        try {
            text = Files.readString(Path.of("/proc", Integer.toString(pid), "stat"));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        String[] fields = text.substring(text.lastIndexOf(')') + 2).trim().split(" ");
        // fields[0] is field 3 (state); field 22 (starttime) is fields[19]
        return new Stat(fields[0].charAt(0), Long.parseLong(fields[19]));
    }
}
